//! The sovereign-coverage matrix: for each country and provider, can data stay in the country
//! (a generally available region inside it), and if not, where is the nearest one.

use footprint_model::{CountryCode, Partition, RegionId, World};
use serde::Serialize;

use crate::{Endpoint, LatLon, LatencyModel, mean_distance_km, population_points};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountryCoverage {
    pub country: CountryCode,
    pub name: String,
    pub population: u64,
    pub providers: Vec<ProviderCoverage>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProviderCoverage {
    pub provider: String,
    /// Does the provider have a generally available region inside the country?
    pub in_country: bool,
    /// Its generally available regions in the country (`provider:code`).
    pub regions: Vec<String>,
    /// The region closest to the country's population (None if the provider has no region).
    pub nearest: Option<Nearest>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Nearest {
    pub region: String,
    pub country: CountryCode,
    /// Population-weighted mean great-circle distance, km.
    pub distance_km: f64,
    /// Estimated population-weighted round-trip time, ms.
    pub rtt_ms: f64,
}

/// Which regions count for coverage: generally available, and open to any customer
/// (government-only partitions are left out).
pub fn counts_for_coverage(world: &World, id: RegionId) -> bool {
    let r = world.region(id);
    r.is_ga() && r.partition != Partition::Government
}

/// The matrix for the given countries (in that order) and every provider in the catalog.
pub fn coverage(
    world: &World,
    model: &LatencyModel,
    countries: &[CountryCode],
) -> Vec<CountryCoverage> {
    let eligible: Vec<RegionId> = world
        .region_ids()
        .filter(|&id| counts_for_coverage(world, id))
        .collect();
    countries
        .iter()
        .filter_map(|&cc| {
            let country = world.country(cc)?;
            let points = population_points(world, cc);
            let providers = world
                .providers
                .iter()
                .map(|p| {
                    let mine = eligible
                        .iter()
                        .copied()
                        .filter(|&id| world.region(id).provider == p.id);
                    let mut regions = Vec::new();
                    let mut best: Option<(RegionId, f64)> = None;
                    for id in mine {
                        let r = world.region(id);
                        if r.country == cc {
                            regions.push(r.key());
                        }
                        let d = mean_distance_km(&points, LatLon::new(r.lat, r.lon));
                        if best.is_none_or(|(_, bd)| d < bd) {
                            best = Some((id, d));
                        }
                    }
                    let nearest = best.map(|(id, d)| {
                        let r = world.region(id);
                        let est =
                            model.estimate(world, &Endpoint::Country(cc), &Endpoint::Region(id));
                        Nearest {
                            region: r.key(),
                            country: r.country,
                            distance_km: d,
                            rtt_ms: est.rtt_ms,
                        }
                    });
                    ProviderCoverage {
                        provider: p.id.clone(),
                        in_country: !regions.is_empty(),
                        regions,
                        nearest,
                    }
                })
                .collect();
            Some(CountryCoverage {
                country: cc,
                name: country.name.clone(),
                population: country.population,
                providers,
            })
        })
        .collect()
}
