//! footprint-place: workloads onto regions that every applicable law and the tenant's policy
//! allow, within the latency promised, surviving the failures required, at least cost.
//!
//! Each workload becomes a capacitated facility location problem for [`footprint_solve`]:
//! facilities are the candidate regions (their fixed cost, their remaining GPU capacity, their
//! failure domain), customers are the user countries (their GPU need, `survive + 1` copies).
//! A pair is forbidden when the compiled residency table does not allow the region for that
//! country's data (every class, every action) or when it misses the latency target. Workloads
//! are placed one after another, largest first, each taking capacity from the regions it uses.
//!
//! Pure: takes the world, the compiled table and the latency matrix; returns data.

pub mod spec;
pub mod synthetic;
pub mod validate;

use footprint_geo::{LatLon, LatencyModel, haversine_km, population_points};
use footprint_model::{CountryCode, RegionId, World};
use footprint_policy::{Action, DataClass, Engine, Request, Table};
use footprint_solve::{Customer, Facility, Options, Problem, Sourcing, Status};
use serde::Serialize;

pub use spec::{FailureDomain, Input, SpecError, Workload};

/// p95 RTT from each country's users to each region, in ms.
#[derive(Debug, Clone)]
pub struct LatencyMatrix {
    regions: usize,
    /// Indexed by the country's position in `world.countries`, then RegionId.
    p95: Vec<f32>,
}

impl LatencyMatrix {
    /// The population-weighted 95th percentile of the modelled RTT from each country's
    /// population points to each region.
    pub fn build(world: &World, model: &LatencyModel) -> Self {
        let regions = world.regions.len();
        let mut p95 = Vec::with_capacity(world.countries.len() * regions);
        let mut samples: Vec<(f64, f64)> = Vec::new();
        for c in &world.countries {
            let points = population_points(world, c.code);
            for r in &world.regions {
                let at = LatLon::new(r.lat, r.lon);
                samples.clear();
                samples.extend(
                    points
                        .iter()
                        .map(|(p, w)| (model.rtt_for_km(haversine_km(*p, at)), *w)),
                );
                samples.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut acc = 0.0;
                let mut value = samples.last().map_or(0.0, |s| s.0);
                for &(rtt, w) in &samples {
                    acc += w;
                    if acc >= 0.95 - 1e-12 {
                        value = rtt;
                        break;
                    }
                }
                p95.push(value as f32);
            }
        }
        LatencyMatrix { regions, p95 }
    }

    /// p95 RTT in ms from the users of the country at `country` (its index in
    /// `world.countries`) to `region`.
    #[inline]
    pub fn p95(&self, country: usize, region: RegionId) -> f64 {
        f64::from(self.p95[country * self.regions + region.index()])
    }
}

/// What a placement reads.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub world: &'a World,
    pub engine: &'a Engine,
    pub table: &'a Table,
    pub latency: &'a LatencyMatrix,
}

