//! `footprint latency FROM TO`.

use footprint_geo::{Endpoint, LatencyModel, Method};
use footprint_model::World;
use serde::Serialize;

use crate::input::bad;

pub fn run(world: &World, from: &str, to: &str, json: bool) -> anyhow::Result<()> {
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
        let out = Out {
            from: a.display(world),
            to: b.display(world),
            estimate: &est,
            model: &model,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let c = &model.calibration;
    println!(
        "{} -> {}: {:.1} ms round trip ({})",
        a.display(world),
        b.display(world),
        est.rtt_ms,
        match est.method {
            Method::Measured => "measured",
            Method::Estimated => "estimated",
        }
    );
    println!(
        "  great-circle distance {:.0} km{}; physical floor {:.1} ms",
        est.distance_km,
        if est.point_pairs > 1 {
            " (population-weighted mean)"
        } else {
            ""
        },
        est.floor_ms
    );
    match est.method {
        Method::Measured => println!("  source: {}", est.source.as_deref().unwrap_or("-")),
        Method::Estimated => println!(
            "  model: {:.1} ms + {:.2} x distance/100 km, fitted on {} measured pairs; \
             its error there: {:.1}% mean ({:.1} ms RMS), {:.1}% leave-one-out",
            model.base_ms, model.inflation, c.pairs, c.mape_pct, c.rmse_ms, c.loo_mape_pct
        ),
    }
    Ok(())
}
