//! Properties of the engine, on random tenant policies over the real law base and world:
//! the compiled table is Cedar's answer (with errors denied), a forbid never widens, order does
//! not matter, and an erroring policy denies.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::OnceLock;

use footprint_model::{CountryCode, RegionId, World};
use footprint_policy::{
    Action, DataClass, Engine, Mechanism, Mechanisms, PolicyFile, Request, Table, TenantSpec,
};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| footprint_model::load_embedded().unwrap())
}

fn law_files() -> Vec<PolicyFile<'static>> {
    footprint_policy::embedded::law_files()
}

const COUNTRIES: &[&str] = &["CN", "US", "DE", "FR", "MX", "MY", "KR", "IN", "BR", "ZZ"];
const BLOCS: &[&str] = &["EU", "EEA", "ASEAN", "GCC", "EU_ADEQUACY"];
const TENANTS: &[&str] = &["t1", "t2", "t3"];

fn class() -> impl Strategy<Value = DataClass> {
    prop::sample::select(DataClass::ALL)
}

fn action() -> impl Strategy<Value = Action> {
    prop::sample::select(Action::ALL)
}

fn mechanisms() -> impl Strategy<Value = Mechanisms> {
    (0u16..(1 << Mechanism::ALL.len())).prop_map(Mechanisms)
}

/// A boolean Cedar expression over the schema, sometimes one that errors at run time.
fn condition() -> impl Strategy<Value = String> {
    let country = prop::sample::select(COUNTRIES);
    let bloc = prop::sample::select(BLOCS);
    let leaf = prop_oneof![
        country
            .clone()
            .prop_map(|c| format!("context.subject == Country::\"{c}\"")),
        bloc.clone()
            .prop_map(|b| format!("context.subject in Bloc::\"{b}\"")),
        country
            .clone()
            .prop_map(|c| format!("resource in Country::\"{c}\"")),
        bloc.clone()
            .prop_map(|b| format!("resource in Bloc::\"{b}\"")),
        class().prop_map(|c| format!("context.classes.contains(DataClass::\"{c}\")")),
        class().prop_map(|c| format!("context.class == DataClass::\"{c}\"")),
        prop::sample::select(Mechanism::ALL)
            .prop_map(|m| format!("context.mechanisms.contains(Mechanism::\"{m}\")")),
        (
            prop::sample::select(Mechanism::ALL),
            prop::sample::select(Mechanism::ALL)
        )
            .prop_map(|(a, b)| format!(
                "context.mechanisms.containsAny([Mechanism::\"{a}\", Mechanism::\"{b}\"])"
            )),
        country
            .clone()
            .prop_map(|c| format!("resource.provider.home == Country::\"{c}\"")),
        bloc.clone()
            .prop_map(|b| format!("resource.operator.home in Bloc::\"{b}\"")),
        prop::sample::select(&["commercial", "china", "government", "sovereign"][..])
            .prop_map(|p| format!("resource.partition == \"{p}\"")),
        prop::sample::select(&["eu-*", "*-1", "*east*", "cn-*"][..])
            .prop_map(|p| format!("resource.code like \"{p}\"")),
        action().prop_map(|a| format!("action == Action::\"{a}\"")),
        prop::sample::select(TENANTS).prop_map(|t| format!("principal == Tenant::\"{t}\"")),
        Just("context.mechanisms.isEmpty()".to_string()),
        Just("resource.country == context.subject".to_string()),
        // `has`, with paths; `containsAll`; `!=`; comparisons; `is`; set and record literals.
        Just("resource has code".to_string()),
        Just("resource.provider has home".to_string()),
        Just("context has subject.name".to_string()),
        Just("resource has provider.home".to_string()),
        Just("Provider::\"nope\" has home".to_string()),
        (
            prop::sample::select(Mechanism::ALL),
            prop::sample::select(Mechanism::ALL)
        )
            .prop_map(|(a, b)| format!(
                "context.mechanisms.containsAll([Mechanism::\"{a}\", Mechanism::\"{b}\"])"
            )),
        country
            .clone()
            .prop_map(|c| format!("resource.country != Country::\"{c}\"")),
        class().prop_map(|c| format!("context.class != DataClass::\"{c}\"")),
        (
            0i64..4,
            0i64..4,
            prop::sample::select(&["<", "<=", ">", ">="][..])
        )
            .prop_map(|(a, b, op)| format!(
                "(if resource in Bloc::\"EU\" then {a} else {b}) {op} 2"
            )),
        Just("resource is Region".to_string()),
        Just("resource.provider is Provider".to_string()),
        Just("context.subject is Country".to_string()),
        country.clone().prop_map(|c| format!(
            "[resource.country, Country::\"{c}\"].contains(context.subject)"
        )),
        country.clone().prop_map(|c| format!(
            "[Country::\"{c}\", Country::\"DE\"].contains(resource.country)"
        )),
        Just("{code: resource.code, n: 1}.code like \"*-*\"".to_string()),
        Just("{a: context.subject} == {a: resource.country}".to_string()),
        Just(
            "[context.subject, resource.country] == [resource.country, context.subject]"
                .to_string()
        ),
        // `like` with escapes and several wildcards.
        prop::sample::select(&["*-*-*", "*a*e*", "eu\\-*", "*\\**", "**1", "?*"][..])
            .prop_map(|p| format!("resource.code like \"{p}\"")),
        // Errors at run time: an entity that does not exist, its attributes, an overflow.
        Just("Country::\"ZZ\".name == \"Nowhere\"".to_string()),
        Just("Provider::\"nope\".home == Country::\"US\"".to_string()),
        Just("context.subject.name like \"*a*\"".to_string()),
        Just("9223372036854775807 + 1 > 0".to_string()),
        Just("(if resource in Bloc::\"EU\" then 9223372036854775807 else 0) + 1 > 0".to_string()),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} && {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} || {b})")),
            inner.clone().prop_map(|a| format!("!({a})")),
            (inner.clone(), inner.clone(), inner)
                .prop_map(|(a, b, c)| format!("(if {a} then {b} else {c})")),
        ]
    })
}

