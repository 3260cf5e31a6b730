//! The engine: the world's entities, the loaded rules in both Cedar's form and the evaluator's,
//! single decisions (through Cedar, the reference), explanations, and table compilation.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicyId,
    PolicySet, RestrictedExpression, Schema,
};
use footprint_model::{CountryCode, RegionId, World};

use crate::error::{PolicyError, PolicyProblem, ProblemKind, RequestError};
use crate::eval::{self, Condition, Eid, Env, EvalError, Store, Val, Var};
use crate::load::{self, Effect, Jurisdiction, Origin, PolicyFile, Rule};
use crate::schema::{Action, DataClass, Mechanism, Mechanisms};

/// The id of the rule that permits everything the law base does not forbid, for every tenant
/// and action without an allow-list of its own.
pub const DEFAULT_PERMIT: &str = "default.permit";

/// The entity that stands for every tenant no policy names (they all decide alike). Not a name a
/// policy can write (it starts with a NUL); checked to be a legal Cedar id when the engine is
/// assembled.
const PLACEHOLDER_TENANT: &str = "\u{0}unnamed";

/// The entity types the engine builds and the evaluator reads.
const ENTITY_TYPES: &[&str] = &[
    "Bloc",
    "Country",
    "Provider",
    "Operator",
    "Region",
    "Tenant",
    "DataClass",
    "Mechanism",
];

/// One residency question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Request<'a> {
    pub tenant: &'a str,
    pub class: DataClass,
    pub subject: CountryCode,
    pub action: Action,
    pub mechanisms: Mechanisms,
    pub region: RegionId,
}

/// A loaded law base plus tenant policies over one world.
#[derive(Debug, Clone)]
pub struct Engine {
    schema: Schema,
    pub(crate) rules: Vec<Rule>,
    pub(crate) conditions: Vec<Prepared>,
    pub(crate) jurisdictions: Vec<Jurisdiction>,
    cedar_policies: PolicySet,
    /// The world's entities in Cedar's form, and Cedar's store of them, built on first use.
    cedar_world: Arc<Vec<Entity>>,
    cedar_entities: Arc<OnceLock<Result<Entities, String>>>,
    cedar_index: HashMap<String, usize>,
    pub(crate) store: Store,
    /// Region entities, in the world's region order.
    pub(crate) region_eids: Vec<Eid>,
    pub(crate) region_keys: Vec<String>,
    /// Subject countries, in the world's country order.
    pub(crate) countries: Vec<CountryCode>,
    /// Each subject country's position in `countries`: the world's own index of it.
    subject_of: HashMap<CountryCode, usize>,
    pub(crate) country_eids: Vec<Eid>,
    pub(crate) class_eids: Vec<Eid>,
    pub(crate) mechanism_eids: Vec<Eid>,
    pub(crate) action_eids: Vec<Eid>,
    unnamed_tenant: Eid,
    /// For every tenant with permits of its own, the actions (bit i for `Action::ALL[i]`) its
    /// permits cover: for those, its permits are an allow-list and the default permit does not
    /// apply.
    pub(crate) allow_lists: BTreeMap<String, u8>,
    /// Region-only subexpressions computed so far (see [`eval::precompute`]).
    pre_cache: eval::PreCache,
}

fn uid(ty: &str, id: &str) -> Result<EntityUid, String> {
    let ty = EntityTypeName::from_str(ty).map_err(|e| e.to_string())?;
    Ok(EntityUid::from_type_name_and_id(ty, EntityId::new(id)))
}

/// The default permit's text: unconditional, except for the (action, tenant) pairs that have an
/// allow-list of their own. Flat: one set literal of tenants per action, however many there are.
fn default_permit_text(allow_lists: &BTreeMap<String, u8>) -> Result<String, String> {
    let mut terms = Vec::new();
    for (i, a) in Action::ALL.iter().enumerate() {
        let mut tenants = Vec::new();
        for (t, mask) in allow_lists {
            if mask & (1 << i) != 0 {
                tenants.push(uid("Tenant", t)?.to_string());
            }
        }
        if !tenants.is_empty() {
            terms.push(format!(
                "(action == Action::\"{a}\" && [{}].contains(principal))",
                tenants.join(", ")
            ));
        }
    }
    Ok(if terms.is_empty() {
        "permit (principal, action, resource);".to_string()
    } else {
        format!(
            "permit (principal, action, resource) unless {{ {} }};",
            terms.join(" || ")
        )
    })
}

/// Bit `i` for every action of the list.
fn action_mask(actions: &[Action]) -> u8 {
    actions.iter().fold(0, |m, a| m | 1 << a.index())
}

fn s(text: &str) -> Val {
    Val::Str(text.into())
}

/// A region's Cedar id: `provider:code`.
pub fn region_key(world: &World, id: RegionId) -> String {
    world.region(id).key()
}

