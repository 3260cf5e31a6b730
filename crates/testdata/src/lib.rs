//! Dev-only: the one place that knows where the vendored benchmark data lives, so the tests and
//! examples of every crate read it the same way. The data is in the repository (`data/sscflp`,
//! see its README): a fresh clone needs nothing else.
//!
//! The functions panic with a clear message when the data is missing or damaged: they serve
//! tests, where that is the right failure.

use std::path::PathBuf;

/// How many instances `data/sscflp` holds.
pub const SSCFLP_INSTANCES: usize = 57;

/// The folder of the SSCFLP instances (`p1` .. `p57`) and their optima (`os`).
pub fn sscflp_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/sscflp")
}

/// The path of instance `p{k}` (`k` from 1).
pub fn sscflp_path(k: usize) -> PathBuf {
    sscflp_dir().join(format!("p{k}"))
}

/// The text of instance `p{k}` (`k` from 1).
pub fn sscflp_instance(k: usize) -> String {
    let path = sscflp_path(k);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} (vendored in data/sscflp): {e}",
            path.display()
        )
    })
}

/// The known optimum of every instance, in order (`os`, one value per line).
pub fn sscflp_optima() -> Vec<f64> {
    let path = sscflp_dir().join("os");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} (vendored in data/sscflp): {e}",
            path.display()
        )
    });
    let optima: Vec<f64> = text
        .split_whitespace()
        .enumerate()
        .map(|(k, v)| {
            v.parse()
                .unwrap_or_else(|e| panic!("{} line {}: {v:?}: {e}", path.display(), k + 1))
        })
        .collect();
    assert_eq!(
        optima.len(),
        SSCFLP_INSTANCES,
        "{} lists {} optima",
        path.display(),
        optima.len()
    );
    optima
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_data_is_complete() {
        let optima = sscflp_optima();
        assert_eq!(optima[0], 2014.0);
        for k in 1..=SSCFLP_INSTANCES {
            assert!(sscflp_path(k).is_file(), "p{k} is missing");
        }
    }
}
