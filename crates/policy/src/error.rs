//! The policy crate's errors: problems in policy files (by file, line and kind) and requests the
//! engine cannot answer.

use std::fmt;

use footprint_model::CountryCode;

/// What is wrong with a policy file, so callers and tests can tell problems apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// Cedar could not parse the text.
    Syntax,
    /// Nesting or an operator chain deeper than footprint accepts (checked before parsing).
    TooDeep,
    /// A policy template (`?principal`, `?resource`).
    Template,
    /// A missing, unknown or malformed annotation.
    Annotation,
    /// The policy does not match the schema.
    Schema,
    /// An `@id` used twice.
    DuplicateId,
    /// A law-base rule that permits (the law base holds only forbids).
    LawPermit,
    /// A tenant policy that does not name its tenant in its scope.
    UnscopedTenantPolicy,
    /// A law file without any rule: it would switch its jurisdiction off.
    EmptyLawFile,
    /// A law file and the jurisdiction list disagree.
    Jurisdiction,
    /// A tenant file passed as a law or a law file passed as a tenant's.
    WrongOrigin,
    /// A valid policy the evaluator cannot compile.
    Unsupported,
    /// The schema breaks a fact the evaluator relies on (no action groups, flat tenants...).
    SchemaAssumption,
    /// A bug in footprint, or a world that does not fit the schema.
    Internal,
}

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    pub file: String,
    /// 1-based; absent when the problem is about the file as a whole.
    pub line: Option<u32>,
    pub kind: ProblemKind,
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

/// Every problem found in the policies, the schema or the jurisdiction list; nothing was loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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

impl PolicyError {
    pub(crate) fn one(
        file: &str,
        line: Option<u32>,
        kind: ProblemKind,
        message: impl Into<String>,
    ) -> Self {
        PolicyError {
            problems: vec![PolicyProblem {
                file: file.to_string(),
                line,
                kind,
                message: message.into(),
            }],
        }
    }

    /// Whether any problem is of this kind.
    pub fn has(&self, kind: ProblemKind) -> bool {
        self.problems.iter().any(|p| p.kind == kind)
    }
}

/// A request the engine cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("unknown subject country {0}")]
    UnknownSubject(CountryCode),
    #[error("no region {0} in this engine's world")]
    UnknownRegion(usize),
    /// Cedar refused to build the request (an internal error: the engine's ids are Cedar's).
    #[error("Cedar refused the request: {0}")]
    Cedar(String),
}
