//! Solves one SSCFLP file with HiGHS and with the fast solver, and prints both open sets:
//! `cargo run --release -p footprint-solve --features highs --example exact_one -- FILE`.

#![allow(clippy::unwrap_used, reason = "example")]

fn main() {
    let file = std::env::args().nth(1).unwrap();
    let p = footprint_solve::sscflp::parse(&std::fs::read_to_string(file).unwrap()).unwrap();
    let fast = footprint_solve::solve(&p, &footprint_solve::Options::default());
    let exact = footprint_solve::exact::solve_exact(&p, &Default::default()).unwrap();
    for (name, o) in [("fast", &fast), ("exact", &exact)] {
        let s = o.solution.as_ref().unwrap();
        let open: Vec<usize> = (0..s.open.len()).filter(|&i| s.open[i]).collect();
        println!(
            "{name}: {} (bound {}) in {:.3}s, open {open:?}",
            o.objective, o.lower_bound, o.seconds
        );
    }
}
