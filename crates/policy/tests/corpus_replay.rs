//! Replays the fuzz seed corpus (tests/corpus/, also crates/policy/fuzz's seeds) through the
//! loader as tenant files and as law files: no panic; `good-*` files load (as tenant files),
//! `bad-*` files are refused with a problem that names the file and, but for templates, a line.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::Path;

use footprint_policy::{Engine, PolicyFile, ProblemKind, tenants_named};

#[test]
fn every_corpus_file_loads_or_is_refused_with_file_and_line() {
    let world = footprint_model::load_embedded().unwrap();
    let law = Engine::embedded(&world).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let (mut good, mut bad) = (0, 0);
    for path in &names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let result = law.with_tenant_policies(&[PolicyFile::tenant(name.clone(), text.as_str())]);
        if name.starts_with("good-") {
            good += 1;
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                !tenants_named(&PolicyFile::tenant(name.clone(), text.as_str()))
                    .unwrap()
                    .is_empty()
            );
        } else {
            bad += 1;
            let e = result
                .err()
                .unwrap_or_else(|| panic!("{name} was accepted"));
            for p in &e.problems {
                assert_eq!(p.file, name, "{e}");
                assert!(
                    p.line.is_some() || p.kind == ProblemKind::Template,
                    "{name}: {e}"
                );
            }
        }
        // As a law file replacing one of the law base: never a panic, and a tenant file is
        // never a valid law (no citation), so it is refused.
        let mut laws = footprint_policy::embedded::law_files();
        let at = laws
            .iter()
            .position(|f| f.name.ends_with("/eu.cedar"))
            .unwrap();
        laws[at] = PolicyFile::law("corpus/eu.cedar", text.as_str());
        assert!(Engine::new(&world, &laws, &[]).is_err(), "{name} as a law");
    }
    assert!(good >= 3 && bad >= 5, "{good} good, {bad} bad");
}
