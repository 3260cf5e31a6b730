//! Times loading the embedded catalog (a quick look; the benchmark is
//! `cargo bench -p footprint-model`). `load_timing N` runs N loads; `load_timing N DIR` loads
//! the embedded catalog plus the .toml and .csv files of DIR (e.g. a synthetic_catalog).

use std::time::Instant;

use footprint_model::InputFile;

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let mut user = Vec::new();
    if let Some(dir) = args.next() {
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        paths.sort();
        for p in paths {
            if let Ok(text) = std::fs::read_to_string(&p) {
                user.push(InputFile::new(p.display().to_string(), text));
            }
        }
    }
    let start = Instant::now();
    let mut regions = 0;
    for _ in 0..runs {
        let mut layers = vec![footprint_model::embedded::layer()];
        if !user.is_empty() {
            layers.push(user.clone());
        }
        match footprint_model::load(&layers) {
            Ok(w) => regions = std::hint::black_box(w.regions.len()),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(3);
            }
        }
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs.max(1));
    println!("load: {ms:.2} ms per load ({regions} regions)");
}
