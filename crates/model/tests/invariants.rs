//! Invariants of the embedded catalog: what every later stage may rely on.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on the unexpected"
)]

use std::collections::HashSet;

use footprint_model::{CountryCode, PartialDate, RegionStatus, World, load_embedded};

fn world() -> World {
    match load_embedded() {
        Ok(w) => w,
        Err(e) => panic!("the embedded catalog must load:\n{e}"),
    }
}

fn cc(s: &str) -> CountryCode {
    CountryCode::parse(s).unwrap()
}

#[test]
fn region_codes_are_unique_per_provider() {
    let w = world();
    let keys: HashSet<(String, String)> = w
        .regions
        .iter()
        .map(|r| (r.provider.clone(), r.code.clone()))
        .collect();
    assert_eq!(keys.len(), w.regions.len());
}

#[test]
fn every_country_code_is_known() {
    let w = world();
    let known: HashSet<CountryCode> = w.countries.iter().map(|c| c.code).collect();
    for r in &w.regions {
        assert!(known.contains(&r.country), "{} in {}", r.key(), r.country);
    }
    for c in &w.cities {
        assert!(
            known.contains(&c.country),
            "city {} in {}",
            c.name,
            c.country
        );
    }
    for b in &w.blocs {
        for m in &b.members {
            assert!(known.contains(m), "bloc {} member {m}", b.id);
        }
    }
    for p in &w.providers {
        assert!(known.contains(&p.headquarters), "{}", p.id);
    }
}

#[test]
fn all_iso_countries_have_a_population_and_a_point() {
    let w = world();
    assert!(w.countries.len() >= 249, "{} countries", w.countries.len());
    for code in [
        "MX", "MY", "TH", "KR", "CN", "US", "DE", "BR", "IN", "NG", "TV", "VA",
    ] {
        let c = w
            .country(cc(code))
            .unwrap_or_else(|| panic!("{code} missing"));
        assert!((-90.0..=90.0).contains(&c.lat) && (-180.0..=180.0).contains(&c.lon));
        assert!(c.population > 0, "{code}");
    }
    assert!(w.cities.len() > 6000);
    assert!(w.cities_of(cc("MX")).len() > 50);
}

#[test]
fn every_fact_is_sourced_and_dated() {
    let w = world();
    let earliest: PartialDate = "2020-01-01".parse().unwrap();
    let latest: PartialDate = "2026-12-31".parse().unwrap();
    let mut provenances = Vec::new();
    provenances.extend(
        w.countries
            .iter()
            .map(|x| (format!("country {}", x.code), &x.provenance)),
    );
    provenances.extend(
        w.blocs
            .iter()
            .map(|x| (format!("bloc {}", x.id), &x.provenance)),
    );
    provenances.extend(
        w.operators
            .iter()
            .map(|x| (format!("operator {}", x.id), &x.provenance)),
    );
    provenances.extend(
        w.providers
            .iter()
            .map(|x| (format!("provider {}", x.id), &x.provenance)),
    );
    provenances.extend(
        w.regions
            .iter()
            .map(|x| (format!("region {}", x.key()), &x.provenance)),
    );
    provenances.extend(
        w.ai_services
            .iter()
            .map(|x| (format!("AI service {}", x.id), &x.provenance)),
    );
    provenances.extend(
        w.ai_offerings
            .iter()
            .map(|x| (format!("AI offering {}", x.service), &x.provenance)),
    );
    provenances.extend(
        w.measurements
            .iter()
            .map(|x| ("measurement".to_owned(), &x.provenance)),
    );
    for (what, p) in provenances {
        assert!(w.source(&p.source).is_some(), "{what}: source {}", p.source);
        assert!(p.as_of.is_full(), "{what}: as_of {}", p.as_of);
        assert!(
            p.as_of >= earliest && p.as_of <= latest,
            "{what}: as_of {}",
            p.as_of
        );
    }
    for c in &w.cities {
        assert!(
            w.source(&c.source).is_some() && c.as_of.is_full(),
            "city {}",
            c.name
        );
    }
}

