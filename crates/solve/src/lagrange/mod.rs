//! The fast solver: Lagrangian relaxation of the assignment constraints, subgradient updates,
//! and a primal heuristic (construction + local search) driven by the relaxation's open sets.
//!
//! Relaxing `sum_i x_ij = r_j` with multipliers `lambda_j` splits the problem into one knapsack
//! per facility (which customers would it like, at reduced costs `c_ij - lambda_j`) and a
//! choice of facilities that must jointly hold all demand (the valid cut
//! `sum_i min(s_i, D) y_i >= D`, itself a knapsack). Every bound used is valid: a knapsack cut
//! short by its node limit contributes its linear bound. Dropped in the relaxation (so the bound
//! stays valid but may be weaker): the failure-domain and budget constraints.

use std::time::Instant;

use crate::flow::assign_split;
use crate::knapsack::{Item, Knapsack, Packed};
use crate::local::{Rng, State};
use crate::problem::{Outcome, Problem, Solution, Sourcing, Status, relative_gap};

/// Knobs of the fast solver. The defaults reach the known optima of the literature's SSCFLP
/// instances (see BENCHMARKS.md) well within a second each.
#[derive(Debug, Clone)]
pub struct Options {
    /// Subgradient iterations at most.
    pub iterations: u32,
    /// Rounds of perturbation and descent after the relaxation.
    pub search_rounds: u32,
    /// Stop at this wall-clock time even if rounds remain.
    pub time_limit: f64,
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

impl Default for Options {
    fn default() -> Self {
        Options {
            iterations: 600,
            search_rounds: 100,
            time_limit: 0.95,
            knapsack_nodes: 20_000,
            nodes: 100_000,
            node_iterations: 40,
            seed: 1,
            gap_tolerance: 1e-9,
        }
    }
}

/// Obvious infeasibility, stated in the problem's terms: a customer that cannot get its copies
/// or more demand than capacity.
pub fn infeasibility(p: &Problem) -> Option<String> {
    let m = p.facilities().len();
    for (j, c) in p.customers().iter().enumerate() {
        let mut domains: Vec<u32> = (0..m)
            .filter(|&i| p.allowed(j, i) && p.facilities()[i].capacity >= c.demand)
            .map(|i| p.facilities()[i].domain)
            .collect();
        domains.sort_unstable();
        domains.dedup();
        if domains.len() < c.copies as usize {
            return Some(format!(
                "customer {j} needs {} copies in distinct failure domains, but only {} allowed failure domains can hold its demand {}",
                c.copies,
                domains.len(),
                c.demand
            ));
        }
    }
    let capacity: f64 = p.facilities().iter().map(|f| f.capacity).sum();
    let demand = p.total_demand();
    if capacity < demand - 1e-9 {
        return Some(format!(
            "the facilities hold {capacity} in all, less than the demand {demand}"
        ));
    }
    None
}

struct Relaxation {
    knap: Knapsack,
    packed: Vec<Packed>,
    items: Vec<Item>,
    /// Per facility: f_i minus the best reduced gain (a lower bound on its contribution if open).
    value: Vec<f64>,
    open: Vec<bool>,
    /// Facilities that must open because a customer is forced there.
    must: Vec<bool>,
    forced: Vec<u32>,
    cover: Packed,
}

/// Assignment decisions of a branch-and-bound node (empty at the root).
#[derive(Debug, Clone, Default)]
struct Pairs {
    /// `n * m` states, customer-major; empty when nothing is fixed.
    state: Vec<i8>,
    /// Per customer: the facility it is forced to, or `u32::MAX`.
    forced_at: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PairState {
    Free,
    Forced,
    Banned,
}

impl Pairs {
    fn state(&self, j: usize, i: usize, m: usize) -> PairState {
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

    fn with(&self, n: usize, m: usize, j: usize, i: usize, force: bool) -> Pairs {
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

impl Relaxation {
    fn new(m: usize) -> Self {
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
    /// relaxed solution (open set and per-facility packs) in `self`.
    fn evaluate(
        &mut self,
        p: &Problem,
        lambda: &[f64],
        fix: &[Fix],
        pairs: &Pairs,
        nodes: u64,
    ) -> f64 {
        let m = p.facilities().len();
        let customers = p.customers();
        let total = p.total_demand();
        for (i, &fixed) in fix.iter().enumerate().take(m) {
            self.must[i] = false;
            if fixed == Fix::Closed {
                self.packed[i].taken.clear();
                self.value[i] = f64::INFINITY;
                continue;
            }
            self.items.clear();
            let (mut forced_value, mut forced_weight) = (0.0, 0.0);
            self.forced.clear();
            for (j, c) in customers.iter().enumerate() {
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
            let cap = p.facilities()[i].capacity - forced_weight;
            if cap < -1e-9 * p.facilities()[i].capacity.max(1.0) {
                return f64::INFINITY;
            }
            let out = &mut self.packed[i];
            match p.sourcing() {
                Sourcing::Single => self.knap.binary(&self.items, cap.max(0.0), nodes, out),
                Sourcing::Split => self.knap.fractional(&self.items, cap.max(0.0), out),
            }
            out.taken.extend(self.forced.iter().map(|&j| (j, 1.0)));
            self.must[i] = !self.forced.is_empty();
            self.value[i] = p.facilities()[i].fixed_cost - out.upper - forced_value;
        }
        // Choose facilities: the fixed-open ones and every free one with negative value, then
        // the cheapest cover of the rest of the demand (the complement of a knapsack over the
        // free positive ones).
        let mut bound: f64 = customers
            .iter()
            .zip(lambda)
            .map(|(c, l)| l * f64::from(c.copies))
            .sum();
        let mut held = 0.0;
        for (i, &fixed) in fix.iter().enumerate().take(m) {
            self.open[i] =
                fixed == Fix::Open || self.must[i] || (fixed == Fix::Free && self.value[i] < 0.0);
            if self.open[i] {
                bound += self.value[i];
                held += p.facilities()[i].capacity.min(total);
            }
        }
        if held < total - 1e-9 {
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
            // Keep closed a max-value set that leaves enough capacity open.
            self.knap
                .binary(&self.items, spare.max(0.0), nodes, &mut self.cover);
            for &Item { id, .. } in &self.items {
                self.open[id as usize] = true;
            }
            for &(i, _) in &self.cover.taken {
                self.open[i as usize] = false;
            }
            bound += positive - self.cover.upper;
        }
        bound
    }
}

/// A facility's state in the branch-and-bound tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fix {
    Free,
    Open,
    Closed,
}

enum Choice {
    Branch(Branch),
    /// The node's relaxed solution is feasible at its bound (and was offered): nothing below
    /// it can do better.
    Resolved,
    /// Nothing left to branch on, yet the relaxation is not feasible: its bound stays open.
    Stuck,
}

/// A node of the branch-and-bound tree.
#[derive(Debug)]
struct Node {
    bound: f64,
    fix: Vec<Fix>,
    pairs: Pairs,
    lambda: Vec<f64>,
    branch: Branch,
}

/// What a node branches on.
#[derive(Debug, Clone, Copy)]
enum Branch {
    /// A facility, with the side to try first.
    Facility(usize, Fix),
    /// Customer `j` served by facility `i`, or not.
    Pair(usize, usize),
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.bound.total_cmp(&other.bound).is_eq()
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Node {
    /// Reversed, so the binary heap pops the smallest bound first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.bound.total_cmp(&self.bound)
    }
}

struct Search<'p> {
    p: &'p Problem,
    options: &'p Options,
    start: Instant,
    relax: Relaxation,
    best: Option<(f64, Solution)>,
    rng: Rng,
    seen: std::collections::HashSet<Vec<bool>>,
    hint: Vec<Vec<u32>>,
    g: Vec<f64>,
    /// All costs are whole numbers, so a bound above `best - 1` proves `best` optimal.
    integral: bool,
    /// The relaxed solution at the best bound of the last subgradient run.
    best_open: Vec<bool>,
    best_value: Vec<f64>,
    /// The bound of the relaxation's last evaluation (the state `relax` holds).
    last_bound: f64,
    /// When the best solution was found, in seconds from the start.
    found_at: f64,
}

impl<'p> Search<'p> {
    fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    fn upper(&self) -> f64 {
        self.best.as_ref().map_or(f64::INFINITY, |b| b.0)
    }

    /// Whether a subtree with this bound cannot hold a better solution.
    fn prunes(&self, bound: f64) -> bool {
        let upper = self.upper();
        if !upper.is_finite() {
            return !bound.is_finite();
        }
        if self.integral && bound > upper - 1.0 + 1e-6 {
            return true;
        }
        relative_gap(upper, bound) <= self.options.gap_tolerance
    }

    fn offer(&mut self, found: Option<(f64, Solution)>) {
        if let Some((obj, sol)) = found
            && obj < self.upper() - 1e-9
            && self.p.within_budget(&sol.open)
        {
            self.found_at = self.elapsed();
            self.best = Some((obj, sol));
        }
    }

    /// A primal solution from the relaxation's current open set and packs.
    fn primal(&mut self, again: bool) {
        let p = self.p;
        let m = p.facilities().len();
        let new = self.seen.insert(self.relax.open.clone());
        if !new && !again {
            return;
        }
        for h in &mut self.hint {
            h.clear();
        }
        for i in (0..m).filter(|&i| self.relax.open[i]) {
            for &(j, _) in &self.relax.packed[i].taken {
                self.hint[j as usize].push(i as u32);
            }
        }
        let found = match p.sourcing() {
            Sourcing::Single => improve_single(
                p,
                &self.relax.open,
                &self.relax.value,
                &self.hint,
                &mut self.rng,
                0,
                new,
            ),
            Sourcing::Split if new => improve_split(p, &self.relax.open),
            Sourcing::Split => None,
        };
        self.offer(found);
    }

    /// Subgradient ascent from `lambda` (updated in place) under `fix`; returns the best bound.
    fn subgradient(
        &mut self,
        fix: &[Fix],
        pairs: &Pairs,
        lambda: &mut [f64],
        iterations: u32,
        alpha: f64,
        in_tree: bool,
    ) -> f64 {
        let p = self.p;
        let m = p.facilities().len();
        let mut alpha = alpha;
        let mut lower = f64::NEG_INFINITY;
        let mut stale = 0;
        let patience = (iterations / 20).clamp(3, 20);
        let mut best_lambda = lambda.to_vec();
        for it in 0..iterations {
            let bound = self
                .relax
                .evaluate(p, lambda, fix, pairs, self.options.knapsack_nodes);
            self.last_bound = bound;
            if !bound.is_finite() {
                return bound;
            }
            if !lower.is_finite() || bound > lower + 1e-9 * lower.abs().max(1.0) {
                lower = bound;
                stale = 0;
                best_lambda.copy_from_slice(lambda);
                self.best_open.clone_from(&self.relax.open);
                self.best_value.clone_from(&self.relax.value);
            } else {
                stale += 1;
                if stale >= patience {
                    alpha /= 2.0;
                    stale = 0;
                }
            }
            if it < 5 || it % 5 == 0 || stale == 0 {
                self.primal(false);
            }
            if self.prunes(lower) || alpha < 1e-3 || self.elapsed() > self.options.time_limit {
                break;
            }
            for (j, c) in p.customers().iter().enumerate() {
                self.g[j] = f64::from(c.copies);
            }
            for i in (0..m).filter(|&i| self.relax.open[i]) {
                for &(j, share) in &self.relax.packed[i].taken {
                    self.g[j as usize] -= share;
                }
            }
            let norm: f64 = self.g.iter().map(|x| x * x).sum();
            if norm <= 1e-12 {
                break;
            }
            let upper = self.upper();
            let target = if upper.is_finite() {
                upper
            } else {
                lower.abs() * 1.1 + 1.0
            };
            let step = alpha * (target - bound).max(1e-6 * target.abs().max(1.0)) / norm;
            for (l, g) in lambda.iter_mut().zip(&self.g) {
                *l += step * g;
            }
        }
        if in_tree && lower.is_finite() && !self.prunes(lower) {
            // Deep in the tree the open set repeats but the packs (the hints) do not.
            self.primal(true);
        }
        lambda.copy_from_slice(&best_lambda);
        lower
    }

    /// What to branch on next: a free facility, else a single-copy customer the relaxation
    /// serves other than once. When the relaxation serves every customer exactly as asked, its
    /// solution is feasible and priced at its bound: it is offered and the node is resolved.
    fn choose(&mut self, fix: &[Fix], pairs: &Pairs) -> Choice {
        if let Some((i, first)) = self.branching(fix) {
            return Choice::Branch(Branch::Facility(i, first));
        }
        let p = self.p;
        // Split sourcing: forcing a whole assignment would cut off fractional optima; with every
        // facility fixed the rest is a transportation problem the primal side solves exactly.
        if p.sourcing() == Sourcing::Split {
            return Choice::Stuck;
        }
        let m = p.facilities().len();
        let n = p.customers().len();
        let mut served: Vec<Vec<u32>> = vec![Vec::new(); n];
        for i in (0..m).filter(|&i| self.relax.open[i]) {
            for &(j, _) in &self.relax.packed[i].taken {
                served[j as usize].push(i as u32);
            }
        }
        let mut pick: Option<(f64, usize, usize)> = None;
        let mut stuck = false;
        for (j, at) in served.iter().enumerate() {
            let c = &p.customers()[j];
            if at.len() == c.copies as usize {
                continue;
            }
            if c.copies != 1 || pairs.forced_at.get(j).is_some_and(|&k| k != u32::MAX) {
                stuck = true;
                continue;
            }
            // Where it most likely belongs: its cheapest server in the relaxation, or its
            // cheapest open facility still allowed.
            let target = at
                .iter()
                .map(|&i| i as usize)
                .chain((0..m).filter(|&i| at.is_empty() && self.relax.open[i]))
                .filter(|&i| p.allowed(j, i) && pairs.state(j, i, m) == PairState::Free)
                .min_by(|&a, &b| p.cost(j, a).total_cmp(&p.cost(j, b)));
            match target {
                Some(i) if pick.is_none_or(|(d, _, _)| c.demand > d) => {
                    pick = Some((c.demand, j, i));
                }
                Some(_) => {}
                None => stuck = true,
            }
        }
        match pick {
            Some((_, j, i)) => Choice::Branch(Branch::Pair(j, i)),
            None if stuck => Choice::Stuck,
            None => {
                let solution = Solution {
                    open: self.relax.open.clone(),
                    assignment: served
                        .iter()
                        .map(|row| row.iter().map(|&i| (i, 1.0)).collect())
                        .collect(),
                };
                let cost = solution.cost(p);
                // Feasible and priced at the bound: optimal below this node.
                let tight = cost <= self.last_bound + 1e-7 * cost.abs().max(1.0);
                if tight && crate::validate::validate(p, &solution, None).is_ok() {
                    self.offer(Some((cost, solution)));
                    Choice::Resolved
                } else {
                    Choice::Stuck
                }
            }
        }
    }

    /// The free facility whose relaxed decision is least certain, and which way the relaxation
    /// leans; `None` when every facility is fixed.
    fn branching(&self, fix: &[Fix]) -> Option<(usize, Fix)> {
        (0..fix.len())
            .filter(|&i| fix[i] == Fix::Free)
            .min_by(|&a, &b| {
                let score =
                    |i: usize| self.best_value[i].abs() / (self.p.facilities()[i].fixed_cost + 1.0);
                score(a).total_cmp(&score(b))
            })
            .map(|i| {
                let lean = if self.best_open[i] {
                    Fix::Open
                } else {
                    Fix::Closed
                };
                (i, lean)
            })
    }

    /// Perturbation rounds around the best single-source solution.
    fn polish(&mut self, rounds: u32, lower: f64) {
        let p = self.p;
        let Some((_, sol)) = self.best.clone() else {
            return;
        };
        if p.sourcing() != Sourcing::Single {
            return;
        }
        let rows = sol.assignment.iter();
        let mut current = State::from_assignment(
            p,
            rows.map(|r| r.iter().map(|&(i, _)| i).collect()).collect(),
        );
        let mut champion = current.clone();
        for _ in 0..rounds {
            if self.elapsed() > self.options.time_limit
                || self.prunes(lower)
                || relative_gap(champion.objective, lower) <= self.options.gap_tolerance
            {
                break;
            }
            let mut trial = current.clone();
            trial.perturb(&mut self.rng);
            trial.descend();
            if trial.objective < champion.objective - 1e-9 {
                champion = trial.clone();
                self.offer(Some((champion.objective, champion.to_solution())));
            }
            current = if trial.objective < current.objective * 1.003 {
                trial
            } else {
                champion.clone()
            };
        }
    }
}

/// Solves with Lagrangian relaxation, local search, and a branch and bound over facilities that
/// runs until the gap closes, the node limit or the time limit.
pub fn solve(p: &Problem, options: &Options) -> Outcome {
    let start = Instant::now();
    if let Some(reason) = infeasibility(p) {
        return Outcome::infeasible(reason, start.elapsed().as_secs_f64());
    }
    let m = p.facilities().len();
    let n = p.customers().len();
    let whole = |v: f64| !v.is_finite() || v.fract() == 0.0;
    let integral = p.facilities().iter().all(|f| whole(f.fixed_cost))
        && (0..n).all(|j| p.costs_of(j).iter().all(|&c| whole(c)));
    let mut search = Search {
        p,
        options,
        start,
        relax: Relaxation::new(m),
        best: None,
        rng: Rng::new(options.seed),
        seen: Default::default(),
        hint: vec![Vec::new(); n],
        g: vec![0.0; n],
        integral,
        best_open: vec![false; m],
        best_value: vec![0.0; m],
        last_bound: f64::NEG_INFINITY,
        found_at: 0.0,
    };
    // Start multipliers at each customer's cheapest allowed cost plus its share of opening one.
    let mut lambda: Vec<f64> = (0..n)
        .map(|j| {
            p.costs_of(j)
                .iter()
                .zip(p.facilities())
                .filter(|(c, _)| c.is_finite())
                .map(|(c, f)| c + f.fixed_cost * p.customers()[j].demand / f.capacity.max(1e-9))
                .fold(f64::INFINITY, f64::min)
        })
        .map(|v| if v.is_finite() { v } else { 0.0 })
        .collect();
    let root_fix = vec![Fix::Free; m];
    let root = search.subgradient(
        &root_fix,
        &Pairs::default(),
        &mut lambda,
        options.iterations,
        2.0,
        false,
    );
    if search.best.is_none() {
        let all = vec![true; m];
        let found = match p.sourcing() {
            Sourcing::Single => {
                improve_single(p, &all, &vec![0.0; m], &[], &mut search.rng, 0, true)
            }
            Sourcing::Split => improve_split(p, &all),
        };
        search.offer(found);
    }
    search.polish(options.search_rounds, root);

    // Branch and bound, best bound first: on facilities while any is free, then on single
    // customers' assignments. `unresolved` bounds subtrees that cannot be branched further.
    let mut heap = std::collections::BinaryHeap::new();
    let mut unresolved = f64::INFINITY;
    let mut nodes = 0u64;
    let root_pairs = Pairs::default();
    if !search.prunes(root) {
        match search.choose(&root_fix, &root_pairs) {
            Choice::Branch(branch) => heap.push(Node {
                bound: root,
                fix: root_fix,
                pairs: root_pairs,
                lambda,
                branch,
            }),
            Choice::Resolved => {}
            Choice::Stuck => unresolved = root,
        }
    }
    // Plunging: the child that follows the relaxation is processed next, depth first, until it
    // resolves or is pruned (which finds solutions early); the other waits in the heap.
    let mut plunge: Option<Node> = None;
    while let Some(node) = plunge.take().or_else(|| heap.pop()) {
        if search.prunes(node.bound) {
            continue;
        }
        if nodes >= options.nodes || search.elapsed() > options.time_limit {
            heap.push(node);
            break;
        }
        let children: [(Vec<Fix>, Pairs); 2] = match node.branch {
            Branch::Facility(i, first) => {
                let other = if first == Fix::Open {
                    Fix::Closed
                } else {
                    Fix::Open
                };
                [first, other].map(|side| {
                    let mut fix = node.fix.clone();
                    fix[i] = side;
                    (fix, node.pairs.clone())
                })
            }
            Branch::Pair(j, i) => {
                let mut open = node.fix.clone();
                open[i] = Fix::Open;
                [
                    (open, node.pairs.with(n, m, j, i, true)),
                    (node.fix.clone(), node.pairs.with(n, m, j, i, false)),
                ]
            }
        };
        for (side, (fix, pairs)) in children.into_iter().enumerate() {
            nodes += 1;
            let mut lambda = node.lambda.clone();
            let bound = search
                .subgradient(
                    &fix,
                    &pairs,
                    &mut lambda,
                    options.node_iterations,
                    0.5,
                    true,
                )
                .max(node.bound);
            if search.prunes(bound) {
                continue;
            }
            match search.choose(&fix, &pairs) {
                Choice::Branch(branch) => {
                    let child = Node {
                        bound,
                        fix,
                        pairs,
                        lambda,
                        branch,
                    };
                    if side == 0 && plunge.is_none() {
                        plunge = Some(child);
                    } else {
                        heap.push(child);
                    }
                }
                Choice::Resolved => {}
                Choice::Stuck => unresolved = unresolved.min(bound),
            }
        }
    }
    if let Some(node) = plunge {
        heap.push(node);
    }
    let tree_lower = heap.iter().map(|n| n.bound).fold(unresolved, f64::min);
    let elapsed = start.elapsed().as_secs_f64();
    let found_seconds = search.found_at;
    match search.best {
        Some((objective, solution)) => {
            let mut lower_bound = tree_lower.min(objective).max(root.min(objective));
            if integral && objective - lower_bound < 1.0 - 1e-6 {
                lower_bound = objective;
            }
            let gap = relative_gap(objective, lower_bound);
            Outcome {
                status: if gap <= options.gap_tolerance {
                    Status::Optimal
                } else {
                    Status::Feasible
                },
                objective,
                lower_bound,
                gap,
                seconds: elapsed,
                found_seconds,
                solution: Some(solution),
                infeasible: None,
            }
        }
        None => Outcome {
            status: Status::Unknown,
            objective: f64::INFINITY,
            lower_bound: tree_lower.min(root),
            gap: f64::INFINITY,
            seconds: elapsed,
            found_seconds: elapsed,
            solution: None,
            infeasible: None,
        },
    }
}

fn improve_single(
    p: &Problem,
    open: &[bool],
    bias: &[f64],
    hint: &[Vec<u32>],
    rng: &mut Rng,
    rounds: u32,
    with_split: bool,
) -> Option<(f64, Solution)> {
    // Rounding the split solution depends on the open set only: once per open set is enough.
    let split = if with_split {
        State::from_split(p, open)
    } else {
        None
    };
    let mut s = match split {
        Some(mut a) => {
            a.descend();
            match State::construct(p, open, bias, hint) {
                Some(mut b) => {
                    b.descend();
                    if b.objective < a.objective { b } else { a }
                }
                None => a,
            }
        }
        None => {
            let mut b = State::construct(p, open, bias, hint)?;
            b.descend();
            b
        }
    };
    let mut champion = s.clone();
    for _ in 0..rounds {
        s.perturb(rng);
        s.descend();
        if s.objective < champion.objective - 1e-9 {
            champion = s.clone();
        } else {
            s = champion.clone();
        }
    }
    Some((champion.objective, champion.to_solution()))
}

/// Split sourcing: exact flow on the open set, then drop and add facilities while that helps.
fn improve_split(p: &Problem, open: &[bool]) -> Option<(f64, Solution)> {
    let m = p.facilities().len();
    let mut set = open.to_vec();
    let mut current = assign_split(p, &set).or_else(|| {
        set = vec![true; m];
        assign_split(p, &set)
    })?;
    set.clone_from(&current.open);
    let mut cost = current.cost(p);
    loop {
        let mut improved = false;
        for i in 0..m {
            let mut trial = set.clone();
            trial[i] = !trial[i];
            if let Some(s) = assign_split(p, &trial) {
                let c = s.cost(p);
                if c < cost - 1e-9 && p.within_budget(&s.open) {
                    cost = c;
                    set.clone_from(&s.open);
                    current = s;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
    p.within_budget(&current.open).then_some((cost, current))
}
