//! A second evaluator of Cedar policies, over every region at once.
//!
//! Compiling the tables asks the same question for hundreds of regions and thousands of
//! (class, subject, action) combinations; Cedar's authorizer answers one request at a time, in
//! microseconds. This evaluator takes a policy in Cedar's JSON form and evaluates it for a whole
//! row of regions: a value that does not depend on the region is computed once, a value that does
//! is a lane per region. It follows Cedar's semantics exactly, errors included (short-circuit
//! `&&`, `||` and `if`, type errors, missing entities and attributes, overflow), and the tests
//! compare it with Cedar on random policies and requests. It is an optimisation: Cedar stays the
//! reference.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde_json::Value as Json;

/// An entity, interned.
pub(crate) type Eid = u32;

/// A Cedar value (no extension types: footprint builds Cedar without them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Val {
    Bool(bool),
    Long(i64),
    Str(Arc<str>),
    Entity(Eid),
    /// Sorted and without duplicates, so that equality is set equality.
    Set(Arc<[Val]>),
    /// Sorted by key, keys unique.
    Record(Arc<[(Arc<str>, Val)]>),
}

impl Val {
    pub(crate) fn set(mut items: Vec<Val>) -> Val {
        items.sort();
        items.dedup();
        Val::Set(items.into())
    }

    pub(crate) fn record(mut fields: Vec<(Arc<str>, Val)>) -> Val {
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        Val::Record(fields.into())
    }
}

/// Why an evaluation failed. Cedar would skip the policy; footprint denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EvalError {
    Type,
    MissingEntity,
    MissingAttribute,
    Overflow,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EvalError::Type => "a value has the wrong type",
            EvalError::MissingEntity => "an entity does not exist",
            EvalError::MissingAttribute => "an attribute does not exist",
            EvalError::Overflow => "integer overflow",
        })
    }
}

type R = Result<Val, EvalError>;

/// An entity's data: attributes sorted by name, ancestors transitive and sorted.
#[derive(Debug, Clone)]
pub(crate) struct EntityData {
    pub ty: Arc<str>,
    pub exists: bool,
    pub attrs: Vec<(Arc<str>, Val)>,
    pub ancestors: Vec<Eid>,
}

/// Every entity the policies and requests can name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    pub entities: Vec<EntityData>,
    /// By type, then id: looked up with borrowed strings, no allocation.
    index: HashMap<Arc<str>, HashMap<Arc<str>, Eid>>,
}

impl Store {
    /// The entity's id, interning it (as not existing) if it is new.
    pub(crate) fn intern(&mut self, ty: &str, id: &str) -> Eid {
        if let Some(e) = self.get(ty, id) {
            return e;
        }
        let eid = Eid::try_from(self.entities.len()).unwrap_or(Eid::MAX);
        let ty: Arc<str> = match self.index.get_key_value(ty) {
            Some((k, _)) => k.clone(),
            None => ty.into(),
        };
        self.entities.push(EntityData {
            ty: ty.clone(),
            exists: false,
            attrs: Vec::new(),
            ancestors: Vec::new(),
        });
        self.index.entry(ty).or_default().insert(id.into(), eid);
        eid
    }

    pub(crate) fn get(&self, ty: &str, id: &str) -> Option<Eid> {
        self.index.get(ty)?.get(id).copied()
    }

    /// Marks an entity as existing, with its attributes and direct parents.
    pub(crate) fn define(&mut self, eid: Eid, mut attrs: Vec<(Arc<str>, Val)>, parents: Vec<Eid>) {
        attrs.sort_by(|a, b| a.0.cmp(&b.0));
        let e = &mut self.entities[eid as usize];
        e.exists = true;
        e.attrs = attrs;
        e.ancestors = parents;
    }

