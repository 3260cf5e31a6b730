//! Tenant policy files that name only other tenants would be silently ignored by a placement for
//! this tenant: refuse them.
//!
//! Interim: this reads the tenants a policy names from its text (`Tenant::"x"`), which is all the
//! engine can be asked today. Once the engine says which tenants a file's policies are scoped to,
//! [`check_tenant_policies`] should ask it instead; its contract stays the same.

use std::collections::BTreeMap;

use footprint_policy::{Engine, Origin};

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

/// The tenants a policy's text names as `Tenant::"x"` (comments skipped).
fn tenants_named(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("Tenant::\"") {
            rest = &rest[at + "Tenant::\"".len()..];
            let Some(end) = rest.find('"') else { break };
            out.push(rest[..end].to_string());
            rest = &rest[end + 1..];
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Refuses a tenant policy file every policy of which names tenants, none of them `tenant`. A
/// policy that names no tenant applies to every tenant, so its file is never refused.
pub fn check_tenant_policies(engine: &Engine, tenant: &str) -> Result<(), TenantPolicyMismatch> {
    // Per file: the tenants named, and whether some policy applies to `tenant`.
    let mut files: BTreeMap<&str, (Vec<String>, bool)> = BTreeMap::new();
    for rule in engine.rules().iter().filter(|r| r.origin == Origin::Tenant) {
        let named = tenants_named(&rule.text);
        let entry = files.entry(rule.file.as_str()).or_default();
        if named.is_empty() || named.iter().any(|t| t == tenant) {
            entry.1 = true;
        }
        entry.0.extend(named);
    }
    for (file, (mut named, applies)) in files {
        if !applies {
            named.sort();
            named.dedup();
            return Err(TenantPolicyMismatch {
                file: file.to_string(),
                named,
                tenant: tenant.to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_code_not_comments() {
        let text = "// for Tenant::\"old\"\nforbid (principal == Tenant::\"acme\", action, resource)\nwhen { principal in [Tenant::\"b\", Tenant::\"acme\"] };";
        assert_eq!(tenants_named(text), ["acme", "b"]);
        assert!(tenants_named("permit (principal, action, resource);").is_empty());
    }
}
