//! Reading policy files: Cedar parsing, schema validation, and the annotations every law must
//! carry. A file that fails any check is refused whole, with every problem named by file and line.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use cedar_policy::{
    ActionConstraint, EntityUid, Policy, PolicyId, PolicySet, PrincipalConstraint, Schema,
    ValidationMode, Validator,
};
use miette::Diagnostic;
use serde::Deserialize;

pub use crate::error::{PolicyError, PolicyProblem, ProblemKind};
use crate::schema::Action;

/// Where a policy comes from: the built-in law base, or a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    Law,
    Tenant,
}

/// A policy file to load: its name (for messages), its text and its origin.
#[derive(Debug, Clone)]
pub struct PolicyFile<'a> {
    pub name: String,
    pub text: Cow<'a, str>,
    pub origin: Origin,
}

impl<'a> PolicyFile<'a> {
    pub fn law(name: impl Into<String>, text: impl Into<Cow<'a, str>>) -> Self {
        PolicyFile {
            name: name.into(),
            text: text.into(),
            origin: Origin::Law,
        }
    }

    pub fn tenant(name: impl Into<String>, text: impl Into<Cow<'a, str>>) -> Self {
        PolicyFile {
            name: name.into(),
            text: text.into(),
            origin: Origin::Tenant,
        }
    }
}

/// How sure we are of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// The text of a statute or regulation says it.
    Statute,
    /// A regulator's guidance, decision or FAQ says it.
    RegulatorGuidance,
    /// Our reading of texts that do not say it plainly.
    Interpretation,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Statute => "statute",
            Confidence::RegulatorGuidance => "regulator_guidance",
            Confidence::Interpretation => "interpretation",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "statute" => Confidence::Statute,
            "regulator_guidance" => Confidence::RegulatorGuidance,
            "interpretation" => Confidence::Interpretation,
            _ => return None,
        })
    }
}

/// What kind of residency rule a law is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleKind {
    /// The data must be stored only in the country (or bloc): no mechanism lets it leave.
    Localize,
    /// A complete copy must stay in the country; other copies may exist elsewhere
    /// (the `local_copy` mechanism).
    LocalCopy,
    /// The data may leave only to some destinations or with a mechanism.
    Transfer,
    /// The data must not go to some destinations at all.
    Destination,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Localize => "localize",
            RuleKind::LocalCopy => "local_copy",
            RuleKind::Transfer => "transfer",
            RuleKind::Destination => "destination",
        }
    }

    /// How the CLI and docs say it.
    pub fn describe(self) -> &'static str {
        match self {
            RuleKind::Localize => "must be stored only here",
            RuleKind::LocalCopy => "a local copy must exist here",
            RuleKind::Transfer => "may leave only with a mechanism or to listed destinations",
            RuleKind::Destination => "must not go to listed destinations",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "localize" => RuleKind::Localize,
            "local_copy" => RuleKind::LocalCopy,
            "transfer" => RuleKind::Transfer,
            "destination" => RuleKind::Destination,
            _ => return None,
        })
    }
}

/// Whether a rule permits or forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    Permit,
    Forbid,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Permit => "permit",
            Effect::Forbid => "forbid",
        }
    }
}

/// The legal citation of a law-base rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    pub law: String,
    pub article: String,
    pub source: String,
    pub as_of: String,
    pub confidence: Confidence,
    pub kind: RuleKind,
}

/// One policy, with where it was written and what it cites.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `@id`, or `FILE:LINE` for a tenant policy without one.
    pub id: String,
    pub effect: Effect,
    pub origin: Origin,
    pub file: String,
    pub line: u32,
    /// Present on every law-base rule; optional on tenant rules.
    pub citation: Option<Citation>,
    pub summary: Option<String>,
    pub note: Option<String>,
    /// The policy's text as written.
    pub text: String,
    /// The tenant a tenant policy names in its scope (every tenant policy names one); None for
    /// the law base.
    pub tenant: Option<String>,
    /// The actions the policy's scope admits, in [`Action::ALL`] order.
    pub actions: Vec<Action>,
}

