//! `footprint place` on inputs that used to go wrong: report files that overwrote each other,
//! tenant policies for another tenant ignored without a word, numbers that overflow, and
//! payment data placed against the law because the file said "process".

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on the unexpected"
)]

use std::fs;

use serde_json::Value;

mod common;
use common::{footprint, scratch, stderr, write};

#[test]
fn workloads_named_a_space_b_and_a_underscore_b_get_their_own_maps() {
    let dir = scratch("report-names");
    let file = write(
        &dir,
        "w.toml",
        "[[workload]]\nname = \"a b\"\nclasses = [\"personal\"]\nusers = { MX = 1 }\n\
         [[workload]]\nname = \"a_b\"\nclasses = [\"personal\"]\nusers = { DE = 1 }\n",
    );
    let report = dir.join("report");
    let out = footprint(&["place", &file, "--report", report.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let spaced = fs::read_to_string(report.join("a%20b.svg")).unwrap();
    let underscored = fs::read_to_string(report.join("a_b.svg")).unwrap();
    assert!(spaced.contains("Placement of a b"), "{spaced:.200}");
    assert!(
        underscored.contains("Placement of a_b"),
        "{underscored:.200}"
    );
    let svgs = fs::read_dir(&report)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "svg")
        })
        .count();
    assert_eq!(svgs, 2);
}

#[test]
fn names_that_differ_only_in_case_are_refused_before_anything_is_written() {
    let dir = scratch("report-case");
    let file = write(
        &dir,
        "w.toml",
        "[[workload]]\nname = \"API\"\nclasses = [\"personal\"]\nusers = { MX = 1 }\n\
         [[workload]]\nname = \"api\"\nclasses = [\"personal\"]\nusers = { MX = 1 }\n",
    );
    let report = dir.join("report");
    let out = footprint(&["place", &file, "--report", report.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("\"API\" and \"api\""),
        "{}",
        stderr(&out)
    );
    assert!(!report.exists());
}

#[test]
fn tenant_policies_for_another_tenant_are_refused_with_exit_code_3() {
    let dir = scratch("tenant-mismatch");
    let file = write(
        &dir,
        "w.toml",
        "tenant = \"globex\"\n[[workload]]\nname = \"a\"\nclasses = [\"personal\"]\nusers = { FR = 1 }\n",
    );
    let policy = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/policies/acme.cedar"
    );
    let out = footprint(&["place", &file, "--tenant-policy", policy, "--json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err: serde_json::Value = serde_json::from_str(&stderr(&out)).expect("a JSON error");
    let message = err["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("acme.cedar")
            && message.contains("\"acme\"")
            && message.contains("\"globex\""),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing placed");
}

#[test]
fn overflowing_numbers_exit_3_naming_the_field() {
    let dir = scratch("overflow");
    let file = write(
        &dir,
        "w.toml",
        "[[workload]]\nname = \"big\"\nclasses = [\"personal\"]\nusers = { MX = 1e308, GT = 1e308 }\n",
    );
    let out = footprint(&["place", &file]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("field `workload \"big\".users.MX`: 1e308 is larger than footprint accepts"),
        "{err}"
    );
}

#[test]
fn indian_payment_data_declared_as_processing_is_still_stored_in_india() {
    let dir = scratch("india");
    let file = write(
        &dir,
        "w.toml",
        "[[workload]]\nname = \"upi-ledger\"\nclasses = [\"payment\"]\nusers = { IN = 1000, TH = 200 }\n\
         demand = { requests_per_s = 40, storage_gb = 5000 }\nactions = [\"process\"]\n",
    );
    let out = footprint(&["place", &file, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["validated"], true);
    let routes = v["workloads"][0]["routes"].as_array().unwrap();
    let india = routes.iter().find(|r| r["country"] == "IN").unwrap();
    let world: Value = serde_json::from_slice(
        &footprint(&["catalog", "regions", "--country", "IN", "--json"]).stdout,
    )
    .unwrap();
    let in_india: Vec<String> = world
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["provider"].as_str().unwrap(),
                r["code"].as_str().unwrap()
            )
        })
        .collect();
    for r in india["regions"].as_array().unwrap() {
        assert!(
            in_india.contains(&r.as_str().unwrap().to_string()),
            "{r} is not in India: {india}"
        );
    }
}
