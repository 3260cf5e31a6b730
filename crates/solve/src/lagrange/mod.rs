//! The fast solver: Lagrangian relaxation of the assignment constraints, subgradient updates,
//! and a primal heuristic (construction + local search) driven by the relaxation's open sets.
//!
//! Relaxing `sum_i x_ij = r_j` with multipliers `lambda_j` splits the problem into one knapsack
//! per facility (which customers would it like, at reduced costs `c_ij - lambda_j`) and a
//! choice of facilities that must jointly hold all demand (the valid cut
//! `sum_i min(s_i, D) y_i >= D`, itself a knapsack). Every bound used is valid: a knapsack cut
//! short by its node limit contributes its linear bound. Dropped in the relaxation (so the bound
//! stays valid but may be weaker): the failure-domain and budget constraints.
//!
//! The steps of [`solve`]: obvious infeasibility ([`infeasibility`]), the root relaxation with
//! the primal heuristic at its open sets and perturbation rounds ([`search`]), then branch and
//! bound ([`tree`]). Every loop counts its work against the time and work limits ([`Limit`]).

mod primal;
mod relax;
mod search;
mod tree;

use std::fmt;

use crate::flow::assign_split;
use crate::limit::{Limit, Phase};
use crate::problem::{Outcome, Problem, Sourcing, Status, relative_gap};
use search::Search;

/// Knobs of the fast solver. The defaults are deterministic: no time limit, a node limit.
#[derive(Debug, Clone)]
pub struct Options {
    /// Subgradient iterations at most.
    pub iterations: u32,
    /// Rounds of perturbation and descent after the relaxation.
    pub search_rounds: u32,
    /// Stop at this wall-clock time (seconds) even if work remains, with the best solution and
    /// bound found so far. Infinite (the default): no deadline, and the clock decides nothing.
    pub time_limit: f64,
    /// Stop after this much work (about one unit per cost-matrix entry or knapsack node
    /// visited), the same on every machine. `None` (the default): no work limit.
    pub work_limit: Option<u64>,
    /// Node limit of each knapsack search.
    pub knapsack_nodes: u64,
    /// Branch-and-bound nodes at most (0: stop after the root and the local search).
    pub nodes: u64,
    /// Subgradient iterations at each branch-and-bound node.
    pub node_iterations: u32,
    /// The seed of the perturbations.
    pub seed: u64,
    /// Stop once the relative gap is at most this.
    pub gap_tolerance: f64,
}

/// The default node limit (see BENCHMARKS.md for what it reaches on the literature's instances).
pub const DEFAULT_NODES: u64 = 300;

impl Default for Options {
    fn default() -> Self {
        Options {
            iterations: 600,
            search_rounds: 100,
            time_limit: f64::INFINITY,
            work_limit: None,
            knapsack_nodes: 20_000,
            nodes: DEFAULT_NODES,
            node_iterations: 40,
            seed: 1,
            gap_tolerance: 1e-9,
        }
    }
}

/// Why a problem is proven infeasible, in its own terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Infeasibility {
    /// A customer cannot get its copies: too few allowed failure domains (under single
    /// sourcing: domains with a facility that can hold its whole demand).
    Copies {
        customer: usize,
        copies: u32,
        domains: usize,
        demand: f64,
        sourcing: Sourcing,
    },
    /// All facilities together hold less than the demand.
    Capacity { capacity: f64, demand: f64 },
    /// Split sourcing: even with every facility open, no flow carries all demand within the
    /// capacities, the allowed pairs and the failure domains.
    Routing,
}

impl fmt::Display for Infeasibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Infeasibility::Copies {
                customer,
                copies,
                domains,
                demand,
                sourcing: Sourcing::Single,
            } => write!(
                f,
                "customer {customer} needs {copies} copies in distinct failure domains, but only {domains} allowed failure domains can hold its demand {demand}"
            ),
            Infeasibility::Copies {
                customer,
                copies,
                domains,
                ..
            } => write!(
                f,
                "customer {customer} needs {copies} copies in distinct failure domains, but only {domains} failure domains are allowed for it"
            ),
            Infeasibility::Capacity { capacity, demand } => write!(
                f,
                "the facilities hold {capacity} in all, less than the demand {demand}"
            ),
            Infeasibility::Routing => f.write_str(
                "even with every facility open, the demand cannot be split over the facilities within their capacities, the allowed pairs and the failure domains",
            ),
        }
    }
}

