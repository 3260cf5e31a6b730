//! The fast solver's limits: a wall-clock deadline and a work budget, checked in every phase.
//!
//! Every loop of the solver whose length grows with the instance counts its work here
//! ([`Limit::tick`], about one unit per cost-matrix entry or knapsack node visited) and stops
//! when told to. The first phase to see a limit is recorded; from then on every check says stop,
//! so the phases unwind quickly, each keeping what it had (a solution found so far stays found;
//! a bound is kept only when it is complete and valid).
//!
//! With no time limit the clock decides nothing: the work count alone, a pure function of the
//! instance and the options, can stop a run, so a run is reproducible on any machine.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// A phase of the fast solver (the one that first saw a limit is reported in the outcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Checks before the search (obvious infeasibility, starting multipliers).
    Setup,
    /// Evaluating the Lagrangian relaxation (one subgradient iteration).
    Relaxation,
    /// A knapsack subproblem of the relaxation.
    Knapsack,
    /// Building a single-source assignment.
    Construction,
    /// Local search moves and perturbation rounds.
    LocalSearch,
    /// Min-cost flow (split sourcing, or rounding a split assignment).
    Flow,
    /// Branch and bound.
    Tree,
}

/// Deadline, work budget, and what was done (shared by reference across the solver's parts).
#[derive(Debug)]
pub(crate) struct Limit {
    start: Instant,
    deadline: Option<Instant>,
    work_limit: u64,
    work: Cell<u64>,
    hit: Cell<Option<Phase>>,
    /// Tests: every check, as (phase, work before it).
    #[cfg(test)]
    pub(crate) trace: std::cell::RefCell<Vec<(Phase, u64)>>,
}

impl Limit {
    /// `time_limit` in seconds (infinite or huge: no deadline); `work_limit` in work units.
    pub(crate) fn new(time_limit: f64, work_limit: Option<u64>) -> Self {
        let start = Instant::now();
        let deadline = (time_limit.is_finite() && time_limit >= 0.0)
            .then(|| start.checked_add(Duration::from_secs_f64(time_limit.min(1e9))))
            .flatten();
        Limit {
            start,
            deadline,
            work_limit: work_limit.unwrap_or(u64::MAX),
            work: Cell::new(0),
            hit: Cell::new(None),
            #[cfg(test)]
            trace: Default::default(),
        }
    }

    /// No limit at all (for internal helpers run outside a solve).
    #[cfg(test)]
    pub(crate) fn none() -> Self {
        Limit::new(f64::INFINITY, None)
    }

    /// Counts `units` of work in `phase`; returns true when the solver must stop.
    #[inline]
    pub(crate) fn tick(&self, phase: Phase, units: u64) -> bool {
        #[cfg(test)]
        self.trace.borrow_mut().push((phase, self.work.get()));
        let work = self.work.get().saturating_add(units.max(1));
        self.work.set(work);
        if self.hit.get().is_some() {
            return true;
        }
        if work > self.work_limit || self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.hit.set(Some(phase));
            return true;
        }
        false
    }

    /// Whether a limit was reached (every later check says stop).
    #[inline]
    pub(crate) fn stopped(&self) -> bool {
        self.hit.get().is_some()
    }

    /// The phase that first saw a limit.
    pub(crate) fn hit(&self) -> Option<Phase> {
        self.hit.get()
    }

    /// Work units counted so far.
    pub(crate) fn work(&self) -> u64 {
        self.work.get()
    }

    /// Seconds since the start; reported only, never used to decide anything.
    pub(crate) fn seconds(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_limit_stops_and_stays_stopped() {
        let l = Limit::new(f64::INFINITY, Some(10));
        assert!(!l.tick(Phase::Setup, 4));
        assert!(!l.tick(Phase::Flow, 6));
        assert!(l.tick(Phase::Knapsack, 1));
        assert!(l.tick(Phase::Flow, 1));
        assert_eq!(l.hit(), Some(Phase::Knapsack));
        assert_eq!(l.work(), 12);
        let free = Limit::none();
        assert!(!free.tick(Phase::Tree, u64::MAX / 2));
        assert!(!free.stopped());
    }
}
