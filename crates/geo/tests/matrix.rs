#![allow(clippy::unwrap_used, reason = "tests")]
//! The latency matrix on a layered catalog: a measurement for the exact pair wins over the
//! model, and a country added by a layer gets its own row.

use std::borrow::Cow;

use footprint_geo::{LatLon, LatencyMatrix, LatencyModel, Method, haversine_km};
use footprint_model::{CountryCode, InputFile, World};

/// The embedded catalog, then one user layer per file.
fn layered(files: &[(&str, &str)]) -> World {
    let mut layers = vec![footprint_model::embedded::layer()];
    layers.extend(files.iter().map(|(path, text)| {
        vec![InputFile {
            path: (*path).to_owned(),
            text: Cow::Borrowed(*text),
            csv_kind: None,
        }]
    }));
    footprint_model::load(&layers).unwrap()
}

fn cc(s: &str) -> CountryCode {
    CountryCode::parse(s).unwrap()
}

#[test]
fn a_measured_country_to_region_pair_is_the_cell() {
    let world = layered(&[(
        "latency-mine.csv",
        "from,to,rtt_ms,source,as_of\n\
         MX,aws:us-east-1,45.5,geonames-countries,2026-11-01\n\
         aws:eu-west-1,IE,2.25,geonames-countries,2026-11-01\n",
    )]);
    let model = LatencyModel::calibrate(&world).unwrap();
    let matrix = LatencyMatrix::build(&world, &model);
    let us = world.find_region("aws:us-east-1").unwrap();
    let ie = world.find_region("aws:eu-west-1").unwrap();
    let mx = world.country_index(cc("MX")).unwrap();
    let irl = world.country_index(cc("IE")).unwrap();
    assert_eq!(matrix.p95(mx, us), 45.5);
    assert_eq!(matrix.method(mx, us), Method::Measured);
    // Either direction.
    assert_eq!(matrix.p95(irl, ie), 2.25);
    // Other cells stay estimates, never below the physical floor.
    let de = world.country_index(cc("DE")).unwrap();
    assert_eq!(matrix.method(de, us), Method::Estimated);
    assert!(matrix.p95(de, us) > 60.0);
    assert_eq!(matrix.measured_cells(), 2);
}

#[test]
fn a_later_layer_measurement_replaces_an_earlier_one() {
    let world = layered(&[
        (
            "latency-a.csv",
            "from,to,rtt_ms,source,as_of\nMX,aws:us-east-1,45.5,geonames-countries,2026-11-01\n",
        ),
        (
            "latency-b.csv",
            "from,to,rtt_ms,source,as_of\naws:us-east-1,MX,48,geonames-countries,2026-11-02\n",
        ),
    ]);
    let model = LatencyModel::calibrate(&world).unwrap();
    let matrix = LatencyMatrix::build(&world, &model);
    let us = world.find_region("aws:us-east-1").unwrap();
    let mx = world.country_index(cc("MX")).unwrap();
    let measured = footprint_geo::latency::find_measurement(
        &world,
        footprint_model::Place::Country(cc("MX")),
        footprint_model::Place::Region(us),
    )
    .unwrap();
    assert_eq!(matrix.p95(mx, us), measured.rtt_ms);
    assert_eq!(matrix.p95(mx, us), 48.0, "the later layer's measurement");
}

#[test]
fn a_country_added_by_a_layer_gets_its_own_row() {
    // QZ, a user-assigned code, in the middle of the Pacific; it has no cities, so its users
    // are its representative point. Appended after ZW, so not in alphabetical position.
    let world = layered(&[(
        "countries-mine.csv",
        "code,code3,numeric,name,population,continent,lat,lon,source,as_of\n\
         QZ,QZZ,999,Pacifica,1000,OC,-10.0,-140.0,geonames-countries,2026-11-01\n",
    )]);
    let model = LatencyModel::calibrate(&world).unwrap();
    let matrix = LatencyMatrix::build(&world, &model);
    let qz = world.country_index(cc("QZ")).unwrap();
    assert_eq!(world.countries[qz.index()].code, cc("QZ"));
    for r in world.region_ids() {
        let region = world.region(r);
        let want = model.rtt_for_km(haversine_km(
            LatLon::new(-10.0, -140.0),
            LatLon::new(region.lat, region.lon),
        ));
        assert!(
            (matrix.p95(qz, r) - want).abs() < 1e-3 * want.max(1.0),
            "{}: {} vs {want}",
            region.key(),
            matrix.p95(qz, r)
        );
    }
    assert!(world.country_index(cc("QY")).is_none());
}
