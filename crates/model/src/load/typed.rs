//! Generic records -> typed records, one function per kind. What a record alone can tell (a
//! field's type and range, a date before another) is checked here; references to other records
//! are kept as text until every layer is merged ([`super::resolve`]).

use crate::error::Problem;
use crate::record::{Loc, Record};
use crate::values::{Confidence, CountryCode, PartialDate, Partition, RegionStatus};
use crate::world::{
    AiOffering, AiService, Bloc, City, Country, Operator, Provenance, Provider, Region, RegionId,
    Source,
};

use super::parse::{Kind, all_fields};

/// The most people a country or a city may have: above this a figure is a typo (the world has
/// about 8.2 billion), and sums over every country stay far from overflowing.
pub(super) const MAX_POPULATION: u64 = 10_000_000_000;

/// A record of type `T` with where it was read.
pub(super) struct At<T> {
    pub loc: Loc,
    pub value: T,
}

pub(super) struct RawLatency {
    pub from: String,
    pub to: String,
    pub rtt_ms: f64,
    pub provenance: Provenance,
}

/// The typed records of one layer; country codes and other references still as text.
#[derive(Default)]
pub(super) struct Parsed {
    pub sources: Vec<At<Source>>,
    pub blocs: Vec<At<(Bloc, Vec<String>)>>,
    pub operators: Vec<At<(Operator, String)>>,
    pub providers: Vec<At<(Provider, String)>>,
    pub regions: Vec<At<(Region, String)>>,
    pub ai_services: Vec<At<AiService>>,
    pub ai_offerings: Vec<At<(AiOffering, String)>>,
    pub countries: Vec<At<Country>>,
    pub cities: Vec<At<(City, String)>>,
    pub latency: Vec<At<RawLatency>>,
}

fn keep<T>(into: &mut Vec<At<T>>, loc: &Loc, value: Option<T>) {
    // Kept even when it has problems found later (a bad id, a date out of order), so that
    // duplicates and cross-references are reported too; any problem refuses the whole catalog.
    if let Some(value) = value {
        into.push(At {
            loc: loc.clone(),
            value,
        });
    }
}

/// Types one record of `kind` into `parsed`; every problem goes to `out`.
pub(super) fn typed(kind: Kind, mut rec: Record<'_>, parsed: &mut Parsed, out: &mut Vec<Problem>) {
    let loc = rec.loc.clone();
    let r = &mut rec;
    match kind {
        Kind::Source => keep(&mut parsed.sources, &loc, source(r, out)),
        Kind::Bloc => keep(&mut parsed.blocs, &loc, bloc(r, out)),
        Kind::Operator => keep(&mut parsed.operators, &loc, operator(r, out)),
        Kind::Provider => keep(&mut parsed.providers, &loc, provider(r, out)),
        Kind::Region => keep(&mut parsed.regions, &loc, region(r, out)),
        Kind::AiService => keep(&mut parsed.ai_services, &loc, ai_service(r, out)),
        Kind::AiOffering => keep(&mut parsed.ai_offerings, &loc, ai_offering(r, out)),
        Kind::Country => keep(&mut parsed.countries, &loc, country(r, out)),
        Kind::City => keep(&mut parsed.cities, &loc, city(r, out)),
        Kind::Latency => keep(&mut parsed.latency, &loc, latency(r, out)),
    }
    rec.finish(&all_fields(kind), out);
}

