//! Geometry over the world catalog: great-circle distances, the places a user can name
//! (a region, a country's population, a point), country shapes, and the latency model.
//!
//! Pure: takes a [`World`] and returns numbers; no IO.

pub mod coverage;
pub mod latency;
pub mod matrix;
pub mod shapes;

use std::fmt;

use footprint_model::{CountryCode, Place, RegionId, World};

pub use latency::{Calibration, Estimate, LatencyModel, Method};
pub use matrix::LatencyMatrix;

/// Mean Earth radius (IUGG), km.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    pub fn new(lat: f64, lon: f64) -> Self {
        Self { lat, lon }
    }
}

/// Great-circle distance by the haversine formula, km.
pub fn haversine_km(a: LatLon, b: LatLon) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Something a user can measure latency from or to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Endpoint {
    Region(RegionId),
    /// The country's users: its population points, weighted by population.
    Country(CountryCode),
    Point(LatLon),
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EndpointError {
    #[error(transparent)]
    Region(#[from] footprint_model::RegionLookupError),
    #[error("unknown country {0:?}; `footprint catalog countries` lists the codes")]
    UnknownCountry(String),
    #[error(
        "{0:?} is not a place: expected provider:code (e.g. aws:us-east-1), a country code (e.g. MX) or lat,lon (e.g. 19.43,-99.13)"
    )]
    Syntax(String),
    #[error("{0:?}: latitude must be in -90..90 and longitude in -180..180")]
    OutOfRange(String),
}

impl Endpoint {
    /// Reads `provider:code`, a country code, or `lat,lon`.
    pub fn parse(world: &World, text: &str) -> Result<Self, EndpointError> {
        let t = text.trim();
        if let Some((a, b)) = t.split_once(',') {
            let (lat, lon) = match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
                (Ok(lat), Ok(lon)) if lat.is_finite() && lon.is_finite() => (lat, lon),
                _ => return Err(EndpointError::Syntax(text.to_owned())),
            };
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(EndpointError::OutOfRange(text.to_owned()));
            }
            return Ok(Endpoint::Point(LatLon::new(lat, lon)));
        }
        if t.contains(':') {
            return Ok(Endpoint::Region(world.find_region(t)?));
        }
        match CountryCode::parse(t) {
            Some(code) if world.country(code).is_some() => Ok(Endpoint::Country(code)),
            Some(_) => Err(EndpointError::UnknownCountry(t.to_owned())),
            None => Err(EndpointError::Syntax(text.to_owned())),
        }
    }

    /// The catalog place this endpoint is, if it is one (points are not).
    pub fn place(&self) -> Option<Place> {
        match *self {
            Endpoint::Region(r) => Some(Place::Region(r)),
            Endpoint::Country(c) => Some(Place::Country(c)),
            Endpoint::Point(_) => None,
        }
    }

    pub fn display(&self, world: &World) -> String {
        match *self {
            Endpoint::Region(r) => world.region(r).key(),
            Endpoint::Country(c) => c.to_string(),
            Endpoint::Point(p) => format!("{:.4},{:.4}", p.lat, p.lon),
        }
    }

    /// The points this endpoint stands for, with weights that sum to 1.
    pub fn points(&self, world: &World) -> Vec<(LatLon, f64)> {
        match *self {
            Endpoint::Region(r) => {
                let r = world.region(r);
                vec![(LatLon::new(r.lat, r.lon), 1.0)]
            }
            Endpoint::Point(p) => vec![(p, 1.0)],
            Endpoint::Country(c) => population_points(world, c),
        }
    }
}

impl fmt::Display for LatLon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.4},{:.4}", self.lat, self.lon)
    }
}

/// A country's population points, weighted by population; its representative point when
/// it has no city in the catalog.
pub fn population_points(world: &World, country: CountryCode) -> Vec<(LatLon, f64)> {
    let cities = world.cities_of(country);
    let total: f64 = cities.iter().map(|c| c.population as f64).sum();
    if cities.is_empty() || total <= 0.0 {
        return world
            .country(country)
            .map(|c| vec![(LatLon::new(c.lat, c.lon), 1.0)])
            .unwrap_or_default();
    }
    cities
        .iter()
        .map(|c| (LatLon::new(c.lat, c.lon), c.population as f64 / total))
        .collect()
}

/// Weighted mean great-circle distance from a set of weighted points to one point, km.
pub fn mean_distance_km(points: &[(LatLon, f64)], to: LatLon) -> f64 {
    points.iter().map(|(p, w)| w * haversine_km(*p, to)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_matches_known_distances() {
        let paris = LatLon::new(48.8566, 2.3522);
        let london = LatLon::new(51.5074, -0.1278);
        let d = haversine_km(paris, london);
        assert!((d - 343.5).abs() < 2.0, "{d}");
        assert_eq!(haversine_km(paris, paris), 0.0);
        // Antipodes: half the circumference.
        let d = haversine_km(LatLon::new(0.0, 0.0), LatLon::new(0.0, 180.0));
        assert!((d - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1e-6);
        // Across the antimeridian the short way.
        let d = haversine_km(LatLon::new(0.0, 179.5), LatLon::new(0.0, -179.5));
        assert!((d - 111.2).abs() < 0.5, "{d}");
    }
}
