//! The validated world: what every later stage reads. Built only by [`crate::load`].

use std::collections::HashMap;

use serde::Serialize;

use crate::values::{Confidence, CountryCode, PartialDate, Partition, RegionStatus};

/// Where a fact comes from and when it was last checked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Provenance {
    /// Id of a [`Source`].
    pub source: String,
    pub as_of: PartialDate,
    pub confidence: Confidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retrieved: Option<PartialDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Country {
    pub code: CountryCode,
    pub code3: String,
    /// ISO 3166-1 numeric, the key of the Natural Earth shapes.
    pub numeric: u16,
    pub name: String,
    pub population: u64,
    pub continent: String,
    /// A representative point (the capital or the largest city), used when
    /// the country has no population point of its own.
    pub lat: f64,
    pub lon: f64,
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// A population point: a city of at least 100,000 people, for latency weighting.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct City {
    pub id: u64,
    pub name: String,
    pub country: CountryCode,
    pub lat: f64,
    pub lon: f64,
    pub population: u64,
    #[serde(skip)]
    pub source: String,
    #[serde(skip)]
    pub as_of: PartialDate,
}

/// A group of countries that laws refer to (EU, EEA, an adequacy list...).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bloc {
    pub id: String,
    pub name: String,
    pub members: Vec<CountryCode>,
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// A local company that runs a provider's region (e.g. 21Vianet for Azure in China).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Operator {
    pub id: String,
    pub name: String,
    pub country: CountryCode,
    #[serde(flatten)]
    pub provenance: Provenance,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub headquarters: CountryCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// Index of a country in [`World::countries`] (the catalog's order, layers appended), from
/// [`World::country_index`]: the one way to turn a code into a row of a per-country table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct CountryIdx(pub u32);

impl CountryIdx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a region in [`World::regions`]; stable for one loaded world, dense from 0,
/// so that later stages can keep sets of regions as bitsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RegionId(pub u32);

impl RegionId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Region {
    pub provider: String,
    /// The provider's own API code, e.g. `us-east-1`, `koreacentral`.
    pub code: String,
    pub name: String,
    pub city: String,
    pub country: CountryCode,
    pub lat: f64,
    pub lon: f64,
    pub status: RegionStatus,
    /// General availability (for announced regions: the expected date, if any).
    pub launched: Option<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announced: Option<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired: Option<PartialDate>,
    /// Availability zones, where known.
    pub zones: Option<u8>,
    pub partition: Partition,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(flatten)]
    pub provenance: Provenance,
}

impl Region {
    /// `provider:code`, the name by which every other stage refers to a region.
    pub fn key(&self) -> String {
        format!("{}:{}", self.provider, self.code)
    }

    pub fn is_ga(&self) -> bool {
        self.status == RegionStatus::Ga
    }
}

/// A provider's AI inference service (Bedrock, Azure OpenAI, Model Studio...).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AiService {
    pub id: String,
    pub provider: String,
    pub name: String,
    pub openai_compatible: bool,
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// Which models a service serves in one region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AiOffering {
    pub service: String,
    pub region: RegionId,
    pub models: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// One end of a latency measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    Region(RegionId),
    /// The country's users, as its population points.
    Country(CountryCode),
}

/// A measured round-trip time between two places.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    pub from: Place,
    pub to: Place,
    pub rtt_ms: f64,
    pub provenance: Provenance,
}

/// The validated catalog. Every cross-reference in it resolves.
#[derive(Clone, Debug, Default)]
pub struct World {
    pub sources: Vec<Source>,
    pub countries: Vec<Country>,
    /// Sorted by country, then by population descending.
    pub cities: Vec<City>,
    pub blocs: Vec<Bloc>,
    pub operators: Vec<Operator>,
    pub providers: Vec<Provider>,
    /// Sorted by provider id, then code.
    pub regions: Vec<Region>,
    pub ai_services: Vec<AiService>,
    pub ai_offerings: Vec<AiOffering>,
    pub measurements: Vec<Measurement>,
    pub(crate) index: Index,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    pub(crate) countries: HashMap<CountryCode, usize>,
    pub(crate) cities_by_country: HashMap<CountryCode, (usize, usize)>,
    /// provider -> code -> id, so that a lookup by `&str` allocates nothing.
    pub(crate) regions: HashMap<String, HashMap<String, RegionId>>,
    pub(crate) providers: HashMap<String, usize>,
    pub(crate) sources: HashMap<String, usize>,
    pub(crate) blocs: HashMap<String, usize>,
}

