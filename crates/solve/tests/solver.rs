#![allow(clippy::unwrap_used, reason = "tests")]
//! The fast solver against brute force on small random instances, and on the literature's 57
//! SSCFLP instances against their known optima. Every solution goes through the validator.

use footprint_solve::{
    Customer, Facility, Options, Outcome, Problem, Sourcing, Status, solve, sscflp, validate,
};

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A random instance: m facilities in a few failure domains, n customers, some forbidden pairs.
fn random(rng: &mut Rng, m: usize, n: usize, max_copies: u32, tight: bool) -> Problem {
    let customers: Vec<Customer> = (0..n)
        .map(|_| Customer {
            demand: (1 + rng.below(20)) as f64,
            copies: 1 + rng.below(u64::from(max_copies)) as u32,
        })
        .collect();
    let total: f64 = customers
        .iter()
        .map(|c| c.demand * f64::from(c.copies))
        .sum();
    let facilities = (0..m)
        .map(|_| Facility {
            capacity: if tight {
                (total / m as f64 * 1.6).round() + rng.below(15) as f64
            } else {
                f64::INFINITY
            },
            fixed_cost: (10 + rng.below(90)) as f64,
            domain: rng.below(m as u64 - 1) as u32,
        })
        .collect();
    let cost = (0..n * m)
        .map(|_| {
            if rng.below(6) == 0 {
                f64::INFINITY
            } else {
                (1 + rng.below(60)) as f64
            }
        })
        .collect();
    Problem::new(facilities, customers, cost, Sourcing::Single).unwrap()
}

/// The optimum by enumeration: every customer's choice of distinct-domain facility sets.
fn brute(p: &Problem) -> Option<f64> {
    let m = p.facilities().len();
    let options: Vec<Vec<Vec<usize>>> = (0..p.customers().len())
        .map(|j| {
            let r = p.customers()[j].copies as usize;
            (0u32..1 << m)
                .filter(|s| s.count_ones() as usize == r)
                .map(|s| (0..m).filter(|i| s & (1 << i) != 0).collect::<Vec<_>>())
                .filter(|set| {
                    let mut d: Vec<u32> = set.iter().map(|&i| p.facilities()[i].domain).collect();
                    d.sort_unstable();
                    d.dedup();
                    d.len() == set.len() && set.iter().all(|&i| p.allowed(j, i))
                })
                .collect()
        })
        .collect();
    let mut best = None;
    let mut pick = vec![0usize; options.len()];
    fn go(
        p: &Problem,
        options: &[Vec<Vec<usize>>],
        k: usize,
        pick: &mut Vec<usize>,
        best: &mut Option<f64>,
    ) {
        if k == options.len() {
            let m = p.facilities().len();
            let mut load = vec![0.0; m];
            let mut open = vec![false; m];
            let mut cost = 0.0;
            for (j, &o) in pick.iter().enumerate() {
                for &i in &options[j][o] {
                    load[i] += p.customers()[j].demand;
                    open[i] = true;
                    cost += p.cost(j, i);
                }
            }
            for i in 0..m {
                if load[i] > p.facilities()[i].capacity {
                    return;
                }
                if open[i] {
                    cost += p.facilities()[i].fixed_cost;
                }
            }
            if best.is_none_or(|b| cost < b) {
                *best = Some(cost);
            }
            return;
        }
        for o in 0..options[k].len() {
            pick[k] = o;
            go(p, options, k + 1, pick, best);
        }
    }
    go(p, &options, 0, &mut pick, &mut best);
    best
}

/// Deterministic options: no time limit (the clock decides nothing), the default node limit.
fn deterministic() -> Options {
    Options {
        time_limit: f64::INFINITY,
        work_limit: None,
        ..Options::default()
    }
}

fn checked(p: &Problem, o: &Outcome) {
    if let Some(s) = &o.solution {
        validate(p, s, Some(o.objective)).unwrap();
    }
    assert!(o.lower_bound <= o.objective + 1e-6);
}

#[test]
fn matches_brute_force_on_small_random_instances() {
    let mut rng = Rng(42);
    let (mut solved, mut optimal) = (0, 0);
    for case in 0..120 {
        let tight = case % 2 == 0;
        let p = random(&mut rng, 5, 5, if case % 3 == 0 { 2 } else { 1 }, tight);
        let truth = brute(&p);
        let o = solve(&p, &deterministic());
        checked(&p, &o);
        match truth {
            None => assert!(
                matches!(o.status, Status::Infeasible | Status::Unknown),
                "case {case}: solver found {} on an infeasible instance",
                o.objective
            ),
            Some(best) => {
                solved += 1;
                assert!(
                    o.solution.is_some(),
                    "case {case}: no solution, optimum {best}"
                );
                assert!(o.objective >= best - 1e-6, "case {case}: below the optimum");
                assert!(
                    o.lower_bound <= best + 1e-6,
                    "case {case}: bound above the optimum"
                );
                if o.status == Status::Optimal {
                    assert!(
                        (o.objective - best).abs() < 1e-6,
                        "case {case}: false optimal"
                    );
                }
                if (o.objective - best).abs() < 1e-6 {
                    optimal += 1;
                }
            }
        }
    }
    assert!(solved > 60, "too few feasible cases: {solved}");
    assert!(
        optimal * 100 >= solved * 95,
        "optimal on {optimal} of {solved} feasible cases"
    );
}

