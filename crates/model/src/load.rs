//! Loading a catalog: files -> records -> layers merged by key -> a validated [`World`].
//!
//! The embedded catalog and a user's files go through this one path. Every problem in every
//! file is collected before anything is returned; a world is returned only when there are none.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use crate::error::{LoadError, Problem};
use crate::record::{Loc, Raw, Record};
use crate::values::{Confidence, CountryCode, PartialDate, Partition, RegionStatus};
use crate::world::{
    AiOffering, AiService, Bloc, City, Country, Measurement, Operator, Place, Provenance, Provider,
    Region, RegionId, Source, World,
};

/// A catalog file: where it was read from (for messages) and its text.
#[derive(Clone, Debug)]
pub struct InputFile<'a> {
    pub path: String,
    pub text: Cow<'a, str>,
    /// What a CSV file holds, when its name does not say (see [`CsvKind`]).
    pub csv_kind: Option<CsvKind>,
}

/// What a CSV file holds. Normally told by the start of its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvKind {
    Countries,
    Cities,
    Regions,
    Latency,
}

impl CsvKind {
    fn kind(self) -> Kind {
        match self {
            CsvKind::Countries => Kind::Country,
            CsvKind::Cities => Kind::City,
            CsvKind::Regions => Kind::Region,
            CsvKind::Latency => Kind::Latency,
        }
    }
}

impl<'a> InputFile<'a> {
    pub fn new(path: impl Into<String>, text: impl Into<Cow<'a, str>>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
            csv_kind: None,
        }
    }

    /// Reads a CSV file as this kind, whatever its name.
    pub fn with_csv_kind(mut self, kind: CsvKind) -> Self {
        self.csv_kind = Some(kind);
        self
    }
}

/// The kinds of record a catalog holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Source,
    Bloc,
    Operator,
    Provider,
    Region,
    AiService,
    AiOffering,
    Country,
    City,
    Latency,
}

const TOML_KINDS: &[(&str, Kind)] = &[
    ("source", Kind::Source),
    ("bloc", Kind::Bloc),
    ("operator", Kind::Operator),
    ("provider", Kind::Provider),
    ("region", Kind::Region),
    ("ai_service", Kind::AiService),
    ("ai_offering", Kind::AiOffering),
    ("country", Kind::Country),
    ("city", Kind::City),
    ("latency", Kind::Latency),
];

const CSV_KINDS: &[(&str, Kind)] = &[
    ("countries", Kind::Country),
    ("cities", Kind::City),
    ("regions", Kind::Region),
    ("latency", Kind::Latency),
];

const PROVENANCE: &[&str] = &["source", "as_of", "confidence", "note"];

/// Fields of each kind: (required, optional). Provenance fields come on top where a kind has them.
fn fields(kind: Kind) -> (&'static [&'static str], &'static [&'static str], bool) {
    match kind {
        Kind::Source => (&["id", "title"], &["url", "licence", "retrieved"], false),
        Kind::Bloc => (&["id", "name", "members"], &[], true),
        Kind::Operator => (&["id", "name", "country"], &[], true),
        Kind::Provider => (&["id", "name", "headquarters"], &["parent"], true),
        Kind::Region => (
            &[
                "provider", "code", "name", "city", "country", "lat", "lon", "status",
            ],
            &[
                "launched",
                "announced",
                "retired",
                "zones",
                "partition",
                "operator",
            ],
            true,
        ),
        Kind::AiService => (&["id", "provider", "name"], &["openai_compatible"], true),
        Kind::AiOffering => (&["service", "region", "models"], &["endpoint"], true),
        Kind::Country => (
            &[
                "code",
                "code3",
                "numeric",
                "name",
                "population",
                "continent",
                "lat",
                "lon",
            ],
            &[],
            true,
        ),
        Kind::City => (
            &["id", "name", "country", "lat", "lon", "population"],
            &[],
            true,
        ),
        Kind::Latency => (&["from", "to", "rtt_ms"], &[], true),
    }
}

