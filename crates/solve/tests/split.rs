#![allow(clippy::unwrap_used, reason = "tests")]
//! Split sourcing against an oracle that shares no code with the solver: every open set of a
//! small instance is enumerated and its transportation problem (copies, failure domains,
//! capacities) solved by a dense two-phase simplex written here. Capacities are tight, so
//! demands often exceed what one facility holds (the case single-source reasoning gets wrong).

use footprint_solve::{
    Customer, Facility, Options, Outcome, Problem, Sourcing, Status, solve, validate,
};

const TOL: f64 = 1e-6;

/// min `c.x` subject to `rows` (coefficients, right-hand side >= 0, equality?) and `x >= 0`:
/// the optimum, or `None` if infeasible. Two phases, Bland's rule (no cycling).
fn lp_min(c: &[f64], rows: &[(Vec<f64>, f64, bool)]) -> Option<f64> {
    let n = c.len();
    let slacks = rows.iter().filter(|r| !r.2).count();
    let arts = rows.len() - slacks;
    let width = n + slacks + arts;
    let mut t: Vec<Vec<f64>> = Vec::new();
    let mut basis = Vec::new();
    let (mut s, mut a) = (n, n + slacks);
    for (coef, rhs, eq) in rows {
        let mut row = vec![0.0; width + 1];
        row[..n].copy_from_slice(coef);
        row[width] = *rhs;
        if *eq {
            row[a] = 1.0;
            basis.push(a);
            a += 1;
        } else {
            row[s] = 1.0;
            basis.push(s);
            s += 1;
        }
        t.push(row);
    }
    // Phase 1: minimise the artificials.
    let mut phase1 = vec![0.0; width];
    phase1[n + slacks..].fill(1.0);
    simplex(&mut t, &mut basis, &phase1, width);
    let infeasibility: f64 = basis
        .iter()
        .zip(&t)
        .filter(|(b, _)| **b >= n + slacks)
        .map(|(_, r)| r[width])
        .sum();
    if infeasibility > 1e-7 {
        return None;
    }
    // Drive zero-level artificials out of the basis (or drop their redundant rows).
    let mut k = 0;
    while k < t.len() {
        if basis[k] >= n + slacks {
            match (0..n + slacks).find(|&col| t[k][col].abs() > 1e-9) {
                Some(col) => pivot(&mut t, &mut basis, k, col),
                None => {
                    t.remove(k);
                    basis.remove(k);
                    continue;
                }
            }
        }
        k += 1;
    }
    let mut phase2 = vec![0.0; width];
    phase2[..n].copy_from_slice(c);
    simplex(&mut t, &mut basis, &phase2, n + slacks);
    Some(
        basis
            .iter()
            .zip(&t)
            .map(|(&b, r)| phase2[b] * r[width])
            .sum(),
    )
}

/// Minimises `cost` from the current basic feasible solution; only columns below `allowed`
/// may enter.
fn simplex(t: &mut [Vec<f64>], basis: &mut [usize], cost: &[f64], allowed: usize) {
    let width = cost.len();
    loop {
        let reduced = |col: usize, t: &[Vec<f64>], basis: &[usize]| {
            cost[col]
                - basis
                    .iter()
                    .zip(t)
                    .map(|(&b, r)| cost[b] * r[col])
                    .sum::<f64>()
        };
        let Some(enter) = (0..allowed).find(|&col| reduced(col, t, basis) < -1e-9) else {
            return;
        };
        let leave = (0..t.len())
            .filter(|&r| t[r][enter] > 1e-9)
            .min_by(|&x, &y| {
                let rx = t[x][width] / t[x][enter];
                let ry = t[y][width] / t[y][enter];
                rx.total_cmp(&ry).then(basis[x].cmp(&basis[y]))
            })
            .expect("bounded: every variable is capped by a domain row");
        pivot(t, basis, leave, enter);
    }
}

fn pivot(t: &mut [Vec<f64>], basis: &mut [usize], row: usize, col: usize) {
    let p = t[row][col];
    for v in t[row].iter_mut() {
        *v /= p;
    }
    let pivot_row = t[row].clone();
    for (r, other) in t.iter_mut().enumerate() {
        let f = other[col];
        if r != row && f != 0.0 {
            for (v, pv) in other.iter_mut().zip(&pivot_row) {
                *v -= f * pv;
            }
        }
    }
    basis[row] = col;
}