/// Proven infeasibility, stated in the problem's terms: a customer that cannot get its copies,
/// more demand than capacity, or (split sourcing) no flow with every facility open. The budget
/// is not considered: a problem infeasible only by its budget ends as "no solution found".
pub fn infeasibility(p: &Problem) -> Option<Infeasibility> {
    check_feasible(p, &Limit::new(f64::INFINITY, None))
}

/// [`infeasibility`] under the solver's limits (`None` also when a limit stopped the check).
fn check_feasible(p: &Problem, limit: &Limit) -> Option<Infeasibility> {
    let m = p.facilities().len();
    let sourcing = p.sourcing();
    for (j, c) in p.customers().iter().enumerate() {
        limit.tick(Phase::Setup, m as u64);
        // Split sourcing: a domain carries at most one copy, in parts; single: one facility
        // carries a whole copy.
        let holds =
            |i: usize| sourcing == Sourcing::Split || p.facilities()[i].capacity >= c.demand;
        let mut domains: Vec<u32> = (0..m)
            .filter(|&i| p.allowed(j, i) && holds(i))
            .map(|i| p.facilities()[i].domain)
            .collect();
        domains.sort_unstable();
        domains.dedup();
        if domains.len() < c.copies as usize {
            return Some(Infeasibility::Copies {
                customer: j,
                copies: c.copies,
                domains: domains.len(),
                demand: c.demand,
                sourcing,
            });
        }
    }
    let capacity: f64 = p.facilities().iter().map(|f| f.capacity).sum();
    let demand = p.total_demand();
    if capacity < demand - 1e-9 {
        return Some(Infeasibility::Capacity { capacity, demand });
    }
    if sourcing == Sourcing::Split
        && !limit.stopped()
        && assign_split(p, &vec![true; m], limit).is_none()
        && !limit.stopped()
    {
        return Some(Infeasibility::Routing);
    }
    None
}

/// Solves with Lagrangian relaxation, local search, and a branch and bound over facilities that
/// runs until the gap closes or a node, work or time limit. On a limit it returns the best
/// solution and the best valid bound found so far (status "no solution found" if none).
pub fn solve(p: &Problem, options: &Options) -> Outcome {
    solve_within(
        p,
        options,
        &Limit::new(options.time_limit, options.work_limit),
    )
}

fn solve_within(p: &Problem, options: &Options, limit: &Limit) -> Outcome {
    if let Some(reason) = check_feasible(p, limit) {
        let mut out = Outcome::infeasible(reason.to_string(), limit.seconds());
        out.work = limit.work();
        return out;
    }
    let mut search = Search::new(p, options, limit);
    let (root, lambda) = search.root();
    let lower = if limit.stopped() {
        root
    } else {
        search.branch_and_bound(root, lambda)
    };
    finish(search, root, lower, limit)
}

