//! Synthetic tenants and their policies, for benchmarks and scale tests: many tenants, each with
//! one realistic policy of a few kinds, and a realistic spread of transfer mechanisms.

use crate::schema::{Mechanism, Mechanisms};
use crate::table::TenantSpec;

/// The mechanisms the `n`th synthetic tenant holds: six profiles, from none to everything a
/// multinational typically signs.
pub fn mechanisms(n: usize) -> Mechanisms {
    use Mechanism::*;
    let profiles: [&[Mechanism]; 6] = [
        &[],
        &[Scc],
        &[Scc, Consent],
        &[Scc, Bcr, Dpf],
        &[Scc, Consent, Certification, Contract],
        &[
            Scc,
            Consent,
            SecurityAssessment,
            Certification,
            Contract,
            LocalCopy,
        ],
    ];
    profiles[n % profiles.len()].iter().copied().collect()
}

/// The `n`th synthetic tenant's id.
pub fn tenant_id(n: usize) -> String {
    format!("tenant-{n:05}")
}

/// `count` tenants with their mechanisms.
pub fn tenants(count: usize) -> Vec<TenantSpec> {
    (0..count)
        .map(|n| TenantSpec::new(tenant_id(n), mechanisms(n)))
        .collect()
}

/// One Cedar policy for the `n`th synthetic tenant, of one of five kinds that platform teams
/// write: EU data in EU regions of EU providers, an approved provider list, health data kept in
/// the subject's country, no China partition, generally available regions only.
pub fn policy(n: usize) -> String {
    let t = tenant_id(n);
    match n % 5 {
        0 => format!(
            "@id(\"{t}.eu-sovereign\")\nforbid (principal == Tenant::\"{t}\", action, resource)\n  when {{ context.subject in Bloc::\"EU\" }}\n  unless {{ resource in Bloc::\"EU\" && resource.provider.home in Bloc::\"EU\" }};\n"
        ),
        1 => format!(
            "@id(\"{t}.providers\")\nforbid (principal == Tenant::\"{t}\", action, resource)\n  unless {{ resource.provider == Provider::\"aws\" || resource.provider == Provider::\"azure\" || resource.provider == Provider::\"gcp\" }};\n"
        ),
        2 => format!(
            "@id(\"{t}.health-at-home\")\nforbid (principal == Tenant::\"{t}\", action in [Action::\"store\", Action::\"replicate\", Action::\"backup\"], resource)\n  when {{ context.classes.contains(DataClass::\"health\") }}\n  unless {{ resource.country == context.subject }};\n"
        ),
        3 => format!(
            "@id(\"{t}.no-china-partition\")\nforbid (principal == Tenant::\"{t}\", action, resource)\n  when {{ resource.partition == \"china\" }};\n"
        ),
        _ => format!(
            "@id(\"{t}.ga-only\")\nforbid (principal == Tenant::\"{t}\", action, resource)\n  unless {{ resource.status == \"ga\" }};\n"
        ),
    }
}

/// The policies of `count` tenants, as one Cedar text.
pub fn policies(count: usize) -> String {
    (0..count).map(policy).collect::<Vec<_>>().join("\n")
}