    /// Closes every entity's ancestors transitively (the hierarchy is shallow: a few levels).
    pub(crate) fn close_ancestors(&mut self) {
        loop {
            let mut changed = false;
            for i in 0..self.entities.len() {
                let mut all = self.entities[i].ancestors.clone();
                for a in &self.entities[i].ancestors {
                    all.extend_from_slice(&self.entities[*a as usize].ancestors);
                }
                all.sort_unstable();
                all.dedup();
                if all != self.entities[i].ancestors {
                    self.entities[i].ancestors = all;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    fn is_in(&self, a: Eid, b: Eid) -> bool {
        a == b
            || self.entities[a as usize]
                .ancestors
                .binary_search(&b)
                .is_ok()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Var {
    Principal,
    Action,
    Resource,
    Context,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bin {
    Eq,
    Ne,
    In,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Contains,
    ContainsAll,
    ContainsAny,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pat {
    /// `*`: any run of characters, the empty one included.
    Wildcard,
    /// One character, matched exactly (a `\*` in the pattern is this, with `*`).
    Char(char),
}

/// A policy expression.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Lit(Val),
    Var(Var),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Bin(Bin, Box<Expr>, Box<Expr>),
    IsEmpty(Box<Expr>),
    Get(Box<Expr>, Arc<str>),
    Has(Box<Expr>, Arc<str>),
    Like(Box<Expr>, Arc<[Pat]>),
    Is(Box<Expr>, Arc<str>),
    SetLit(Vec<Expr>),
    RecordLit(Vec<(Arc<str>, Expr)>),
    /// A subexpression that reads only `resource`, evaluated ahead for every region.
    Pre(Arc<Ahead>),
}

/// A subexpression's value for every region. When every value is a boolean or a failure (most
/// are: `resource in Bloc::"EU"`), only bitsets and the failures' kinds are kept: two bits a
/// region instead of a value, which matters with 100,000 regions and hundreds of rules; and
/// evaluating it over all regions costs a copy of a few words.
#[derive(Debug)]
pub(crate) enum Ahead {
    Bits {
        bits: Bits,
        /// The kind of each failure, by lane, in lane order.
        errors: Vec<(usize, EvalError)>,
    },
    Values(Vec<R>),
}

impl Ahead {
    fn new(values: Vec<R>) -> Ahead {
        if !values
            .iter()
            .all(|r| matches!(r, Ok(Val::Bool(_)) | Err(_)))
        {
            return Ahead::Values(values);
        }
        let errors = values
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().err().map(|e| (i, *e)))
            .collect();
        Ahead::Bits {
            bits: Bits::from_each(&values),
            errors,
        }
    }

    /// One region's value.
    fn lane(&self, i: usize) -> R {
        match self {
            Ahead::Values(v) => v.get(i).cloned().unwrap_or(Err(EvalError::Type)),
            Ahead::Bits { bits, errors } => {
                if i >= bits.n {
                    return Err(EvalError::Type);
                }
                match errors.binary_search_by_key(&i, |(lane, _)| *lane) {
                    Ok(at) => Err(errors[at].1),
                    Err(_) => bits.get(i),
                }
            }
        }
    }

    /// Whether every region's value is a boolean.
    fn all_bool(&self) -> bool {
        match self {
            Ahead::Values(v) => v.iter().all(|r| matches!(r, Ok(Val::Bool(_)))),
            Ahead::Bits { errors, .. } => errors.is_empty(),
        }
    }
}

impl Expr {
    fn and(a: Expr, b: Expr) -> Expr {
        Expr::And(Box::new(a), Box::new(b))
    }

    /// Whether the expression reads the variable.
    pub(crate) fn uses(&self, v: Var) -> bool {
        match self {
            Expr::Lit(_) => false,
            Expr::Pre(_) => v == Var::Resource,
            Expr::Var(x) => *x == v,
            Expr::Not(a)
            | Expr::Neg(a)
            | Expr::IsEmpty(a)
            | Expr::Get(a, _)
            | Expr::Has(a, _)
            | Expr::Like(a, _)
            | Expr::Is(a, _) => a.uses(v),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Bin(_, a, b) => a.uses(v) || b.uses(v),
            Expr::If(a, b, c) => a.uses(v) || b.uses(v) || c.uses(v),
            Expr::SetLit(items) => items.iter().any(|e| e.uses(v)),
            Expr::RecordLit(fields) => fields.iter().any(|(_, e)| e.uses(v)),
        }
    }
}

/// A policy's condition in the evaluator's form.
#[derive(Debug, Clone)]
pub(crate) struct Condition {
    /// The scope and every `when` and `unless` clause, in Cedar's order: the policy is satisfied
    /// where this is true.
    pub full: Expr,
    /// The scope and the `when` clauses only: where the rule applies (its `unless` clauses are
    /// its exceptions).
    pub applies: Expr,
    /// The scope's `principal == Tenant::"x"` or `principal in Tenant::"x"`, if it has one.
    pub tenant: Option<Eid>,
}

/// Why a policy's JSON could not be turned into the evaluator's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unsupported(pub String);

fn unsupported<T>(what: impl Into<String>) -> Result<T, Unsupported> {
    Err(Unsupported(what.into()))
}

fn field<'a>(j: &'a Json, key: &str) -> Result<&'a Json, Unsupported> {
    j.get(key)
        .ok_or_else(|| Unsupported(format!("missing `{key}` in {j}")))
}

fn text<'a>(j: &'a Json, key: &str) -> Result<&'a str, Unsupported> {
    field(j, key)?
        .as_str()
        .ok_or_else(|| Unsupported(format!("`{key}` is not a string in {j}")))
}

fn entity_ref(store: &mut Store, j: &Json) -> Result<Eid, Unsupported> {
    let j = j.get("__entity").unwrap_or(j);
    Ok(store.intern(text(j, "type")?, text(j, "id")?))
}

fn literal(store: &mut Store, j: &Json) -> Result<Val, Unsupported> {
    Ok(match j {
        Json::Bool(b) => Val::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(n) => Val::Long(n),
            None => return unsupported(format!("number {n}")),
        },
        Json::String(s) => Val::Str(s.as_str().into()),
        Json::Array(items) => Val::set(
            items
                .iter()
                .map(|i| literal(store, i))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(map) => {
            if map.contains_key("__entity") {
                Val::Entity(entity_ref(store, j)?)
            } else if map.contains_key("__extn") {
                return unsupported("extension values");
            } else {
                Val::record(
                    map.iter()
                        .map(|(k, v)| Ok((Arc::from(k.as_str()), literal(store, v)?)))
                        .collect::<Result<_, Unsupported>>()?,
                )
            }
        }
        Json::Null => return unsupported("null"),
    })
}

fn boxed(store: &mut Store, j: &Json, key: &str) -> Result<Box<Expr>, Unsupported> {
    Ok(Box::new(expr(store, field(j, key)?)?))
}

/// Converts an expression in Cedar's JSON policy format.
pub(crate) fn expr(store: &mut Store, j: &Json) -> Result<Expr, Unsupported> {
    let Some(map) = j.as_object() else {
        return unsupported(format!("expression {j}"));
    };
    let Some((op, arg)) = map.iter().next().filter(|_| map.len() == 1) else {
        return unsupported(format!("expression {j}"));
    };
    let bin = |b: Bin, store: &mut Store| -> Result<Expr, Unsupported> {
        Ok(Expr::Bin(
            b,
            boxed(store, arg, "left")?,
            boxed(store, arg, "right")?,
        ))
    };
    Ok(match op.as_str() {
        "Value" => Expr::Lit(literal(store, arg)?),
        "Var" => Expr::Var(match arg.as_str() {
            Some("principal") => Var::Principal,
            Some("action") => Var::Action,
            Some("resource") => Var::Resource,
            Some("context") => Var::Context,
            _ => return unsupported(format!("variable {arg}")),
        }),
        "!" => Expr::Not(boxed(store, arg, "arg")?),
        "neg" => Expr::Neg(boxed(store, arg, "arg")?),
        "==" => bin(Bin::Eq, store)?,
        "!=" => bin(Bin::Ne, store)?,
        "in" => bin(Bin::In, store)?,
        "<" => bin(Bin::Lt, store)?,
        "<=" => bin(Bin::Le, store)?,
        ">" => bin(Bin::Gt, store)?,
        ">=" => bin(Bin::Ge, store)?,
        "+" => bin(Bin::Add, store)?,
        "-" => bin(Bin::Sub, store)?,
        "*" => bin(Bin::Mul, store)?,
        "contains" => bin(Bin::Contains, store)?,
        "containsAll" => bin(Bin::ContainsAll, store)?,
        "containsAny" => bin(Bin::ContainsAny, store)?,
        "&&" => Expr::And(boxed(store, arg, "left")?, boxed(store, arg, "right")?),
        "||" => Expr::Or(boxed(store, arg, "left")?, boxed(store, arg, "right")?),
        "isEmpty" => Expr::IsEmpty(boxed(store, arg, "arg")?),
        "." => Expr::Get(boxed(store, arg, "left")?, text(arg, "attr")?.into()),
        "has" => {
            let left = expr(store, field(arg, "left")?)?;
            match field(arg, "attr")? {
                Json::String(a) => Expr::Has(Box::new(left), a.as_str().into()),
                // `e has a.b.c` is `e has a && e.a has b && e.a.b has c`.
                Json::Array(path) => {
                    let mut names = Vec::new();
                    for p in path {
                        match p.as_str() {
                            Some(p) => names.push(Arc::<str>::from(p)),
                            None => return unsupported(format!("has path {arg}")),
                        }
                    }
                    let mut out: Option<Expr> = None;
                    let mut base = left;
                    for name in names {
                        let test = Expr::Has(Box::new(base.clone()), name.clone());
                        out = Some(match out {
                            None => test,
                            Some(prev) => Expr::and(prev, test),
                        });
                        base = Expr::Get(Box::new(base), name);
                    }
                    match out {
                        Some(e) => e,
                        None => return unsupported("empty has path"),
                    }
                }
                other => return unsupported(format!("has attribute {other}")),
            }
        }
        "like" => {
            let left = boxed(store, arg, "left")?;
            let Some(items) = field(arg, "pattern")?.as_array() else {
                return unsupported(format!("pattern {arg}"));
            };
            let mut pattern = Vec::new();
            for item in items {
                match item {
                    Json::String(w) if w == "Wildcard" => {
                        // Runs of wildcards match what one does.
                        if pattern.last() != Some(&Pat::Wildcard) {
                            pattern.push(Pat::Wildcard);
                        }
                    }
                    Json::Object(m) => match m.get("Literal").and_then(Json::as_str) {
                        Some(s) => pattern.extend(s.chars().map(Pat::Char)),
                        None => return unsupported(format!("pattern element {item}")),
                    },
                    _ => return unsupported(format!("pattern element {item}")),
                }
            }
            Expr::Like(left, pattern.into())
        }
        "is" => {
            let left = expr(store, field(arg, "left")?)?;
            let is = Expr::Is(Box::new(left.clone()), text(arg, "entity_type")?.into());
            match arg.get("in") {
                None => is,
                Some(within) => Expr::and(
                    is,
                    Expr::Bin(Bin::In, Box::new(left), Box::new(expr(store, within)?)),
                ),
            }
        }
        "if-then-else" => Expr::If(
            boxed(store, arg, "if")?,
            boxed(store, arg, "then")?,
            boxed(store, arg, "else")?,
        ),
        "Set" => match arg.as_array() {
            Some(items) => Expr::SetLit(
                items
                    .iter()
                    .map(|i| expr(store, i))
                    .collect::<Result<_, _>>()?,
            ),
            None => return unsupported(format!("set {arg}")),
        },
        "Record" => match arg.as_object() {
            Some(fields) => Expr::RecordLit(
                fields
                    .iter()
                    .map(|(k, v)| Ok((Arc::from(k.as_str()), expr(store, v)?)))
                    .collect::<Result<_, Unsupported>>()?,
            ),
            None => return unsupported(format!("record {arg}")),
        },
        other => return unsupported(format!("the operator or function `{other}`")),
    })
}

/// A scope constraint (`principal`, `action` or `resource` in the policy head) as an expression.
fn scope(store: &mut Store, var: Var, j: &Json) -> Result<Option<Expr>, Unsupported> {
    let v = || Box::new(Expr::Var(var));
    Ok(match text(j, "op")? {
        "All" => None,
        "==" => Some(Expr::Bin(
            Bin::Eq,
            v(),
            Box::new(Expr::Lit(Val::Entity(entity_ref(
                store,
                field(j, "entity")?,
            )?))),
        )),
        "in" => {
            let target = if let Some(list) = j.get("entities").and_then(Json::as_array) {
                Val::set(
                    list.iter()
                        .map(|e| Ok(Val::Entity(entity_ref(store, e)?)))
                        .collect::<Result<_, Unsupported>>()?,
                )
            } else {
                Val::Entity(entity_ref(store, field(j, "entity")?)?)
            };
            Some(Expr::Bin(Bin::In, v(), Box::new(Expr::Lit(target))))
        }
        "is" => {
            let is = Expr::Is(v(), text(j, "entity_type")?.into());
            Some(match j.get("in") {
                None => is,
                Some(within) => Expr::and(
                    is,
                    Expr::Bin(
                        Bin::In,
                        v(),
                        Box::new(Expr::Lit(Val::Entity(entity_ref(
                            store,
                            field(within, "entity")?,
                        )?))),
                    ),
                ),
            })
        }
        other => return unsupported(format!("scope operator {other}")),
    })
}

/// Converts a whole policy (Cedar's JSON form) into its condition.
pub(crate) fn condition(store: &mut Store, policy: &Json) -> Result<Condition, Unsupported> {
    let head = [
        (Var::Principal, "principal"),
        (Var::Action, "action"),
        (Var::Resource, "resource"),
    ];
    let mut parts = Vec::new();
    let mut tenant = None;
    for (var, key) in head {
        let j = field(policy, key)?;
        if let Some(e) = scope(store, var, j)? {
            if var == Var::Principal
                && let Expr::Bin(Bin::Eq | Bin::In, _, lit) = &e
                && let Expr::Lit(Val::Entity(t)) = lit.as_ref()
            {
                tenant = Some(*t);
            }
            parts.push(e);
        }
    }
    let mut applies = parts.clone();
    let mut full = parts;
    let empty = Vec::new();
    let conditions = policy
        .get("conditions")
        .and_then(Json::as_array)
        .unwrap_or(&empty);
    for c in conditions {
        let body = expr(store, field(c, "body")?)?;
        match text(c, "kind")? {
            "when" => {
                applies.push(body.clone());
                full.push(body);
            }
            "unless" => full.push(Expr::Not(Box::new(body))),
            other => return unsupported(format!("condition kind {other}")),
        }
    }
    let fold = |parts: Vec<Expr>| {
        parts
            .into_iter()
            .rev()
            .reduce(|acc, e| Expr::and(e, acc))
            .unwrap_or(Expr::Lit(Val::Bool(true)))
    };
    Ok(Condition {
        full: fold(full),
        applies: fold(applies),
        tenant,
    })
}

fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::And(a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        other => out.push(other),
    }
}

/// Whether the expression reads nothing of the request but `context.subject`.
fn only_subject(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) => true,
        Expr::Pre(_) => false,
        Expr::Var(_) => false,
        Expr::Get(base, attr) if matches!(base.as_ref(), Expr::Var(Var::Context)) => {
            attr.as_ref() == "subject"
        }
        Expr::Not(a)
        | Expr::Neg(a)
        | Expr::IsEmpty(a)
        | Expr::Get(a, _)
        | Expr::Has(a, _)
        | Expr::Like(a, _)
        | Expr::Is(a, _) => only_subject(a),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Bin(_, a, b) => only_subject(a) && only_subject(b),
        Expr::If(a, b, c) => only_subject(a) && only_subject(b) && only_subject(c),
        Expr::SetLit(items) => items.iter().all(only_subject),
        Expr::RecordLit(fields) => fields.iter().all(|(_, e)| only_subject(e)),
    }
}

