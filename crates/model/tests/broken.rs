//! Broken catalog files are refused whole, with every problem named by file, line and field.
//! Each folder under tests/broken/ is one user layer on top of the embedded catalog.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on the unexpected"
)]

use std::fs;
use std::path::Path;

use footprint_model::{InputFile, load, load_embedded};

fn case(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/broken")
        .join(name);
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let layer: Vec<InputFile<'static>> = paths
        .iter()
        .map(|p| {
            let shown = format!("{name}/{}", p.file_name().unwrap().to_string_lossy());
            InputFile::new(shown, fs::read_to_string(p).unwrap())
        })
        .collect();
    match load(&[footprint_model::embedded::layer(), layer]) {
        Ok(_) => panic!("case {name} loaded, but every file in it is broken"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn toml_syntax_error_names_the_line() {
    insta::assert_snapshot!(case("toml_syntax"));
}

#[test]
fn every_bad_field_of_a_region_is_listed() {
    let out = case("region_fields");
    // All problems at once, not just the first.
    for field in [
        "country", "lat", "status", "launched", "zones", "as_of", "colour", "code", "retired",
    ] {
        assert!(
            out.contains(&format!("field `{field}`")),
            "no problem named for {field}:\n{out}"
        );
    }
    insta::assert_snapshot!(out);
}

#[test]
fn csv_problems_name_line_and_column() {
    insta::assert_snapshot!(case("csv_problems"));
}

#[test]
fn cross_references_are_checked_after_merging() {
    insta::assert_snapshot!(case("cross_references"));
}

#[test]
fn files_of_unknown_kind_are_refused() {
    insta::assert_snapshot!(case("file_kinds"));
}

#[test]
fn a_refused_layer_changes_nothing() {
    // Loading is all or nothing: the embedded catalog on its own is unaffected by a failed
    // attempt, and a failed load returns no world at all.
    let before = load_embedded().unwrap();
    let _ = case("region_fields");
    let after = load_embedded().unwrap();
    assert_eq!(before.regions, after.regions);
}
