//! `footprint latency FROM TO`.

use footprint_geo::latency::{ErrorStats, FLOOR_MS_PER_KM, calibration_pairs, evaluate};
use footprint_geo::{Endpoint, LatencyModel, Method};
use std::io::Write;

use footprint_model::World;
use serde::Serialize;

use crate::input::bad;
use crate::output;
use crate::table::Table;

pub fn run(
    world: &World,
    from: &str,
    to: &str,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let a = Endpoint::parse(world, from).map_err(|e| bad(format!("FROM: {e}")))?;
    let b = Endpoint::parse(world, to).map_err(|e| bad(format!("TO: {e}")))?;
    let model = LatencyModel::calibrate(world)?;
    let est = model.estimate(world, &a, &b);

    #[derive(Serialize)]
    struct Out<'a> {
        from: String,
        to: String,
        #[serde(flatten)]
        estimate: &'a footprint_geo::Estimate,
        model: &'a LatencyModel,
    }
    if json {
        let value = Out {
            from: a.display(world),
            to: b.display(world),
            estimate: &est,
            model: &model,
        };
        return output::json(out, &value);
    }
    let c = &model.calibration;
    writeln!(
        out,
        "{} -> {}: {:.1} ms round trip ({})",
        a.display(world),
        b.display(world),
        est.rtt_ms,
        match est.method {
            Method::Measured => "measured",
            Method::Estimated => "estimated",
        }
    )?;
    writeln!(
        out,
        "  great-circle distance {:.0} km{}; physical floor {:.1} ms",
        est.distance_km,
        if est.point_pairs > 1 {
            " (population-weighted mean)"
        } else {
            ""
        },
        est.floor_ms
    )?;
    match est.method {
        Method::Measured => writeln!(out, "  source: {}", est.source.as_deref().unwrap_or("-"))?,
        Method::Estimated => writeln!(
            out,
            "  model: {:.1} ms + {:.2} x distance/100 km, fitted on {} measured pairs; \
             its error there: {:.1}% mean ({:.1} ms RMS), {:.1}% leave-one-out",
            model.base_ms, model.inflation, c.pairs, c.mape_pct, c.rmse_ms, c.loo_mape_pct
        )?,
    }
    Ok(())
}

/// `footprint latency-model`: the model's fit, by distance band, against baselines.
pub fn report(world: &World, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let model = LatencyModel::calibrate(world)?;
    let pairs = calibration_pairs(world);
    let bands = [0.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 12000.0, 20100.0];
    #[derive(Serialize)]
    struct Band {
        from_km: f64,
        to_km: f64,
        model: ErrorStats,
        floor_only: ErrorStats,
    }
    #[derive(Serialize)]
    struct Report<'a> {
        model: &'a LatencyModel,
        overall: ErrorStats,
        /// rtt = distance / 100 km (light in fiber on the great circle).
        baseline_floor_only: ErrorStats,
        /// rtt = 2 x distance / 100 km (a common rule of thumb).
        baseline_twice_floor: ErrorStats,
        bands: Vec<Band>,
    }
    let floor = |d: f64| d * FLOOR_MS_PER_KM;
    let twice = |d: f64| 2.0 * d * FLOOR_MS_PER_KM;
    let fitted = |d: f64| model.rtt_for_km(d);
    let r = Report {
        model: &model,
        overall: evaluate(&pairs, fitted),
        baseline_floor_only: evaluate(&pairs, floor),
        baseline_twice_floor: evaluate(&pairs, twice),
        bands: bands
            .windows(2)
            .filter_map(|w| {
                let sel: Vec<(f64, f64)> = pairs
                    .iter()
                    .copied()
                    .filter(|(d, _)| *d >= w[0] && *d < w[1])
                    .collect();
                (!sel.is_empty()).then(|| Band {
                    from_km: w[0],
                    to_km: w[1],
                    model: evaluate(&sel, fitted),
                    floor_only: evaluate(&sel, floor),
                })
            })
            .collect(),
    };
    if json {
        return output::json(out, &r);
    }
    let c = &model.calibration;
    writeln!(
        out,
        "latency model: rtt_ms = max(distance/100 km, {:.2} + {:.3} x distance/100 km)",
        model.base_ms, model.inflation
    )?;
    writeln!(
        out,
        "calibrated on {} measured region pairs: mean error {:.1}% ({:.1} ms RMS), leave-one-out {:.1}% ({:.1} ms RMS), worst {:.0} ms",
        c.pairs, c.mape_pct, c.rmse_ms, c.loo_mape_pct, c.loo_rmse_ms, c.max_abs_error_ms
    )?;
    let mut t = Table::new(&[
        "predictor",
        ">pairs",
        ">mean error %",
        ">median error %",
        ">RMS ms",
    ]);
    for (name, e) in [
        ("this model", &r.overall),
        ("floor only (d/100)", &r.baseline_floor_only),
        ("twice the floor", &r.baseline_twice_floor),
    ] {
        t.row(vec![
            name.to_owned(),
            e.pairs.to_string(),
            format!("{:.1}", e.mape_pct),
            format!("{:.1}", e.median_ape_pct),
            format!("{:.1}", e.rmse_ms),
        ]);
    }
    out.write_all(t.render().as_bytes())?;
    writeln!(out)?;
    let mut t = Table::new(&[
        "distance km",
        ">pairs",
        ">model mean error %",
        ">floor-only mean error %",
    ]);
    for b in &r.bands {
        t.row(vec![
            format!("{:.0}-{:.0}", b.from_km, b.to_km),
            b.model.pairs.to_string(),
            format!("{:.1}", b.model.mape_pct),
            format!("{:.1}", b.floor_only.mape_pct),
        ]);
    }
    out.write_all(t.render().as_bytes())?;
    Ok(())
}
