//! The problem: capacitated facility location with side constraints.
//!
//! ```text
//! min  sum_i f_i y_i + sum_ij c_ij x_ij
//! s.t. sum_i x_ij = r_j                    every customer gets r_j copies
//!      sum_{i in D} x_ij <= 1              at most one copy per failure domain D
//!      sum_j d_j x_ij <= s_i y_i           capacity, and only open facilities serve
//!      sum_i f_i y_i <= B                  budget on fixed costs (optional)
//!      x_ij = 0 where c_ij is forbidden    policy and latency limits
//!      y binary; x binary (single source) or in [0, 1] (split)
//! ```
//!
//! `r_j` is 1 in the classic problem; a customer that must survive `k` failures needs `k + 1`
//! copies, each carrying its whole demand, in distinct failure domains.

use std::fmt;

/// A candidate facility.
#[derive(Debug, Clone, PartialEq)]
pub struct Facility {
    /// How much demand it can serve (may be `f64::INFINITY`).
    pub capacity: f64,
    /// The cost of opening it.
    pub fixed_cost: f64,
    /// Its failure domain: copies of one customer go to distinct domains.
    pub domain: u32,
}

/// A customer (a demand point).
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// Demand, in the same unit as the capacities.
    pub demand: f64,
    /// How many facilities in distinct failure domains must each carry its whole demand.
    pub copies: u32,
}

/// Whether a customer's demand must come from one facility per copy or may be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sourcing {
    /// Each copy of a customer is served entirely by one facility (binary `x`).
    Single,
    /// Demand may be split across facilities (`x` in [0, 1]).
    Split,
}

/// A validated problem instance.
#[derive(Debug, Clone)]
pub struct Problem {
    facilities: Vec<Facility>,
    customers: Vec<Customer>,
    /// Customer-major: `cost[j * m + i]`; `f64::INFINITY` marks a forbidden pair.
    cost: Vec<f64>,
    sourcing: Sourcing,
    budget: Option<f64>,
}

/// Why a problem was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProblemError {
    #[error("the cost matrix has {got} entries, expected {customers} customers x {facilities} facilities = {}", customers * facilities)]
    CostShape {
        got: usize,
        customers: usize,
        facilities: usize,
    },
    #[error("facility {index}: {field} is {value}, expected a number >= 0")]
    Facility {
        index: usize,
        field: &'static str,
        value: f64,
    },
    #[error("customer {index}: {field} is {value}, expected a number >= 0")]
    Customer {
        index: usize,
        field: &'static str,
        value: f64,
    },
    #[error("customer {index} asks for 0 copies; every customer needs at least 1")]
    NoCopies { index: usize },
    #[error(
        "cost of serving customer {customer} from facility {facility} is {value}; expected a finite number >= 0, or infinity for a forbidden pair"
    )]
    Cost {
        customer: usize,
        facility: usize,
        value: f64,
    },
    #[error("the budget is {0}; expected a finite number >= 0")]
    Budget(f64),
}

impl Problem {
    /// Checks and builds a problem. `cost` is customer-major (`cost[j * m + i]`).
    pub fn new(
        facilities: Vec<Facility>,
        customers: Vec<Customer>,
        cost: Vec<f64>,
        sourcing: Sourcing,
    ) -> Result<Self, ProblemError> {
        let (m, n) = (facilities.len(), customers.len());
        if cost.len() != m * n {
            return Err(ProblemError::CostShape {
                got: cost.len(),
                customers: n,
                facilities: m,
            });
        }
        for (index, f) in facilities.iter().enumerate() {
            if f.capacity.is_nan() || f.capacity < 0.0 {
                return Err(ProblemError::Facility {
                    index,
                    field: "capacity",
                    value: f.capacity,
                });
            }
            if !f.fixed_cost.is_finite() || f.fixed_cost < 0.0 {
                return Err(ProblemError::Facility {
                    index,
                    field: "fixed cost",
                    value: f.fixed_cost,
                });
            }
        }
        for (index, c) in customers.iter().enumerate() {
            if !c.demand.is_finite() || c.demand < 0.0 {
                return Err(ProblemError::Customer {
                    index,
                    field: "demand",
                    value: c.demand,
                });
            }
            if c.copies == 0 {
                return Err(ProblemError::NoCopies { index });
            }
        }
        for (k, &value) in cost.iter().enumerate() {
            if value.is_nan() || value < 0.0 || value == f64::NEG_INFINITY {
                return Err(ProblemError::Cost {
                    customer: k / m.max(1),
                    facility: k % m.max(1),
                    value,
                });
            }
        }
        Ok(Problem {
            facilities,
            customers,
            cost,
            sourcing,
            budget: None,
        })
    }

    /// Caps the total fixed cost of the open facilities.
    pub fn with_budget(mut self, budget: f64) -> Result<Self, ProblemError> {
        if !budget.is_finite() || budget < 0.0 {
            return Err(ProblemError::Budget(budget));
        }
        self.budget = Some(budget);
        Ok(self)
    }

