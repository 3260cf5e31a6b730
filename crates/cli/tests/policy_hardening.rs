//! The policy engine's hardening, through the real binary: tenant allow-lists, a tenant file
//! that names another tenant, policies too deep to parse safely, an empty law file.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on the unexpected"
)]

use std::fs;
use std::process::Output;

use serde_json::Value;

mod common;
use common::{footprint, scratch};

const CHECK: [&str; 7] = [
    "check",
    "--class",
    "personal",
    "--subject",
    "US",
    "--action",
    "store",
];

fn check(extra: &[&str]) -> Output {
    let mut args = CHECK.to_vec();
    args.extend_from_slice(extra);
    footprint(&args)
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_tenant_permit_restricts_the_tenant_to_its_allow_list() {
    let dir = scratch("allow-list");
    let f = dir.join("acme.cedar");
    fs::write(
        &f,
        "// Only EU regions.\npermit (principal == Tenant::\"acme\", action, resource)\n  when { resource in Bloc::\"EU\" };\n",
    )
    .unwrap();
    let out = json_of(&check(&[
        "--tenant",
        "acme",
        "--tenant-policy",
        f.to_str().unwrap(),
        "--json",
    ]));
    let rows = out["regions"].as_array().unwrap();
    let allowed: Vec<&Value> = rows.iter().filter(|r| r["allowed"] == true).collect();
    assert!(!allowed.is_empty());
    let eu = [
        "AT", "BE", "DE", "ES", "FI", "FR", "IE", "IT", "NL", "PL", "SE", "DK", "CZ", "GR", "PT",
        "HU", "RO", "BG", "HR", "LU", "SK", "SI", "LT", "LV", "EE", "CY", "MT",
    ];
    for r in &allowed {
        assert!(eu.contains(&r["country"].as_str().unwrap()), "{r}");
    }
    let us_east = rows
        .iter()
        .find(|r| r["region"] == "aws:us-east-1")
        .unwrap();
    assert_eq!(us_east["allowed"], false);
    assert_eq!(us_east["allow_list"], true);
    // In text, a denied region says why.
    let out = check(&[
        "--tenant",
        "acme",
        "--tenant-policy",
        f.to_str().unwrap(),
        "--region",
        "aws:us-east-1",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("FORBIDDEN"), "{text}");
    assert!(text.contains("not in the tenant's allow-list"), "{text}");
}

#[test]
fn a_tenant_file_that_names_another_tenant_is_refused() {
    let dir = scratch("other-tenant");
    let f = dir.join("acme.cedar");
    fs::write(
        &f,
        "forbid (principal == Tenant::\"acme\", action, resource) when { resource.partition == \"china\" };\n",
    )
    .unwrap();
    let out = check(&["--tenant", "globex", "--tenant-policy", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("acme.cedar"), "{err}");
    assert!(err.contains("only \"acme\""), "{err}");
    assert!(err.contains("globex"), "{err}");
}

#[test]
fn an_unscoped_tenant_policy_is_refused_with_file_and_line() {
    let dir = scratch("unscoped");
    let f = dir.join("t.cedar");
    fs::write(
        &f,
        "// all tenants?\nforbid (principal, action, resource);\n",
    )
    .unwrap();
    let out = check(&["--tenant-policy", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(&format!("{}:2:", f.display())), "{err}");
    assert!(err.contains("must name its tenant"), "{err}");
}

fn deep_texts() -> [(&'static str, String); 2] {
    [
        (
            "parens.cedar",
            format!(
                "// 600 parentheses\nforbid (principal == Tenant::\"acme\", action, resource)\nwhen {{ {}true{} }};\n",
                "(".repeat(600),
                ")".repeat(600)
            ),
        ),
        (
            "chain.cedar",
            format!(
                "// a 7,000-term allow-list\nforbid (principal == Tenant::\"acme\", action, resource)\nunless {{ {} }};\n",
                (0..7000)
                    .map(|i| format!("resource == Region::\"aws:r{i}\""))
                    .collect::<Vec<_>>()
                    .join(" || ")
            ),
        ),
    ]
}

#[test]
fn a_tenant_policy_too_deep_to_parse_is_refused_not_a_crash() {
    let dir = scratch("deep-tenant");
    for (name, text) in deep_texts() {
        let f = dir.join(name);
        fs::write(&f, text).unwrap();
        let out = check(&["--tenant", "acme", "--tenant-policy", f.to_str().unwrap()]);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains(&format!("{}:3:", f.display())), "{err}");
    }
    let err = {
        let f = dir.join("chain.cedar");
        let out = check(&["--tenant", "acme", "--tenant-policy", f.to_str().unwrap()]);
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(err.contains(".contains"), "{err}");
}

#[test]
fn a_law_file_too_deep_to_parse_is_refused_not_a_crash() {
    for (name, text) in deep_texts() {
        let dir = scratch(&format!("deep-law-{name}"));
        fs::create_dir_all(dir.join("laws")).unwrap();
        fs::write(dir.join("nothing.toml"), "# no records\n").unwrap();
        let f = dir.join("laws/eu.cedar");
        fs::write(
            &f,
            text.replace("principal == Tenant::\"acme\"", "principal"),
        )
        .unwrap();
        let out = footprint(&["--catalog", dir.to_str().unwrap(), "laws"]);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains(&format!("{}:3:", f.display())), "{err}");
    }
}

#[test]
fn an_empty_law_file_is_refused_naming_the_jurisdiction() {
    let dir = scratch("empty-law");
    fs::create_dir_all(dir.join("laws")).unwrap();
    fs::write(dir.join("nothing.toml"), "# no records\n").unwrap();
    let f = dir.join("laws/eu.cedar");
    fs::write(&f, "// nothing\n").unwrap();
    let out = footprint(&["--catalog", dir.to_str().unwrap(), "laws"]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains(&f.display().to_string()), "{err}");
    assert!(err.contains("switch off the law of"), "{err}");
    assert!(err.contains("(eu)"), "{err}");
}
