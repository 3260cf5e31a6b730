//! The Lagrangian relaxation of the assignment constraints: one knapsack per facility, then the
//! choice of facilities that must jointly hold all demand.

use crate::knapsack::{Item, Knapsack, Packed};
use crate::limit::{Limit, Phase};
use crate::problem::{Problem, Sourcing};

/// A facility's state in the branch-and-bound tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fix {
    Free,
    Open,
    Closed,
}

/// Assignment decisions of a branch-and-bound node (empty at the root).
#[derive(Debug, Clone, Default)]
pub(super) struct Pairs {
    /// `n * m` states, customer-major; empty when nothing is fixed.
    state: Vec<i8>,
    /// Per customer: the facility it is forced to, or `u32::MAX`.
    pub(super) forced_at: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PairState {
    Free,
    Forced,
    Banned,
}

impl Pairs {
    pub(super) fn state(&self, j: usize, i: usize, m: usize) -> PairState {
        match self.state.get(j * m + i) {
            Some(1) => PairState::Forced,
            Some(-1) => PairState::Banned,
            _ => PairState::Free,
        }
    }

    fn forced_elsewhere(&self, j: usize, i: usize) -> bool {
        self.forced_at
            .get(j)
            .is_some_and(|&k| k != u32::MAX && k as usize != i)
    }

    pub(super) fn with(&self, n: usize, m: usize, j: usize, i: usize, force: bool) -> Pairs {
        let mut next = self.clone();
        if next.state.is_empty() {
            next.state = vec![0; n * m];
            next.forced_at = vec![u32::MAX; n];
        }
        next.state[j * m + i] = if force { 1 } else { -1 };
        if force {
            next.forced_at[j] = i as u32;
        }
        next
    }
}

/// The relaxed solution of the last evaluation, and scratch space.
#[derive(Debug)]
pub(super) struct Relaxation {
    knap: Knapsack,
    pub(super) packed: Vec<Packed>,
    items: Vec<Item>,
    /// Per facility: f_i minus the best reduced gain (a lower bound on its contribution if open).
    pub(super) value: Vec<f64>,
    pub(super) open: Vec<bool>,
    /// Facilities that must open because a customer is forced there.
    must: Vec<bool>,
    forced: Vec<u32>,
    cover: Packed,
}

impl Relaxation {
    pub(super) fn new(m: usize) -> Self {
        Relaxation {
            knap: Knapsack::default(),
            packed: (0..m).map(|_| Packed::default()).collect(),
            items: Vec::new(),
            value: vec![0.0; m],
            open: vec![false; m],
            must: vec![false; m],
            forced: Vec::new(),
            cover: Packed::default(),
        }
    }

    /// Evaluates the Lagrangian dual at `lambda` with some facilities fixed open or closed:
    /// returns the bound (infinite if the fixings leave too little capacity), and leaves the
    /// relaxed solution (open set and per-facility packs) in `self`. `None` when a limit
    /// interrupted it (the state is then partial and no bound is known).
    pub(super) fn evaluate(
        &mut self,
        p: &Problem,
        lambda: &[f64],
        fix: &[Fix],
        pairs: &Pairs,
        nodes: u64,
        limit: &Limit,
    ) -> Option<f64> {
        let n = p.customers().len() as u64;
        for (i, &fixed) in fix.iter().enumerate() {
            if limit.tick(Phase::Relaxation, n) {
                return None;
            }
            if !self.price_facility(p, i, fixed, lambda, pairs, nodes, limit) {
                return Some(f64::INFINITY);
            }
        }
        let mut bound: f64 = p
            .customers()
            .iter()
            .zip(lambda)
            .map(|(c, l)| l * f64::from(c.copies))
            .sum();
        bound += self.choose_facilities(p, fix, nodes, limit);
        Some(bound)
    }

