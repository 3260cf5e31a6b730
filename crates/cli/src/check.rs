//! `footprint check` and `footprint laws`: residency decisions with their reasons, and the law
//! base's jurisdictions.

use std::io::Write;

use footprint_model::{CountryCode, RegionId, World};
use footprint_policy::{
    Action, DataClass, Engine, Explanation, Mechanisms, Request, Rule, RuleKind,
};
use serde_json::{Value, json};

use crate::input::bad;
use crate::table::Table;

pub const NOT_LEGAL_ADVICE: &str = "Not legal advice: the law base is a cited summary of the rules \
that decide where data may be, with how sure we are of each one. Check with counsel.";

pub struct CheckArgs {
    pub tenant: String,
    pub class: DataClass,
    pub subject: String,
    pub action: Action,
    pub mechanisms: Mechanisms,
    pub region: Option<String>,
    pub json: bool,
}

/// How a rule took part in a decision.
#[derive(Clone, Copy)]
enum Outcome {
    Forbids,
    Permits,
    ExceptionMet,
    Error,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Forbids => "forbids",
            Outcome::Permits => "permits",
            Outcome::ExceptionMet => "exception_met",
            Outcome::Error => "error",
        }
    }
}

fn reasons<'e>(engine: &'e Engine, why: &Explanation) -> Vec<(Outcome, &'e Rule, Option<String>)> {
    let rules = engine.rules();
    let mut out = Vec::new();
    out.extend(
        why.forbidden_by
            .iter()
            .map(|i| (Outcome::Forbids, &rules[*i], None)),
    );
    out.extend(
        why.errors
            .iter()
            .map(|(i, e)| (Outcome::Error, &rules[*i], Some(e.clone()))),
    );
    out.extend(
        why.exceptions
            .iter()
            .map(|i| (Outcome::ExceptionMet, &rules[*i], None)),
    );
    out.extend(
        why.permitted_by
            .iter()
            .filter(|i| rules[**i].id != footprint_policy::DEFAULT_PERMIT)
            .map(|i| (Outcome::Permits, &rules[*i], None)),
    );
    out
}

/// Denied because the tenant's allow-list has no permit that holds here (and nothing else).
fn not_listed(why: &Explanation) -> bool {
    !why.allowed && why.allow_list && why.permitted_by.is_empty()
}

fn reason_json(outcome: Outcome, rule: &Rule, error: Option<&str>) -> Value {
    let mut v = json!({
        "rule": rule.id,
        "outcome": outcome.as_str(),
        "effect": rule.effect.as_str(),
        "origin": match rule.origin {
            footprint_policy::Origin::Law => "law",
            footprint_policy::Origin::Tenant => "tenant",
        },
        "file": rule.file,
        "line": rule.line,
        "summary": rule.summary,
    });
    if let Some(c) = &rule.citation {
        v["law"] = json!(c.law);
        v["article"] = json!(c.article);
        v["source"] = json!(c.source);
        v["as_of"] = json!(c.as_of);
        v["confidence"] = json!(c.confidence.as_str());
        v["kind"] = json!(c.kind.as_str());
    }
    if let Some(n) = &rule.note {
        v["note"] = json!(n);
    }
    if let Some(e) = error {
        v["error"] = json!(e);
    }
    v
}

fn short(rule: &Rule) -> String {
    match &rule.citation {
        Some(c) => format!("{} ({})", rule.id, short_law(&c.law)),
        None => format!("{} ({}:{})", rule.id, rule.file, rule.line),
    }
}

/// The law's abbreviation if it ends with one in parentheses, else its name.
fn short_law(law: &str) -> &str {
    match (law.rfind('('), law.rfind(')')) {
        (Some(a), Some(b)) if b > a + 1 => &law[a + 1..b],
        _ => law,
    }
}

/// Every tenant policy file must name the tenant asked about: a file about another tenant would
/// otherwise be silently ignored, and the answer taken for one under the file's rules.
fn check_tenant_files(engine: &Engine, tenant: &str) -> anyhow::Result<()> {
    for (file, names) in engine.tenant_files() {
        if !names.contains(tenant) {
            let named: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
            return Err(bad(format!(
                "--tenant-policy {file} names {}, not --tenant {tenant:?}, so none of its rules would apply; pass --tenant with a tenant the file names, or that tenant's own file",
                if named.is_empty() {
                    "no tenant".to_string()
                } else {
                    format!("only {}", named.join(", "))
                }
            )));
        }
    }
    Ok(())
}

