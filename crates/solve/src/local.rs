//! Single-source construction and local search: shift, swap, close, open and open-close moves,
//! and a seeded perturbation loop (iterated local search) around them.

use crate::limit::{Limit, Phase};
use crate::problem::{Problem, Solution};

/// A deterministic xorshift generator: the solver is reproducible for a given seed.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

const EPS: f64 = 1e-9;

/// A single-source assignment under local search. A facility is open exactly when it serves a copy.
#[derive(Debug, Clone)]
pub(crate) struct State<'p> {
    p: &'p Problem,
    /// Every loop counts its work here and stops when told to, leaving a consistent state.
    limit: &'p Limit,
    /// Per customer: the facilities serving its copies.
    pub(crate) assign: Vec<Vec<u32>>,
    load: Vec<f64>,
    count: Vec<u32>,
    fixed: f64,
    pub(crate) objective: f64,
}

impl<'p> State<'p> {
    fn empty(p: &'p Problem, limit: &'p Limit) -> Self {
        let m = p.facilities().len();
        State {
            p,
            limit,
            assign: vec![Vec::new(); p.customers().len()],
            load: vec![0.0; m],
            count: vec![0; m],
            fixed: 0.0,
            objective: 0.0,
        }
    }

    fn demand(&self, j: usize) -> f64 {
        self.p.customers()[j].demand
    }

    fn fits(&self, i: usize, extra: f64) -> bool {
        self.load[i] + extra <= self.p.facilities()[i].capacity + EPS
    }

    fn budget_allows(&self, opening: usize, closing: Option<usize>) -> bool {
        match self.p.budget() {
            None => true,
            Some(b) => {
                let f = self.p.facilities();
                let mut fixed = self.fixed;
                if self.count[opening] == 0 {
                    fixed += f[opening].fixed_cost;
                }
                if let Some(c) = closing {
                    fixed -= f[c].fixed_cost;
                }
                fixed <= b + EPS
            }
        }
    }

    /// Whether facility `i` may take a copy of `j` in place of the copy at `leaving` (if any).
    fn domain_free(&self, j: usize, i: usize, leaving: Option<u32>) -> bool {
        let f = self.p.facilities();
        let d = f[i].domain;
        self.assign[j]
            .iter()
            .all(|&k| Some(k) == leaving || (k as usize != i && f[k as usize].domain != d))
    }

    fn add(&mut self, j: usize, i: usize) {
        if self.count[i] == 0 {
            self.fixed += self.p.facilities()[i].fixed_cost;
            self.objective += self.p.facilities()[i].fixed_cost;
        }
        self.count[i] += 1;
        self.load[i] += self.demand(j);
        self.objective += self.p.cost(j, i);
        self.assign[j].push(i as u32);
    }

    fn remove(&mut self, j: usize, slot: usize) -> u32 {
        let i = self.assign[j].swap_remove(slot) as usize;
        self.count[i] -= 1;
        self.load[i] -= self.demand(j);
        self.objective -= self.p.cost(j, i);
        if self.count[i] == 0 {
            self.fixed -= self.p.facilities()[i].fixed_cost;
            self.objective -= self.p.facilities()[i].fixed_cost;
            self.load[i] = 0.0;
        }
        i as u32
    }

    /// A state holding exactly this assignment (one facility per copy).
    pub(crate) fn from_assignment(p: &'p Problem, rows: Vec<Vec<u32>>, limit: &'p Limit) -> Self {
        let mut s = State::empty(p, limit);
        for (j, row) in rows.into_iter().enumerate() {
            for i in row {
                s.add(j, i as usize);
            }
        }
        s
    }

    /// Moves the copy of `j` in `slot` to facility `to`, keeping the slot order.
    fn relocate(&mut self, j: usize, slot: usize, to: usize) {
        self.remove(j, slot);
        self.add(j, to);
        let last = self.assign[j].len() - 1;
        self.assign[j].swap(slot, last);
    }

