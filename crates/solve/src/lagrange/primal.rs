//! The primal side: solutions from an open set, single or split sourcing.

use crate::flow::assign_split;
use crate::limit::{Limit, Phase};
use crate::local::{Rng, State};
use crate::problem::{Problem, Solution};

/// Single sourcing: the better of rounding the split solution on `open` (once per open set)
/// and a construction preferring `open`, each improved by descent, then `rounds` perturbations.
#[allow(
    clippy::too_many_arguments,
    reason = "the heuristic's inputs, each used once"
)]
pub(super) fn improve_single(
    p: &Problem,
    open: &[bool],
    bias: &[f64],
    hint: &[Vec<u32>],
    rng: &mut Rng,
    rounds: u32,
    with_split: bool,
    limit: &Limit,
) -> Option<(f64, Solution)> {
    // The construction first: it is cheap, so a tight limit still leaves a solution. Rounding
    // the split solution depends on the open set only: once per open set is enough.
    let constructed = State::construct(p, open, bias, hint, limit).map(|mut b| {
        b.descend();
        b
    });
    let rounded = if with_split && !limit.stopped() {
        State::from_split(p, open, limit).map(|mut a| {
            a.descend();
            a
        })
    } else {
        None
    };
    let mut s = match (rounded, constructed) {
        (Some(a), Some(b)) => {
            if b.objective < a.objective {
                b
            } else {
                a
            }
        }
        (Some(a), None) => a,
        (None, b) => b?,
    };
    let mut champion = s.clone();
    for _ in 0..rounds {
        if limit.tick(Phase::LocalSearch, 1) {
            break;
        }
        s.perturb(rng);
        s.descend();
        if s.objective < champion.objective - 1e-9 {
            champion = s.clone();
        } else {
            s = champion.clone();
        }
    }
    Some((champion.objective, champion.to_solution()))
}

/// Split sourcing: exact flow on the open set, then drop and add facilities while that helps.
pub(super) fn improve_split(p: &Problem, open: &[bool], limit: &Limit) -> Option<(f64, Solution)> {
    let m = p.facilities().len();
    let mut set = open.to_vec();
    let mut current = assign_split(p, &set, limit).or_else(|| {
        set = vec![true; m];
        assign_split(p, &set, limit)
    })?;
    set.clone_from(&current.open);
    let mut cost = current.cost(p);
    while !limit.stopped() {
        let mut improved = false;
        for i in 0..m {
            let mut trial = set.clone();
            trial[i] = !trial[i];
            if let Some(s) = assign_split(p, &trial, limit) {
                let c = s.cost(p);
                if c < cost - 1e-9 && p.within_budget(&s.open) {
                    cost = c;
                    set.clone_from(&s.open);
                    current = s;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
    p.within_budget(&current.open).then_some((cost, current))
}
