//! Checks law files against the schema and the annotation rules, the way the engine loads them.
//!
//! `cargo run -p footprint-policy --example lawcheck -- catalog/laws/*.cedar`

use footprint_policy::PolicyFile;
use footprint_policy::load::{load_rules, parse_jurisdictions, parse_schema};

fn main() {
    let schema = match parse_schema("schema.cedarschema", footprint_policy::embedded::SCHEMA) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let mut files = Vec::new();
    for path in std::env::args().skip(1) {
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push(PolicyFile::law(path, text)),
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        }
    }
    if let Err(e) = parse_jurisdictions(
        "jurisdictions.toml",
        footprint_policy::embedded::JURISDICTIONS,
    ) {
        eprintln!("{e}");
    }
    match load_rules(&schema, &files, &Default::default()) {
        Ok((rules, _)) => println!("{} rules in {} files: ok", rules.len(), files.len()),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
