#![allow(clippy::unwrap_used, reason = "tests")]
//! Regressions of the placement hardening: countries added by a catalog layer, measured
//! latencies, what a workload's declarations imply, derived values that overflow, tenant policy
//! files for another tenant, the validator's own judgement, and determinism across threads.

use std::borrow::Cow;
use std::sync::OnceLock;

use footprint_geo::{LatencyMatrix, LatencyModel};
use footprint_model::{CountryCode, InputFile, World};
use footprint_place::validate::{RouteProblem, Violation, WorkloadProblem};
use footprint_place::{Context, Input, Outcome, PlaceError, Placement, place, spec, validate};
use footprint_policy::{Action, Engine, PolicyFile, Table, TenantSpec};

struct Setup {
    world: World,
    engine: Engine,
    matrix: LatencyMatrix,
}

impl Setup {
    /// The embedded catalog plus one user layer made of `files`.
    fn layered(files: &[(&str, &str)]) -> Setup {
        let mut layers = vec![footprint_model::embedded::layer()];
        if !files.is_empty() {
            layers.push(
                files
                    .iter()
                    .map(|(path, text)| InputFile {
                        path: (*path).to_owned(),
                        text: Cow::Borrowed(*text),
                        csv_kind: None,
                    })
                    .collect(),
            );
        }
        let world = footprint_model::load(&layers).unwrap();
        let engine = Engine::embedded(&world).unwrap();
        let model = LatencyModel::calibrate(&world).unwrap();
        let matrix = LatencyMatrix::build(&world, &model);
        Setup {
            world,
            engine,
            matrix,
        }
    }

    fn input(&self, text: &str) -> Input {
        spec::parse(&self.world, "test.toml", text).unwrap()
    }

    fn table(&self, input: &Input) -> Table {
        self.engine
            .compile(&[TenantSpec::new(input.tenant.clone(), input.mechanisms)])
    }

    fn ctx<'a>(&'a self, table: &'a Table) -> Context<'a> {
        Context {
            world: &self.world,
            engine: &self.engine,
            table,
            latency: &self.matrix,
        }
    }

    /// Places and validates.
    fn run(&self, text: &str) -> (Input, Placement) {
        let input = self.input(text);
        let table = self.table(&input);
        let placement = place(self.ctx(&table), &input, |_, _| {}).unwrap();
        let violations = validate::check(self.ctx(&table), &input, &placement);
        assert!(violations.is_empty(), "{violations:#?}");
        (input, placement)
    }
}

fn embedded() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| Setup::layered(&[]))
}

fn cc(s: &str) -> CountryCode {
    CountryCode::parse(s).unwrap()
}

// ---- 1. one country index: a country added by a layer has its own latency row ----

#[test]
fn a_country_added_by_a_catalog_layer_is_placed_by_its_own_latency_not_andorras() {
    // QZ sits where Mexico City is; before, its latency row was Andorra's (row 0).
    let s = Setup::layered(&[(
        "countries-mine.csv",
        "code,code3,numeric,name,population,continent,lat,lon,source,as_of\n\
         QZ,QZZ,999,Nueva,1000000,NA,19.43,-99.13,geonames-countries,2026-11-01\n",
    )]);
    let (_, p) = s.run(
        r#"
        [[workload]]
        name = "near-mexico"
        classes = ["non_personal"]
        users = { QZ = 1 }
        providers = ["aws"]
        demand = { requests_per_s = 10 }
        latency = { p95_ms = 30 }
    "#,
    );
    let w = &p.workloads[0];
    assert_eq!(w.outcome, Outcome::Placed, "{w:#?}");
    assert_eq!(w.routes[0].regions, ["aws:mx-central-1"], "{w:#?}");
    let qz = s.world.country_index(cc("QZ")).unwrap();
    let mx = s.world.find_region("aws:mx-central-1").unwrap();
    assert!((w.routes[0].p95_ms[0] - s.matrix.p95(qz, mx)).abs() < 0.051);
}

