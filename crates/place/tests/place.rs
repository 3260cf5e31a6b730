#![allow(clippy::unwrap_used, reason = "tests")]
//! Placement end to end on the real catalog and law base: the example file, explanations of
//! what cannot be served, bad input, and a property: no route ever uses a forbidden region.

use std::sync::OnceLock;

use footprint_geo::{LatencyMatrix, LatencyModel};
use footprint_model::{CountryCode, World};
use footprint_place::{Context, Input, Outcome, Placement, place, spec, validate};
use footprint_policy::{Engine, PolicyFile, Request, Table, TenantSpec};
use proptest::prelude::*;

struct Fixture {
    world: World,
    engine: Engine,
    matrix: LatencyMatrix,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let world = footprint_model::load_embedded().unwrap();
        let engine = Engine::embedded(&world).unwrap();
        let model = LatencyModel::calibrate(&world).unwrap();
        let matrix = LatencyMatrix::build(&world, &model);
        Fixture {
            world,
            engine,
            matrix,
        }
    })
}

fn run(text: &str) -> (Input, Table, Placement) {
    let f = fixture();
    let input = spec::parse(&f.world, "test.toml", text).unwrap();
    let table = f
        .engine
        .compile(&[TenantSpec::new(input.tenant.clone(), input.mechanisms)]);
    let ctx = Context {
        world: &f.world,
        engine: &f.engine,
        table: &table,
        latency: &f.matrix,
    };
    let placement = place(ctx, &input, |_, _| {}).unwrap();
    let violations = validate::check(ctx, &input, &placement);
    assert!(violations.is_empty(), "{violations:#?}");
    (input, table, placement)
}

/// Calls `check` once for every (workload, route, region, class, action) of a placement, with
/// the residency request that region must allow and a description of what it serves.
fn for_every_routed_request(
    input: &Input,
    placement: &Placement,
    mut check: impl FnMut(&Request<'_>, String),
) {
    let f = fixture();
    for (w, p) in input.workloads.iter().zip(&placement.workloads) {
        for route in &p.routes {
            let subject = CountryCode::parse(&route.country).unwrap();
            for key in &route.regions {
                let region = f.world.find_region(key).unwrap();
                for &class in &w.classes {
                    for &action in &w.actions {
                        let request = Request {
                            tenant: &input.tenant,
                            class,
                            subject,
                            action,
                            mechanisms: input.mechanisms,
                            region,
                        };
                        let what = format!(
                            "{}: {key} serves {} for {} of its {} data",
                            w.name,
                            route.country,
                            action.as_str(),
                            class.as_str()
                        );
                        check(&request, what);
                    }
                }
            }
        }
    }
}

/// Every region of every route, checked by the explanation evaluator (a separate path from the
/// compiled table the placer reads).
fn assert_all_allowed(input: &Input, placement: &Placement, engine: &Engine) {
    for_every_routed_request(input, placement, |request, what| {
        let e = engine.explain(request).unwrap();
        assert!(e.allowed, "{what}, which the law base forbids");
    });
}

#[test]
fn the_example_file_places_every_workload_with_failover() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/workloads.toml"),
    )
    .unwrap();
    let (input, _, p) = run(&text);
    assert_all_allowed(&input, &p, &fixture().engine);
    assert_eq!(p.placed, 4, "{p:#?}");
    let chat = &p.workloads[0];
    assert_eq!(chat.name, "chat-latam");
    for route in &chat.routes {
        assert_eq!(route.regions.len(), 2, "survive = 1 gives a failover");
        assert!(route.p95_ms[0] <= 80.0);
        assert!(
            route
                .regions
                .iter()
                .all(|r| r.starts_with("aws:") || r.starts_with("azure:"))
        );
    }
    // Payments survive a country's loss: the two regions of a route are in two countries.
    let pay = &p.workloads[2];
    for route in &pay.routes {
        let countries: Vec<_> = route
            .regions
            .iter()
            .map(|r| {
                fixture()
                    .world
                    .region(fixture().world.find_region(r).unwrap())
                    .country
            })
            .collect();
        assert_ne!(countries[0], countries[1], "{route:?}");
    }
}

