//! 0-1 and continuous knapsacks (maximise value within a weight limit), the Lagrangian subproblems.

use crate::limit::{Limit, Phase};

/// An item: value, weight, and the caller's id for it.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    pub value: f64,
    pub weight: f64,
    pub id: u32,
}

/// The answer: the best value found, the items taken (ids, and the share taken of each), and an
/// upper bound on the optimum (equal to `value` unless the search hit its node limit).
#[derive(Debug, Default)]
pub struct Packed {
    pub value: f64,
    pub upper: f64,
    pub taken: Vec<(u32, f64)>,
}

/// Reusable scratch space for knapsack solves.
#[derive(Debug, Default)]
pub struct Knapsack {
    items: Vec<Item>,
    best: Vec<bool>,
    cur: Vec<bool>,
    best_value: f64,
    nodes: u64,
}

const EPS: f64 = 1e-9;

/// Search nodes between two checks of the limits.
const CHECK_EVERY: u64 = 256;

/// Weights that exceed the room left by no more than rounding still fit.
fn slack(room: f64) -> f64 {
    1e-9 * room.abs().max(1.0)
}

impl Knapsack {
    /// Solves the 0-1 knapsack exactly, by depth-first branch and bound with the linear bound,
    /// or stops after `node_limit` nodes (or when `limit` says stop) and reports the linear
    /// bound as `upper`.
    pub(crate) fn binary(
        &mut self,
        items: &[Item],
        capacity: f64,
        node_limit: u64,
        limit: &Limit,
        out: &mut Packed,
    ) {
        limit.tick(Phase::Knapsack, items.len() as u64);
        out.taken.clear();
        out.value = 0.0;
        self.items.clear();
        for it in items {
            if it.value <= EPS {
                continue;
            }
            if it.weight <= 0.0 {
                out.value += it.value;
                out.taken.push((it.id, 1.0));
            } else if it.weight <= capacity {
                self.items.push(*it);
            }
        }
        let free = out.value;
        let total_w: f64 = self.items.iter().map(|i| i.weight).sum();
        if total_w <= capacity {
            for it in &self.items {
                out.value += it.value;
                out.taken.push((it.id, 1.0));
            }
            out.upper = out.value;
            return;
        }
        self.items
            .sort_unstable_by(|a, b| (b.value / b.weight).total_cmp(&(a.value / a.weight)));
        let n = self.items.len();
        self.best.clear();
        self.best.resize(n, false);
        self.cur.clear();
        self.cur.resize(n, false);
        // Greedy start: take in ratio order whatever fits.
        let mut w = 0.0;
        self.best_value = 0.0;
        for k in 0..n {
            if w + self.items[k].weight <= capacity + slack(capacity) {
                w += self.items[k].weight;
                self.best_value += self.items[k].value;
                self.best[k] = true;
            }
        }
        let root = self.bound(0, 0.0, capacity);
        self.nodes = 0;
        let complete = !limit.stopped() && self.search(0, 0.0, capacity, node_limit, limit);
        out.value = free + self.best_value;
        out.upper = if complete {
            out.value
        } else {
            free + root.max(self.best_value)
        };
        for k in 0..n {
            if self.best[k] {
                out.taken.push((self.items[k].id, 1.0));
            }
        }
    }

    /// The linear relaxation's value over items `k..` with `room` left.
    fn bound(&self, k: usize, value: f64, mut room: f64) -> f64 {
        let mut v = value;
        let tol = slack(room);
        for it in &self.items[k..] {
            if it.weight <= room + tol {
                room -= it.weight;
                v += it.value;
            } else {
                return v + it.value * room / it.weight;
            }
        }
        v
    }

    /// Returns false if the node limit cut the search short.
    fn search(&mut self, k: usize, value: f64, room: f64, node_limit: u64, limit: &Limit) -> bool {
        self.nodes += 1;
        if self.nodes > node_limit {
            return false;
        }
        if self.nodes.is_multiple_of(CHECK_EVERY) && limit.tick(Phase::Knapsack, CHECK_EVERY) {
            return false;
        }
        if k == self.items.len() {
            if value > self.best_value + EPS {
                self.best_value = value;
                self.best.copy_from_slice(&self.cur);
            }
            return true;
        }
        if self.bound(k, value, room) <= self.best_value + EPS {
            return true;
        }
        let it = self.items[k];
        let mut complete = true;
        if it.weight <= room + slack(room) {
            self.cur[k] = true;
            complete &= self.search(k + 1, value + it.value, room - it.weight, node_limit, limit);
            self.cur[k] = false;
        }
        if complete {
            complete &= self.search(k + 1, value, room, node_limit, limit);
        }
        complete
    }

    /// Solves the continuous knapsack (items may be taken in part) exactly, greedily by ratio.
    pub(crate) fn fractional(
        &mut self,
        items: &[Item],
        capacity: f64,
        limit: &Limit,
        out: &mut Packed,
    ) {
        limit.tick(Phase::Knapsack, items.len() as u64);
        out.taken.clear();
        out.value = 0.0;
        self.items.clear();
        self.items.extend(items.iter().filter(|i| i.value > EPS));
        // Weightless items first (an infinite ratio), then by value per unit of weight.
        self.items.sort_unstable_by(|a, b| {
            let ratio = |i: &Item| {
                if i.weight <= 0.0 {
                    f64::INFINITY
                } else {
                    i.value / i.weight
                }
            };
            ratio(b).total_cmp(&ratio(a))
        });
        let mut room = capacity;
        for it in &self.items {
            if it.weight <= room {
                room -= it.weight;
                out.value += it.value;
                out.taken.push((it.id, 1.0));
            } else {
                if room > 0.0 {
                    let share = room / it.weight;
                    out.value += it.value * share;
                    out.taken.push((it.id, share));
                }
                break;
            }
        }
        out.upper = out.value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(items: &[Item], cap: f64) -> f64 {
        let n = items.len();
        (0u32..1 << n)
            .filter_map(|mask| {
                let (mut v, mut w) = (0.0, 0.0);
                for (k, it) in items.iter().enumerate() {
                    if mask & (1 << k) != 0 {
                        v += it.value;
                        w += it.weight;
                    }
                }
                (w <= cap).then_some(v)
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn binary_matches_brute_force() {
        let mut seed = 7u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 1000) as f64 / 10.0
        };
        let mut k = Knapsack::default();
        let mut out = Packed::default();
        for _ in 0..300 {
            let items: Vec<Item> = (0..12)
                .map(|id| Item {
                    value: next() - 30.0,
                    weight: next(),
                    id,
                })
                .collect();
            let cap = next() * 3.0;
            k.binary(&items, cap, u64::MAX, &Limit::none(), &mut out);
            let want = brute(&items, cap);
            assert!(
                (out.value - want).abs() < 1e-6,
                "{} vs {want}: {items:?} cap {cap}",
                out.value
            );
            assert!((out.upper - out.value).abs() < 1e-9);
            let w: f64 = out
                .taken
                .iter()
                .map(|(id, _)| items[*id as usize].weight)
                .sum();
            assert!(w <= cap + 1e-9);
            // A truncated search still bounds the optimum from above.
            k.binary(&items, cap, 3, &Limit::none(), &mut out);
            assert!(out.upper >= want - 1e-9 && out.value <= want + 1e-9);
        }
    }
}