/// Whether the expression is a boolean test that cannot fail: the forms a policy's scope takes.
fn cannot_fail(e: &Expr) -> bool {
    let plain = |x: &Expr| matches!(x, Expr::Var(_) | Expr::Lit(_));
    let entities = |x: &Expr| match x {
        Expr::Lit(Val::Entity(_)) => true,
        Expr::Lit(Val::Set(items)) => items.iter().all(|v| matches!(v, Val::Entity(_))),
        _ => false,
    };
    let var = |x: &Expr| matches!(x, Expr::Var(Var::Principal | Var::Action | Var::Resource));
    match e {
        Expr::Lit(Val::Bool(_)) => true,
        // A test of the region evaluated ahead (a scope's `resource in Bloc::"EU"`).
        Expr::Pre(ahead) => ahead.all_bool(),
        Expr::Bin(Bin::Eq | Bin::Ne, a, b) => plain(a) && plain(b),
        Expr::Bin(Bin::In, a, b) => var(a) && entities(b),
        Expr::Is(a, _) => var(a),
        _ => false,
    }
}

/// The part of a condition that depends on the subject country alone and, where it is false,
/// makes the whole condition false: the leading conjuncts that read only `context.subject`,
/// stepping over scope tests that cannot fail. Evaluated once per subject, it lets compilation
/// skip the policy for every subject it rules out (`context.subject == Country::"CN"`).
pub(crate) fn subject_guard(full: &Expr) -> Option<Expr> {
    let mut all = Vec::new();
    conjuncts(full, &mut all);
    let mut guard: Option<Expr> = None;
    for c in all {
        if only_subject(c) {
            guard = Some(match guard {
                None => c.clone(),
                Some(g) => Expr::and(g, c.clone()),
            });
        } else if !cannot_fail(c) {
            break;
        }
    }
    guard
}

