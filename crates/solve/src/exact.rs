//! The exact backend: the same model as a MILP, built with `good_lp` and solved by HiGHS.
//! Used to certify the fast solver's answers and in tests; only with the `highs` feature.

use std::time::Instant;

use good_lp::solvers::highs::highs;
use good_lp::{Expression, ProblemVariables, SolverModel, Variable, variable};

use crate::problem::{Outcome, Problem, Solution, Sourcing, Status, relative_gap};

/// Options of the exact solve.
#[derive(Debug, Clone)]
pub struct ExactOptions {
    /// Wall-clock limit in seconds; the answer then carries HiGHS's bound and gap.
    pub time_limit: f64,
    /// Threads HiGHS may use.
    pub threads: u32,
    /// Stop as soon as a solution strictly below this objective is found (HiGHS's
    /// `objective_target`): the time to reach a given quality.
    pub objective_target: Option<f64>,
}

impl Default for ExactOptions {
    fn default() -> Self {
        ExactOptions {
            time_limit: 600.0,
            threads: 1,
            objective_target: None,
        }
    }
}

/// Why the exact backend gave no answer (an infeasible or unsolved model is an [`Outcome`], not
/// an error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExactError {
    /// HiGHS itself reported an error while solving.
    #[error("HiGHS failed while solving the model: status {0:?}")]
    Highs(highs::HighsStatus),
}

/// The MILP's variables: `y` per facility, and per customer its allowed (facility, variable)
/// pairs with HiGHS's column of each (HiGHS numbers columns in the order the variables were
/// made: `y` first, then `x`).
struct Columns {
    y: Vec<Variable>,
    x: Vec<Vec<(usize, Variable)>>,
    column: Vec<Vec<usize>>,
}

/// Solves `p` to optimality with HiGHS (or until the time limit, with its bound and gap).
pub fn solve_exact(p: &Problem, options: &ExactOptions) -> Result<Outcome, ExactError> {
    let start = Instant::now();
    let mut vars = ProblemVariables::new();
    let cols = columns(p, &mut vars);
    let mut objective = Expression::from(0.0);
    for (i, f) in p.facilities().iter().enumerate() {
        objective += f.fixed_cost * cols.y[i];
    }
    for (j, row) in cols.x.iter().enumerate() {
        for &(i, v) in row {
            objective += p.cost(j, i) * v;
        }
    }
    let mut model = vars.minimise(objective).using(highs);
    constrain(p, &cols, &mut model);
    let mut inner = model.into_inner();
    inner.make_quiet();
    inner.set_option("time_limit", options.time_limit);
    inner.set_option("threads", options.threads as i32);
    inner.set_option("mip_rel_gap", 1e-9);
    inner.set_option("mip_abs_gap", 1e-9);
    if let Some(target) = options.objective_target {
        inner.set_option("objective_target", target);
    }
    let solved = inner.try_solve().map_err(ExactError::Highs)?;
    Ok(outcome(p, &cols, &solved, start.elapsed().as_secs_f64()))
}

fn columns(p: &Problem, vars: &mut ProblemVariables) -> Columns {
    let m = p.facilities().len();
    let y: Vec<Variable> = (0..m).map(|_| vars.add(variable().binary())).collect();
    let mut x = Vec::with_capacity(p.customers().len());
    let mut column = Vec::with_capacity(p.customers().len());
    let mut next = m;
    for j in 0..p.customers().len() {
        let mut row = Vec::new();
        let mut cols = Vec::new();
        for i in (0..m).filter(|&i| p.allowed(j, i)) {
            let v = match p.sourcing() {
                Sourcing::Single => vars.add(variable().binary()),
                Sourcing::Split => vars.add(variable().min(0.0).max(1.0)),
            };
            row.push((i, v));
            cols.push(next);
            next += 1;
        }
        x.push(row);
        column.push(cols);
    }
    Columns { y, x, column }
}

/// Copies, failure domains, linking, capacity and budget rows.
fn constrain(p: &Problem, cols: &Columns, model: &mut impl SolverModel) {
    let m = p.facilities().len();
    let total = p.total_demand();
    let mut load: Vec<Expression> = vec![Expression::from(0.0); m];
    for (j, row) in cols.x.iter().enumerate() {
        let c = &p.customers()[j];
        let copies: Expression = row.iter().map(|&(_, v)| v).sum();
        model.add_constraint(copies.eq(f64::from(c.copies)));
        let mut domains: Vec<(u32, Expression)> = Vec::new();
        for &(i, v) in row {
            let d = p.facilities()[i].domain;
            match domains.iter_mut().find(|(k, _)| *k == d) {
                Some((_, e)) => *e += v,
                None => domains.push((d, Expression::from(v))),
            }
            // The strong linking row: no copy at a closed facility.
            model.add_constraint((v - cols.y[i]).leq(0.0));
            load[i] += c.demand * v;
        }
        for (_, e) in domains {
            if c.copies > 1 {
                model.add_constraint(e.leq(1.0));
            }
        }
    }
    for (i, f) in p.facilities().iter().enumerate() {
        let cap = f.capacity.min(total);
        let l = std::mem::replace(&mut load[i], Expression::from(0.0));
        model.add_constraint((l - cap * cols.y[i]).leq(0.0));
    }
    if let Some(b) = p.budget() {
        let fixed: Expression = (0..m)
            .map(|i| p.facilities()[i].fixed_cost * cols.y[i])
            .sum();
        model.add_constraint(fixed.leq(b));
    }
}

/// HiGHS's answer as an outcome: its solution (if any), its bound and its status.
fn outcome(p: &Problem, cols: &Columns, solved: &highs::SolvedModel, seconds: f64) -> Outcome {
    use highs::HighsModelStatus as S;
    let status = solved.status();
    if matches!(status, S::Infeasible | S::UnboundedOrInfeasible) {
        return Outcome::infeasible("HiGHS proved the model infeasible".into(), seconds);
    }
    let bound = solved
        .double_info_value(c"mip_dual_bound")
        .unwrap_or(f64::NEG_INFINITY);
    let has_solution = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
    if !has_solution {
        return Outcome {
            status: Status::Unknown,
            objective: f64::INFINITY,
            lower_bound: bound,
            gap: f64::INFINITY,
            seconds,
            found_seconds: seconds,
            work: 0,
            interrupted: None,
            solution: None,
            infeasible: None,
        };
    }
    let solution = read_solution(p, cols, solved.get_solution().columns());
    let objective = solution.cost(p);
    let lower_bound = bound.min(objective);
    let gap = relative_gap(objective, lower_bound);
    Outcome {
        status: if status == S::Optimal {
            Status::Optimal
        } else {
            Status::Feasible
        },
        objective,
        lower_bound,
        gap,
        seconds,
        found_seconds: seconds,
        work: 0,
        interrupted: None,
        solution: Some(solution),
        infeasible: None,
    }
}

fn read_solution(p: &Problem, cols: &Columns, values: &[f64]) -> Solution {
    let m = p.facilities().len();
    let open: Vec<bool> = (0..m).map(|i| values[i] > 0.5).collect();
    let assignment: Vec<Vec<(u32, f64)>> = cols
        .x
        .iter()
        .zip(&cols.column)
        .map(|(row, cols)| {
            row.iter()
                .zip(cols)
                .filter_map(|(&(i, _), &col)| {
                    let s = values[col];
                    match p.sourcing() {
                        Sourcing::Single => (s > 0.5).then_some((i as u32, 1.0)),
                        Sourcing::Split => (s > 1e-9).then_some((i as u32, s.min(1.0))),
                    }
                })
                .collect()
        })
        .collect();
    Solution { open, assignment }
}
