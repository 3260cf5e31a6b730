//! The latency model: round-trip time from great-circle distance.
//!
//! Light in fiber covers about 200 km per millisecond, so a round trip costs at least 1 ms per
//! 100 km of great-circle distance (the physical floor). Real routes are longer than the great
//! circle and add switching and queueing, so the model is
//!
//! ```text
//! rtt_ms = max(floor, base_ms + inflation * distance_km / 100)
//! ```
//!
//! with `base_ms` (fixed cost) and `inflation` (route length over great-circle length) fitted
//! on the measured round-trip times in the catalog. The fit minimises the squared *relative*
//! error, so short hops count as much as intercontinental ones, and it is constrained to the
//! physics (`inflation >= 1`, `base_ms >= 0`). The model reports its own error on the
//! measurements, both in-sample and leave-one-out (each pair predicted by a fit without it).
//!
//! Where a measurement exists for the exact pair asked, it is the answer, not the estimate.

use footprint_model::{Measurement, Place, World};
use serde::Serialize;

use crate::{Endpoint, LatLon, haversine_km};

/// Round-trip ms per km at the physical floor (fiber, about 200,000 km/s, there and back).
pub const FLOOR_MS_PER_KM: f64 = 0.01;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LatencyModel {
    pub base_ms: f64,
    pub inflation: f64,
    pub calibration: Calibration,
}

/// How well the model fits the measurements it was calibrated on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Calibration {
    /// Measured pairs used (region to region).
    pub pairs: usize,
    pub rmse_ms: f64,
    pub mean_abs_error_ms: f64,
    /// Mean absolute percentage error.
    pub mape_pct: f64,
    pub max_abs_error_ms: f64,
    /// The same, each pair predicted by a model fitted without it: the honest figure.
    pub loo_rmse_ms: f64,
    pub loo_mape_pct: f64,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    #[error(
        "the latency model needs at least 3 measured region-to-region round-trip times at distinct distances to calibrate; the catalog has {0}"
    )]
    TooFew(usize),
}

/// How an answer was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Measured,
    Estimated,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub rtt_ms: f64,
    pub method: Method,
    /// Population-weighted mean great-circle distance, km.
    pub distance_km: f64,
    /// The physical floor for that distance, ms.
    pub floor_ms: f64,
    /// How many point pairs were weighed.
    pub point_pairs: usize,
    /// The measurement's source, when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// (distance km, measured rtt ms) of every region-to-region measurement.
pub fn calibration_pairs(world: &World) -> Vec<(f64, f64)> {
    world
        .measurements
        .iter()
        .filter_map(|m| match (m.from, m.to) {
            (Place::Region(a), Place::Region(b)) => {
                let (a, b) = (world.region(a), world.region(b));
                let d = haversine_km(LatLon::new(a.lat, a.lon), LatLon::new(b.lat, b.lon));
                Some((d, m.rtt_ms))
            }
            _ => None,
        })
        .collect()
}

/// Weighted least squares of y = a + b x with weights 1/y², under a >= 0 and b >= 1.
fn fit(pairs: &[(f64, f64)]) -> Option<(f64, f64)> {
    let (mut sw, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &(d, y) in pairs {
        let x = d / 100.0;
        let w = 1.0 / (y * y);
        sw += w;
        sx += w * x;
        sy += w * y;
        sxx += w * x * x;
        sxy += w * x * y;
    }
    let det = sw * sxx - sx * sx;
    if pairs.len() < 2 || det.abs() < 1e-12 {
        return None;
    }
    let mut b = (sw * sxy - sx * sy) / det;
    let mut a = (sy - b * sx) / sw;
    if b < 1.0 {
        b = 1.0;
        a = (sy - sx) / sw;
    }
    if a < 0.0 {
        a = 0.0;
        b = (sxy / sxx).max(1.0);
    }
    Some((a, b))
}

impl LatencyModel {
    /// Fits the model on the catalog's region-to-region measurements.
    pub fn calibrate(world: &World) -> Result<Self, CalibrationError> {
        Self::from_pairs(&calibration_pairs(world))
    }

    pub fn from_pairs(pairs: &[(f64, f64)]) -> Result<Self, CalibrationError> {
        let distinct = {
            let mut d: Vec<u64> = pairs.iter().map(|p| p.0.round() as u64).collect();
            d.sort_unstable();
            d.dedup();
            d.len()
        };
        if pairs.len() < 3 || distinct < 2 {
            return Err(CalibrationError::TooFew(pairs.len()));
        }
        let (base_ms, inflation) = fit(pairs).ok_or(CalibrationError::TooFew(pairs.len()))?;
        let predict = |a: f64, b: f64, d: f64| (a + b * d / 100.0).max(d * FLOOR_MS_PER_KM);
        let errors: Vec<(f64, f64)> = pairs
            .iter()
            .map(|&(d, y)| (predict(base_ms, inflation, d) - y, y))
            .collect();
        let loo: Vec<(f64, f64)> = (0..pairs.len())
            .map(|i| {
                let rest: Vec<(f64, f64)> = pairs
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, p)| *p)
                    .collect();
                let (a, b) = fit(&rest).unwrap_or((base_ms, inflation));
                let (d, y) = pairs[i];
                (predict(a, b, d) - y, y)
            })
            .collect();
        let n = pairs.len() as f64;
        let rmse = |e: &[(f64, f64)]| (e.iter().map(|(x, _)| x * x).sum::<f64>() / n).sqrt();
        let mape = |e: &[(f64, f64)]| 100.0 * e.iter().map(|(x, y)| (x / y).abs()).sum::<f64>() / n;
        Ok(Self {
            base_ms,
            inflation,
            calibration: Calibration {
                pairs: pairs.len(),
                rmse_ms: rmse(&errors),
                mean_abs_error_ms: errors.iter().map(|(x, _)| x.abs()).sum::<f64>() / n,
                mape_pct: mape(&errors),
                max_abs_error_ms: errors.iter().map(|(x, _)| x.abs()).fold(0.0, f64::max),
                loo_rmse_ms: rmse(&loo),
                loo_mape_pct: mape(&loo),
            },
        })
    }

    /// Estimated RTT for one great-circle distance, never below the physical floor.
    pub fn rtt_for_km(&self, km: f64) -> f64 {
        (self.base_ms + self.inflation * km / 100.0).max(km * FLOOR_MS_PER_KM)
    }

    /// RTT between two endpoints: the measurement when the catalog has one for this exact
    /// pair, else the population-weighted estimate over both endpoints' points.
    pub fn estimate(&self, world: &World, from: &Endpoint, to: &Endpoint) -> Estimate {
        let a = from.points(world);
        let b = to.points(world);
        let mut distance = 0.0;
        let mut rtt = 0.0;
        for (p, wp) in &a {
            for (q, wq) in &b {
                let d = haversine_km(*p, *q);
                distance += wp * wq * d;
                rtt += wp * wq * self.rtt_for_km(d);
            }
        }
        let measured = match (from.place(), to.place()) {
            (Some(x), Some(y)) => find_measurement(world, x, y),
            _ => None,
        };
        let floor_ms = distance * FLOOR_MS_PER_KM;
        match measured {
            Some(m) => Estimate {
                rtt_ms: m.rtt_ms,
                method: Method::Measured,
                distance_km: distance,
                floor_ms,
                point_pairs: a.len() * b.len(),
                source: Some(m.provenance.source.clone()),
            },
            None => Estimate {
                rtt_ms: rtt,
                method: Method::Estimated,
                distance_km: distance,
                floor_ms,
                point_pairs: a.len() * b.len(),
                source: None,
            },
        }
    }
}

