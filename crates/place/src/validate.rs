//! An independent check of a placement against its inputs: every region of every route is
//! allowed for that country's data (so every failover target is), failure domains are distinct,
//! the latency target holds for the share promised, capacity holds across all workloads, every
//! user country is routed or explained, and the costs add up. It recomputes everything from the
//! input, the compiled table and the latency matrix; it shares no code with the placer beyond
//! the definitions of price, GPU need and failure domain.

use std::collections::{BTreeMap, BTreeSet};

use footprint_model::CountryCode;

use crate::{Context, Input, Outcome, Placement, domain_of, gpus, usage_price};

/// Every violation found, each naming the workload and what is wrong; empty when valid.
pub fn check(ctx: Context<'_>, input: &Input, placement: &Placement) -> Vec<String> {
    let world = ctx.world;
    let mut out = Vec::new();
    let Some(tenant) = ctx.table.tenant(&input.tenant) else {
        if placement.workloads.iter().any(|w| !w.routes.is_empty()) {
            out.push(format!(
                "tenant {:?} has no table, yet routes exist",
                input.tenant
            ));
        }
        return out;
    };
    if placement.workloads.len() != input.workloads.len() {
        out.push(format!(
            "{} workloads placed for {} in the input",
            placement.workloads.len(),
            input.workloads.len()
        ));
    }
    let mut held: BTreeMap<usize, f64> = BTreeMap::new();
    for (w, p) in input.workloads.iter().zip(&placement.workloads) {
        let name = &w.name;
        if &p.name != name {
            out.push(format!("workload {name:?} is reported as {:?}", p.name));
            continue;
        }
        let copies = (w.survive + 1) as usize;
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut met = 0.0;
        let mut usage = 0.0;
        let mut used: BTreeSet<usize> = BTreeSet::new();
        let mut gpu_here: BTreeMap<usize, f64> = BTreeMap::new();
        for route in &p.routes {
            let at = format!("workload {name:?}, route for {}", route.country);
            let Some(c) = CountryCode::parse(&route.country) else {
                out.push(format!("{at}: not a country code"));
                continue;
            };
            let Some(&(_, share)) = w.users.iter().find(|u| u.0 == c) else {
                out.push(format!("{at}: the workload has no users there"));
                continue;
            };
            if !seen.insert(route.country.clone()) {
                out.push(format!("{at}: routed twice"));
            }
            let Some(subject) = ctx.table.subject(c) else {
                out.push(format!(
                    "{at}: no residency row for this country, yet routed"
                ));
                continue;
            };
            if route.regions.len() != copies {
                out.push(format!(
                    "{at}: {} regions, the workload survives {} failures so needs {copies}",
                    route.regions.len(),
                    w.survive
                ));
            }
            let ci = world
                .countries
                .iter()
                .position(|x| x.code == c)
                .unwrap_or(0);
            let mut domains = BTreeSet::new();
            for (k, key) in route.regions.iter().enumerate() {
                let Ok(r) = world.find_region(key) else {
                    out.push(format!("{at}: unknown region {key}"));
                    continue;
                };
                let region = world.region(r);
                if !region.is_ga() {
                    out.push(format!("{at}: {key} is not generally available"));
                }
                if !w.providers.is_empty() && !w.providers.contains(&region.provider) {
                    out.push(format!("{at}: {key} is not of an allowed provider"));
                }
                for &class in &w.classes {
                    for &action in &w.actions {
                        if !ctx
                            .table
                            .allowed(tenant, class, subject, action)
                            .contains(r)
                        {
                            out.push(format!(
                                "{at}: {key} (position {k}) is not allowed to {} {} data of {}",
                                action.as_str(),
                                class.as_str(),
                                route.country
                            ));
                        }
                    }
                }
                if !domains.insert(domain_of(world, w, r)) {
                    out.push(format!(
                        "{at}: {key} shares a failure domain with an earlier region"
                    ));
                }
                let ms = ctx.latency.p95(ci, r);
                if let Some(l) = &w.latency
                    && route.latency_bound
                    && ms > l.p95_ms + 1e-6
                {
                    out.push(format!(
                        "{at}: {key} is {ms:.1} ms away, over the {} ms target",
                        l.p95_ms
                    ));
                }
                if k == 0 && w.latency.as_ref().is_none_or(|l| ms <= l.p95_ms + 1e-6) {
                    met += share;
                }
                usage += usage_price(input, w, share) * input.factor[r.index()];
                used.insert(r.index());
                *gpu_here.entry(r.index()).or_default() += gpus(w, share);
                if !p.regions.iter().any(|x| &x.region == key) {
                    out.push(format!(
                        "{at}: {key} is missing from the workload's regions"
                    ));
                }
            }
        }
        for u in &p.unserved {
            if !seen.insert(u.country.clone()) {
                out.push(format!(
                    "workload {name:?}: {} is both routed and unserved",
                    u.country
                ));
            }
            if u.reason.is_empty() {
                out.push(format!(
                    "workload {name:?}: {} is unserved without a reason",
                    u.country
                ));
            }
        }
        if p.outcome != Outcome::Unservable {
            for (c, _) in &w.users {
                if !seen.contains(c.as_str()) {
                    out.push(format!(
                        "workload {name:?}: users in {c} are neither routed nor explained"
                    ));
                }
            }
            if let Some(l) = &w.latency
                && met < l.share - 1e-9
            {
                out.push(format!(
                    "workload {name:?}: {:.2}% of users meet the latency target, {:.2}% promised",
                    met * 100.0,
                    l.share * 100.0
                ));
            }
        } else if p.problems.is_empty() || !p.routes.is_empty() {
            out.push(format!(
                "workload {name:?}: unservable needs a reason and no routes"
            ));
        }
        for (r, g) in gpu_here {
            *held.entry(r).or_default() += g;
        }
        let fixed: f64 = used
            .iter()
            .map(|&r| input.prices.fixed * input.factor[r])
            .sum();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0);
        if !close(fixed + usage, p.cost.total) || p.regions.len() != used.len() {
            out.push(format!(
                "workload {name:?}: cost {} reported, {} recomputed ({} regions used, {} listed)",
                p.cost.total,
                fixed + usage,
                used.len(),
                p.regions.len()
            ));
        }
    }
    for (r, g) in held {
        let cap = input.capacity[r];
        if g > cap + 1e-6 * cap.max(1.0) {
            out.push(format!(
                "{} holds {g:.2} GPUs for these workloads, over its capacity {cap}",
                world.regions[r].key()
            ));
        }
    }
    out
}