    /// Every copy that could move to `to` (allowed there), as (cost change, customer, slot),
    /// the most saving first.
    fn moves_into(&self, to: usize) -> Vec<(f64, usize, usize)> {
        let p = self.p;
        self.limit
            .tick(Phase::LocalSearch, self.assign.len() as u64);
        let mut moves = Vec::new();
        for (j, row) in self.assign.iter().enumerate() {
            let c = p.cost(j, to);
            if c.is_finite() {
                for (slot, &from) in row.iter().enumerate() {
                    moves.push((c - p.cost(j, from as usize), j, slot));
                }
            }
        }
        moves.sort_by(|a, b| a.0.total_cmp(&b.0));
        moves
    }

    pub(crate) fn open_set(&self) -> Vec<bool> {
        self.count.iter().map(|&c| c > 0).collect()
    }

    pub(crate) fn to_solution(&self) -> Solution {
        Solution {
            open: self.open_set(),
            assignment: self
                .assign
                .iter()
                .map(|row| row.iter().map(|&i| (i, 1.0)).collect())
                .collect(),
        }
    }

    /// Recomputes the objective from scratch, to shed accumulated rounding.
    fn refresh(&mut self) {
        let f = self.p.facilities();
        self.fixed = (0..f.len())
            .filter(|&i| self.count[i] > 0)
            .map(|i| f[i].fixed_cost)
            .sum();
        self.objective = self.fixed
            + self
                .assign
                .iter()
                .enumerate()
                .flat_map(|(j, r)| r.iter().map(move |&i| (j, i as usize)))
                .map(|(j, i)| self.p.cost(j, i))
                .sum::<f64>();
    }

    /// Builds an assignment preferring the facilities in `prefer` (open them first), customers
    /// with the most to lose first; opens other facilities only when a copy fits nowhere preferred.
    /// `None` if some copy fits nowhere.
    pub(crate) fn construct(
        p: &'p Problem,
        prefer: &[bool],
        bias: &[f64],
        hint: &[Vec<u32>],
        limit: &'p Limit,
    ) -> Option<Self> {
        let n = p.customers().len();
        let m = p.facilities().len();
        let mut s = State::empty(p, limit);
        if limit.tick(Phase::Construction, (n * m) as u64) {
            return None;
        }
        // Regret over the preferred facilities: the gap between the second-best and best cost.
        let mut order: Vec<(f64, usize)> = (0..n)
            .map(|j| {
                let (mut a, mut b) = (f64::INFINITY, f64::INFINITY);
                for i in (0..m).filter(|&i| prefer[i]) {
                    let c = p.cost(j, i);
                    if c < a {
                        b = a;
                        a = c;
                    } else if c < b {
                        b = c;
                    }
                }
                let regret = if b.is_finite() { b - a } else { f64::MAX };
                (regret * (1.0 + p.customers()[j].demand), j)
            })
            .collect();
        order.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        for &(_, j) in &order {
            if limit.tick(Phase::Construction, m as u64) {
                return None;
            }
            let d = p.customers()[j].demand;
            // First the facilities the relaxation gave this customer, cheapest first.
            if let Some(h) = hint.get(j) {
                let mut h: Vec<usize> = h.iter().map(|&i| i as usize).collect();
                h.sort_by(|&a, &b| p.cost(j, a).total_cmp(&p.cost(j, b)));
                for i in h {
                    if s.assign[j].len() < p.customers()[j].copies as usize
                        && p.allowed(j, i)
                        && s.fits(i, d)
                        && s.domain_free(j, i, None)
                        && (s.count[i] > 0 || s.budget_allows(i, None))
                    {
                        s.add(j, i);
                    }
                }
            }
            while s.assign[j].len() < p.customers()[j].copies as usize {
                let mut best: Option<(f64, usize)> = None;
                for i in 0..m {
                    let c = p.cost(j, i);
                    if !c.is_finite() || !s.fits(i, d) || !s.domain_free(j, i, None) {
                        continue;
                    }
                    let price = if prefer[i] || s.count[i] > 0 {
                        c
                    } else {
                        if !s.budget_allows(i, None) {
                            continue;
                        }
                        // A facility outside the preferred set costs its opening too.
                        c + p.facilities()[i].fixed_cost + bias[i].max(0.0)
                    };
                    if best.is_none_or(|(b, _)| price < b) {
                        best = Some((price, i));
                    }
                }
                // Before opening a facility outside the preferred set, try making room in a
                // preferred one by moving one of its copies to another preferred facility.
                let outside = best.is_some_and(|(_, i)| !prefer[i] && s.count[i] == 0);
                if (best.is_none() || outside) && s.make_room(j, prefer, best.map(|b| b.0), None) {
                    continue;
                }
                let (_, i) = best?;
                s.add(j, i);
            }
        }
        Some(s)
    }

