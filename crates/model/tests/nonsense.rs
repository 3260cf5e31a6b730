//! What physics or the calendar forbids is refused, each problem with file, line and field: a
//! measurement faster than light, a place measured against itself, facts checked in the
//! future, a region closed before it opened, two countries with one ISO code, absurd
//! populations, empty blocs, control characters, and a region outside its country.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on the unexpected"
)]

use footprint_model::{Checks, InputFile, PartialDate, Problem, load_with};

const HEADER: &str = "provider,code,name,city,country,lat,lon,status,launched,source,as_of\n";

/// Loads the embedded catalog plus one user layer; the problems it was refused with.
fn refused_with(files: &[(&str, &str)], checks: &Checks<'_>) -> Vec<Problem> {
    let layer = files
        .iter()
        .map(|(name, text)| InputFile::new(*name, *text))
        .collect();
    match load_with(&[footprint_model::embedded::layer(), layer], checks) {
        Ok(_) => panic!("{files:?} loaded, but it is nonsense"),
        Err(e) => e.problems,
    }
}

fn today() -> PartialDate {
    "2026-12-01".parse().unwrap()
}

fn refused(files: &[(&str, &str)]) -> Vec<Problem> {
    refused_with(
        files,
        &Checks {
            today: Some(today()),
            ..Checks::default()
        },
    )
}

