//! The real binary, run as a user would: tables, JSON, user catalogs, errors and exit codes.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on the unexpected"
)]

use std::fs;

use serde_json::Value;

mod common;
use common::{footprint, json, ok, scratch};

/// One provider's cell in a row of `catalog coverage --json`.
fn provider_cell<'a>(row: &'a Value, provider: &str) -> &'a Value {
    row["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provider"] == provider)
        .unwrap_or_else(|| panic!("no {provider} in {row}"))
}

#[test]
fn regions_table_for_one_provider_and_country() {
    insta::assert_snapshot!(ok(&[
        "catalog",
        "regions",
        "--provider",
        "alibaba",
        "--country",
        "MX"
    ]));
}

#[test]
fn regions_json_has_the_documented_fields() {
    let v = json(&["catalog", "regions", "--json"]);
    let regions = v.as_array().expect("an array");
    assert!(regions.len() > 250, "{}", regions.len());
    for r in regions {
        for field in [
            "provider", "code", "name", "city", "country", "lat", "lon", "status", "launched",
            "zones",
        ] {
            assert!(r.get(field).is_some(), "{field} missing in {r}");
        }
        assert_eq!(r["country"].as_str().map(str::len), Some(2), "{r}");
    }
    let seoul = regions
        .iter()
        .find(|r| r["provider"] == "alibaba" && r["code"] == "ap-northeast-2")
        .expect("alibaba:ap-northeast-2");
    assert_eq!(seoul["country"], "KR");
    assert_eq!(seoul["status"], "ga");
}

#[test]
fn filters_combine() {
    let v = json(&[
        "catalog",
        "regions",
        "--country",
        "TH",
        "--status",
        "ga",
        "--json",
    ]);
    let providers: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["provider"].as_str().unwrap())
        .collect();
    assert!(
        providers.contains(&"alibaba") && providers.contains(&"aws"),
        "{providers:?}"
    );
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| r["country"] == "TH" && r["status"] == "ga")
    );
}

#[test]
fn countries_json_lists_every_country() {
    let v = json(&["catalog", "countries", "--json"]);
    let all = v.as_array().unwrap();
    assert!(all.len() >= 249);
    let mx = all.iter().find(|c| c["code"] == "MX").expect("MX");
    assert_eq!(mx["name"], "Mexico");
    assert!(mx["population"].as_u64().unwrap() > 100_000_000);
}

#[test]
fn coverage_table_for_the_example_markets() {
    insta::assert_snapshot!(ok(&[
        "catalog",
        "coverage",
        "--countries",
        "MX,MY,TH,KR,CL,NG"
    ]));
}