    /// Builds an assignment by rounding the exact split (transportation) solution over the
    /// preferred facilities: each copy goes where the largest share of it went, then overloaded
    /// facilities shed the copies that are cheapest to move. `None` if the preferred facilities
    /// cannot hold the demand even split, or the repair gets stuck.
    pub(crate) fn from_split(p: &'p Problem, prefer: &[bool], limit: &'p Limit) -> Option<Self> {
        let split = crate::flow::assign_split(p, prefer, limit)?;
        let rows = split
            .assignment
            .iter()
            .enumerate()
            .map(|(j, row)| {
                let mut row = row.clone();
                row.sort_by(|a, b| b.1.total_cmp(&a.1));
                row.truncate(p.customers()[j].copies as usize);
                row.into_iter().map(|(i, _)| i).collect()
            })
            .collect();
        let mut s = State::from_assignment(p, rows, limit);
        let m = p.facilities().len();
        for _ in 0..(4 * s.assign.len() + m) {
            if limit.tick(Phase::Construction, (s.assign.len() * m) as u64) {
                return None;
            }
            let Some(over) = (0..m).find(|&i| !s.fits(i, 0.0)) else {
                return Some(s);
            };
            // The cheapest move of a copy out of `over`, to a facility in use (or preferred).
            let mut best: Option<(f64, usize, usize, usize)> = None;
            for j in 0..s.assign.len() {
                let Some(slot) = s.assign[j].iter().position(|&k| k as usize == over) else {
                    continue;
                };
                let d = s.demand(j);
                for to in (0..m).filter(|&k| k != over) {
                    let c = p.cost(j, to);
                    if !c.is_finite() || !s.fits(to, d) || !s.domain_free(j, to, Some(over as u32))
                    {
                        continue;
                    }
                    let opening = if s.count[to] == 0 {
                        if !s.budget_allows(to, None) {
                            continue;
                        }
                        p.facilities()[to].fixed_cost
                    } else {
                        0.0
                    };
                    let price = c + opening - p.cost(j, over);
                    if best.is_none_or(|b| price < b.0) {
                        best = Some((price, j, slot, to));
                    }
                }
            }
            let (_, j, slot, to) = best?;
            s.relocate(j, slot, to);
        }
        None
    }

    /// Places a copy of `j` in a preferred facility that is full, by moving one copy there to
    /// another preferred or open facility with room, if that costs less than `limit`.
    fn make_room(
        &mut self,
        j: usize,
        prefer: &[bool],
        limit: Option<f64>,
        exclude: Option<usize>,
    ) -> bool {
        let p = self.p;
        let m = p.facilities().len();
        let d = self.demand(j);
        let usable = |s: &Self, k: usize| Some(k) != exclude && (prefer[k] || s.count[k] > 0);
        let mut best: Option<(f64, usize, usize, usize, usize)> = None; // cost, i, j2, slot, i3
        for i in (0..m).filter(|&i| usable(self, i)) {
            let c = p.cost(j, i);
            if !c.is_finite() || !self.domain_free(j, i, None) {
                continue;
            }
            let need = self.load[i] + d - p.facilities()[i].capacity;
            for j2 in 0..self.assign.len() {
                let d2 = self.demand(j2);
                if j2 == j || d2 < need - EPS {
                    continue;
                }
                if self.limit.tick(Phase::LocalSearch, m as u64) {
                    return false;
                }
                let Some(slot) = self.assign[j2].iter().position(|&k| k as usize == i) else {
                    continue;
                };
                for i3 in (0..m).filter(|&k| k != i && usable(self, k)) {
                    let c3 = p.cost(j2, i3);
                    let total = c + c3 - p.cost(j2, i);
                    if !c3.is_finite()
                        || best.is_some_and(|b| total >= b.0)
                        || limit.is_some_and(|l| total >= l)
                        || !self.fits(i3, d2)
                        || !self.domain_free(j2, i3, Some(i as u32))
                    {
                        continue;
                    }
                    best = Some((total, i, j2, slot, i3));
                }
            }
        }
        let Some((_, i, j2, slot, i3)) = best else {
            return false;
        };
        self.relocate(j2, slot, i3);
        if !self.fits(i, d) {
            return false;
        }
        self.add(j, i);
        true
    }

