//! An independent check of a solution against its problem.
//!
//! It shares no code with the solvers: it recomputes loads and costs from the assignment alone,
//! so a solver bug cannot hide behind the same bug here.

use std::fmt;

use crate::problem::{Problem, Solution, Sourcing};

/// One way a solution breaks its problem.
#[derive(Debug, Clone, PartialEq)]
pub enum Violation {
    Shape(String),
    UnknownFacility {
        customer: usize,
        facility: u32,
    },
    ClosedFacility {
        customer: usize,
        facility: usize,
    },
    Forbidden {
        customer: usize,
        facility: usize,
    },
    BadShare {
        customer: usize,
        facility: usize,
        share: f64,
    },
    Copies {
        customer: usize,
        expected: u32,
        got: f64,
    },
    SharedDomain {
        customer: usize,
        domain: u32,
    },
    Capacity {
        facility: usize,
        load: f64,
        capacity: f64,
    },
    Budget {
        fixed: f64,
        budget: f64,
    },
    Objective {
        claimed: f64,
        actual: f64,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Shape(s) => write!(f, "shape: {s}"),
            Violation::UnknownFacility { customer, facility } => {
                write!(
                    f,
                    "customer {customer} is served by unknown facility {facility}"
                )
            }
            Violation::ClosedFacility { customer, facility } => {
                write!(
                    f,
                    "customer {customer} is served by closed facility {facility}"
                )
            }
            Violation::Forbidden { customer, facility } => {
                write!(
                    f,
                    "customer {customer} is served by forbidden facility {facility}"
                )
            }
            Violation::BadShare {
                customer,
                facility,
                share,
            } => write!(
                f,
                "customer {customer} has share {share} at facility {facility}"
            ),
            Violation::Copies {
                customer,
                expected,
                got,
            } => write!(f, "customer {customer} has {got} copies, needs {expected}"),
            Violation::SharedDomain { customer, domain } => write!(
                f,
                "customer {customer} has more than one copy in failure domain {domain}"
            ),
            Violation::Capacity {
                facility,
                load,
                capacity,
            } => write!(
                f,
                "facility {facility} carries {load}, over its capacity {capacity}"
            ),
            Violation::Budget { fixed, budget } => {
                write!(f, "fixed cost {fixed} is over the budget {budget}")
            }
            Violation::Objective { claimed, actual } => {
                write!(f, "claimed objective {claimed}, actual {actual}")
            }
        }
    }
}

const TOL: f64 = 1e-6;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL * a.abs().max(b.abs()).max(1.0)
}

/// Checks `solution` against `problem`, and `claimed` (if given) against the recomputed cost.
/// Returns the recomputed cost, or every violation found.
pub fn validate(
    problem: &Problem,
    solution: &Solution,
    claimed: Option<f64>,
) -> Result<f64, Vec<Violation>> {
    let facilities = problem.facilities();
    let customers = problem.customers();
    let mut out = Vec::new();
    if solution.open.len() != facilities.len() || solution.assignment.len() != customers.len() {
        out.push(Violation::Shape(format!(
            "{} open flags and {} assignments for {} facilities and {} customers",
            solution.open.len(),
            solution.assignment.len(),
            facilities.len(),
            customers.len()
        )));
        return Err(out);
    }
    let mut load = vec![0.0_f64; facilities.len()];
    let mut cost = 0.0;
    for (j, row) in solution.assignment.iter().enumerate() {
        let mut total = 0.0;
        let mut per_domain: Vec<(u32, f64)> = Vec::new();
        for &(fac, share) in row {
            let Some(facility) = facilities.get(fac as usize) else {
                out.push(Violation::UnknownFacility {
                    customer: j,
                    facility: fac,
                });
                continue;
            };
            let i = fac as usize;
            let share_ok = match problem.sourcing() {
                Sourcing::Single => share == 1.0,
                Sourcing::Split => share > 0.0 && share <= 1.0 + TOL,
            };
            if !share_ok {
                out.push(Violation::BadShare {
                    customer: j,
                    facility: i,
                    share,
                });
            }
            if !solution.open[i] {
                out.push(Violation::ClosedFacility {
                    customer: j,
                    facility: i,
                });
            }
            let c = problem.cost(j, i);
            if !c.is_finite() {
                out.push(Violation::Forbidden {
                    customer: j,
                    facility: i,
                });
            } else {
                cost += c * share;
            }
            total += share;
            load[i] += customers[j].demand * share;
            match per_domain.iter_mut().find(|(d, _)| *d == facility.domain) {
                Some((_, s)) => *s += share,
                None => per_domain.push((facility.domain, share)),
            }
        }
        let expected = customers[j].copies;
        if !close(total, f64::from(expected)) {
            out.push(Violation::Copies {
                customer: j,
                expected,
                got: total,
            });
        }
        for (domain, s) in per_domain {
            if s > 1.0 + TOL {
                out.push(Violation::SharedDomain {
                    customer: j,
                    domain,
                });
            }
        }
    }
    let mut fixed = 0.0;
    for (i, f) in facilities.iter().enumerate() {
        if solution.open[i] {
            fixed += f.fixed_cost;
        }
        if load[i] > f.capacity + TOL * f.capacity.max(1.0) {
            out.push(Violation::Capacity {
                facility: i,
                load: load[i],
                capacity: f.capacity,
            });
        }
    }
    if let Some(budget) = problem.budget()
        && fixed > budget + TOL * budget.max(1.0)
    {
        out.push(Violation::Budget { fixed, budget });
    }
    let actual = fixed + cost;
    if let Some(claimed) = claimed
        && !close(claimed, actual)
    {
        out.push(Violation::Objective { claimed, actual });
    }
    if out.is_empty() { Ok(actual) } else { Err(out) }
}