#[test]
fn a_matrix_of_another_catalog_is_refused() {
    let other = Setup::layered(&[(
        "countries-mine.csv",
        "code,code3,numeric,name,population,continent,lat,lon,source,as_of\n\
         QZ,QZZ,999,Nueva,1000000,NA,19.43,-99.13,geonames-countries,2026-11-01\n",
    )]);
    let s = embedded();
    let input =
        s.input("[[workload]]\nname = \"a\"\nclasses = [\"personal\"]\nusers = { MX = 1 }\n");
    let table = s.table(&input);
    let ctx = Context {
        latency: &other.matrix,
        ..s.ctx(&table)
    };
    let e = place(ctx, &input, |_, _| {}).unwrap_err();
    assert!(matches!(e, PlaceError::MatrixMismatch { .. }), "{e}");
}

// ---- 2. a measurement for the exact pair wins ----

#[test]
fn a_measured_country_to_region_latency_decides_the_route() {
    let text = r#"
        [[workload]]
        name = "mx"
        classes = ["non_personal"]
        users = { MX = 1 }
        providers = ["aws"]
        demand = { requests_per_s = 10 }
        latency = { p95_ms = 100 }
    "#;
    // Without a measurement the Mexican region is nearest.
    let (_, p) = embedded().run(text);
    assert_eq!(p.workloads[0].routes[0].regions, ["aws:mx-central-1"]);
    // Measured at 400 ms (say, a broken route), it is not within the target any more.
    let s = Setup::layered(&[(
        "latency-mine.csv",
        "from,to,rtt_ms,source,as_of\nMX,aws:mx-central-1,400,geonames-countries,2026-11-01\n",
    )]);
    let (_, p) = s.run(text);
    let route = &p.workloads[0].routes[0];
    assert_ne!(route.regions, ["aws:mx-central-1"], "{route:?}");
    assert!(route.p95_ms[0] <= 100.0, "{route:?}");
}

// ---- 4. what a workload does follows from what it declares ----

#[test]
fn indian_payment_data_is_kept_in_india_even_when_actions_say_only_process() {
    let (input, p) = embedded().run(
        r#"
        [[workload]]
        name = "upi-ledger"
        classes = ["payment"]
        users = { IN = 1000, TH = 200 }
        demand = { requests_per_s = 40, storage_gb = 5000 }
        actions = ["process"]
    "#,
    );
    let w = &input.workloads[0];
    for a in [Action::Store, Action::Process, Action::Log] {
        assert!(w.actions.contains(&a), "{:?}", w.actions);
    }
    let placed = &p.workloads[0];
    let india = placed.routes.iter().find(|r| r.country == "IN").unwrap();
    for key in &india.regions {
        let r = embedded().world.find_region(key).unwrap();
        assert_eq!(embedded().world.region(r).country, cc("IN"), "{india:?}");
    }
}

#[test]
fn the_example_files_indian_payments_stay_in_india() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/workloads.toml"),
    )
    .unwrap();
    let (input, p) = embedded().run(&text);
    let k = input
        .workloads
        .iter()
        .position(|w| w.name == "payments-india")
        .unwrap();
    assert!(input.workloads[k].actions.contains(&Action::Store));
    assert!(input.workloads[k].actions.contains(&Action::Backup));
    let placed = &p.workloads[k];
    assert_eq!(placed.outcome, Outcome::Placed, "{placed:#?}");
    for route in &placed.routes {
        for key in &route.regions {
            let r = embedded().world.find_region(key).unwrap();
            assert_eq!(embedded().world.region(r).country, cc("IN"), "{route:?}");
        }
    }
}

#[test]
fn actions_follow_from_declarations_and_a_list_only_adds() {
    use footprint_place::spec::{Demand, implied_actions};
    let d = |rps: f64, tokens: f64, gb: f64| Demand {
        requests_per_s: rps,
        tokens_per_s: tokens,
        storage_gb: gb,
    };
    assert_eq!(
        implied_actions(&d(0.0, 0.0, 5.0), 0, false),
        [Action::Store]
    );
    assert_eq!(
        implied_actions(&d(0.0, 10.0, 0.0), 0, false),
        [Action::Process, Action::Log]
    );
    assert_eq!(
        implied_actions(&d(1.0, 0.0, 5.0), 1, true),
        [
            Action::Store,
            Action::Replicate,
            Action::Backup,
            Action::Process,
            Action::Log
        ]
    );
    // Nothing declared: fail closed.
    assert_eq!(
        implied_actions(&d(0.0, 0.0, 0.0), 0, false),
        [Action::Store, Action::Process, Action::Log]
    );
    let input = embedded().input(
        "[[workload]]\nname = \"a\"\nclasses = [\"personal\"]\nusers = { MX = 1 }\n\
         demand = { storage_gb = 10 }\nactions = [\"log\"]\n",
    );
    assert_eq!(input.workloads[0].actions, [Action::Store, Action::Log]);
}