#[test]
fn split_sourcing_is_never_worse_than_single() {
    let mut rng = Rng(9);
    for _ in 0..30 {
        let single = random(&mut rng, 6, 12, 1, true);
        let split = Problem::new(
            single.facilities().to_vec(),
            single.customers().to_vec(),
            (0..12).flat_map(|j| single.costs_of(j).to_vec()).collect(),
            Sourcing::Split,
        )
        .unwrap();
        let a = solve(&single, &deterministic());
        let b = solve(&split, &deterministic());
        checked(&single, &a);
        checked(&split, &b);
        if a.solution.is_some() {
            assert!(b.lower_bound <= a.objective + 1e-6);
            assert!(b.solution.is_some());
        }
    }
}

#[test]
fn budget_and_infeasibility_are_respected() {
    let f = |capacity, fixed_cost, domain| Facility {
        capacity,
        fixed_cost,
        domain,
    };
    let c = |demand, copies| Customer { demand, copies };
    // Two customers needing two copies in distinct domains, but only one domain allowed.
    let p = Problem::new(
        vec![f(10.0, 1.0, 0), f(10.0, 1.0, 0)],
        vec![c(1.0, 2)],
        vec![1.0, 1.0],
        Sourcing::Single,
    )
    .unwrap();
    let o = solve(&p, &deterministic());
    assert_eq!(o.status, Status::Infeasible);
    assert!(o.infeasible.unwrap().contains("distinct failure domains"));
    // A budget that rules out the cheap-to-serve but expensive-to-open facility.
    let p = Problem::new(
        vec![f(10.0, 100.0, 0), f(10.0, 10.0, 1)],
        vec![c(1.0, 1), c(1.0, 1)],
        vec![1.0, 50.0, 1.0, 50.0],
        Sourcing::Single,
    )
    .unwrap();
    assert_eq!(solve(&p, &deterministic()).objective, 102.0);
    let p = p.with_budget(50.0).unwrap();
    let o = solve(&p, &deterministic());
    checked(&p, &o);
    assert_eq!(o.objective, 110.0);
}

#[test]
fn the_validator_catches_broken_solutions() {
    let p = sscflp::parse("2 2\n10 10\n5 7\n6 6\n1 2\n3 4\n").unwrap();
    let good = footprint_solve::Solution {
        open: vec![true, true],
        assignment: vec![vec![(0, 1.0)], vec![(1, 1.0)]],
    };
    assert_eq!(validate(&p, &good, Some(17.0)), Ok(17.0));
    let over = footprint_solve::Solution {
        open: vec![true, false],
        assignment: vec![vec![(0, 1.0)], vec![(0, 1.0)]],
    };
    let v = validate(&p, &over, None).unwrap_err();
    assert!(
        v.iter()
            .any(|v| v.to_string().contains("over its capacity")),
        "{v:?}"
    );
    let closed = footprint_solve::Solution {
        open: vec![true, false],
        assignment: vec![vec![(0, 1.0)], vec![(1, 1.0)]],
    };
    let v = validate(&p, &closed, Some(1.0)).unwrap_err();
    assert_eq!(v.len(), 2, "{v:?}");
}

/// The 57 vendored instances (data/sscflp) against their optima, under the default node limit
/// and no time limit: the same figures on any machine.
#[test]
fn literature_instances_against_known_optima() {
    let optima = footprint_testdata::sscflp_optima();
    let mut gaps = Vec::new();
    for (k, &opt) in optima.iter().enumerate() {
        let p = sscflp::parse(&footprint_testdata::sscflp_instance(k + 1)).unwrap();
        let o = solve(&p, &deterministic());
        checked(&p, &o);
        assert_eq!(o.interrupted, None, "p{}: a limit other than nodes", k + 1);
        assert!(
            o.objective >= opt - 1e-6,
            "p{}: {} below the optimum {opt}",
            k + 1,
            o.objective
        );
        assert!(
            o.lower_bound <= opt + 1e-6,
            "p{}: bound {} above the optimum",
            k + 1,
            o.lower_bound
        );
        gaps.push((o.objective - opt) / opt);
    }
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    let max = gaps.iter().cloned().fold(0.0, f64::max);
    eprintln!("mean gap {:.4}%, max {:.4}%", mean * 100.0, max * 100.0);
    assert!(mean <= MEAN_GAP && max <= MAX_GAP, "mean {mean}, max {max}");
}

/// What the solver reaches today (BENCHMARKS.md has the figures); a regression fails the test.
const MEAN_GAP: f64 = 0.0025;
const MAX_GAP: f64 = 0.03;
