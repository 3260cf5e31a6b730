//! The latency matrix: p95 round-trip time from each country's users to each region, the table
//! placement reads.
//!
//! A cell is the measurement for its exact pair (a country's users and a region, in either
//! direction, from the catalog or a `--measured` file; the last layer wins) when there is one, the
//! same rule as [`LatencyModel::estimate`] and `footprint latency`. Otherwise it is the
//! population-weighted 95th percentile of the model's RTT from the country's population points to
//! the region. Region-to-region measurements describe no country's users (they calibrate the
//! model), and a point is not a catalog place, so neither can be a cell's exact pair.

use footprint_model::{CountryIdx, Place, RegionId, World};

use crate::{LatLon, LatencyModel, Method, haversine_km, population_points};

/// p95 RTT from each country's users to each region, in ms.
#[derive(Debug, Clone)]
pub struct LatencyMatrix {
    countries: usize,
    regions: usize,
    /// Indexed by [`CountryIdx`], then [`RegionId`].
    p95: Vec<f32>,
    /// Cells whose value is a measurement, sorted.
    measured: Vec<usize>,
}

impl LatencyMatrix {
    /// Every country to every region of `world`: the measurement for the exact pair where there
    /// is one, else the modelled p95.
    pub fn build(world: &World, model: &LatencyModel) -> Self {
        let regions = world.regions.len();
        let mut p95 = Vec::with_capacity(world.countries.len() * regions);
        let mut samples: Vec<(f64, f64)> = Vec::new();
        for c in &world.countries {
            let points = population_points(world, c.code);
            for r in &world.regions {
                let at = LatLon::new(r.lat, r.lon);
                samples.clear();
                samples.extend(
                    points
                        .iter()
                        .map(|(p, w)| (model.rtt_for_km(haversine_km(*p, at)), *w)),
                );
                p95.push(weighted_p95(&mut samples) as f32);
            }
        }
        let mut matrix = LatencyMatrix {
            countries: world.countries.len(),
            regions,
            p95,
            measured: Vec::new(),
        };
        matrix.apply_measurements(world);
        matrix
    }

    /// Overrides the cells that have a measurement for their exact pair; later measurements
    /// (later layers) win, as in [`crate::latency::find_measurement`].
    fn apply_measurements(&mut self, world: &World) {
        for m in &world.measurements {
            let pair = match (m.from, m.to) {
                (Place::Country(c), Place::Region(r)) | (Place::Region(r), Place::Country(c)) => {
                    (c, r)
                }
                _ => continue,
            };
            let (Some(ci), true) = (world.country_index(pair.0), pair.1.index() < self.regions)
            else {
                continue;
            };
            let cell = ci.index() * self.regions + pair.1.index();
            self.p95[cell] = m.rtt_ms as f32;
            self.measured.push(cell);
        }
        self.measured.sort_unstable();
        self.measured.dedup();
    }

    /// p95 RTT in ms from the users of `country` to `region`. Panics on an index from another
    /// world; check [`LatencyMatrix::fits`] once.
    #[inline]
    pub fn p95(&self, country: CountryIdx, region: RegionId) -> f64 {
        f64::from(self.p95[country.index() * self.regions + region.index()])
    }

    /// Whether the cell is a measurement or the model's estimate.
    pub fn method(&self, country: CountryIdx, region: RegionId) -> Method {
        let cell = country.index() * self.regions + region.index();
        if self.measured.binary_search(&cell).is_ok() {
            Method::Measured
        } else {
            Method::Estimated
        }
    }

    /// How many cells are measurements.
    pub fn measured_cells(&self) -> usize {
        self.measured.len()
    }

    /// Rows: the countries of the world it was built for.
    pub fn countries(&self) -> usize {
        self.countries
    }

    /// Columns: the regions of the world it was built for.
    pub fn regions(&self) -> usize {
        self.regions
    }

    /// Whether this matrix was built for a world with `world`'s countries and regions.
    pub fn fits(&self, world: &World) -> bool {
        self.countries == world.countries.len() && self.regions == world.regions.len()
    }
}

/// The weighted 95th percentile of (value, weight) samples whose weights sum to 1; sorts them.
fn weighted_p95(samples: &mut [(f64, f64)]) -> f64 {
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut acc = 0.0;
    for &(rtt, w) in samples.iter() {
        acc += w;
        if acc >= 0.95 - 1e-12 {
            return rtt;
        }
    }
    samples.last().map_or(0.0, |s| s.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_p95_is_the_first_value_at_95_percent_of_the_weight() {
        let mut s = vec![(30.0, 0.5), (10.0, 0.4), (20.0, 0.1)];
        assert_eq!(weighted_p95(&mut s), 30.0);
        let mut s = vec![(30.0, 0.04), (10.0, 0.9), (20.0, 0.06)];
        assert_eq!(weighted_p95(&mut s), 20.0);
        assert_eq!(weighted_p95(&mut []), 0.0);
    }
}
