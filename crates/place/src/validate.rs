//! An independent check of a placement against its inputs: every region of every route is
//! allowed for that country's data (so every failover target is), failure domains are distinct,
//! the latency target holds for the share promised, capacity holds across all workloads, every
//! user country is routed or explained, the outcome and the costs add up. It recomputes everything
//! from the input, the compiled table and the latency matrix, trusting none of the placer's own
//! judgements (outcome, which countries the latency target binds, shares met); it shares no code
//! with the placer beyond the definitions of price, GPU need, candidate region and failure domain.

use std::collections::{BTreeMap, BTreeSet};

use footprint_model::{CountryCode, CountryIdx, RegionId};
use footprint_policy::{Action, DataClass};

use crate::{
    Context, Input, Outcome, Placement, Workload, WorkloadPlacement, domain_of, gpus, usage_price,
};

/// One thing wrong with a placement.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Violation {
    #[error("tenant {tenant:?} has no table, yet routes exist")]
    NoTenantTable { tenant: String },
    #[error("{placed} workloads placed for {given} in the input")]
    WorkloadCount { placed: usize, given: usize },
    #[error("workload {workload:?} is reported as {reported:?}")]
    WorkloadName { workload: String, reported: String },
    #[error("workload {workload:?}, route for {country}: {problem}")]
    Route {
        workload: String,
        country: String,
        problem: RouteProblem,
    },
    #[error("workload {workload:?}: {problem}")]
    Workload {
        workload: String,
        problem: WorkloadProblem,
    },
    #[error("{region} holds {held:.2} GPUs for these workloads, over its capacity {capacity}")]
    OverCapacity {
        region: String,
        held: f64,
        capacity: f64,
    },
    #[error(
        "the totals say {reported:?} (placed, partly, unservable, cost), the workloads {recomputed:?}"
    )]
    Totals {
        reported: (usize, usize, usize, f64),
        recomputed: (usize, usize, usize, f64),
    },
}

/// What is wrong with one route.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RouteProblem {
    #[error("not a country code")]
    NotACountry,
    #[error("the workload has no users there")]
    NoUsers,
    #[error("the catalog has no such country")]
    UnknownCountry,
    #[error("routed twice")]
    RoutedTwice,
    #[error("no residency row for this country, yet routed")]
    NoResidencyRow,
    #[error("{regions} regions, the workload survives {survive} failures so needs {needed}")]
    Copies {
        regions: usize,
        survive: u32,
        needed: usize,
    },
    #[error("unknown region {0}")]
    UnknownRegion(String),
    #[error("{0} is not generally available")]
    NotGa(String),
    #[error("{0} is not of an allowed provider")]
    ProviderNotAllowed(String),
    #[error("{region} (position {position}) is not allowed to {} {} data of this country", action.as_str(), class.as_str())]
    Forbidden {
        region: String,
        position: usize,
        action: Action,
        class: DataClass,
    },
    #[error("{0} shares a failure domain with an earlier region")]
    SameDomain(String),
    #[error("{region} is {ms:.1} ms away, over the {target} ms target")]
    OverTarget {
        region: String,
        ms: f64,
        target: f64,
    },
    #[error(
        "reported as not bound by the latency target, yet {domains} failure domains of allowed regions with room are within it"
    )]
    BoundDenied { domains: usize },
    #[error("{0} is missing from the workload's regions")]
    NotInRegions(String),
    #[error("{count} p95 figures for {regions} regions, or figures that are not the matrix's")]
    Latencies { count: usize, regions: usize },
}

/// What is wrong with a workload as a whole.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkloadProblem {
    #[error("{0} is both routed and unserved")]
    RoutedAndUnserved(String),
    #[error("{0} is unserved without a reason")]
    UnservedWithoutReason(String),
    #[error("{0} is unserved but the workload has no users there")]
    UnservedWithoutUsers(String),
    #[error("users in {0} are neither routed nor explained")]
    Unaccounted(CountryCode),
    #[error("{:.2}% of users meet the latency target, {:.2}% promised", met * 100.0, promised * 100.0)]
    LatencyShort { met: f64, promised: f64 },
    #[error(
        "reports {:.4} of users within the target, recomputed {:.4}",
        reported,
        recomputed
    )]
    LatencyMet { reported: f64, recomputed: f64 },
    #[error("reported {reported:?}, but its routes make it {recomputed:?}")]
    Outcome {
        reported: Outcome,
        recomputed: Outcome,
    },
    #[error("cannot be placed, but gives no reason")]
    NoReason,
    #[error(
        "cost {reported} reported, {recomputed} recomputed ({used} regions used, {listed} listed)"
    )]
    Cost {
        reported: f64,
        recomputed: f64,
        used: usize,
        listed: usize,
    },
}

