//! Split sourcing for a fixed set of open facilities: a min-cost flow (successive shortest paths),
//! which is exact for that set.

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

    /// Pushes up to `want` units from `s` to `t` at least cost; returns the amount sent.
    fn min_cost_flow(&mut self, s: usize, t: usize, want: f64) -> f64 {
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
/// carry every copy. Customers without demand take their cheapest allowed open facilities whole.
pub(crate) fn assign_split(p: &Problem, open: &[bool]) -> Option<Solution> {
    let m = p.facilities().len();
    let n = p.customers().len();
    let (source, sink) = (0, 1);
    let mut net = Network::new(2 + m);
    for (i, f) in p.facilities().iter().enumerate() {
        if open[i] {
            net.edge(2 + i, sink, f.capacity.min(p.total_demand() + 1.0), 0.0);
        }
    }
    let mut arcs: Vec<(usize, u32, usize)> = Vec::new(); // (customer, facility, edge)
    let mut need = 0.0;
    let mut assignment = vec![Vec::new(); n];
    for (j, c) in p.customers().iter().enumerate() {
        let mut domains: Vec<(u32, usize)> = Vec::new();
        if c.demand <= 0.0 {
            // No flow to carry: take the cheapest allowed open facilities in distinct domains.
            let mut options: Vec<(f64, usize)> = (0..m)
                .filter(|&i| open[i] && p.allowed(j, i))
                .map(|i| (p.cost(j, i), i))
                .collect();
            options.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut used = Vec::new();
            for (_, i) in options {
                let d = p.facilities()[i].domain;
                if used.len() < c.copies as usize && !used.contains(&d) {
                    used.push(d);
                    assignment[j].push((i as u32, 1.0));
                }
            }
            if used.len() < c.copies as usize {
                return None;
            }
            continue;
        }
        let node = net.node();
        let total = c.demand * f64::from(c.copies);
        need += total;
        net.edge(source, node, total, 0.0);
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
    let sent = net.min_cost_flow(source, sink, need);
    if sent < need - 1e-7 * need.max(1.0) {
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
    let used: Vec<bool> = {
        let mut u = vec![false; m];
        for row in &assignment {
            for &(i, _) in row {
                u[i as usize] = true;
            }
        }
        u
    };
    Some(Solution {
        open: used,
        assignment,
    })
}