/// Which parts of the context an expression reads: (class or classes, subject). Reading the
/// context whole counts as reading both.
pub(crate) fn context_reads(e: &Expr) -> (bool, bool) {
    match e {
        Expr::Lit(_) | Expr::Pre(_) => (false, false),
        Expr::Var(Var::Context) => (true, true),
        Expr::Var(_) => (false, false),
        Expr::Get(base, attr) if matches!(base.as_ref(), Expr::Var(Var::Context)) => {
            match attr.as_ref() {
                "class" | "classes" => (true, false),
                "subject" => (false, true),
                "mechanisms" => (false, false),
                _ => (true, true),
            }
        }
        Expr::Not(a)
        | Expr::Neg(a)
        | Expr::IsEmpty(a)
        | Expr::Get(a, _)
        | Expr::Has(a, _)
        | Expr::Like(a, _)
        | Expr::Is(a, _) => context_reads(a),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Bin(_, a, b) => {
            let (x, y) = (context_reads(a), context_reads(b));
            (x.0 || y.0, x.1 || y.1)
        }
        Expr::If(a, b, c) => {
            let (x, y, z) = (context_reads(a), context_reads(b), context_reads(c));
            (x.0 || y.0 || z.0, x.1 || y.1 || z.1)
        }
        Expr::SetLit(items) => items
            .iter()
            .map(context_reads)
            .fold((false, false), |a, b| (a.0 || b.0, a.1 || b.1)),
        Expr::RecordLit(fields) => fields
            .iter()
            .map(|(_, e)| context_reads(e))
            .fold((false, false), |a, b| (a.0 || b.0, a.1 || b.1)),
    }
}

