//! Regression tests for the hardening of the policy engine: tenant allow-lists, tenant isolation,
//! schema assumptions, depth limits, empty law files and typed errors.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::OnceLock;

use footprint_model::{CountryCode, RegionId, World};
use footprint_policy::{
    Action, DataClass, Engine, MAX_NESTING, Mechanisms, PolicyFile, ProblemKind, Request,
    RequestError, TenantSpec,
};

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| footprint_model::load_embedded().unwrap())
}

fn law() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::embedded(world()).unwrap())
}

fn with(text: &str) -> Engine {
    law()
        .with_tenant_policies(&[PolicyFile::tenant("tenant.cedar", text)])
        .unwrap()
}

fn cc(c: &str) -> CountryCode {
    CountryCode::parse(c).unwrap()
}

fn request<'a>(tenant: &'a str, subject: &str, action: Action, region: RegionId) -> Request<'a> {
    Request {
        tenant,
        class: DataClass::Personal,
        subject: CountryCode::parse(subject).unwrap(),
        action,
        mechanisms: Mechanisms::NONE,
        region,
    }
}

/// The allowed regions for one (tenant, subject, action), decided all three ways; panics if
/// they disagree.
fn allowed(engine: &Engine, tenant: &str, subject: &str, action: Action) -> Vec<String> {
    let table = engine.compile(&[
        TenantSpec::new(tenant, Mechanisms::NONE),
        TenantSpec::new("someone-else", Mechanisms::NONE),
    ]);
    let t = table.tenant(tenant).unwrap();
    let s = table.subject(cc(subject)).unwrap();
    let set = table.allowed(t, DataClass::Personal, s, action);
    let mut out = Vec::new();
    for id in world().region_ids() {
        let r = request(tenant, subject, action, id);
        let cedar = engine.decide_with_cedar(&r).unwrap().allowed;
        let why = engine.explain(&r).unwrap().allowed;
        assert_eq!(
            set.contains(id),
            cedar,
            "table vs Cedar, {}",
            world().region(id).key()
        );
        assert_eq!(
            why,
            cedar,
            "explanation vs Cedar, {}",
            world().region(id).key()
        );
        if cedar {
            out.push(world().region(id).key());
        }
    }
    out
}

fn in_eu(key: &str) -> bool {
    let id = world().find_region(key).unwrap();
    let c = world().region(id).country;
    world().blocs_of(c).any(|b| b.id == "EU")
}

const ONLY_EU: &str = "permit (principal == Tenant::\"acme\", action, resource)\n  when { resource in Bloc::\"EU\" };\n";

#[test]
fn a_tenant_permit_is_an_allow_list() {
    let engine = with(ONLY_EU);
    let before = allowed(law(), "acme", "US", Action::Store);
    let after = allowed(&engine, "acme", "US", Action::Store);
    assert!(
        before.iter().any(|k| !in_eu(k)),
        "the law alone allows non-EU regions"
    );
    assert!(!after.is_empty());
    assert!(after.iter().all(|k| in_eu(k)), "{after:?}");
    // Within the law: nothing the law forbids comes back.
    assert!(after.iter().all(|k| before.contains(k)));
    let why = engine
        .explain(&request(
            "acme",
            "US",
            Action::Store,
            world().find_region(&after[0]).unwrap(),
        ))
        .unwrap();
    assert!(why.allow_list);
    assert_eq!(engine.allow_list_actions("acme"), Action::ALL);
}

#[test]
fn an_allow_list_covers_only_the_actions_of_its_scope() {
    let text = ONLY_EU.replace("action,", "action == Action::\"store\",");
    let engine = with(&text);
    assert_eq!(engine.allow_list_actions("acme"), [Action::Store]);
    let stored = allowed(&engine, "acme", "US", Action::Store);
    assert!(stored.iter().all(|k| in_eu(k)));
    // Logs are not covered by the permit: the law alone decides.
    assert_eq!(
        allowed(&engine, "acme", "US", Action::Log),
        allowed(law(), "acme", "US", Action::Log)
    );
}

