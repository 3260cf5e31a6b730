//! Loading and validating the embedded catalog, against a plain JSON parse of the same facts
//! (a floor: what reading them costs without any checking).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let world = footprint_model::load_embedded().expect("the embedded catalog loads");
    // The same records, as one JSON document.
    let json = serde_json::json!({
        "countries": world.countries,
        "cities": world.cities.iter().map(|c| serde_json::json!({
            "id": c.id, "name": c.name, "country": c.country, "lat": c.lat, "lon": c.lon,
            "population": c.population, "source": c.source, "as_of": c.as_of,
        })).collect::<Vec<_>>(),
        "regions": world.regions,
        "blocs": world.blocs,
        "providers": world.providers,
        "ai_offerings": world.ai_offerings,
    })
    .to_string();

    let mut group = c.benchmark_group("catalog");
    group.bench_function("load_and_validate_embedded", |b| {
        b.iter(|| black_box(footprint_model::load_embedded().expect("loads")))
    });
    group.bench_function("baseline_serde_json_parse_same_facts", |b| {
        b.iter(|| {
            black_box(serde_json::from_str::<serde_json::Value>(black_box(&json)).expect("parses"))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