fn policy(effect: &'static str) -> impl Strategy<Value = String> {
    // Every tenant policy names its tenant (an unscoped one is refused at load).
    let principal = prop_oneof![
        prop::sample::select(TENANTS).prop_map(|t| format!("principal == Tenant::\"{t}\"")),
        prop::sample::select(TENANTS).prop_map(|t| format!("principal in Tenant::\"{t}\"")),
    ];
    let act = prop_oneof![
        Just("action".to_string()),
        action().prop_map(|a| format!("action == Action::\"{a}\"")),
        (action(), action())
            .prop_map(|(a, b)| format!("action in [Action::\"{a}\", Action::\"{b}\"]")),
    ];
    let resource = prop_oneof![
        Just("resource".to_string()),
        prop::sample::select(BLOCS).prop_map(|b| format!("resource in Bloc::\"{b}\"")),
        Just("resource is Region".to_string()),
    ];
    let clause = (prop::sample::select(&["when", "unless"][..]), condition())
        .prop_map(|(k, c)| format!(" {k} {{ {c} }}"));
    (
        principal,
        act,
        resource,
        prop::collection::vec(clause, 0..3),
    )
        .prop_map(move |(p, a, r, clauses)| {
            format!("{effect} ({p}, {a}, {r}){};", clauses.concat())
        })
}

fn any_policy() -> impl Strategy<Value = String> {
    prop_oneof![3 => policy("forbid"), 1 => policy("permit")]
}

#[derive(Debug, Clone)]
struct Req {
    tenant: usize,
    class: DataClass,
    subject: &'static str,
    action: Action,
    mechanisms: Mechanisms,
    region: u32,
}

impl Req {
    fn request(&self) -> Request<'static> {
        Request {
            tenant: tenant_name(self.tenant),
            class: self.class,
            subject: CountryCode::parse(self.subject).unwrap(),
            action: self.action,
            mechanisms: self.mechanisms,
            region: RegionId(self.region),
        }
    }
}

fn request() -> impl Strategy<Value = Req> {
    let regions = u32::try_from(world().regions.len()).unwrap();
    (
        0..TENANTS.len() + 1,
        class(),
        prop::sample::select(&COUNTRIES[..COUNTRIES.len() - 1]),
        action(),
        mechanisms(),
        0..regions,
    )
        .prop_map(|(tenant, class, subject, action, mechanisms, region)| Req {
            tenant,
            class,
            subject,
            action,
            mechanisms,
            region,
        })
}

fn tenant_name(i: usize) -> &'static str {
    TENANTS.get(i).copied().unwrap_or("nobody")
}

fn law_base() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(world(), &law_files(), &[]).unwrap())
}