/// The annotations a law-base rule must carry.
pub const LAW_ANNOTATIONS: &[&str] = &[
    "id",
    "law",
    "article",
    "source",
    "as_of",
    "confidence",
    "kind",
    "summary",
];
const OPTIONAL_ANNOTATIONS: &[&str] = &["note"];

fn line_of(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let line = text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1;
    u32::try_from(line).unwrap_or(u32::MAX)
}

/// A diagnostic's message, its help and the line of its first label.
fn diagnostic(text: &str, d: &dyn Diagnostic) -> (Option<u32>, String) {
    let line = d
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|l| line_of(text, l.offset()));
    let mut message = d.to_string();
    if let Some(help) = d.help() {
        message.push_str(&format!(" ({help})"));
    }
    (line, message)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-:".contains(&b))
}

fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The rules of one file, parsed and checked, with the file's policies renamed to their ids.
struct LoadedFile {
    rules: Vec<Rule>,
    policies: Vec<Policy>,
}

/// Collects one file's problems.
struct Problems<'a> {
    file: &'a str,
    list: &'a mut Vec<PolicyProblem>,
}

impl Problems<'_> {
    fn push(&mut self, line: Option<u32>, kind: ProblemKind, message: impl Into<String>) {
        self.list.push(PolicyProblem {
            file: self.file.to_string(),
            line,
            kind,
            message: message.into(),
        });
    }
}

/// Line numbers of increasing offsets, counted incrementally (a file of 10,000 policies would
/// otherwise be rescanned from its start for each one).
struct Lines<'t> {
    text: &'t str,
    offset: usize,
    line: u32,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> u32 {
        let end = offset.min(self.text.len());
        if end < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        let newlines = self.text.as_bytes()[self.offset..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.line = self
            .line
            .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        self.offset = end;
        self.line
    }
}

/// Step 1: the depth limit, then Cedar's parser. Templates are refused.
fn parse(text: &str, p: &mut Problems<'_>) -> Option<PolicySet> {
    if let Err(deep) = crate::guard::check(text) {
        p.push(Some(deep.line), ProblemKind::TooDeep, deep.message);
        return None;
    }
    let set = match PolicySet::from_str(text) {
        Ok(set) => set,
        Err(errors) => {
            for e in errors.iter() {
                let (line, message) = diagnostic(text, e);
                p.push(line, ProblemKind::Syntax, message);
            }
            return None;
        }
    };
    if set.templates().next().is_some() {
        p.push(
            None,
            ProblemKind::Template,
            "policy templates (with ?principal or ?resource slots) are not supported; write plain policies",
        );
        return None;
    }
    Some(set)
}

/// Step 2: every policy of the set with its text and line. Cedar numbers the policies of a text
/// policy0, policy1, ... in the order they are written; each one's text is a slice of the file,
/// found by searching on from the previous one.
fn locate<'s>(
    text: &str,
    set: &'s PolicySet,
    p: &mut Problems<'_>,
) -> Vec<(PolicyId, &'s Policy, String, u32)> {
    let count = set.policies().count();
    let mut lines = Lines {
        text,
        offset: 0,
        line: 1,
    };
    let mut search_from = 0;
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let cedar_id = PolicyId::new(format!("policy{n}"));
        let Some(policy) = set.policy(&cedar_id) else {
            p.push(
                None,
                ProblemKind::Internal,
                format!("internal: Cedar did not number policy {n}"),
            );
            continue;
        };
        let own = policy.to_string();
        let offset = text[search_from..]
            .find(own.as_str())
            .map(|at| search_from + at)
            .unwrap_or(search_from);
        search_from = offset + own.len().min(text.len() - offset);
        out.push((cedar_id, policy, own, lines.at(offset)));
    }
    out
}