impl World {
    pub(crate) fn build_index(&mut self) {
        let mut ix = Index::default();
        for (i, c) in self.countries.iter().enumerate() {
            ix.countries.insert(c.code, i);
        }
        let mut start = 0;
        while start < self.cities.len() {
            let cc = self.cities[start].country;
            let end = start
                + self.cities[start..]
                    .iter()
                    .take_while(|c| c.country == cc)
                    .count();
            ix.cities_by_country.insert(cc, (start, end));
            start = end;
        }
        for (i, r) in self.regions.iter().enumerate() {
            ix.regions
                .entry(r.provider.clone())
                .or_default()
                .insert(r.code.clone(), RegionId(i as u32));
        }
        for (i, p) in self.providers.iter().enumerate() {
            ix.providers.insert(p.id.clone(), i);
        }
        for (i, s) in self.sources.iter().enumerate() {
            ix.sources.insert(s.id.clone(), i);
        }
        for (i, b) in self.blocs.iter().enumerate() {
            ix.blocs.insert(b.id.clone(), i);
        }
        self.index = ix;
    }

    pub fn country(&self, code: CountryCode) -> Option<&Country> {
        self.index.countries.get(&code).map(|&i| &self.countries[i])
    }

    /// The position of a country in [`World::countries`]; `None` for a code the catalog does
    /// not have (callers must refuse it, never fall back to another row). O(1).
    pub fn country_index(&self, code: CountryCode) -> Option<CountryIdx> {
        self.index
            .countries
            .get(&code)
            .map(|&i| CountryIdx(i as u32))
    }

    /// The population points of a country, largest first (may be empty).
    pub fn cities_of(&self, code: CountryCode) -> &[City] {
        match self.index.cities_by_country.get(&code) {
            Some(&(a, b)) => &self.cities[a..b],
            None => &[],
        }
    }

    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.index.providers.get(id).map(|&i| &self.providers[i])
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.index.sources.get(id).map(|&i| &self.sources[i])
    }

    pub fn bloc(&self, id: &str) -> Option<&Bloc> {
        self.index.blocs.get(id).map(|&i| &self.blocs[i])
    }

    pub fn region(&self, id: RegionId) -> &Region {
        &self.regions[id.index()]
    }

    pub fn region_id(&self, provider: &str, code: &str) -> Option<RegionId> {
        self.index.regions.get(provider)?.get(code).copied()
    }

    /// Finds a region written `provider:code`.
    pub fn find_region(&self, key: &str) -> Result<RegionId, RegionLookupError> {
        let (provider, code) = key
            .split_once(':')
            .ok_or_else(|| RegionLookupError::Syntax(key.to_owned()))?;
        if self.provider(provider).is_none() {
            return Err(RegionLookupError::UnknownProvider {
                provider: provider.to_owned(),
                known: self.providers.iter().map(|p| p.id.clone()).collect(),
            });
        }
        self.region_id(provider, code)
            .ok_or_else(|| RegionLookupError::UnknownRegion(key.to_owned()))
    }

    pub fn region_ids(&self) -> impl Iterator<Item = RegionId> + '_ {
        (0..self.regions.len() as u32).map(RegionId)
    }

    /// The blocs a country belongs to.
    pub fn blocs_of(&self, code: CountryCode) -> impl Iterator<Item = &Bloc> + '_ {
        self.blocs.iter().filter(move |b| b.members.contains(&code))
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RegionLookupError {
    #[error("region {0:?} is not written provider:code (e.g. aws:us-east-1)")]
    Syntax(String),
    #[error("unknown provider {provider:?}; known: {}", known.join(", "))]
    UnknownProvider {
        provider: String,
        known: Vec<String>,
    },
    #[error("unknown region {0:?}; `footprint catalog regions --provider P` lists them")]
    UnknownRegion(String),
}