#[test]
fn generally_available_regions_have_a_launch_date_and_retired_ones_a_closing_date() {
    let w = world();
    for r in &w.regions {
        match r.status {
            RegionStatus::Ga => assert!(r.launched.is_some(), "{}", r.key()),
            RegionStatus::Retired => assert!(r.retired.is_some(), "{}", r.key()),
            _ => {}
        }
    }
}

#[test]
fn the_seven_providers_are_there_with_their_regions() {
    let w = world();
    for (id, hq, min_ga) in [
        ("aws", "US", 30),
        ("azure", "US", 50),
        ("gcp", "US", 35),
        ("oracle", "US", 40),
        ("alibaba", "CN", 25),
        ("huawei", "CN", 15),
        ("tencent", "CN", 15),
    ] {
        let p = w
            .provider(id)
            .unwrap_or_else(|| panic!("provider {id} missing"));
        assert_eq!(p.headquarters, cc(hq), "{id}");
        let ga = w
            .regions
            .iter()
            .filter(|r| r.provider == id && r.is_ga())
            .count();
        assert!(
            ga >= min_ga,
            "{id} has {ga} GA regions, expected at least {min_ga}"
        );
    }
}

#[test]
fn the_example_providers_new_markets_are_in_the_catalog() {
    // DESIGN.md's example: Alibaba Cloud's Mexico region, and its regions in Malaysia,
    // Thailand and South Korea.
    let w = world();
    for (code, country, city_part) in [
        ("na-south-1", "MX", "Quer"),
        ("ap-southeast-3", "MY", "Kuala Lumpur"),
        ("ap-southeast-7", "TH", "Bangkok"),
        ("ap-northeast-2", "KR", "Seoul"),
    ] {
        let id = w
            .region_id("alibaba", code)
            .unwrap_or_else(|| panic!("alibaba:{code} missing"));
        let r = w.region(id);
        assert_eq!(r.country, cc(country), "{code}");
        assert!(r.city.contains(city_part), "{code}: {}", r.city);
        assert_eq!(r.status, RegionStatus::Ga, "{code}");
        assert!(r.launched.is_some());
    }
    let mx = w.region(w.region_id("alibaba", "na-south-1").unwrap());
    assert_eq!(mx.launched.map(|d| d.year), Some(2025));
}

#[test]
fn regions_run_by_local_operators_name_them() {
    let w = world();
    for key in ["aws:cn-north-1", "aws:cn-northwest-1", "azure:chinanorth3"] {
        let r = w.region(w.find_region(key).unwrap());
        let op = r
            .operator
            .as_deref()
            .unwrap_or_else(|| panic!("{key} has no operator"));
        assert!(
            w.operators
                .iter()
                .any(|o| o.id == op && o.country == cc("CN")),
            "{key}"
        );
    }
}

#[test]
fn ai_offerings_cover_the_four_main_services() {
    let w = world();
    for service in [
        "alibaba-model-studio",
        "aws-bedrock",
        "azure-openai",
        "gcp-vertex-ai",
    ] {
        let n = w
            .ai_offerings
            .iter()
            .filter(|o| o.service == service)
            .count();
        assert!(n >= 1, "{service} has no offering");
    }
    let singapore = w.find_region("alibaba:ap-southeast-1").unwrap();
    assert!(
        w.ai_offerings
            .iter()
            .any(|o| o.service == "alibaba-model-studio" && o.region == singapore)
    );
}

#[test]
fn blocs_that_laws_refer_to_exist() {
    let w = world();
    assert_eq!(w.bloc("EU").unwrap().members.len(), 27);
    assert_eq!(w.bloc("EEA").unwrap().members.len(), 30);
    for id in ["ASEAN", "GCC", "EU_ADEQUACY"] {
        assert!(w.bloc(id).is_some(), "{id}");
    }
    assert!(w.blocs_of(cc("DE")).any(|b| b.id == "EU"));
    assert!(!w.blocs_of(cc("GB")).any(|b| b.id == "EU"));
}