/// Step 3a: unknown annotations, and the rule's id.
fn rule_id(
    file: &PolicyFile<'_>,
    policy: &Policy,
    line: u32,
    p: &mut Problems<'_>,
) -> Option<String> {
    for (key, _) in policy.annotations() {
        if !LAW_ANNOTATIONS.contains(&key) && !OPTIONAL_ANNOTATIONS.contains(&key) {
            p.push(
                Some(line),
                ProblemKind::Annotation,
                format!(
                    "unknown annotation @{key}; expected: {}",
                    [LAW_ANNOTATIONS, OPTIONAL_ANNOTATIONS].concat().join(", ")
                ),
            );
        }
    }
    match policy.annotation("id") {
        Some(id) if valid_id(id) => Some(id.to_string()),
        Some(id) => {
            p.push(
                Some(line),
                ProblemKind::Annotation,
                format!("@id({id:?}): use lowercase letters, digits and . _ - :"),
            );
            None
        }
        None if file.origin == Origin::Tenant => Some(format!("{}:{line}", file.name)),
        None => {
            p.push(
                Some(line),
                ProblemKind::Annotation,
                "a law needs an @id annotation",
            );
            None
        }
    }
}

/// Step 3b, for a law: a forbid with its whole citation.
fn law_citation(
    id: &str,
    policy: &Policy,
    effect: Effect,
    line: u32,
    p: &mut Problems<'_>,
) -> Option<Citation> {
    let get = |key: &str| policy.annotation(key).unwrap_or_default().to_string();
    let missing: Vec<&str> = LAW_ANNOTATIONS
        .iter()
        .copied()
        .filter(|k| policy.annotation(k).is_none())
        .collect();
    let mut fail = |kind, message: String| {
        p.push(Some(line), kind, message);
        None
    };
    if !missing.is_empty() {
        return fail(
            ProblemKind::Annotation,
            format!("law {id} lacks @{}", missing.join(", @")),
        );
    }
    if effect != Effect::Forbid {
        return fail(
            ProblemKind::LawPermit,
            format!(
                "law {id} is a permit; the law base holds only forbid rules over the default permit"
            ),
        );
    }
    let (confidence, kind, as_of, source) =
        (get("confidence"), get("kind"), get("as_of"), get("source"));
    let (Some(confidence), Some(kind)) = (Confidence::parse(&confidence), RuleKind::parse(&kind))
    else {
        return fail(
            ProblemKind::Annotation,
            format!(
                "law {id}: @confidence({confidence:?}) must be statute, regulator_guidance or interpretation, and @kind({kind:?}) localize, local_copy, transfer or destination"
            ),
        );
    };
    if !valid_date(&as_of) {
        return fail(
            ProblemKind::Annotation,
            format!("law {id}: @as_of({as_of:?}) must be a date, YYYY-MM-DD"),
        );
    }
    if !(source.starts_with("https://") || source.starts_with("http://")) {
        return fail(
            ProblemKind::Annotation,
            format!("law {id}: @source({source:?}) must be an http(s) address"),
        );
    }
    Some(Citation {
        law: get("law"),
        article: get("article"),
        source,
        as_of,
        confidence,
        kind,
    })
}

/// The tenant a policy's scope names: `principal == Tenant::"x"`, `principal in Tenant::"x"` or
/// `principal is Tenant in Tenant::"x"`.
fn scoped_tenant(policy: &Policy) -> Option<String> {
    let tenant = |u: EntityUid| {
        (u.type_name().to_string() == "Tenant").then(|| u.id().unescaped().to_string())
    };
    match policy.principal_constraint() {
        PrincipalConstraint::Eq(u) | PrincipalConstraint::In(u) => tenant(u),
        PrincipalConstraint::IsIn(_, u) => tenant(u),
        PrincipalConstraint::Any | PrincipalConstraint::Is(_) => None,
    }
}

