//! Rough timings of the policy engine's stages, for development; BENCHMARKS.md has the real
//! figures (`cargo bench -p footprint-policy`).
#![allow(clippy::unwrap_used, reason = "example")]

use std::time::Instant;

use footprint_policy::{Engine, PolicyFile, synthetic};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let world = footprint_model::load_embedded().unwrap();
    let t = Instant::now();
    let law = Engine::embedded(&world).unwrap();
    println!(
        "load law base, {} rules: {:?}",
        law.rules().len(),
        t.elapsed()
    );
    let t = Instant::now();
    let text = synthetic::policies(n);
    let engine = law
        .with_tenant_policies(&[PolicyFile::tenant("tenants.cedar", text.as_str())])
        .unwrap();
    println!("add {n} tenant policies: {:?}", t.elapsed());
    let t = Instant::now();
    let table = engine.compile(&synthetic::tenants(n));
    println!(
        "compile {n} tenants: {:?} ({} distinct sets)",
        t.elapsed(),
        table.distinct_sets()
    );
}
