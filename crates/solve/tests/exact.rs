#![cfg(feature = "highs")]
#![allow(clippy::unwrap_used, reason = "tests")]
//! The fast solver against HiGHS on medium random instances, single and split sourcing, with
//! copies in distinct failure domains: neither may beat the other's proven bound, and the fast
//! solver stays close to the optimum.

use footprint_solve::exact::{ExactOptions, solve_exact};
use footprint_solve::{Customer, Facility, Options, Problem, Sourcing, Status, solve, validate};

fn instance(seed: u64, sourcing: Sourcing) -> Problem {
    let mut s = seed * 2654435761 + 1;
    let mut next = move |n: u64| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s % n
    };
    let (m, n) = (12, 30);
    let customers: Vec<Customer> = (0..n)
        .map(|_| Customer {
            demand: (5 + next(30)) as f64,
            copies: if next(4) == 0 { 2 } else { 1 },
        })
        .collect();
    let total: f64 = customers
        .iter()
        .map(|c| c.demand * f64::from(c.copies))
        .sum();
    let facilities = (0..m)
        .map(|_| Facility {
            capacity: (total / 4.0 + next(40) as f64).round(),
            fixed_cost: (100 + next(400)) as f64,
            domain: next(8) as u32,
        })
        .collect();
    let cost = (0..n * m)
        .map(|_| {
            if next(8) == 0 {
                f64::INFINITY
            } else {
                (5 + next(80)) as f64
            }
        })
        .collect();
    Problem::new(facilities, customers, cost, sourcing).unwrap()
}

#[test]
fn fast_solver_against_highs_on_medium_instances() {
    let mut worst: f64 = 0.0;
    for seed in 1..=12 {
        for sourcing in [Sourcing::Single, Sourcing::Split] {
            let p = instance(seed, sourcing);
            let fast = solve(
                &p,
                &Options {
                    time_limit: f64::INFINITY,
                    ..Options::default()
                },
            );
            let exact = solve_exact(
                &p,
                &ExactOptions {
                    // No limit that could bind on a slow machine: each takes well under a second.
                    time_limit: f64::INFINITY,
                    threads: 1,
                    objective_target: None,
                },
            )
            .unwrap();
            if exact.status == Status::Infeasible {
                assert!(
                    fast.solution.is_none(),
                    "seed {seed}: solved an infeasible instance"
                );
                continue;
            }
            assert_eq!(exact.status, Status::Optimal, "seed {seed} {sourcing:?}");
            let opt = exact.objective;
            validate(&p, exact.solution.as_ref().unwrap(), Some(opt)).unwrap();
            let sol = fast
                .solution
                .as_ref()
                .expect("a solution where HiGHS has one");
            validate(&p, sol, Some(fast.objective)).unwrap();
            assert!(
                fast.objective >= opt - 1e-6,
                "seed {seed} {sourcing:?}: below the optimum"
            );
            assert!(
                fast.lower_bound <= opt + 1e-6 * opt,
                "seed {seed} {sourcing:?}: bound {} above the optimum {opt}",
                fast.lower_bound
            );
            worst = worst.max((fast.objective - opt) / opt);
        }
    }
    eprintln!("worst gap to HiGHS: {:.3}%", worst * 100.0);
    assert!(worst <= 0.05, "worst gap to HiGHS {worst}");
}
