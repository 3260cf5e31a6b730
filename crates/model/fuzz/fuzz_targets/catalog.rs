//! One catalog file of any kind, on top of a small base layer: the loader must not panic, and a
//! refusal must name the fuzzed file (or the base, never anything else) with a line inside it.

#![no_main]

use footprint_model::{CsvKind, InputFile, load};
use libfuzzer_sys::fuzz_target;

/// Enough for cross-references to resolve: a source, two countries, a provider, two regions.
const BASE_TOML: &str = r#"
[[source]]
id = "s"
title = "Base"

[[provider]]
id = "p"
name = "P"
headquarters = "MX"
source = "s"
as_of = "2026-01-01"

[[region]]
provider = "p"
code = "mx-1"
name = "Mexico"
city = "Queretaro"
country = "MX"
lat = 20.59
lon = -100.39
status = "ga"
launched = "2025"
source = "s"
as_of = "2026-01-01"

[[region]]
provider = "p"
code = "fr-1"
name = "France"
city = "Paris"
country = "FR"
lat = 48.85
lon = 2.35
status = "ga"
launched = "2025"
source = "s"
as_of = "2026-01-01"
"#;

const BASE_COUNTRIES: &str = "code,code3,numeric,name,population,continent,lat,lon,source,as_of\n\
MX,MEX,484,Mexico,126000000,NA,19.43,-99.13,s,2026-01-01\n\
FR,FRA,250,France,68000000,EU,48.85,2.35,s,2026-01-01\n";

fn base() -> Vec<InputFile<'static>> {
    vec![
        InputFile::new("base.toml", BASE_TOML),
        InputFile::new("countries-base.csv", BASE_COUNTRIES),
    ]
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.lines().count() as u32 + 1;
    let files = [
        InputFile::new("fuzz.toml", text),
        InputFile::new("fuzz.csv", text).with_csv_kind(CsvKind::Countries),
        InputFile::new("fuzz.csv", text).with_csv_kind(CsvKind::Cities),
        InputFile::new("fuzz.csv", text).with_csv_kind(CsvKind::Regions),
        InputFile::new("fuzz.csv", text).with_csv_kind(CsvKind::Latency),
    ];
    for file in files {
        if let Err(e) = load(&[base(), vec![file]]) {
            for p in &e.problems {
                assert!(
                    p.file == "fuzz.toml" || p.file == "fuzz.csv" || p.file == "base.toml",
                    "a problem names an unknown file: {p}"
                );
                if p.file.starts_with("fuzz") {
                    assert!(
                        p.line <= lines,
                        "line {} past the end ({lines}): {p}",
                        p.line
                    );
                }
            }
        }
    }
});
