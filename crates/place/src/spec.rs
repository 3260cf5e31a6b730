//! The workload file (TOML): what to place, checked against the catalog and the policy schema.
//! Every error names the workload and the field.

use std::collections::BTreeMap;

use footprint_model::{CountryCode, RegionId, World};
use footprint_policy::{Action, DataClass, Mechanisms};
use serde::Deserialize;

/// The file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// The tenant whose policies apply (its Cedar files are passed separately).
    #[serde(default)]
    pub tenant: Option<String>,
    /// Transfer mechanisms the tenant has in place (e.g. "scc", "bcr").
    #[serde(default)]
    pub mechanisms: Vec<String>,
    #[serde(default)]
    pub prices: Prices,
    /// Region capacity in GPUs, shared by all workloads: `"aws:us-east-1" = 64`.
    #[serde(default)]
    pub capacity: BTreeMap<String, f64>,
    #[serde(default, rename = "workload")]
    pub workloads: Vec<WorkloadSpec>,
}

/// Prices per month; every region's prices are multiplied by its provider's and its own factor.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    /// Running one deployment of a workload in a region.
    #[serde(default = "default_fixed")]
    pub fixed: f64,
    /// Per request/s of capacity held.
    #[serde(default = "default_per_rps")]
    pub per_rps: f64,
    /// Per token/s of capacity held.
    #[serde(default = "default_per_token")]
    pub per_token_s: f64,
    /// Per GB of storage held (every copy holds all of it).
    #[serde(default = "default_per_gb")]
    pub per_gb: f64,
    /// What one millisecond of primary RTT for all of a workload's users is worth; breaks ties
    /// between equally priced regions in favour of nearer ones.
    #[serde(default = "default_per_ms")]
    pub per_ms: f64,
    /// Multipliers by provider id.
    #[serde(default)]
    pub provider: BTreeMap<String, f64>,
    /// Multipliers by region (`provider:code`).
    #[serde(default)]
    pub region: BTreeMap<String, f64>,
}

fn default_fixed() -> f64 {
    1000.0
}
fn default_per_rps() -> f64 {
    2.0
}
fn default_per_token() -> f64 {
    0.05
}
fn default_per_gb() -> f64 {
    0.02
}
fn default_per_ms() -> f64 {
    1.0
}

impl Default for Prices {
    fn default() -> Self {
        Prices {
            fixed: default_fixed(),
            per_rps: default_per_rps(),
            per_token_s: default_per_token(),
            per_gb: default_per_gb(),
            per_ms: default_per_ms(),
            provider: BTreeMap::new(),
            region: BTreeMap::new(),
        }
    }
}

/// One workload as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    pub name: String,
    /// Data classes it holds (words of the policy schema: personal, health, ...).
    pub classes: Vec<String>,
    /// Users by country as counts...
    #[serde(default)]
    pub users: BTreeMap<String, f64>,
    /// ...or as shares that add up to 1.
    #[serde(default)]
    pub user_shares: BTreeMap<String, f64>,
    #[serde(default)]
    pub demand: Demand,
    #[serde(default)]
    pub latency: Option<LatencyTarget>,
    /// Region failures to survive: each country gets this many failover regions.
    #[serde(default)]
    pub survive: u32,
    /// What counts as one failure: "region" (default), "country" or "provider".
    #[serde(default)]
    pub failure_domain: Option<String>,
    /// Allowed providers (default: all).
    #[serde(default)]
    pub providers: Option<Vec<String>>,
    /// GPUs needed per 1,000 tokens/s of demand (capacity needs).
    #[serde(default)]
    pub gpus_per_1k_tokens_s: f64,
    /// Whether backups or archives of its data are kept (each route region then must allow
    /// `backup`).
    #[serde(default)]
    pub backups: bool,
    /// Residency actions to check beyond the ones its declarations imply (see
    /// [`implied_actions`]); the list adds, never removes.
    #[serde(default)]
    pub actions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demand {
    #[serde(default)]
    pub requests_per_s: f64,
    #[serde(default)]
    pub tokens_per_s: f64,
    #[serde(default)]
    pub storage_gb: f64,
}

/// p95 RTT at most `p95_ms` for at least `share` of users.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyTarget {
    pub p95_ms: f64,
    #[serde(default = "one")]
    pub share: f64,
}