#[test]
fn several_permits_allow_their_union_and_a_forbid_still_narrows() {
    let text = format!(
        "{ONLY_EU}permit (principal == Tenant::\"acme\", action, resource) when {{ resource in Country::\"JP\" }};\nforbid (principal == Tenant::\"acme\", action, resource) when {{ resource in Country::\"FR\" }};"
    );
    let engine = with(&text);
    let got = allowed(&engine, "acme", "US", Action::Store);
    let country = |k: &String| world().region(world().find_region(k).unwrap()).country;
    assert!(got.iter().any(|k| country(k) == cc("JP")));
    assert!(got.iter().any(|k| in_eu(k)));
    assert!(got.iter().all(|k| country(k) != cc("FR")));
    assert!(got.iter().all(|k| in_eu(k) || country(k) == cc("JP")));
}

#[test]
fn one_tenants_file_never_changes_another_tenants_answers() {
    let text = format!(
        "{ONLY_EU}forbid (principal == Tenant::\"acme\", action, resource) when {{ resource.partition == \"china\" }};"
    );
    let engine = with(&text);
    for action in [Action::Store, Action::Log] {
        for subject in ["US", "DE", "CN"] {
            assert_eq!(
                allowed(&engine, "other", subject, action),
                allowed(law(), "other", subject, action)
            );
        }
    }
    assert_eq!(engine.allow_list_actions("other"), []);
    let files = engine.tenant_files();
    assert_eq!(
        files["tenant.cedar"].iter().copied().collect::<Vec<_>>(),
        ["acme"]
    );
}

#[test]
fn an_unscoped_tenant_policy_is_refused() {
    let e = law()
        .with_tenant_policies(&[PolicyFile::tenant(
            "t.cedar",
            "\nforbid (principal, action, resource) when { resource.partition == \"china\" };",
        )])
        .unwrap_err();
    assert!(e.has(ProblemKind::UnscopedTenantPolicy), "{e}");
    assert_eq!(e.problems[0].line, Some(2));
}

fn schema_with(from: &str, to: &str) -> String {
    let schema = footprint_policy::embedded::SCHEMA;
    assert!(schema.contains(from), "{from}");
    schema.replace(from, to)
}

#[test]
fn a_schema_that_breaks_the_evaluators_assumptions_is_refused() {
    let laws = footprint_policy::embedded::law_files();
    let cases = [
        schema_with("entity Tenant;", "entity Tenant { tier: String };"),
        schema_with("entity Tenant;", "entity Tenant in [Bloc];"),
        schema_with(
            "action store, replicate, backup, process, log appliesTo",
            "action write;\naction store, replicate, backup, process, log in [write] appliesTo",
        ),
        schema_with(
            "action store, replicate, backup, process, log appliesTo",
            "action store, replicate, backup, process, log, erase appliesTo",
        ),
    ];
    for schema in &cases {
        let e = Engine::with_schema(world(), ("changed.cedarschema", schema), &laws, &[])
            .err()
            .unwrap_or_else(|| panic!("accepted:\n{schema}"));
        assert!(e.has(ProblemKind::SchemaAssumption), "{e}");
        assert_eq!(e.problems[0].file, "changed.cedarschema");
    }
    // An attribute of another type than the world's: the entities do not fit.
    let schema = schema_with("  code: String,", "  code: Long,");
    let e = Engine::with_schema(world(), ("changed.cedarschema", &schema), &laws, &[])
        .err()
        .unwrap();
    assert!(e.has(ProblemKind::SchemaAssumption), "{e}");
    // The schema as it is passes.
    Engine::with_schema(
        world(),
        ("same.cedarschema", footprint_policy::embedded::SCHEMA),
        &laws,
        &[],
    )
    .unwrap();
}

