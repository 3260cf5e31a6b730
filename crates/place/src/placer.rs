//! The placer: each workload as a facility location problem, solved, turned into routes.
//!
//! One workload's steps: which regions each user country may use ([`country_options`]), whether
//! the latency target can be held ([`latency_problem`]), the problem over the regions any served
//! country may use ([`build_problem`]), the solve, and the routes and roles from the solution
//! ([`routes`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use footprint_model::{CountryCode, CountryIdx, RegionId};
use footprint_policy::{Action, DataClass};
use footprint_solve::{Customer, Facility, Options, Problem, Solution, Sourcing, Status};
use rayon::prelude::*;

use crate::explain::{Candidates, explain_unserved};
use crate::{
    Context, Cost, Input, Outcome, PlaceError, Placement, RegionRole, Route, SolverReport,
    Unserved, Workload, WorkloadPlacement, allowed, candidates, distinct, domain_of, gpus, round1,
    unservable, usage_price,
};

/// What an explanation depends on: (country, classes, actions, providers, allowed regions).
type Key = (
    CountryCode,
    Vec<DataClass>,
    Vec<Action>,
    Vec<String>,
    Vec<RegionId>,
);

/// Explanations already worked out, shared by all threads: many workloads share them, and an
/// explanation depends on its key alone, so which thread worked it out changes nothing.
#[derive(Default)]
struct Explained(Mutex<HashMap<Key, Unserved>>);

impl Explained {
    fn get_or_insert_with(&self, key: Key, explain: impl FnOnce() -> Unserved) -> Unserved {
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(u) = lock().get(&key) {
            return u.clone();
        }
        // Worked out without the lock held; two threads may both work it out, to the same.
        let u = explain();
        lock().entry(key).or_insert(u).clone()
    }
}

/// Places every workload, calling `progress(done, total)` after each (from any thread).
///
/// Workloads compete for capacity when any region's is limited: then they are placed one after
/// another, largest first. Otherwise they are independent and placed in parallel; the answer is
/// the same whatever the number of threads.
pub fn place(
    ctx: Context<'_>,
    input: &Input,
    progress: impl Fn(usize, usize) + Sync,
) -> Result<Placement, PlaceError> {
    check_fits(ctx, input)?;
    let countries = resolve_countries(ctx, input)?;
    let tenant = ctx.table.tenant(&input.tenant);
    // Largest first: they have the fewest options once capacity runs short.
    let mut order: Vec<usize> = (0..input.workloads.len()).collect();
    order.sort_by(|&a, &b| {
        gpus(&input.workloads[b], 1.0)
            .total_cmp(&gpus(&input.workloads[a], 1.0))
            .then(a.cmp(&b))
    });
    let total = input.workloads.len();
    let done = AtomicUsize::new(0);
    let explained = Explained::default();
    let one = |k: usize, residual: &mut [f64]| {
        let w = &input.workloads[k];
        let placed = match tenant {
            Some(t) => {
                let job = Job {
                    ctx,
                    input,
                    w,
                    countries: &countries[k],
                    tenant: t,
                };
                job.place(residual, &explained)
            }
            None => unservable(
                w,
                format!(
                    "tenant {:?} is not in the compiled residency table",
                    input.tenant
                ),
            ),
        };
        progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        (k, placed)
    };
    let shared_capacity = input.capacity.iter().any(|c| c.is_finite());
    let mut placed: Vec<(usize, WorkloadPlacement)> = if shared_capacity {
        let mut residual = input.capacity.clone();
        order.iter().map(|&k| one(k, &mut residual)).collect()
    } else {
        // Unlimited capacity: nothing a workload does changes another's options.
        order
            .par_iter()
            .map_init(|| input.capacity.clone(), |residual, &k| one(k, residual))
            .collect()
    };
    placed.sort_by_key(|p| p.0);
    let workloads: Vec<WorkloadPlacement> = placed.into_iter().map(|p| p.1).collect();
    let count = |o: Outcome| workloads.iter().filter(|w| w.outcome == o).count();
    Ok(Placement {
        tenant: input.tenant.clone(),
        total_cost: workloads.iter().map(|w| w.cost.total).sum(),
        placed: count(Outcome::Placed),
        partial: count(Outcome::Partial),
        unservable: count(Outcome::Unservable),
        workloads,
    })
}