fn one() -> f64 {
    1.0
}

/// What a failure takes down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureDomain {
    Region,
    Country,
    Provider,
}

/// A checked workload: codes resolved, shares normalised.
#[derive(Debug, Clone)]
pub struct Workload {
    pub name: String,
    pub classes: Vec<DataClass>,
    /// (country, share of users), shares summing to 1, sorted by country.
    pub users: Vec<(CountryCode, f64)>,
    pub demand: Demand,
    pub latency: Option<LatencyTarget>,
    pub survive: u32,
    pub failure_domain: FailureDomain,
    /// Allowed provider ids; empty means all.
    pub providers: Vec<String>,
    pub gpus_per_1k_tokens_s: f64,
    pub actions: Vec<Action>,
}

/// The checked input of a placement.
#[derive(Debug, Clone)]
pub struct Input {
    pub tenant: String,
    pub mechanisms: Mechanisms,
    pub prices: Prices,
    /// Price multiplier per region (provider factor x region factor), indexed by RegionId.
    pub factor: Vec<f64>,
    /// GPU capacity per region (infinite unless given), indexed by RegionId.
    pub capacity: Vec<f64>,
    pub workloads: Vec<Workload>,
}

/// The largest number a workload file may give (counts, demand, prices, factors, capacity): far
/// beyond any real workload, and small enough that every price, share and GPU count derived from
/// them stays finite.
pub const LIMIT: f64 = 1e12;

/// One problem in a workload file: where (the workload and field, or the file's section, or the
/// line of a syntax error) and what.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct SpecError {
    pub location: String,
    pub message: String,
}

/// A refused workload file: every problem found in it. Bad input data (exit code 3 in the cli).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct WorkloadFileError {
    /// The file, as the caller named it.
    pub origin: String,
    pub problems: Vec<SpecError>,
}

impl std::fmt::Display for WorkloadFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{n} problem{} in the workload file; nothing was placed:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            if p.location.starts_with(&self.origin) {
                write!(f, "\n  {p}")?;
            } else {
                write!(f, "\n  {}: {p}", self.origin)?;
            }
        }
        Ok(())
    }
}

fn err(location: impl Into<String>, message: impl Into<String>) -> SpecError {
    SpecError {
        location: location.into(),
        message: message.into(),
    }
}