pub fn run(
    world: &World,
    engine: &Engine,
    args: &CheckArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    check_tenant_files(engine, &args.tenant)?;
    let subject = CountryCode::parse(&args.subject)
        .filter(|c| world.country(*c).is_some())
        .ok_or_else(|| {
            bad(format!(
                "--subject {:?}: not a country in the catalog; expected an ISO 3166-1 alpha-2 code such as MX",
                args.subject
            ))
        })?;
    let region = match &args.region {
        Some(key) => Some(
            world
                .find_region(key)
                .map_err(|e| bad(format!("--region {key:?}: {e}")))?,
        ),
        None => None,
    };
    let request = Request {
        tenant: &args.tenant,
        class: args.class,
        subject,
        action: args.action,
        mechanisms: args.mechanisms,
        region: region.unwrap_or(RegionId(0)),
    };
    let decided: Vec<(RegionId, Explanation)> = match region {
        Some(id) => vec![(id, engine.explain(&request)?)],
        // Every region at once: one pass per rule, not one per region.
        None => world
            .region_ids()
            .zip(engine.explain_all(&request)?)
            .collect(),
    };
    let allowed = decided.iter().filter(|(_, w)| w.allowed).count();
    let mechanisms: Vec<&str> = args.mechanisms.iter().map(|m| m.as_str()).collect();

    if args.json {
        let rows: Vec<Value> = decided
            .iter()
            .map(|(id, why)| {
                let r = world.region(*id);
                json!({
                    "region": r.key(),
                    "name": r.name,
                    "country": r.country,
                    "status": r.status.as_str(),
                    "allowed": why.allowed,
                    "allow_list": why.allow_list,
                    "reasons": reasons(engine, why)
                        .into_iter()
                        .map(|(o, rule, e)| reason_json(o, rule, e.as_deref()))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        let value = json!({
            "request": {
                "tenant": args.tenant,
                "class": args.class.as_str(),
                "subject": subject,
                "action": args.action.as_str(),
                "mechanisms": mechanisms,
            },
            "allowed_count": allowed,
            "region_count": decided.len(),
            "regions": rows,
            "notice": NOT_LEGAL_ADVICE,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }

    writeln!(
        out,
        "May tenant {:?} {} {} data about people in {} ({}), holding {}?",
        args.tenant,
        args.action,
        args.class,
        subject,
        world.country(subject).map_or("", |c| c.name.as_str()),
        if mechanisms.is_empty() {
            "no transfer mechanism".to_string()
        } else {
            mechanisms.join(", ")
        }
    )?;
    writeln!(out)?;
    if let [(id, why)] = decided.as_slice() {
        let r = world.region(*id);
        writeln!(
            out,
            "{} ({}, {}): {}",
            r.key(),
            r.name,
            r.country,
            if why.allowed { "ALLOWED" } else { "FORBIDDEN" }
        )?;
        let all = reasons(engine, why);
        if not_listed(why) {
            writeln!(out)?;
            writeln!(
                out,
                "  not in the tenant's allow-list: none of {:?}'s permits for {} holds for this region",
                args.tenant, args.action
            )?;
        } else if all.is_empty() {
            writeln!(out, "  No rule of the law base applies to this data.")?;
        }
        for (outcome, rule, error) in all {
            let heading = match outcome {
                Outcome::Forbids => "forbidden by",
                Outcome::Permits => "permitted by",
                Outcome::ExceptionMet => "applies, but its exception is met",
                Outcome::Error => "failed to evaluate, so denied",
            };
            writeln!(out)?;
            writeln!(out, "  {heading}: {}", rule.id)?;
            if let Some(c) = &rule.citation {
                writeln!(out, "    {}, {}", c.law, c.article)?;
                writeln!(
                    out,
                    "    kind: {} ({}); confidence: {}; as of {}",
                    c.kind.as_str(),
                    c.kind.describe(),
                    c.confidence.as_str(),
                    c.as_of
                )?;
                writeln!(out, "    source: {}", c.source)?;
            } else {
                writeln!(out, "    {}:{}", rule.file, rule.line)?;
            }
            if let Some(s) = &rule.summary {
                writeln!(out, "    {s}")?;
            }
            if let Some(n) = &rule.note {
                writeln!(out, "    note: {n}")?;
            }
            if let Some(e) = error {
                writeln!(out, "    error: {e}")?;
            }
        }
    } else {
        let mut t = Table::new(&["REGION", "COUNTRY", "ALLOWED", "WHY"]);
        for (id, why) in &decided {
            let r = world.region(*id);
            let all = reasons(engine, why);
            let text = if why.allowed {
                let met: Vec<String> = all
                    .iter()
                    .filter(|(o, _, _)| matches!(o, Outcome::ExceptionMet | Outcome::Permits))
                    .map(|(_, rule, _)| rule.id.clone())
                    .collect();
                if met.is_empty() {
                    "no rule applies".to_string()
                } else {
                    format!("exception met: {}", met.join(", "))
                }
            } else {
                let mut why_not: Vec<String> = all
                    .iter()
                    .filter(|(o, _, _)| matches!(o, Outcome::Forbids | Outcome::Error))
                    .map(|(o, rule, _)| match o {
                        Outcome::Error => format!("{} failed to evaluate", rule.id),
                        _ => short(rule),
                    })
                    .collect();
                if not_listed(why) {
                    why_not.push("not in the tenant's allow-list".to_string());
                }
                why_not.join("; ")
            };
            t.row(vec![
                r.key(),
                r.country.to_string(),
                if why.allowed { "yes" } else { "no" }.to_string(),
                text,
            ]);
        }
        out.write_all(t.render().as_bytes())?;
        writeln!(out)?;
        writeln!(
            out,
            "{allowed} of {} regions allowed. `--region provider:code` explains one in full.",
            decided.len()
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{NOT_LEGAL_ADVICE}")?;
    Ok(())
}

/// The jurisdictions of the law base, with their rules by kind.
pub fn laws(engine: &Engine, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let rules_of = |id: &str| -> Vec<&Rule> {
        engine
            .rules()
            .iter()
            .filter(|r| r.id.starts_with(&format!("{id}.")))
            .collect()
    };
    let kinds = [
        RuleKind::Localize,
        RuleKind::LocalCopy,
        RuleKind::Transfer,
        RuleKind::Destination,
    ];
    if json {
        let rows: Vec<Value> = engine
            .jurisdictions()
            .iter()
            .map(|j| {
                let rules = rules_of(&j.id);
                json!({
                    "id": j.id,
                    "name": j.name,
                    "subjects": j.subjects,
                    "summary": j.summary,
                    "as_of": j.as_of,
                    "note": j.note,
                    "rules": rules.iter().map(|r| reason_json(Outcome::Forbids, r, None)).collect::<Vec<_>>(),
                })
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(
                &json!({ "jurisdictions": rows, "notice": NOT_LEGAL_ADVICE })
            )?
        )?;
        return Ok(());
    }
    let mut t = Table::new(&[
        "ID",
        "JURISDICTION",
        ">RULES",
        "LOCALIZE",
        "LOCAL COPY",
        "TRANSFER",
        "DESTINATION",
    ]);
    for j in engine.jurisdictions() {
        let rules = rules_of(&j.id);
        let mut row = vec![j.id.clone(), j.name.clone(), rules.len().to_string()];
        for k in kinds {
            let n = rules
                .iter()
                .filter(|r| r.citation.as_ref().is_some_and(|c| c.kind == k))
                .count();
            row.push(if n == 0 { "-".into() } else { n.to_string() });
        }
        t.row(row);
    }
    out.write_all(t.render().as_bytes())?;
    writeln!(out)?;
    writeln!(
        out,
        "{} jurisdictions, {} rules. Kinds: localize = {}; local copy = {}; transfer = {}; destination = {}.",
        engine.jurisdictions().len(),
        engine.rules().len() - 1,
        RuleKind::Localize.describe(),
        RuleKind::LocalCopy.describe(),
        RuleKind::Transfer.describe(),
        RuleKind::Destination.describe(),
    )?;
    writeln!(
        out,
        "`footprint laws --json` lists every rule with its citation."
    )?;
    writeln!(out)?;
    writeln!(out, "{NOT_LEGAL_ADVICE}")?;
    Ok(())
}
