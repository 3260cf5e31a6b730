//! Checks that physics and the calendar impose on the merged catalog: no fact checked in the
//! future, no region closed before it opened, no two countries with one ISO code, no
//! measurement faster than light in fiber, and (through the caller) regions inside their country.

use std::collections::HashMap;

use super::merge::Keyed;
use crate::error::Problem;
use crate::record::Loc;
use crate::values::{PartialDate, RegionStatus};
use crate::world::{Country, Measurement, Place, Region, World};

/// Light in fiber covers about 200 km a millisecond: 1 ms of round trip per 100 km of
/// great-circle distance (the same floor as footprint-geo's latency model).
pub(crate) const FLOOR_MS_PER_KM: f64 = 0.01;

/// How far below the floor a measurement may be and still be believed: catalog coordinates are
/// the city's, not the data center's, and light in fiber is a little faster than the floor's
/// round figure (0.98 ms per 100 km). A measurement under `FLOOR_SLACK * floor - FLOOR_MARGIN_MS`
/// is refused.
pub(crate) const FLOOR_SLACK: f64 = 0.9;
pub(crate) const FLOOR_MARGIN_MS: f64 = 1.0;

/// Mean Earth radius (IUGG), km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance by the haversine formula, km.
pub(crate) fn great_circle_km((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// A date may be at most one day after the caller's today (a fact checked where the date is
/// already tomorrow).
pub(super) fn not_future(
    loc: &Loc,
    field: &str,
    date: PartialDate,
    today: PartialDate,
    out: &mut Vec<Problem>,
) {
    let latest = today.next_day();
    if latest.surely_before(&date) {
        out.push(loc.problem(
            field,
            format!("{date} is in the future (today is {today}); expected a date that has passed"),
        ));
    }
}

/// A generally available region launched, and a retired one closed, by today; any region
/// announced by today.
pub(super) fn region_dates(loc: &Loc, r: &Region, today: PartialDate, out: &mut Vec<Problem>) {
    if r.status == RegionStatus::Ga
        && let Some(d) = r.launched
    {
        not_future(loc, "launched", d, today, out);
    }
    if let Some(d) = r.retired {
        not_future(loc, "retired", d, today, out);
    }
    if let Some(d) = r.announced {
        not_future(loc, "announced", d, today, out);
    }
}

/// The caller's test that a region's coordinates lie in its country.
pub(super) fn in_country(
    loc: &Loc,
    region: &Region,
    country: &Country,
    check: &super::RegionInCountry<'_>,
    out: &mut Vec<Problem>,
) {
    if let Err(why) = check(region, country) {
        out.push(loc.problem("lat", why));
    }
}

/// No two countries share an alpha-3 or a numeric code. The record from the earliest layer
/// keeps the code; a later layer's record that reuses it is the one refused.
pub(super) fn unique_country_codes(countries: &Keyed<Country>, out: &mut Vec<Problem>) {
    let mut by_layer: Vec<usize> = (0..countries.order.len()).collect();
    by_layer.sort_by_key(|&i| (countries.layers[i], i));
    let mut code3: HashMap<&str, usize> = HashMap::new();
    let mut numeric: HashMap<u16, usize> = HashMap::new();
    for i in by_layer {
        let c = &countries.order[i];
        let mut clash = |field: &str, what: String, first: usize| {
            let other = &countries.order[first];
            out.push(c.loc.problem(
                field,
                format!(
                    "{what} is already the code of {} ({}); ISO codes name one country each",
                    other.value.code,
                    other.loc.at()
                ),
            ));
        };
        match code3.get(c.value.code3.as_str()) {
            Some(&first) => clash("code3", format!("alpha-3 code {}", c.value.code3), first),
            None => {
                code3.insert(&c.value.code3, i);
            }
        }
        match numeric.get(&c.value.numeric) {
            Some(&first) => clash(
                "numeric",
                format!("numeric code {:03}", c.value.numeric),
                first,
            ),
            None => {
                numeric.insert(c.value.numeric, i);
            }
        }
    }
}

/// The points a place stands for: a region's city, or a country's population points (its own
/// point when it has none).
fn points(world: &World, place: Place) -> Vec<(f64, f64)> {
    match place {
        Place::Region(id) => {
            let r = world.region(id);
            vec![(r.lat, r.lon)]
        }
        Place::Country(code) => {
            let cities = world.cities_of(code);
            if cities.is_empty() {
                world
                    .country(code)
                    .map(|c| vec![(c.lat, c.lon)])
                    .unwrap_or_default()
            } else {
                cities.iter().map(|c| (c.lat, c.lon)).collect()
            }
        }
    }
}

/// A measurement joins two different places and is not faster than light in fiber between
/// their nearest points. Returns whether it may be kept.
pub(super) fn measurement(
    world: &World,
    loc: &Loc,
    m: &Measurement,
    out: &mut Vec<Problem>,
) -> bool {
    if m.from == m.to {
        out.push(loc.problem(
            "to",
            "a measurement from a place to itself; expected two different places",
        ));
        return false;
    }
    let (a, b) = (points(world, m.from), points(world, m.to));
    let nearest_km = a
        .iter()
        .flat_map(|p| b.iter().map(move |q| great_circle_km(*p, *q)))
        .fold(f64::INFINITY, f64::min);
    if !nearest_km.is_finite() {
        return true;
    }
    let floor = nearest_km * FLOOR_MS_PER_KM;
    if m.rtt_ms < FLOOR_SLACK * floor - FLOOR_MARGIN_MS {
        out.push(loc.problem(
            "rtt_ms",
            format!(
                "{} ms is faster than light in fiber: the places are {nearest_km:.0} km apart, \
                 so a round trip takes at least about {floor:.0} ms (1 ms per 100 km; \
                 measurements under {:.0}% of that, less {FLOOR_MARGIN_MS} ms, are refused)",
                m.rtt_ms,
                FLOOR_SLACK * 100.0
            ),
        ));
        return false;
    }
    true
}