    /// Facility `i`'s knapsack at reduced costs: its value if open. False if its forced
    /// customers overflow it (the node is infeasible).
    #[allow(
        clippy::too_many_arguments,
        reason = "one step of `evaluate`, its state passed on"
    )]
    fn price_facility(
        &mut self,
        p: &Problem,
        i: usize,
        fixed: Fix,
        lambda: &[f64],
        pairs: &Pairs,
        nodes: u64,
        limit: &Limit,
    ) -> bool {
        let m = p.facilities().len();
        self.must[i] = false;
        if fixed == Fix::Closed {
            self.packed[i].taken.clear();
            self.value[i] = f64::INFINITY;
            return true;
        }
        self.items.clear();
        let (mut forced_value, mut forced_weight) = (0.0, 0.0);
        self.forced.clear();
        for (j, c) in p.customers().iter().enumerate() {
            let cost = p.cost(j, i);
            match pairs.state(j, i, m) {
                PairState::Banned => continue,
                PairState::Forced => {
                    forced_value += lambda[j] - cost;
                    forced_weight += c.demand;
                    self.forced.push(j as u32);
                    continue;
                }
                PairState::Free if pairs.forced_elsewhere(j, i) => continue,
                PairState::Free => {}
            }
            if cost.is_finite() && lambda[j] > cost {
                self.items.push(Item {
                    value: lambda[j] - cost,
                    weight: c.demand,
                    id: j as u32,
                });
            }
        }
        let capacity = p.facilities()[i].capacity;
        let cap = capacity - forced_weight;
        if cap < -1e-9 * capacity.max(1.0) {
            return false;
        }
        let out = &mut self.packed[i];
        match p.sourcing() {
            Sourcing::Single => self
                .knap
                .binary(&self.items, cap.max(0.0), nodes, limit, out),
            Sourcing::Split => self.knap.fractional(&self.items, cap.max(0.0), limit, out),
        }
        out.taken.extend(self.forced.iter().map(|&j| (j, 1.0)));
        self.must[i] = !self.forced.is_empty();
        self.value[i] = p.facilities()[i].fixed_cost - out.upper - forced_value;
        true
    }

    /// Chooses facilities: the fixed-open ones and every free one with negative value, then the
    /// cheapest cover of the rest of the demand (the complement of a knapsack over the free
    /// positive ones). Returns their part of the bound (infinite if no choice holds the demand).
    fn choose_facilities(&mut self, p: &Problem, fix: &[Fix], nodes: u64, limit: &Limit) -> f64 {
        let m = p.facilities().len();
        let total = p.total_demand();
        let mut bound = 0.0;
        let mut held = 0.0;
        for (i, &fixed) in fix.iter().enumerate().take(m) {
            self.open[i] =
                fixed == Fix::Open || self.must[i] || (fixed == Fix::Free && self.value[i] < 0.0);
            if self.open[i] {
                bound += self.value[i];
                held += p.facilities()[i].capacity.min(total);
            }
        }
        if held >= total - 1e-9 {
            return bound;
        }
        self.items.clear();
        let mut spare = -(total - held);
        let mut positive = 0.0;
        for i in (0..m).filter(|&i| !self.open[i] && fix[i] == Fix::Free) {
            let w = p.facilities()[i].capacity.min(total);
            spare += w;
            positive += self.value[i];
            self.items.push(Item {
                value: self.value[i],
                weight: w,
                id: i as u32,
            });
        }
        if spare < -1e-9 {
            return f64::INFINITY;
        }
        // Keep closed a max-value set that leaves enough capacity open. Its upper bound stays
        // valid even when a limit cuts the knapsack short.
        self.knap
            .binary(&self.items, spare.max(0.0), nodes, limit, &mut self.cover);
        for &Item { id, .. } in &self.items {
            self.open[id as usize] = true;
        }
        for &(i, _) in &self.cover.taken {
            self.open[i as usize] = false;
        }
        bound + positive - self.cover.upper
    }
}