/// Every violation found; empty when valid.
pub fn check(ctx: Context<'_>, input: &Input, placement: &Placement) -> Vec<Violation> {
    let mut out = Vec::new();
    let Some(tenant) = ctx.table.tenant(&input.tenant) else {
        if placement.workloads.iter().any(|w| !w.routes.is_empty()) {
            out.push(Violation::NoTenantTable {
                tenant: input.tenant.clone(),
            });
        }
        return out;
    };
    if placement.workloads.len() != input.workloads.len() {
        out.push(Violation::WorkloadCount {
            placed: placement.workloads.len(),
            given: input.workloads.len(),
        });
    }
    let pairs: Vec<(&Workload, &WorkloadPlacement)> =
        input.workloads.iter().zip(&placement.workloads).collect();
    // GPUs every workload holds per region, from its routes: capacity, and what was free for it.
    let holdings: Vec<BTreeMap<RegionId, f64>> =
        pairs.iter().map(|(w, p)| holding(ctx, w, p)).collect();
    let mut held: BTreeMap<RegionId, f64> = BTreeMap::new();
    for h in &holdings {
        for (&r, &g) in h {
            *held.entry(r).or_default() += g;
        }
    }
    for ((w, p), mine) in pairs.iter().zip(&holdings) {
        if p.name != w.name {
            out.push(Violation::WorkloadName {
                workload: w.name.clone(),
                reported: p.name.clone(),
            });
            continue;
        }
        let check = WorkloadCheck {
            ctx,
            input,
            w,
            p,
            tenant,
            held: &held,
            mine,
        };
        check.run(&mut out);
    }
    for (r, g) in held {
        let cap = input.capacity[r.index()];
        if g > cap + 1e-6 * cap.max(1.0) {
            out.push(Violation::OverCapacity {
                region: ctx.world.region(r).key(),
                held: g,
                capacity: cap,
            });
        }
    }
    check_totals(placement, &mut out);
    out
}

/// The GPUs a workload's routes hold per region (unknown countries and regions skipped; they are
/// reported by the route checks).
fn holding(ctx: Context<'_>, w: &Workload, p: &WorkloadPlacement) -> BTreeMap<RegionId, f64> {
    let mut out = BTreeMap::new();
    for route in &p.routes {
        let share = CountryCode::parse(&route.country)
            .and_then(|c| w.users.iter().find(|u| u.0 == c))
            .map_or(0.0, |u| u.1);
        for key in &route.regions {
            if let Ok(r) = ctx.world.find_region(key) {
                *out.entry(r).or_default() += gpus(w, share);
            }
        }
    }
    out
}

