//! Merged records -> the [`World`]: country codes, sources, providers, operators, regions and
//! measurement ends resolved, and every check that needs more than one record.

use std::collections::{HashMap, HashSet};

use super::Checks;
use super::checks;
use super::merge::{Keyed, Merged};
use super::typed::{At, placeholder};
use crate::error::Problem;
use crate::record::Loc;
use crate::values::{CountryCode, PartialDate};
use crate::world::{
    AiOffering, AiService, Bloc, City, Country, Measurement, Place, Provenance, Region, Source,
    World,
};

/// What every step of resolving needs: the ids records may refer to, the caller's checks, and
/// the problems found.
struct Resolver<'c, 'a> {
    checks: &'c Checks<'a>,
    source_ids: HashSet<String>,
    countries: HashMap<CountryCode, usize>,
    out: &'c mut Vec<Problem>,
}

impl Resolver<'_, '_> {
    fn source(&mut self, loc: &Loc, id: &str) {
        if !self.source_ids.contains(id) {
            self.out.push(loc.problem(
                "source",
                format!("unknown source {id:?}; expected the id of a [[source]] record"),
            ));
        }
    }

    /// The record's source exists and it was not checked in the future.
    fn provenance(&mut self, loc: &Loc, p: &Provenance) {
        self.source(loc, &p.source);
        self.not_future(loc, "as_of", Some(p.as_of));
    }

    fn not_future(&mut self, loc: &Loc, field: &str, date: Option<PartialDate>) {
        if let (Some(date), Some(today)) = (date, self.checks.today) {
            checks::not_future(loc, field, date, today, self.out);
        }
    }

    fn country(&mut self, loc: &Loc, field: &str, text: &str) -> CountryCode {
        match CountryCode::parse(text) {
            Some(code) if self.countries.contains_key(&code) => code,
            Some(code) => {
                self.out.push(loc.problem(
                    field,
                    format!(
                        "unknown country {code}; expected an ISO 3166-1 alpha-2 code from the \
                         countries table"
                    ),
                ));
                placeholder()
            }
            None => {
                self.out.push(loc.problem(
                    field,
                    format!(
                        "expected an ISO 3166-1 alpha-2 country code (two letters), found {text:?}"
                    ),
                ));
                placeholder()
            }
        }
    }
}

/// Builds the world from the merged layers; every problem goes to `out`.
pub(super) fn resolve(m: Merged, checks: &Checks<'_>, out: &mut Vec<Problem>) -> World {
    let mut world = World::default();
    checks::unique_country_codes(&m.countries, out);
    let mut r = Resolver {
        checks,
        source_ids: m.sources.order.iter().map(|s| s.value.id.clone()).collect(),
        countries: HashMap::new(),
        out,
    };
    world.countries = countries(&mut r, m.countries);
    r.countries = world
        .countries
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code, i))
        .collect();
    world.cities = cities(&mut r, m.cities);
    world.blocs = blocs(&mut r, m.blocs);
    world.operators = m
        .operators
        .order
        .into_iter()
        .map(
            |At {
                 loc,
                 value: (mut op, cc),
             }| {
                r.provenance(&loc, &op.provenance);
                op.country = r.country(&loc, "country", &cc);
                op
            },
        )
        .collect();
    world.providers = m
        .providers
        .order
        .into_iter()
        .map(
            |At {
                 loc,
                 value: (mut p, cc),
             }| {
                r.provenance(&loc, &p.provenance);
                p.headquarters = r.country(&loc, "headquarters", &cc);
                p
            },
        )
        .collect();
    world.regions = regions(&mut r, &world, m.regions);
    world.sources = sources(&mut r, m.sources);
    world.build_index();
    world.ai_services = ai_services(&mut r, &world, m.ai_services);
    world.ai_offerings = ai_offerings(&mut r, &world, m.ai_offerings);
    world.measurements = measurements(&mut r, &world, m.latency);
    world
}

fn countries(r: &mut Resolver<'_, '_>, countries: Keyed<Country>) -> Vec<Country> {
    countries
        .order
        .into_iter()
        .map(|c| {
            r.provenance(&c.loc, &c.value.provenance);
            c.value
        })
        .collect()
}

fn cities(r: &mut Resolver<'_, '_>, cities: Keyed<(City, String)>) -> Vec<City> {
    let mut list: Vec<City> = cities
        .order
        .into_iter()
        .map(
            |At {
                 loc,
                 value: (mut city, cc),
             }| {
                city.country = r.country(&loc, "country", &cc);
                r.source(&loc, &city.source);
                r.not_future(&loc, "as_of", Some(city.as_of));
                city
            },
        )
        .collect();
    list.sort_by(|a, b| {
        a.country
            .cmp(&b.country)
            .then(b.population.cmp(&a.population))
            .then(a.id.cmp(&b.id))
    });
    list
}

fn blocs(r: &mut Resolver<'_, '_>, blocs: Keyed<(Bloc, Vec<String>)>) -> Vec<Bloc> {
    blocs
        .order
        .into_iter()
        .map(
            |At {
                 loc,
                 value: (mut bloc, members),
             }| {
                r.provenance(&loc, &bloc.provenance);
                let mut seen = HashSet::new();
                for m in &members {
                    let code = r.country(&loc, "members", m);
                    if !seen.insert(code) {
                        r.out
                            .push(loc.problem("members", format!("{code} is listed twice")));
                    }
                    bloc.members.push(code);
                }
                bloc.members.sort();
                bloc
            },
        )
        .collect()
}

