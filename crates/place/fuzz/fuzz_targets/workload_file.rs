//! Any bytes as a workload file: the parser never panics, and whatever it accepts is a checked
//! input (shares sum to 1, every number finite, every workload has users and actions).
#![no_main]

use std::sync::OnceLock;

use footprint_model::World;
use libfuzzer_sys::fuzz_target;

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| footprint_model::load_embedded().expect("the embedded catalog loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match footprint_place::spec::parse(world(), "fuzz.toml", text) {
        Err(e) => {
            assert!(!e.problems.is_empty());
            assert!(
                e.problems
                    .iter()
                    .all(|p| !p.location.is_empty() && !p.message.is_empty())
            );
        }
        Ok(input) => {
            assert!(!input.workloads.is_empty());
            for w in &input.workloads {
                let total: f64 = w.users.iter().map(|u| u.1).sum();
                assert!(!w.users.is_empty() && (total - 1.0).abs() < 1e-6, "{total}");
                assert!(!w.actions.is_empty());
                assert!(footprint_place::gpus(w, 1.0).is_finite());
                assert!(footprint_place::usage_price(&input, w, 1.0).is_finite());
            }
            assert!(input.factor.iter().all(|f| f.is_finite()));
        }
    }
});
