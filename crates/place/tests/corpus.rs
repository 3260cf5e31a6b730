#![allow(clippy::unwrap_used, reason = "tests")]
//! Replays the workload-file corpus (the fuzz target's seeds, `tests/corpus/`) through the
//! parser: nothing panics, every good file parses, every bad file is refused with a problem at
//! the place its first line names (`# expect: LOCATION`).

use std::path::{Path, PathBuf};

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    out.sort();
    out
}

#[test]
fn every_good_corpus_file_parses() {
    let world = footprint_model::load_embedded().unwrap();
    let good = files("good");
    assert!(good.len() >= 3, "{good:?}");
    for path in good {
        let text = std::fs::read_to_string(&path).unwrap();
        if let Err(e) = footprint_place::spec::parse(&world, "good.toml", &text) {
            panic!("{}: {e}", path.display());
        }
    }
}

#[test]
fn every_bad_corpus_file_is_refused_at_the_field_it_names() {
    let world = footprint_model::load_embedded().unwrap();
    let bad = files("bad");
    assert!(bad.len() >= 20, "{bad:?}");
    for path in bad {
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{}: no `# expect:` line", path.display()))
            .trim();
        let e = match footprint_place::spec::parse(&world, "bad.toml", &text) {
            Ok(_) => panic!("{}: accepted", path.display()),
            Err(e) => e,
        };
        assert_eq!(e.origin, "bad.toml");
        assert!(
            e.problems.iter().any(|p| p.location == expect),
            "{}: no problem at {expect:?}: {:#?}",
            path.display(),
            e.problems
        );
        assert!(e.problems.iter().all(|p| !p.message.is_empty()));
    }
}