fn provenance(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<Provenance> {
    let source = rec.str("source", out);
    let as_of = rec.parsed::<PartialDate>("as_of", out);
    let confidence = rec.opt_parsed::<Confidence>("confidence", out);
    let note = rec.opt_str("note", out);
    if let Some(d) = as_of.filter(|d| !d.is_full()) {
        out.push(rec.loc.problem(
            "as_of",
            format!("expected the full date the fact was checked, YYYY-MM-DD, found {d}"),
        ));
        return None;
    }
    Some(Provenance {
        source: source?,
        as_of: as_of?,
        confidence: confidence?.unwrap_or(Confidence::High),
        note: note?,
    })
}

fn lat_lon(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<(f64, f64)> {
    let lat = rec.f64("lat", out);
    let lon = rec.f64("lon", out);
    if let Some(v) = lat.filter(|v| !(-90.0..=90.0).contains(v)) {
        out.push(rec.loc.problem(
            "lat",
            format!("expected a latitude from -90 to 90, found {v}"),
        ));
    }
    if let Some(v) = lon.filter(|v| !(-180.0..=180.0).contains(v)) {
        out.push(rec.loc.problem(
            "lon",
            format!("expected a longitude from -180 to 180, found {v}"),
        ));
    }
    Some((lat?, lon?))
}

fn population(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<u64> {
    let n = rec.u64("population", out)?;
    if n > MAX_POPULATION {
        out.push(rec.loc.problem(
            "population",
            format!("expected a number of people up to {MAX_POPULATION}, found {n}"),
        ));
        return None;
    }
    Some(n)
}

fn check_id(rec: &Record<'_>, key: &str, id: &str, upper: bool, out: &mut Vec<Problem>) {
    let ok = !id.is_empty()
        && id.bytes().all(|c| {
            c.is_ascii_digit()
                || c == b'-'
                || c == b'_'
                || if upper {
                    c.is_ascii_uppercase()
                } else {
                    c.is_ascii_lowercase()
                }
        });
    if !ok {
        let what = if upper {
            "upper-case letters, digits, - and _"
        } else {
            "lower-case letters, digits, - and _"
        };
        out.push(
            rec.loc
                .problem(key, format!("expected an id of {what}, found {id:?}")),
        );
    }
}

fn id(rec: &mut Record<'_>, upper: bool, out: &mut Vec<Problem>) -> Option<String> {
    let id = rec.str("id", out)?;
    check_id(rec, "id", &id, upper, out);
    Some(id)
}

/// Stands for a country code until references are resolved.
pub(super) fn placeholder() -> CountryCode {
    CountryCode::parse("ZZ").unwrap_or_else(|| unreachable!("ZZ is two letters"))
}

fn source(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<Source> {
    let id = id(rec, false, out);
    let title = rec.str("title", out);
    let url = rec.opt_str("url", out);
    let licence = rec.opt_str("licence", out);
    let retrieved = rec.opt_parsed::<PartialDate>("retrieved", out);
    Some(Source {
        id: id?,
        title: title?,
        url: url?,
        licence: licence?,
        retrieved: retrieved?,
    })
}

fn bloc(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<(Bloc, Vec<String>)> {
    let id = id(rec, true, out);
    let name = rec.str("name", out);
    let members = rec.str_list("members", out);
    let provenance = provenance(rec, out);
    if members.as_ref().is_some_and(Vec::is_empty) {
        // A law that names an empty bloc would silently apply to no one.
        out.push(rec.loc.problem(
            "members",
            "a bloc needs at least one member (ISO 3166-1 alpha-2 codes); an empty one would \
             switch off every law that refers to it",
        ));
        return None;
    }
    let bloc = Bloc {
        id: id?,
        name: name?,
        members: Vec::new(),
        provenance: provenance?,
    };
    Some((bloc, members?))
}

fn operator(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<(Operator, String)> {
    let id = id(rec, false, out);
    let name = rec.str("name", out);
    let country = rec.str("country", out);
    let provenance = provenance(rec, out);
    let op = Operator {
        id: id?,
        name: name?,
        country: placeholder(),
        provenance: provenance?,
    };
    Some((op, country?))
}

fn provider(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<(Provider, String)> {
    let id = id(rec, false, out);
    let name = rec.str("name", out);
    let hq = rec.str("headquarters", out);
    let parent = rec.opt_str("parent", out);
    let provenance = provenance(rec, out);
    let p = Provider {
        id: id?,
        name: name?,
        headquarters: placeholder(),
        parent: parent?,
        provenance: provenance?,
    };
    Some((p, hq?))
}

/// A region's life: which dates its status needs, and dates in an order the calendar allows.
struct Life {
    status: RegionStatus,
    launched: Option<PartialDate>,
    announced: Option<PartialDate>,
    retired: Option<PartialDate>,
}

fn region_life(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<Life> {
    let status = rec.parsed::<RegionStatus>("status", out);
    let launched = rec.opt_parsed::<PartialDate>("launched", out);
    let announced = rec.opt_parsed::<PartialDate>("announced", out);
    let retired = rec.opt_parsed::<PartialDate>("retired", out);
    let life = Life {
        status: status?,
        launched: launched?,
        announced: announced?,
        retired: retired?,
    };
    let loc = &rec.loc;
    let status = life.status;
    match status {
        RegionStatus::Ga if life.launched.is_none() => out.push(loc.problem(
            "launched",
            format!(
                "missing required field `launched` for a region with status {status} \
                 (YYYY, YYYY-MM or YYYY-MM-DD)"
            ),
        )),
        RegionStatus::Retired if life.retired.is_none() => out.push(loc.problem(
            "retired",
            "missing required field `retired` for a retired region (the date it closed)",
        )),
        s if s != RegionStatus::Retired && life.retired.is_some() => out.push(loc.problem(
            "retired",
            format!("a retired date is given but status is {s}; expected status = \"retired\""),
        )),
        _ => {}
    }
    if let Some(retired) = life.retired {
        for (field, date) in [("launched", life.launched), ("announced", life.announced)] {
            if let Some(date) = date.filter(|d| retired.surely_before(d)) {
                out.push(loc.problem(
                    "retired",
                    format!("retired {retired} is before the region was {field} ({date})"),
                ));
            }
        }
    }
    Some(life)
}

fn zones(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<Option<u8>> {
    match rec.opt_u64("zones", out)? {
        Some(z) if z > 20 => {
            out.push(rec.loc.problem(
                "zones",
                format!("expected at most 20 availability zones, found {z}"),
            ));
            None
        }
        z => Some(z.and_then(|z| u8::try_from(z).ok())),
    }
}

fn region(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<(Region, String)> {
    let provider = rec.str("provider", out);
    let code = rec.str("code", out);
    let name = rec.str("name", out);
    let city = rec.str("city", out);
    let country = rec.str("country", out);
    let ll = lat_lon(rec, out);
    let life = region_life(rec, out);
    let zones = zones(rec, out);
    let partition = rec.opt_parsed::<Partition>("partition", out);
    let operator = rec.opt_str("operator", out);
    let provenance = provenance(rec, out);
    if let Some(code) = &code
        && (code.is_empty() || code.chars().any(|c| c.is_whitespace() || c == ':'))
    {
        out.push(rec.loc.problem(
            "code",
            format!("expected the provider's region code, without spaces or `:`, found {code:?}"),
        ));
    }
    let ((lat, lon), life) = (ll?, life?);
    let region = Region {
        provider: provider?,
        code: code?,
        name: name?,
        city: city?,
        country: placeholder(),
        lat,
        lon,
        status: life.status,
        launched: life.launched,
        announced: life.announced,
        retired: life.retired,
        zones: zones?,
        partition: partition?.unwrap_or(Partition::Commercial),
        operator: operator?,
        provenance: provenance?,
    };
    Some((region, country?))
}

fn ai_service(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<AiService> {
    let id = id(rec, false, out);
    let provider = rec.str("provider", out);
    let name = rec.str("name", out);
    let openai = rec.opt_bool("openai_compatible", out);
    let provenance = provenance(rec, out);
    Some(AiService {
        id: id?,
        provider: provider?,
        name: name?,
        openai_compatible: openai?.unwrap_or(false),
        provenance: provenance?,
    })
}

fn ai_offering(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<(AiOffering, String)> {
    let service = rec.str("service", out);
    let region = rec.str("region", out);
    let models = rec.str_list("models", out);
    let endpoint = rec.opt_str("endpoint", out);
    let provenance = provenance(rec, out);
    let o = AiOffering {
        service: service?,
        region: RegionId(0),
        models: models?,
        endpoint: endpoint?,
        provenance: provenance?,
    };
    Some((o, region?))
}

/// A country code field, parsed.
struct Code(CountryCode);

impl std::str::FromStr for Code {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CountryCode::parse(s)
            .map(Code)
            .ok_or("an ISO 3166-1 alpha-2 country code (two letters)")
    }
}

fn code3(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<String> {
    let code3 = rec.str("code3", out)?;
    if code3.len() != 3 || !code3.bytes().all(|c| c.is_ascii_uppercase()) {
        out.push(rec.loc.problem(
            "code3",
            format!(
                "expected an ISO 3166-1 alpha-3 code (three upper-case letters), found {code3:?}"
            ),
        ));
        return None;
    }
    Some(code3)
}

fn numeric(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<u16> {
    let n = rec.u64("numeric", out)?;
    match u16::try_from(n) {
        Ok(n) if n <= 999 => Some(n),
        _ => {
            out.push(rec.loc.problem(
                "numeric",
                format!("expected an ISO 3166-1 numeric code from 0 to 999, found {n}"),
            ));
            None
        }
    }
}

fn country(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<Country> {
    let code = rec.parsed::<Code>("code", out);
    let code3 = code3(rec, out);
    let numeric = numeric(rec, out);
    let name = rec.str("name", out);
    let population = population(rec, out);
    let continent = rec.str("continent", out);
    let ll = lat_lon(rec, out);
    let provenance = provenance(rec, out);
    let (lat, lon) = ll?;
    Some(Country {
        code: code?.0,
        code3: code3?,
        numeric: numeric?,
        name: name?,
        population: population?,
        continent: continent?,
        lat,
        lon,
        provenance: provenance?,
    })
}

fn city(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<(City, String)> {
    let id = rec.u64("id", out);
    let name = rec.str("name", out);
    let country = rec.str("country", out);
    let ll = lat_lon(rec, out);
    let population = population(rec, out);
    let provenance = provenance(rec, out);
    let ((lat, lon), provenance) = (ll?, provenance?);
    let city = City {
        id: id?,
        name: name?,
        country: placeholder(),
        lat,
        lon,
        population: population?,
        source: provenance.source,
        as_of: provenance.as_of,
    };
    Some((city, country?))
}

fn latency(rec: &mut Record<'_>, out: &mut Vec<Problem>) -> Option<RawLatency> {
    let from = rec.str("from", out);
    let to = rec.str("to", out);
    let rtt = rec.f64("rtt_ms", out);
    let provenance = provenance(rec, out);
    let rtt_ms = rtt.filter(|v| {
        let ok = *v > 0.0 && *v < 10_000.0;
        if !ok {
            out.push(rec.loc.problem(
                "rtt_ms",
                format!("expected a round-trip time in ms, above 0 and below 10000, found {v}"),
            ));
        }
        ok
    });
    Some(RawLatency {
        from: from?,
        to: to?,
        rtt_ms: rtt_ms?,
        provenance: provenance?,
    })
}