/// Replaces every largest subexpression that reads only `resource` (and literals) by its value
/// for every region, computed once: `resource in Bloc::"EU"`, `resource.provider.home`. The
/// expressions are pure, so evaluating them ahead changes no answer, errors included.
/// `env` must range over all regions.
///
/// `cache` holds what earlier policies computed, by the expression's text: the law base and
/// thousands of tenant policies test the same few things (`resource in Bloc::"EU"`), and each is
/// computed once per engine, not once per policy.
pub(crate) fn precompute(e: Expr, env: &Env<'_>, cache: &mut PreCache) -> Expr {
    let only_resource = e.uses(Var::Resource)
        && !e.uses(Var::Principal)
        && !e.uses(Var::Action)
        && !e.uses(Var::Context);
    if only_resource && !matches!(e, Expr::Var(_) | Expr::Pre(_)) {
        // The expression is fresh from conversion (no `Pre` inside), and entity ids are stable
        // in a store that only grows: equal text, equal value.
        let key = format!("{e:?}");
        let ahead = cache
            .entry(key)
            .or_insert_with(|| Arc::new(Ahead::new(all_regions(&e, env))))
            .clone();
        return Expr::Pre(ahead);
    }
    let mut b = |x: Box<Expr>| Box::new(precompute(*x, env, cache));
    match e {
        Expr::Not(a) => Expr::Not(b(a)),
        Expr::Neg(a) => Expr::Neg(b(a)),
        Expr::And(x, y) => Expr::And(b(x), b(y)),
        Expr::Or(x, y) => Expr::Or(b(x), b(y)),
        Expr::If(x, y, z) => Expr::If(b(x), b(y), b(z)),
        Expr::Bin(op, x, y) => Expr::Bin(op, b(x), b(y)),
        Expr::IsEmpty(a) => Expr::IsEmpty(b(a)),
        Expr::Get(a, n) => Expr::Get(b(a), n),
        Expr::Has(a, n) => Expr::Has(b(a), n),
        Expr::Like(a, p) => Expr::Like(b(a), p),
        Expr::Is(a, t) => Expr::Is(b(a), t),
        Expr::SetLit(items) => Expr::SetLit(
            items
                .into_iter()
                .map(|i| precompute(i, env, cache))
                .collect(),
        ),
        Expr::RecordLit(fields) => Expr::RecordLit(
            fields
                .into_iter()
                .map(|(k, v)| (k, precompute(v, env, cache)))
                .collect(),
        ),
        other @ (Expr::Lit(_) | Expr::Var(_) | Expr::Pre(_)) => other,
    }
}

/// Values computed ahead, by the expression's text.
pub(crate) type PreCache = HashMap<String, Arc<Ahead>>;

/// An expression's value for every region of `env`: evaluated over all lanes at once, then, only
/// where a lane failed and the lanes were bitsets (which keep no error kinds), that region again
/// alone, so that each lane keeps its exact error.
fn all_regions(e: &Expr, env: &Env<'_>) -> Vec<R> {
    let n = env.resources.len();
    let one = |i: usize| {
        let alone = Env {
            resources: &env.resources[i..=i],
            lane: Some(i),
            ..*env
        };
        match alone.eval(e) {
            Lanes::One(r) => r,
            _ => Err(EvalError::Type),
        }
    };
    match env.eval(e) {
        Lanes::One(r) => vec![r; n],
        Lanes::Each(v) if v.len() == n => v,
        Lanes::Each(_) => (0..n).map(one).collect(),
        Lanes::Bool(b) => (0..n)
            .map(|i| match b.get(i) {
                Err(_) => one(i),
                ok => ok,
            })
            .collect(),
    }
}

/// The request, with the resource varying over lanes.
pub(crate) struct Env<'a> {
    pub store: &'a Store,
    pub principal: Eid,
    pub action: Eid,
    pub context: &'a Val,
    /// The regions, one lane each: every region of the engine, or one.
    pub resources: &'a [Eid],
    /// When `resources` is a single region, its position among all of them (to read
    /// precomputed lanes).
    pub lane: Option<usize>,
}

/// A value for every lane: once if it does not depend on the lane.
#[derive(Debug, Clone)]
pub(crate) enum Lanes {
    One(R),
    Each(Vec<R>),
    /// A boolean per lane, as bitsets: where true, and where evaluation failed (the kind of
    /// failure is not kept: compilation only needs to know it failed).
    Bool(Bits),
}

/// Lanes of booleans. Invariants: `t & e == 0`; no bit at or past `n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bits {
    pub t: Vec<u64>,
    pub e: Vec<u64>,
    pub n: usize,
}

impl Bits {
    fn new(n: usize) -> Bits {
        let w = n.div_ceil(64);
        Bits {
            t: vec![0; w],
            e: vec![0; w],
            n,
        }
    }

    fn set(&mut self, i: usize, r: &R) {
        match r {
            Ok(Val::Bool(true)) => self.t[i / 64] |= 1 << (i % 64),
            Ok(Val::Bool(false)) => {}
            _ => self.e[i / 64] |= 1 << (i % 64),
        }
    }

    fn from_one(r: &R, n: usize) -> Bits {
        let mut b = Bits::new(n);
        for i in 0..n {
            b.set(i, r);
        }
        b
    }

    fn from_each(v: &[R]) -> Bits {
        let mut b = Bits::new(v.len());
        for (i, r) in v.iter().enumerate() {
            b.set(i, r);
        }
        b
    }

    fn get(&self, i: usize) -> R {
        if self.e[i / 64] & (1 << (i % 64)) != 0 {
            Err(EvalError::Type)
        } else {
            Ok(Val::Bool(self.t[i / 64] & (1 << (i % 64)) != 0))
        }
    }

    fn mask(&self, w: usize) -> u64 {
        let start = w * 64;
        if self.n >= start + 64 {
            u64::MAX
        } else if self.n <= start {
            0
        } else {
            (1u64 << (self.n - start)) - 1
        }
    }
}

/// Multi-lane values as bitsets, non-booleans counting as failures (as `as_bool` would).
pub(crate) fn bits_of(l: Lanes, n: usize) -> Bits {
    match l {
        Lanes::One(r) => Bits::from_one(&r, n),
        Lanes::Each(v) => Bits::from_each(&v),
        Lanes::Bool(b) => b,
    }
}

/// Bitset lanes back to values (the slow, general path).
fn each(l: Lanes) -> Lanes {
    match l {
        Lanes::Bool(b) => Lanes::Each((0..b.n).map(|i| b.get(i)).collect()),
        other => other,
    }
}