/// The actions a policy's scope admits, in [`Action::ALL`] order.
fn scoped_actions(policy: &Policy) -> Vec<Action> {
    let named = |u: &EntityUid| {
        (u.type_name().to_string() == "Action")
            .then(|| Action::parse(u.id().unescaped()).ok())
            .flatten()
    };
    match policy.action_constraint() {
        ActionConstraint::Any => Action::ALL.to_vec(),
        ActionConstraint::Eq(u) => named(&u).into_iter().collect(),
        ActionConstraint::In(list) => Action::ALL
            .iter()
            .copied()
            .filter(|a| list.iter().any(|u| named(u) == Some(*a)))
            .collect(),
    }
}

/// Step 3b, for a tenant's policy: the tenant it names. A policy without one would apply to
/// every tenant, so one tenant's file would change another's answers: refused.
fn tenant_scope(policy: &Policy, line: u32, p: &mut Problems<'_>) -> Option<String> {
    let t = scoped_tenant(policy);
    if t.is_none() {
        p.push(
            Some(line),
            ProblemKind::UnscopedTenantPolicy,
            "a tenant policy must name its tenant in its scope, e.g. `permit (principal == Tenant::\"acme\", action, resource) ...`; without one it would apply to every tenant",
        );
    }
    t
}

/// Step 3: the file's rules, each checked.
fn rules_of(
    file: &PolicyFile<'_>,
    located: Vec<(PolicyId, &Policy, String, u32)>,
    p: &mut Problems<'_>,
) -> LoadedFile {
    let mut rules = Vec::with_capacity(located.len());
    let mut policies = Vec::with_capacity(located.len());
    for (_, policy, own, line) in located {
        let effect = match policy.effect() {
            cedar_policy::Effect::Permit => Effect::Permit,
            cedar_policy::Effect::Forbid => Effect::Forbid,
        };
        let Some(id) = rule_id(file, policy, line, p) else {
            continue;
        };
        let (citation, tenant) = match file.origin {
            Origin::Law => match law_citation(&id, policy, effect, line, p) {
                Some(c) => (Some(c), None),
                None => continue,
            },
            Origin::Tenant => match tenant_scope(policy, line, p) {
                Some(t) => (None, Some(t)),
                None => continue,
            },
        };
        let get = |key: &str| policy.annotation(key).map(str::to_string);
        rules.push(Rule {
            id: id.clone(),
            effect,
            origin: file.origin,
            file: file.name.clone(),
            line,
            citation,
            summary: get("summary"),
            note: get("note"),
            text: own,
            tenant,
            actions: scoped_actions(policy),
        });
        policies.push(policy.new_id(PolicyId::new(id)));
    }
    LoadedFile { rules, policies }
}

/// Step 4: Cedar's validator in strict mode. It checks a policy once per action it may apply
/// to; one message per problem is enough, so the action names are folded and repeats dropped.
fn validate(
    schema: &Schema,
    text: &str,
    set: &PolicySet,
    located: &BTreeMap<PolicyId, (u32, String)>,
    p: &mut Problems<'_>,
) {
    let validation = Validator::new(schema.clone()).validate(set, ValidationMode::Strict);
    let mut said = std::collections::BTreeSet::new();
    for e in validation.validation_errors() {
        let (line, mut message) = diagnostic(text, e);
        let own = located.get(e.policy_id());
        let line = line.or_else(|| own.map(|o| o.0));
        for a in Action::ALL {
            message = message.replace(&format!("Action::\"{a}\""), "an action");
        }
        if let Some((_, id)) = own {
            message = message.replace(
                &format!("policy `{}`", e.policy_id()),
                &format!("policy `{id}`"),
            );
        }
        if said.insert((line, message.clone())) {
            p.push(
                line,
                ProblemKind::Schema,
                format!("does not match the schema: {message}"),
            );
        }
    }
}

