//! The engine: the world's entities, the loaded rules in both Cedar's form and the evaluator's,
//! single decisions (through Cedar, the reference), explanations, and table compilation.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::Arc;

use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicyId,
    PolicySet, RestrictedExpression, Schema,
};
use footprint_model::{CountryCode, RegionId, World};

use crate::eval::{self, Condition, Eid, Env, EvalError, Store, Val, Var};
use crate::load::{
    self, Effect, Jurisdiction, Origin, PolicyError, PolicyFile, PolicyProblem, Rule,
};
use crate::schema::{Action, DataClass, Mechanism, Mechanisms};

/// The id of the rule that permits everything the law base does not forbid.
pub const DEFAULT_PERMIT: &str = "default.permit";

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
    cedar_entities: Entities,
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
}

fn uid(ty: &str, id: &str) -> Result<EntityUid, String> {
    let ty = EntityTypeName::from_str(ty).map_err(|e| e.to_string())?;
    Ok(EntityUid::from_type_name_and_id(ty, EntityId::new(id)))
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
        self.cedar
            .push(Entity::new(uid(ty, id)?, theirs, parent_uids).map_err(|e| e.to_string())?);
        Ok(eid)
    }
}

fn internal(message: impl Into<String>) -> PolicyError {
    PolicyError::one("<engine>", None, message)
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
        let schema = load::parse_schema(
            "<embedded>/laws/schema.cedarschema",
            crate::embedded::SCHEMA,
        )?;
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
                "a tenant policy file passed as a law",
            ));
        }
        let (mut rules, mut policies) = load::load_rules(&schema, law_files, &BTreeMap::new())?;
        check_jurisdictions(world, &jurisdictions, law_files, &rules)?;

        let default = cedar_policy::Policy::parse(
            Some(PolicyId::new(DEFAULT_PERMIT)),
            "permit (principal, action, resource);",
        )
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
                text: "permit (principal, action, resource);".to_string(),
            },
        );
        policies.insert(0, default);
        Engine::assemble(world, schema, rules, policies, jurisdictions)
    }

    /// This engine plus the tenants' policies: only the new files are parsed and validated.
    pub fn with_tenant_policies(&self, files: &[PolicyFile<'_>]) -> Result<Engine, PolicyError> {
        if let Some(f) = files.iter().find(|f| f.origin != Origin::Tenant) {
            return Err(PolicyError::one(
                &f.name,
                None,
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
        Ok(next)
    }

    /// Converts and adds policies that were loaded and validated.
    fn add(
        &mut self,
        rules: Vec<Rule>,
        policies: Vec<cedar_policy::Policy>,
    ) -> Result<(), PolicyError> {
        let mut problems = Vec::new();
        for (rule, policy) in rules.into_iter().zip(policies) {
            let converted = policy
                .to_json()
                .map_err(|err| err.to_string())
                .and_then(|j| eval::condition(&mut self.store, &j).map_err(|u| u.0));
            match converted {
                Ok(c) => {
                    let prepared = self.prepare(c);
                    self.cedar_index.insert(rule.id.clone(), self.rules.len());
                    if let Err(e) = self.cedar_policies.add(policy) {
                        problems.push(PolicyProblem {
                            file: rule.file.clone(),
                            line: Some(rule.line),
                            message: e.to_string(),
                        });
                    }
                    self.conditions.push(prepared);
                    self.rules.push(rule);
                }
                Err(message) => problems.push(PolicyProblem {
                    file: rule.file.clone(),
                    line: Some(rule.line),
                    message: format!("footprint cannot compile this policy: {message}"),
                }),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(PolicyError { problems })
        }
    }

    /// Precomputes what compilation needs to know about a condition: which variables it reads,
    /// and for which subject countries it can hold at all.
    fn prepare(&self, mut c: Condition) -> Prepared {
        let context = self.context(DataClass::Personal, 0, Mechanisms::NONE);
        let all = Env {
            store: &self.store,
            principal: self.unnamed_tenant,
            action: self.action_eids[0],
            context: &context,
            resources: &self.region_eids,
            lane: None,
        };
        c.full = eval::precompute(c.full, &all);
        c.applies = eval::precompute(c.applies, &all);
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
        let mut b = Builder {
            store: Store::default(),
            cedar: Vec::new(),
        };
        let e = internal;
        for bloc in &world.blocs {
            b.add("Bloc", &bloc.id, &[], &[]).map_err(e)?;
        }
        let mut country_eids = Vec::new();
        for c in &world.countries {
            let parents: Vec<(&str, &str)> = world
                .blocs_of(c.code)
                .map(|bl| ("Bloc", bl.id.as_str()))
                .collect();
            country_eids.push(
                b.add(
                    "Country",
                    c.code.as_str(),
                    &[("name", Attr::Str(&c.name))],
                    &parents,
                )
                .map_err(e)?,
            );
        }
        for p in &world.providers {
            // A provider also operates its own regions, unless a local operator has its id.
            let operates = !world.operators.iter().any(|o| o.id == p.id);
            for ty in ["Provider", "Operator"] {
                if ty == "Operator" && !operates {
                    continue;
                }
                let attrs = [
                    ("name", Attr::Str(&p.name)),
                    ("home", Attr::Entity("Country", p.headquarters.as_str())),
                ];
                b.add(ty, &p.id, &attrs, &[]).map_err(e)?;
            }
        }
        for o in &world.operators {
            b.add(
                "Operator",
                &o.id,
                &[
                    ("name", Attr::Str(&o.name)),
                    ("home", Attr::Entity("Country", o.country.as_str())),
                ],
                &[],
            )
            .map_err(e)?;
        }
        let mut region_eids = Vec::new();
        let mut region_keys = Vec::new();
        for r in &world.regions {
            let key = r.key();
            let operator = r.operator.as_deref().unwrap_or(&r.provider);
            region_eids.push(
                b.add(
                    "Region",
                    &key,
                    &[
                        ("code", Attr::Str(&r.code)),
                        ("country", Attr::Entity("Country", r.country.as_str())),
                        ("provider", Attr::Entity("Provider", &r.provider)),
                        ("operator", Attr::Entity("Operator", operator)),
                        ("partition", Attr::Str(r.partition.as_str())),
                        ("status", Attr::Str(r.status.as_str())),
                    ],
                    &[("Country", r.country.as_str())],
                )
                .map_err(e)?,
            );
            region_keys.push(key);
        }
        let cedar_entities = Entities::from_entities(b.cedar, Some(&schema))
            .map_err(|err| internal(format!("the world does not fit the schema: {err}")))?;
        let mut store = b.store;
        let class_eids = DataClass::ALL
            .iter()
            .map(|c| store.intern("DataClass", c.as_str()))
            .collect();
        let mechanism_eids = Mechanism::ALL
            .iter()
            .map(|m| store.intern("Mechanism", m.as_str()))
            .collect();
        let action_eids = Action::ALL
            .iter()
            .map(|a| store.intern("Action", a.as_str()))
            .collect();
        // Enumerated entities and actions exist (the schema declares them) and have no
        // attributes or parents.
        let declared: Vec<Eid> = [&class_eids, &mechanism_eids, &action_eids]
            .into_iter()
            .flat_map(|v: &Vec<Eid>| v.iter().copied())
            .collect();
        for eid in declared {
            store.define(eid, Vec::new(), Vec::new());
        }

        store.close_ancestors();
        let unnamed_tenant = store.intern("Tenant", "\u{0}unnamed");
        let mut engine = Engine {
            schema,
            rules: Vec::new(),
            conditions: Vec::new(),
            jurisdictions,
            cedar_policies: PolicySet::new(),
            cedar_entities,
            cedar_index: HashMap::new(),
            store,
            region_eids,
            region_keys,
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
        };
        engine.add(rules, policies)?;
        Ok(engine)
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

    /// Cedar's own answer, the reference: allowed only if Cedar allows and reports no error.
    pub fn decide_with_cedar(&self, r: &Request<'_>) -> Result<CedarDecision, String> {
        let entity = |ty: &str, id: &str| uid(ty, id).map(RestrictedExpression::new_entity_uid);
        let mut classes = Vec::new();
        for k in r.class.kinds() {
            classes.push(entity("DataClass", k.as_str())?);
        }
        let mut mechanisms = Vec::new();
        for m in r.mechanisms.iter() {
            mechanisms.push(entity("Mechanism", m.as_str())?);
        }
        let context = Context::from_pairs([
            ("class".to_string(), entity("DataClass", r.class.as_str())?),
            (
                "classes".to_string(),
                RestrictedExpression::new_set(classes),
            ),
            (
                "subject".to_string(),
                entity("Country", r.subject.as_str())?,
            ),
            (
                "mechanisms".to_string(),
                RestrictedExpression::new_set(mechanisms),
            ),
        ])
        .map_err(|e| e.to_string())?;
        let key = self
            .region_keys
            .get(r.region.index())
            .ok_or_else(|| format!("no region {}", r.region.index()))?;
        let request = cedar_policy::Request::new(
            uid("Tenant", r.tenant)?,
            uid("Action", r.action.as_str())?,
            uid("Region", key)?,
            context,
            None,
        )
        .map_err(|e| e.to_string())?;
        let response =
            Authorizer::new().is_authorized(&request, &self.cedar_policies, &self.cedar_entities);
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

    /// Which rules decided one request, and how: the evaluator, one region.
    pub fn explain(&self, r: &Request<'_>) -> Result<Explanation, String> {
        let subject = self
            .subject_index(r.subject)
            .ok_or_else(|| format!("unknown subject country {}", r.subject))?;
        let region = *self
            .region_eids
            .get(r.region.index())
            .ok_or_else(|| format!("no region {}", r.region.index()))?;
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
        let mut out = Explanation {
            allowed: false,
            forbidden_by: Vec::new(),
            permitted_by: Vec::new(),
            exceptions: Vec::new(),
            errors: Vec::new(),
        };
        for (i, p) in self.conditions.iter().enumerate() {
            let c = &p.cond;
            if let Some(t) = c.tenant
                && t != principal
            {
                continue;
            }
            let one = |e: &eval::Expr| -> Result<bool, EvalError> {
                let mut v = Ok(false);
                eval::truth(&env.eval(e), 1, |_, b| v = b);
                v
            };
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
    let mut by_id = BTreeMap::new();
    let manifest = "jurisdictions.toml";
    for j in jurisdictions {
        if by_id.insert(j.id.as_str(), j).is_some() {
            problems.push(PolicyProblem {
                file: manifest.into(),
                line: None,
                message: format!("jurisdiction {:?} is listed twice", j.id),
            });
        }
        for s in &j.subjects {
            if CountryCode::parse(s)
                .and_then(|c| world.country(c))
                .is_none()
            {
                problems.push(PolicyProblem {
                    file: manifest.into(),
                    line: None,
                    message: format!("jurisdiction {:?}: unknown subject country {s:?}", j.id),
                });
            }
        }
    }
    for f in law_files {
        let stem = f
            .name
            .rsplit('/')
            .next()
            .unwrap_or(&f.name)
            .trim_end_matches(".cedar");
        if !by_id.contains_key(stem) {
            problems.push(PolicyProblem {
                file: f.name.clone(),
                line: None,
                message: format!("no jurisdiction {stem:?} in jurisdictions.toml for this file"),
            });
        }
        for r in rules.iter().filter(|r| r.file == f.name) {
            if !r.id.starts_with(&format!("{stem}.")) {
                problems.push(PolicyProblem {
                    file: f.name.clone(),
                    line: Some(r.line),
                    message: format!("rule id {:?} must start with \"{stem}.\"", r.id),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PolicyError { problems })
    }
}