fn regions(
    r: &mut Resolver<'_, '_>,
    world: &World,
    regions: Keyed<(Region, String)>,
) -> Vec<Region> {
    let provider_ids: HashSet<&str> = world.providers.iter().map(|p| p.id.as_str()).collect();
    let operator_ids: HashSet<&str> = world.operators.iter().map(|p| p.id.as_str()).collect();
    let mut list: Vec<Region> = regions
        .order
        .into_iter()
        .map(
            |At {
                 loc,
                 value: (mut region, cc),
             }| {
                r.provenance(&loc, &region.provenance);
                region.country = r.country(&loc, "country", &cc);
                if !provider_ids.contains(region.provider.as_str()) {
                    r.out.push(loc.problem(
                        "provider",
                        format!(
                            "unknown provider {:?}; expected the id of a [[provider]] record",
                            region.provider
                        ),
                    ));
                }
                if let Some(op) = &region.operator
                    && !operator_ids.contains(op.as_str())
                {
                    r.out.push(loc.problem(
                        "operator",
                        format!(
                            "unknown operator {op:?}; expected the id of an [[operator]] record"
                        ),
                    ));
                }
                if let Some(today) = r.checks.today {
                    checks::region_dates(&loc, &region, today, r.out);
                }
                if let (Some(check), Some(&i)) =
                    (r.checks.region_in_country, r.countries.get(&region.country))
                {
                    checks::in_country(&loc, &region, &world.countries[i], check, r.out);
                }
                region
            },
        )
        .collect();
    list.sort_by(|a, b| {
        a.provider
            .cmp(&b.provider)
            .then_with(|| a.code.cmp(&b.code))
    });
    list
}

fn sources(r: &mut Resolver<'_, '_>, sources: Keyed<Source>) -> Vec<Source> {
    sources
        .order
        .into_iter()
        .map(|At { loc, value }| {
            r.not_future(&loc, "retrieved", value.retrieved);
            value
        })
        .collect()
}

fn ai_services(
    r: &mut Resolver<'_, '_>,
    world: &World,
    services: Keyed<AiService>,
) -> Vec<AiService> {
    services
        .order
        .into_iter()
        .map(|At { loc, value }| {
            r.provenance(&loc, &value.provenance);
            if world.provider(&value.provider).is_none() {
                r.out.push(loc.problem(
                    "provider",
                    format!(
                        "unknown provider {:?}; expected the id of a [[provider]] record",
                        value.provider
                    ),
                ));
            }
            value
        })
        .collect()
}

fn ai_offerings(
    r: &mut Resolver<'_, '_>,
    world: &World,
    offerings: Keyed<(AiOffering, String)>,
) -> Vec<AiOffering> {
    let service_provider: HashMap<&str, &str> = world
        .ai_services
        .iter()
        .map(|s| (s.id.as_str(), s.provider.as_str()))
        .collect();
    offerings
        .order
        .into_iter()
        .filter_map(
            |At {
                 loc,
                 value: (mut o, region),
             }| {
                r.provenance(&loc, &o.provenance);
                let Some(provider) = service_provider.get(o.service.as_str()) else {
                    r.out.push(loc.problem(
                        "service",
                        format!(
                            "unknown AI service {:?}; expected the id of an [[ai_service]] record",
                            o.service
                        ),
                    ));
                    return None;
                };
                let Some(id) = world.region_id(provider, &region) else {
                    r.out.push(loc.problem(
                    "region",
                    format!(
                        "unknown region {provider}:{region}; expected a region code of provider \
                         {provider}"
                    ),
                ));
                    return None;
                };
                o.region = id;
                Some(o)
            },
        )
        .collect()
}

fn measurements(
    r: &mut Resolver<'_, '_>,
    world: &World,
    latency: Keyed<super::typed::RawLatency>,
) -> Vec<Measurement> {
    latency
        .order
        .into_iter()
        .filter_map(|At { loc, value }| {
            r.provenance(&loc, &value.provenance);
            let from = place(world, &loc, "from", &value.from, r.out);
            let to = place(world, &loc, "to", &value.to, r.out);
            let m = Measurement {
                from: from?,
                to: to?,
                rtt_ms: value.rtt_ms,
                provenance: value.provenance,
            };
            checks::measurement(world, &loc, &m, r.out).then_some(m)
        })
        .collect()
}

fn place(
    world: &World,
    loc: &Loc,
    field: &str,
    text: &str,
    out: &mut Vec<Problem>,
) -> Option<Place> {
    if let Some((provider, code)) = text.split_once(':') {
        return match world.region_id(provider, code) {
            Some(id) => Some(Place::Region(id)),
            None => {
                out.push(loc.problem(
                    field,
                    format!("unknown region {text:?}; expected provider:code of a catalog region"),
                ));
                None
            }
        };
    }
    match CountryCode::parse(text) {
        Some(code) if world.country(code).is_some() => Some(Place::Country(code)),
        _ => {
            out.push(loc.problem(
                field,
                format!(
                    "expected a region written provider:code or a country code, found {text:?}"
                ),
            ));
            None
        }
    }
}
