//! Placement at scale: generated workloads (users in every country between them) over every
//! region in the catalog, then the independent validator. Prints the stages' times.
//!
//! `cargo run --release -p footprint-place --example place_scale -- [WORKLOADS] [--write FILE]`
//! (default 10000 workloads). Measure memory with `/usr/bin/time -v` around it. With `--write`,
//! it only writes the generated workload file (for timing `footprint place FILE`).
//!
//! The baseline in the same run: every country of every workload served by its nearest allowed
//! regions (distinct failure domains, within the latency target where one is), no optimisation.

#![allow(clippy::unwrap_used, reason = "example")]

use std::time::Instant;

use footprint_geo::{LatencyMatrix, LatencyModel};
use footprint_place::{Context, place, spec, synthetic, validate};
use footprint_policy::{Engine, TenantSpec};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .filter(|a| !a.starts_with("--"))
        .map(|a| a.parse().unwrap())
        .unwrap_or(10_000);
    if let Some(k) = args.iter().position(|a| a == "--write") {
        let world = footprint_model::load_embedded().unwrap();
        std::fs::write(&args[k + 1], synthetic::workload_file(&world, n, 7)).unwrap();
        return;
    }
    let t = Instant::now();
    let world = footprint_model::load_embedded().unwrap();
    let engine = Engine::embedded(&world).unwrap();
    let text = synthetic::workload_file(&world, n, 7);
    let input = spec::parse(&world, "generated", &text).unwrap();
    let table = engine.compile(&[TenantSpec::new(input.tenant.clone(), input.mechanisms)]);
    let model = LatencyModel::calibrate(&world).unwrap();
    let matrix = LatencyMatrix::build(&world, &model);
    let setup = t.elapsed().as_secs_f64();
    let ctx = Context {
        world: &world,
        engine: &engine,
        table: &table,
        latency: &matrix,
    };
    let t = Instant::now();
    let placement = place(ctx, &input, |done, total| {
        if done % (total / 20).max(1) == 0 {
            eprint!("\r{done}/{total}");
        }
    })
    .unwrap();
    eprintln!();
    let placing = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let violations = validate::check(ctx, &input, &placement);
    let validating = t.elapsed().as_secs_f64();
    let countries: std::collections::BTreeSet<_> = input
        .workloads
        .iter()
        .flat_map(|w| w.users.iter().map(|u| u.0))
        .collect();
    println!(
        "{n} workloads, users in {} of {} countries, {} regions: setup {setup:.2} s, placing {placing:.2} s, validating {validating:.2} s",
        countries.len(),
        world.countries.len(),
        world.regions.len()
    );
    println!(
        "placed {}, partly {}, unservable {}; violations {}",
        placement.placed,
        placement.partial,
        placement.unservable,
        violations.len()
    );
    for v in violations.iter().take(10) {
        println!("  {v}");
    }
    assert!(violations.is_empty());
    let t = Instant::now();
    let base = nearest_baseline(ctx, &input);
    let (mut baseline, mut optimised, mut served) = (0.0, 0.0, 0);
    for (w, b) in placement.workloads.iter().zip(&base) {
        if let (footprint_place::Outcome::Placed, Some(b)) = (w.outcome, b) {
            baseline += b;
            optimised += w.cost.total;
            served += 1;
        }
    }
    println!(
        "{served} workloads placed by both: optimised {optimised:.0}/month, nearest allowed regions {baseline:.0}/month ({:.2} s); baseline / optimised = {:.2}",
        t.elapsed().as_secs_f64(),
        baseline / optimised
    );
}

/// Every country to its nearest allowed regions: the cost per workload, if it can serve all.
fn nearest_baseline(ctx: Context<'_>, input: &footprint_place::Input) -> Vec<Option<f64>> {
    use footprint_place::{allowed, candidates, domain_of, usage_price};
    let world = ctx.world;
    let tenant = ctx.table.tenant(&input.tenant).unwrap();
    let mut out = Vec::new();
    'workloads: for w in &input.workloads {
        out.push(None);
        let mut used = std::collections::BTreeSet::new();
        let mut usage = 0.0;
        for &(c, share) in &w.users {
            let Some(subject) = ctx.table.subject(c) else {
                continue 'workloads;
            };
            let ci = world.country_index(c).unwrap();
            let mut options: Vec<_> = candidates(world, w)
                .into_iter()
                .filter(|&r| allowed(ctx, w, tenant, subject, r))
                .map(|r| (ctx.latency.p95(ci, r), r))
                .collect();
            options.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut domains = Vec::new();
            for (_, r) in options {
                let d = domain_of(world, w, r);
                if domains.len() <= w.survive as usize && !domains.contains(&d) {
                    domains.push(d);
                    used.insert(r);
                    usage += usage_price(input, w, share) * input.factor[r.index()];
                }
            }
            if domains.len() <= w.survive as usize {
                continue 'workloads;
            }
        }
        let fixed: f64 = used
            .iter()
            .map(|r| input.prices.fixed * input.factor[r.index()])
            .sum();
        *out.last_mut().unwrap() = Some(usage + fixed);
    }
    out
}