    /// Best-improvement descent over shift and swap moves, then close and open-close moves,
    /// until no move improves.
    pub(crate) fn descend(&mut self) {
        while !self.limit.stopped() {
            let mut improved = self.shifts();
            if !improved {
                improved = self.swaps();
            }
            if !improved {
                improved = self.chains();
            }
            if !improved {
                improved = self.closes();
            }
            if !improved {
                improved = self.opens();
            }
            if !improved {
                break;
            }
        }
        self.refresh();
    }

    /// Moves single copies to cheaper facilities (possibly opening or emptying one).
    fn shifts(&mut self) -> bool {
        let p = self.p;
        let m = p.facilities().len();
        let mut any = false;
        let mut again = true;
        while again {
            again = false;
            for j in 0..self.assign.len() {
                if self.limit.tick(Phase::LocalSearch, m as u64) {
                    return any;
                }
                let d = self.demand(j);
                for slot in 0..self.assign[j].len() {
                    let from = self.assign[j][slot] as usize;
                    let saving = p.cost(j, from)
                        + if self.count[from] == 1 {
                            p.facilities()[from].fixed_cost
                        } else {
                            0.0
                        };
                    let mut best: Option<(f64, usize)> = None;
                    for to in 0..m {
                        let c = p.cost(j, to);
                        if to == from || !c.is_finite() {
                            continue;
                        }
                        let open_cost = if self.count[to] == 0 {
                            p.facilities()[to].fixed_cost
                        } else {
                            0.0
                        };
                        let delta = c + open_cost - saving;
                        if delta < -EPS
                            && best.is_none_or(|(b, _)| delta < b)
                            && self.fits(to, d)
                            && self.domain_free(j, to, Some(from as u32))
                            && (self.count[to] > 0
                                || self.budget_allows(to, (self.count[from] == 1).then_some(from)))
                        {
                            best = Some((delta, to));
                        }
                    }
                    if let Some((_, to)) = best {
                        self.remove(j, slot);
                        self.add(j, to);
                        // `add` pushed to the end; restore the slot order.
                        let last = self.assign[j].len() - 1;
                        self.assign[j].swap(slot, last);
                        again = true;
                        any = true;
                    }
                }
            }
        }
        any
    }

    /// Exchanges the facilities of two copies of different customers.
    fn swaps(&mut self) -> bool {
        let p = self.p;
        let n = self.assign.len();
        let mut any = false;
        for j1 in 0..n {
            if self.limit.tick(Phase::LocalSearch, n as u64) {
                return any;
            }
            for s1 in 0..self.assign[j1].len() {
                let i1 = self.assign[j1][s1] as usize;
                let d1 = self.demand(j1);
                for j2 in j1 + 1..n {
                    let d2 = self.demand(j2);
                    for s2 in 0..self.assign[j2].len() {
                        let i2 = self.assign[j2][s2] as usize;
                        if i1 == i2 {
                            continue;
                        }
                        let delta =
                            p.cost(j1, i2) + p.cost(j2, i1) - p.cost(j1, i1) - p.cost(j2, i2);
                        if delta.is_nan() || delta >= -EPS {
                            continue;
                        }
                        let cap1 = p.facilities()[i1].capacity;
                        let cap2 = p.facilities()[i2].capacity;
                        if self.load[i1] - d1 + d2 > cap1 + EPS
                            || self.load[i2] - d2 + d1 > cap2 + EPS
                            || !self.domain_free(j1, i2, Some(i1 as u32))
                            || !self.domain_free(j2, i1, Some(i2 as u32))
                        {
                            continue;
                        }
                        self.assign[j1][s1] = i2 as u32;
                        self.assign[j2][s2] = i1 as u32;
                        self.load[i1] += d2 - d1;
                        self.load[i2] += d1 - d2;
                        self.objective += delta;
                        any = true;
                        break;
                    }
                    if self.assign[j1][s1] as usize != i1 {
                        break;
                    }
                }
            }
        }
        any
    }