/// The world as entities: Cedar's, and the evaluator's store, built side by side from one list so
/// they cannot disagree.
struct Builder {
    store: Store,
    cedar: Vec<Entity>,
    /// The first entity of each type, in `cedar`: every entity of a type has the same shape, so
    /// checking one of each against the schema checks them all.
    first_of_type: BTreeMap<String, usize>,
}

enum Attr<'a> {
    Str(&'a str),
    Entity(&'static str, &'a str),
}

impl Builder {
    fn add(
        &mut self,
        ty: &str,
        id: &str,
        attrs: &[(&str, Attr<'_>)],
        parents: &[(&str, &str)],
    ) -> Result<Eid, String> {
        let eid = self.store.intern(ty, id);
        let mut ours = Vec::new();
        let mut theirs = HashMap::new();
        for (name, value) in attrs {
            let (v, r) = match value {
                Attr::Str(t) => (s(t), RestrictedExpression::new_string((*t).to_string())),
                Attr::Entity(t, i) => (
                    Val::Entity(self.store.intern(t, i)),
                    RestrictedExpression::new_entity_uid(uid(t, i)?),
                ),
            };
            ours.push((Arc::from(*name), v));
            theirs.insert((*name).to_string(), r);
        }
        let mut parent_eids = Vec::new();
        let mut parent_uids = std::collections::HashSet::new();
        for (t, i) in parents {
            parent_eids.push(self.store.intern(t, i));
            parent_uids.insert(uid(t, i)?);
        }
        self.store.define(eid, ours, parent_eids);
        self.first_of_type
            .entry(ty.to_string())
            .or_insert(self.cedar.len());
        self.cedar
            .push(Entity::new(uid(ty, id)?, theirs, parent_uids).map_err(|e| e.to_string())?);
        Ok(eid)
    }
}

/// The world's entities, in both forms; also the country and region entities in world order.
fn world_entities(world: &World) -> Result<(Builder, Vec<Eid>, Vec<Eid>), PolicyError> {
    let mut b = Builder {
        store: Store::default(),
        cedar: Vec::with_capacity(world.regions.len() + world.countries.len()),
        first_of_type: BTreeMap::new(),
    };
    let e = internal;
    for bloc in &world.blocs {
        b.add("Bloc", &bloc.id, &[], &[]).map_err(e)?;
    }
    let mut country_eids = Vec::with_capacity(world.countries.len());
    for c in &world.countries {
        let parents: Vec<(&str, &str)> = world
            .blocs_of(c.code)
            .map(|bl| ("Bloc", bl.id.as_str()))
            .collect();
        let attrs = [("name", Attr::Str(&c.name))];
        country_eids.push(
            b.add("Country", c.code.as_str(), &attrs, &parents)
                .map_err(e)?,
        );
    }
    for p in &world.providers {
        let attrs = [
            ("name", Attr::Str(&p.name)),
            ("home", Attr::Entity("Country", p.headquarters.as_str())),
        ];
        b.add("Provider", &p.id, &attrs, &[]).map_err(e)?;
        // A provider also operates its own regions, unless a local operator has its id.
        if !world.operators.iter().any(|o| o.id == p.id) {
            b.add("Operator", &p.id, &attrs, &[]).map_err(e)?;
        }
    }
    for o in &world.operators {
        let attrs = [
            ("name", Attr::Str(&o.name)),
            ("home", Attr::Entity("Country", o.country.as_str())),
        ];
        b.add("Operator", &o.id, &attrs, &[]).map_err(e)?;
    }
    let mut region_eids = Vec::with_capacity(world.regions.len());
    for r in &world.regions {
        let operator = r.operator.as_deref().unwrap_or(&r.provider);
        let attrs = [
            ("code", Attr::Str(&r.code)),
            ("country", Attr::Entity("Country", r.country.as_str())),
            ("provider", Attr::Entity("Provider", &r.provider)),
            ("operator", Attr::Entity("Operator", operator)),
            ("partition", Attr::Str(r.partition.as_str())),
            ("status", Attr::Str(r.status.as_str())),
        ];
        let parents = [("Country", r.country.as_str())];
        region_eids.push(b.add("Region", &r.key(), &attrs, &parents).map_err(e)?);
    }
    Ok((b, country_eids, region_eids))
}

/// Checks the facts about the schema that the evaluator relies on, so that a schema change fails
/// loudly instead of making the table disagree with Cedar: the entity types the engine builds
/// exist, in no namespace; the actions are exactly [`Action::ALL`], with no action groups; a
/// tenant has no attributes and no parents (the evaluator shares one placeholder entity among
/// all tenants no policy names, and builds no tenant entities).
fn check_schema(name: &str, text: &str, schema: &Schema) -> Result<(), PolicyError> {
    let mut problems = Vec::new();
    let mut fail = |message: String| {
        problems.push(PolicyProblem {
            file: name.to_string(),
            line: None,
            kind: ProblemKind::SchemaAssumption,
            message,
        })
    };
    let types: BTreeSet<String> = schema.entity_types().map(|t| t.to_string()).collect();
    for ty in ENTITY_TYPES {
        if !types.contains(*ty) {
            fail(format!(
                "the schema has no entity type {ty} (outside any namespace); footprint builds and reads it"
            ));
        }
    }
    let groups: Vec<String> = schema.action_groups().map(|a| a.to_string()).collect();
    if !groups.is_empty() {
        fail(format!(
            "action groups ({}) are not supported: the evaluator treats `action in X` as `action == X`",
            groups.join(", ")
        ));
    }
    let actions: BTreeSet<String> = schema
        .actions()
        .map(|a| a.id().unescaped().to_string())
        .collect();
    let ours: BTreeSet<String> = Action::ALL.iter().map(|a| a.as_str().to_string()).collect();
    if actions != ours {
        fail(format!(
            "the schema's actions ({}) must be exactly footprint's ({})",
            actions.into_iter().collect::<Vec<_>>().join(", "),
            ours.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let tenant = EntityTypeName::from_str("Tenant").ok();
    if let Some(parents) = tenant.as_ref().and_then(|t| schema.ancestors(t)) {
        let parents: Vec<String> = parents.map(|p| p.to_string()).collect();
        if !parents.is_empty() {
            fail(format!(
                "a Tenant may not be a member of other entities ({}): footprint builds no tenant entities",
                parents.join(", ")
            ));
        }
    }
    match tenant_attributes(text) {
        Ok(attrs) if attrs.is_empty() => {}
        Ok(attrs) => fail(format!(
            "a Tenant may not have attributes ({}): footprint builds no tenant entities",
            attrs.join(", ")
        )),
        Err(e) => fail(format!("cannot read the schema's Tenant type: {e}")),
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PolicyError { problems })
    }
}

/// The attributes the schema declares on `Tenant`, from its JSON form.
fn tenant_attributes(text: &str) -> Result<Vec<String>, String> {
    let (fragment, _) =
        cedar_policy::SchemaFragment::from_cedarschema_str(text).map_err(|e| e.to_string())?;
    let json = fragment.to_json_value().map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    if let Some(namespaces) = json.as_object() {
        for ns in namespaces.values() {
            let attrs = ns
                .pointer("/entityTypes/Tenant/shape/attributes")
                .and_then(|a| a.as_object());
            out.extend(attrs.into_iter().flat_map(|a| a.keys().cloned()));
        }
    }
    Ok(out)
}

fn internal(message: impl Into<String>) -> PolicyError {
    PolicyError::one("<engine>", None, ProblemKind::Internal, message)
}

impl Engine {
    /// The embedded law base alone.
    pub fn embedded(world: &World) -> Result<Engine, PolicyError> {
        Engine::new(world, &crate::embedded::law_files(), &[])
    }

    /// Loads the law files, checked against the jurisdiction list.
    ///
    /// `extra_jurisdictions` are manifests (name, text) that add to or replace, by id, the
    /// embedded jurisdiction list.
    pub fn new(
        world: &World,
        law_files: &[PolicyFile<'_>],
        extra_jurisdictions: &[(String, String)],
    ) -> Result<Engine, PolicyError> {
        Engine::with_schema(
            world,
            (
                "<embedded>/laws/schema.cedarschema",
                crate::embedded::SCHEMA,
            ),
            law_files,
            extra_jurisdictions,
        )
    }

    /// As [`Engine::new`], with another schema (name, text). The schema must keep the facts the
    /// evaluator relies on (see [`ProblemKind::SchemaAssumption`]); a schema that breaks one is
    /// refused rather than silently disagreeing with Cedar.
    pub fn with_schema(
        world: &World,
        schema: (&str, &str),
        law_files: &[PolicyFile<'_>],
        extra_jurisdictions: &[(String, String)],
    ) -> Result<Engine, PolicyError> {
        let (schema_name, schema_text) = schema;
        let schema = load::parse_schema(schema_name, schema_text)?;
        check_schema(schema_name, schema_text, &schema)?;
        let mut jurisdictions = load::parse_jurisdictions(
            "<embedded>/laws/jurisdictions.toml",
            crate::embedded::JURISDICTIONS,
        )?;
        for (name, text) in extra_jurisdictions {
            for j in load::parse_jurisdictions(name, text)? {
                match jurisdictions.iter_mut().find(|x| x.id == j.id) {
                    Some(x) => *x = j,
                    None => jurisdictions.push(j),
                }
            }
        }
        if let Some(f) = law_files.iter().find(|f| f.origin != Origin::Law) {
            return Err(PolicyError::one(
                &f.name,
                None,
                ProblemKind::WrongOrigin,
                "a tenant policy file passed as a law",
            ));
        }
        let (mut rules, mut policies) = load::load_rules(&schema, law_files, &BTreeMap::new())?;
        check_jurisdictions(world, &jurisdictions, law_files, &rules)?;

        let text = default_permit_text(&BTreeMap::new()).map_err(internal)?;
        let default = cedar_policy::Policy::parse(Some(PolicyId::new(DEFAULT_PERMIT)), &text)
            .map_err(|e| internal(e.to_string()))?;
        rules.insert(
            0,
            Rule {
                id: DEFAULT_PERMIT.to_string(),
                effect: Effect::Permit,
                origin: Origin::Law,
                file: "<built-in>".to_string(),
                line: 1,
                citation: None,
                summary: Some("Whatever no rule forbids is allowed.".to_string()),
                note: None,
                text,
                tenant: None,
                actions: Action::ALL.to_vec(),
            },
        );
        policies.insert(0, default);
        Engine::assemble(world, schema, rules, policies, jurisdictions)
    }

    /// This engine plus the tenants' policies: only the new files are parsed and validated.
    ///
    /// Every tenant policy names its tenant in its scope. A tenant's permits, where it has any
    /// for an action, are its allow-list for that action: a region is allowed only if one of
    /// them holds (and the law and the tenant's forbids allow it).
    pub fn with_tenant_policies(&self, files: &[PolicyFile<'_>]) -> Result<Engine, PolicyError> {
        if let Some(f) = files.iter().find(|f| f.origin != Origin::Tenant) {
            return Err(PolicyError::one(
                &f.name,
                None,
                ProblemKind::WrongOrigin,
                "a law file passed as a tenant policy",
            ));
        }
        let taken = self
            .rules
            .iter()
            .map(|r| (r.id.clone(), (r.file.clone(), r.line)))
            .collect();
        let (rules, policies) = load::load_rules(&self.schema, files, &taken)?;
        let mut next = self.clone();
        next.add(rules, policies)?;
        next.refresh_default_permit()?;
        Ok(next)
    }

    /// Recomputes the allow-lists from the tenants' permits and rewrites Cedar's default permit
    /// so that Cedar itself decides by the same rule as the table and the explanation.
    fn refresh_default_permit(&mut self) -> Result<(), PolicyError> {
        let mut allow_lists: BTreeMap<String, u8> = BTreeMap::new();
        for r in &self.rules {
            if r.origin == Origin::Tenant
                && r.effect == Effect::Permit
                && let Some(t) = &r.tenant
            {
                *allow_lists.entry(t.clone()).or_default() |= action_mask(&r.actions);
            }
        }
        if allow_lists == self.allow_lists {
            return Ok(());
        }
        let text = default_permit_text(&allow_lists).map_err(internal)?;
        let default = cedar_policy::Policy::parse(Some(PolicyId::new(DEFAULT_PERMIT)), &text)
            .map_err(|e| internal(e.to_string()))?;
        self.cedar_policies
            .remove_static(PolicyId::new(DEFAULT_PERMIT))
            .map_err(|e| internal(e.to_string()))?;
        self.cedar_policies
            .add(default)
            .map_err(|e| internal(e.to_string()))?;
        self.allow_lists = allow_lists;
        Ok(())
    }

    /// The actions for which this tenant's permits are an allow-list (it has a permit whose
    /// scope admits the action); empty for a tenant without permits.
    pub fn allow_list_actions(&self, tenant: &str) -> Vec<Action> {
        let mask = self.allow_lists.get(tenant).copied().unwrap_or(0);
        Action::ALL
            .iter()
            .copied()
            .filter(|a| mask & (1 << a.index()) != 0)
            .collect()
    }

    /// Every tenant policy file loaded, with the tenants its policies name.
    pub fn tenant_files(&self) -> BTreeMap<&str, BTreeSet<&str>> {
        let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for r in self.rules.iter().filter(|r| r.origin == Origin::Tenant) {
            let names = out.entry(r.file.as_str()).or_default();
            names.extend(r.tenant.as_deref());
        }
        out
    }

    /// Converts and adds policies that were loaded and validated.
    fn add(
        &mut self,
        rules: Vec<Rule>,
        policies: Vec<cedar_policy::Policy>,
    ) -> Result<(), PolicyError> {
        let mut problems = Vec::new();
        let problem = |rule: &Rule, kind, message| PolicyProblem {
            file: rule.file.clone(),
            line: Some(rule.line),
            kind,
            message,
        };
        let mut cache = std::mem::take(&mut self.pre_cache);
        for (rule, policy) in rules.into_iter().zip(policies) {
            let converted = policy
                .to_json()
                .map_err(|err| err.to_string())
                .and_then(|j| eval::condition(&mut self.store, &j).map_err(|u| u.0));
            match converted {
                Ok(c) => {
                    let prepared = self.prepare(c, &mut cache);
                    self.cedar_index.insert(rule.id.clone(), self.rules.len());
                    if let Err(e) = self.cedar_policies.add(policy) {
                        problems.push(problem(&rule, ProblemKind::Internal, e.to_string()));
                    }
                    self.conditions.push(prepared);
                    self.rules.push(rule);
                }
                Err(message) => problems.push(problem(
                    &rule,
                    ProblemKind::Unsupported,
                    format!("footprint cannot compile this policy: {message}"),
                )),
            }
        }
        self.pre_cache = cache;
        if problems.is_empty() {
            Ok(())
        } else {
            Err(PolicyError { problems })
        }
    }

    /// Precomputes what compilation needs to know about a condition: which variables it reads,
    /// and for which subject countries it can hold at all.
    fn prepare(&self, mut c: Condition, cache: &mut eval::PreCache) -> Prepared {
        let context = self.context(DataClass::Personal, 0, Mechanisms::NONE);
        let all = Env {
            store: &self.store,
            principal: self.unnamed_tenant,
            action: self.action_eids[0],
            context: &context,
            resources: &self.region_eids,
            lane: None,
        };
        c.full = eval::precompute(c.full, &all, cache);
        c.applies = eval::precompute(c.applies, &all, cache);
        let uses_action = c.full.uses(Var::Action);
        let uses_principal = c.full.uses(Var::Principal);
        let (reads_class, reads_subject) = eval::context_reads(&c.full);
        let guard = eval::subject_guard(&c.full);
        let subjects = guard.map(|g| {
            (0..self.countries.len())
                .map(|s| {
                    let context = self.context(DataClass::Personal, s, Mechanisms::NONE);
                    let env = Env {
                        store: &self.store,
                        principal: self.unnamed_tenant,
                        action: self.action_eids[0],
                        context: &context,
                        resources: &[],
                        lane: None,
                    };
                    // Only a definite false rules the subject out; an error must be seen.
                    !matches!(env.eval(&g), eval::Lanes::One(Ok(Val::Bool(false))))
                })
                .collect()
        });
        Prepared {
            cond: c,
            uses_action,
            uses_principal,
            reads_class,
            reads_subject,
            subjects,
        }
    }

    fn assemble(
        world: &World,
        schema: Schema,
        rules: Vec<Rule>,
        policies: Vec<cedar_policy::Policy>,
        jurisdictions: Vec<Jurisdiction>,
    ) -> Result<Engine, PolicyError> {
        let (b, country_eids, region_eids) = world_entities(world)?;
        // Cedar's entity store (with its transitive closure) is needed only by
        // `decide_with_cedar`, and costs more than the rest of assembly with 100,000 regions: it
        // is built on first use. One entity of each type is checked against the schema now.
        let sample: Vec<Entity> = b
            .first_of_type
            .values()
            .map(|i| b.cedar[*i].clone())
            .collect();
        Entities::from_entities(sample, Some(&schema)).map_err(|err| {
            PolicyError::one(
                "<schema>",
                None,
                ProblemKind::SchemaAssumption,
                format!("the world's entities do not fit the schema: {err}"),
            )
        })?;
        let cedar_world = Arc::new(b.cedar);
        let mut store = b.store;
        let mut declared = |ty: &str, ids: &mut dyn Iterator<Item = &'static str>| -> Vec<Eid> {
            ids.map(|id| store.intern(ty, id)).collect()
        };
        let class_eids = declared("DataClass", &mut DataClass::ALL.iter().map(|c| c.as_str()));
        let mechanism_eids = declared("Mechanism", &mut Mechanism::ALL.iter().map(|m| m.as_str()));
        let action_eids = declared("Action", &mut Action::ALL.iter().map(|a| a.as_str()));
        // Enumerated entities and actions exist (the schema declares them) and have no
        // attributes or parents (checked by `check_schema`).
        for eid in class_eids.iter().chain(&mechanism_eids).chain(&action_eids) {
            store.define(*eid, Vec::new(), Vec::new());
        }
        store.close_ancestors();
        let unnamed_tenant = store.intern("Tenant", PLACEHOLDER_TENANT);
        let mut engine = Engine {
            schema,
            rules: Vec::new(),
            conditions: Vec::new(),
            jurisdictions,
            cedar_policies: PolicySet::new(),
            cedar_world,
            cedar_entities: Arc::new(OnceLock::new()),
            cedar_index: HashMap::new(),
            store,
            region_keys: world.regions.iter().map(|r| r.key()).collect(),
            region_eids,
            countries: world.countries.iter().map(|c| c.code).collect(),
            subject_of: world
                .countries
                .iter()
                .filter_map(|c| Some((c.code, world.country_index(c.code)?.index())))
                .collect(),
            country_eids,
            class_eids,
            mechanism_eids,
            action_eids,
            unnamed_tenant,
            allow_lists: BTreeMap::new(),
            pre_cache: eval::PreCache::new(),
        };
        engine.check_placeholder()?;
        engine.add(rules, policies)?;
        Ok(engine)
    }

    /// The placeholder tenant must make a request Cedar accepts under the schema.
    fn check_placeholder(&self) -> Result<(), PolicyError> {
        let fail = |e: String| {
            PolicyError::one(
                "<schema>",
                None,
                ProblemKind::SchemaAssumption,
                format!("the placeholder tenant id is not usable in a Cedar request: {e}"),
            )
        };
        let Some(&subject) = self.countries.first() else {
            return Ok(());
        };
        if self.region_eids.is_empty() {
            return Ok(());
        }
        let probe = Request {
            tenant: PLACEHOLDER_TENANT,
            class: DataClass::Personal,
            subject,
            action: Action::Store,
            mechanisms: Mechanisms::NONE,
            region: RegionId(0),
        };
        self.cedar_request(&probe, Some(&self.schema))
            .map(|_| ())
            .map_err(|e| fail(e.to_string()))
    }

    /// Every rule, the default permit first.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn jurisdictions(&self) -> &[Jurisdiction] {
        &self.jurisdictions
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.cedar_index.get(id).map(|i| &self.rules[*i])
    }

    /// The number of regions (lanes of every table row).
    pub fn region_count(&self) -> usize {
        self.region_eids.len()
    }

    /// The position of a subject country in the tables.
    pub fn subject_index(&self, c: CountryCode) -> Option<usize> {
        self.subject_of.get(&c).copied()
    }

    /// The tenant's entity; a tenant that no policy names behaves like any other such tenant,
    /// so they all share one placeholder.
    pub(crate) fn principal_for(&self, tenant: &str) -> Eid {
        self.store
            .get("Tenant", tenant)
            .unwrap_or(self.unnamed_tenant)
    }

    /// The request's context in the evaluator's form.
    pub(crate) fn context(&self, class: DataClass, subject: usize, m: Mechanisms) -> Val {
        let classes = class
            .kinds()
            .iter()
            .map(|k| Val::Entity(self.class_eids[k.index()]))
            .collect();
        let mechanisms = m
            .iter()
            .map(|x| Val::Entity(self.mechanism_eids[x.index()]))
            .collect();
        Val::record(vec![
            (
                Arc::from("class"),
                Val::Entity(self.class_eids[class.index()]),
            ),
            (Arc::from("classes"), Val::set(classes)),
            (
                Arc::from("subject"),
                Val::Entity(self.country_eids[subject]),
            ),
            (Arc::from("mechanisms"), Val::set(mechanisms)),
        ])
    }

    /// The request in Cedar's form, validated against `schema` if given.
    fn cedar_request(
        &self,
        r: &Request<'_>,
        schema: Option<&Schema>,
    ) -> Result<cedar_policy::Request, RequestError> {
        let cedar = RequestError::Cedar;
        let entity = |ty: &str, id: &str| uid(ty, id).map(RestrictedExpression::new_entity_uid);
        let mut classes = Vec::new();
        for k in r.class.kinds() {
            classes.push(entity("DataClass", k.as_str()).map_err(cedar)?);
        }
        let mut mechanisms = Vec::new();
        for m in r.mechanisms.iter() {
            mechanisms.push(entity("Mechanism", m.as_str()).map_err(cedar)?);
        }
        let context = Context::from_pairs([
            (
                "class".to_string(),
                entity("DataClass", r.class.as_str()).map_err(cedar)?,
            ),
            (
                "classes".to_string(),
                RestrictedExpression::new_set(classes),
            ),
            (
                "subject".to_string(),
                entity("Country", r.subject.as_str()).map_err(cedar)?,
            ),
            (
                "mechanisms".to_string(),
                RestrictedExpression::new_set(mechanisms),
            ),
        ])
        .map_err(|e| cedar(e.to_string()))?;
        let key = self
            .region_keys
            .get(r.region.index())
            .ok_or(RequestError::UnknownRegion(r.region.index()))?;
        cedar_policy::Request::new(
            uid("Tenant", r.tenant).map_err(cedar)?,
            uid("Action", r.action.as_str()).map_err(cedar)?,
            uid("Region", key).map_err(cedar)?,
            context,
            schema,
        )
        .map_err(|e| cedar(e.to_string()))
    }

    /// Cedar's own answer, the reference: allowed only if Cedar allows and reports no error.
    /// Cedar sees the law base, every tenant's policies and the default permit as rewritten for
    /// the tenants' allow-lists.
    pub fn decide_with_cedar(&self, r: &Request<'_>) -> Result<CedarDecision, RequestError> {
        let request = self.cedar_request(r, None)?;
        let entities = self
            .cedar_entities
            .get_or_init(|| {
                Entities::from_entities(self.cedar_world.iter().cloned(), Some(&self.schema))
                    .map_err(|e| format!("the world does not fit the schema: {e}"))
            })
            .as_ref()
            .map_err(|e| RequestError::Cedar(e.clone()))?;
        let response = Authorizer::new().is_authorized(&request, &self.cedar_policies, entities);
        let reasons: Vec<String> = response
            .diagnostics()
            .reason()
            .map(|p| p.to_string())
            .collect();
        let errors: Vec<String> = response
            .diagnostics()
            .errors()
            .map(|e| e.to_string())
            .collect();
        Ok(CedarDecision {
            allowed: response.decision() == cedar_policy::Decision::Allow && errors.is_empty(),
            reasons,
            errors,
        })
    }

    /// Whether the tenant's permits are its allow-list for this action.
    pub(crate) fn has_allow_list(&self, tenant: &str, action: Action) -> bool {
        self.allow_lists
            .get(tenant)
            .is_some_and(|m| m & (1 << action.index()) != 0)
    }

    /// [`Engine::explain`] for every region at once, in the world's region order (the request's
    /// region is not read): each rule is evaluated once over all regions, as lanes, and only
    /// where a rule failed is that region evaluated again alone, for the exact error. The same
    /// answers as `explain` region by region, in one pass per rule instead of one per region.
    pub fn explain_all(&self, r: &Request<'_>) -> Result<Vec<Explanation>, RequestError> {
        let subject = self
            .subject_index(r.subject)
            .ok_or(RequestError::UnknownSubject(r.subject))?;
        let context = self.context(r.class, subject, r.mechanisms);
        let principal = self.principal_for(r.tenant);
        let n = self.region_eids.len();
        let env = Env {
            store: &self.store,
            principal,
            action: self.action_eids[r.action.index()],
            context: &context,
            resources: &self.region_eids,
            lane: None,
        };
        let allow_list = self.has_allow_list(r.tenant, r.action);
        let mut out: Vec<Explanation> = (0..n)
            .map(|_| Explanation {
                allowed: false,
                allow_list,
                forbidden_by: Vec::new(),
                permitted_by: Vec::new(),
                exceptions: Vec::new(),
                errors: Vec::new(),
            })
            .collect();
        let alone = |e: &eval::Expr, lane: usize| -> Result<bool, EvalError> {
            let one = Env {
                resources: std::slice::from_ref(&self.region_eids[lane]),
                lane: Some(lane),
                ..env
            };
            let mut v = Ok(false);
            eval::truth(&one.eval(e), 1, |_, b| v = b);
            v
        };
        let mut unmet = Vec::new();
        for (i, p) in self.conditions.iter().enumerate() {
            let c = &p.cond;
            if c.tenant.is_some_and(|t| t != principal)
                || (allow_list && self.rules[i].id == DEFAULT_PERMIT)
            {
                continue;
            }
            let effect = self.rules[i].effect;
            unmet.clear();
            eval::truth(&env.eval(&c.full), n, |lane, v| match v {
                Err(_) => {
                    let e = alone(&c.full, lane).err().unwrap_or(EvalError::Type);
                    out[lane].errors.push((i, e.to_string()));
                }
                Ok(true) => match effect {
                    Effect::Forbid => out[lane].forbidden_by.push(i),
                    Effect::Permit => out[lane].permitted_by.push(i),
                },
                Ok(false) => {
                    if effect == Effect::Forbid {
                        unmet.push(lane);
                    }
                }
            });
            if unmet.is_empty() {
                continue;
            }
            let mut applies = vec![false; n];
            eval::truth(&env.eval(&c.applies), n, |lane, v| {
                applies[lane] = v == Ok(true);
            });
            for &lane in &unmet {
                if applies[lane] {
                    out[lane].exceptions.push(i);
                }
            }
        }
        for x in &mut out {
            x.allowed =
                !x.permitted_by.is_empty() && x.forbidden_by.is_empty() && x.errors.is_empty();
        }
        Ok(out)
    }

    /// Which rules decided one request, and how: the evaluator, one region.
    pub fn explain(&self, r: &Request<'_>) -> Result<Explanation, RequestError> {
        let subject = self
            .subject_index(r.subject)
            .ok_or(RequestError::UnknownSubject(r.subject))?;
        let region = *self
            .region_eids
            .get(r.region.index())
            .ok_or(RequestError::UnknownRegion(r.region.index()))?;
        let context = self.context(r.class, subject, r.mechanisms);
        let principal = self.principal_for(r.tenant);
        let env = Env {
            store: &self.store,
            principal,
            action: self.action_eids[r.action.index()],
            context: &context,
            resources: std::slice::from_ref(&region),
            lane: Some(r.region.index()),
        };
        let allow_list = self.has_allow_list(r.tenant, r.action);
        let mut out = Explanation {
            allowed: false,
            allow_list,
            forbidden_by: Vec::new(),
            permitted_by: Vec::new(),
            exceptions: Vec::new(),
            errors: Vec::new(),
        };
        let one = |e: &eval::Expr| -> Result<bool, EvalError> {
            let mut v = Ok(false);
            eval::truth(&env.eval(e), 1, |_, b| v = b);
            v
        };
        for (i, p) in self.conditions.iter().enumerate() {
            let c = &p.cond;
            if c.tenant.is_some_and(|t| t != principal) {
                continue;
            }
            // With an allow-list, the default permit does not apply (Cedar's says `unless`).
            if allow_list && self.rules[i].id == DEFAULT_PERMIT {
                continue;
            }
            match one(&c.full) {
                Err(e) => out.errors.push((i, e.to_string())),
                Ok(true) => match self.rules[i].effect {
                    Effect::Forbid => out.forbidden_by.push(i),
                    Effect::Permit => out.permitted_by.push(i),
                },
                Ok(false) => {
                    if self.rules[i].effect == Effect::Forbid && one(&c.applies) == Ok(true) {
                        out.exceptions.push(i);
                    }
                }
            }
        }
        out.allowed =
            !out.permitted_by.is_empty() && out.forbidden_by.is_empty() && out.errors.is_empty();
        Ok(out)
    }
}

/// A policy's condition with what compilation needs to know about it.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub cond: Condition,
    pub uses_action: bool,
    pub uses_principal: bool,
    /// Whether the condition reads the data class, and the subject country; where it does not,
    /// one evaluation serves every class (or subject).
    pub reads_class: bool,
    pub reads_subject: bool,
    /// For each subject country, whether the condition can hold at all; None if any can.
    pub subjects: Option<Vec<bool>>,
}

/// Cedar's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CedarDecision {
    pub allowed: bool,
    /// The ids of the policies that were satisfied.
    pub reasons: Vec<String>,
    pub errors: Vec<String>,
}

/// The rules behind one decision; indexes into [`Engine::rules`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub allowed: bool,
    /// The tenant's permits are its allow-list for this action: the region is allowed only if
    /// one of them holds (the default permit does not apply).
    pub allow_list: bool,
    /// Forbid rules that fired: the region is not allowed because of them.
    pub forbidden_by: Vec<usize>,
    /// Permit rules that were satisfied (the default permit, or a tenant's).
    pub permitted_by: Vec<usize>,
    /// Forbid rules that apply to this data but whose exception held (the region's country or
    /// bloc, or a mechanism the tenant holds): why a region is allowed despite a law.
    pub exceptions: Vec<usize>,
    /// Rules whose evaluation failed; any error denies.
    pub errors: Vec<(usize, String)>,
}

fn check_jurisdictions(
    world: &World,
    jurisdictions: &[Jurisdiction],
    law_files: &[PolicyFile<'_>],
    rules: &[Rule],
) -> Result<(), PolicyError> {
    let mut problems = Vec::new();
    let mut push = |file: &str, line, message: String| {
        problems.push(PolicyProblem {
            file: file.to_string(),
            line,
            kind: ProblemKind::Jurisdiction,
            message,
        })
    };
    let mut by_id = BTreeMap::new();
    let manifest = "jurisdictions.toml";
    for j in jurisdictions {
        if by_id.insert(j.id.as_str(), j).is_some() {
            push(
                manifest,
                None,
                format!("jurisdiction {:?} is listed twice", j.id),
            );
        }
        for s in &j.subjects {
            if CountryCode::parse(s)
                .and_then(|c| world.country(c))
                .is_none()
            {
                push(
                    manifest,
                    None,
                    format!("jurisdiction {:?}: unknown subject country {s:?}", j.id),
                );
            }
        }
    }
    let mut by_file: HashMap<&str, Vec<&Rule>> = HashMap::new();
    for r in rules {
        by_file.entry(r.file.as_str()).or_default().push(r);
    }
    let mut empty = Vec::new();
    for f in law_files {
        let stem = f
            .name
            .rsplit('/')
            .next()
            .unwrap_or(&f.name)
            .trim_end_matches(".cedar");
        let Some(j) = by_id.get(stem) else {
            push(
                &f.name,
                None,
                format!("no jurisdiction {stem:?} in jurisdictions.toml for this file"),
            );
            continue;
        };
        let own = by_file
            .get(f.name.as_str())
            .map_or(&[][..], |v| v.as_slice());
        if own.is_empty() {
            // A file with no rule would switch its jurisdiction's law off without a word.
            empty.push(PolicyProblem {
                file: f.name.clone(),
                line: None,
                kind: ProblemKind::EmptyLawFile,
                message: format!(
                    "holds no rule, so it would switch off the law of {} ({stem}); a law file must hold at least one rule (to change the law, edit its rules; to add nothing, remove the file)",
                    j.name
                ),
            });
        }
        for r in own {
            if !r.id.starts_with(&format!("{stem}.")) {
                push(
                    &f.name,
                    Some(r.line),
                    format!("rule id {:?} must start with \"{stem}.\"", r.id),
                );
            }
        }
    }
    problems.extend(empty);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PolicyError { problems })
    }
}
