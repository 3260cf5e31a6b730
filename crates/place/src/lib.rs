//! footprint-place: workloads onto regions that every applicable law and the tenant's policy
//! allow, within the latency promised, surviving the failures required, at least cost.
//!
//! Each workload becomes a capacitated facility location problem for [`footprint_solve`]:
//! facilities are the candidate regions (their fixed cost, their remaining GPU capacity, their
//! failure domain), customers are the user countries (their GPU need, `survive + 1` copies).
//! A pair is forbidden when the compiled residency table does not allow the region for that
//! country's data (every class, every action) or when it misses the latency target. Workloads
//! are placed one after another, largest first, each taking capacity from the regions it uses;
//! when no region's capacity is limited they are independent and placed in parallel (rayon), with
//! the same answer whatever the number of threads.
//!
//! Pure: takes the world, the compiled table and the latency matrix; returns data.

mod error;
mod explain;
mod placer;
pub mod spec;
pub mod synthetic;
pub mod tenant;
pub mod validate;

use footprint_geo::LatencyMatrix;
use footprint_model::{RegionId, World};
use footprint_policy::{Action, Engine, Table};
use serde::Serialize;

pub use error::PlaceError;
pub use placer::place;
pub use spec::{FailureDomain, Input, SpecError, Workload, WorkloadFileError};
pub use validate::Violation;

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

pub(crate) fn unservable(w: &Workload, problem: String) -> WorkloadPlacement {
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

pub(crate) fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// How many distinct values.
pub(crate) fn distinct(it: impl Iterator<Item = u32>) -> usize {
    let mut v: Vec<u32> = it.collect();
    v.sort_unstable();
    v.dedup();
    v.len()
}

/// Action words for reports.
pub fn action_words(actions: &[Action]) -> Vec<&'static str> {
    actions.iter().map(|a| a.as_str()).collect()
}