    /// Ejection chains of length two: copy A moves into a facility where it only fits because
    /// a copy B there moves on to a third facility (or to A's old one).
    fn chains(&mut self) -> bool {
        let p = self.p;
        let m = p.facilities().len();
        let mut members: Vec<Vec<(usize, usize)>> = vec![Vec::new(); m];
        for (j, row) in self.assign.iter().enumerate() {
            for (slot, &i) in row.iter().enumerate() {
                members[i as usize].push((j, slot));
            }
        }
        let cap = |i: usize| p.facilities()[i].capacity;
        for j1 in 0..self.assign.len() {
            if self.limit.tick(Phase::LocalSearch, m as u64) {
                return false;
            }
            let d1 = self.demand(j1);
            for s1 in 0..self.assign[j1].len() {
                let i1 = self.assign[j1][s1] as usize;
                let leave1 = p.cost(j1, i1);
                for (i2, at_i2) in members.iter().enumerate() {
                    let c12 = p.cost(j1, i2);
                    if i2 == i1 || self.count[i2] == 0 || !c12.is_finite() {
                        continue;
                    }
                    let need = self.load[i2] + d1 - cap(i2);
                    if need <= EPS || c12 - leave1 >= p.cost(j1, i1) + 1e12 {
                        continue;
                    }
                    if !self.domain_free(j1, i2, Some(i1 as u32)) {
                        continue;
                    }
                    for &(j2, s2) in at_i2 {
                        let d2 = self.demand(j2);
                        if j2 == j1 || d2 < need - EPS {
                            continue;
                        }
                        if self.limit.tick(Phase::LocalSearch, m as u64) {
                            return false;
                        }
                        let base = c12 - leave1 - p.cost(j2, i2);
                        for i3 in 0..m {
                            let c23 = p.cost(j2, i3);
                            if i3 == i2 || !c23.is_finite() || base + c23 >= -EPS {
                                continue;
                            }
                            let open3 = self.count[i3] > 0;
                            if !open3 {
                                continue;
                            }
                            let load3 = self.load[i3] - if i3 == i1 { d1 } else { 0.0 };
                            if load3 + d2 > cap(i3) + EPS
                                || !self.domain_free(j2, i3, Some(i2 as u32))
                            {
                                continue;
                            }
                            // Apply: j1 i1 -> i2, j2 i2 -> i3.
                            self.assign[j1][s1] = i2 as u32;
                            self.assign[j2][s2] = i3 as u32;
                            self.load[i1] -= d1;
                            self.load[i2] += d1 - d2;
                            self.load[i3] += d2;
                            self.count[i1] -= 1;
                            self.count[i3] += 1;
                            self.objective += base + c23;
                            if self.count[i1] == 0 {
                                self.fixed -= p.facilities()[i1].fixed_cost;
                                self.objective -= p.facilities()[i1].fixed_cost;
                                self.load[i1] = 0.0;
                            }
                            return true;
                        }
                    }
                }
            }
        }
        false
    }

    /// Moves every copy at `from` elsewhere, cheapest first, to facilities already open or to
    /// `extra`. Returns the change in objective, or `None` (state unchanged) if some copy fits
    /// nowhere or the result breaks the budget.
    fn try_empty(&mut self, from: usize, extra: Option<usize>) -> Option<f64> {
        let p = self.p;
        let m = p.facilities().len();
        let before = self.objective;
        let snapshot = self.clone_parts();
        let mut moved: Vec<(usize, f64)> = (0..self.assign.len())
            .filter(|&j| self.assign[j].contains(&(from as u32)))
            .map(|j| (j, self.demand(j)))
            .collect();
        moved.sort_by(|a, b| b.1.total_cmp(&a.1));
        for &(j, d) in &moved {
            if self.limit.tick(Phase::LocalSearch, m as u64) {
                self.restore(snapshot);
                return None;
            }
            let slot = self.assign[j]
                .iter()
                .position(|&i| i as usize == from)
                .unwrap_or(0);
            self.remove(j, slot);
            let mut best: Option<(f64, usize)> = None;
            for to in 0..m {
                let c = p.cost(j, to);
                let usable = to != from && (self.count[to] > 0 || Some(to) == extra);
                if !usable || !c.is_finite() || !self.fits(to, d) || !self.domain_free(j, to, None)
                {
                    continue;
                }
                let price = c + if self.count[to] == 0 {
                    p.facilities()[to].fixed_cost
                } else {
                    0.0
                };
                if best.is_none_or(|(b, _)| price < b) {
                    best = Some((price, to));
                }
            }
            match best {
                Some((_, to)) => self.add(j, to),
                // Nowhere with room: make room by moving one copy on.
                None if self.make_room(j, &self.extra_mask(extra), None, Some(from)) => {}
                None => {
                    self.restore(snapshot);
                    return None;
                }
            }
        }
        if let Some(b) = p.budget()
            && self.fixed > b + EPS
        {
            self.restore(snapshot);
            return None;
        }
        Some(self.objective - before)
    }