/// A number as the user would write it: huge ones in exponent form.
fn show(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e15 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// A number of the file: finite, >= 0 and at most [`LIMIT`].
fn number(location: &str, v: f64) -> Result<f64, SpecError> {
    if !(v.is_finite() && v >= 0.0) {
        Err(err(location, format!("{} is not a number >= 0", show(v))))
    } else if v > LIMIT {
        Err(err(
            location,
            format!(
                "{} is larger than footprint accepts (at most {LIMIT:e})",
                show(v)
            ),
        ))
    } else {
        Ok(v)
    }
}

/// Parses and checks a workload file. `origin` names it in errors.
pub fn parse(world: &World, origin: &str, text: &str) -> Result<Input, WorkloadFileError> {
    let file: File = toml::from_str(text).map_err(|e| {
        let location = match e.span() {
            Some(span) => {
                let line = text.get(..span.start).unwrap_or(text).matches('\n').count() + 1;
                format!("{origin}:{line}")
            }
            None => origin.to_string(),
        };
        WorkloadFileError {
            origin: origin.to_string(),
            problems: vec![err(location, e.message().to_string())],
        }
    })?;
    check(world, file).map_err(|problems| WorkloadFileError {
        origin: origin.to_string(),
        problems,
    })
}

/// What a workload does, from what it declares: it stores its data when it declares storage
/// (`storage_gb` > 0), backs it up when it says it keeps backups, replicates it when it survives
/// failures (every failover region holds a live copy), and processes it, writing logs and
/// telemetry about it, where it serves requests or tokens. A workload that declares no demand at
/// all is taken to store, process and log (fail closed). A declared `actions` list is added to
/// these; it never removes one.
pub fn implied_actions(demand: &Demand, survive: u32, backups: bool) -> Vec<Action> {
    let serves = demand.requests_per_s > 0.0 || demand.tokens_per_s > 0.0;
    let stores = demand.storage_gb > 0.0;
    let unknown = !serves && !stores;
    let mut out = Vec::new();
    if stores || unknown {
        out.push(Action::Store);
    }
    if survive > 0 {
        out.push(Action::Replicate);
    }
    if backups {
        out.push(Action::Backup);
    }
    if serves || unknown {
        out.push(Action::Process);
        out.push(Action::Log);
    }
    out
}

/// Checks a parsed file against the catalog and the policy schema, reporting every problem.
pub fn check(world: &World, file: File) -> Result<Input, Vec<SpecError>> {
    let mut problems = Vec::new();
    let mechanisms = check_mechanisms(&file.mechanisms, &mut problems);
    let factor = check_prices(world, &file.prices, &mut problems);
    let capacity = check_capacity(world, &file.capacity, &mut problems);
    if file.workloads.is_empty() {
        problems.push(err("workload", "the file has no [[workload]]"));
    }
    let mut names = std::collections::BTreeSet::new();
    let mut workloads = Vec::new();
    for (k, w) in file.workloads.into_iter().enumerate() {
        let name = w.name.clone();
        let at = |field: &str| {
            if name.is_empty() {
                format!("workload[{k}].{field}")
            } else {
                format!("workload {name:?}.{field}")
            }
        };
        if w.name.trim().is_empty() {
            problems.push(err(at("name"), "a workload needs a name"));
        } else if !names.insert(w.name.clone()) {
            problems.push(err(at("name"), "two workloads have this name"));
        }
        if let Some(workload) = check_workload(world, &at, w, &mut problems) {
            workloads.push(workload);
        }
    }
    let mut input = Input {
        tenant: file.tenant.unwrap_or_else(|| "default".into()),
        mechanisms,
        prices: file.prices,
        factor,
        capacity,
        workloads,
    };
    if problems.is_empty() {
        check_derived(&input, &mut problems);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    input.workloads.shrink_to_fit();
    Ok(input)
}

fn check_mechanisms(words: &[String], problems: &mut Vec<SpecError>) -> Mechanisms {
    let mut mechanisms = Mechanisms::NONE;
    for (k, m) in words.iter().enumerate() {
        match footprint_policy::Mechanism::parse(m) {
            Ok(m) => mechanisms = mechanisms.with(m),
            Err(e) => problems.push(err(format!("mechanisms[{k}]"), e.to_string())),
        }
    }
    mechanisms
}

fn region_at(world: &World, key: &str, location: &str) -> Result<RegionId, SpecError> {
    world
        .find_region(key)
        .map_err(|e| err(location, e.to_string()))
}

/// The prices' numbers, and the price factor of every region (provider x region).
fn check_prices(world: &World, p: &Prices, problems: &mut Vec<SpecError>) -> Vec<f64> {
    for (field, v) in [
        ("prices.fixed", p.fixed),
        ("prices.per_rps", p.per_rps),
        ("prices.per_token_s", p.per_token_s),
        ("prices.per_gb", p.per_gb),
        ("prices.per_ms", p.per_ms),
    ] {
        if let Err(e) = number(field, v) {
            problems.push(e);
        }
    }
    let mut factor = vec![1.0; world.regions.len()];
    for (provider, &f) in &p.provider {
        let location = format!("prices.provider.{provider}");
        if world.provider(provider).is_none() {
            problems.push(err(&location, "unknown provider"));
        }
        match number(&location, f) {
            Ok(f) => {
                for id in world.region_ids() {
                    if &world.region(id).provider == provider {
                        factor[id.index()] *= f;
                    }
                }
            }
            Err(e) => problems.push(e),
        }
    }
    for (key, &f) in &p.region {
        let location = format!("prices.region.\"{key}\"");
        match (region_at(world, key, &location), number(&location, f)) {
            (Ok(id), Ok(f)) => factor[id.index()] *= f,
            (Err(e), _) | (_, Err(e)) => problems.push(e),
        }
    }
    factor
}

fn check_capacity(
    world: &World,
    given: &BTreeMap<String, f64>,
    problems: &mut Vec<SpecError>,
) -> Vec<f64> {
    let mut capacity = vec![f64::INFINITY; world.regions.len()];
    for (key, &gpus) in given {
        let location = format!("capacity.\"{key}\"");
        match (region_at(world, key, &location), number(&location, gpus)) {
            (Ok(id), Ok(g)) => capacity[id.index()] = g,
            (Err(e), _) | (_, Err(e)) => problems.push(e),
        }
    }
    capacity
}

/// One workload, every problem pushed; `None` when it has any.
fn check_workload(
    world: &World,
    at: &dyn Fn(&str) -> String,
    w: WorkloadSpec,
    problems: &mut Vec<SpecError>,
) -> Option<Workload> {
    let before = problems.len();
    let classes = check_classes(at, &w.classes, problems);
    let users = check_users(world, at, &w, problems);
    for (f, v) in [
        ("demand.requests_per_s", w.demand.requests_per_s),
        ("demand.tokens_per_s", w.demand.tokens_per_s),
        ("demand.storage_gb", w.demand.storage_gb),
        ("gpus_per_1k_tokens_s", w.gpus_per_1k_tokens_s),
    ] {
        if let Err(e) = number(&at(f), v) {
            problems.push(e);
        }
    }
    if let Some(l) = &w.latency {
        check_latency(at, l, problems);
    }
    let failure_domain = check_failure_domain(at, w.failure_domain.as_deref(), problems);
    if w.survive > 8 {
        problems.push(err(
            at("survive"),
            format!(
                "{} failures is more than footprint plans for (at most 8)",
                w.survive
            ),
        ));
    }
    let providers = check_providers(world, at, w.providers.as_deref(), problems);
    let actions = check_actions(at, &w, problems);
    if problems.len() > before {
        return None;
    }
    Some(Workload {
        name: w.name,
        classes,
        users,
        demand: w.demand,
        latency: w.latency,
        survive: w.survive,
        failure_domain,
        providers,
        gpus_per_1k_tokens_s: w.gpus_per_1k_tokens_s,
        actions,
    })
}

fn check_classes(
    at: &dyn Fn(&str) -> String,
    words: &[String],
    problems: &mut Vec<SpecError>,
) -> Vec<DataClass> {
    if words.is_empty() {
        problems.push(err(at("classes"), "name at least one data class"));
    }
    let mut classes = Vec::new();
    for (c, word) in words.iter().enumerate() {
        match DataClass::parse(word) {
            Ok(class) => classes.push(class),
            Err(e) => problems.push(err(at(&format!("classes[{c}]")), e.to_string())),
        }
    }
    classes.sort_unstable();
    classes.dedup();
    classes
}

/// Users by country, as shares that sum to 1 (countries without users dropped).
fn check_users(
    world: &World,
    at: &dyn Fn(&str) -> String,
    w: &WorkloadSpec,
    problems: &mut Vec<SpecError>,
) -> Vec<(CountryCode, f64)> {
    let (field, raw) = match (w.users.is_empty(), w.user_shares.is_empty()) {
        (false, true) => ("users", &w.users),
        (true, false) => ("user_shares", &w.user_shares),
        (true, true) => {
            problems.push(err(
                at("users"),
                "give users by country, as counts (users) or shares (user_shares)",
            ));
            ("users", &w.users)
        }
        (false, false) => {
            problems.push(err(at("users"), "give users or user_shares, not both"));
            ("users", &w.users)
        }
    };
    let mut users: Vec<(CountryCode, f64)> = Vec::new();
    for (cc, &v) in raw {
        let location = at(&format!("{field}.{cc}"));
        let code = CountryCode::parse(cc).filter(|c| world.country(*c).is_some());
        match (code, number(&location, v)) {
            (None, _) => problems.push(err(
                location,
                format!("unknown country code {cc:?}; `footprint catalog countries` lists them"),
            )),
            (_, Err(e)) => problems.push(e),
            (Some(c), Ok(_)) if users.iter().any(|u| u.0 == c) => problems.push(err(
                location,
                format!("{c} is given twice (codes are not case-sensitive)"),
            )),
            (Some(c), Ok(v)) => users.push((c, v)),
        }
    }
    let total: f64 = users.iter().map(|u| u.1).sum();
    if field == "user_shares" && !users.is_empty() && (total - 1.0).abs() > 1e-3 {
        problems.push(err(
            at("user_shares"),
            format!("shares add up to {total}, not 1"),
        ));
    }
    if !users.is_empty() && total <= 0.0 {
        problems.push(err(at(field), "no users at all"));
    }
    for u in &mut users {
        u.1 /= total;
    }
    users.retain(|u| u.1 > 0.0);
    users.sort_by_key(|u| u.0);
    users
}

fn check_latency(at: &dyn Fn(&str) -> String, l: &LatencyTarget, problems: &mut Vec<SpecError>) {
    if !(l.p95_ms.is_finite() && l.p95_ms > 0.0) {
        problems.push(err(
            at("latency.p95_ms"),
            format!("{} is not a latency: expected milliseconds > 0", l.p95_ms),
        ));
    } else if l.p95_ms < 1.0 {
        problems.push(err(
            at("latency.p95_ms"),
            format!(
                "{} ms is below what any network can give (a round trip inside one metro area takes about 1 ms)",
                l.p95_ms
            ),
        ));
    } else if l.p95_ms > LIMIT {
        problems.push(err(
            at("latency.p95_ms"),
            format!(
                "{} ms is larger than footprint accepts (at most {LIMIT:e})",
                l.p95_ms
            ),
        ));
    }
    if !(l.share > 0.0 && l.share <= 1.0) {
        problems.push(err(
            at("latency.share"),
            format!(
                "{} is not a share of users: expected a number in (0, 1]",
                l.share
            ),
        ));
    }
}

fn check_failure_domain(
    at: &dyn Fn(&str) -> String,
    word: Option<&str>,
    problems: &mut Vec<SpecError>,
) -> FailureDomain {
    match word {
        None | Some("region") => FailureDomain::Region,
        Some("country") => FailureDomain::Country,
        Some("provider") => FailureDomain::Provider,
        Some(other) => {
            problems.push(err(
                at("failure_domain"),
                format!("{other:?} is not one of region, country, provider"),
            ));
            FailureDomain::Region
        }
    }
}

fn check_providers(
    world: &World,
    at: &dyn Fn(&str) -> String,
    given: Option<&[String]>,
    problems: &mut Vec<SpecError>,
) -> Vec<String> {
    if given.is_some_and(<[String]>::is_empty) {
        problems.push(err(at("providers"), "an empty list allows no provider"));
    }
    let providers = given.map(<[String]>::to_vec).unwrap_or_default();
    for (k, p) in providers.iter().enumerate() {
        if world.provider(p).is_none() {
            let known: Vec<&str> = world.providers.iter().map(|p| p.id.as_str()).collect();
            problems.push(err(
                at(&format!("providers[{k}]")),
                format!("unknown provider {p:?}; known: {}", known.join(", ")),
            ));
        }
    }
    providers
}

/// The actions implied by the workload's declarations, plus the ones it lists.
fn check_actions(
    at: &dyn Fn(&str) -> String,
    w: &WorkloadSpec,
    problems: &mut Vec<SpecError>,
) -> Vec<Action> {
    let mut actions = implied_actions(&w.demand, w.survive, w.backups);
    if let Some(list) = &w.actions {
        if list.is_empty() {
            problems.push(err(at("actions"), "name at least one action"));
        }
        for (k, a) in list.iter().enumerate() {
            match Action::parse(a) {
                Ok(a) => actions.push(a),
                Err(e) => problems.push(err(at(&format!("actions[{k}]")), e.to_string())),
            }
        }
    }
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// Values derived from several fields (GPU need, prices with their factors) must be finite; the
/// limit on every number makes them so, and this check keeps it true if the limit changes.
fn check_derived(input: &Input, problems: &mut Vec<SpecError>) {
    let worst = input.factor.iter().copied().fold(1.0, f64::max);
    if !(input.prices.fixed * worst).is_finite() {
        problems.push(err(
            "prices",
            "the fixed price times the largest price factor is not a finite number",
        ));
    }
    for w in &input.workloads {
        let at = |field: &str| format!("workload {:?}.{field}", w.name);
        if !crate::gpus(w, 1.0).is_finite() {
            problems.push(err(
                at("gpus_per_1k_tokens_s"),
                "demand.tokens_per_s times gpus_per_1k_tokens_s is not a finite number of GPUs",
            ));
        }
        if !(crate::usage_price(input, w, 1.0) * worst).is_finite() {
            problems.push(err(
                at("demand"),
                "the demand at these prices and price factors is not a finite cost",
            ));
        }
    }
}
