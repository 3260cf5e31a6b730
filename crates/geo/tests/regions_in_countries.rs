//! Every region's coordinates lie inside its country's shape, or near it (regions sit on
//! coasts, and 1:50m shapes are coarse), or near the country's own point when it has no shape.

use footprint_geo::shapes::WorldShapes;
use footprint_geo::{LatLon, haversine_km};
use footprint_model::load_embedded;

/// How far outside its country's outline a region may be placed (coastal cities, coarse shapes).
const NEAR_KM: f64 = 30.0;

#[test]
fn every_region_is_inside_or_near_its_country() {
    let world = load_embedded().expect("catalog");
    let shapes = WorldShapes::embedded();
    let mut bad = Vec::new();
    for r in &world.regions {
        let country = world.country(r.country).expect("known country");
        let off_km = match shapes.by_numeric(country.numeric) {
            Some(shape) => shape.distance_km(r.lon, r.lat),
            // Territories too small for a 1:50m shape (e.g. Singapore at some scales, Bahrain):
            // the region must be near the country's own point.
            None => (haversine_km(
                LatLon::new(r.lat, r.lon),
                LatLon::new(country.lat, country.lon),
            ) - 50.0)
                .max(0.0),
        };
        if off_km > NEAR_KM {
            bad.push(format!(
                "{} ({}, {}) is {off_km:.0} km outside {}",
                r.key(),
                r.lat,
                r.lon,
                r.country
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn a_misplaced_region_would_be_caught() {
    // The check above can fail: Paris is far outside Mexico.
    let shapes = WorldShapes::embedded();
    let mexico = shapes.by_numeric(484).expect("Mexico's shape");
    assert!(mexico.distance_km(2.35, 48.86) > 5000.0);
    assert!(mexico.contains(-100.39, 20.59), "Querétaro is in Mexico");
}