/// The matrix and the input must be of this world.
fn check_fits(ctx: Context<'_>, input: &Input) -> Result<(), PlaceError> {
    let world = ctx.world;
    if !ctx.latency.fits(world) {
        return Err(PlaceError::MatrixMismatch {
            matrix_countries: ctx.latency.countries(),
            matrix_regions: ctx.latency.regions(),
            countries: world.countries.len(),
            regions: world.regions.len(),
        });
    }
    for len in [input.capacity.len(), input.factor.len()] {
        if len != world.regions.len() {
            return Err(PlaceError::InputMismatch {
                input: len,
                regions: world.regions.len(),
            });
        }
    }
    Ok(())
}

/// Every workload's user countries as rows of the latency matrix; a country the world does not
/// have is an error, never another country's row.
fn resolve_countries(ctx: Context<'_>, input: &Input) -> Result<Vec<Vec<CountryIdx>>, PlaceError> {
    input
        .workloads
        .iter()
        .map(|w| {
            w.users
                .iter()
                .map(|&(c, _)| {
                    ctx.world
                        .country_index(c)
                        .ok_or_else(|| PlaceError::UnknownCountry {
                            workload: w.name.clone(),
                            country: c,
                        })
                })
                .collect()
        })
        .collect()
}

/// A user country that can be served: its allowed regions with room, and whether it can meet
/// the latency target.
struct Served {
    country: CountryCode,
    row: CountryIdx,
    share: f64,
    /// Allowed candidates with room for its share, in RegionId order.
    ok: Vec<RegionId>,
    /// Whether enough failure domains of `ok` are within the target (always true without one).
    near: bool,
}

/// One workload being placed.
struct Job<'a> {
    ctx: Context<'a>,
    input: &'a Input,
    w: &'a Workload,
    /// The matrix row of each of `w.users`.
    countries: &'a [CountryIdx],
    tenant: usize,
}