fn engine(policies: &[String]) -> Option<Engine> {
    let text = policies.join("\n");
    // The generator can write policies the validator refuses (e.g. comparing an action with a
    // tenant); those are refused at load, which is tested elsewhere.
    law_base()
        .with_tenant_policies(&[PolicyFile::tenant("tenant.cedar", text)])
        .ok()
}

/// Every tenant of the requests, and one no policy names, all holding these mechanisms.
fn all_tenants(mechanisms: Mechanisms) -> Vec<TenantSpec> {
    (0..=TENANTS.len())
        .map(|i| TenantSpec::new(tenant_name(i), mechanisms))
        .collect()
}

/// The table's answer for one request.
fn table_says(table: &Table, r: &Req) -> bool {
    let subject = table
        .subject(CountryCode::parse(r.subject).unwrap())
        .unwrap();
    table
        .allowed(
            table.tenant(tenant_name(r.tenant)).unwrap(),
            r.class,
            subject,
            r.action,
        )
        .contains(RegionId(r.region))
}

fn explanation_says(engine: &Engine, r: &Req) -> bool {
    engine.explain(&r.request()).unwrap().allowed
}

/// Cases per property: 64 unless PROPTEST_CASES says otherwise (CI runs many more).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// Runs a property with a fixed seed, so that a failure reproduces.
fn check<S: Strategy>(
    name: &str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        max_global_rejects: 100_000,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
}

/// Counts what the generated cases exercised, so that a test can tell it tested something.
#[derive(Default)]
struct Seen {
    cases: AtomicUsize,
    errors: AtomicUsize,
    allowed: AtomicUsize,
    denied: AtomicUsize,
}

impl Seen {
    fn add(n: &AtomicUsize) {
        n.fetch_add(1, Ordering::Relaxed);
    }

    fn get(n: &AtomicUsize) -> usize {
        n.load(Ordering::Relaxed)
    }
}

/// The table is an optimisation, never a different answer: it equals Cedar's decision, with any
/// evaluation error counted as a deny, and so does the explanation. The tenants' permits are
/// allow-lists in all three.
#[test]
fn the_table_equals_cedar() {
    let seen = Seen::default();
    let strategy = (
        prop::collection::vec(any_policy(), 1..5),
        mechanisms(),
        prop::collection::vec(request(), 40),
    );
    check(
        "the_table_equals_cedar",
        strategy,
        |(policies, mechanisms, requests)| {
            let engine_opt = engine(&policies);
            prop_assume!(
                engine_opt.is_some(),
                "the validator refused the generated policies"
            );
            let Some(engine) = engine_opt else {
                return Ok(());
            };
            Seen::add(&seen.cases);
            let table = engine.compile(&all_tenants(mechanisms));
            // The batched explanation equals the one region by region, reasons and errors too.
            let first = Req {
                mechanisms,
                ..requests[0].clone()
            };
            let batch = engine.explain_all(&first.request()).unwrap();
            for (i, why) in batch.iter().enumerate() {
                let one = Request {
                    region: RegionId(u32::try_from(i).unwrap()),
                    ..first.request()
                };
                prop_assert_eq!(
                    why,
                    &engine.explain(&one).unwrap(),
                    "region {}\n{}",
                    i,
                    policies.join("\n")
                );
            }
            for r in &requests {
                let r = &Req {
                    mechanisms,
                    ..r.clone()
                };
                let decision = engine.decide_with_cedar(&r.request()).unwrap();
                if !decision.errors.is_empty() {
                    Seen::add(&seen.errors);
                }
                Seen::add(if decision.allowed {
                    &seen.allowed
                } else {
                    &seen.denied
                });
                let cedar = decision.allowed;
                prop_assert_eq!(
                    table_says(&table, r),
                    cedar,
                    "{:?}\n{}",
                    r,
                    policies.join("\n")
                );
                prop_assert_eq!(
                    explanation_says(&engine, r),
                    cedar,
                    "{:?}\n{}",
                    r,
                    policies.join("\n")
                );
            }
            Ok(())
        },
    );
    let n = Seen::get(&seen.cases);
    assert!(
        n * 2 >= cases() as usize,
        "only {n} of {} cases loaded",
        cases()
    );
    assert!(Seen::get(&seen.errors) > 0, "no request made a policy fail");
    assert!(Seen::get(&seen.allowed) > 0 && Seen::get(&seen.denied) > 0);
}