#[test]
fn coverage_json_says_in_country_or_nearest() {
    let v = json(&["catalog", "coverage", "--countries", "MX,NG", "--json"]);
    let mx = &v[0];
    assert_eq!(mx["country"], "MX");
    let alibaba = provider_cell(mx, "alibaba");
    assert_eq!(alibaba["in_country"], true);
    assert!(
        alibaba["regions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "alibaba:na-south-1")
    );
    // Nigeria: no provider has a region there; each names its nearest and how far.
    let ng = &v[1];
    for p in ng["providers"].as_array().unwrap() {
        assert_eq!(p["in_country"], false, "{p}");
        let d = p["nearest"]["distance_km"].as_f64().unwrap();
        assert!(d > 500.0, "{p}");
        assert!(p["nearest"]["rtt_ms"].as_f64().unwrap() > d / 100.0, "{p}");
    }
}

#[test]
fn latency_uses_a_measurement_when_there_is_one() {
    let v = json(&["latency", "azure:eastus", "azure:westeurope", "--json"]);
    assert_eq!(v["method"], "measured");
    assert_eq!(v["rtt_ms"].as_f64(), Some(83.0));
}

#[test]
fn latency_estimates_from_a_country_and_reports_its_error() {
    let v = json(&["latency", "MX", "alibaba:na-south-1", "--json"]);
    assert_eq!(v["method"], "estimated");
    let rtt = v["rtt_ms"].as_f64().unwrap();
    let floor = v["floor_ms"].as_f64().unwrap();
    assert!(rtt > floor && rtt < 60.0, "{v}");
    assert!(v["model"]["calibration"]["pairs"].as_u64().unwrap() >= 40);
    assert!(v["model"]["calibration"]["loo_mape_pct"].as_f64().unwrap() > 0.0);
    // Farther is slower.
    let far = json(&["latency", "MX", "alibaba:ap-southeast-1", "--json"]);
    assert!(far["rtt_ms"].as_f64().unwrap() > 5.0 * rtt);
    // A point works too.
    let p = json(&["latency", "19.43,-99.13", "azure:mexicocentral", "--json"]);
    assert!(p["rtt_ms"].as_f64().unwrap() > 0.0);
    // A southern or western point starts with a minus sign: still a place, not a flag.
    let cape_town = json(&["latency", "-33.92,18.42", "aws:af-south-1", "--json"]);
    assert!(
        cape_town["distance_km"].as_f64().unwrap() < 10.0,
        "{cape_town}"
    );
}

#[test]
fn a_measured_matrix_overrides_the_estimate() {
    let dir = scratch("measured");
    let file = dir.join("rum.csv");
    fs::write(
        &file,
        "from,to,rtt_ms,source,as_of\nMX,alibaba:na-south-1,42.5,provider-corporate,2026-11-01\n",
    )
    .unwrap();
    let v = json(&[
        "latency",
        "alibaba:na-south-1",
        "MX",
        "--measured",
        file.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(v["method"], "measured");
    assert_eq!(v["rtt_ms"].as_f64(), Some(42.5));
}

#[test]
fn a_user_catalog_overrides_and_extends() {
    let dir = scratch("override");
    fs::write(
        dir.join("ours.toml"),
        r#"
[[source]]
id = "ours"
title = "Our infrastructure team"

[[provider]]
id = "acme"
name = "Acme Sovereign Cloud"
headquarters = "MX"
source = "ours"
as_of = "2026-11-01"

[[region]]
provider = "acme"
code = "mx-gdl-1"
name = "Guadalajara"
city = "Guadalajara"
country = "MX"
lat = 20.67
lon = -103.35
status = "ga"
launched = "2026-10"
zones = 2
source = "ours"
as_of = "2026-11-01"
"#,
    )
    .unwrap();
    fs::write(
        dir.join("regions-fix.csv"),
        "provider,code,name,city,country,lat,lon,status,launched,zones,source,as_of\n\
         alibaba,na-south-1,Mexico,Querétaro,MX,20.59,-100.39,ga,2025-02,3,ours,2026-11-02\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let v = json(&[
        "--catalog",
        d,
        "catalog",
        "regions",
        "--country",
        "MX",
        "--json",
    ]);
    let regions = v.as_array().unwrap();
    let acme = regions
        .iter()
        .find(|r| r["provider"] == "acme")
        .expect("the new region");
    assert_eq!(acme["zones"], 2);
    let ali = regions
        .iter()
        .find(|r| r["provider"] == "alibaba" && r["code"] == "na-south-1")
        .unwrap();
    assert_eq!(ali["zones"], 3);
    assert_eq!(ali["source"], "ours");
    // The new provider shows in the coverage matrix as a column, in-country for Mexico.
    let cov = json(&[
        "--catalog",
        d,
        "catalog",
        "coverage",
        "--countries",
        "MX",
        "--json",
    ]);
    let acme = provider_cell(&cov[0], "acme");
    assert_eq!(acme["in_country"], true);
}

#[test]
fn a_bad_user_catalog_is_refused_with_every_problem_and_exit_code_3() {
    let dir = scratch("bad");
    fs::write(
        dir.join("regions.csv"),
        "provider,code,name,city,country,lat,lon,status,launched,source,as_of\n\
         aws,xx-1,X,Y,ZZ,95,0,ga,2025,provider-corporate,2026-11-01\n\
         nope,yy-1,X,Y,MX,20,-100,soon,2025,provider-corporate,2026-11-01\n",
    )
    .unwrap();
    let out = footprint(&["--catalog", dir.to_str().unwrap(), "catalog", "regions"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        out.stdout.is_empty(),
        "nothing printed on a refused catalog"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    let err = err.replace(dir.to_str().unwrap(), "<dir>");
    insta::assert_snapshot!(err);
}

/// Runs footprint with bad arguments: exit code 2 and a message that contains `needle`.
fn refused_with_exit_2(args: &[&str], needle: &str) {
    let out = footprint(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(needle), "{args:?}: {err}");
}

#[test]
fn bad_arguments_exit_2_and_say_what_is_known() {
    for (args, needle) in [
        (
            vec!["catalog", "regions", "--provider", "amazon"],
            "known: aws, azure",
        ),
        (
            vec!["catalog", "regions", "--country", "XX"],
            "unknown country",
        ),
        (
            vec!["catalog", "regions", "--status", "live"],
            "one of: ga, preview",
        ),
        (vec!["latency", "MX", "aws:nowhere-9"], "unknown region"),
        (vec!["latency", "MX", "95,0"], "latitude must be"),
        (vec!["latency", "Mexico", "aws:us-east-1"], "is not a place"),
        (
            vec!["catalog", "coverage", "--countries", "MX,QQ"],
            "unknown country \"QQ\"",
        ),
    ] {
        refused_with_exit_2(&args, needle);
    }
}

#[test]
fn the_map_has_a_dot_per_available_region() {
    let dir = scratch("map");
    let file = dir.join("world.svg");
    ok(&[
        "catalog",
        "map",
        "--out",
        file.to_str().unwrap(),
        "--provider",
        "alibaba",
    ]);
    let svg = fs::read_to_string(&file).unwrap();
    let regions = json(&["catalog", "regions", "--provider", "alibaba", "--json"]);
    let shown = regions
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "ga" || r["status"] == "preview")
        .count();
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"));
    assert_eq!(svg.matches("<circle").count(), shown);
    assert!(svg.contains("Alibaba Cloud"));
}

/// A region's entry in `check --json`.
fn check_entry<'a>(out: &'a Value, region: &str) -> &'a Value {
    out["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == region)
        .unwrap_or_else(|| panic!("no {region} in the check output"))
}

#[test]
fn check_explains_one_region_with_citations() {
    insta::assert_snapshot!(ok(&[
        "check",
        "--class",
        "personal",
        "--subject",
        "CN",
        "--action",
        "process",
        "--mechanism",
        "scc",
        "--region",
        "aws:us-east-1",
    ]));
}

#[test]
fn check_json_lists_every_region_with_allowed_and_reasons() {
    let out = json(&[
        "check",
        "--class",
        "health",
        "--subject",
        "AU",
        "--action",
        "store",
        "--json",
    ]);
    let regions = out["regions"].as_array().unwrap();
    assert_eq!(
        regions.len(),
        out["region_count"].as_u64().unwrap() as usize
    );
    assert!(regions.len() > 300);
    let sydney = check_entry(&out, "aws:ap-southeast-2");
    assert_eq!(sydney["allowed"], true);
    let virginia = check_entry(&out, "aws:us-east-1");
    assert_eq!(virginia["allowed"], false);
    let reasons = virginia["reasons"].as_array().unwrap();
    assert!(
        reasons
            .iter()
            .any(|r| r["outcome"] == "forbids" && r["rule"] == "au.mhra.77"),
        "{reasons:?}"
    );
    for r in reasons {
        for key in [
            "rule",
            "law",
            "article",
            "source",
            "as_of",
            "confidence",
            "kind",
        ] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
    }
    // The count is the number of allowed entries, and every allowed region is in Australia.
    let allowed: Vec<&Value> = regions.iter().filter(|r| r["allowed"] == true).collect();
    assert_eq!(allowed.len() as u64, out["allowed_count"].as_u64().unwrap());
    assert!(allowed.iter().all(|r| r["country"] == "AU"), "{allowed:?}");
    assert!(
        out["notice"]
            .as_str()
            .unwrap()
            .starts_with("Not legal advice")
    );
}

#[test]
fn a_tenant_policy_narrows_the_allowed_regions() {
    let dir = scratch("tenant-policy");
    let policy = dir.join("acme.cedar");
    fs::write(
        &policy,
        "// Our EU customers' data only in EU regions of EU-headquartered providers.\n\
         @id(\"acme.eu-only\")\n\
         forbid (principal == Tenant::\"acme\", action, resource)\n\
         when { context.subject in Bloc::\"EU\" }\n\
         unless { resource in Bloc::\"EU\" && resource.provider.home in Bloc::\"EU\" };\n",
    )
    .unwrap();
    let base = [
        "check",
        "--class",
        "personal",
        "--subject",
        "FR",
        "--action",
        "store",
        "--json",
    ];
    let without = json(&base);
    let mut args = base.to_vec();
    args.extend([
        "--tenant-policy",
        policy.to_str().unwrap(),
        "--tenant",
        "acme",
    ]);
    let with = json(&args);
    assert_eq!(check_entry(&without, "aws:eu-west-3")["allowed"], true);
    let paris = check_entry(&with, "aws:eu-west-3");
    assert_eq!(paris["allowed"], false);
    assert_eq!(paris["reasons"][0]["rule"], "acme.eu-only");
    assert_eq!(paris["reasons"][0]["origin"], "tenant");
    // Another tenant is not bound by acme's policy; asking about it with acme's file is a
    // mistake on the command line, refused (crates/cli/tests/policy_hardening.rs).
    let mut other = base.to_vec();
    other.extend(["--tenant", "globex"]);
    assert_eq!(check_entry(&json(&other), "aws:eu-west-3")["allowed"], true);
    assert!(with["allowed_count"].as_u64() < without["allowed_count"].as_u64());
}

#[test]
fn an_invalid_tenant_policy_is_refused_with_cedar_diagnostics_and_exit_code_3() {
    let dir = scratch("bad-policy");
    let policy = dir.join("bad.cedar");
    fs::write(
        &policy,
        "permit (principal, action, resource);\n\
         forbid (principal, action, resource)\n\
         when { context.subjekt == Country::\"FR\" };\n",
    )
    .unwrap();
    let out = footprint(&[
        "check",
        "--class",
        "personal",
        "--subject",
        "FR",
        "--action",
        "store",
        "--tenant-policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    let err = err.replace(dir.to_str().unwrap(), "<dir>");
    insta::assert_snapshot!(err);
}

#[test]
fn check_refuses_words_the_schema_lacks() {
    for (args, needle) in [
        (
            vec![
                "check",
                "--class",
                "medical",
                "--subject",
                "FR",
                "--action",
                "store",
            ],
            "unknown data class \"medical\"",
        ),
        (
            vec![
                "check",
                "--class",
                "health",
                "--subject",
                "FR",
                "--action",
                "keep",
            ],
            "unknown action \"keep\"",
        ),
        (
            vec![
                "check",
                "--class",
                "health",
                "--subject",
                "FR",
                "--action",
                "store",
                "--mechanism",
                "sccs",
            ],
            "unknown mechanism \"sccs\"",
        ),
        (
            vec![
                "check",
                "--class",
                "health",
                "--subject",
                "XX",
                "--action",
                "store",
            ],
            "--subject \"XX\"",
        ),
        (
            vec![
                "check",
                "--class",
                "health",
                "--subject",
                "FR",
                "--action",
                "store",
                "--region",
                "aws:mars-1",
            ],
            "unknown region",
        ),
    ] {
        refused_with_exit_2(&args, needle);
    }
}

#[test]
fn laws_lists_forty_jurisdictions_or_more() {
    let out = json(&["laws", "--json"]);
    let j = out["jurisdictions"].as_array().unwrap();
    assert!(j.len() >= 40, "{}", j.len());
    let cn = j.iter().find(|x| x["id"] == "cn").unwrap();
    assert!(cn["rules"].as_array().unwrap().len() >= 3);
    assert!(ok(&["laws"]).contains("Not legal advice"));
}

/// The SSCFLP benchmark folder, vendored in the repository (data/sscflp).
fn sscflp_dir() -> std::path::PathBuf {
    footprint_testdata::sscflp_dir()
}

fn repo(path: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
        .display()
        .to_string()
}

#[test]
fn place_prints_routes_and_writes_a_map_per_workload() {
    let file = repo("examples/workloads.toml");
    let text = ok(&["place", &file]);
    assert!(
        text.contains("4 workloads: 4 placed, 0 partly, 0 cannot be placed"),
        "{text}"
    );
    assert!(text.contains("route  MX  70.0% -> "), "{text}");
    let dir = scratch("place-report");
    let v = json(&["place", &file, "--json", "--report", dir.to_str().unwrap()]);
    assert_eq!(v["validated"], true);
    let chat = &v["workloads"][0];
    assert_eq!(chat["name"], "chat-latam");
    for field in [
        "regions",
        "routes",
        "cost",
        "latency_met",
        "unserved",
        "solver",
    ] {
        assert!(!chat[field].is_null(), "missing {field}");
    }
    let route = &chat["routes"][0];
    assert_eq!(route["regions"].as_array().unwrap().len(), 2);
    assert_eq!(route["p95_ms"].as_array().unwrap().len(), 2);
    let svg = fs::read_to_string(dir.join("chat-latam.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Placement of chat-latam"));
    assert!(dir.join("placement.json").is_file());
}

#[test]
fn solve_reads_the_benchmark_format_and_reports_bound_and_gap() {
    let p1 = sscflp_dir().join("p1").display().to_string();
    // A time limit that cannot bind (the run takes a fraction of a second): the solver's node
    // limit decides, so the answer is the same on every machine.
    let never = "1e9";
    let v = json(&["solve", "sscflp", &p1, "--time-limit", never, "--json"]);
    for field in ["objective", "lower_bound", "gap", "seconds"] {
        assert!(v[field].is_number(), "{field}: {v}");
    }
    // The known optimum of p1 is 2014, and the solver proves it.
    assert_eq!(v["objective"], 2014.0, "{v}");
    assert_eq!(v["lower_bound"], 2014.0, "{v}");
    assert_eq!(v["status"], "optimal", "{v}");
    assert_eq!(v["facilities"], 10);
    let text = ok(&["solve", "sscflp", &p1, "--time-limit", never]);
    assert!(
        text.contains("lower bound") && text.contains("gap"),
        "{text}"
    );
}

/// Runs footprint on bad data: exit code 3 and a message that contains `needle`.
fn refused_with_exit_3(args: &[&str], needle: &str) {
    let out = footprint(args);
    assert_eq!(out.status.code(), Some(3), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(needle), "{args:?}: {err}");
}

#[test]
fn bad_workload_and_instance_files_exit_3_naming_the_place() {
    let dir = scratch("bad-inputs");
    let bad = dir.join("w.toml");
    fs::write(
        &bad,
        "[[workload]]\nname = \"api\"\nclasses = [\"personal\"]\nusers = { MX = 1 }\ndemand = { storage_gb = -5 }\n",
    )
    .unwrap();
    refused_with_exit_3(
        &["place", bad.to_str().unwrap()],
        "field `workload \"api\".demand.storage_gb`: -5 is not a number >= 0",
    );
    #[cfg(not(feature = "highs"))]
    refused_with_exit_2(
        &[
            "solve",
            "sscflp",
            &sscflp_dir().join("p1").display().to_string(),
            "--exact",
        ],
        "built without",
    );
}

/// A file that is not an instance is bad input data: exit code 3, the file and line named.
#[test]
fn a_bad_instance_file_exits_3_naming_the_file_and_line() {
    let dir = scratch("bad-instance");
    let inst = dir.join("p");
    fs::write(&inst, "2 1\n5 5\n1 oops\n").unwrap();
    let out = footprint(&["solve", "sscflp", inst.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(inst.to_str().unwrap())
            && err.contains(
                "line 3: expected the fixed cost of facility 2 (a number >= 0), found \"oops\""
            ),
        "{err}"
    );
    fs::write(&inst, b"2 1\n5 5\n1 \xe97\n").unwrap();
    let out = footprint(&["solve", "sscflp", inst.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 3: the file is not UTF-8 text"));
}

#[cfg(feature = "highs")]
#[test]
fn solve_exact_proves_the_optimum_with_highs() {
    let v = json(&[
        "solve",
        "sscflp",
        &sscflp_dir().join("p1").display().to_string(),
        "--exact",
        "--json",
    ]);
    assert_eq!(v["method"], "highs");
    assert_eq!(v["status"], "optimal");
    assert_eq!(v["objective"], 2014.0);
    assert_eq!(v["gap"], 0.0);
}