fn map1(l: Lanes, f: impl Fn(R) -> R) -> Lanes {
    match each(l) {
        Lanes::One(r) => Lanes::One(f(r)),
        Lanes::Each(v) => Lanes::Each(v.into_iter().map(f).collect()),
        Lanes::Bool(_) => Lanes::One(Err(EvalError::Type)),
    }
}

fn map2(a: Lanes, b: Lanes, f: impl Fn(R, R) -> R) -> Lanes {
    match (each(a), each(b)) {
        (Lanes::One(x), Lanes::One(y)) => Lanes::One(f(x, y)),
        (Lanes::One(x), Lanes::Each(ys)) => {
            Lanes::Each(ys.into_iter().map(|y| f(x.clone(), y)).collect())
        }
        (Lanes::Each(xs), Lanes::One(y)) => {
            Lanes::Each(xs.into_iter().map(|x| f(x, y.clone())).collect())
        }
        (Lanes::Each(xs), Lanes::Each(ys)) => {
            Lanes::Each(xs.into_iter().zip(ys).map(|(x, y)| f(x, y)).collect())
        }
        _ => Lanes::One(Err(EvalError::Type)),
    }
}

fn as_bool(r: R) -> Result<bool, EvalError> {
    match r? {
        Val::Bool(b) => Ok(b),
        _ => Err(EvalError::Type),
    }
}

fn long(r: &Val) -> Result<i64, EvalError> {
    match r {
        Val::Long(n) => Ok(*n),
        _ => Err(EvalError::Type),
    }
}

fn set(r: &Val) -> Result<&[Val], EvalError> {
    match r {
        Val::Set(s) => Ok(s),
        _ => Err(EvalError::Type),
    }
}

/// Cedar's `like`, without recursion and in at most (|s| + 1) x (|p| + 1) steps: a greedy scan
/// that, on a mismatch, retries from the last wildcard with one more character swallowed. Only
/// the last wildcard needs retrying: what an earlier one swallowed can always be swallowed by it
/// instead. `steps` counts the character comparisons (for the test that bounds them).
pub(crate) fn like(s: &[char], p: &[Pat], steps: &mut u64) -> bool {
    let (mut i, mut j) = (0, 0);
    // The last wildcard seen, and where in `s` its swallowing ends.
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        *steps += 1;
        match p.get(j) {
            Some(Pat::Char(c)) if *c == s[i] => {
                i += 1;
                j += 1;
            }
            Some(Pat::Wildcard) => {
                star = Some((j, i));
                j += 1;
            }
            _ => match star {
                Some((sj, si)) => {
                    star = Some((sj, si + 1));
                    i = si + 1;
                    j = sj + 1;
                }
                None => return false,
            },
        }
    }
    p[j.min(p.len())..].iter().all(|x| *x == Pat::Wildcard)
}