/// The transportation optimum with only the facilities in `open`, by the simplex above.
fn transport(p: &Problem, open: &[bool]) -> Option<f64> {
    let (m, n) = (p.facilities().len(), p.customers().len());
    let vars: Vec<(usize, usize)> = (0..n)
        .flat_map(|j| (0..m).map(move |i| (j, i)))
        .filter(|&(j, i)| open[i] && p.allowed(j, i))
        .collect();
    let c: Vec<f64> = vars.iter().map(|&(j, i)| p.cost(j, i)).collect();
    let mut rows = Vec::new();
    let row = |keep: &dyn Fn(usize, usize) -> Option<f64>| {
        vars.iter()
            .map(|&(j, i)| keep(j, i).unwrap_or(0.0))
            .collect::<Vec<f64>>()
    };
    for (j, cust) in p.customers().iter().enumerate() {
        rows.push((
            row(&|jj, _| (jj == j).then_some(1.0)),
            f64::from(cust.copies),
            true,
        ));
        let mut domains: Vec<u32> = p.facilities().iter().map(|f| f.domain).collect();
        domains.sort_unstable();
        domains.dedup();
        for d in domains {
            let in_d = |jj: usize, i: usize| jj == j && p.facilities()[i].domain == d;
            rows.push((row(&|jj, i| in_d(jj, i).then_some(1.0)), 1.0, false));
        }
    }
    for (i, f) in p.facilities().iter().enumerate() {
        if open[i] && f.capacity.is_finite() {
            let load = |j: usize, ii: usize| (ii == i).then_some(p.customers()[j].demand);
            rows.push((row(&load), f.capacity, false));
        }
    }
    lp_min(&c, &rows)
}

