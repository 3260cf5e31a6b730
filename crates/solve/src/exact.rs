//! The exact backend: the same model as a MILP, built with `good_lp` and solved by HiGHS.
//! Used to certify the fast solver's answers and in tests; only with the `highs` feature.

use std::time::Instant;

use good_lp::solvers::highs::highs;
use good_lp::{Expression, ProblemVariables, Variable, variable};

use crate::problem::{Outcome, Problem, Solution, Sourcing, Status, relative_gap};

/// Options of the exact solve.
#[derive(Debug, Clone)]
pub struct ExactOptions {
    /// Wall-clock limit in seconds; the answer then carries HiGHS's bound and gap.
    pub time_limit: f64,
    /// Threads HiGHS may use.
    pub threads: u32,
}

impl Default for ExactOptions {
    fn default() -> Self {
        ExactOptions {
            time_limit: 600.0,
            threads: 1,
        }
    }
}

/// Solves `p` to optimality with HiGHS (or until the time limit, with its bound and gap).
pub fn solve_exact(p: &Problem, options: &ExactOptions) -> Result<Outcome, String> {
    let start = Instant::now();
    let m = p.facilities().len();
    let n = p.customers().len();
    let mut vars = ProblemVariables::new();
    let y: Vec<Variable> = (0..m).map(|_| vars.add(variable().binary())).collect();
    // x[j] lists (facility, variable) over allowed pairs only.
    // HiGHS numbers its columns in the order the variables were made: y first, then x.
    let mut x: Vec<Vec<(usize, Variable)>> = Vec::with_capacity(n);
    let mut column: Vec<Vec<usize>> = Vec::with_capacity(n);
    let mut next = m;
    for j in 0..n {
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
    let mut objective = Expression::from(0.0);
    for (i, f) in p.facilities().iter().enumerate() {
        objective += f.fixed_cost * y[i];
    }
    for (j, row) in x.iter().enumerate() {
        for &(i, v) in row {
            objective += p.cost(j, i) * v;
        }
    }
    let mut model = vars.minimise(objective).using(highs);
    use good_lp::SolverModel;
    let total = p.total_demand();
    let mut load: Vec<Expression> = vec![Expression::from(0.0); m];
    for (j, row) in x.iter().enumerate() {
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
            model.add_constraint((v - y[i]).leq(0.0));
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
        model.add_constraint((l - cap * y[i]).leq(0.0));
    }
    if let Some(b) = p.budget() {
        let fixed: Expression = (0..m).map(|i| p.facilities()[i].fixed_cost * y[i]).sum();
        model.add_constraint(fixed.leq(b));
    }
    let mut inner = model.into_inner();
    inner.make_quiet();
    inner.set_option("time_limit", options.time_limit);
    inner.set_option("threads", options.threads as i32);
    inner.set_option("mip_rel_gap", 1e-9);
    inner.set_option("mip_abs_gap", 1e-9);
    let solved = inner
        .try_solve()
        .map_err(|e| format!("HiGHS failed: {e:?}"))?;
    let seconds = start.elapsed().as_secs_f64();
    use highs::HighsModelStatus as S;
    let status = solved.status();
    if matches!(status, S::Infeasible | S::UnboundedOrInfeasible) {
        return Ok(Outcome::infeasible(
            "HiGHS proved the model infeasible".into(),
            seconds,
        ));
    }
    let bound = solved
        .double_info_value(c"mip_dual_bound")
        .unwrap_or(f64::NEG_INFINITY);
    let has_solution = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
    if !has_solution {
        return Ok(Outcome {
            status: Status::Unknown,
            objective: f64::INFINITY,
            lower_bound: bound,
            gap: f64::INFINITY,
            seconds,
            found_seconds: seconds,
            solution: None,
            infeasible: None,
        });
    }
    let cols = solved.get_solution();
    let values = cols.columns();
    let open: Vec<bool> = (0..m).map(|i| values[i] > 0.5).collect();
    let assignment: Vec<Vec<(u32, f64)>> = x
        .iter()
        .zip(&column)
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
    let solution = Solution { open, assignment };
    let objective = solution.cost(p);
    let lower_bound = bound.min(objective);
    let gap = relative_gap(objective, lower_bound);
    Ok(Outcome {
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
        solution: Some(solution),
        infeasible: None,
    })
}
