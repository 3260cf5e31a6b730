//! Solves every instance in a directory of SSCFLP files against the optima listed in its `os` file
//! and prints one line each: `cargo run --release -p footprint-solve --example sscflp_all -- DIR`.

#![allow(clippy::unwrap_used, reason = "example")]

use footprint_solve::{Options, solve, sscflp, validate};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| footprint_testdata::sscflp_dir().display().to_string());
    let optima: Vec<f64> = std::fs::read_to_string(format!("{dir}/os"))
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    let (mut sum_gap, mut max_gap, mut max_t, mut sum_t) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0);
    for (k, opt) in optima.iter().enumerate() {
        let p =
            sscflp::parse(&std::fs::read_to_string(format!("{dir}/p{}", k + 1)).unwrap()).unwrap();
        let out = solve(&p, &Options::default());
        validate(&p, out.solution.as_ref().unwrap(), Some(out.objective)).unwrap();
        let gap = (out.objective - opt) / opt;
        sum_gap += gap;
        max_gap = max_gap.max(gap);
        max_t = max_t.max(out.seconds);
        sum_t += out.seconds;
        println!(
            "p{:<3} {:>3}x{:<3} opt {:>7} got {:>9.1} lb {:>9.1} own-gap {:>6.3}% to-opt {:>6.3}% {:>7.3}s",
            k + 1,
            p.facilities().len(),
            p.customers().len(),
            opt,
            out.objective,
            out.lower_bound,
            out.gap * 100.0,
            gap * 100.0,
            out.seconds
        );
    }
    let n = optima.len() as f64;
    println!(
        "mean gap to optimum {:.4}%, max {:.4}%, mean time {:.3}s, max {:.3}s",
        sum_gap / n * 100.0,
        max_gap * 100.0,
        sum_t / n,
        max_t
    );
}
