//! The policy engine: compiling the law base with 1,000 tenant policies, a table lookup and an
//! explanation, each against direct Cedar evaluation of the same question in the same run: with
//! all 1,097 policies, and (the fair baseline) with the law base and the asking tenant's only.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use footprint_model::{CountryCode, RegionId};
use footprint_policy::{Action, DataClass, Engine, PolicyFile, Request, synthetic};

const TENANTS: usize = 1000;

fn bench(c: &mut Criterion) {
    let world = footprint_model::load_embedded().expect("the catalog loads");
    let policies = synthetic::policies(TENANTS);
    let tenants = synthetic::tenants(TENANTS);

    let mut group = c.benchmark_group("policy");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    // Load and validate the law base and 1,000 tenant policies, then compile the table for
    // the 1,000 tenants: everything between the Cedar files and a table ready for lookups.
    group.bench_function("compile_law_base_and_1000_tenant_policies", |b| {
        b.iter(|| {
            let law = Engine::embedded(&world).expect("law base");
            let all = law
                .with_tenant_policies(&[PolicyFile::tenant("tenants.cedar", policies.as_str())])
                .expect("tenant policies");
            black_box(all.compile(&tenants))
        })
    });
    group.finish();

    let law = Engine::embedded(&world).expect("law base");
    let engine = law
        .with_tenant_policies(&[PolicyFile::tenant("tenants.cedar", policies.as_str())])
        .expect("tenant policies");
    let table = engine.compile(&tenants);

    // A spread of questions: tenants, classes, subjects, actions and regions varied together.
    let subjects: Vec<CountryCode> = ["CN", "MX", "DE", "US", "IN", "MY", "TH", "KR", "BR", "FR"]
        .iter()
        .filter_map(|c| CountryCode::parse(c))
        .collect();
    let regions = world.regions.len();
    let questions: Vec<(usize, DataClass, CountryCode, Action, RegionId)> = (0..1024)
        .map(|i| {
            (
                (i * 37) % TENANTS,
                DataClass::ALL[i % DataClass::ALL.len()],
                subjects[(i * 7) % subjects.len()],
                Action::ALL[(i * 3) % Action::ALL.len()],
                RegionId(u32::try_from((i * 101) % regions).unwrap_or(0)),
            )
        })
        .collect();
    let indexed: Vec<(usize, DataClass, usize, Action, RegionId)> = questions
        .iter()
        .map(|(t, c, s, a, r)| (*t, *c, table.subject(*s).unwrap_or(0), *a, *r))
        .collect();

    let mut group = c.benchmark_group("decide");
    let mut i = 0;
    group.bench_function("table_lookup", |b| {
        b.iter(|| {
            i = (i + 1) % indexed.len();
            let (t, c, s, a, r) = indexed[i];
            black_box(table.allowed(t, c, s, a).contains(r))
        })
    });
    let ids: Vec<String> = tenants.iter().map(|t| t.id.clone()).collect();
    let request = |i: usize| {
        let (t, class, subject, action, region) = questions[i];
        Request {
            tenant: &ids[t],
            class,
            subject,
            action,
            mechanisms: tenants[t].mechanisms,
            region,
        }
    };
    let mut i = 0;
    group.bench_function("explanation", |b| {
        b.iter(|| {
            i = (i + 1) % questions.len();
            black_box(engine.explain(&request(i)).expect("explains"))
        })
    });
    // The fair baseline: Cedar with the law base and only the asking tenant's own policies (what
    // a service would load per tenant), on the first 64 questions.
    let fair: Vec<Engine> = questions[..64]
        .iter()
        .map(|(t, ..)| {
            law.with_tenant_policies(&[PolicyFile::tenant("tenant.cedar", synthetic::policy(*t))])
                .expect("one tenant's policy")
        })
        .collect();
    let mut i = 0;
    group.bench_function("baseline_cedar_law_base_and_one_tenant", |b| {
        b.iter(|| {
            i = (i + 1) % fair.len();
            black_box(fair[i].decide_with_cedar(&request(i)).expect("decides"))
        })
    });
    let mut i = 0;
    group.bench_function("baseline_direct_cedar_evaluation", |b| {
        b.iter(|| {
            i = (i + 1) % questions.len();
            black_box(engine.decide_with_cedar(&request(i)).expect("decides"))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
