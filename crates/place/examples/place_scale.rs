//! Placement at scale: generated workloads (users in every country between them) over every
//! region in the catalog, then the independent validator. Prints the stages' times.
//!
//! `cargo run --release -p footprint-place --example place_scale -- [WORKLOADS]` (default 10000).
//! Measure memory with `/usr/bin/time -v` around it.

#![allow(clippy::unwrap_used, reason = "example")]

use std::time::Instant;

use footprint_geo::LatencyModel;
use footprint_place::{Context, LatencyMatrix, place, spec, synthetic, validate};
use footprint_policy::{Engine, TenantSpec};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(10_000);
    let t = Instant::now();
    let world = footprint_model::load_embedded().unwrap();
    let engine = Engine::embedded(&world).unwrap();
    let text = synthetic::workload_file(&world, n, 7);
    let input = spec::parse(&world, "generated", &text).unwrap();
    let table = engine.compile(&[TenantSpec::new(input.tenant.clone(), input.mechanisms)]);
    let model = LatencyModel::calibrate(&world).unwrap();
    let matrix = LatencyMatrix::build(&world, &model);
    let setup = t.elapsed().as_secs_f64();
    let ctx = Context {
        world: &world,
        engine: &engine,
        table: &table,
        latency: &matrix,
    };
    let t = Instant::now();
    let mut last = 0;
    let placement = place(ctx, &input, |done, total| {
        if done * 20 / total != last {
            last = done * 20 / total;
            eprint!("\r{done}/{total}");
        }
    });
    eprintln!();
    let placing = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let violations = validate::check(ctx, &input, &placement);
    let validating = t.elapsed().as_secs_f64();
    let countries: std::collections::BTreeSet<_> = input
        .workloads
        .iter()
        .flat_map(|w| w.users.iter().map(|u| u.0))
        .collect();
    println!(
        "{n} workloads, users in {} of {} countries, {} regions: setup {setup:.2} s, placing {placing:.2} s, validating {validating:.2} s",
        countries.len(),
        world.countries.len(),
        world.regions.len()
    );
    println!(
        "placed {}, partly {}, unservable {}; violations {}",
        placement.placed,
        placement.partial,
        placement.unservable,
        violations.len()
    );
    for v in violations.iter().take(10) {
        println!("  {v}");
    }
    assert!(violations.is_empty());
}
