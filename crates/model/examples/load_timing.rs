//! Times loading the embedded catalog (a quick look; the benchmark is
//! `cargo bench -p footprint-model`). `load_timing N` runs N loads.

use std::time::Instant;

fn main() {
    let runs: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(
            footprint_model::load_embedded()
                .map(|w| w.regions.len())
                .ok(),
        );
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs.max(1));
    println!("load_embedded: {ms:.2} ms per load");
}