fn load_file(
    schema: &Schema,
    file: &PolicyFile<'_>,
    problems: &mut Vec<PolicyProblem>,
) -> Option<LoadedFile> {
    let text: &str = &file.text;
    let before = problems.len();
    let mut p = Problems {
        file: &file.name,
        list: problems,
    };
    let set = parse(text, &mut p)?;
    let located = locate(text, &set, &mut p);
    let lines: BTreeMap<PolicyId, (u32, String)> = located
        .iter()
        .map(|(cedar_id, policy, _, line)| {
            let id = policy
                .annotation("id")
                .map_or_else(|| format!("{}:{line}", file.name), str::to_string);
            (cedar_id.clone(), (*line, id))
        })
        .collect();
    let loaded = rules_of(file, located, &mut p);
    validate(schema, text, &set, &lines, &mut p);
    (problems.len() == before).then_some(loaded)
}

/// The tenants a tenant policy file names, in name order: the cli and placement refuse a file
/// that does not name the tenant they were asked about. Fails as loading would on a file that
/// does not parse, is too deep or has a policy without a tenant.
pub fn tenants_named(file: &PolicyFile<'_>) -> Result<BTreeSet<String>, PolicyError> {
    let mut list = Vec::new();
    let mut p = Problems {
        file: &file.name,
        list: &mut list,
    };
    let mut out = BTreeSet::new();
    if let Some(set) = parse(&file.text, &mut p) {
        for (_, policy, _, line) in locate(&file.text, &set, &mut p) {
            if let Some(t) = tenant_scope(policy, line, &mut p) {
                out.insert(t);
            }
        }
    }
    if list.is_empty() {
        Ok(out)
    } else {
        Err(PolicyError { problems: list })
    }
}

/// The schema, parsed.
pub fn parse_schema(name: &str, text: &str) -> Result<Schema, PolicyError> {
    Schema::from_cedarschema_str(text)
        .map(|(schema, _warnings)| schema)
        .map_err(|e| {
            let (line, message) = diagnostic(text, &e);
            PolicyError::one(name, line, ProblemKind::Syntax, message)
        })
}

/// Parses, validates and checks every file; all problems of all files are reported together.
/// `taken` holds the ids already in use (id -> file and line), which the files must not reuse.
pub fn load_rules(
    schema: &Schema,
    files: &[PolicyFile<'_>],
    taken: &BTreeMap<String, (String, u32)>,
) -> Result<(Vec<Rule>, Vec<Policy>), PolicyError> {
    let mut problems = Vec::new();
    let mut rules = Vec::new();
    let mut policies = Vec::new();
    let mut seen = taken.clone();
    for file in files {
        let Some(loaded) = load_file(schema, file, &mut problems) else {
            continue;
        };
        for (rule, policy) in loaded.rules.into_iter().zip(loaded.policies) {
            if let Some((f, l)) = seen.get(&rule.id) {
                problems.push(PolicyProblem {
                    file: rule.file.clone(),
                    line: Some(rule.line),
                    kind: ProblemKind::DuplicateId,
                    message: format!("duplicate @id {:?}; first used at {f}:{l}", rule.id),
                });
                continue;
            }
            seen.insert(rule.id.clone(), (rule.file.clone(), rule.line));
            rules.push(rule);
            policies.push(policy);
        }
    }
    if problems.is_empty() {
        Ok((rules, policies))
    } else {
        Err(PolicyError { problems })
    }
}

/// A jurisdiction of the law base: `catalog/laws/jurisdictions.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    /// The file is `laws/<id>.cedar`; every rule id in it starts with `<id>.`.
    pub id: String,
    pub name: String,
    /// The countries whose data subjects the rules protect (ISO 3166-1 alpha-2).
    pub subjects: Vec<String>,
    pub summary: String,
    pub as_of: String,
    /// What the file deliberately does not cover ("no rule" for a class, and why).
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    jurisdiction: Vec<Jurisdiction>,
}