// ---- 6. numbers that would overflow are refused with the field named ----

fn problems(text: &str) -> Vec<(String, String)> {
    spec::parse(&embedded().world, "big.toml", text)
        .unwrap_err()
        .problems
        .into_iter()
        .map(|p| (p.location, p.message))
        .collect()
}

#[test]
fn numbers_near_the_float_limit_are_refused_with_the_field_named() {
    let got = problems(
        r#"
        [prices]
        fixed = 1e308
        [prices.provider]
        aws = 1e300
        [capacity]
        "aws:us-east-1" = 1e308
        [[workload]]
        name = "huge"
        classes = ["personal"]
        users = { MX = 1e308, GT = 1e308 }
        demand = { tokens_per_s = 1e308, storage_gb = 1.7976931348623157e308 }
        gpus_per_1k_tokens_s = 1e200
        latency = { p95_ms = 1e308 }
    "#,
    );
    let locations: Vec<&str> = got.iter().map(|p| p.0.as_str()).collect();
    for want in [
        "prices.fixed",
        "prices.provider.aws",
        "capacity.\"aws:us-east-1\"",
        "workload \"huge\".users.GT",
        "workload \"huge\".users.MX",
        "workload \"huge\".demand.tokens_per_s",
        "workload \"huge\".demand.storage_gb",
        "workload \"huge\".gpus_per_1k_tokens_s",
        "workload \"huge\".latency.p95_ms",
    ] {
        assert!(locations.contains(&want), "missing {want} in {got:#?}");
    }
    assert!(
        got.iter()
            .all(|p| p.1.contains("larger than footprint accepts")),
        "{got:#?}"
    );
}

#[test]
fn the_largest_accepted_numbers_still_give_finite_costs() {
    let (input, p) = embedded().run(&format!(
        r#"
        [prices]
        fixed = {l}
        per_rps = {l}
        per_token_s = {l}
        per_gb = {l}
        per_ms = {l}
        [prices.provider]
        aws = {l}
        [prices.region]
        "aws:mx-central-1" = {l}
        [[workload]]
        name = "big"
        classes = ["non_personal"]
        users = {{ MX = {l}, GT = {l} }}
        demand = {{ requests_per_s = {l}, tokens_per_s = {l}, storage_gb = {l} }}
        gpus_per_1k_tokens_s = {l}
        providers = ["aws"]
    "#,
        l = spec::LIMIT
    ));
    assert_eq!(input.workloads[0].users.len(), 2);
    assert!((input.workloads[0].users[0].1 - 0.5).abs() < 1e-12);
    let w = &p.workloads[0];
    assert_eq!(w.outcome, Outcome::Placed, "{w:#?}");
    assert!(w.cost.total.is_finite() && w.cost.total > 0.0, "{w:#?}");
}

// ---- 5. tenant policies for another tenant ----

#[test]
fn tenant_policies_that_name_only_another_tenant_are_refused() {
    let s = embedded();
    let other = s
        .engine
        .with_tenant_policies(&[PolicyFile::tenant(
            "other.cedar",
            "forbid (principal == Tenant::\"globex\", action, resource) unless { resource.country == context.subject };",
        )])
        .unwrap();
    let e = footprint_place::tenant::check_tenant_policies(&other, "acme").unwrap_err();
    assert_eq!(e.file, "other.cedar");
    assert_eq!(e.named, ["globex"]);
    assert!(e.to_string().contains("\"acme\""), "{e}");
    assert!(footprint_place::tenant::check_tenant_policies(&other, "globex").is_ok());
    // A file naming both tenants applies to each of them.
    let both = s
        .engine
        .with_tenant_policies(&[PolicyFile::tenant(
            "both.cedar",
            "forbid (principal == Tenant::\"globex\", action, resource) when { resource.status == \"retired\" };\n\
             forbid (principal == Tenant::\"acme\", action, resource) when { resource.status == \"retired\" };",
        )])
        .unwrap();
    assert!(footprint_place::tenant::check_tenant_policies(&both, "acme").is_ok());
    assert!(footprint_place::tenant::check_tenant_policies(&both, "globex").is_ok());
    // A policy without a tenant in its scope never gets this far: the engine refuses it.
    assert!(
        s.engine
            .with_tenant_policies(&[PolicyFile::tenant(
                "all.cedar",
                "forbid (principal, action, resource) when { resource.status == \"retired\" };",
            )])
            .is_err()
    );
}