/// The measurement for a pair, in either direction (a user's layer replaces the catalog's).
pub fn find_measurement(world: &World, a: Place, b: Place) -> Option<&Measurement> {
    world
        .measurements
        .iter()
        .rev()
        .find(|m| (m.from == a && m.to == b) || (m.from == b && m.to == a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_recovers_a_linear_law() {
        let pairs: Vec<(f64, f64)> = [200.0, 1000.0, 5000.0, 9000.0]
            .iter()
            .map(|&d| (d, 4.0 + 1.5 * d / 100.0))
            .collect();
        let m = LatencyModel::from_pairs(&pairs).unwrap();
        assert!((m.base_ms - 4.0).abs() < 1e-9, "{m:?}");
        assert!((m.inflation - 1.5).abs() < 1e-9, "{m:?}");
        assert!(m.calibration.rmse_ms < 1e-9);
        assert!(m.calibration.loo_rmse_ms < 1e-9);
    }

    #[test]
    fn fit_respects_physics() {
        // Faster than light in fiber: the fit is clamped to the floor slope.
        let pairs = [(1000.0, 5.0), (2000.0, 9.0), (4000.0, 17.0)];
        let m = LatencyModel::from_pairs(&pairs).unwrap();
        assert!(m.inflation >= 1.0);
        assert!(m.base_ms >= 0.0);
        for d in [0.0, 10.0, 20_000.0] {
            assert!(m.rtt_for_km(d) >= d * FLOOR_MS_PER_KM);
        }
    }

    #[test]
    fn too_few_pairs_is_an_error() {
        assert_eq!(
            LatencyModel::from_pairs(&[(100.0, 3.0), (200.0, 4.0)]),
            Err(CalibrationError::TooFew(2))
        );
        assert!(LatencyModel::from_pairs(&[(100.0, 3.0); 5]).is_err());
    }
}

/// Errors of a predictor over measured (distance km, rtt ms) pairs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorStats {
    pub pairs: usize,
    pub mape_pct: f64,
    pub median_ape_pct: f64,
    pub rmse_ms: f64,
}

/// How a predictor does on measured pairs.
pub fn evaluate(pairs: &[(f64, f64)], predict: impl Fn(f64) -> f64) -> ErrorStats {
    let n = pairs.len().max(1) as f64;
    let mut ape: Vec<f64> = pairs
        .iter()
        .map(|&(d, y)| ((predict(d) - y) / y).abs())
        .collect();
    ape.sort_by(f64::total_cmp);
    let median = if ape.is_empty() {
        0.0
    } else {
        ape[ape.len() / 2]
    };
    ErrorStats {
        pairs: pairs.len(),
        mape_pct: 100.0 * ape.iter().sum::<f64>() / n,
        median_ape_pct: 100.0 * median,
        rmse_ms: (pairs
            .iter()
            .map(|&(d, y)| (predict(d) - y).powi(2))
            .sum::<f64>()
            / n)
            .sqrt(),
    }
}