fn all_fields(kind: Kind) -> Vec<&'static str> {
    let (req, opt, prov) = fields(kind);
    let mut v: Vec<&str> = req.iter().chain(opt).copied().collect();
    if prov {
        v.extend_from_slice(PROVENANCE);
    }
    v
}

/// Offsets to 1-based line numbers.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self(starts)
    }

    fn line(&self, offset: usize) -> u32 {
        (self.0.partition_point(|&s| s <= offset)) as u32
    }
}

fn parse_toml(file: &Arc<str>, text: &str, parsed: &mut Parsed, out: &mut Vec<Problem>) {
    let lines = Lines::new(text);
    let doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            out.push(Problem {
                file: file.to_string(),
                line: e.span().map_or(0, |s| lines.line(s.start)),
                field: None,
                message: format!("not valid TOML: {}", e.message().trim()),
            });
            return;
        }
    };
    let expected_tables: Vec<String> = TOML_KINDS.iter().map(|(n, _)| format!("[[{n}]]")).collect();
    for (key, value) in doc.get_ref().iter() {
        let line = lines.line(key.span().start);
        let name: &str = key.get_ref();
        let Some(&(_, kind)) = TOML_KINDS.iter().find(|(n, _)| *n == name) else {
            out.push(Problem {
                file: file.to_string(),
                line,
                field: Some(name.to_owned()),
                message: format!(
                    "unknown table `{name}`; expected one of: {}",
                    expected_tables.join(", ")
                ),
            });
            continue;
        };
        let DeValue::Array(items) = value.get_ref() else {
            out.push(Problem {
                file: file.to_string(),
                line,
                field: Some(name.to_owned()),
                message: format!("expected an array of tables, written [[{name}]]"),
            });
            continue;
        };
        for item in items {
            let item_line = lines.line(item.span().start);
            let DeValue::Table(table) = item.get_ref() else {
                out.push(Problem {
                    file: file.to_string(),
                    line: item_line,
                    field: Some(name.to_owned()),
                    message: format!("expected a table, written [[{name}]]"),
                });
                continue;
            };
            let fields = table
                .iter()
                .map(|(k, v)| {
                    let k: &str = k.get_ref();
                    (
                        k.to_owned(),
                        lines.line(v.span().start),
                        raw_of(v.get_ref()),
                    )
                })
                .collect();
            typed(
                kind,
                Record::table(file.clone(), item_line, fields),
                parsed,
                out,
            );
        }
    }
}

fn raw_of<'a>(v: &DeValue<'a>) -> Raw<'a> {
    match v {
        DeValue::String(s) => Raw::Str(s.clone()),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .map(Raw::Int)
            .unwrap_or(Raw::Other("integer out of range")),
        DeValue::Float(f) => f
            .as_str()
            .parse::<f64>()
            .map(Raw::Float)
            .unwrap_or(Raw::Other("float")),
        DeValue::Boolean(b) => Raw::Bool(*b),
        // An unquoted TOML date is taken as its text, so `as_of = 2026-11-01` works too.
        DeValue::Datetime(d) => Raw::Str(Cow::Owned(d.to_string())),
        DeValue::Array(items) => {
            Raw::List(items.into_iter().map(|i| raw_of(i.get_ref())).collect())
        }
        DeValue::Table(_) => Raw::Other("table"),
    }
}

fn parse_csv(file: &Arc<str>, kind: Kind, text: &str, parsed: &mut Parsed, out: &mut Vec<Problem>) {
    let whole = |line: u32, field: Option<&str>, message: String| Problem {
        file: file.to_string(),
        line,
        field: field.map(str::to_owned),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.push(whole(1, None, format!("not valid CSV: {e}")));
            return;
        }
    };
    let (required, _, _) = fields(kind);
    let known = all_fields(kind);
    let mut bad_header = false;
    let mut seen = HashSet::new();
    for h in &headers {
        if !seen.insert(h) {
            out.push(whole(1, Some(h), format!("column `{h}` appears twice")));
            bad_header = true;
        } else if !known.contains(&h) {
            out.push(whole(
                1,
                Some(h),
                format!("unknown column `{h}`; expected: {}", known.join(", ")),
            ));
            bad_header = true;
        }
    }
    let mut needed: Vec<&str> = required.to_vec();
    if fields(kind).2 {
        needed.extend(["source", "as_of"]);
    }
    for r in needed {
        if !headers.iter().any(|h| h == r) {
            out.push(whole(1, Some(r), format!("missing required column `{r}`")));
            bad_header = true;
        }
    }
    if bad_header {
        return;
    }
    let names: Arc<[String]> = headers.iter().map(str::to_owned).collect();
    let mut row = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                let line = row.position().map_or(0, |p| p.line() as u32);
                let rec = Record::row(file.clone(), line, names.clone(), row.iter());
                typed(kind, rec, parsed, out);
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as u32);
                out.push(whole(line, None, format!("not valid CSV: {e}")));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
}