#[test]
fn an_empty_law_file_is_refused_naming_the_jurisdiction() {
    let mut laws = footprint_policy::embedded::law_files();
    let at = laws
        .iter()
        .position(|f| f.name.ends_with("/eu.cedar"))
        .unwrap();
    laws[at] = PolicyFile::law("mine/laws/eu.cedar", "// switched off\n");
    let e = Engine::new(world(), &laws, &[]).unwrap_err();
    assert!(e.has(ProblemKind::EmptyLawFile), "{e}");
    let p = &e.problems[0];
    assert_eq!(p.file, "mine/laws/eu.cedar");
    assert!(
        p.message.contains("European Union") || p.message.contains("(eu)"),
        "{e}"
    );
}

#[test]
fn requests_the_engine_cannot_answer_are_typed_errors() {
    let r = request("acme", "US", Action::Store, RegionId(1_000_000));
    assert_eq!(
        law().explain(&r),
        Err(RequestError::UnknownRegion(1_000_000))
    );
    assert_eq!(
        law().decide_with_cedar(&r).unwrap_err(),
        RequestError::UnknownRegion(1_000_000)
    );
    let r = Request {
        subject: cc("QQ"),
        ..request("acme", "US", Action::Store, RegionId(0))
    };
    assert_eq!(
        law().explain(&r),
        Err(RequestError::UnknownSubject(cc("QQ")))
    );
}

/// The largest `n` for which the policy `make(n)` is accepted, with the engine it makes; the
/// next one must be refused as too deep.
fn deepest(make: impl Fn(usize) -> String) -> (usize, Engine) {
    let mut last = None;
    for n in 1..10_000 {
        match law().with_tenant_policies(&[PolicyFile::tenant("deep.cedar", make(n))]) {
            Ok(e) => last = Some((n, e)),
            Err(e) => {
                assert!(e.has(ProblemKind::TooDeep), "n = {n}: {e}");
                return last.unwrap_or_else(|| panic!("nothing accepted"));
            }
        }
    }
    panic!("no limit reached");
}

/// The deepest policies the limit lets through load, compile, explain and go through Cedar on a
/// test thread's stack (2 MB), in a debug build.
#[test]
fn the_deepest_accepted_policies_do_not_overflow() {
    let head = "forbid (principal == Tenant::\"acme\", action, resource)\n";
    let chain = |n: usize| {
        (0..n)
            .map(|i| format!("resource.code == \"r{i}\""))
            .collect::<Vec<_>>()
            .join(" || ")
    };
    let families: [Box<dyn Fn(usize) -> String>; 4] = [
        Box::new(|n| {
            format!(
                "{head}when {{ {}resource in Country::\"FR\"{} }};",
                "(".repeat(n),
                ")".repeat(n)
            )
        }),
        Box::new(|n| {
            format!(
                "{head}when {{ resource in Country::\"FR\" || {} }};",
                chain(n)
            )
        }),
        // As deep in brackets as allowed, then a chain in the innermost.
        Box::new(|n| {
            let open = MAX_NESTING - 1;
            format!(
                "{head}when {{ {}resource in Country::\"FR\" || {}{} }};",
                "(".repeat(open),
                chain(n),
                ")".repeat(open)
            )
        }),
        Box::new(|n| {
            format!(
                "{head}{};",
                "when { resource in Country::\"FR\" }\n".repeat(n)
            )
        }),
    ];
    let fr = world()
        .region_ids()
        .find(|r| world().region(*r).country == cc("FR"))
        .unwrap();
    let mut sizes = Vec::new();
    for make in &families {
        let (n, engine) = deepest(make);
        sizes.push(n);
        let table = engine.compile(&[TenantSpec::new("acme", Mechanisms::NONE)]);
        let t = table.tenant("acme").unwrap();
        let s = table.subject(cc("US")).unwrap();
        let r = request("acme", "US", Action::Store, fr);
        let cedar = engine.decide_with_cedar(&r).unwrap().allowed;
        assert!(!cedar, "the policy forbids France");
        assert_eq!(engine.explain(&r).unwrap().allowed, cedar);
        assert_eq!(
            table
                .allowed(t, DataClass::Personal, s, Action::Store)
                .contains(fr),
            cedar
        );
    }
    assert!(sizes[0] >= MAX_NESTING - 2, "{sizes:?}");
    assert!(sizes.iter().all(|n| *n >= 5), "{sizes:?}");
}