#[test]
fn a_country_without_an_allowed_region_is_explained_with_rules_and_what_is_missing() {
    let (_, _, p) = run(r#"
        [[workload]]
        name = "ru-app"
        classes = ["personal"]
        users = { RU = 100, DE = 100 }
        providers = ["aws"]
    "#);
    let w = &p.workloads[0];
    assert_eq!(w.outcome, Outcome::Partial, "{w:#?}");
    assert_eq!(w.routes.len(), 1);
    assert_eq!(w.routes[0].country, "DE");
    let ru = &w.unserved[0];
    assert_eq!(ru.country, "RU");
    assert!(!ru.rules.is_empty(), "{ru:?}");
    assert!(
        ru.rules[0].law.contains("152-FZ") || ru.rules[0].id.starts_with("ru"),
        "{ru:?}"
    );
    assert!(
        ru.missing.as_deref().unwrap_or("").contains("Russia"),
        "{ru:?}"
    );
}

#[test]
fn an_unreachable_latency_target_is_explained() {
    let (_, _, p) = run(r#"
        [[workload]]
        name = "too-fast"
        classes = ["non_personal"]
        user_shares = { NZ = 0.5, IS = 0.5 }
        latency = { p95_ms = 3, share = 0.9 }
    "#);
    let w = &p.workloads[0];
    assert_eq!(w.outcome, Outcome::Unservable);
    assert!(w.routes.is_empty());
    assert!(w.problems[0].contains("latency target"), "{:?}", w.problems);
}

#[test]
fn shared_capacity_is_never_exceeded() {
    let (input, _, p) = run(r#"
        [capacity]
        "aws:mx-central-1" = 10
        [[workload]]
        name = "a"
        classes = ["non_personal"]
        users = { MX = 1 }
        providers = ["aws"]
        demand = { tokens_per_s = 30000 }
        gpus_per_1k_tokens_s = 0.25
        [[workload]]
        name = "b"
        classes = ["non_personal"]
        users = { MX = 1 }
        providers = ["aws"]
        demand = { tokens_per_s = 30000 }
        gpus_per_1k_tokens_s = 0.25
    "#);
    // 7.5 GPUs each: only one fits in Mexico, the other goes elsewhere.
    let in_mx = p
        .workloads
        .iter()
        .filter(|w| w.regions.iter().any(|r| r.region == "aws:mx-central-1"))
        .count();
    assert_eq!(in_mx, 1, "{p:#?}");
    assert_eq!(input.workloads.len(), 2);
    assert_eq!(p.placed, 2);
}

fn errors(text: &str) -> Vec<String> {
    spec::parse(&fixture().world, "bad.toml", text)
        .unwrap_err()
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn bad_input_names_the_workload_and_field() {
    let e = errors(
        r#"
        [capacity]
        "aws:nowhere-1" = 3
        [[workload]]
        name = "w"
        classes = ["personal", "secret"]
        users = { XX = 1, MX = -2 }
        demand = { requests_per_s = -1 }
        latency = { p95_ms = 0.2 }
        providers = ["acme-cloud"]
    "#,
    );
    let all = e.join("\n");
    for want in [
        "capacity.\"aws:nowhere-1\"",
        "workload \"w\".classes[1]: unknown data class \"secret\"",
        "workload \"w\".users.XX: unknown country code",
        "workload \"w\".users.MX: -2 is not a number >= 0",
        "workload \"w\".demand.requests_per_s: -1 is not a number >= 0",
        "workload \"w\".latency.p95_ms: 0.2 ms is below what any network can give",
        "workload \"w\".providers[0]: unknown provider \"acme-cloud\"",
    ] {
        assert!(all.contains(want), "missing {want:?} in:\n{all}");
    }
    let e = errors(
        "[[workload]]\nname = \"x\"\nclasses = [\"personal\"]\nuser_shares = { MX = 0.5 }\n",
    );
    assert_eq!(
        e,
        ["workload \"x\".user_shares: shares add up to 0.5, not 1"]
    );
    let e = errors("[[workload]]\nname = \"x\"\nclases = []\n");
    assert!(
        e[0].starts_with("bad.toml:3: unknown field `clases`"),
        "{e:?}"
    );
}

/// Property cases: `PROPTEST_CASES` when set (CI runs many more), else a number that runs in
/// reasonable time under `cargo test`.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

/// Tenant policies for the property test, each scoped to a tenant: "t0" is the tenant placed,
/// "t1" another one whose policies must change nothing for t0.
fn tenant_policy(kind: usize, provider: &str, tenant: &str) -> String {
    match kind {
        0 => format!(
            "forbid (principal == Tenant::\"{tenant}\", action, resource) when {{ resource.provider == Provider::\"{provider}\" }};"
        ),
        1 => format!(
            "forbid (principal == Tenant::\"{tenant}\", action, resource) when {{ context.subject in Bloc::\"EU\" }} unless {{ resource in Bloc::\"EU\" }};"
        ),
        2 => format!(
            "forbid (principal == Tenant::\"{tenant}\", action in [Action::\"store\", Action::\"backup\"], resource) when {{ context.classes.contains(DataClass::\"personal\") }} unless {{ resource.country == context.subject }};"
        ),
        3 => format!(
            "permit (principal == Tenant::\"{tenant}\", action, resource) when {{ resource.provider == Provider::\"{provider}\" }};"
        ),
        _ => format!(
            "forbid (principal == Tenant::\"{tenant}\", action, resource) unless {{ resource.partition == \"commercial\" }};"
        ),
    }
}

/// Every region of every route, checked by Cedar itself for every class and action.
fn assert_cedar_allows(engine: &Engine, input: &Input, placement: &Placement) -> usize {
    let mut checked = 0;
    for_every_routed_request(input, placement, |request, what| {
        let d = engine.decide_with_cedar(request).unwrap();
        assert!(d.allowed, "{what}, which Cedar refuses: {d:?}");
        checked += 1;
    });
    checked
}

/// A generated workload: countries, classes, survive, latency, providers, failure domain,
/// demand (requests, storage), backups, declared actions.
type Gen = (
    std::collections::BTreeSet<usize>,
    std::collections::BTreeSet<usize>,
    u32,
    Option<u32>,
    std::collections::BTreeSet<usize>,
    usize,
    (u32, u32),
    bool,
    Option<usize>,
);

fn workload_text(k: usize, g: &Gen) -> String {
    let f = fixture();
    let (countries, cls, survive, latency, providers, domain, (rps, gb), backups, action) = g;
    let classes = [
        "personal",
        "sensitive_personal",
        "health",
        "financial",
        "payment",
        "government",
        "important_data",
        "telecom_metadata",
        "non_personal",
    ];
    let users: Vec<String> = countries
        .iter()
        .map(|&c| {
            format!(
                "{} = {}",
                f.world.countries[c % f.world.countries.len()].code,
                10 + c
            )
        })
        .collect();
    let cls: Vec<String> = cls.iter().map(|&c| format!("\"{}\"", classes[c])).collect();
    let providers: Vec<String> = providers
        .iter()
        .map(|&p| format!("\"{}\"", f.world.providers[p % f.world.providers.len()].id))
        .collect();
    let mut text = format!(
        "[[workload]]\nname = \"w{k}\"\nclasses = [{}]\nsurvive = {survive}\nproviders = [{}]\nfailure_domain = \"{}\"\nusers = {{ {} }}\nbackups = {backups}\ndemand = {{ requests_per_s = {rps}, storage_gb = {gb} }}\n",
        cls.join(", "),
        providers.join(", "),
        ["region", "country", "provider"][*domain],
        users.join(", ")
    );
    if let Some(a) = action {
        text.push_str(&format!(
            "actions = [\"{}\"]\n",
            ["store", "replicate", "backup", "process", "log"][*a]
        ));
    }
    if let Some(ms) = latency {
        text.push_str(&format!("latency = {{ p95_ms = {ms}, share = 0.8 }}\n"));
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Whatever the workloads and the tenant's policies, every region of every route is allowed
    /// by Cedar itself for its country's data (every class, every action), and the validator
    /// accepts the placement.
    #[test]
    fn no_route_uses_a_region_cedar_forbids(
        workloads in prop::collection::vec(
            (
                prop::collection::btree_set(0usize..250, 1..8),
                prop::collection::btree_set(0usize..9, 1..3),
                0u32..3,
                prop::option::of(20u32..200),
                prop::collection::btree_set(0usize..7, 1..4),
                0usize..3,
                (0u32..3, 0u32..3),
                any::<bool>(),
                prop::option::of(0usize..5),
            ),
            1..4,
        ),
        mechanism in prop::option::of(0usize..3),
        policies in prop::collection::vec((0usize..5, 0usize..7, any::<bool>()), 0..4),
    ) {
        let f = fixture();
        let mut text = String::from("tenant = \"t0\"\n");
        if let Some(m) = mechanism {
            text.push_str(&format!("mechanisms = [\"{}\"]\n", ["scc", "consent", "bcr"][m]));
        }
        for (k, g) in workloads.iter().enumerate() {
            text.push_str(&workload_text(k, g));
        }
        let cedar: Vec<String> = policies
            .iter()
            .map(|&(kind, p, mine)| {
                let provider = &f.world.providers[p % f.world.providers.len()].id;
                tenant_policy(kind, provider, if mine { "t0" } else { "t1" })
            })
            .collect();
        let engine = if cedar.is_empty() {
            f.engine.clone()
        } else {
            f.engine
                .with_tenant_policies(&[PolicyFile::tenant("t.cedar", cedar.join("\n"))])
                .unwrap()
        };
        let input = spec::parse(&f.world, "test.toml", &text).unwrap();
        let table = engine.compile(&[TenantSpec::new(input.tenant.clone(), input.mechanisms)]);
        let ctx = Context { world: &f.world, engine: &engine, table: &table, latency: &f.matrix };
        let placement = place(ctx, &input, |_, _| {}).unwrap();
        let violations = validate::check(ctx, &input, &placement);
        prop_assert!(violations.is_empty(), "{violations:#?}");
        assert_cedar_allows(&engine, &input, &placement);
        assert_all_allowed(&input, &placement, &engine);
        // Another tenant's policies change nothing for this one.
        // (The other tenant's lines become comments, so that rule ids and lines stay the same.)
        let own: Vec<String> = policies
            .iter()
            .zip(&cedar)
            .map(|(p, c)| if p.2 { c.clone() } else { "// another tenant's".into() })
            .collect();
        if policies.iter().any(|p| !p.2) {
            let engine = if policies.iter().all(|p| !p.2) {
                f.engine.clone()
            } else {
                f.engine
                    .with_tenant_policies(&[PolicyFile::tenant("t.cedar", own.join("\n"))])
                    .unwrap()
            };
            let table = engine.compile(&[TenantSpec::new(input.tenant.clone(), input.mechanisms)]);
            let ctx = Context { world: &f.world, engine: &engine, table: &table, latency: &f.matrix };
            let alone = place(ctx, &input, |_, _| {}).unwrap();
            prop_assert_eq!(
                serde_json::to_string(&alone).unwrap(),
                serde_json::to_string(&placement).unwrap()
            );
        }
    }
}

#[test]
fn a_country_whose_allowed_regions_are_full_is_told_so() {
    let (_, _, p) = run(r#"
        [capacity]
        "aws:cn-north-1" = 1
        "aws:cn-northwest-1" = 1
        [[workload]]
        name = "cn-data"
        classes = ["important_data"]
        users = { CN = 1 }
        providers = ["aws"]
        demand = { tokens_per_s = 30000 }
        gpus_per_1k_tokens_s = 0.25
    "#);
    let w = &p.workloads[0];
    assert_eq!(w.outcome, Outcome::Unservable, "{w:#?}");
    let cn = &w.unserved[0];
    assert!(cn.reason.contains("no GPU capacity left"), "{cn:?}");
    assert!(cn.reason.contains("aws:cn-north-1"), "{cn:?}");
}