fn parse_file(file: &InputFile<'_>, parsed: &mut Parsed, out: &mut Vec<Problem>) {
    let name: Arc<str> = Arc::from(file.path.as_str());
    let base = file
        .path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&file.path)
        .to_ascii_lowercase();
    if base.ends_with(".toml") {
        parse_toml(&name, &file.text, parsed, out)
    } else if let Some(kind) = file.csv_kind {
        parse_csv(&name, kind.kind(), &file.text, parsed, out)
    } else if base.ends_with(".csv") {
        match CSV_KINDS
            .iter()
            .find(|(prefix, _)| base.starts_with(prefix))
        {
            Some(&(_, kind)) => parse_csv(&name, kind, &file.text, parsed, out),
            None => {
                out.push(Problem {
                    file: name.to_string(),
                    line: 0,
                    field: None,
                    message: "cannot tell what this CSV file holds: its name must start with \
                              countries, cities, regions or latency"
                        .into(),
                });
            }
        }
    } else {
        out.push(Problem {
            file: name.to_string(),
            line: 0,
            field: None,
            message: "not a catalog file: expected a .toml or .csv file".into(),
        });
    }
}

// ---- typed records, still unchecked against each other ----

/// A record of type `T` with where it was read.
struct At<T> {
    loc: Loc,
    value: T,
}

struct RawLatency {
    from: String,
    to: String,
    rtt_ms: f64,
    provenance: Provenance,
}

