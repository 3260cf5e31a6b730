//! The search state shared by the root and the tree: the incumbent, the relaxation, the
//! subgradient ascent, and the primal heuristic at the relaxation's open sets.

use super::Options;
use super::primal::{improve_single, improve_split};
use super::relax::{Fix, Pairs, Relaxation};
use crate::limit::{Limit, Phase};
use crate::local::{Rng, State};
use crate::problem::{Problem, Solution, Sourcing, relative_gap};

pub(super) struct Search<'p> {
    pub(super) p: &'p Problem,
    pub(super) options: &'p Options,
    pub(super) limit: &'p Limit,
    pub(super) relax: Relaxation,
    pub(super) best: Option<(f64, Solution)>,
    rng: Rng,
    seen: std::collections::HashSet<Vec<bool>>,
    hint: Vec<Vec<u32>>,
    g: Vec<f64>,
    /// Single sourcing with whole-number costs: every objective is a whole number, so a bound
    /// above `best - 1` proves `best` optimal. (Never under split sourcing: shares make
    /// objectives fractional.)
    pub(super) integral: bool,
    /// The relaxed solution at the best bound of the last subgradient run.
    pub(super) best_open: Vec<bool>,
    pub(super) best_value: Vec<f64>,
    /// The bound of the relaxation's last complete evaluation (the state `relax` holds).
    pub(super) last_bound: f64,
    /// When the best solution was found, in seconds from the start (reported only).
    pub(super) found_at: f64,
}

impl<'p> Search<'p> {
    pub(super) fn new(p: &'p Problem, options: &'p Options, limit: &'p Limit) -> Self {
        let m = p.facilities().len();
        let n = p.customers().len();
        let whole = |v: f64| !v.is_finite() || v.fract() == 0.0;
        let integral = p.sourcing() == Sourcing::Single
            && p.facilities().iter().all(|f| whole(f.fixed_cost))
            && (0..n).all(|j| p.costs_of(j).iter().all(|&c| whole(c)));
        Search {
            p,
            options,
            limit,
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
        }
    }

    pub(super) fn upper(&self) -> f64 {
        self.best.as_ref().map_or(f64::INFINITY, |b| b.0)
    }

    /// Whether a subtree with this bound cannot hold a better solution.
    pub(super) fn prunes(&self, bound: f64) -> bool {
        let upper = self.upper();
        if !upper.is_finite() {
            return !bound.is_finite();
        }
        if self.integral && bound > upper - 1.0 + 1e-6 {
            return true;
        }
        relative_gap(upper, bound) <= self.options.gap_tolerance
    }

    pub(super) fn offer(&mut self, found: Option<(f64, Solution)>) {
        if let Some((obj, sol)) = found
            && obj < self.upper() - 1e-9
            && self.p.within_budget(&sol.open)
        {
            self.found_at = self.limit.seconds();
            self.best = Some((obj, sol));
        }
    }

    /// The root: multipliers, subgradient ascent with the primal heuristic, a fallback
    /// construction over every facility, then perturbation rounds. Returns the root bound and
    /// its multipliers.
    pub(super) fn root(&mut self) -> (f64, Vec<f64>) {
        let p = self.p;
        let m = p.facilities().len();
        let (trivial, mut lambda) = self.start();
        let root_fix = vec![Fix::Free; m];
        let root = self
            .subgradient(
                &root_fix,
                &Pairs::default(),
                &mut lambda,
                self.options.iterations,
                2.0,
                false,
            )
            .max(trivial);
        if self.best.is_none() {
            let all = vec![true; m];
            let found = match p.sourcing() {
                Sourcing::Single => improve_single(
                    p,
                    &all,
                    &vec![0.0; m],
                    &[],
                    &mut self.rng,
                    0,
                    true,
                    self.limit,
                ),
                Sourcing::Split => improve_split(p, &all, self.limit),
            };
            self.offer(found);
        }
        self.polish(self.options.search_rounds, root);
        (root, lambda)
    }

    /// A bound that needs no relaxation (every copy costs at least its cheapest allowed pair),
    /// and the starting multipliers: each customer's cheapest allowed cost plus its share of
    /// opening one.
    fn start(&self) -> (f64, Vec<f64>) {
        let p = self.p;
        let m = p.facilities().len() as u64;
        let mut trivial = 0.0;
        let lambda = (0..p.customers().len())
            .map(|j| {
                self.limit.tick(Phase::Setup, m);
                let c = &p.customers()[j];
                let cheapest = p.costs_of(j).iter().cloned().fold(f64::INFINITY, f64::min);
                if cheapest.is_finite() {
                    trivial += cheapest * f64::from(c.copies);
                }
                let v = p
                    .costs_of(j)
                    .iter()
                    .zip(p.facilities())
                    .filter(|(c, _)| c.is_finite())
                    .map(|(cost, f)| cost + f.fixed_cost * c.demand / f.capacity.max(1e-9))
                    .fold(f64::INFINITY, f64::min);
                if v.is_finite() { v } else { 0.0 }
            })
            .collect();
        (trivial, lambda)
    }

    /// A primal solution from the relaxation's current open set and packs.
    pub(super) fn primal(&mut self, again: bool) {
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
                self.limit,
            ),
            Sourcing::Split if new => improve_split(p, &self.relax.open, self.limit),
            Sourcing::Split => None,
        };
        self.offer(found);
    }

    /// Subgradient ascent from `lambda` (updated in place) under `fix`; returns the best bound
    /// of a complete evaluation (minus infinity if a limit interrupted the first).
    pub(super) fn subgradient(
        &mut self,
        fix: &[Fix],
        pairs: &Pairs,
        lambda: &mut [f64],
        iterations: u32,
        alpha: f64,
        in_tree: bool,
    ) -> f64 {
        let p = self.p;
        let mut alpha = alpha;
        let mut lower = f64::NEG_INFINITY;
        let mut stale = 0;
        let patience = (iterations / 20).clamp(3, 20);
        let mut best_lambda = lambda.to_vec();
        for it in 0..iterations {
            let nodes = self.options.knapsack_nodes;
            let Some(bound) = self
                .relax
                .evaluate(p, lambda, fix, pairs, nodes, self.limit)
            else {
                break;
            };
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
            if self.prunes(lower) || alpha < 1e-3 || self.limit.stopped() {
                break;
            }
            if !self.step(lambda, bound, lower, alpha) {
                break;
            }
        }
        if in_tree && lower.is_finite() && !self.prunes(lower) && !self.limit.stopped() {
            // Deep in the tree the open set repeats but the packs (the hints) do not.
            self.primal(true);
        }
        lambda.copy_from_slice(&best_lambda);
        lower
    }

    /// One subgradient step towards the incumbent (or an estimate); false when the relaxed
    /// solution serves every customer exactly (a zero subgradient).
    fn step(&mut self, lambda: &mut [f64], bound: f64, lower: f64, alpha: f64) -> bool {
        let p = self.p;
        for (j, c) in p.customers().iter().enumerate() {
            self.g[j] = f64::from(c.copies);
        }
        for i in (0..p.facilities().len()).filter(|&i| self.relax.open[i]) {
            for &(j, share) in &self.relax.packed[i].taken {
                self.g[j as usize] -= share;
            }
        }
        let norm: f64 = self.g.iter().map(|x| x * x).sum();
        if norm <= 1e-12 {
            return false;
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
        true
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
            self.limit,
        );
        let mut champion = current.clone();
        for _ in 0..rounds {
            if self.limit.tick(Phase::LocalSearch, 1)
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