/// Parses the jurisdiction list.
pub fn parse_jurisdictions(name: &str, text: &str) -> Result<Vec<Jurisdiction>, PolicyError> {
    toml::from_str::<Manifest>(text)
        .map(|m| m.jurisdiction)
        .map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            PolicyError::one(
                name,
                line,
                ProblemKind::Jurisdiction,
                e.message().to_string(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        parse_schema("schema", crate::embedded::SCHEMA).unwrap()
    }

    const GOOD: &str = r#"
@id("xx.law.1")
@law("A law")
@article("Art. 1")
@source("https://example.org/law")
@as_of("2026-11-26")
@confidence("statute")
@kind("localize")
@summary("Stays here.")
forbid (principal, action, resource)
when { context.subject == Country::"XX" }
unless { resource in Country::"XX" };
"#;

    #[test]
    fn a_good_law_loads_with_its_line_and_citation() {
        let (rules, policies) = load_rules(
            &schema(),
            &[PolicyFile::law("xx.cedar", GOOD)],
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(policies.len(), 1);
        assert_eq!(rules[0].id, "xx.law.1");
        assert_eq!(rules[0].line, 2);
        let c = rules[0].citation.as_ref().unwrap();
        assert_eq!(c.kind, RuleKind::Localize);
        assert_eq!(c.confidence, Confidence::Statute);
    }

    #[test]
    fn a_policy_that_does_not_match_the_schema_is_refused_with_its_line() {
        let bad = GOOD.replace("context.subject ==", "context.subjekt ==");
        let e = load_rules(
            &schema(),
            &[PolicyFile::law("xx.cedar", bad)],
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        assert_eq!(e.problems[0].line, Some(11), "{e}");
        assert!(e.problems[0].message.contains("schema"), "{e}");
    }

    #[test]
    fn an_unknown_data_class_is_refused() {
        let bad = GOOD.replace(
            "context.subject == Country::\"XX\"",
            "context.classes.contains(DataClass::\"helth\")",
        );
        let e = load_rules(
            &schema(),
            &[PolicyFile::law("xx.cedar", bad)],
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("helth"), "{e}");
    }

    #[test]
    fn a_syntax_error_names_the_line() {
        let bad = GOOD.replace("unless {", "unless (");
        let e = load_rules(
            &schema(),
            &[PolicyFile::law("xx.cedar", bad)],
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert_eq!(e.problems[0].line, Some(12), "{e}");
    }

    #[test]
    fn a_law_without_its_citation_is_refused() {
        let bad = GOOD.replace("@article(\"Art. 1\")\n", "");
        let e = load_rules(
            &schema(),
            &[PolicyFile::law("xx.cedar", bad)],
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("lacks @article"), "{e}");
    }

    #[test]
    fn tenant_policies_need_no_annotations_but_ids_must_be_unique() {
        let text = "permit (principal == Tenant::\"t\", action, resource);\nforbid (principal == Tenant::\"t\", action, resource) when { context.subject == Country::\"FR\" };";
        let (rules, _) = load_rules(
            &schema(),
            &[PolicyFile::tenant("t.cedar", text)],
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(rules[0].id, "t.cedar:1");
        assert_eq!(rules[1].id, "t.cedar:2");
        let e = load_rules(
            &schema(),
            &[
                PolicyFile::law("a.cedar", GOOD),
                PolicyFile::law("b.cedar", GOOD),
            ],
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("duplicate @id \"xx.law.1\"; first used at a.cedar:2"),
            "{e}"
        );
    }

    #[test]
    fn a_law_may_not_permit() {
        let bad = GOOD.replace("forbid", "permit");
        let e = load_rules(
            &schema(),
            &[PolicyFile::law("xx.cedar", bad)],
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("is a permit"), "{e}");
    }

    #[test]
    fn a_tenant_policy_without_a_tenant_is_refused_with_its_line() {
        let text = "forbid (principal == Tenant::\"a\", action, resource);\n\nforbid (principal, action, resource) when { resource.partition == \"china\" };";
        let e = load_rules(
            &schema(),
            &[PolicyFile::tenant("t.cedar", text)],
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        assert_eq!(e.problems[0].kind, ProblemKind::UnscopedTenantPolicy);
        assert_eq!(e.problems[0].line, Some(3));
        assert_eq!(e.problems[0].file, "t.cedar");
        // `principal is Tenant` names no tenant either.
        let text = "forbid (principal is Tenant, action, resource);";
        let e = load_rules(
            &schema(),
            &[PolicyFile::tenant("t.cedar", text)],
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(e.has(ProblemKind::UnscopedTenantPolicy), "{e}");
    }

    #[test]
    fn tenants_named_lists_the_tenants_of_a_file() {
        let text = "permit (principal == Tenant::\"b\", action, resource);\nforbid (principal in Tenant::\"a\", action, resource);\nforbid (principal is Tenant in Tenant::\"a\", action, resource);";
        let named = tenants_named(&PolicyFile::tenant("t.cedar", text)).unwrap();
        assert_eq!(named.into_iter().collect::<Vec<_>>(), ["a", "b"]);
        let e = tenants_named(&PolicyFile::tenant(
            "t.cedar",
            "permit (principal, action, resource);",
        ))
        .unwrap_err();
        assert!(e.has(ProblemKind::UnscopedTenantPolicy), "{e}");
    }

    #[test]
    fn rules_carry_their_tenant_and_actions() {
        let text = "permit (principal == Tenant::\"a\", action in [Action::\"log\", Action::\"store\"], resource);\nforbid (principal == Tenant::\"a\", action, resource);";
        let (rules, _) = load_rules(
            &schema(),
            &[PolicyFile::tenant("t.cedar", text)],
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(rules[0].tenant.as_deref(), Some("a"));
        assert_eq!(rules[0].actions, [Action::Store, Action::Log]);
        assert_eq!(rules[1].actions, Action::ALL);
    }

    #[test]
    fn lines_are_right_in_a_long_file() {
        let one = "forbid (principal == Tenant::\"a\", action, resource)\n  when { resource.status == \"retired\" };\n";
        let (rules, _) = load_rules(
            &schema(),
            &[PolicyFile::tenant("t.cedar", one.repeat(500))],
            &BTreeMap::new(),
        )
        .unwrap();
        for (n, r) in rules.iter().enumerate() {
            assert_eq!(r.line, u32::try_from(2 * n + 1).unwrap());
        }
    }

    #[test]
    fn too_deep_a_policy_is_refused_before_cedar_sees_it() {
        for (name, text) in [
            (
                "parens.cedar",
                format!(
                    "forbid (principal == Tenant::\"a\", action, resource)\nwhen {{ {}true{} }};",
                    "(".repeat(600),
                    ")".repeat(600)
                ),
            ),
            (
                "chain.cedar",
                format!(
                    "forbid (principal == Tenant::\"a\", action, resource)\nunless {{ {} }};",
                    (0..7000)
                        .map(|i| format!("resource == Region::\"aws:r{i}\""))
                        .collect::<Vec<_>>()
                        .join(" || ")
                ),
            ),
        ] {
            let e = load_rules(
                &schema(),
                &[PolicyFile::tenant(name, text.as_str())],
                &BTreeMap::new(),
            )
            .unwrap_err();
            assert_eq!(e.problems.len(), 1, "{e}");
            assert_eq!(e.problems[0].kind, ProblemKind::TooDeep, "{e}");
            assert_eq!(e.problems[0].line, Some(2), "{e}");
            assert_eq!(e.problems[0].file, name);
            let law = text.replace("principal == Tenant::\"a\"", "principal");
            let e = load_rules(
                &schema(),
                &[PolicyFile::law(name, law.as_str())],
                &BTreeMap::new(),
            )
            .unwrap_err();
            assert_eq!(e.problems[0].kind, ProblemKind::TooDeep, "{e}");
        }
    }
}
