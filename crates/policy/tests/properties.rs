//! Properties of the engine, on random tenant policies over the real law base and world:
//! the compiled table is Cedar's answer (with errors denied), a forbid never widens, order does
//! not matter, and an erroring policy denies.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::OnceLock;

use footprint_model::{CountryCode, RegionId, World};
use footprint_policy::{
    Action, DataClass, Engine, Mechanism, Mechanisms, PolicyFile, Request, Table, TenantSpec,
};
use proptest::prelude::*;
use proptest::test_runner::Config;

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
        // Errors at run time: an entity that does not exist, an overflow.
        Just("Country::\"ZZ\".name == \"Nowhere\"".to_string()),
        Just("context.subject.name like \"*a*\"".to_string()),
        Just("9223372036854775807 + 1 > 0".to_string()),
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
    let principal = prop_oneof![
        Just("principal".to_string()),
        prop::sample::select(TENANTS).prop_map(|t| format!("principal == Tenant::\"{t}\"")),
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

fn cedar_says(engine: &Engine, r: &Req) -> bool {
    engine.decide_with_cedar(&r.request()).unwrap().allowed
}

fn explanation_says(engine: &Engine, r: &Req) -> bool {
    engine.explain(&r.request()).unwrap().allowed
}

proptest! {
    #![proptest_config(Config { cases: 40, ..Config::default() })]

    /// The table is an optimisation, never a different answer: it equals Cedar's decision, with
    /// any evaluation error counted as a deny, and so does the explanation.
    #[test]
    fn the_table_equals_cedar(
        policies in prop::collection::vec(any_policy(), 1..5),
        mechanisms in mechanisms(),
        requests in prop::collection::vec(request(), 40),
    ) {
        let engine_opt = engine(&policies);
        prop_assume!(engine_opt.is_some(), "the validator refused the generated policies");
        let Some(engine) = engine_opt else { return Ok(()) };
        let table = engine.compile(&all_tenants(mechanisms));
        for r in &requests {
            let r = &Req { mechanisms, ..r.clone() };
            let cedar = cedar_says(&engine, r);
            prop_assert_eq!(table_says(&table, r), cedar, "{:?}\n{}", r, policies.join("\n"));
            prop_assert_eq!(explanation_says(&engine, r), cedar, "{:?}\n{}", r, policies.join("\n"));
        }
    }

    /// Adding a forbid never widens an allowed set.
    #[test]
    fn a_forbid_never_widens(
        policies in prop::collection::vec(any_policy(), 0..3),
        extra in policy("forbid"),
        mechanisms in mechanisms(),
        class in class(),
        action in action(),
    ) {
        let engine_opt = engine(&policies);
        prop_assume!(engine_opt.is_some(), "the validator refused the generated policies");
        let Some(before) = engine_opt else { return Ok(()) };
        let mut more = policies.clone();
        more.push(extra);
        let engine_opt = engine(&more);
        prop_assume!(engine_opt.is_some(), "the validator refused the generated policies");
        let Some(after) = engine_opt else { return Ok(()) };
        let tenants = all_tenants(mechanisms);
        let (a, b) = (before.compile(&tenants), after.compile(&tenants));
        for t in 0..tenants.len() {
            for c in COUNTRIES.iter().filter(|c| **c != "ZZ") {
                let s = a.subject(CountryCode::parse(c).unwrap()).unwrap();
                let wide = a.allowed(t, class, s, action);
                let narrow = b.allowed(t, class, s, action);
                for r in narrow.iter() {
                    prop_assert!(wide.contains(r), "{} allowed only after adding a forbid", r.index());
                }
            }
        }
    }

    /// The order of policies does not matter.
    #[test]
    fn order_does_not_matter(
        policies in prop::collection::vec(any_policy(), 2..5),
        mechanisms in mechanisms(),
    ) {
        let engine_opt = engine(&policies);
        prop_assume!(engine_opt.is_some(), "the validator refused the generated policies");
        let Some(forward) = engine_opt else { return Ok(()) };
        let reversed: Vec<String> = policies.iter().rev().cloned().collect();
        let backward = engine(&reversed).unwrap();
        let tenants = all_tenants(mechanisms);
        let (a, b) = (forward.compile(&tenants), backward.compile(&tenants));
        for t in 0..tenants.len() {
            for class in DataClass::ALL {
                for c in COUNTRIES.iter().filter(|c| **c != "ZZ") {
                    let s = a.subject(CountryCode::parse(c).unwrap()).unwrap();
                    for action in Action::ALL {
                        prop_assert_eq!(a.allowed(t, *class, s, *action), b.allowed(t, *class, s, *action));
                    }
                }
            }
        }
    }

    /// A policy that errors where it applies denies there, permit or forbid; Cedar alone would
    /// skip it and allow.
    #[test]
    fn an_erroring_policy_denies(
        guard in condition(),
        effect in prop::sample::select(&["permit", "forbid"][..]),
        mechanisms in mechanisms(),
        requests in prop::collection::vec(request(), 24),
    ) {
        let erroring = format!(
            "{effect} (principal, action, resource) when {{ {guard} }} when {{ Country::\"ZZ\".name == \"x\" }};"
        );
        let engine_opt = engine(std::slice::from_ref(&erroring));
        prop_assume!(engine_opt.is_some(), "the validator refused the generated policies");
        let Some(with) = engine_opt else { return Ok(()) };
        let table = with.compile(&all_tenants(mechanisms));
        for r in &requests {
            let r = &Req { mechanisms, ..r.clone() };
            let request = r.request();
            let cedar = with.decide_with_cedar(&request).unwrap();
            if !cedar.errors.is_empty() {
                prop_assert!(!table_says(&table, r), "{:?} allowed despite {}", r, erroring);
                let why = with.explain(&request).unwrap();
                prop_assert!(!why.allowed && !why.errors.is_empty());
            }
        }
    }
}
