//! Tenant policy files that name only other tenants would be silently ignored by a placement for
//! this tenant: refuse them.

use footprint_policy::Engine;

/// A tenant policy file none of whose policies applies to the placement's tenant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{file}: its policies are for tenant{} {}, but the workload file's tenant is {tenant:?}, so none of them would apply; set `tenant` in the workload file or pass that tenant's policies",
    if named.len() == 1 { "" } else { "s" },
    named.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", ")
)]
pub struct TenantPolicyMismatch {
    pub file: String,
    pub named: Vec<String>,
    pub tenant: String,
}

/// Refuses a tenant policy file none of whose policies is scoped to `tenant`. (The engine
/// refuses tenant policies without a tenant scope when it loads them, so every policy of a
/// tenant file names its tenant.)
pub fn check_tenant_policies(engine: &Engine, tenant: &str) -> Result<(), TenantPolicyMismatch> {
    for (file, names) in engine.tenant_files() {
        if !names.contains(tenant) {
            return Err(TenantPolicyMismatch {
                file: file.to_string(),
                named: names.iter().map(|n| (*n).to_string()).collect(),
                tenant: tenant.to_string(),
            });
        }
    }
    Ok(())
}
