//! `footprint solve` and `footprint place`.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use footprint_geo::shapes::WorldShapes;
use footprint_geo::{LatencyMatrix, LatencyModel};
use footprint_model::World;
use footprint_place::{Context, Outcome, Placement, validate};
use footprint_policy::{Engine, TenantSpec};
use footprint_report::{LegendEntry, MapDot, WorldMap};
use footprint_solve::{Options, Outcome as Solved, sscflp};
use serde_json::json;

use crate::input::bad;

/// `footprint solve sscflp FILE`. A file that is not an instance is refused with
/// [`sscflp::FormatError`] (in the error chain, under the file's name).
pub fn solve_sscflp(
    file: &Path,
    json_out: bool,
    exact: bool,
    time_limit: f64,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if !(time_limit.is_finite() && time_limit > 0.0) {
        return Err(bad(format!(
            "--time-limit {time_limit}: expected seconds > 0"
        )));
    }
    let bytes = fs::read(file).map_err(|e| bad(format!("cannot read {}: {e}", file.display())))?;
    let problem = sscflp::parse_bytes(&bytes)
        .map_err(|e| anyhow::Error::new(e).context(file.display().to_string()))?;
    let outcome = if exact {
        exact_backend(&problem, time_limit)?
    } else {
        footprint_solve::solve(
            &problem,
            &Options {
                time_limit,
                ..Options::default()
            },
        )
    };
    if let Some(sol) = &outcome.solution
        && let Err(v) = footprint_solve::validate(&problem, sol, Some(outcome.objective))
    {
        let list: Vec<String> = v.iter().map(ToString::to_string).collect();
        anyhow::bail!("the solution failed validation: {}", list.join("; "));
    }
    let open: Vec<usize> = outcome
        .solution
        .as_ref()
        .map(|s| {
            (0..s.open.len())
                .filter(|&i| s.open[i])
                .map(|i| i + 1)
                .collect()
        })
        .unwrap_or_default();
    let method = if exact { "highs" } else { "lagrangian" };
    if json_out {
        let v = json!({
            "file": file.display().to_string(),
            "method": method,
            "facilities": problem.facilities().len(),
            "customers": problem.customers().len(),
            "status": outcome.status,
            "objective": finite(outcome.objective),
            "lower_bound": finite(outcome.lower_bound),
            "gap": finite(outcome.gap),
            "seconds": outcome.seconds,
            "stopped_in": outcome.interrupted,
            "open": open,
            "infeasible": outcome.infeasible,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        print_outcome(file, method, &outcome, &open, out)?;
    }
    Ok(())
}

fn finite(v: f64) -> serde_json::Value {
    if v.is_finite() { json!(v) } else { json!(null) }
}

fn print_outcome(
    file: &Path,
    method: &str,
    o: &Solved,
    open: &[usize],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    writeln!(out, "{} ({method})", file.display())?;
    writeln!(out, "  status       {}", o.status)?;
    if let Some(why) = &o.infeasible {
        writeln!(out, "  why          {why}")?;
        return Ok(());
    }
    if let Some(phase) = o.interrupted {
        writeln!(
            out,
            "  stopped      by the limit, in {phase:?} (best found so far below)"
        )?;
    }
    if o.solution.is_none() {
        writeln!(out, "  objective    no solution within the limit")?;
        writeln!(out, "  lower bound  {:.2}", o.lower_bound)?;
        writeln!(out, "  time         {:.3} s", o.seconds)?;
        return Ok(());
    }
    writeln!(out, "  objective    {}", o.objective)?;
    writeln!(out, "  lower bound  {:.2}", o.lower_bound)?;
    writeln!(out, "  gap          {:.4}%", o.gap * 100.0)?;
    writeln!(out, "  time         {:.3} s", o.seconds)?;
    let list: Vec<String> = open.iter().map(ToString::to_string).collect();
    writeln!(
        out,
        "  open         {} facilities: {}",
        open.len(),
        list.join(" ")
    )?;
    Ok(())
}

#[cfg(feature = "highs")]
fn exact_backend(p: &footprint_solve::Problem, time_limit: f64) -> anyhow::Result<Solved> {
    footprint_solve::exact::solve_exact(
        p,
        &footprint_solve::exact::ExactOptions {
            time_limit,
            threads: 1,
            objective_target: None,
        },
    )
    .map_err(anyhow::Error::from)
}

#[cfg(not(feature = "highs"))]
fn exact_backend(_: &footprint_solve::Problem, _: f64) -> anyhow::Result<Solved> {
    Err(bad(
        "--exact needs the HiGHS backend, which this binary was built without: \
         build with `cargo build --release --features highs` (needs cmake and libclang)",
    ))
}

pub struct PlaceArgs {
    pub file: PathBuf,
    pub json: bool,
    pub report: Option<PathBuf>,
}

/// `footprint place FILE`.
pub fn place(
    world: &World,
    engine: &Engine,
    args: &PlaceArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let text = crate::input::read_named(&args.file, "")?;
    let origin = args.file.display().to_string();
    // A refused file is bad input data (exit code 3), every problem with its field.
    let input = footprint_place::spec::parse(world, &origin, &text)
        .map_err(|e| crate::input::workload_refused(&origin, e.problems))?;
    // Tenant policies for another tenant would be ignored without a word: refused instead.
    footprint_place::tenant::check_tenant_policies(engine, &input.tenant)?;
    let table = engine.compile(&[TenantSpec::new(input.tenant.clone(), input.mechanisms)]);
    let model = LatencyModel::calibrate(world).context("latency model")?;
    let matrix = LatencyMatrix::build(world, &model);
    let ctx = Context {
        world,
        engine,
        table: &table,
        latency: &matrix,
    };
    let bar = progress_bar(input.workloads.len());
    let placement = footprint_place::place(ctx, &input, |done, _| bar.set_position(done as u64))?;
    bar.finish_and_clear();
    let violations = validate::check(ctx, &input, &placement);
    if !violations.is_empty() {
        let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
        anyhow::bail!(
            "the placement failed validation (a bug; nothing is reported as placed):\n  {}",
            list.join("\n  ")
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    if let Some(dir) = &args.report {
        write_report(world, &placement, dir)?;
    }
    if args.json {
        let mut v = serde_json::to_value(&placement)?;
        v["seconds"] = json!(seconds);
        v["validated"] = json!(true);
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        print_placement(&placement, seconds, out)?;
    }
    Ok(())
}

/// A progress bar on stderr, drawn only when stderr is a terminal and there is more than one
/// workload.
fn progress_bar(total: usize) -> indicatif::ProgressBar {
    if !(std::io::stderr().is_terminal() && total > 1) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "placing [{bar:40}] {pos}/{len} workloads, {eta} left",
    ) {
        bar.set_style(style.progress_chars("#>-"));
    }
    bar
}

fn print_placement(p: &Placement, seconds: f64, out: &mut dyn Write) -> anyhow::Result<()> {
    for w in &p.workloads {
        let latency = match w.latency_target {
            Some((ms, share)) => format!(
                "{:.1}% of users within p95 {ms} ms (target {:.1}%)",
                w.latency_met * 100.0,
                share * 100.0
            ),
            None => "no latency target".to_string(),
        };
        writeln!(
            out,
            "{}: {}, {:.2}/month, {latency}",
            w.name,
            match w.outcome {
                Outcome::Placed => "placed",
                Outcome::Partial => "partly placed",
                Outcome::Unservable => "cannot be placed",
            },
            w.cost.total,
        )?;
        for problem in &w.problems {
            writeln!(out, "  why: {problem}")?;
        }
        for r in &w.regions {
            let mut roles = Vec::new();
            if !r.primary_for.is_empty() {
                roles.push(format!("primary for {}", r.primary_for.join(" ")));
            }
            if !r.failover_for.is_empty() {
                roles.push(format!("failover for {}", r.failover_for.join(" ")));
            }
            writeln!(out, "  region {:<28} {}", r.region, roles.join("; "))?;
        }
        for route in &w.routes {
            let hops: Vec<String> = route
                .regions
                .iter()
                .zip(&route.p95_ms)
                .map(|(r, ms)| format!("{r} ({ms:.0} ms)"))
                .collect();
            writeln!(
                out,
                "  route  {} {:>5.1}% -> {}",
                route.country,
                route.share * 100.0,
                hops.join(" -> ")
            )?;
        }
        for u in &w.unserved {
            writeln!(
                out,
                "  unserved {} ({:.1}% of users): {}",
                u.country,
                u.share * 100.0,
                u.reason
            )?;
            if let Some(m) = &u.missing {
                writeln!(out, "    missing: {m}")?;
            }
            for r in &u.rules {
                writeln!(
                    out,
                    "    {} ({}, {}) forbids {} region{}",
                    r.id,
                    r.law,
                    r.article,
                    r.regions,
                    if r.regions == 1 { "" } else { "s" }
                )?;
            }
        }
    }
    writeln!(
        out,
        "{} workloads: {} placed, {} partly, {} cannot be placed; {:.2}/month in all; validated; {:.2} s",
        p.workloads.len(),
        p.placed,
        p.partial,
        p.unservable,
        p.total_cost,
        seconds
    )?;
    writeln!(out, "{}", crate::check::NOT_LEGAL_ADVICE)?;
    Ok(())
}

/// One SVG map per workload (its regions, and the countries each serves) and the JSON.
fn write_report(world: &World, p: &Placement, dir: &Path) -> anyhow::Result<()> {
    check_report_names(p)?;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let palette = footprint_report::provider_palette(8);
    for w in &p.workloads {
        let mut legend = Vec::new();
        let mut dots = Vec::new();
        let mut fill = HashMap::new();
        for (k, r) in w.regions.iter().enumerate() {
            let Ok(id) = world.find_region(&r.region) else {
                continue;
            };
            let region = world.region(id);
            let color = palette[k % palette.len()].clone();
            let role = if r.primary_for.is_empty() {
                "failover".to_string()
            } else {
                format!("primary for {}", r.primary_for.join(" "))
            };
            legend.push(LegendEntry {
                label: format!("{} ({role})", r.region),
                color: color.clone(),
            });
            dots.push(MapDot {
                lon: region.lon,
                lat: region.lat,
                group: k,
                label: format!("{}: {role}", r.region),
            });
            for c in &r.primary_for {
                if let Some(country) =
                    footprint_model::CountryCode::parse(c).and_then(|c| world.country(c))
                {
                    fill.insert(country.numeric, color.clone());
                }
            }
        }
        if !w.unserved.is_empty() {
            legend.push(LegendEntry {
                label: "users that cannot be served compliantly".into(),
                color: "#b3261e".into(),
            });
            for u in &w.unserved {
                if let Some(country) =
                    footprint_model::CountryCode::parse(&u.country).and_then(|c| world.country(c))
                {
                    fill.insert(country.numeric, "#b3261e".into());
                }
            }
        }
        let map = WorldMap {
            title: format!("Placement of {}", w.name),
            subtitle: format!(
                "{} regions; countries coloured by the region that serves them first; {:.2}/month",
                w.regions.len(),
                w.cost.total
            ),
            shapes: WorldShapes::embedded(),
            dots,
            legend,
            country_fill: fill,
        };
        let path = dir.join(format!("{}.svg", report_stem(&w.name)));
        fs::write(&path, map.to_svg())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let path = dir.join("placement.json");
    fs::write(&path, serde_json::to_string_pretty(p)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    crate::output::note(&format!(
        "wrote {} maps and placement.json to {}",
        p.workloads.len(),
        dir.display()
    ));
    Ok(())
}

/// The file name (without `.svg`) of a workload's map: the name with every byte other than an
/// ASCII letter, digit, `-` or `_` written `%XX`, so that distinct names give distinct files and
/// the name can be read back from the file's.
pub fn report_stem(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Names whose maps would be one file on a file system that ignores case ("API" and "api") are
/// refused before anything is written.
fn check_report_names(p: &Placement) -> anyhow::Result<()> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for w in &p.workloads {
        let folded = report_stem(&w.name).to_ascii_lowercase();
        if let Some(other) = seen.insert(folded, &w.name) {
            anyhow::bail!(
                "--report: workloads {other:?} and {:?} would write the same map file on a file system that ignores case; rename one",
                w.name
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::report_stem;

    /// Reads a stem back: what makes the names reversible.
    fn unstem(stem: &str) -> String {
        let b = stem.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn report_file_names_are_distinct_and_reversible() {
        let names = ["a b", "a_b", "a%20b", "a/b", "..", "Zürich", "a-b", ""];
        let stems: Vec<String> = names.iter().map(|n| report_stem(n)).collect();
        let unique: std::collections::BTreeSet<&String> = stems.iter().collect();
        assert_eq!(unique.len(), names.len(), "{stems:?}");
        for (n, s) in names.iter().zip(&stems) {
            assert_eq!(&unstem(s), n);
            assert!(!s.contains('/') && !s.contains('.'), "{s}");
        }
        assert_eq!(report_stem("a b"), "a%20b");
        assert_eq!(report_stem("a_b"), "a_b");
    }
}
