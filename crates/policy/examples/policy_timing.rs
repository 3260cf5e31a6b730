//! Rough timings of the policy engine's stages, for development; BENCHMARKS.md has the real
//! figures (`cargo bench -p footprint-policy`).
#![allow(clippy::unwrap_used, reason = "example")]

use std::time::Instant;

use footprint_policy::{Engine, Mechanism, Mechanisms, TenantSpec};

fn main() {
    let world = footprint_model::load_embedded().unwrap();
    let t = Instant::now();
    let engine = Engine::embedded(&world).unwrap();
    println!("load {} rules: {:?}", engine.rules().len(), t.elapsed());
    let t = Instant::now();
    let table = engine.compile(&[TenantSpec::new("a", Mechanisms::NONE)]);
    println!(
        "compile one tenant: {:?} ({} sets)",
        t.elapsed(),
        table.distinct_sets()
    );
    let t = Instant::now();
    let m: Mechanisms = [Mechanism::Scc, Mechanism::Consent].into_iter().collect();
    let table = engine.compile(&[TenantSpec::new("a", m)]);
    println!(
        "compile one tenant with scc+consent: {:?} ({} sets)",
        t.elapsed(),
        table.distinct_sets()
    );
}