/// The problems include one at `file:line` on `field` whose message contains `needle`.
fn assert_has(problems: &[Problem], file: &str, line: u32, field: &str, needle: &str) {
    assert!(
        problems.iter().any(|p| p.file == file
            && p.line == line
            && p.field.as_deref() == Some(field)
            && p.message.contains(needle)),
        "no problem at {file}:{line} on `{field}` saying {needle:?}; got:\n{}",
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn a_measurement_faster_than_light_in_fiber_is_refused() {
    // Ashburn to Sydney is about 15,700 km: at least ~157 ms round trip.
    let p = refused(&[(
        "latency-fast.csv",
        "from,to,rtt_ms,source,as_of\n\
         aws:us-east-1,aws:ap-southeast-2,1,provider-corporate,2026-11-01\n",
    )]);
    assert_has(
        &p,
        "latency-fast.csv",
        2,
        "rtt_ms",
        "faster than light in fiber",
    );
}

#[test]
fn a_measurement_close_to_the_floor_is_believed() {
    // 90% of the floor, less 1 ms, is the tolerance: 150 ms over ~15,700 km is kept.
    let layer = vec![InputFile::new(
        "latency-ok.csv",
        "from,to,rtt_ms,source,as_of\naws:us-east-1,aws:ap-southeast-2,150,provider-corporate,2026-11-01\n",
    )];
    let world = load_with(
        &[footprint_model::embedded::layer(), layer],
        &Checks::default(),
    );
    assert!(world.is_ok(), "{:?}", world.err());
}

#[test]
fn a_country_measured_against_a_region_uses_its_nearest_population_point() {
    // Mexico's users to a region in Mexico: no floor to speak of, 2 ms is believable.
    let layer = vec![InputFile::new(
        "latency-mx.csv",
        "from,to,rtt_ms,source,as_of\nMX,alibaba:na-south-1,2,provider-corporate,2026-11-01\n",
    )];
    assert!(
        load_with(
            &[footprint_model::embedded::layer(), layer],
            &Checks::default()
        )
        .is_ok()
    );
    // Mexico's users to Sydney in 20 ms: no.
    let p = refused(&[(
        "latency-mx.csv",
        "from,to,rtt_ms,source,as_of\nMX,aws:ap-southeast-2,20,provider-corporate,2026-11-01\n",
    )]);
    assert_has(&p, "latency-mx.csv", 2, "rtt_ms", "faster than light");
}

#[test]
fn a_place_measured_against_itself_is_refused() {
    let p = refused(&[(
        "latency-self.csv",
        "from,to,rtt_ms,source,as_of\n\
         aws:us-east-1,aws:us-east-1,5,provider-corporate,2026-11-01\n\
         MX,mx,5,provider-corporate,2026-11-01\n",
    )]);
    assert_has(&p, "latency-self.csv", 2, "to", "from a place to itself");
    assert_has(&p, "latency-self.csv", 3, "to", "from a place to itself");
}

#[test]
fn facts_checked_in_the_future_are_refused() {
    let p = refused(&[
        (
            "regions-future.csv",
            &format!(
                "{HEADER}aws,xx-future-1,X,Paris,FR,48.85,2.35,ga,2030,provider-corporate,2026-12-03\n"
            ),
        ),
        (
            "sources-future.toml",
            "[[source]]\nid = \"later\"\ntitle = \"From the future\"\nretrieved = \"2099-01-01\"\n",
        ),
    ]);
    assert_has(
        &p,
        "regions-future.csv",
        2,
        "as_of",
        "2026-12-03 is in the future",
    );
    assert_has(
        &p,
        "regions-future.csv",
        2,
        "launched",
        "2030 is in the future",
    );
    assert_has(&p, "sources-future.toml", 4, "retrieved", "in the future");
}

#[test]
fn today_and_tomorrow_are_not_the_future() {
    // Tomorrow is allowed for time zones ahead of UTC; an announced region may open later.
    let regions = format!(
        "{HEADER}aws,xx-today-1,X,Paris,FR,48.85,2.35,ga,2026-12,provider-corporate,2026-12-02\n\
         aws,xx-later-1,X,Paris,FR,48.85,2.35,announced,2028,provider-corporate,2026-12-01\n"
    );
    let layer = vec![InputFile::new("regions-now.csv", regions)];
    let checks = Checks {
        today: Some(today()),
        ..Checks::default()
    };
    let world = load_with(&[footprint_model::embedded::layer(), layer], &checks);
    assert!(world.is_ok(), "{:?}", world.err());
}

#[test]
fn a_region_retired_before_it_launched_is_refused() {
    let p = refused(&[(
        "regions-backwards.toml",
        "[[region]]\nprovider = \"aws\"\ncode = \"xx-old-1\"\nname = \"X\"\ncity = \"Paris\"\n\
         country = \"FR\"\nlat = 48.85\nlon = 2.35\nstatus = \"retired\"\nlaunched = \"2020-05\"\n\
         retired = \"2019-01-01\"\nsource = \"provider-corporate\"\nas_of = \"2026-11-01\"\n",
    )]);
    assert_has(
        &p,
        "regions-backwards.toml",
        11,
        "retired",
        "retired 2019-01-01 is before the region was launched (2020-05)",
    );
}

#[test]
fn two_countries_with_one_iso_code_are_refused_in_a_file_and_across_layers() {
    let header = "code,code3,numeric,name,population,continent,lat,lon,source,as_of\n";
    let p = refused(&[(
        "countries-clash.csv",
        &format!(
            "{header}QA,QAT,634,Qatar,2000000,AS,25.3,51.5,geonames-countries,2026-01-01\n\
             QX,FRA,999,Nowhere,10,EU,48.8,2.3,geonames-countries,2026-01-01\n\
             QY,QYY,250,Elsewhere,10,EU,48.8,2.3,geonames-countries,2026-01-01\n\
             QZ,QZZ,998,Twin A,10,EU,48.8,2.3,geonames-countries,2026-01-01\n\
             QW,QZZ,998,Twin B,10,EU,48.8,2.3,geonames-countries,2026-01-01\n"
        ),
    )]);
    // QA replaces the embedded Qatar with the same codes: fine. QX reuses France's alpha-3,
    // QY France's numeric code (both in the embedded layer); QW reuses QZ's, in the same file.
    assert!(!p.iter().any(|x| x.line == 2), "{p:?}");
    assert_has(
        &p,
        "countries-clash.csv",
        3,
        "code3",
        "alpha-3 code FRA is already the code of FR",
    );
    assert_has(
        &p,
        "countries-clash.csv",
        4,
        "numeric",
        "numeric code 250 is already the code of FR",
    );
    assert_has(
        &p,
        "countries-clash.csv",
        6,
        "code3",
        "already the code of QZ",
    );
    assert_has(
        &p,
        "countries-clash.csv",
        6,
        "numeric",
        "already the code of QZ",
    );
}

#[test]
fn an_alpha_3_code_must_be_three_letters() {
    let p = refused(&[(
        "countries-bad3.csv",
        "code,code3,numeric,name,population,continent,lat,lon,source,as_of\n\
         QX,Q1,997,Nowhere,10,EU,48.8,2.3,geonames-countries,2026-01-01\n",
    )]);
    assert_has(
        &p,
        "countries-bad3.csv",
        2,
        "code3",
        "three upper-case letters",
    );
}

#[test]
fn absurd_and_non_finite_numbers_are_refused() {
    let p = refused(&[
        (
            "countries-huge.csv",
            "code,code3,numeric,name,population,continent,lat,lon,source,as_of\n\
             QX,QXX,997,Nowhere,18446744073709551615,EU,48.8,2.3,geonames-countries,2026-01-01\n\
             QY,QYY,996,Nowhere,10,EU,NaN,inf,geonames-countries,2026-01-01\n",
        ),
        (
            "latency-huge.csv",
            "from,to,rtt_ms,source,as_of\naws:us-east-1,aws:eu-west-1,1e308,provider-corporate,2026-11-01\n",
        ),
        (
            "cities-huge.toml",
            "[[city]]\nid = 1\nname = \"Big\"\ncountry = \"FR\"\nlat = 1e308\nlon = nan\n\
             population = 9223372036854775807\nsource = \"provider-corporate\"\nas_of = \"2026-11-01\"\n",
        ),
    ]);
    assert_has(
        &p,
        "countries-huge.csv",
        2,
        "population",
        "up to 10000000000",
    );
    assert_has(&p, "countries-huge.csv", 3, "lat", "a finite number");
    assert_has(&p, "countries-huge.csv", 3, "lon", "a finite number");
    assert_has(&p, "latency-huge.csv", 2, "rtt_ms", "below 10000");
    assert_has(&p, "cities-huge.toml", 5, "lat", "from -90 to 90");
    assert_has(&p, "cities-huge.toml", 6, "lon", "a finite number");
    assert_has(&p, "cities-huge.toml", 7, "population", "up to 10000000000");
}

#[test]
fn an_empty_bloc_is_refused_rather_than_switching_laws_off() {
    let p = refused(&[(
        "blocs.toml",
        "[[bloc]]\nid = \"EU\"\nname = \"European Union\"\nmembers = []\n\
         source = \"eu-members\"\nas_of = \"2026-11-01\"\n",
    )]);
    assert_has(&p, "blocs.toml", 4, "members", "at least one member");
}

#[test]
fn control_characters_in_text_are_refused() {
    let p = refused(&[(
        "providers.toml",
        "[[provider]]\nid = \"evil\"\nname = \"Evil\\u001b[2J Corp\"\nheadquarters = \"US\"\n\
         source = \"provider-corporate\"\nas_of = \"2026-11-01\"\nnote = \"two\\nlines are fine\"\n",
    )]);
    assert_has(
        &p,
        "providers.toml",
        3,
        "name",
        "without control characters",
    );
    assert!(
        !p.iter().any(|x| x.field.as_deref() == Some("note")),
        "{p:?}"
    );
}

#[test]
fn the_callers_place_check_refuses_a_region_outside_its_country() {
    let outside = |r: &footprint_model::Region, c: &footprint_model::Country| {
        if r.code == "xx-sydney-1" {
            Err(format!("{},{} is not in {}", r.lat, r.lon, c.name))
        } else {
            Ok(())
        }
    };
    let checks = Checks {
        today: None,
        region_in_country: Some(&outside),
    };
    let p = refused_with(
        &[(
            "regions-misplaced.csv",
            &format!(
                "{HEADER}aws,xx-sydney-1,X,Paris,FR,-33.86,151.21,ga,2025,provider-corporate,2026-11-01\n"
            ),
        )],
        &checks,
    );
    assert_has(
        &p,
        "regions-misplaced.csv",
        2,
        "lat",
        "-33.86,151.21 is not in France",
    );
}