impl Job<'_> {
    fn copies(&self) -> u32 {
        self.w.survive + 1
    }

    fn target(&self) -> Option<f64> {
        self.w.latency.as_ref().map(|l| l.p95_ms)
    }

    fn place(&self, residual: &mut [f64], explained: &Explained) -> WorkloadPlacement {
        let w = self.w;
        let all = candidates(self.ctx.world, w);
        let (served, unserved) = self.country_options(&all, residual, explained);
        let mut problems: Vec<String> = self
            .latency_problem(&served, &unserved)
            .into_iter()
            .collect();
        if served.is_empty() && problems.is_empty() {
            problems.push("no user country can be served compliantly".into());
        }
        if !problems.is_empty() {
            return WorkloadPlacement {
                unserved,
                ..unservable(w, problems.remove(0))
            };
        }
        let (regions, problem) = self.build_problem(&all, &served, residual);
        let problem = match problem {
            Ok(p) => p,
            Err(e) => return unservable(w, format!("internal: {e}")),
        };
        let options = Options {
            iterations: 120,
            search_rounds: 0,
            nodes: 0,
            // The iteration and node limits bound the solve, so that the answer does not depend
            // on the machine's load; the time limit is only a guard.
            time_limit: 600.0,
            ..Options::default()
        };
        let outcome = footprint_solve::solve(&problem, &options);
        let solver = SolverReport {
            status: outcome.status.to_string(),
            objective: outcome.objective,
            lower_bound: outcome.lower_bound,
            gap: outcome.gap,
        };
        let Some(solution) = outcome
            .solution
            .as_ref()
            .filter(|_| matches!(outcome.status, Status::Optimal | Status::Feasible))
        else {
            let why = outcome.infeasible.clone().unwrap_or_else(|| {
                "no assignment found within the regions' remaining capacity".into()
            });
            return WorkloadPlacement {
                unserved,
                solver,
                ..unservable(w, format!("capacity: {why}"))
            };
        };
        let mut placement = self.routes(&served, &regions, solution, residual);
        placement.outcome = if unserved.is_empty() {
            Outcome::Placed
        } else {
            Outcome::Partial
        };
        placement.unserved = unserved;
        placement.solver = solver;
        placement
    }

    /// Per user country: the allowed candidates with room and whether it can meet the latency
    /// target, or why it cannot be served.
    fn country_options(
        &self,
        all: &[RegionId],
        residual: &[f64],
        explained: &Explained,
    ) -> (Vec<Served>, Vec<Unserved>) {
        let (ctx, w) = (self.ctx, self.w);
        let copies = self.copies() as usize;
        let mut served = Vec::new();
        let mut unserved = Vec::new();
        for (&(c, share), &row) in w.users.iter().zip(self.countries) {
            let Some(subject) = ctx.table.subject(c) else {
                unserved.push(Unserved {
                    country: c.to_string(),
                    share,
                    reason:
                        "the residency table has no row for this country; refused (fail closed)"
                            .into(),
                    rules: Vec::new(),
                    missing: None,
                });
                continue;
            };
            let need = gpus(w, share);
            let ok: Vec<RegionId> = all
                .iter()
                .copied()
                .filter(|&r| {
                    allowed(ctx, w, self.tenant, subject, r) && residual[r.index()] >= need
                })
                .collect();
            if distinct(ok.iter().map(|&r| domain_of(ctx.world, w, r))) < copies {
                let key = (
                    c,
                    w.classes.clone(),
                    w.actions.clone(),
                    w.providers.clone(),
                    ok.clone(),
                );
                let u = explained.get_or_insert_with(key, || {
                    explain_unserved(
                        &Candidates {
                            ctx,
                            w,
                            tenant: self.tenant,
                            all,
                            ok: &ok,
                        },
                        c,
                        share,
                    )
                });
                unserved.push(Unserved { share, ..u });
                continue;
            }
            let near = self.target().is_none_or(|t| {
                distinct(
                    ok.iter()
                        .filter(|&&r| ctx.latency.p95(row, r) <= t)
                        .map(|&r| domain_of(ctx.world, w, r)),
                ) >= copies
            });
            served.push(Served {
                country: c,
                row,
                share,
                ok,
                near,
            });
        }
        (served, unserved)
    }

    /// Countries that cannot meet the target may miss it, within the share the target allows;
    /// beyond that, the workload cannot be placed, and this says why.
    fn latency_problem(&self, served: &[Served], unserved: &[Unserved]) -> Option<String> {
        let l = self.w.latency.as_ref()?;
        let world = self.ctx.world;
        let copies = self.copies();
        let missing: f64 = served
            .iter()
            .filter(|s| !s.near)
            .map(|s| s.share)
            .sum::<f64>()
            + unserved.iter().map(|u| u.share).sum::<f64>();
        if missing <= 1.0 - l.share + 1e-9 {
            return None;
        }
        let mut far: Vec<String> = served
            .iter()
            .filter(|s| !s.near)
            .map(|s| {
                let best =
                    s.ok.iter()
                        .map(|&r| (self.ctx.latency.p95(s.row, r), r))
                        .min_by(|a, b| a.0.total_cmp(&b.0));
                match best {
                    Some((ms, r)) => format!(
                        "{} ({:.1}% of users; nearest allowed region {} at {:.0} ms)",
                        s.country,
                        s.share * 100.0,
                        world.region(r).key(),
                        ms
                    ),
                    None => s.country.to_string(),
                }
            })
            .collect();
        far.truncate(12);
        Some(format!(
            "latency target p95 <= {} ms for {:.1}% of users cannot be met: {:.1}% of users have no {} allowed region{} within it{}{}",
            l.p95_ms,
            l.share * 100.0,
            missing * 100.0,
            if copies > 1 {
                format!("{copies} failure domains of")
            } else {
                "".into()
            },
            if copies > 1 { "s" } else { "" },
            if far.is_empty() {
                String::new()
            } else {
                format!(": {}", far.join("; "))
            },
            if unserved.is_empty() {
                ""
            } else {
                " (unserved countries count as missing)"
            },
        ))
    }

    /// Whether served country `s` may use region `r` in the problem: allowed with room, and
    /// within the target if it is bound by it.
    fn usable(&self, s: &Served, r: RegionId) -> bool {
        !s.near
            || self
                .target()
                .is_none_or(|t| self.ctx.latency.p95(s.row, r) <= t)
    }

    /// The facility location problem over the regions any served country may use.
    fn build_problem(
        &self,
        all: &[RegionId],
        served: &[Served],
        residual: &[f64],
    ) -> (
        Vec<RegionId>,
        Result<Problem, footprint_solve::ProblemError>,
    ) {
        let (world, input, w) = (self.ctx.world, self.input, self.w);
        let mut used = vec![false; world.regions.len()];
        for s in served {
            for &r in &s.ok {
                if self.usable(s, r) {
                    used[r.index()] = true;
                }
            }
        }
        let regions: Vec<RegionId> = all.iter().copied().filter(|r| used[r.index()]).collect();
        let m = regions.len();
        let facilities: Vec<Facility> = regions
            .iter()
            .map(|&r| Facility {
                capacity: residual[r.index()],
                fixed_cost: input.prices.fixed * input.factor[r.index()],
                domain: domain_of(world, w, r),
            })
            .collect();
        let customers: Vec<Customer> = served
            .iter()
            .map(|s| Customer {
                demand: gpus(w, s.share),
                copies: self.copies(),
            })
            .collect();
        let mut cost = vec![f64::INFINITY; served.len() * m];
        for (j, s) in served.iter().enumerate() {
            let usage = usage_price(input, w, s.share);
            for (i, &r) in regions.iter().enumerate() {
                if s.ok.binary_search(&r).is_ok() && self.usable(s, r) {
                    let ms = self.ctx.latency.p95(s.row, r);
                    cost[j * m + i] =
                        usage * input.factor[r.index()] + input.prices.per_ms * s.share * ms;
                }
            }
        }
        let problem = Problem::new(facilities, customers, cost, Sourcing::Single);
        (regions, problem)
    }

    /// Routes (each country's regions, nearest first), the regions' roles and the cost, taking
    /// the GPUs used from `residual`.
    fn routes(
        &self,
        served: &[Served],
        regions: &[RegionId],
        solution: &Solution,
        residual: &mut [f64],
    ) -> WorkloadPlacement {
        let (ctx, input, w) = (self.ctx, self.input, self.w);
        let world = ctx.world;
        let target = self.target();
        let mut routes = Vec::new();
        let mut roles: Vec<(RegionId, Vec<String>, Vec<String>, f64)> = Vec::new();
        let mut usage_total = 0.0;
        let mut met = 0.0;
        for (j, s) in served.iter().enumerate() {
            let ms = |r: RegionId| ctx.latency.p95(s.row, r);
            let mut rs: Vec<RegionId> = solution.assignment[j]
                .iter()
                .map(|&(i, _)| regions[i as usize])
                .collect();
            rs.sort_by(|&a, &b| ms(a).total_cmp(&ms(b)).then(a.cmp(&b)));
            let need = gpus(w, s.share);
            for (k, &r) in rs.iter().enumerate() {
                usage_total += usage_price(input, w, s.share) * input.factor[r.index()];
                residual[r.index()] -= need;
                let slot = match roles.iter().position(|x| x.0 == r) {
                    Some(p) => p,
                    None => {
                        roles.push((r, Vec::new(), Vec::new(), 0.0));
                        roles.len() - 1
                    }
                };
                roles[slot].3 += need;
                let role = if k == 0 {
                    &mut roles[slot].1
                } else {
                    &mut roles[slot].2
                };
                role.push(s.country.to_string());
            }
            if target.is_none_or(|t| rs.first().is_some_and(|&r| ms(r) <= t)) {
                met += s.share;
            }
            routes.push(Route {
                country: s.country.to_string(),
                share: s.share,
                regions: rs.iter().map(|&r| world.region(r).key()).collect(),
                p95_ms: rs.iter().map(|&r| round1(ms(r))).collect(),
                latency_bound: s.near && target.is_some(),
            });
        }
        roles.sort_by_key(|r| r.0);
        let fixed: f64 = roles
            .iter()
            .map(|r| input.prices.fixed * input.factor[r.0.index()])
            .sum();
        WorkloadPlacement {
            regions: roles
                .into_iter()
                .map(|(r, p, f, g)| RegionRole {
                    region: world.region(r).key(),
                    primary_for: p,
                    failover_for: f,
                    gpus: g,
                })
                .collect(),
            routes,
            cost: Cost {
                fixed,
                usage: usage_total,
                total: fixed + usage_total,
            },
            latency_met: met,
            problems: Vec::new(),
            ..unservable(w, String::new())
        }
    }
}