    /// Forbids every pair whose latency exceeds the customer's limit. `latency` is customer-major
    /// like the costs; a limit of `f64::INFINITY` leaves the customer unconstrained.
    ///
    /// # Panics
    /// If `latency` or `limits` have the wrong length (a programming error, not input).
    pub fn forbid_beyond(&mut self, latency: &[f64], limits: &[f64]) {
        let m = self.facilities.len();
        assert_eq!(latency.len(), self.cost.len(), "latency matrix shape");
        assert_eq!(limits.len(), self.customers.len(), "latency limits");
        for (j, &limit) in limits.iter().enumerate() {
            for i in 0..m {
                if latency[j * m + i] > limit {
                    self.cost[j * m + i] = f64::INFINITY;
                }
            }
        }
    }

    pub fn facilities(&self) -> &[Facility] {
        &self.facilities
    }

    pub fn customers(&self) -> &[Customer] {
        &self.customers
    }

    pub fn sourcing(&self) -> Sourcing {
        self.sourcing
    }

    pub fn budget(&self) -> Option<f64> {
        self.budget
    }

    /// The cost of serving customer `j` entirely (one copy) from facility `i`; infinite if forbidden.
    #[inline]
    pub fn cost(&self, j: usize, i: usize) -> f64 {
        self.cost[j * self.facilities.len() + i]
    }

    /// Costs of customer `j` over all facilities.
    #[inline]
    pub fn costs_of(&self, j: usize) -> &[f64] {
        let m = self.facilities.len();
        &self.cost[j * m..(j + 1) * m]
    }

    #[inline]
    pub fn allowed(&self, j: usize, i: usize) -> bool {
        self.cost(j, i).is_finite()
    }

    /// Whether opening the facilities marked in `open` keeps within the budget (if any).
    pub fn within_budget(&self, open: &[bool]) -> bool {
        self.budget.is_none_or(|b| {
            let fixed: f64 = self
                .facilities
                .iter()
                .zip(open)
                .filter(|(_, o)| **o)
                .map(|(f, _)| f.fixed_cost)
                .sum();
            fixed <= b + 1e-9 * b.max(1.0)
        })
    }

    /// The total demand to place, counting every copy.
    pub fn total_demand(&self) -> f64 {
        self.customers
            .iter()
            .map(|c| c.demand * f64::from(c.copies))
            .sum()
    }
}

/// A candidate answer: which facilities are open and who serves each customer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Solution {
    pub open: Vec<bool>,
    /// Per customer: (facility, share of its demand). Single sourcing has `copies` entries of 1.0.
    pub assignment: Vec<Vec<(u32, f64)>>,
}

impl Solution {
    /// Fixed plus assignment cost, as the problem prices it (infinite if a pair is forbidden).
    pub fn cost(&self, problem: &Problem) -> f64 {
        let fixed: f64 = problem
            .facilities()
            .iter()
            .zip(&self.open)
            .filter(|(_, open)| **open)
            .map(|(f, _)| f.fixed_cost)
            .sum();
        let serve: f64 = self
            .assignment
            .iter()
            .enumerate()
            .flat_map(|(j, row)| row.iter().map(move |&(i, s)| (j, i as usize, s)))
            .map(|(j, i, s)| problem.cost(j, i) * s)
            .sum();
        fixed + serve
    }
}

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The solution is proven optimal (the gap is closed).
    Optimal,
    /// A feasible solution, with a lower bound and a gap.
    Feasible,
    /// Proven infeasible.
    Infeasible,
    /// No feasible solution found, and none proven impossible.
    Unknown,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Optimal => "optimal",
            Status::Feasible => "feasible",
            Status::Infeasible => "infeasible",
            Status::Unknown => "no solution found",
        })
    }
}

/// The answer of a solver: the best solution, its cost, the proven lower bound and the gap.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    pub status: Status,
    pub objective: f64,
    pub lower_bound: f64,
    /// `(objective - lower_bound) / objective`; 0 when proven optimal, infinite without a solution.
    pub gap: f64,
    pub seconds: f64,
    /// When the returned solution was found (the rest of the time went to proving the bound).
    /// Reported only: no decision of the solver depends on it.
    pub found_seconds: f64,
    /// The fast solver's work units (see `Options::work_limit`); 0 for the exact backend.
    pub work: u64,
    /// The phase a time or work limit stopped, if one did (fast solver only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<crate::limit::Phase>,
    #[serde(skip)]
    pub solution: Option<Solution>,
    /// Why the problem is infeasible, when it is proven so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infeasible: Option<String>,
}

impl Outcome {
    /// A proven infeasibility, with the reason.
    pub fn infeasible(reason: String, seconds: f64) -> Self {
        Outcome {
            status: Status::Infeasible,
            objective: f64::INFINITY,
            lower_bound: f64::INFINITY,
            gap: f64::INFINITY,
            seconds,
            found_seconds: seconds,
            work: 0,
            interrupted: None,
            solution: None,
            infeasible: Some(reason),
        }
    }
}

/// The relative gap between an objective and a lower bound.
pub fn relative_gap(objective: f64, lower_bound: f64) -> f64 {
    if !objective.is_finite() {
        return f64::INFINITY;
    }
    let diff = (objective - lower_bound).max(0.0);
    if diff <= 1e-9 * objective.abs().max(1.0) {
        0.0
    } else {
        diff / objective.abs().max(1e-12)
    }
}
