//! footprint-solve: capacitated facility location, the engine under `place` and `plan`.
//!
//! - [`Problem`]: facilities (capacity, fixed cost, failure domain), customers (demand, copies),
//!   per-pair costs with forbidden pairs, single or split sourcing, an optional budget.
//! - [`solve`]: Lagrangian relaxation with subgradient updates for the lower bound, and
//!   construction plus local search for the solution; every [`Outcome`] states both and the gap.
//! - [`validate`]: an independent check of any solution against its problem.
//! - [`exact`] (feature `highs`): the same model as a MILP for HiGHS through `good_lp`.
//! - [`sscflp`]: the literature's single-source benchmark format.
//!
//! Pure: no IO. Deterministic for a given seed unless a time limit is set (the default has
//! none: node and work limits stop it the same way on every machine).

#[cfg(feature = "highs")]
pub mod exact;
mod flow;
mod knapsack;
mod lagrange;
mod limit;
mod local;
mod problem;
pub mod sscflp;
mod validate;

pub use lagrange::{DEFAULT_NODES, Infeasibility, Options, infeasibility, solve};
pub use limit::Phase;
pub use problem::{
    Customer, Facility, Outcome, Problem, ProblemError, Solution, Sourcing, Status, relative_gap,
};
pub use validate::{Violation, validate};
