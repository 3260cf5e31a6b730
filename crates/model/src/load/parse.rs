//! Files -> generic records: TOML arrays of tables and CSV rows, each field with its line, handed
//! to [`super::typed`] one record at a time.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use super::InputFile;
use super::typed::{Parsed, typed};
use crate::error::Problem;
use crate::record::{Raw, Record};

/// The kinds of record a catalog holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Kind {
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

/// Fields of each kind: (required, optional, has provenance fields on top).
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

/// Every field a record of this kind may have.
pub(super) fn all_fields(kind: Kind) -> Vec<&'static str> {
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
        u32::try_from(self.0.partition_point(|&s| s <= offset)).unwrap_or(u32::MAX)
    }
}

fn whole_file(file: &str, line: u32, field: Option<&str>, message: String) -> Problem {
    Problem {
        file: file.to_owned(),
        line,
        field: field.map(str::to_owned),
        message,
    }
}

/// Reads one file of any kind into `parsed`, every problem into `out`.
pub(super) fn parse_file(file: &InputFile<'_>, parsed: &mut Parsed, out: &mut Vec<Problem>) {
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
            None => out.push(whole_file(
                &name,
                0,
                None,
                "cannot tell what this CSV file holds: its name must start with \
                 countries, cities, regions or latency"
                    .into(),
            )),
        }
    } else {
        out.push(whole_file(
            &name,
            0,
            None,
            "not a catalog file: expected a .toml or .csv file".into(),
        ));
    }
}

fn parse_toml(file: &Arc<str>, text: &str, parsed: &mut Parsed, out: &mut Vec<Problem>) {
    let lines = Lines::new(text);
    let doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let line = e.span().map_or(0, |s| lines.line(s.start));
            let message = format!("not valid TOML: {}", e.message().trim());
            out.push(whole_file(file, line, None, message));
            return;
        }
    };
    for (key, value) in doc.get_ref().iter() {
        let line = lines.line(key.span().start);
        let name: &str = key.get_ref();
        let Some(&(_, kind)) = TOML_KINDS.iter().find(|(n, _)| *n == name) else {
            let expected: Vec<String> =
                TOML_KINDS.iter().map(|(n, _)| format!("[[{n}]]")).collect();
            let message = format!(
                "unknown table `{name}`; expected one of: {}",
                expected.join(", ")
            );
            out.push(whole_file(file, line, Some(name), message));
            continue;
        };
        let DeValue::Array(items) = value.get_ref() else {
            let message = format!("expected an array of tables, written [[{name}]]");
            out.push(whole_file(file, line, Some(name), message));
            continue;
        };
        for item in items {
            let item_line = lines.line(item.span().start);
            let DeValue::Table(table) = item.get_ref() else {
                let message = format!("expected a table, written [[{name}]]");
                out.push(whole_file(file, item_line, Some(name), message));
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
            let rec = Record::table(file.clone(), item_line, fields);
            typed(kind, rec, parsed, out);
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

/// Checks a CSV header: no column twice, none unknown, every required one present.
fn csv_header_ok(
    file: &str,
    kind: Kind,
    headers: &csv::StringRecord,
    out: &mut Vec<Problem>,
) -> bool {
    let (required, _, provenance) = fields(kind);
    let known = all_fields(kind);
    let mut ok = true;
    let mut seen = HashSet::new();
    for h in headers {
        if !seen.insert(h) {
            out.push(whole_file(
                file,
                1,
                Some(h),
                format!("column `{h}` appears twice"),
            ));
            ok = false;
        } else if !known.contains(&h) {
            let message = format!("unknown column `{h}`; expected: {}", known.join(", "));
            out.push(whole_file(file, 1, Some(h), message));
            ok = false;
        }
    }
    let mut needed: Vec<&str> = required.to_vec();
    if provenance {
        needed.extend(["source", "as_of"]);
    }
    for r in needed {
        if !headers.iter().any(|h| h == r) {
            out.push(whole_file(
                file,
                1,
                Some(r),
                format!("missing required column `{r}`"),
            ));
            ok = false;
        }
    }
    ok
}

fn csv_line(position: Option<&csv::Position>) -> u32 {
    position.map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX))
}

fn parse_csv(file: &Arc<str>, kind: Kind, text: &str, parsed: &mut Parsed, out: &mut Vec<Problem>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.push(whole_file(file, 1, None, format!("not valid CSV: {e}")));
            return;
        }
    };
    if !csv_header_ok(file, kind, &headers, out) {
        return;
    }
    let names: Arc<[String]> = headers.iter().map(str::to_owned).collect();
    let mut row = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                let line = csv_line(row.position());
                let rec = Record::row(file.clone(), line, names.clone(), row.iter());
                typed(kind, rec, parsed, out);
            }
            Err(e) => {
                let line = csv_line(e.position());
                out.push(whole_file(file, line, None, format!("not valid CSV: {e}")));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
}
