//! The legal cases in tests/cases/*.toml: hand-written (subject, class, action, region,
//! mechanisms) -> allow or deny, with the rules that must fire and the citation. Each case is
//! decided three ways, which must agree: the compiled table, Cedar itself, and the explanation.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use footprint_model::{CountryCode, World};
use footprint_policy::{
    Action, DEFAULT_PERMIT, DataClass, Engine, Mechanism, Mechanisms, Request, TenantSpec,
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    subject: String,
    class: String,
    action: String,
    region: String,
    #[serde(default)]
    mechanisms: Vec<String>,
    expect: String,
    #[serde(default)]
    fired: Vec<String>,
    cite: String,
}

#[derive(Debug, Deserialize)]
struct File {
    case: Vec<Case>,
}

fn cases() -> Vec<(String, usize, Case)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        let file: File =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for (i, c) in file.case.into_iter().enumerate() {
            out.push((name.clone(), i + 1, c));
        }
    }
    out
}

#[test]
fn every_legal_case_is_decided_as_written_by_table_cedar_and_explanation() {
    let world: World = footprint_model::load_embedded().unwrap();
    let engine = Engine::embedded(&world).unwrap();
    let all = cases();
    assert!(all.len() >= 150, "only {} legal cases", all.len());

    // One table per distinct set of mechanisms, each compiled for a tenant of that name.
    let mut tenants = BTreeMap::new();
    let mut failures = Vec::new();
    let mut parsed = Vec::new();
    for (file, n, c) in &all {
        let at = format!(
            "{file} case {n} ({} {} {} {})",
            c.subject, c.class, c.action, c.region
        );
        let mechanisms: Result<Mechanisms, _> =
            c.mechanisms.iter().map(|m| Mechanism::parse(m)).collect();
        let request = (|| -> Result<_, String> {
            Ok((
                CountryCode::parse(&c.subject)
                    .filter(|cc| world.country(*cc).is_some())
                    .ok_or("unknown subject")?,
                DataClass::parse(&c.class).map_err(|e| e.to_string())?,
                Action::parse(&c.action).map_err(|e| e.to_string())?,
                world.find_region(&c.region).map_err(|e| e.to_string())?,
                mechanisms.map_err(|e| e.to_string())?,
            ))
        })();
        match request {
            Ok(r) => {
                tenants
                    .entry(r.4)
                    .or_insert_with(|| TenantSpec::new(format!("holds {}", r.4), r.4));
                parsed.push((at, c, r));
            }
            Err(e) => failures.push(format!("{at}: {e}")),
        }
    }
    let specs: Vec<TenantSpec> = tenants.values().cloned().collect();
    let table = engine.compile(&specs);

    let mut fired_somewhere = BTreeSet::new();
    for (at, c, (subject, class, action, region, mechanisms)) in &parsed {
        let tenant = &tenants[mechanisms].id;
        let request = Request {
            tenant,
            class: *class,
            subject: *subject,
            action: *action,
            mechanisms: *mechanisms,
            region: *region,
        };
        let want = match c.expect.as_str() {
            "allow" => true,
            "deny" => false,
            other => {
                failures.push(format!("{at}: expect {other:?}; write allow or deny"));
                continue;
            }
        };
        let t = table.tenant(tenant).unwrap();
        let s = table.subject(*subject).unwrap();
        let by_table = table.allowed(t, *class, s, *action).contains(*region);
        let cedar = engine.decide_with_cedar(&request).unwrap();
        let why = engine.explain(&request).unwrap();
        let fired: BTreeSet<&str> = why
            .forbidden_by
            .iter()
            .map(|i| engine.rules()[*i].id.as_str())
            .collect();
        fired_somewhere.extend(fired.iter().map(|s| s.to_string()));
        let expected: BTreeSet<&str> = c.fired.iter().map(String::as_str).collect();
        let mut cedar_forbids: BTreeSet<&str> = cedar.reasons.iter().map(String::as_str).collect();
        cedar_forbids.remove(DEFAULT_PERMIT);
        if by_table != want || cedar.allowed != want || why.allowed != want {
            failures.push(format!(
                "{at}: expected {}, table {by_table}, cedar {}, explanation {} (fired {fired:?}; {})",
                c.expect, cedar.allowed, why.allowed, c.cite
            ));
        } else if fired != expected {
            failures.push(format!(
                "{at}: fired {fired:?}, expected {expected:?} ({})",
                c.cite
            ));
        } else if !want && cedar_forbids != fired {
            failures.push(format!(
                "{at}: Cedar's reasons {cedar_forbids:?} differ from {fired:?}"
            ));
        }
    }
    // Every rule of the law base is exercised by at least one case in which it fires.
    for rule in engine.rules() {
        if rule.id != DEFAULT_PERMIT && !fired_somewhere.contains(&rule.id) {
            failures.push(format!("no case makes {} ({}) fire", rule.id, rule.file));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} legal cases failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn at_least_forty_jurisdictions_each_with_a_file_and_rules() {
    let world = footprint_model::load_embedded().unwrap();
    let engine = Engine::embedded(&world).unwrap();
    let jurisdictions = engine.jurisdictions();
    assert!(jurisdictions.len() >= 40, "{}", jurisdictions.len());
    for needed in ["cn", "mx", "my", "th", "kr", "eu", "us", "in", "br", "za"] {
        assert!(
            jurisdictions.iter().any(|j| j.id == needed),
            "missing jurisdiction {needed}"
        );
    }
    for j in jurisdictions {
        let rules = engine
            .rules()
            .iter()
            .filter(|r| r.id.starts_with(&format!("{}.", j.id)))
            .count();
        assert!(rules > 0, "jurisdiction {} has no rule", j.id);
    }
}