    /// A mask with only `extra` set (the one closed facility a move may open).
    fn extra_mask(&self, extra: Option<usize>) -> Vec<bool> {
        let mut mask = vec![false; self.count.len()];
        if let Some(e) = extra {
            mask[e] = true;
        }
        mask
    }

    fn clone_parts(&self) -> (Vec<Vec<u32>>, Vec<f64>, Vec<u32>, f64, f64) {
        (
            self.assign.clone(),
            self.load.clone(),
            self.count.clone(),
            self.fixed,
            self.objective,
        )
    }

    fn restore(&mut self, s: (Vec<Vec<u32>>, Vec<f64>, Vec<u32>, f64, f64)) {
        (
            self.assign,
            self.load,
            self.count,
            self.fixed,
            self.objective,
        ) = s;
    }

    /// Closes an open facility when moving its copies elsewhere is cheaper.
    fn closes(&mut self) -> bool {
        let m = self.p.facilities().len();
        let mut any = false;
        for i in 0..m {
            if self.count[i] == 0 {
                continue;
            }
            if self
                .limit
                .tick(Phase::LocalSearch, self.assign.len() as u64)
            {
                return any;
            }
            let snapshot = self.clone_parts();
            match self.try_empty(i, None) {
                Some(delta) if delta < -EPS => any = true,
                Some(_) => self.restore(snapshot),
                None => {}
            }
        }
        any
    }

    /// Opens a closed facility in place of an open one (or beside all of them) when cheaper.
    fn opens(&mut self) -> bool {
        let p = self.p;
        let m = p.facilities().len();
        let mut best: Option<(f64, usize, Option<usize>)> = None;
        let closed: Vec<usize> = (0..m).filter(|&i| self.count[i] == 0).collect();
        let open: Vec<usize> = (0..m).filter(|&i| self.count[i] > 0).collect();
        // For each copy: the cheapest other open facility it could go to, ignoring capacity
        // (a lower bound used to skip moves that cannot pay off).
        let mut copies: Vec<Vec<(usize, f64, f64)>> = vec![Vec::new(); m]; // per facility: (j, cost here, best alternative)
        for (j, row) in self.assign.iter().enumerate() {
            if self.limit.tick(Phase::LocalSearch, open.len() as u64) {
                return false;
            }
            for &i in row {
                let i = i as usize;
                let alt = open
                    .iter()
                    .filter(|&&k| k != i && !row.contains(&(k as u32)))
                    .map(|&k| p.cost(j, k))
                    .fold(f64::INFINITY, f64::min);
                copies[i].push((j, p.cost(j, i), alt));
            }
        }
        for to in closed {
            if self
                .limit
                .tick(Phase::LocalSearch, self.assign.len() as u64)
            {
                return false;
            }
            let f_to = p.facilities()[to].fixed_cost;
            // Open `to` alone: the most it can save is every copy's gain from moving there.
            let gain: f64 = copies
                .iter()
                .flatten()
                .map(|&(j, here, _)| (here - p.cost(j, to)).max(0.0))
                .filter(|g| g.is_finite())
                .sum();
            if f_to - gain < -EPS {
                let snapshot = self.clone_parts();
                let before = self.objective;
                self.pull_into(to);
                let delta = self.objective - before;
                self.restore(snapshot);
                if delta < -EPS && best.is_none_or(|(b, _, _)| delta < b) {
                    best = Some((delta, to, None));
                }
            }
            for &from in &open {
                if self
                    .limit
                    .tick(Phase::LocalSearch, copies[from].len() as u64)
                {
                    return false;
                }
                // Lower bound of emptying `from` into the open ones and `to`.
                let mut bound = f_to - p.facilities()[from].fixed_cost;
                for &(j, here, alt) in &copies[from] {
                    bound += alt.min(p.cost(j, to)) - here;
                }
                if bound.is_nan() || bound >= -EPS || best.is_some_and(|(b, _, _)| bound >= b) {
                    continue;
                }
                let snapshot = self.clone_parts();
                if let Some(delta) = self.try_empty(from, Some(to))
                    && delta < -EPS
                    && best.is_none_or(|(b, _, _)| delta < b)
                {
                    best = Some((delta, to, Some(from)));
                }
                self.restore(snapshot);
            }
        }
        match best {
            Some((_, to, None)) => {
                self.pull_into(to);
                true
            }
            Some((_, to, Some(from))) => self.try_empty(from, Some(to)).is_some(),
            None => false,
        }
    }