/// The placement of every workload.
#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    pub tenant: String,
    pub workloads: Vec<WorkloadPlacement>,
    /// Monthly cost of all placed workloads.
    pub total_cost: f64,
    pub placed: usize,
    pub partial: usize,
    pub unservable: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every user country is served.
    Placed,
    /// Some user countries cannot be served compliantly; the rest are.
    Partial,
    /// Nothing can be placed; `problems` says why.
    Unservable,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadPlacement {
    pub name: String,
    pub outcome: Outcome,
    pub regions: Vec<RegionRole>,
    pub routes: Vec<Route>,
    pub cost: Cost,
    /// The workload's target: p95 RTT in ms, and the share of users it must hold for.
    pub latency_target: Option<(f64, f64)>,
    /// Share of users whose primary region meets the latency target (the served share, without
    /// a target).
    pub latency_met: f64,
    pub unserved: Vec<Unserved>,
    /// Workload-wide reasons it could not be placed (latency, capacity).
    pub problems: Vec<String>,
    pub solver: SolverReport,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionRole {
    pub region: String,
    /// Countries whose first choice this region is.
    pub primary_for: Vec<String>,
    /// Countries that fail over to it.
    pub failover_for: Vec<String>,
    /// GPUs held here for this workload.
    pub gpus: f64,
}

/// One country's route: where its users' requests and data go, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub country: String,
    pub share: f64,
    /// Regions in order of preference; every one allowed for this country's data.
    pub regions: Vec<String>,
    /// p95 RTT from the country's users to each region of `regions`, ms.
    pub p95_ms: Vec<f64>,
    /// Whether the latency target applies to this country (false when no allowed region can
    /// meet it and the workload's share allows it to miss).
    pub latency_bound: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Cost {
    /// Deployments: one per region used.
    pub fixed: f64,
    /// Capacity held (requests, tokens, storage) in every region of every route.
    pub usage: f64,
    pub total: f64,
}

/// A country that cannot be served compliantly, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Unserved {
    pub country: String,
    pub share: f64,
    pub reason: String,
    /// The rules that forbid the candidate regions, most frequent first.
    pub rules: Vec<RuleRef>,
    /// What is missing, e.g. a region of an allowed provider in this country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleRef {
    pub id: String,
    pub law: String,
    pub article: String,
    pub source: String,
    /// How many candidate regions it forbids.
    pub regions: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SolverReport {
    pub status: String,
    pub objective: f64,
    pub lower_bound: f64,
    pub gap: f64,
}

/// Places every workload, calling `progress(done, total)` as it goes.
pub fn place(ctx: Context<'_>, input: &Input, mut progress: impl FnMut(usize, usize)) -> Placement {
    let tenant = ctx.table.tenant(&input.tenant);
    let mut residual = input.capacity.clone();
    // Largest first: they have the fewest options once capacity runs short.
    let mut order: Vec<usize> = (0..input.workloads.len()).collect();
    order.sort_by(|&a, &b| {
        gpus(&input.workloads[b], 1.0)
            .total_cmp(&gpus(&input.workloads[a], 1.0))
            .then(a.cmp(&b))
    });
    let total = input.workloads.len();
    let one = |k: usize, residual: &mut [f64], explained: &mut Explained| match tenant {
        Some(t) => place_one(ctx, input, &input.workloads[k], t, residual, explained),
        None => unservable(
            &input.workloads[k],
            format!(
                "tenant {:?} is not in the compiled residency table",
                input.tenant
            ),
        ),
    };
    let mut out: Vec<Option<WorkloadPlacement>> = vec![None; total];
    let shared_capacity = input.capacity.iter().any(|c| c.is_finite());
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(16);
    if shared_capacity || threads == 1 || total < 64 {
        // Workloads compete for capacity: one after another, in order.
        let mut explained = Explained::default();
        for (done, &k) in order.iter().enumerate() {
            out[k] = Some(one(k, &mut residual, &mut explained));
            progress(done + 1, total);
        }
    } else {
        // Unlimited capacity: workloads are independent, so place them on every core. The
        // answer is the same as one after another.
        let done = std::sync::atomic::AtomicUsize::new(0);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results = std::sync::Mutex::new(&mut out);
        let alive = std::sync::atomic::AtomicUsize::new(threads);
        /// Counts a worker out even if it panics, so the progress loop cannot wait forever.
        struct Leaving<'a>(&'a std::sync::atomic::AtomicUsize);
        impl Drop for Leaving<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    let _leaving = Leaving(&alive);
                    let mut explained = Explained::default();
                    let mut residual = input.capacity.clone();
                    loop {
                        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&k) = order.get(n) else { break };
                        let placed = one(k, &mut residual, &mut explained);
                        if let Ok(mut r) = results.lock() {
                            r[k] = Some(placed);
                        }
                        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                });
            }
            // Report progress from this thread while the workers run.
            loop {
                let d = done.load(std::sync::atomic::Ordering::Relaxed);
                progress(d, total);
                if d >= total || alive.load(std::sync::atomic::Ordering::Relaxed) == 0 {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        });
    }
    let workloads: Vec<WorkloadPlacement> = out.into_iter().flatten().collect();
    let count = |o: Outcome| workloads.iter().filter(|w| w.outcome == o).count();
    Placement {
        tenant: input.tenant.clone(),
        total_cost: workloads.iter().map(|w| w.cost.total).sum(),
        placed: count(Outcome::Placed),
        partial: count(Outcome::Partial),
        unservable: count(Outcome::Unservable),
        workloads,
    }
}

