//! Residency policy on Cedar.
//!
//! The question every other part asks: may this action, on data of this class about subjects in
//! this country, happen in this region, for this tenant? The built-in law base (one Cedar file per
//! jurisdiction, `catalog/laws/`) and the tenants' own policies answer it. This crate owns the
//! schema, loading and validation, the compiled allowed-region tables and the explanations.
//!
//! Not legal advice: the law base is a cited summary, and says how sure it is of each rule.

mod engine;
mod error;
mod eval;
mod guard;
pub mod load;
pub mod schema;
pub mod synthetic;
mod table;

pub use engine::{CedarDecision, DEFAULT_PERMIT, Engine, Explanation, Request, region_key};
pub use table::{Published, RegionSet, Table, TenantSpec};

pub use error::{PolicyError, PolicyProblem, ProblemKind, RequestError};
pub use guard::{MAX_DEPTH, MAX_NESTING};
pub use load::{
    Citation, Confidence, Effect, Jurisdiction, Origin, PolicyFile, Rule, RuleKind, tenants_named,
};
pub use schema::{Action, DataClass, Mechanism, Mechanisms, UnknownWord};

/// The law base compiled into the binary: `catalog/laws/`.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

    /// The embedded law files, ready to load.
    pub fn law_files() -> Vec<crate::PolicyFile<'static>> {
        LAWS.iter()
            .map(|(name, text)| crate::PolicyFile::law(format!("<embedded>/laws/{name}"), *text))
            .collect()
    }
}
