//! The SSCFLP benchmark: every instance of a directory (with its `os` file of optima) solved by
//! the fast solver and by HiGHS in the same run, with the gap to the optimum and the time of each.
//!
//! `cargo run --release -p footprint-solve --features highs --example sscflp_vs_highs -- ../shared/data/sscflp 10`
//! (the last argument is HiGHS's time limit per instance, in seconds).

#![allow(clippy::unwrap_used, reason = "example")]

use footprint_solve::exact::{ExactOptions, solve_exact};
use footprint_solve::{Options, solve, sscflp, validate};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/sscflp".into());
    let limit: f64 = std::env::args().nth(2).map_or(10.0, |a| a.parse().unwrap());
    let optima: Vec<f64> = std::fs::read_to_string(format!("{dir}/os"))
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    println!(
        "| instance | size | optimum | fast | gap to optimum | proven gap | found at s | total s | HiGHS | HiGHS gap | HiGHS s | HiGHS s / fast s to equal quality |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let (mut gaps, mut hgaps, mut fast_t, mut highs_t) = (vec![], vec![], vec![], vec![]);
    let mut ratios: Vec<f64> = Vec::new();
    for (k, opt) in optima.iter().enumerate() {
        let p =
            sscflp::parse(&std::fs::read_to_string(format!("{dir}/p{}", k + 1)).unwrap()).unwrap();
        let fast = solve(&p, &Options::default());
        validate(&p, fast.solution.as_ref().unwrap(), Some(fast.objective)).unwrap();
        let exact = solve_exact(
            &p,
            &ExactOptions {
                time_limit: limit,
                threads: 1,
            },
        )
        .unwrap();
        validate(&p, exact.solution.as_ref().unwrap(), Some(exact.objective)).unwrap();
        let gap = (fast.objective - opt) / opt;
        let hgap = (exact.objective - opt) / opt;
        // To equal quality: HiGHS's time against the time the fast solver found a solution at
        // least as good as HiGHS's (none when HiGHS ended with a better one).
        let ratio = if fast.objective <= exact.objective + 1e-6 {
            let r = exact.seconds / fast.found_seconds.max(1e-3);
            ratios.push(r);
            format!("{r:.0}x")
        } else {
            "HiGHS better".to_string()
        };
        println!(
            "| p{} | {}x{} | {opt} | {} | {:.3}% | {:.3}% | {:.3} | {:.3} | {} | {:.3}% | {:.2} | {ratio} |",
            k + 1,
            p.facilities().len(),
            p.customers().len(),
            fast.objective,
            gap * 100.0,
            fast.gap * 100.0,
            fast.found_seconds,
            fast.seconds,
            exact.objective,
            hgap * 100.0,
            exact.seconds,
        );
        gaps.push(gap);
        hgaps.push(hgap);
        fast_t.push(fast.seconds);
        highs_t.push(exact.seconds);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let max = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
    println!(
        "\nfast: mean gap {:.4}%, max {:.4}%, mean {:.3} s, max {:.3} s, total {:.1} s",
        mean(&gaps) * 100.0,
        max(&gaps) * 100.0,
        mean(&fast_t),
        max(&fast_t),
        fast_t.iter().sum::<f64>()
    );
    ratios.sort_by(f64::total_cmp);
    if !ratios.is_empty() {
        println!(
            "to equal quality on {} of {} instances: HiGHS took {:.0}x (median), {:.1}x (smallest) the fast solver's time",
            ratios.len(),
            optima.len(),
            ratios[ratios.len() / 2],
            ratios[0]
        );
    }
    println!(
        "HiGHS: mean gap {:.4}%, max {:.4}%, mean {:.3} s, max {:.3} s, total {:.1} s",
        mean(&hgaps) * 100.0,
        max(&hgaps) * 100.0,
        mean(&highs_t),
        max(&highs_t),
        highs_t.iter().sum::<f64>()
    );
}