/// Adding a forbid never widens an allowed set.
#[test]
fn a_forbid_never_widens() {
    let strategy = (
        prop::collection::vec(any_policy(), 0..3),
        policy("forbid"),
        mechanisms(),
        class(),
        action(),
    );
    check(
        "a_forbid_never_widens",
        strategy,
        |(policies, extra, mechanisms, class, action)| {
            let engine_opt = engine(&policies);
            prop_assume!(
                engine_opt.is_some(),
                "the validator refused the generated policies"
            );
            let Some(before) = engine_opt else {
                return Ok(());
            };
            let mut more = policies.clone();
            more.push(extra);
            let engine_opt = engine(&more);
            prop_assume!(
                engine_opt.is_some(),
                "the validator refused the generated policies"
            );
            let Some(after) = engine_opt else {
                return Ok(());
            };
            let tenants = all_tenants(mechanisms);
            let (a, b) = (before.compile(&tenants), after.compile(&tenants));
            for t in 0..tenants.len() {
                for c in COUNTRIES.iter().filter(|c| **c != "ZZ") {
                    let s = a.subject(CountryCode::parse(c).unwrap()).unwrap();
                    let wide = a.allowed(t, class, s, action);
                    let narrow = b.allowed(t, class, s, action);
                    for r in narrow.iter() {
                        prop_assert!(
                            wide.contains(r),
                            "{} allowed only after adding a forbid",
                            r.index()
                        );
                    }
                }
            }
            Ok(())
        },
    );
}

/// The order of policies does not matter.
#[test]
fn order_does_not_matter() {
    let strategy = (prop::collection::vec(any_policy(), 2..5), mechanisms());
    check(
        "order_does_not_matter",
        strategy,
        |(policies, mechanisms)| {
            let engine_opt = engine(&policies);
            prop_assume!(
                engine_opt.is_some(),
                "the validator refused the generated policies"
            );
            let Some(forward) = engine_opt else {
                return Ok(());
            };
            let reversed: Vec<String> = policies.iter().rev().cloned().collect();
            let backward = engine(&reversed).unwrap();
            let tenants = all_tenants(mechanisms);
            let (a, b) = (forward.compile(&tenants), backward.compile(&tenants));
            for t in 0..tenants.len() {
                for class in DataClass::ALL {
                    for c in COUNTRIES.iter().filter(|c| **c != "ZZ") {
                        let s = a.subject(CountryCode::parse(c).unwrap()).unwrap();
                        for action in Action::ALL {
                            prop_assert_eq!(
                                a.allowed(t, *class, s, *action),
                                b.allowed(t, *class, s, *action)
                            );
                        }
                    }
                }
            }
            Ok(())
        },
    );
}

/// A policy that errors where it applies denies there, permit or forbid; Cedar alone would skip
/// it and allow. The test counts the requests where the error happened: it must have happened.
#[test]
fn an_erroring_policy_denies() {
    let seen = Seen::default();
    let strategy = (
        condition(),
        prop::sample::select(&["permit", "forbid"][..]),
        prop::sample::select(TENANTS),
        mechanisms(),
        prop::collection::vec(request(), 24),
    );
    check(
        "an_erroring_policy_denies",
        strategy,
        |(guard, effect, tenant, mechanisms, requests)| {
            let erroring = format!(
                "{effect} (principal == Tenant::\"{tenant}\", action, resource) when {{ {guard} }} when {{ Country::\"ZZ\".name == \"x\" }};"
            );
            let engine_opt = engine(std::slice::from_ref(&erroring));
            prop_assume!(
                engine_opt.is_some(),
                "the validator refused the generated policies"
            );
            let Some(with) = engine_opt else {
                return Ok(());
            };
            let table = with.compile(&all_tenants(mechanisms));
            for r in &requests {
                let r = &Req {
                    mechanisms,
                    ..r.clone()
                };
                let request = r.request();
                let cedar = with.decide_with_cedar(&request).unwrap();
                if !cedar.errors.is_empty() {
                    Seen::add(&seen.errors);
                    prop_assert!(
                        !table_says(&table, r),
                        "{:?} allowed despite {}",
                        r,
                        erroring
                    );
                    let why = with.explain(&request).unwrap();
                    prop_assert!(!why.allowed && !why.errors.is_empty());
                }
            }
            Ok(())
        },
    );
    assert!(
        Seen::get(&seen.errors) > 0,
        "the erroring policy never failed"
    );
}
