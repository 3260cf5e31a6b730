//! The Equal Earth projection (Šavrič, Patterson & Jenny 2018, "The Equal Earth map
//! projection", IJGIS 33(3), doi:10.1080/13658816.2018.1504949): an equal-area
//! pseudocylindrical projection for world maps, on the unit sphere.
//!
//! With λ, φ the longitude and latitude in radians and the parametric latitude
//! θ = asin(√3/2 · sin φ):
//!
//! ```text
//! x = 2√3 · λ · cos θ / (3 · (9·A4·θ⁸ + 7·A3·θ⁶ + 3·A2·θ² + A1))
//! y = A4·θ⁹ + A3·θ⁷ + A2·θ³ + A1·θ
//! ```

const A1: f64 = 1.340264;
const A2: f64 = -0.081106;
const A3: f64 = 0.000893;
const A4: f64 = 0.003796;

/// `[x, y]` on the unit sphere for a longitude and latitude in degrees; y grows northward.
/// Longitudes outside [-180, 180] are not wrapped: the caller keeps them in range.
pub fn equal_earth(lon_deg: f64, lat_deg: f64) -> [f64; 2] {
    let lambda = lon_deg.to_radians();
    let phi = lat_deg.clamp(-90.0, 90.0).to_radians();
    let theta = (3.0_f64.sqrt() / 2.0 * phi.sin()).asin();
    let t2 = theta * theta;
    let t6 = t2 * t2 * t2;
    let denominator = 3.0 * (9.0 * A4 * t6 * t2 + 7.0 * A3 * t6 + 3.0 * A2 * t2 + A1);
    let x = 2.0 * 3.0_f64.sqrt() * lambda * theta.cos() / denominator;
    let y = theta * (A1 + t2 * (A2 + t2 * t2 * (A3 + A4 * t2)));
    [x, y]
}

/// Half the width (x at 180°E on the equator) and half the height (y at the north pole) of
/// the projected world, on the unit sphere: about 2.7066 and 1.3174, a 2.05:1 map.
pub fn equal_earth_extent() -> [f64; 2] {
    [equal_earth(180.0, 0.0)[0], equal_earth(0.0, 90.0)[1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn origin_maps_to_origin() {
        assert_eq!(equal_earth(0.0, 0.0), [0.0, 0.0]);
    }

    #[test]
    fn symmetric_about_the_equator_and_the_central_meridian() {
        for (lon, lat) in [(30.0, 45.0), (170.0, 10.0), (90.0, 89.0), (1.0, 1.0)] {
            let [x, y] = equal_earth(lon, lat);
            assert_eq!(equal_earth(-lon, lat), [-x, y]);
            assert_eq!(equal_earth(lon, -lat), [x, -y]);
            assert!(x > 0.0 && y > 0.0);
        }
    }

    #[test]
    fn matches_published_extents() {
        // PROJ's `eqearth` (as used by cartopy) puts 180°E at x = 17 243 959.0622 m on the
        // WGS84 authalic sphere, radius 6 371 007.1809 m.
        let [half_width, half_height] = equal_earth_extent();
        assert!(
            close(half_width * 6_371_007.180_9, 17_243_959.062_2, 0.01),
            "{half_width}"
        );
        // At the pole θ = π/3 exactly, so y is the polynomial at π/3.
        let t = std::f64::consts::FRAC_PI_3;
        let pole = A4 * t.powi(9) + A3 * t.powi(7) + A2 * t.powi(3) + A1 * t;
        assert!(close(half_height, pole, 1e-12));
        assert!(close(half_height, 1.317_362_759, 1e-8), "{half_height}");
        // The paper's 2.05:1 aspect ratio.
        assert!(close(half_width / half_height, 2.05, 0.01));
    }

    /// Equal area: small cells of equal spherical area project to equal planar areas.
    #[test]
    fn preserves_area() {
        let projected_area = |lon: f64, lat: f64, step: f64| {
            let corners = [
                equal_earth(lon, lat),
                equal_earth(lon + step, lat),
                equal_earth(lon + step, lat + step),
                equal_earth(lon, lat + step),
            ];
            let mut twice = 0.0;
            for i in 0..4 {
                let [x1, y1] = corners[i];
                let [x2, y2] = corners[(i + 1) % 4];
                twice += x1 * y2 - x2 * y1;
            }
            twice / 2.0
        };
        let spherical_area = |lat: f64, step: f64| {
            step.to_radians() * ((lat + step).to_radians().sin() - lat.to_radians().sin())
        };
        let step = 0.1;
        for (lon, lat) in [(0.0, 0.0), (100.0, 35.0), (-170.0, -60.0), (45.0, 80.0)] {
            let ratio = projected_area(lon, lat, step) / spherical_area(lat, step);
            assert!(close(ratio, 1.0, 1e-3), "({lon}, {lat}): {ratio}");
        }
    }
}