    /// Moves to facility `to` every copy that is cheaper there and fits, most saving first.
    fn pull_into(&mut self, to: usize) {
        if !self.budget_allows(to, None) {
            return;
        }
        for (change, j, slot) in self.moves_into(to) {
            if change >= -EPS {
                break;
            }
            let d = self.demand(j);
            let Some(&from) = self.assign[j].get(slot) else {
                continue;
            };
            if self.fits(to, d) && self.domain_free(j, to, Some(from)) {
                self.relocate(j, slot, to);
            }
        }
    }

    /// Kicks the state out of its local optimum: empties one or two open facilities into any
    /// facility (opening if needed), or opens a random closed one.
    pub(crate) fn perturb(&mut self, rng: &mut Rng) {
        let m = self.p.facilities().len();
        if rng.below(3) > 0 {
            let k = 2 + rng.below(4);
            self.random_shifts(rng, k);
            return;
        }
        let open: Vec<usize> = (0..m).filter(|&i| self.count[i] > 0).collect();
        let closed: Vec<usize> = (0..m).filter(|&i| self.count[i] == 0).collect();
        if !closed.is_empty() && (open.len() <= 1 || rng.below(2) == 0) {
            let to = closed[rng.below(closed.len())];
            if let Some(&from) = open.get(rng.below(open.len())) {
                let _ = self.try_empty(from, Some(to));
            }
            if self.count[to] == 0 {
                self.force_open(to);
            }
        } else if !open.is_empty() {
            let from = open[rng.below(open.len())];
            if self.try_empty(from, None).is_none() {
                let to = closed.get(rng.below(closed.len().max(1))).copied();
                let _ = self.try_empty(from, to);
            }
        }
    }

    /// Moves `k` random copies to random open facilities where they fit, whatever the cost.
    fn random_shifts(&mut self, rng: &mut Rng, k: usize) {
        let p = self.p;
        let n = self.assign.len();
        let m = p.facilities().len();
        if n == 0 {
            return;
        }
        for _ in 0..k {
            let j = rng.below(n);
            let slots = self.assign[j].len();
            if slots == 0 {
                continue;
            }
            let slot = rng.below(slots);
            let from = self.assign[j][slot];
            let d = self.demand(j);
            let start = rng.below(m);
            for step in 0..m {
                let to = (start + step) % m;
                if to != from as usize
                    && self.count[to] > 0
                    && p.allowed(j, to)
                    && self.fits(to, d)
                    && self.domain_free(j, to, Some(from))
                {
                    self.relocate(j, slot, to);
                    break;
                }
            }
        }
    }

    /// Opens `to` by moving to it the copies that lose least by going there.
    fn force_open(&mut self, to: usize) {
        if !self.budget_allows(to, None) {
            return;
        }
        let cap = self.p.facilities()[to].capacity;
        for (loss, j, slot) in self.moves_into(to) {
            if self.count[to] > 0 && (loss > 0.0 || self.load[to] >= cap * 0.5) {
                break;
            }
            let d = self.demand(j);
            let Some(&from) = self.assign[j].get(slot) else {
                continue;
            };
            if self.fits(to, d) && self.domain_free(j, to, Some(from)) {
                self.relocate(j, slot, to);
            }
        }
    }
}
