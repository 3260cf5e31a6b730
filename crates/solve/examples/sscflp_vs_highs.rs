//! The SSCFLP benchmark: every instance of a directory (with its `os` file of optima) solved by
//! the fast solver and by HiGHS in the same run, with the gap to the optimum and the time of each.
//!
//! `cargo run --release -p footprint-solve --features highs --example sscflp_vs_highs -- data/sscflp 10`
//! (the last argument is HiGHS's time limit per instance, in seconds).
//!
//! The fast solver runs with its default options (a node limit, no time limit: the same answers
//! on every machine). HiGHS runs twice per instance, one thread, within the time limit: once to
//! the end (its final answer and total time), and once with `objective_target` just above the
//! fast solver's answer, which stops it at the first solution at least as good: its time to
//! reach the fast solver's quality. "Time to equal quality" compares that time with the fast
//! solver's total time (not the moment it found its answer, known only in hindsight).

#![allow(clippy::unwrap_used, reason = "example")]

use footprint_solve::exact::{ExactOptions, solve_exact};
use footprint_solve::{Options, Status, solve, sscflp, validate};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| footprint_testdata::sscflp_dir().display().to_string());
    let limit: f64 = std::env::args().nth(2).map_or(10.0, |a| a.parse().unwrap());
    let optima: Vec<f64> = std::fs::read_to_string(format!("{dir}/os"))
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    println!(
        "| instance | size | optimum | fast | gap to optimum | lower bound below optimum | proven gap | fast s | HiGHS | HiGHS gap | HiGHS s | HiGHS s to fast's quality | ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut rows = Vec::new();
    for (k, &opt) in optima.iter().enumerate() {
        let p =
            sscflp::parse(&std::fs::read_to_string(format!("{dir}/p{}", k + 1)).unwrap()).unwrap();
        let fast = solve(&p, &Options::default());
        validate(&p, fast.solution.as_ref().unwrap(), Some(fast.objective)).unwrap();
        let highs = |target: Option<f64>| {
            let options = ExactOptions {
                time_limit: limit,
                threads: 1,
                objective_target: target,
            };
            let o = solve_exact(&p, &options).unwrap();
            if let Some(s) = &o.solution {
                validate(&p, s, Some(o.objective)).unwrap();
            }
            o
        };
        let exact = highs(None);
        // Whole-number data: "below fast + 0.5" is "at least as good as fast".
        let reach = highs(Some(fast.objective + 0.5));
        let reached = reach.objective <= fast.objective + 1e-6;
        let to_quality = reached.then_some(reach.seconds);
        let ratio = to_quality.map(|t| t / fast.seconds.max(1e-3));
        let gap = (fast.objective - opt) / opt;
        let bound_gap = (opt - fast.lower_bound) / opt;
        let hgap = (exact.objective - opt) / opt;
        println!(
            "| p{} | {}x{} | {opt} | {} | {:.3}% | {:.3}% | {:.3}% | {:.3} | {} | {:.3}% | {:.2} | {} | {} |",
            k + 1,
            p.facilities().len(),
            p.customers().len(),
            fast.objective,
            gap * 100.0,
            bound_gap * 100.0,
            fast.gap * 100.0,
            fast.seconds,
            exact.objective,
            hgap * 100.0,
            exact.seconds,
            to_quality.map_or(format!("not within {limit} s"), |t| format!("{t:.2}")),
            ratio.map_or("-".into(), |r| format!("{r:.1}x")),
        );
        rows.push(Row {
            gap,
            bound_gap,
            fast_s: fast.seconds,
            fast_optimal: fast.status == Status::Optimal,
            hgap,
            highs_s: exact.seconds,
            highs_optimal: exact.status == Status::Optimal,
            ratio,
        });
    }
    summary(&rows, limit);
}

struct Row {
    gap: f64,
    bound_gap: f64,
    fast_s: f64,
    fast_optimal: bool,
    hgap: f64,
    highs_s: f64,
    highs_optimal: bool,
    ratio: Option<f64>,
}

fn summary(rows: &[Row], limit: f64) {
    let mean = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).sum::<f64>() / rows.len() as f64;
    let max = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
    let min = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).fold(f64::INFINITY, f64::min);
    let count = |f: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count();
    println!(
        "\nfast: mean gap {:.4}%, max {:.4}%, proven optimal {}, at the optimum {}, mean {:.3} s, max {:.3} s",
        mean(&|r| r.gap) * 100.0,
        max(&|r| r.gap) * 100.0,
        count(&|r| r.fast_optimal),
        count(&|r| r.gap.abs() < 1e-9),
        mean(&|r| r.fast_s),
        max(&|r| r.fast_s),
    );
    println!(
        "fast lower bound below the optimum: mean {:.3}%, from {:.3}% to {:.3}%",
        mean(&|r| r.bound_gap) * 100.0,
        min(&|r| r.bound_gap) * 100.0,
        max(&|r| r.bound_gap) * 100.0,
    );
    println!(
        "HiGHS ({limit} s): mean gap {:.4}%, max {:.4}%, proven optimal {}, mean {:.3} s, max {:.3} s",
        mean(&|r| r.hgap) * 100.0,
        max(&|r| r.hgap) * 100.0,
        count(&|r| r.highs_optimal),
        mean(&|r| r.highs_s),
        max(&|r| r.highs_s),
    );
    let mut ratios: Vec<f64> = rows.iter().filter_map(|r| r.ratio).collect();
    ratios.sort_by(f64::total_cmp);
    if !ratios.is_empty() {
        println!(
            "HiGHS's time to the fast solver's quality / the fast solver's total time, on the {} of {} instances where HiGHS reached it within {limit} s: median {:.1}x, smallest {:.2}x, largest {:.1}x; at least 10x on {}",
            ratios.len(),
            rows.len(),
            ratios[ratios.len() / 2],
            ratios[0],
            ratios[ratios.len() - 1],
            ratios.iter().filter(|&&r| r >= 10.0).count(),
        );
    }
}