impl Env<'_> {
    fn binary(&self, op: Bin, a: R, b: R) -> R {
        let (a, b) = (a?, b?);
        let store = self.store;
        Ok(match op {
            Bin::Eq => Val::Bool(a == b),
            Bin::Ne => Val::Bool(a != b),
            Bin::In => {
                let Val::Entity(x) = a else {
                    return Err(EvalError::Type);
                };
                match &b {
                    Val::Entity(y) => Val::Bool(store.is_in(x, *y)),
                    Val::Set(items) => {
                        let mut found = false;
                        for item in items.iter() {
                            let Val::Entity(y) = item else {
                                return Err(EvalError::Type);
                            };
                            found |= store.is_in(x, *y);
                        }
                        Val::Bool(found)
                    }
                    _ => return Err(EvalError::Type),
                }
            }
            Bin::Lt => Val::Bool(long(&a)? < long(&b)?),
            Bin::Le => Val::Bool(long(&a)? <= long(&b)?),
            Bin::Gt => Val::Bool(long(&a)? > long(&b)?),
            Bin::Ge => Val::Bool(long(&a)? >= long(&b)?),
            Bin::Add => Val::Long(
                long(&a)?
                    .checked_add(long(&b)?)
                    .ok_or(EvalError::Overflow)?,
            ),
            Bin::Sub => Val::Long(
                long(&a)?
                    .checked_sub(long(&b)?)
                    .ok_or(EvalError::Overflow)?,
            ),
            Bin::Mul => Val::Long(
                long(&a)?
                    .checked_mul(long(&b)?)
                    .ok_or(EvalError::Overflow)?,
            ),
            Bin::Contains => Val::Bool(set(&a)?.binary_search(&b).is_ok()),
            Bin::ContainsAll => {
                let (x, y) = (set(&a)?, set(&b)?);
                Val::Bool(y.iter().all(|v| x.binary_search(v).is_ok()))
            }
            Bin::ContainsAny => {
                let (x, y) = (set(&a)?, set(&b)?);
                Val::Bool(y.iter().any(|v| x.binary_search(v).is_ok()))
            }
        })
    }

    fn get(&self, v: R, attr: &str) -> R {
        match v? {
            Val::Entity(e) => {
                let data = &self.store.entities[e as usize];
                if !data.exists {
                    return Err(EvalError::MissingEntity);
                }
                data.attrs
                    .binary_search_by(|(k, _)| k.as_ref().cmp(attr))
                    .map(|i| data.attrs[i].1.clone())
                    .map_err(|_| EvalError::MissingAttribute)
            }
            Val::Record(fields) => fields
                .binary_search_by(|(k, _)| k.as_ref().cmp(attr))
                .map(|i| fields[i].1.clone())
                .map_err(|_| EvalError::MissingAttribute),
            _ => Err(EvalError::Type),
        }
    }

    fn has(&self, v: R, attr: &str) -> R {
        Ok(Val::Bool(match v? {
            Val::Entity(e) => {
                let data = &self.store.entities[e as usize];
                data.exists
                    && data
                        .attrs
                        .binary_search_by(|(k, _)| k.as_ref().cmp(attr))
                        .is_ok()
            }
            Val::Record(fields) => fields
                .binary_search_by(|(k, _)| k.as_ref().cmp(attr))
                .is_ok(),
            _ => return Err(EvalError::Type),
        }))
    }

    /// `a && b` and `a || b`, lane by lane, evaluating `b` only where Cedar would.
    fn logic(&self, a: &Expr, b: &Expr, is_and: bool) -> Lanes {
        // The value of `a` that decides without looking at `b`.
        let decides = !is_and;
        let first = self.eval(a);
        if let Lanes::One(r) = &first {
            return match r {
                Ok(Val::Bool(x)) if *x == decides => Lanes::One(Ok(Val::Bool(*x))),
                Ok(Val::Bool(_)) => match self.eval(b) {
                    Lanes::One(r) => Lanes::One(as_bool(r).map(Val::Bool)),
                    many => Lanes::Bool(bits_of(many, self.resources.len())),
                },
                Ok(_) => Lanes::One(Err(EvalError::Type)),
                Err(e) => Lanes::One(Err(*e)),
            };
        }
        let n = self.resources.len();
        let x = bits_of(first, n);
        // Lanes where `a` is a boolean that does not decide: `b` is needed there.
        let open: Vec<u64> = (0..x.t.len())
            .map(|w| {
                let t = if decides { !x.t[w] } else { x.t[w] };
                t & !x.e[w] & x.mask(w)
            })
            .collect();
        if open.iter().all(|w| *w == 0) {
            return Lanes::Bool(x);
        }
        let y = bits_of(self.eval(b), n);
        let mut out = Bits::new(n);
        for (w, open) in open.iter().enumerate() {
            // Where `a` decides, its value; where it failed, failure; elsewhere `b`'s.
            let settled = x.e[w] | (x.mask(w) & !open);
            out.t[w] = (x.t[w] & settled & !x.e[w]) | (open & y.t[w]);
            out.e[w] = x.e[w] | (open & y.e[w]);
        }
        Lanes::Bool(out)
    }

    /// `==` or `!=` between lanes evaluated ahead and one value: compared in place, as bits.
    fn compare_pre(&self, all: &[R], other: &Expr, ne: bool) -> Option<Lanes> {
        let Lanes::One(Ok(v)) = self.eval(other) else {
            return None;
        };
        let mut b = Bits::new(all.len());
        for (i, r) in all.iter().enumerate() {
            match r {
                Ok(x) => {
                    if (x == &v) != ne {
                        b.t[i / 64] |= 1 << (i % 64);
                    }
                }
                Err(_) => b.e[i / 64] |= 1 << (i % 64),
            }
        }
        Some(Lanes::Bool(b))
    }

    pub(crate) fn eval(&self, e: &Expr) -> Lanes {
        match e {
            Expr::Lit(v) => Lanes::One(Ok(v.clone())),
            Expr::Pre(ahead) => match (self.lane, ahead.as_ref()) {
                (Some(i), _) => Lanes::One(ahead.lane(i)),
                (None, Ahead::Bits { bits, .. }) => Lanes::Bool(bits.clone()),
                (None, Ahead::Values(values)) => Lanes::Each(values.clone()),
            },
            Expr::Var(Var::Principal) => Lanes::One(Ok(Val::Entity(self.principal))),
            Expr::Var(Var::Action) => Lanes::One(Ok(Val::Entity(self.action))),
            Expr::Var(Var::Context) => Lanes::One(Ok(self.context.clone())),
            Expr::Var(Var::Resource) => match self.resources {
                [one] => Lanes::One(Ok(Val::Entity(*one))),
                many => Lanes::Each(many.iter().map(|r| Ok(Val::Entity(*r))).collect()),
            },
            Expr::Not(a) => match self.eval(a) {
                Lanes::One(r) => Lanes::One(as_bool(r).map(|b| Val::Bool(!b))),
                many => {
                    let mut b = bits_of(many, self.resources.len());
                    for w in 0..b.t.len() {
                        b.t[w] = !b.t[w] & !b.e[w] & b.mask(w);
                    }
                    Lanes::Bool(b)
                }
            },
            Expr::Neg(a) => map1(self.eval(a), |r| {
                long(&r?)?
                    .checked_neg()
                    .map(Val::Long)
                    .ok_or(EvalError::Overflow)
            }),
            Expr::And(a, b) => self.logic(a, b, true),
            Expr::Or(a, b) => self.logic(a, b, false),
            Expr::If(c, t, f) => {
                let cond = each(self.eval(c));
                match cond {
                    Lanes::Bool(_) => Lanes::One(Err(EvalError::Type)),
                    Lanes::One(r) => match as_bool(r) {
                        Ok(true) => self.eval(t),
                        Ok(false) => self.eval(f),
                        Err(e) => Lanes::One(Err(e)),
                    },
                    Lanes::Each(v) => {
                        let want =
                            |b: bool| v.iter().any(|r| matches!(r, Ok(Val::Bool(x)) if *x == b));
                        let then = want(true).then(|| each(self.eval(t)));
                        let other = want(false).then(|| each(self.eval(f)));
                        let pick = |l: &Option<Lanes>, i: usize| match l {
                            Some(Lanes::One(r)) => r.clone(),
                            Some(Lanes::Each(rs)) => rs[i].clone(),
                            Some(Lanes::Bool(b)) => b.get(i),
                            None => Err(EvalError::Type),
                        };
                        Lanes::Each(
                            v.into_iter()
                                .enumerate()
                                .map(|(i, r)| match as_bool(r) {
                                    Ok(true) => pick(&then, i),
                                    Ok(false) => pick(&other, i),
                                    Err(e) => Err(e),
                                })
                                .collect(),
                        )
                    }
                }
            }
            Expr::Bin(op @ (Bin::Eq | Bin::Ne), a, b)
                if self.lane.is_none()
                    && let Some(l) = match (a.as_ref(), b.as_ref()) {
                        (Expr::Pre(ahead), other) | (other, Expr::Pre(ahead)) => {
                            match ahead.as_ref() {
                                Ahead::Values(values) => {
                                    self.compare_pre(values, other, *op == Bin::Ne)
                                }
                                Ahead::Bits { .. } => None,
                            }
                        }
                        _ => None,
                    } =>
            {
                l
            }
            Expr::Bin(op, a, b) => {
                let (x, y) = (self.eval(a), self.eval(b));
                map2(x, y, |x, y| self.binary(*op, x, y))
            }
            Expr::IsEmpty(a) => map1(self.eval(a), |r| Ok(Val::Bool(set(&r?)?.is_empty()))),
            Expr::Get(a, attr) => map1(self.eval(a), |r| self.get(r, attr)),
            Expr::Has(a, attr) => map1(self.eval(a), |r| self.has(r, attr)),
            Expr::Like(a, pattern) => map1(self.eval(a), |r| match r? {
                Val::Str(s) => Ok(Val::Bool(like(
                    &s.chars().collect::<Vec<_>>(),
                    pattern,
                    &mut 0,
                ))),
                _ => Err(EvalError::Type),
            }),
            Expr::Is(a, ty) => map1(self.eval(a), |r| match r? {
                Val::Entity(e) => Ok(Val::Bool(self.store.entities[e as usize].ty == *ty)),
                _ => Err(EvalError::Type),
            }),
            Expr::SetLit(items) => {
                // Built lane by lane; the first error in writing order wins, as in Cedar.
                let mut lists = Lanes::One(Ok(Val::Set(Arc::from(Vec::new()))));
                for item in items {
                    lists = map2(lists, self.eval(item), |l, x| {
                        let (Val::Set(l), x) = (l?, x?) else {
                            return Err(EvalError::Type);
                        };
                        let mut v = l.to_vec();
                        v.push(x);
                        Ok(Val::Set(v.into()))
                    });
                }
                map1(lists, |l| match l? {
                    Val::Set(items) => Ok(Val::set(items.to_vec())),
                    _ => Err(EvalError::Type),
                })
            }
            Expr::RecordLit(fields) => {
                let mut acc: Lanes = Lanes::One(Ok(Val::Record(Arc::from(Vec::new()))));
                for (k, e) in fields {
                    let part = self.eval(e);
                    acc = map2(acc, part, |r, x| {
                        let (Val::Record(r), x) = (r?, x?) else {
                            return Err(EvalError::Type);
                        };
                        let mut v = r.to_vec();
                        v.push((k.clone(), x));
                        Ok(Val::Record(v.into()))
                    });
                }
                map1(acc, |r| match r? {
                    Val::Record(f) => Ok(Val::record(f.to_vec())),
                    _ => Err(EvalError::Type),
                })
            }
        }
    }
}