#[derive(Default)]
struct Parsed {
    sources: Vec<At<Source>>,
    blocs: Vec<At<(Bloc, Vec<String>)>>,
    operators: Vec<At<(Operator, String)>>,
    providers: Vec<At<(Provider, String)>>,
    regions: Vec<At<(Region, String)>>,
    ai_services: Vec<At<AiService>>,
    ai_offerings: Vec<At<(AiOffering, String)>>,
    countries: Vec<At<Country>>,
    cities: Vec<At<(City, String)>>,
    latency: Vec<At<RawLatency>>,
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

fn country_code(rec: &mut Record<'_>, key: &str, out: &mut Vec<Problem>) -> Option<String> {
    // Kept as text here; checked against the countries once all layers are merged.
    rec.str(key, out)
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

fn check_id(rec: &Record<'_>, key: &str, id: &str, upper: bool, out: &mut Vec<Problem>) -> bool {
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
    ok
}

fn typed(kind: Kind, mut rec: Record<'_>, parsed: &mut Parsed, out: &mut Vec<Problem>) {
    macro_rules! done {
        ($vec:ident, $value:expr) => {{
            let loc = rec.loc.clone();
            rec.finish(&all_fields(kind), out);
            // Kept even when it has problems, so that duplicates and cross-references are
            // reported too; any problem refuses the whole catalog in the end.
            parsed.$vec.push(At { loc, value: $value });
        }};
    }
    match kind {
        Kind::Source => {
            let id = rec.str("id", out);
            let title = rec.str("title", out);
            let url = rec.opt_str("url", out);
            let licence = rec.opt_str("licence", out);
            let retrieved = rec.opt_parsed::<PartialDate>("retrieved", out);
            if let Some(id) = &id {
                check_id(&rec, "id", id, false, out);
            }
            if let (Some(id), Some(title), Some(url), Some(licence), Some(retrieved)) =
                (id, title, url, licence, retrieved)
            {
                done!(
                    sources,
                    Source {
                        id,
                        title,
                        url,
                        licence,
                        retrieved
                    }
                );
            } else {
                rec.finish(&all_fields(kind), out);
            }
        }
        Kind::Bloc => {
            let id = rec.str("id", out);
            let name = rec.str("name", out);
            let members = rec.str_list("members", out);
            let prov = provenance(&mut rec, out);
            if let Some(id) = &id {
                check_id(&rec, "id", id, true, out);
            }
            if let (Some(id), Some(name), Some(members), Some(provenance)) =
                (id, name, members, prov)
            {
                let bloc = Bloc {
                    id,
                    name,
                    members: Vec::new(),
                    provenance,
                };
                done!(blocs, (bloc, members));
            } else {
                rec.finish(&all_fields(kind), out);
            }
        }
        Kind::Operator => {
            let id = rec.str("id", out);
            let name = rec.str("name", out);
            let country = country_code(&mut rec, "country", out);
            let prov = provenance(&mut rec, out);
            if let Some(id) = &id {
                check_id(&rec, "id", id, false, out);
            }
            if let (Some(id), Some(name), Some(country), Some(provenance)) =
                (id, name, country, prov)
            {
                let op = Operator {
                    id,
                    name,
                    country: placeholder(),
                    provenance,
                };
                done!(operators, (op, country));
            } else {
                rec.finish(&all_fields(kind), out);
            }
        }
        Kind::Provider => {
            let id = rec.str("id", out);
            let name = rec.str("name", out);
            let hq = country_code(&mut rec, "headquarters", out);
            let parent = rec.opt_str("parent", out);
            let prov = provenance(&mut rec, out);
            if let Some(id) = &id {
                check_id(&rec, "id", id, false, out);
            }
            if let (Some(id), Some(name), Some(hq), Some(parent), Some(provenance)) =
                (id, name, hq, parent, prov)
            {
                let p = Provider {
                    id,
                    name,
                    headquarters: placeholder(),
                    parent,
                    provenance,
                };
                done!(providers, (p, hq));
            } else {
                rec.finish(&all_fields(kind), out);
            }
        }
        Kind::Region => {
            let provider = rec.str("provider", out);
            let code = rec.str("code", out);
            let name = rec.str("name", out);
            let city = rec.str("city", out);
            let country = country_code(&mut rec, "country", out);
            let ll = lat_lon(&mut rec, out);
            let status = rec.parsed::<RegionStatus>("status", out);
            let launched = rec.opt_parsed::<PartialDate>("launched", out);
            let announced = rec.opt_parsed::<PartialDate>("announced", out);
            let retired = rec.opt_parsed::<PartialDate>("retired", out);
            let zones = rec.opt_u64("zones", out);
            let partition = rec.opt_parsed::<Partition>("partition", out);
            let operator = rec.opt_str("operator", out);
            let prov = provenance(&mut rec, out);
            if let Some(code) = &code
                && (code.is_empty() || code.chars().any(|c| c.is_whitespace() || c == ':'))
            {
                out.push(rec.loc.problem(
                    "code",
                    format!(
                        "expected the provider's region code, without spaces or `:`, found {code:?}"
                    ),
                ));
            }
            let zones = zones.and_then(|z| match z {
                Some(z) if z > 20 => {
                    out.push(rec.loc.problem(
                        "zones",
                        format!("expected at most 20 availability zones, found {z}"),
                    ));
                    None
                }
                z => Some(z.map(|z| z as u8)),
            });
            if let (Some(status), Some(launched), Some(retired)) = (status, launched, retired) {
                match status {
                    RegionStatus::Ga if launched.is_none() => out.push(
                        rec.loc.problem("launched", format!("missing required field `launched` for a region with status {status} (YYYY, YYYY-MM or YYYY-MM-DD)")),
                    ),
                    RegionStatus::Retired if retired.is_none() => out.push(rec.loc.problem(
                        "retired",
                        "missing required field `retired` for a retired region (the date it closed)",
                    )),
                    s if s != RegionStatus::Retired && retired.is_some() => out.push(rec.loc.problem(
                        "retired",
                        format!("a retired date is given but status is {s}; expected status = \"retired\""),
                    )),
                    _ => {}
                }
            }
            if let (
                Some(provider),
                Some(code),
                Some(name),
                Some(city),
                Some(country),
                Some((lat, lon)),
                Some(status),
                Some(launched),
                Some(announced),
                Some(retired),
                Some(zones),
                Some(partition),
                Some(operator),
                Some(provenance),
            ) = (
                provider, code, name, city, country, ll, status, launched, announced, retired,
                zones, partition, operator, prov,
            ) {
                let region = Region {
                    provider,
                    code,
                    name,
                    city,
                    country: placeholder(),
                    lat,
                    lon,
                    status,
                    launched,
                    announced,
                    retired,
                    zones,
                    partition: partition.unwrap_or(Partition::Commercial),
                    operator,
                    provenance,
                };
                done!(regions, (region, country));
            } else {
                rec.finish(&all_fields(kind), out);
            }
        }
        Kind::AiService => {
            let id = rec.str("id", out);
            let provider = rec.str("provider", out);
            let name = rec.str("name", out);
            let openai = rec.opt_bool("openai_compatible", out);
            let prov = provenance(&mut rec, out);
            if let Some(id) = &id {
                check_id(&rec, "id", id, false, out);
            }
            if let (Some(id), Some(provider), Some(name), Some(openai), Some(provenance)) =
                (id, provider, name, openai, prov)
            {
                done!(
                    ai_services,
                    AiService {
                        id,
                        provider,
                        name,
                        openai_compatible: openai.unwrap_or(false),
                        provenance
                    }
                );
            } else {
                rec.finish(&all_fields(kind), out);
            }
        }
        Kind::AiOffering => {
            let service = rec.str("service", out);
            let region = rec.str("region", out);
            let models = rec.str_list("models", out);
            let endpoint = rec.opt_str("endpoint", out);
            let prov = provenance(&mut rec, out);
            if let (Some(service), Some(region), Some(models), Some(endpoint), Some(provenance)) =
                (service, region, models, endpoint, prov)
            {
                let o = AiOffering {
                    service,
                    region: RegionId(0),
                    models,
                    endpoint,
                    provenance,
                };
                done!(ai_offerings, (o, region));
            } else {
                rec.finish(&all_fields(kind), out);
            }
        }
        Kind::Country => {
            let code = rec.parsed::<Code>("code", out);
            let code3 = rec.str("code3", out);
            let numeric = rec.u64("numeric", out);
            let name = rec.str("name", out);
            let population = rec.u64("population", out);
            let continent = rec.str("continent", out);
            let ll = lat_lon(&mut rec, out);
            let prov = provenance(&mut rec, out);
            let numeric = numeric.filter(|n| {
                let ok = *n <= 999;
                if !ok {
                    out.push(rec.loc.problem(
                        "numeric",
                        format!("expected an ISO 3166-1 numeric code from 0 to 999, found {n}"),
                    ));
                }
                ok
            });
            if let (
                Some(code),
                Some(code3),
                Some(numeric),
                Some(name),
                Some(population),
                Some(continent),
                Some((lat, lon)),
                Some(provenance),
            ) = (code, code3, numeric, name, population, continent, ll, prov)
            {
                done!(
                    countries,
                    Country {
                        code: code.0,
                        code3,
                        numeric: numeric as u16,
                        name,
                        population,
                        continent,
                        lat,
                        lon,
                        provenance
                    }
                );
            } else {
                rec.finish(&all_fields(kind), out);
            }
        }
        Kind::City => {
            let id = rec.u64("id", out);
            let name = rec.str("name", out);
            let country = country_code(&mut rec, "country", out);
            let ll = lat_lon(&mut rec, out);
            let population = rec.u64("population", out);
            let prov = provenance(&mut rec, out);
            if let (
                Some(id),
                Some(name),
                Some(country),
                Some((lat, lon)),
                Some(population),
                Some(provenance),
            ) = (id, name, country, ll, population, prov)
            {
                let city = City {
                    id,
                    name,
                    country: placeholder(),
                    lat,
                    lon,
                    population,
                    source: provenance.source,
                    as_of: provenance.as_of,
                };
                done!(cities, (city, country));
            } else {
                rec.finish(&all_fields(kind), out);
            }
        }
        Kind::Latency => {
            let from = rec.str("from", out);
            let to = rec.str("to", out);
            let rtt = rec.f64("rtt_ms", out);
            let prov = provenance(&mut rec, out);
            let rtt = rtt.filter(|v| {
                let ok = *v > 0.0 && *v < 10_000.0;
                if !ok {
                    out.push(rec.loc.problem(
                        "rtt_ms",
                        format!(
                            "expected a round-trip time in ms, above 0 and below 10000, found {v}"
                        ),
                    ));
                }
                ok
            });
            if let (Some(from), Some(to), Some(rtt_ms), Some(provenance)) = (from, to, rtt, prov) {
                done!(
                    latency,
                    RawLatency {
                        from,
                        to,
                        rtt_ms,
                        provenance
                    }
                );
            } else {
                rec.finish(&all_fields(kind), out);
            }
        }
    }
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

fn placeholder() -> CountryCode {
    CountryCode::parse("ZZ").unwrap_or_else(|| unreachable!("ZZ is two letters"))
}

// ---- layers and merging ----

/// Records of one kind, by key, in the order first seen; a later layer replaces a key.
struct Keyed<T> {
    order: Vec<At<T>>,
    /// key -> (index in `order`, layer that put it there)
    index: HashMap<String, (usize, usize)>,
}

impl<T> Keyed<T> {
    fn new() -> Self {
        Self {
            order: Vec::new(),
            index: HashMap::new(),
        }
    }
}

fn merge<T>(
    into: &mut Keyed<T>,
    layer_no: usize,
    layer: Vec<At<T>>,
    what: &str,
    key_field: &str,
    key: impl Fn(&T) -> String,
    out: &mut Vec<Problem>,
) {
    for item in layer {
        let k = key(&item.value);
        match into.index.get_mut(&k) {
            Some((i, layer)) if *layer == layer_no => {
                let first = into.order[*i].loc.at();
                out.push(item.loc.problem(
                    key_field,
                    format!("duplicate {what} {k:?}; first defined at {first}"),
                ));
            }
            Some((i, layer)) => {
                *layer = layer_no;
                into.order[*i] = item;
            }
            None => {
                into.index.insert(k, (into.order.len(), layer_no));
                into.order.push(item);
            }
        }
    }
}

/// Loads a world from layers of files: the first layer is the base (normally the embedded
/// catalog), each later one overrides or extends it by key.
pub fn load(layers: &[Vec<InputFile<'_>>]) -> Result<World, LoadError> {
    let mut out = Vec::new();
    let mut sources = Keyed::new();
    let mut blocs = Keyed::new();
    let mut operators = Keyed::new();
    let mut providers = Keyed::new();
    let mut regions = Keyed::new();
    let mut ai_services = Keyed::new();
    let mut ai_offerings = Keyed::new();
    let mut countries = Keyed::new();
    let mut cities = Keyed::new();
    let mut latency = Keyed::new();

    for (layer_no, files) in layers.iter().enumerate() {
        let mut parsed = Parsed::default();
        for file in files {
            parse_file(file, &mut parsed, &mut out);
        }
        let o = &mut out;
        merge(
            &mut sources,
            layer_no,
            parsed.sources,
            "source",
            "id",
            |s| s.id.clone(),
            o,
        );
        merge(
            &mut blocs,
            layer_no,
            parsed.blocs,
            "bloc",
            "id",
            |b| b.0.id.clone(),
            o,
        );
        merge(
            &mut operators,
            layer_no,
            parsed.operators,
            "operator",
            "id",
            |x| x.0.id.clone(),
            o,
        );
        merge(
            &mut providers,
            layer_no,
            parsed.providers,
            "provider",
            "id",
            |x| x.0.id.clone(),
            o,
        );
        merge(
            &mut regions,
            layer_no,
            parsed.regions,
            "region",
            "code",
            |x| x.0.key(),
            o,
        );
        merge(
            &mut ai_services,
            layer_no,
            parsed.ai_services,
            "AI service",
            "id",
            |x| x.id.clone(),
            o,
        );
        merge(
            &mut ai_offerings,
            layer_no,
            parsed.ai_offerings,
            "AI offering",
            "region",
            |x| format!("{} in {}", x.0.service, x.1),
            o,
        );
        merge(
            &mut countries,
            layer_no,
            parsed.countries,
            "country",
            "code",
            |x| x.code.to_string(),
            o,
        );
        merge(
            &mut cities,
            layer_no,
            parsed.cities,
            "city",
            "id",
            |x| x.0.id.to_string(),
            o,
        );
        merge(
            &mut latency,
            layer_no,
            parsed.latency,
            "measurement",
            "to",
            |x| pair_key(&x.from, &x.to),
            o,
        );
    }

    // ---- cross-references ----
    let mut world = World::default();
    let source_ids: HashSet<String> = sources.order.iter().map(|s| s.value.id.clone()).collect();
    let check_source = |loc: &Loc, p: &Provenance, out: &mut Vec<Problem>| {
        if !source_ids.contains(&p.source) {
            out.push(loc.problem(
                "source",
                format!(
                    "unknown source {:?}; expected the id of a [[source]] record",
                    p.source
                ),
            ));
        }
    };
    world.countries = countries
        .order
        .into_iter()
        .map(|c| {
            check_source(&c.loc, &c.value.provenance, &mut out);
            c.value
        })
        .collect();
    let known: HashSet<CountryCode> = world.countries.iter().map(|c| c.code).collect();
    let resolve = |loc: &Loc, field: &str, text: &str, out: &mut Vec<Problem>| -> CountryCode {
        match CountryCode::parse(text) {
            Some(code) if known.contains(&code) => code,
            Some(code) => {
                out.push(loc.problem(field, format!("unknown country {code}; expected an ISO 3166-1 alpha-2 code from the countries table")));
                placeholder()
            }
            None => {
                out.push(loc.problem(
                    field,
                    format!(
                        "expected an ISO 3166-1 alpha-2 country code (two letters), found {text:?}"
                    ),
                ));
                placeholder()
            }
        }
    };
    let mut city_list: Vec<City> = cities
        .order
        .into_iter()
        .map(
            |At {
                 loc,
                 value: (mut city, cc),
             }| {
                city.country = resolve(&loc, "country", &cc, &mut out);
                if !source_ids.contains(&city.source) {
                    out.push(loc.problem(
                        "source",
                        format!(
                            "unknown source {:?}; expected the id of a [[source]] record",
                            city.source
                        ),
                    ));
                }
                city
            },
        )
        .collect();
    city_list.sort_by(|a, b| {
        a.country
            .cmp(&b.country)
            .then(b.population.cmp(&a.population))
            .then(a.id.cmp(&b.id))
    });
    world.cities = city_list;

    world.blocs = blocs
        .order
        .into_iter()
        .map(
            |At {
                 loc,
                 value: (mut bloc, members),
             }| {
                check_source(&loc, &bloc.provenance, &mut out);
                let mut seen = HashSet::new();
                for m in &members {
                    let code = resolve(&loc, "members", m, &mut out);
                    if !seen.insert(code) {
                        out.push(loc.problem("members", format!("{code} is listed twice")));
                    }
                    bloc.members.push(code);
                }
                bloc.members.sort();
                bloc
            },
        )
        .collect();
    world.operators = operators
        .order
        .into_iter()
        .map(
            |At {
                 loc,
                 value: (mut op, cc),
             }| {
                check_source(&loc, &op.provenance, &mut out);
                op.country = resolve(&loc, "country", &cc, &mut out);
                op
            },
        )
        .collect();
    world.providers = providers
        .order
        .into_iter()
        .map(
            |At {
                 loc,
                 value: (mut p, cc),
             }| {
                check_source(&loc, &p.provenance, &mut out);
                p.headquarters = resolve(&loc, "headquarters", &cc, &mut out);
                p
            },
        )
        .collect();
    let provider_ids: HashSet<String> = world.providers.iter().map(|p| p.id.clone()).collect();
    let operator_ids: HashSet<String> = world.operators.iter().map(|p| p.id.clone()).collect();
    let mut region_list: Vec<Region> = regions
        .order
        .into_iter()
        .map(
            |At {
                 loc,
                 value: (mut r, cc),
             }| {
                check_source(&loc, &r.provenance, &mut out);
                r.country = resolve(&loc, "country", &cc, &mut out);
                if !provider_ids.contains(r.provider.as_str()) {
                    out.push(loc.problem(
                        "provider",
                        format!(
                            "unknown provider {:?}; expected the id of a [[provider]] record",
                            r.provider
                        ),
                    ));
                }
                if let Some(op) = &r.operator
                    && !operator_ids.contains(op.as_str())
                {
                    out.push(loc.problem(
                        "operator",
                        format!(
                            "unknown operator {op:?}; expected the id of an [[operator]] record"
                        ),
                    ));
                }
                r
            },
        )
        .collect();
    region_list.sort_by(|a, b| {
        a.provider
            .cmp(&b.provider)
            .then_with(|| a.code.cmp(&b.code))
    });
    world.regions = region_list;
    world.sources = sources.order.into_iter().map(|s| s.value).collect();
    world.build_index();

    let service_provider: HashMap<String, String> = ai_services
        .order
        .iter()
        .map(|s| (s.value.id.clone(), s.value.provider.clone()))
        .collect();
    world.ai_services = ai_services
        .order
        .into_iter()
        .map(|At { loc, value }| {
            check_source(&loc, &value.provenance, &mut out);
            if !provider_ids.contains(value.provider.as_str()) {
                out.push(loc.problem(
                    "provider",
                    format!(
                        "unknown provider {:?}; expected the id of a [[provider]] record",
                        value.provider
                    ),
                ));
            }
            value
        })
        .collect();
    world.ai_offerings = ai_offerings
        .order
        .into_iter()
        .filter_map(|At { loc, value: (mut o, region) }| {
            check_source(&loc, &o.provenance, &mut out);
            let Some(provider) = service_provider.get(&o.service) else {
                out.push(loc.problem("service", format!("unknown AI service {:?}; expected the id of an [[ai_service]] record", o.service)));
                return None;
            };
            match world.region_id(provider, &region) {
                Some(id) => {
                    o.region = id;
                    Some(o)
                }
                None => {
                    out.push(loc.problem("region", format!("unknown region {provider}:{region}; expected a region code of provider {provider}")));
                    None
                }
            }
        })
        .collect();
    world.measurements = latency
        .order
        .into_iter()
        .filter_map(|At { loc, value }| {
            check_source(&loc, &value.provenance, &mut out);
            let from = place(&world, &loc, "from", &value.from, &mut out);
            let to = place(&world, &loc, "to", &value.to, &mut out);
            Some(Measurement {
                from: from?,
                to: to?,
                rtt_ms: value.rtt_ms,
                provenance: value.provenance,
            })
        })
        .collect();

    if out.is_empty() {
        Ok(world)
    } else {
        out.sort();
        out.dedup();
        Err(LoadError { problems: out })
    }
}

/// Measurements are symmetric: `a,b` and `b,a` are the same pair.
fn pair_key(a: &str, b: &str) -> String {
    if a <= b {
        format!("{a} <-> {b}")
    } else {
        format!("{b} <-> {a}")
    }
}

fn place(
    world: &World,
    loc: &Loc,
    field: &str,
    text: &str,
    out: &mut Vec<Problem>,
) -> Option<Place> {
    if let Some((provider, code)) = text.split_once(':') {
        match world.region_id(provider, code) {
            Some(id) => return Some(Place::Region(id)),
            None => {
                out.push(loc.problem(
                    field,
                    format!("unknown region {text:?}; expected provider:code of a catalog region"),
                ));
                return None;
            }
        }
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