/// GPUs a country with `share` of the workload's users needs for one copy.
pub fn gpus(w: &Workload, share: f64) -> f64 {
    w.demand.tokens_per_s * share / 1000.0 * w.gpus_per_1k_tokens_s
}

/// The monthly usage price of one copy of a country's share of the workload, before the
/// region's factor.
pub fn usage_price(input: &Input, w: &Workload, share: f64) -> f64 {
    let p = &input.prices;
    share
        * (w.demand.requests_per_s * p.per_rps
            + w.demand.tokens_per_s * p.per_token_s
            + w.demand.storage_gb * p.per_gb)
}

/// The failure domain of a region under the workload's definition.
pub fn domain_of(world: &World, w: &Workload, r: RegionId) -> u32 {
    let region = world.region(r);
    match w.failure_domain {
        FailureDomain::Region => r.0,
        FailureDomain::Country => {
            let b = region.country.as_str().as_bytes();
            u32::from(b[0]) << 8 | u32::from(b[1])
        }
        FailureDomain::Provider => world
            .providers
            .iter()
            .position(|p| p.id == region.provider)
            .map_or(u32::MAX, |i| i as u32),
    }
}

/// Whether region `r` may hold and serve this workload's data for users in `subject`
/// (its position in the table): every class, every action.
pub fn allowed(ctx: Context<'_>, w: &Workload, tenant: usize, subject: usize, r: RegionId) -> bool {
    w.classes.iter().all(|&class| {
        w.actions.iter().all(|&action| {
            ctx.table
                .allowed(tenant, class, subject, action)
                .contains(r)
        })
    })
}

/// Regions a workload may consider at all: generally available, of an allowed provider.
pub fn candidates(world: &World, w: &Workload) -> Vec<RegionId> {
    world
        .region_ids()
        .filter(|&r| {
            let region = world.region(r);
            region.is_ga() && (w.providers.is_empty() || w.providers.contains(&region.provider))
        })
        .collect()
}

fn unservable(w: &Workload, problem: String) -> WorkloadPlacement {
    WorkloadPlacement {
        name: w.name.clone(),
        outcome: Outcome::Unservable,
        regions: Vec::new(),
        routes: Vec::new(),
        cost: Cost::default(),
        latency_target: w.latency.as_ref().map(|l| (l.p95_ms, l.share)),
        latency_met: 0.0,
        unserved: Vec::new(),
        problems: vec![problem],
        solver: SolverReport::default(),
    }
}

fn country_index(world: &World, c: CountryCode) -> usize {
    world
        .countries
        .binary_search_by(|x| x.code.cmp(&c))
        .unwrap_or(0)
}

/// Explanations already worked out, by (country, classes, actions, providers, allowed regions):
/// many workloads share them.
type Explained = std::collections::HashMap<
    (
        CountryCode,
        Vec<DataClass>,
        Vec<Action>,
        Vec<String>,
        Vec<RegionId>,
    ),
    Unserved,
>;

