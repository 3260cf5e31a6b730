//! Replays every file of tests/corpus/ (the fuzz target's seed corpus) through the loader, on
//! top of the embedded catalog: no panic; a `good*` file loads; any other file is refused with
//! every problem naming that file, and at least one naming a line (and, but for syntax errors,
//! a field).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on the unexpected"
)]

use std::fs;
use std::path::Path;

use footprint_model::{Checks, InputFile, load_with};

#[test]
fn every_corpus_file_is_loaded_or_refused_with_file_line_and_field() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 20, "the corpus is missing: {}", paths.len());
    let checks = Checks {
        today: Some("2026-12-01".parse().unwrap()),
        ..Checks::default()
    };
    let mut wrong = Vec::new();
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Invalid UTF-8 is the caller's to refuse; the corpus is text.
        let text = fs::read_to_string(path).unwrap();
        let layer = vec![InputFile::new(name.clone(), text)];
        let result = load_with(&[footprint_model::embedded::layer(), layer], &checks);
        match (name.starts_with("good") || name.contains("-good"), result) {
            (true, Ok(_)) => {}
            (true, Err(e)) => wrong.push(format!("{name} was refused: {e}")),
            (false, Ok(_)) => wrong.push(format!("{name} loaded, but it is bad")),
            (false, Err(e)) => {
                if let Some(p) = e.problems.iter().find(|p| p.file != name) {
                    wrong.push(format!("{name}: a problem names another file: {p}"));
                }
                let syntax = name.contains("syntax");
                if !e
                    .problems
                    .iter()
                    .any(|p| p.line > 0 && (syntax || p.field.is_some()))
                {
                    wrong.push(format!("{name}: no problem names a line and field: {e}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