fn check_totals(placement: &Placement, out: &mut Vec<Violation>) {
    let count = |o: Outcome| {
        placement
            .workloads
            .iter()
            .filter(|w| w.outcome == o)
            .count()
    };
    let cost: f64 = placement.workloads.iter().map(|w| w.cost.total).sum();
    let recomputed = (
        count(Outcome::Placed),
        count(Outcome::Partial),
        count(Outcome::Unservable),
        cost,
    );
    let reported = (
        placement.placed,
        placement.partial,
        placement.unservable,
        placement.total_cost,
    );
    if reported.0 != recomputed.0
        || reported.1 != recomputed.1
        || reported.2 != recomputed.2
        || !close(reported.3, recomputed.3)
    {
        out.push(Violation::Totals {
            reported,
            recomputed,
        });
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// One workload's placement under check.
struct WorkloadCheck<'a> {
    ctx: Context<'a>,
    input: &'a Input,
    w: &'a Workload,
    p: &'a WorkloadPlacement,
    tenant: usize,
    /// GPUs held per region by all workloads.
    held: &'a BTreeMap<RegionId, f64>,
    /// GPUs held per region by this one.
    mine: &'a BTreeMap<RegionId, f64>,
}

/// What the route checks add up.
#[derive(Default)]
struct Tally {
    seen: BTreeSet<String>,
    met: f64,
    usage: f64,
    used: BTreeSet<RegionId>,
}

impl WorkloadCheck<'_> {
    fn workload(&self, problem: WorkloadProblem) -> Violation {
        Violation::Workload {
            workload: self.w.name.clone(),
            problem,
        }
    }

    fn run(&self, out: &mut Vec<Violation>) {
        let mut tally = Tally::default();
        for route in &self.p.routes {
            let mut problems = Vec::new();
            self.route(route, &mut tally, &mut problems);
            out.extend(problems.into_iter().map(|problem| Violation::Route {
                workload: self.w.name.clone(),
                country: route.country.clone(),
                problem,
            }));
        }
        self.unserved(&mut tally, out);
        self.outcome(&tally, out);
        self.cost(&tally, out);
    }

    /// One route: its country, its regions (allowed, available, distinct domains, within the
    /// target where it binds), and what it adds to the tally.
    fn route(&self, route: &crate::Route, tally: &mut Tally, out: &mut Vec<RouteProblem>) {
        let (ctx, w) = (self.ctx, self.w);
        let Some(c) = CountryCode::parse(&route.country) else {
            out.push(RouteProblem::NotACountry);
            return;
        };
        let Some(&(_, share)) = w.users.iter().find(|u| u.0 == c) else {
            out.push(RouteProblem::NoUsers);
            return;
        };
        let Some(row) = ctx.world.country_index(c) else {
            out.push(RouteProblem::UnknownCountry);
            return;
        };
        if !tally.seen.insert(route.country.clone()) {
            out.push(RouteProblem::RoutedTwice);
        }
        let Some(subject) = ctx.table.subject(c) else {
            out.push(RouteProblem::NoResidencyRow);
            return;
        };
        let copies = (w.survive + 1) as usize;
        if route.regions.len() != copies {
            out.push(RouteProblem::Copies {
                regions: route.regions.len(),
                survive: w.survive,
                needed: copies,
            });
        }
        let bound = self.bound(row, subject, share);
        if let Some(domains) = bound.filter(|_| !route.latency_bound) {
            out.push(RouteProblem::BoundDenied { domains });
        }
        let mut domains = BTreeSet::new();
        let mut figures_ok = route.p95_ms.len() == route.regions.len();
        for (k, key) in route.regions.iter().enumerate() {
            let Ok(r) = ctx.world.find_region(key) else {
                out.push(RouteProblem::UnknownRegion(key.clone()));
                continue;
            };
            self.region(r, key, k, subject, out);
            if !domains.insert(domain_of(ctx.world, w, r)) {
                out.push(RouteProblem::SameDomain(key.clone()));
            }
            let ms = ctx.latency.p95(row, r);
            figures_ok &= route
                .p95_ms
                .get(k)
                .is_some_and(|&f| (f - ms).abs() <= 0.051);
            if let Some(l) = &w.latency
                && (route.latency_bound || bound.is_some())
                && ms > l.p95_ms + 1e-6
            {
                out.push(RouteProblem::OverTarget {
                    region: key.clone(),
                    ms,
                    target: l.p95_ms,
                });
            }
            if k == 0 && w.latency.as_ref().is_none_or(|l| ms <= l.p95_ms + 1e-6) {
                tally.met += share;
            }
            tally.usage += usage_price(self.input, w, share) * self.input.factor[r.index()];
            tally.used.insert(r);
            if !self.p.regions.iter().any(|x| &x.region == key) {
                out.push(RouteProblem::NotInRegions(key.clone()));
            }
        }
        if !figures_ok {
            out.push(RouteProblem::Latencies {
                count: route.p95_ms.len(),
                regions: route.regions.len(),
            });
        }
    }

    /// Region `r` at `position` of a route: generally available, of an allowed provider, allowed
    /// for every class and action of the workload.
    fn region(
        &self,
        r: RegionId,
        key: &str,
        position: usize,
        subject: usize,
        out: &mut Vec<RouteProblem>,
    ) {
        let w = self.w;
        let region = self.ctx.world.region(r);
        if !region.is_ga() {
            out.push(RouteProblem::NotGa(key.to_string()));
        }
        if !w.providers.is_empty() && !w.providers.contains(&region.provider) {
            out.push(RouteProblem::ProviderNotAllowed(key.to_string()));
        }
        for &class in &w.classes {
            for &action in &w.actions {
                if !self
                    .ctx
                    .table
                    .allowed(self.tenant, class, subject, action)
                    .contains(r)
                {
                    out.push(RouteProblem::Forbidden {
                        region: key.to_string(),
                        position,
                        action,
                        class,
                    });
                }
            }
        }
    }

    /// Whether the latency target provably binds this country: enough failure domains of
    /// allowed candidate regions within the target had room for its share whatever the order of
    /// placement (room counted as capacity less what the other workloads hold in the end).
    /// `Some(domains)` when it binds.
    fn bound(&self, row: CountryIdx, subject: usize, share: f64) -> Option<usize> {
        let (ctx, w) = (self.ctx, self.w);
        let target = w.latency.as_ref()?.p95_ms;
        let need = gpus(w, share);
        let mut domains = BTreeSet::new();
        for r in ctx.world.region_ids() {
            let region = ctx.world.region(r);
            if !region.is_ga()
                || !(w.providers.is_empty() || w.providers.contains(&region.provider))
                || ctx.latency.p95(row, r) > target
            {
                continue;
            }
            let allowed = w.classes.iter().all(|&class| {
                w.actions.iter().all(|&action| {
                    ctx.table
                        .allowed(self.tenant, class, subject, action)
                        .contains(r)
                })
            });
            let others = self.held.get(&r).copied().unwrap_or(0.0)
                - self.mine.get(&r).copied().unwrap_or(0.0);
            let room = self.input.capacity[r.index()] - others.max(0.0);
            if allowed && room >= need * (1.0 + 1e-9) + 1e-9 {
                domains.insert(domain_of(ctx.world, w, r));
            }
        }
        (domains.len() > w.survive as usize).then_some(domains.len())
    }

    fn unserved(&self, tally: &mut Tally, out: &mut Vec<Violation>) {
        for u in &self.p.unserved {
            if !tally.seen.insert(u.country.clone()) {
                out.push(self.workload(WorkloadProblem::RoutedAndUnserved(u.country.clone())));
            }
            if u.reason.is_empty() {
                out.push(self.workload(WorkloadProblem::UnservedWithoutReason(u.country.clone())));
            }
            let known = CountryCode::parse(&u.country)
                .is_some_and(|c| self.w.users.iter().any(|x| x.0 == c));
            if !known {
                out.push(self.workload(WorkloadProblem::UnservedWithoutUsers(u.country.clone())));
            }
        }
    }

    /// The outcome follows from the routes: none is unservable (with a reason), some with every
    /// country accounted for is placed or partly placed; the latency promise holds for those.
    fn outcome(&self, tally: &Tally, out: &mut Vec<Violation>) {
        let (w, p) = (self.w, self.p);
        let recomputed = if p.routes.is_empty() {
            Outcome::Unservable
        } else if p.unserved.is_empty() {
            Outcome::Placed
        } else {
            Outcome::Partial
        };
        if p.outcome != recomputed {
            out.push(self.workload(WorkloadProblem::Outcome {
                reported: p.outcome,
                recomputed,
            }));
        }
        if recomputed == Outcome::Unservable {
            if p.problems.iter().all(String::is_empty) {
                out.push(self.workload(WorkloadProblem::NoReason));
            }
            return;
        }
        for (c, _) in &w.users {
            if !tally.seen.contains(c.as_str()) {
                out.push(self.workload(WorkloadProblem::Unaccounted(*c)));
            }
        }
        if let Some(l) = &w.latency
            && tally.met < l.share - 1e-9
        {
            out.push(self.workload(WorkloadProblem::LatencyShort {
                met: tally.met,
                promised: l.share,
            }));
        }
        if (p.latency_met - tally.met).abs() > 1e-9 {
            out.push(self.workload(WorkloadProblem::LatencyMet {
                reported: p.latency_met,
                recomputed: tally.met,
            }));
        }
    }

    fn cost(&self, tally: &Tally, out: &mut Vec<Violation>) {
        let input = self.input;
        let fixed: f64 = tally
            .used
            .iter()
            .map(|r| input.prices.fixed * input.factor[r.index()])
            .sum();
        let total = fixed + tally.usage;
        if !close(total, self.p.cost.total) || self.p.regions.len() != tally.used.len() {
            out.push(self.workload(WorkloadProblem::Cost {
                reported: self.p.cost.total,
                recomputed: total,
                used: tally.used.len(),
                listed: self.p.regions.len(),
            }));
        }
    }
}
