//! Any text as a tenant policy file and as a law file: the loader answers (rules, or an error
//! naming the file) without panicking or overflowing the stack; for an accepted tenant file the
//! explanation agrees with Cedar. (Compiling tables is left to the property tests: it costs
//! too much per input here.)
//!
//! Seeds: crates/policy/tests/corpus/ (replayed by `cargo test`, tests/corpus_replay.rs).
//! `cd crates/policy/fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run load_policy ../tests/corpus -- -max_total_time=120`
#![no_main]

use std::sync::OnceLock;

use footprint_model::{CountryCode, RegionId, World};
use footprint_policy::{Action, DataClass, Engine, Mechanisms, PolicyFile, Request, tenants_named};
use libfuzzer_sys::fuzz_target;

fn law() -> &'static (World, Engine, cedar_policy::Schema) {
    static E: OnceLock<(World, Engine, cedar_policy::Schema)> = OnceLock::new();
    E.get_or_init(|| {
        let world = footprint_model::load_embedded().expect("the catalog loads");
        let engine = Engine::embedded(&world).expect("the law base loads");
        let schema =
            footprint_policy::load::parse_schema("schema", footprint_policy::embedded::SCHEMA)
                .expect("the schema parses");
        (world, engine, schema)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (_, law, schema) = law();
    let file = PolicyFile::tenant("fuzz.cedar", text);
    let named = tenants_named(&file);
    match law.with_tenant_policies(&[file]) {
        Ok(engine) => {
            let names = named.expect("an accepted file names its tenants");
            if let (Some(t), Some(subject)) = (names.iter().next(), CountryCode::parse("DE")) {
                let r = Request {
                    tenant: t,
                    class: DataClass::Personal,
                    subject,
                    action: Action::Store,
                    mechanisms: Mechanisms::NONE,
                    region: RegionId(0),
                };
                let cedar = engine.decide_with_cedar(&r).expect("decides");
                let why = engine.explain(&r).expect("explains");
                assert_eq!(cedar.allowed, why.allowed, "{text}");
            }
        }
        Err(e) => assert!(e.problems.iter().all(|p| p.file == "fuzz.cedar")),
    }
    let as_law = [PolicyFile::law("<fuzz>/laws/eu.cedar", text)];
    if let Err(e) = footprint_policy::load::load_rules(schema, &as_law, &Default::default()) {
        assert!(e.problems.iter().all(|p| p.file == "<fuzz>/laws/eu.cedar"));
    }
});
