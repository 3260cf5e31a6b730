//! Reading policy files: Cedar parsing, schema validation, and the annotations every law must
//! carry. A file that fails any check is refused whole, with every problem named by file and line.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use cedar_policy::{Policy, PolicyId, PolicySet, Schema, ValidationMode, Validator};
use miette::Diagnostic;
use serde::Deserialize;

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
}

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    pub file: String,
    /// 1-based; absent when the problem is about the file as a whole.
    pub line: Option<u32>,
    pub message: String,
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Every problem found; nothing was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub problems: Vec<PolicyProblem>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{n} problem{} in the policies; nothing was loaded:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

impl PolicyError {
    pub(crate) fn one(file: &str, line: Option<u32>, message: impl Into<String>) -> Self {
        PolicyError {
            problems: vec![PolicyProblem {
                file: file.to_string(),
                line,
                message: message.into(),
            }],
        }
    }
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

fn load_file(
    schema: &Schema,
    file: &PolicyFile<'_>,
    problems: &mut Vec<PolicyProblem>,
) -> Option<LoadedFile> {
    let text: &str = &file.text;
    let before = problems.len();
    let mut push = |line: Option<u32>, message: String| {
        problems.push(PolicyProblem {
            file: file.name.clone(),
            line,
            message,
        })
    };
    let set = match PolicySet::from_str(text) {
        Ok(set) => set,
        Err(errors) => {
            for e in errors.iter() {
                let (line, message) = diagnostic(text, e);
                push(line, message);
            }
            return None;
        }
    };
    if set.templates().next().is_some() {
        push(
            None,
            "policy templates (with ?principal or ?resource slots) are not supported; write plain policies".into(),
        );
        return None;
    }
    let count = set.policies().count();

    // Cedar numbers the policies of a text policy0, policy1, ... in the order they are written;
    // each one's text is a slice of the file, found by searching on from the previous one.
    let mut lines = BTreeMap::new();
    let mut search_from = 0;
    let mut rules = Vec::with_capacity(count);
    let mut policies = Vec::with_capacity(count);
    for n in 0..count {
        let cedar_id = PolicyId::new(format!("policy{n}"));
        let Some(policy) = set.policy(&cedar_id) else {
            push(None, format!("internal: Cedar did not number policy {n}"));
            continue;
        };
        let own = policy.to_string();
        let offset = text[search_from..]
            .find(own.as_str())
            .map(|at| search_from + at)
            .unwrap_or(search_from);
        search_from = offset + own.len().min(text.len() - offset);
        let line = line_of(text, offset);
        lines.insert(cedar_id.clone(), line);

        let effect = match policy.effect() {
            cedar_policy::Effect::Permit => Effect::Permit,
            cedar_policy::Effect::Forbid => Effect::Forbid,
        };
        let get = |key: &str| policy.annotation(key).map(str::to_string);
        for (key, _) in policy.annotations() {
            if !LAW_ANNOTATIONS.contains(&key) && !OPTIONAL_ANNOTATIONS.contains(&key) {
                push(
                    Some(line),
                    format!(
                        "unknown annotation @{key}; expected: {}",
                        [LAW_ANNOTATIONS, OPTIONAL_ANNOTATIONS].concat().join(", ")
                    ),
                );
            }
        }
        let id = match get("id") {
            Some(id) if valid_id(&id) => id,
            Some(id) => {
                push(
                    Some(line),
                    format!("@id({id:?}): use lowercase letters, digits and . _ - :"),
                );
                continue;
            }
            None if file.origin == Origin::Tenant => format!("{}:{line}", file.name),
            None => {
                push(Some(line), "a law needs an @id annotation".into());
                continue;
            }
        };
        let citation = if file.origin == Origin::Law {
            let missing: Vec<&str> = LAW_ANNOTATIONS
                .iter()
                .copied()
                .filter(|k| policy.annotation(k).is_none())
                .collect();
            if !missing.is_empty() {
                push(
                    Some(line),
                    format!("law {id} lacks @{}", missing.join(", @")),
                );
                continue;
            }
            if effect != Effect::Forbid {
                push(
                    Some(line),
                    format!(
                        "law {id} is a permit; the law base holds only forbid rules over the default permit"
                    ),
                );
                continue;
            }
            let confidence = get("confidence").unwrap_or_default();
            let kind = get("kind").unwrap_or_default();
            let as_of = get("as_of").unwrap_or_default();
            let source = get("source").unwrap_or_default();
            let (Some(confidence), Some(kind)) =
                (Confidence::parse(&confidence), RuleKind::parse(&kind))
            else {
                push(
                    Some(line),
                    format!(
                        "law {id}: @confidence({confidence:?}) must be statute, regulator_guidance or interpretation, and @kind({kind:?}) localize, local_copy, transfer or destination"
                    ),
                );
                continue;
            };
            if !valid_date(&as_of) {
                push(
                    Some(line),
                    format!("law {id}: @as_of({as_of:?}) must be a date, YYYY-MM-DD"),
                );
                continue;
            }
            if !(source.starts_with("https://") || source.starts_with("http://")) {
                push(
                    Some(line),
                    format!("law {id}: @source({source:?}) must be an http(s) address"),
                );
                continue;
            }
            Some(Citation {
                law: get("law").unwrap_or_default(),
                article: get("article").unwrap_or_default(),
                source,
                as_of,
                confidence,
                kind,
            })
        } else {
            None
        };
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
        });
        policies.push(policy.new_id(PolicyId::new(id)));
    }

    // The validator checks a policy once per action it may apply to; one message per problem
    // is enough, so the action names are folded and repeats dropped.
    let validation = Validator::new(schema.clone()).validate(&set, ValidationMode::Strict);
    let mut said = std::collections::BTreeSet::new();
    for e in validation.validation_errors() {
        let (line, mut message) = diagnostic(text, e);
        let line = line.or_else(|| lines.get(e.policy_id()).copied());
        for a in crate::Action::ALL {
            message = message.replace(&format!("Action::\"{a}\""), "an action");
        }
        if let Some(n) = rules
            .iter()
            .position(|r| r.line == lines.get(e.policy_id()).copied().unwrap_or(0))
        {
            message = message.replace(
                &format!("policy `{}`", e.policy_id()),
                &format!("policy `{}`", rules[n].id),
            );
        }
        if said.insert((line, message.clone())) {
            push(line, format!("does not match the schema: {message}"));
        }
    }
    (problems.len() == before).then_some(LoadedFile { rules, policies })
}

/// The schema, parsed.
pub fn parse_schema(name: &str, text: &str) -> Result<Schema, PolicyError> {
    Schema::from_cedarschema_str(text)
        .map(|(schema, _warnings)| schema)
        .map_err(|e| {
            let (line, message) = diagnostic(text, &e);
            PolicyError::one(name, line, message)
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
            PolicyError::one(name, line, e.message().to_string())
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
        let text = "permit (principal, action, resource);\nforbid (principal, action, resource) when { context.subject == Country::\"FR\" };";
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
}
