//! Split sourcing for a fixed set of open facilities: a min-cost flow (successive shortest paths),
//! which is exact for that set.

use crate::limit::{Limit, Phase};
use crate::problem::{Problem, Solution};

#[derive(Debug, Clone, Copy)]
struct Edge {
    to: usize,
    cap: f64,
    cost: f64,
}

#[derive(Debug, Default)]
struct Network {
    edges: Vec<Edge>,
    adj: Vec<Vec<usize>>,
}

const EPS: f64 = 1e-9;

impl Network {
    fn new(nodes: usize) -> Self {
        Network {
            edges: Vec::new(),
            adj: vec![Vec::new(); nodes],
        }
    }

    fn node(&mut self) -> usize {
        self.adj.push(Vec::new());
        self.adj.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, cap: f64, cost: f64) -> usize {
        let e = self.edges.len();
        self.edges.push(Edge { to, cap, cost });
        self.edges.push(Edge {
            to: from,
            cap: 0.0,
            cost: -cost,
        });
        self.adj[from].push(e);
        self.adj[to].push(e + 1);
        e
    }

    /// Pushes up to `want` units from `s` to `t` at least cost; returns the amount sent (less
    /// than asked when the network cannot carry it, or when `limit` says stop).
    fn min_cost_flow(&mut self, s: usize, t: usize, want: f64, limit: &Limit) -> f64 {
        let n = self.adj.len();
        let mut sent = 0.0;
        let mut dist = vec![f64::INFINITY; n];
        let mut prev = vec![usize::MAX; n];
        let mut queued = vec![false; n];
        let mut queue = std::collections::VecDeque::new();
        while sent < want - EPS {
            dist.fill(f64::INFINITY);
            prev.fill(usize::MAX);
            dist[s] = 0.0;
            queue.push_back(s);
            queued[s] = true;
            while let Some(u) = queue.pop_front() {
                queued[u] = false;
                if limit.tick(Phase::Flow, self.adj[u].len() as u64) {
                    return sent;
                }
                for &e in &self.adj[u] {
                    let Edge { to, cap, cost } = self.edges[e];
                    if cap > EPS && dist[u] + cost < dist[to] - 1e-12 {
                        dist[to] = dist[u] + cost;
                        prev[to] = e;
                        if !queued[to] {
                            queued[to] = true;
                            queue.push_back(to);
                        }
                    }
                }
            }
            if !dist[t].is_finite() {
                break;
            }
            let mut push = want - sent;
            let mut v = t;
            while v != s {
                let e = prev[v];
                push = push.min(self.edges[e].cap);
                v = self.edges[e ^ 1].to;
            }
            let mut v = t;
            while v != s {
                let e = prev[v];
                self.edges[e].cap -= push;
                self.edges[e ^ 1].cap += push;
                v = self.edges[e ^ 1].to;
            }
            sent += push;
        }
        sent
    }
}

/// The cheapest split assignment using only the facilities in `open`, or `None` if they cannot
/// carry every copy, or if `limit` stopped the flow (the caller tells the two apart with
/// [`Limit::stopped`]). Customers without demand take their cheapest allowed open facilities whole.
pub(crate) fn assign_split(p: &Problem, open: &[bool], limit: &Limit) -> Option<Solution> {
    let m = p.facilities().len();
    let mut assignment = vec![Vec::new(); p.customers().len()];
    let (mut net, arcs, need) = network(p, open, &mut assignment, limit)?;
    let sent = net.min_cost_flow(SOURCE, SINK, need, limit);
    if limit.stopped() || sent < need - 1e-7 * need.max(1.0) {
        return None;
    }
    for (j, i, e) in arcs {
        let d = p.customers()[j].demand;
        let flow = net.edges[e ^ 1].cap;
        if flow > 1e-9 * d.max(1.0) {
            assignment[j].push((i, (flow / d).min(1.0)));
        }
    }
    // Tidy rounding so each customer's shares add to exactly its copies.
    for (j, row) in assignment.iter_mut().enumerate() {
        let copies = f64::from(p.customers()[j].copies);
        let sum: f64 = row.iter().map(|r| r.1).sum();
        if sum > 0.0 && (sum - copies).abs() > 0.0 {
            for r in row.iter_mut() {
                r.1 = (r.1 * copies / sum).min(1.0);
            }
        }
    }
    let mut used = vec![false; m];
    for row in &assignment {
        for &(i, _) in row {
            used[i as usize] = true;
        }
    }
    Some(Solution {
        open: used,
        assignment,
    })
}

const SOURCE: usize = 0;
const SINK: usize = 1;

/// Per customer-facility arc: (customer, facility, edge).
type Arcs = Vec<(usize, u32, usize)>;

/// The flow network over the open facilities: source -> customer (its demand times its copies)
/// -> one node per failure domain (at most its demand) -> facility -> sink (its capacity).
/// Customers without demand are assigned directly in `assignment`. `None` if one of those
/// cannot get its copies, or a limit stopped the build.
fn network(
    p: &Problem,
    open: &[bool],
    assignment: &mut [Vec<(u32, f64)>],
    limit: &Limit,
) -> Option<(Network, Arcs, f64)> {
    let m = p.facilities().len();
    let mut net = Network::new(2 + m);
    for (i, f) in p.facilities().iter().enumerate() {
        if open[i] {
            net.edge(2 + i, SINK, f.capacity.min(p.total_demand() + 1.0), 0.0);
        }
    }
    let mut arcs: Arcs = Vec::new();
    let mut need = 0.0;
    let mut domains: Vec<(u32, usize)> = Vec::new();
    for (j, c) in p.customers().iter().enumerate() {
        if limit.tick(Phase::Flow, m as u64) {
            return None;
        }
        if c.demand <= 0.0 {
            assignment[j] = weightless(p, j, open)?;
            continue;
        }
        let node = net.node();
        need += c.demand * f64::from(c.copies);
        net.edge(SOURCE, node, c.demand * f64::from(c.copies), 0.0);
        domains.clear();
        for i in (0..m).filter(|&i| open[i] && p.allowed(j, i)) {
            let d = p.facilities()[i].domain;
            let dnode = match domains.iter().find(|(k, _)| *k == d) {
                Some(&(_, v)) => v,
                None => {
                    let v = net.node();
                    net.edge(node, v, c.demand, 0.0);
                    domains.push((d, v));
                    v
                }
            };
            let e = net.edge(dnode, 2 + i, c.demand, p.cost(j, i) / c.demand);
            arcs.push((j, i as u32, e));
        }
    }
    Some((net, arcs, need))
}

/// A customer without demand: its cheapest allowed open facilities, in distinct domains.
fn weightless(p: &Problem, j: usize, open: &[bool]) -> Option<Vec<(u32, f64)>> {
    let copies = p.customers()[j].copies as usize;
    let mut options: Vec<(f64, usize)> = (0..p.facilities().len())
        .filter(|&i| open[i] && p.allowed(j, i))
        .map(|i| (p.cost(j, i), i))
        .collect();
    options.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut used = Vec::new();
    let mut row = Vec::new();
    for (_, i) in options {
        let d = p.facilities()[i].domain;
        if used.len() < copies && !used.contains(&d) {
            used.push(d);
            row.push((i as u32, 1.0));
        }
    }
    (used.len() == copies).then_some(row)
}
