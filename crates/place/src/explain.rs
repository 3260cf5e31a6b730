//! Why a user country cannot be served: the rules that forbid its candidate regions (through
//! [`Engine::explain`](footprint_policy::Engine::explain)), and what is missing.

use footprint_model::{CountryCode, RegionId};
use footprint_policy::Request;

use crate::{Context, FailureDomain, RuleRef, Unserved, Workload};

/// The regions a workload considered for one country.
#[derive(Clone, Copy)]
pub(crate) struct Candidates<'a> {
    pub ctx: Context<'a>,
    pub w: &'a Workload,
    pub tenant: usize,
    /// Every candidate region of the workload.
    pub all: &'a [RegionId],
    /// The ones allowed for this country with room for its share.
    pub ok: &'a [RegionId],
}

/// Why a country cannot be served: the rules that forbid the candidate regions, and what is
/// missing.
pub(crate) fn explain_unserved(cand: &Candidates<'_>, c: CountryCode, share: f64) -> Unserved {
    let Candidates {
        ctx,
        w,
        tenant,
        all,
        ok,
    } = *cand;
    let copies = w.survive + 1;
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