/// Where a boolean result is true, and where it is an error, as one flag per lane.
pub(crate) fn truth(l: &Lanes, lanes: usize, mut on: impl FnMut(usize, Result<bool, EvalError>)) {
    match l {
        Lanes::One(r) => {
            let b = as_bool(r.clone());
            for i in 0..lanes {
                on(i, b);
            }
        }
        Lanes::Each(v) => {
            for (i, r) in v.iter().enumerate() {
                on(i, as_bool(r.clone()));
            }
        }
        Lanes::Bool(b) => {
            for i in 0..b.n {
                on(i, as_bool(b.get(i)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(text: &str) -> Vec<Pat> {
        text.chars()
            .map(|c| {
                if c == '*' {
                    Pat::Wildcard
                } else {
                    Pat::Char(c)
                }
            })
            .collect()
    }

    fn matches(s: &str, p: &str) -> bool {
        like(&s.chars().collect::<Vec<_>>(), &pat(p), &mut 0)
    }

    #[test]
    fn like_matches_wildcards() {
        assert!(matches("eu-west-1", "eu-*"));
        assert!(!matches("us-east-1", "eu-*"));
        assert!(matches("us-east-1", "*-1"));
        assert!(!matches("us-east-2", "*-1"));
        assert!(matches("", "*"));
        assert!(matches("", ""));
        assert!(!matches("a", ""));
        assert!(matches("abcabd", "*abd"));
        assert!(matches("aXbYc", "a*b*c"));
        assert!(!matches("aXbYd", "a*b*c"));
        assert!(matches("mississippi", "m*iss*pp*"));
        assert!(!matches("mississippi", "m*iss*ppx*"));
    }

    #[test]
    fn like_is_not_exponential_in_its_wildcards() {
        // 40 wildcards separated by `a`, against 200 `a`s and a `b` that never matches: the
        // backtracking matcher this replaced took on the order of C(200, 40) steps.
        let p: String = "*a".repeat(40) + "*c";
        let s: Vec<char> = ("a".repeat(200) + "b").chars().collect();
        let mut steps = 0;
        assert!(!like(&s, &pat(&p), &mut steps));
        let bound = (s.len() as u64 + 1) * (p.len() as u64 + 1);
        assert!(steps <= bound, "{steps} steps, more than {bound}");
    }

    #[test]
    fn and_short_circuits_before_an_error() {
        let store = Store::default();
        let ctx = Val::record(vec![]);
        let env = Env {
            store: &store,
            principal: 0,
            action: 0,
            context: &ctx,
            resources: &[],
            lane: None,
        };
        let err = Expr::Get(Box::new(Expr::Var(Var::Context)), "missing".into());
        let f = Expr::Lit(Val::Bool(false));
        let t = Expr::Lit(Val::Bool(true));
        let and = Expr::And(Box::new(f.clone()), Box::new(err.clone()));
        assert!(matches!(env.eval(&and), Lanes::One(Ok(Val::Bool(false)))));
        let and = Expr::And(Box::new(t.clone()), Box::new(err.clone()));
        assert!(matches!(
            env.eval(&and),
            Lanes::One(Err(EvalError::MissingAttribute))
        ));
        let or = Expr::Or(Box::new(t), Box::new(err.clone()));
        assert!(matches!(env.eval(&or), Lanes::One(Ok(Val::Bool(true)))));
        let or = Expr::Or(Box::new(err), Box::new(f));
        assert!(matches!(env.eval(&or), Lanes::One(Err(_))));
    }
}