/// The outcome: the best solution, the best proven bound, and what stopped the run.
fn finish(search: Search<'_>, root: f64, tree_lower: f64, limit: &Limit) -> Outcome {
    let seconds = limit.seconds();
    let found_seconds = search.found_at;
    let integral = search.integral;
    let tolerance = search.options.gap_tolerance;
    match search.best {
        Some((objective, solution)) => {
            let mut lower_bound = tree_lower.max(root).min(objective);
            if integral && objective - lower_bound < 1.0 - 1e-6 {
                lower_bound = objective;
            }
            let gap = relative_gap(objective, lower_bound);
            Outcome {
                status: if gap <= tolerance {
                    Status::Optimal
                } else {
                    Status::Feasible
                },
                objective,
                lower_bound,
                gap,
                seconds,
                found_seconds,
                work: limit.work(),
                interrupted: limit.hit(),
                solution: Some(solution),
                infeasible: None,
            }
        }
        None => Outcome {
            status: Status::Unknown,
            objective: f64::INFINITY,
            lower_bound: tree_lower.max(root),
            gap: f64::INFINITY,
            seconds,
            found_seconds: seconds,
            work: limit.work(),
            interrupted: limit.hit(),
            solution: None,
            infeasible: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;

    fn instance(m: usize, n: usize, seed: u64, sourcing: Sourcing) -> Problem {
        let p = crate::sscflp::parse(&crate::sscflp::generate(m, n, seed)).expect("generated");
        // Tight: capacities cut to 1.3 times the demand in all.
        let scale = 1.3 * p.total_demand() / p.facilities().iter().map(|f| f.capacity).sum::<f64>();
        let facilities = p
            .facilities()
            .iter()
            .map(|f| crate::Facility {
                capacity: (f.capacity * scale).round(),
                ..f.clone()
            })
            .collect();
        let cost = (0..n).flat_map(|j| p.costs_of(j).to_vec()).collect();
        Problem::new(facilities, p.customers().to_vec(), cost, sourcing).expect("valid")
    }

    /// A work limit that falls in any phase stops the run in that phase, within a few checks:
    /// the work done never runs far past the limit. What comes back is valid: a checked
    /// solution if any, and a bound no higher than a known solution. (The same checks stop a
    /// time limit; its wall-clock behaviour is measured by hand, see BENCHMARKS.md.)
    #[test]
    fn a_work_limit_stops_every_phase() {
        for sourcing in [Sourcing::Single, Sourcing::Split] {
            let (m, n) = (20, 40);
            let p = instance(m, n, 5, sourcing);
            let base = Options {
                nodes: 20,
                ..Options::default()
            };
            let traced = Limit::new(f64::INFINITY, None);
            let full = solve_within(&p, &base, &traced);
            assert!(full.solution.is_some() && full.interrupted.is_none());
            let trace = traced.trace.take();
            let slack = 8 * (n * m) as u64;
            // Split sourcing builds no single-source assignment: its primal side is the flow.
            let mut phases = vec![
                Phase::Setup,
                Phase::Relaxation,
                Phase::Knapsack,
                Phase::Flow,
                Phase::Tree,
            ];
            if sourcing == Sourcing::Single {
                phases.extend([Phase::Construction, Phase::LocalSearch]);
            }
            for phase in phases {
                let at: Vec<u64> = trace.iter().filter(|t| t.0 == phase).map(|t| t.1).collect();
                assert!(!at.is_empty(), "{sourcing:?}: {phase:?} never ran");
                for work_limit in [at[0], at[at.len() / 2]] {
                    let o = solve(
                        &p,
                        &Options {
                            work_limit: Some(work_limit),
                            ..base.clone()
                        },
                    );
                    let case = format!("{sourcing:?}, limit {work_limit} in {phase:?}");
                    assert_eq!(o.interrupted, Some(phase), "{case}");
                    assert!(o.work <= work_limit + slack, "{case}: work {}", o.work);
                    if let Some(s) = &o.solution {
                        crate::validate(&p, s, Some(o.objective)).expect("valid");
                    }
                    assert!(
                        o.lower_bound <= full.objective + 1e-6,
                        "{case}: bound too high"
                    );
                    assert_ne!(o.status, Status::Infeasible, "{case}");
                }
            }
        }
    }

    /// With neither a time nor a work limit, the work count is a pure function of the input.
    #[test]
    fn runs_repeat_exactly() {
        let p = instance(20, 40, 9, Sourcing::Single);
        let a = solve(&p, &Options::default());
        let b = solve(&p, &Options::default());
        assert_eq!(
            (a.objective, a.lower_bound, a.work),
            (b.objective, b.lower_bound, b.work)
        );
        assert_eq!(a.solution, b.solution);
    }
}
