//! Branch and bound, best bound first with plunging: on facilities while any is free, then
//! (single sourcing) on single customers' assignments; under split sourcing a leaf (every
//! facility fixed) is a transportation problem solved exactly by min-cost flow.

use std::collections::BinaryHeap;

use super::relax::{Fix, PairState, Pairs};
use super::search::Search;
use crate::flow::assign_split;
use crate::limit::Phase;
use crate::problem::{Solution, Sourcing};

pub(super) enum Choice {
    Branch(Branch),
    /// The node's relaxed solution is feasible at its bound (and was offered): nothing below
    /// it can do better.
    Resolved,
    /// Nothing left to branch on, yet the relaxation is not feasible: its bound stays open.
    Stuck,
}

/// A node of the branch-and-bound tree.
#[derive(Debug)]
pub(super) struct Node {
    bound: f64,
    fix: Vec<Fix>,
    pairs: Pairs,
    lambda: Vec<f64>,
    branch: Branch,
}

/// What a node branches on.
#[derive(Debug, Clone, Copy)]
pub(super) enum Branch {
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

impl Search<'_> {
    /// What to branch on next: a free facility, else a single-copy customer the relaxation
    /// serves other than once. When the relaxation serves every customer exactly as asked, its
    /// solution is feasible and priced at its bound: it is offered and the node is resolved.
    pub(super) fn choose(&mut self, fix: &[Fix], pairs: &Pairs) -> Choice {
        if let Some((i, first)) = self.branching(fix) {
            return Choice::Branch(Branch::Facility(i, first));
        }
        let p = self.p;
        // Split sourcing: forcing a whole assignment would cut off fractional optima; with every
        // facility fixed the rest is a transportation problem, solved exactly.
        if p.sourcing() == Sourcing::Split {
            return self.split_leaf(fix);
        }
        self.choose_pair(pairs)
    }

    /// Single sourcing with every facility fixed: a single-copy customer to branch on, or the
    /// relaxed solution itself when it is feasible at its bound.
    fn choose_pair(&mut self, pairs: &Pairs) -> Choice {
        let p = self.p;
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
    pub(super) fn branching(&self, fix: &[Fix]) -> Option<(usize, Fix)> {
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

    /// Split sourcing, every facility fixed: the exact transportation optimum over the open
    /// ones is offered, and nothing below the leaf can do better (or nothing is feasible).
    fn split_leaf(&mut self, fix: &[Fix]) -> Choice {
        let open: Vec<bool> = fix.iter().map(|&f| f == Fix::Open).collect();
        match assign_split(self.p, &open, self.limit) {
            Some(solution) => {
                let cost = solution.cost(self.p);
                self.offer(Some((cost, solution)));
                Choice::Resolved
            }
            None if self.limit.stopped() => Choice::Stuck,
            None => Choice::Resolved,
        }
    }

    /// Best bound first from the root, with plunging: the child that follows the relaxation is
    /// processed next, depth first, until it resolves or is pruned (which finds solutions
    /// early); the other waits in the heap. Returns the lowest bound of what stays open (the
    /// unbranched nodes, and subtrees that cannot be branched further): infinite when the tree
    /// is exhausted.
    pub(super) fn branch_and_bound(&mut self, root: f64, lambda: Vec<f64>) -> f64 {
        let m = self.p.facilities().len();
        let mut heap = BinaryHeap::new();
        let mut unresolved = f64::INFINITY;
        let root_fix = vec![Fix::Free; m];
        let root_pairs = Pairs::default();
        if !self.prunes(root) {
            match self.choose(&root_fix, &root_pairs) {
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
        let mut nodes = 0u64;
        let mut plunge: Option<Node> = None;
        while let Some(node) = plunge.take().or_else(|| heap.pop()) {
            if self.prunes(node.bound) {
                continue;
            }
            if nodes >= self.options.nodes || self.limit.tick(Phase::Tree, 1) {
                heap.push(node);
                break;
            }
            nodes += 2;
            let bound = node.bound;
            for (side, child) in self.children(&node).into_iter().enumerate() {
                match child {
                    Grown::Open(child) if side == 0 && plunge.is_none() => plunge = Some(child),
                    Grown::Open(child) => heap.push(child),
                    Grown::Closed => {}
                    Grown::Stuck(b) => unresolved = unresolved.min(b),
                }
            }
            if self.limit.stopped() {
                // The children may be partial: the parent's bound stands for them.
                unresolved = unresolved.min(bound);
                break;
            }
        }
        heap.iter()
            .chain(&plunge)
            .map(|n| n.bound)
            .fold(unresolved, f64::min)
    }

    /// The two children of `node`, each evaluated: still open (with what it branches on),
    /// closed (pruned or resolved), or stuck at its bound.
    fn children(&mut self, node: &Node) -> [Grown; 2] {
        let (n, m) = (self.p.customers().len(), self.p.facilities().len());
        let sides: [(Vec<Fix>, Pairs); 2] = match node.branch {
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
        sides.map(|(fix, pairs)| self.grow(node, fix, pairs))
    }

    fn grow(&mut self, parent: &Node, fix: Vec<Fix>, pairs: Pairs) -> Grown {
        if self.limit.stopped() {
            return Grown::Stuck(parent.bound);
        }
        let mut lambda = parent.lambda.clone();
        let iterations = self.options.node_iterations;
        let bound = self
            .subgradient(&fix, &pairs, &mut lambda, iterations, 0.5, true)
            .max(parent.bound);
        if self.prunes(bound) {
            return Grown::Closed;
        }
        if self.limit.stopped() {
            return Grown::Stuck(bound);
        }
        match self.choose(&fix, &pairs) {
            Choice::Branch(branch) => Grown::Open(Node {
                bound,
                fix,
                pairs,
                lambda,
                branch,
            }),
            Choice::Resolved => Grown::Closed,
            Choice::Stuck => Grown::Stuck(bound),
        }
    }
}

/// A child after its evaluation.
enum Grown {
    Open(Node),
    Closed,
    Stuck(f64),
}