fn place_one(
    ctx: Context<'_>,
    input: &Input,
    w: &Workload,
    tenant: usize,
    residual: &mut [f64],
    explained: &mut Explained,
) -> WorkloadPlacement {
    let world = ctx.world;
    let copies = w.survive + 1;
    let all = candidates(world, w);
    let target = w.latency.as_ref().map(|l| l.p95_ms);
    // Per country: the allowed candidates, and whether it can meet the latency target.
    let mut served: Vec<(CountryCode, f64, Vec<RegionId>, bool)> = Vec::new();
    let mut unserved = Vec::new();
    for &(c, share) in &w.users {
        let Some(subject) = ctx.table.subject(c) else {
            unserved.push(Unserved {
                country: c.to_string(),
                share,
                reason: "the residency table has no row for this country; refused (fail closed)"
                    .into(),
                rules: Vec::new(),
                missing: None,
            });
            continue;
        };
        let need = gpus(w, share);
        let ci = country_index(world, c);
        let ok: Vec<RegionId> = all
            .iter()
            .copied()
            .filter(|&r| allowed(ctx, w, tenant, subject, r) && residual[r.index()] >= need)
            .collect();
        let domains = distinct(ok.iter().map(|&r| domain_of(world, w, r)));
        if domains < copies as usize {
            let key = (
                c,
                w.classes.clone(),
                w.actions.clone(),
                w.providers.clone(),
                ok.clone(),
            );
            let u = explained
                .entry(key)
                .or_insert_with(|| explain_unserved(ctx, w, tenant, c, share, &all, &ok, copies));
            unserved.push(Unserved { share, ..u.clone() });
            continue;
        }
        let near = match target {
            Some(t) => {
                distinct(
                    ok.iter()
                        .filter(|&&r| ctx.latency.p95(ci, r) <= t)
                        .map(|&r| domain_of(world, w, r)),
                ) >= copies as usize
            }
            None => true,
        };
        served.push((c, share, ok, near));
    }
    // Countries that cannot meet the target may miss it, within the share the target allows.
    let mut problems = Vec::new();
    if let Some(l) = &w.latency {
        let missing: f64 = served.iter().filter(|s| !s.3).map(|s| s.1).sum::<f64>()
            + unserved.iter().map(|u| u.share).sum::<f64>();
        if missing > 1.0 - l.share + 1e-9 {
            let mut far: Vec<String> = served
                .iter()
                .filter(|s| !s.3)
                .map(|s| {
                    let ci = country_index(world, s.0);
                    let best =
                        s.2.iter()
                            .map(|&r| (ctx.latency.p95(ci, r), r))
                            .min_by(|a, b| a.0.total_cmp(&b.0));
                    match best {
                        Some((ms, r)) => format!(
                            "{} ({:.1}% of users; nearest allowed region {} at {:.0} ms)",
                            s.0,
                            s.1 * 100.0,
                            world.region(r).key(),
                            ms
                        ),
                        None => s.0.to_string(),
                    }
                })
                .collect();
            far.truncate(12);
            problems.push(format!(
                "latency target p95 <= {} ms for {:.1}% of users cannot be met: {:.1}% of users have no {} allowed region{} within it{}{}",
                l.p95_ms,
                l.share * 100.0,
                missing * 100.0,
                if copies > 1 { format!("{copies} failure domains of") } else { "".into() },
                if copies > 1 { "s" } else { "" },
                if far.is_empty() { String::new() } else { format!(": {}", far.join("; ")) },
                if unserved.is_empty() { "" } else { " (unserved countries count as missing)" },
            ));
        }
    }
    if served.is_empty() && problems.is_empty() {
        problems.push("no user country can be served compliantly".into());
    }
    if !problems.is_empty() {
        return WorkloadPlacement {
            unserved,
            ..unservable(w, problems.remove(0))
        };
    }
    // The facility location problem over the regions any served country may use.
    let mut used = vec![false; world.regions.len()];
    for s in &served {
        for &r in &s.2 {
            if !s.3 || target.is_none_or(|t| ctx.latency.p95(country_index(world, s.0), r) <= t) {
                used[r.index()] = true;
            }
        }
    }
    let regions: Vec<RegionId> = all.iter().copied().filter(|r| used[r.index()]).collect();
    let m = regions.len();
    let facilities: Vec<Facility> = regions
        .iter()
        .map(|&r| Facility {
            capacity: residual[r.index()],
            fixed_cost: input.prices.fixed * input.factor[r.index()],
            domain: domain_of(world, w, r),
        })
        .collect();
    let customers: Vec<Customer> = served
        .iter()
        .map(|s| Customer {
            demand: gpus(w, s.1),
            copies,
        })
        .collect();
    let mut cost = vec![f64::INFINITY; served.len() * m];
    for (j, s) in served.iter().enumerate() {
        let ci = country_index(world, s.0);
        let usage = usage_price(input, w, s.1);
        let mut ok = s.2.iter().peekable();
        for (i, &r) in regions.iter().enumerate() {
            while ok.peek().is_some_and(|&&x| x < r) {
                ok.next();
            }
            if ok.peek() != Some(&&r) {
                continue;
            }
            let ms = ctx.latency.p95(ci, r);
            if s.3 && target.is_some_and(|t| ms > t) {
                continue;
            }
            cost[j * m + i] = usage * input.factor[r.index()] + input.prices.per_ms * s.1 * ms;
        }
    }
    let problem = match Problem::new(facilities, customers, cost, Sourcing::Single) {
        Ok(p) => p,
        Err(e) => return unservable(w, format!("internal: {e}")),
    };
    let options = Options {
        iterations: 120,
        search_rounds: 0,
        nodes: 0,
        time_limit: 2.0,
        ..Options::default()
    };
    let outcome = footprint_solve::solve(&problem, &options);
    let solver = SolverReport {
        status: outcome.status.to_string(),
        objective: outcome.objective,
        lower_bound: outcome.lower_bound,
        gap: outcome.gap,
    };
    let Some(solution) = outcome
        .solution
        .as_ref()
        .filter(|_| matches!(outcome.status, Status::Optimal | Status::Feasible))
    else {
        let why = outcome
            .infeasible
            .clone()
            .unwrap_or_else(|| "no assignment found within the regions' remaining capacity".into());
        return WorkloadPlacement {
            unserved,
            solver,
            ..unservable(w, format!("capacity: {why}"))
        };
    };
    // Routes: each country's regions, nearest first.
    let mut routes = Vec::new();
    let mut roles: Vec<(RegionId, Vec<String>, Vec<String>, f64)> = Vec::new();
    let mut usage_total = 0.0;
    let mut met = 0.0;
    for (j, s) in served.iter().enumerate() {
        let ci = country_index(world, s.0);
        let mut rs: Vec<RegionId> = solution.assignment[j]
            .iter()
            .map(|&(i, _)| regions[i as usize])
            .collect();
        rs.sort_by(|&a, &b| {
            ctx.latency
                .p95(ci, a)
                .total_cmp(&ctx.latency.p95(ci, b))
                .then(a.cmp(&b))
        });
        let need = gpus(w, s.1);
        for (k, &r) in rs.iter().enumerate() {
            usage_total += usage_price(input, w, s.1) * input.factor[r.index()];
            residual[r.index()] -= need;
            let slot = match roles.iter().position(|x| x.0 == r) {
                Some(p) => p,
                None => {
                    roles.push((r, Vec::new(), Vec::new(), 0.0));
                    roles.len() - 1
                }
            };
            roles[slot].3 += need;
            if k == 0 {
                roles[slot].1.push(s.0.to_string());
            } else {
                roles[slot].2.push(s.0.to_string());
            }
        }
        let p95: Vec<f64> = rs.iter().map(|&r| round1(ctx.latency.p95(ci, r))).collect();
        if target.is_none_or(|t| rs.first().is_some_and(|&r| ctx.latency.p95(ci, r) <= t)) {
            met += s.1;
        }
        routes.push(Route {
            country: s.0.to_string(),
            share: s.1,
            regions: rs.iter().map(|&r| world.region(r).key()).collect(),
            p95_ms: p95,
            latency_bound: s.3 && target.is_some(),
        });
    }
    roles.sort_by_key(|r| r.0);
    let fixed: f64 = roles
        .iter()
        .map(|r| input.prices.fixed * input.factor[r.0.index()])
        .sum();
    WorkloadPlacement {
        name: w.name.clone(),
        outcome: if unserved.is_empty() {
            Outcome::Placed
        } else {
            Outcome::Partial
        },
        regions: roles
            .into_iter()
            .map(|(r, p, f, g)| RegionRole {
                region: world.region(r).key(),
                primary_for: p,
                failover_for: f,
                gpus: g,
            })
            .collect(),
        routes,
        cost: Cost {
            fixed,
            usage: usage_total,
            total: fixed + usage_total,
        },
        latency_target: w.latency.as_ref().map(|l| (l.p95_ms, l.share)),
        latency_met: met,
        unserved,
        problems: Vec::new(),
        solver,
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn distinct(it: impl Iterator<Item = u32>) -> usize {
    let mut v: Vec<u32> = it.collect();
    v.sort_unstable();
    v.dedup();
    v.len()
}

/// Why a country cannot be served: the rules that forbid the candidate regions, and what is
/// missing.
#[allow(clippy::too_many_arguments)]
fn explain_unserved(
    ctx: Context<'_>,
    w: &Workload,
    tenant: usize,
    c: CountryCode,
    share: f64,
    all: &[RegionId],
    ok: &[RegionId],
    copies: u32,
) -> Unserved {
    let world = ctx.world;
    let tenant_id = ctx.table.tenants()[tenant].id.clone();
    let mut counts: Vec<(usize, usize)> = Vec::new(); // (rule index, regions)
    // Regions the law allows but that lack room (capacity) for this country's share.
    let mut full: Vec<RegionId> = Vec::new();
    for &r in all.iter().filter(|r| !ok.contains(r)) {
        let mut refused = false;
        // The first class and action that refuse this region, explained.
        'found: for &class in &w.classes {
            for &action in &w.actions {
                let request = Request {
                    tenant: &tenant_id,
                    class,
                    subject: c,
                    action,
                    mechanisms: ctx.table.tenants()[tenant].mechanisms,
                    region: r,
                };
                let Ok(e) = ctx.engine.explain(&request) else {
                    continue;
                };
                if e.allowed {
                    continue;
                }
                for rule in e.forbidden_by.iter().chain(e.errors.iter().map(|x| &x.0)) {
                    match counts.iter_mut().find(|x| x.0 == *rule) {
                        Some(x) => x.1 += 1,
                        None => counts.push((*rule, 1)),
                    }
                }
                refused = true;
                break 'found;
            }
        }
        if !refused {
            full.push(r);
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let rules: Vec<RuleRef> = counts
        .iter()
        .take(5)
        .map(|&(k, n)| {
            let rule = &ctx.engine.rules()[k];
            let cite = rule.citation.as_ref();
            RuleRef {
                id: rule.id.clone(),
                law: cite.map_or_else(|| format!("tenant policy {}", rule.file), |c| c.law.clone()),
                article: cite.map_or_else(|| format!("line {}", rule.line), |c| c.article.clone()),
                source: cite.map_or_else(String::new, |c| c.source.clone()),
                regions: n,
            }
        })
        .collect();
    let in_country = all.iter().any(|&r| world.region(r).country == c);
    let providers = if w.providers.is_empty() {
        "any provider".to_string()
    } else {
        w.providers.join(", ")
    };
    let name = world.country(c).map_or(c.to_string(), |x| x.name.clone());
    let missing =
        (!in_country).then(|| format!("a generally available region of {providers} in {name}"));
    let keys = |rs: &[RegionId]| -> String {
        let mut k: Vec<String> = rs.iter().take(6).map(|&r| world.region(r).key()).collect();
        if rs.len() > 6 {
            k.push(format!("and {} more", rs.len() - 6));
        }
        k.join(", ")
    };
    let reason = if ok.is_empty() && !full.is_empty() {
        format!(
            "the regions allowed for this data from {name} have no GPU capacity left for it: {}",
            keys(&full)
        )
    } else if ok.is_empty() {
        format!(
            "none of the {} candidate regions ({providers}) is allowed for this data from {name}{}",
            all.len(),
            if all.is_empty() {
                ""
            } else {
                " under the rules below"
            }
        )
    } else {
        format!(
            "needs {copies} regions in distinct {} failure domains with room for it; allowed with room are only {}{}",
            match w.failure_domain {
                FailureDomain::Region => "region",
                FailureDomain::Country => "country",
                FailureDomain::Provider => "provider",
            },
            keys(ok),
            if full.is_empty() {
                String::new()
            } else {
                format!(" ({} more allowed but full)", full.len())
            }
        )
    };
    Unserved {
        country: c.to_string(),
        share,
        reason,
        rules,
        missing,
    }
}

/// Action words for reports.
pub fn action_words(actions: &[Action]) -> Vec<&'static str> {
    actions.iter().map(|a| a.as_str()).collect()
}