// ---- 3. the validator judges for itself ----

const LATAM: &str = r#"
    [[workload]]
    name = "chat"
    classes = ["personal"]
    users = { MX = 70, GT = 30 }
    providers = ["aws"]
    demand = { requests_per_s = 10 }
    latency = { p95_ms = 80, share = 0.5 }
"#;

fn tampered(edit: impl FnOnce(&mut Placement)) -> Vec<Violation> {
    let s = embedded();
    let input = s.input(LATAM);
    let table = s.table(&input);
    let mut p = place(s.ctx(&table), &input, |_, _| {}).unwrap();
    assert!(validate::check(s.ctx(&table), &input, &p).is_empty());
    edit(&mut p);
    validate::check(s.ctx(&table), &input, &p)
}

#[test]
fn the_validator_does_not_trust_the_latency_bound_flag() {
    let v = tampered(|p| {
        // GT rerouted to Sydney and declared not bound by the target: within the promised 50%
        // share, but Guatemala has an allowed region within 80 ms.
        let w = &mut p.workloads[0];
        let gt = w.routes.iter_mut().find(|r| r.country == "GT").unwrap();
        gt.latency_bound = false;
        gt.regions = vec!["aws:ap-southeast-2".into()];
        gt.p95_ms = vec![150.0];
    });
    assert!(
        v.iter().any(|x| matches!(
            x,
            Violation::Route {
                problem: RouteProblem::BoundDenied { .. },
                ..
            }
        )),
        "{v:#?}"
    );
    assert!(
        v.iter().any(|x| matches!(
            x,
            Violation::Route {
                problem: RouteProblem::OverTarget { .. },
                ..
            }
        )),
        "{v:#?}"
    );
}

#[test]
fn the_validator_recomputes_the_outcome_and_the_totals() {
    let v = tampered(|p| p.workloads[0].outcome = Outcome::Partial);
    assert!(
        v.iter().any(|x| matches!(
            x,
            Violation::Workload {
                problem: WorkloadProblem::Outcome {
                    reported: Outcome::Partial,
                    recomputed: Outcome::Placed
                },
                ..
            }
        )),
        "{v:#?}"
    );
    assert!(
        v.iter().any(|x| matches!(x, Violation::Totals { .. })),
        "{v:#?}"
    );
    let v = tampered(|p| {
        let w = &mut p.workloads[0];
        w.outcome = Outcome::Unservable;
        w.problems = vec!["made up".into()];
        p.placed = 0;
        p.unservable = 1;
    });
    assert!(
        v.iter().any(|x| matches!(
            x,
            Violation::Workload {
                problem: WorkloadProblem::Outcome { .. },
                ..
            }
        )),
        "{v:#?}"
    );
    let v = tampered(|p| p.workloads[0].latency_met = 0.25);
    assert!(
        v.iter().any(|x| matches!(
            x,
            Violation::Workload {
                problem: WorkloadProblem::LatencyMet { .. },
                ..
            }
        )),
        "{v:#?}"
    );
}

// ---- 10. deterministic whatever the number of threads ----

#[test]
fn the_placement_is_the_same_on_one_thread_and_on_four() {
    let s = embedded();
    let text = footprint_place::synthetic::workload_file(&s.world, 96, 3);
    let input = s.input(&text);
    let table = s.table(&input);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let p = pool.install(|| place(s.ctx(&table), &input, |_, _| {}).unwrap());
        serde_json::to_string(&p).unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(4));
    assert!(one.contains("\"w00095\""));
}

#[test]
fn progress_counts_every_workload_once() {
    let s = embedded();
    let text = footprint_place::synthetic::workload_file(&s.world, 40, 5);
    let input = s.input(&text);
    let table = s.table(&input);
    let seen = std::sync::Mutex::new(Vec::new());
    place(s.ctx(&table), &input, |done, total| {
        seen.lock().unwrap().push((done, total));
    })
    .unwrap();
    let mut seen = seen.into_inner().unwrap();
    seen.sort_unstable();
    let want: Vec<(usize, usize)> = (1..=40).map(|d| (d, 40)).collect();
    assert_eq!(seen, want);
}