/// The optimum over every open set within the budget (`None`: infeasible).
fn oracle(p: &Problem) -> Option<f64> {
    let m = p.facilities().len();
    (0u32..1 << m)
        .filter_map(|mask| {
            let open: Vec<bool> = (0..m).map(|i| mask & (1 << i) != 0).collect();
            if !p.within_budget(&open) {
                return None;
            }
            let fixed: f64 = (0..m)
                .filter(|&i| open[i])
                .map(|i| p.facilities()[i].fixed_cost)
                .sum();
            transport(p, &open).map(|t| fixed + t)
        })
        .reduce(f64::min)
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A small split instance with tight capacities: some demands exceed what one facility holds.
fn random(rng: &mut Rng, with_copies: bool) -> Problem {
    let m = 3 + rng.below(3) as usize;
    let n = 3 + rng.below(3) as usize;
    let customers: Vec<Customer> = (0..n)
        .map(|_| Customer {
            demand: (1 + rng.below(12)) as f64,
            copies: if with_copies && rng.below(3) == 0 {
                2
            } else {
                1
            },
        })
        .collect();
    let total: f64 = customers
        .iter()
        .map(|c| c.demand * f64::from(c.copies))
        .sum();
    let facilities = (0..m)
        .map(|i| Facility {
            capacity: (total / m as f64 * (0.9 + rng.below(8) as f64 / 10.0)).round(),
            fixed_cost: (5 + rng.below(40)) as f64,
            domain: if with_copies {
                rng.below(m as u64 - 1) as u32
            } else {
                i as u32
            },
        })
        .collect();
    let cost = (0..n * m)
        .map(|_| {
            if rng.below(7) == 0 {
                f64::INFINITY
            } else {
                (1 + rng.below(30)) as f64
            }
        })
        .collect();
    Problem::new(facilities, customers, cost, Sourcing::Split).unwrap()
}

fn deterministic() -> Options {
    Options {
        time_limit: f64::INFINITY,
        work_limit: None,
        ..Options::default()
    }
}

/// Every claim of the outcome against the oracle's optimum.
fn agrees(case: &str, p: &Problem, o: &Outcome, truth: Option<f64>) {
    if let Some(s) = &o.solution {
        validate(p, s, Some(o.objective)).unwrap_or_else(|v| panic!("{case}: {v:?}"));
    }
    match truth {
        None => assert!(
            o.solution.is_none() && matches!(o.status, Status::Infeasible | Status::Unknown),
            "{case}: {:?} {} on an infeasible instance",
            o.status,
            o.objective
        ),
        Some(opt) => {
            let tol = TOL * opt.abs().max(1.0);
            assert_ne!(
                o.status,
                Status::Infeasible,
                "{case}: false infeasible, optimum {opt}"
            );
            assert!(
                o.lower_bound <= opt + tol,
                "{case}: bound {} above {opt}",
                o.lower_bound
            );
            if p.budget().is_none() {
                assert!(o.solution.is_some(), "{case}: no solution, optimum {opt}");
            }
            if o.solution.is_some() {
                assert!(
                    o.objective >= opt - tol,
                    "{case}: {} below {opt}",
                    o.objective
                );
                // Within its stated gap of the optimum.
                assert!(
                    (o.objective - opt) / o.objective <= o.gap + TOL,
                    "{case}: {} is {opt} plus more than the stated gap {}",
                    o.objective,
                    o.gap
                );
            }
            if o.status == Status::Optimal {
                assert!(
                    (o.objective - opt).abs() <= tol,
                    "{case}: false optimal {} (optimum {opt})",
                    o.objective
                );
            }
        }
    }
}

#[test]
fn the_oracle_solves_a_textbook_transportation_problem() {
    // Two facilities of capacity 5, two customers (demand 4 and 6): customer 0 costs 4 / 12
    // whole, customer 1 costs 18 / 6 whole. The optimum ships all of 0 to facility 0 (4), one
    // unit of 1 to facility 0 (3) and five to facility 1 (5): 12, plus the fixed costs 3.
    let f = |capacity| Facility {
        capacity,
        fixed_cost: 1.5,
        domain: 0,
    };
    let c = |demand| Customer { demand, copies: 1 };
    let p = Problem::new(
        vec![f(5.0), f(5.0)],
        vec![c(4.0), c(6.0)],
        vec![4.0, 12.0, 18.0, 6.0],
        Sourcing::Split,
    )
    .unwrap();
    assert!((oracle(&p).unwrap() - 15.0).abs() < 1e-9);
    assert_eq!(transport(&p, &[true, false]), None);
}

/// Whole-number data under split sourcing does not make objectives whole: the solver used to
/// end with "optimal 58" here, where 57.83 is feasible.
#[test]
fn split_sourcing_objectives_are_not_rounded_to_whole_numbers() {
    let facilities = [(4.0, 18.0), (5.0, 16.0), (6.0, 11.0)]
        .iter()
        .enumerate()
        .map(|(i, &(capacity, fixed_cost))| Facility {
            capacity,
            fixed_cost,
            domain: i as u32,
        })
        .collect();
    let customers = [1.0, 3.0, 6.0]
        .iter()
        .map(|&demand| Customer { demand, copies: 1 })
        .collect();
    let cost = vec![14.0, 23.0, 3.0, 13.0, 14.0, 26.0, 2.0, 12.0, 15.0];
    let p = Problem::new(facilities, customers, cost, Sourcing::Split).unwrap();
    let truth = oracle(&p).unwrap();
    assert!((truth - (57.0 + 5.0 / 6.0)).abs() < 1e-9, "{truth}");
    let o = solve(&p, &deterministic());
    agrees("issue example", &p, &o, Some(truth));
    assert!(
        o.lower_bound <= truth + 1e-9 && o.objective < 58.0 - 1e-6,
        "{o:?}"
    );
}

/// A customer whose demand no single facility holds is still servable when it may be split: the
/// solver used to call this "proven infeasible".
#[test]
fn split_demand_larger_than_any_facility_is_feasible() {
    let facilities = [6.0, 6.0, 5.0, 5.0]
        .iter()
        .enumerate()
        .map(|(i, &capacity)| Facility {
            capacity,
            fixed_cost: 10.0,
            domain: i as u32,
        })
        .collect();
    let customers = [1.0, 9.0, 1.0, 2.0]
        .iter()
        .map(|&demand| Customer { demand, copies: 1 })
        .collect();
    let cost = (0..16).map(|k| f64::from(1 + (k * 7) % 5)).collect();
    let p = Problem::new(facilities, customers, cost, Sourcing::Split).unwrap();
    assert_eq!(footprint_solve::infeasibility(&p), None);
    let truth = oracle(&p);
    assert!(truth.is_some());
    let o = solve(&p, &deterministic());
    agrees("issue example", &p, &o, truth);
    assert_eq!(o.status, Status::Optimal, "{o:?}");
}

#[test]
fn split_sourcing_matches_the_oracle_under_tight_capacities() {
    let mut rng = Rng(2027);
    let (mut feasible, mut optimal, mut infeasible, mut oversized) = (0, 0, 0, 0);
    for case in 0..160 {
        let mut p = random(&mut rng, case % 2 == 1);
        if case % 5 == 4 {
            let fixed: f64 = p.facilities().iter().map(|f| f.fixed_cost).sum();
            p = p.with_budget((fixed * 0.6).round()).unwrap();
        }
        let truth = oracle(&p);
        let o = solve(&p, &deterministic());
        agrees(&format!("case {case}"), &p, &o, truth);
        match truth {
            Some(opt) => {
                feasible += 1;
                if (o.objective - opt).abs() <= TOL * opt.max(1.0) {
                    optimal += 1;
                }
            }
            None => infeasible += 1,
        }
        let largest = p
            .facilities()
            .iter()
            .map(|f| f.capacity)
            .fold(0.0, f64::max);
        if p.customers().iter().any(|c| c.demand > largest) {
            oversized += 1;
        }
    }
    eprintln!(
        "{feasible} feasible ({optimal} solved to optimality), {infeasible} infeasible, {oversized} with a demand no facility holds alone"
    );
    assert!(feasible >= 100 && infeasible >= 5 && oversized >= 10);
    assert!(
        optimal * 100 >= feasible * 95,
        "optimal on {optimal} of {feasible}"
    );
}
