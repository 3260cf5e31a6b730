//! Writes a seeded random SSCFLP instance (`footprint_solve::sscflp::generate`) to stdout:
//! `cargo run --release -p footprint-solve --example sscflp_generate -- M N SEED > FILE`.
//! Used to check by hand that `footprint solve sscflp FILE --time-limit 1` holds its limit on
//! instances far larger than the literature's (500 x 500, 5000 x 5000).

#![allow(clippy::unwrap_used, reason = "example")]

use std::io::Write;

fn main() {
    let arg = |k: usize, default: u64| {
        std::env::args()
            .nth(k)
            .map_or(default, |a| a.parse().expect("M N SEED: whole numbers"))
    };
    let (m, n, seed) = (arg(1, 500) as usize, arg(2, 500) as usize, arg(3, 1));
    std::io::stdout()
        .write_all(footprint_solve::sscflp::generate(m, n, seed).as_bytes())
        .unwrap();
}
