//! Country outlines: decodes world-atlas TopoJSON into polygons in longitude/latitude degrees,
//! and answers "is this point in that country?" and "how far is it from that country?".
//!
//! The shapes come from Natural Earth (public domain) via world-atlas 2.0.2. The 1:50m file is
//! compiled into the binary and parsed once, on first use, by [`WorldShapes::embedded`].
//!
//! All geometry here is planar in longitude/latitude. That is sound because decoding cuts the
//! few world-atlas rings that cross the antimeridian (±180°) and closes the ring that encloses
//! the south pole along the pole, so every decoded ring lies within [-180°, 180°].

use std::sync::LazyLock;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use crate::{LatLon, haversine_km};

/// The world-atlas 2.0.2 `countries-50m.json` file, vendored under `catalog/geo/`.
const EMBEDDED_COUNTRIES_50M: &str = include_str!("../../../catalog/geo/countries-50m.json");

/// Every country (strictly: every Natural Earth admin-0 unit) in a TopoJSON topology.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldShapes {
    /// In the order of the source file.
    pub countries: Vec<CountryShape>,
}

/// One country's outline.
#[derive(Debug, Clone, PartialEq)]
pub struct CountryShape {
    /// ISO 3166-1 numeric code; `None` where the source has no code (Kosovo, Somaliland,
    /// N. Cyprus, ...) or a code that is not a number.
    pub numeric: Option<u16>,
    /// The source's `properties.name` (English short name); when absent, the feature id, or
    /// the feature's position in the file.
    pub name: String,
    /// Empty for a feature with a null geometry.
    pub polygons: Vec<Polygon>,
}

/// A polygon with holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Polygon {
    /// `[lon, lat]` in degrees, planar: no edge crosses the antimeridian, and a ring around a
    /// pole runs along the pole line. `rings[0]` is the outer ring, the others are holes.
    /// Decoded rings are closed: the last position repeats the first.
    pub rings: Vec<Vec<[f64; 2]>>,
}

/// Why a TopoJSON document could not be decoded into [`WorldShapes`].
#[derive(Debug, thiserror::Error)]
pub enum ShapeError {
    #[error("TopoJSON is not valid JSON or does not have the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    #[error("expected a TopoJSON document with \"type\": \"Topology\", found \"type\": {found:?}")]
    NotATopology { found: String },
    #[error("TopoJSON has no objects.countries; expected a GeometryCollection of countries there")]
    MissingCountries,
    #[error("objects.countries must be a GeometryCollection, found {found:?}")]
    CountriesNotACollection { found: String },
    #[error("transform.scale must be two finite, non-zero numbers, found {scale:?}")]
    BadTransform { scale: [f64; 2] },
    #[error(
        "arc index {index} out of range in geometry '{geometry}' \
         (objects.countries.geometries[{position}]); the topology has {arc_count} arcs"
    )]
    ArcOutOfRange {
        index: i64,
        geometry: String,
        position: usize,
        arc_count: usize,
    },
    #[error(
        "geometry '{geometry}' (objects.countries.geometries[{position}]) has type {kind:?}; \
         expected Polygon, MultiPolygon or null"
    )]
    UnsupportedGeometry {
        kind: String,
        geometry: String,
        position: usize,
    },
    #[error("geometry '{geometry}' (objects.countries.geometries[{position}]): {problem}")]
    BadGeometry {
        geometry: String,
        position: usize,
        problem: String,
    },
}

impl WorldShapes {
    /// Decodes a TopoJSON topology in the world-atlas format: quantized, delta-encoded arcs
    /// (when a `transform` is present, absolute positions otherwise) and an
    /// `objects.countries` GeometryCollection of Polygon and MultiPolygon geometries whose
    /// `id` is the ISO 3166-1 numeric code.
    pub fn from_topojson(json: &str) -> Result<Self, ShapeError> {
        let topology: RawTopology = serde_json::from_str(json)?;
        if topology.kind != "Topology" {
            return Err(ShapeError::NotATopology {
                found: topology.kind,
            });
        }
        let collection = topology
            .objects
            .countries
            .ok_or(ShapeError::MissingCountries)?;
        if collection.kind != "GeometryCollection" {
            return Err(ShapeError::CountriesNotACollection {
                found: collection.kind,
            });
        }
        let arcs = decode_arcs(topology.arcs, topology.transform.as_ref())?;
        let countries = collection
            .geometries
            .into_iter()
            .enumerate()
            .map(|(position, geometry)| decode_country(&arcs, position, geometry))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { countries })
    }

    /// The world-atlas 1:50m country shapes compiled into this crate, parsed on first use.
    pub fn embedded() -> &'static WorldShapes {
        static EMBEDDED: LazyLock<WorldShapes> = LazyLock::new(parse_embedded);
        &EMBEDDED
    }

    /// The country with this ISO 3166-1 numeric code. When several features share a code
    /// (world-atlas gives Australia's 036 to Ashmore and Cartier Is. too), the one with the
    /// largest area wins, so the lookup finds the country rather than an outlying territory.
    pub fn by_numeric(&self, numeric: u16) -> Option<&CountryShape> {
        let mut best: Option<(&CountryShape, f64)> = None;
        for country in self.countries.iter().filter(|c| c.numeric == Some(numeric)) {
            let area = country.planar_area_deg2();
            if best.is_none_or(|(_, best_area)| area > best_area) {
                best = Some((country, area));
            }
        }
        best.map(|(country, _)| country)
    }
}

#[expect(
    clippy::expect_used,
    reason = "the embedded file is vendored and covered by a unit test; failing to parse it is a build defect, not a runtime condition"
)]
fn parse_embedded() -> WorldShapes {
    WorldShapes::from_topojson(EMBEDDED_COUNTRIES_50M)
        .expect("the embedded catalog/geo/countries-50m.json must be valid world-atlas TopoJSON")
}

impl CountryShape {
    /// Whether the point lies inside the country: even-odd ray casting in longitude/latitude,
    /// so a point in a hole (Lesotho inside South Africa) is outside. Points exactly on a
    /// boundary may go either way.
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.polygons
            .iter()
            .any(|polygon| polygon.contains(lon, lat))
    }

    /// Great-circle distance in kilometres from the point to the country: 0 inside, otherwise
    /// the distance to the nearest point of the boundary.
    ///
    /// Approximation: the nearest point on each boundary segment is found in a local
    /// equirectangular plane around that segment, and the great-circle (haversine, spherical
    /// Earth of mean radius) distance to that point is measured. For the short segments of
    /// the 1:50m shapes the error is well under a kilometre; the spherical Earth model adds up
    /// to about 0.5%.
    pub fn distance_km(&self, lon: f64, lat: f64) -> f64 {
        if self.contains(lon, lat) {
            return 0.0;
        }
        let mut nearest = f64::INFINITY;
        for ring in self.polygons.iter().flat_map(|p| p.rings.iter()) {
            match ring.as_slice() {
                [] => {}
                [only] => {
                    nearest = nearest.min(haversine_km(
                        LatLon::new(lat, lon),
                        LatLon::new(only[1], only[0]),
                    ))
                }
                _ => {
                    for edge in ring.windows(2) {
                        nearest = nearest.min(segment_distance_km(lon, lat, edge[0], edge[1]));
                    }
                }
            }
        }
        nearest
    }

    /// Area in square degrees, outer rings minus holes; only for ranking features sharing a code.
    fn planar_area_deg2(&self) -> f64 {
        self.polygons
            .iter()
            .map(|polygon| {
                let mut rings = polygon.rings.iter().map(|r| shoelace_area(r).abs());
                let outer = rings.next().unwrap_or(0.0);
                outer - rings.sum::<f64>()
            })
            .sum()
    }
}

impl Polygon {
    /// Even-odd ray casting over all rings, so holes are respected.
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.rings
            .iter()
            .fold(false, |inside, ring| inside ^ ring_contains(ring, lon, lat))
    }
}

/// Odd number of crossings of a ray from the point towards +longitude.
fn ring_contains(ring: &[[f64; 2]], lon: f64, lat: f64) -> bool {
    let mut inside = false;
    let Some(&last) = ring.last() else {
        return false;
    };
    let mut previous = last;
    for &current in ring {
        let [x1, y1] = previous;
        let [x2, y2] = current;
        if (y1 > lat) != (y2 > lat) {
            let x_at_lat = x1 + (lat - y1) * (x2 - x1) / (y2 - y1);
            if lon < x_at_lat {
                inside = !inside;
            }
        }
        previous = current;
    }
    inside
}

fn shoelace_area(ring: &[[f64; 2]]) -> f64 {
    let Some(&last) = ring.last() else {
        return 0.0;
    };
    let mut previous = last;
    let mut twice_area = 0.0;
    for &current in ring {
        twice_area += previous[0] * current[1] - current[0] * previous[1];
        previous = current;
    }
    twice_area / 2.0
}

/// Distance from a point to the segment `a`-`b` (all `[lon, lat]` degrees); see
/// [`CountryShape::distance_km`] for the approximation.
fn segment_distance_km(lon: f64, lat: f64, a: [f64; 2], b: [f64; 2]) -> f64 {
    let cos_mid = ((a[1] + b[1]) / 2.0).to_radians().cos();
    let seg_dlon = wrap_degrees(b[0] - a[0]);
    let seg = [seg_dlon * cos_mid, b[1] - a[1]];
    let to_point = [wrap_degrees(lon - a[0]) * cos_mid, lat - a[1]];
    let seg_len2 = seg[0] * seg[0] + seg[1] * seg[1];
    let t = if seg_len2 > 0.0 {
        ((to_point[0] * seg[0] + to_point[1] * seg[1]) / seg_len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let nearest_lon = a[0] + t * seg_dlon;
    let nearest_lat = a[1] + t * (b[1] - a[1]);
    haversine_km(LatLon::new(lat, lon), LatLon::new(nearest_lat, nearest_lon))
}

/// Longitude difference into [-180, 180).
fn wrap_degrees(delta: f64) -> f64 {
    (delta + 180.0).rem_euclid(360.0) - 180.0
}

// ---- decoding ----------------------------------------------------------------------------

// The raw shapes do not deny unknown fields: TopoJSON allows extra members (bbox, the `land`
// object, foreign members), and we only read what we need.

#[derive(Deserialize)]
struct RawTopology {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    transform: Option<RawTransform>,
    #[serde(default)]
    arcs: Vec<Vec<RawPosition>>,
    objects: RawObjects,
}

#[derive(Deserialize)]
struct RawTransform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct RawObjects {
    #[serde(default)]
    countries: Option<RawCollection>,
}

#[derive(Deserialize)]
struct RawCollection {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    geometries: Vec<RawGeometry>,
}

#[derive(Deserialize)]
struct RawGeometry {
    /// `null` is a valid TopoJSON geometry type (a feature without geometry).
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    arcs: Option<serde_json::Value>,
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    properties: Option<RawProperties>,
}

#[derive(Deserialize)]
struct RawProperties {
    #[serde(default)]
    name: Option<String>,
}

/// A TopoJSON position: at least two numbers; any further ones (elevation) are ignored.
struct RawPosition([f64; 2]);

impl<'de> Deserialize<'de> for RawPosition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PositionVisitor;
        impl<'de> Visitor<'de> for PositionVisitor {
            type Value = RawPosition;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a position: an array of at least two numbers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawPosition, A::Error> {
                let x: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let y: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(RawPosition([x, y]))
            }
        }
        deserializer.deserialize_seq(PositionVisitor)
    }
}

/// Absolute `[lon, lat]` positions of every arc: quantized arcs are delta-encoded integers,
/// mapped through the transform; without a transform the positions are already absolute.
fn decode_arcs(
    raw: Vec<Vec<RawPosition>>,
    transform: Option<&RawTransform>,
) -> Result<Vec<Vec<[f64; 2]>>, ShapeError> {
    let Some(transform) = transform else {
        return Ok(raw
            .into_iter()
            .map(|arc| arc.into_iter().map(|RawPosition(p)| p).collect())
            .collect());
    };
    let [sx, sy] = transform.scale;
    if !(sx.is_finite() && sy.is_finite() && sx != 0.0 && sy != 0.0) {
        return Err(ShapeError::BadTransform {
            scale: transform.scale,
        });
    }
    let [tx, ty] = transform.translate;
    Ok(raw
        .into_iter()
        .map(|arc| {
            let (mut qx, mut qy) = (0.0, 0.0);
            arc.into_iter()
                .map(|RawPosition([dx, dy])| {
                    qx += dx;
                    qy += dy;
                    [qx * sx + tx, qy * sy + ty]
                })
                .collect()
        })
        .collect())
}

/// Names a geometry in error messages.
struct GeometryContext<'a> {
    name: &'a str,
    position: usize,
    arc_count: usize,
}

impl GeometryContext<'_> {
    fn bad(&self, problem: impl Into<String>) -> ShapeError {
        ShapeError::BadGeometry {
            geometry: self.name.to_owned(),
            position: self.position,
            problem: problem.into(),
        }
    }
}

fn decode_country(
    arcs: &[Vec<[f64; 2]>],
    position: usize,
    raw: RawGeometry,
) -> Result<CountryShape, ShapeError> {
    let numeric = raw.id.as_ref().and_then(numeric_id);
    let name = match (raw.properties.and_then(|p| p.name), &raw.id) {
        (Some(name), _) => name,
        (None, Some(serde_json::Value::String(id))) => id.clone(),
        (None, Some(id)) => id.to_string(),
        (None, None) => format!("#{position}"),
    };
    let context = GeometryContext {
        name: &name,
        position,
        arc_count: arcs.len(),
    };
    let polygons = match raw.kind.as_deref() {
        None => Vec::new(),
        Some("Polygon") => {
            let rings: Vec<Vec<i64>> = arcs_as(raw.arcs, &context, "an array of rings")?;
            planarize(decode_polygon(arcs, &rings, &context)?)
        }
        Some("MultiPolygon") => {
            let polygons: Vec<Vec<Vec<i64>>> = arcs_as(raw.arcs, &context, "an array of polygons")?;
            let mut planar = Vec::with_capacity(polygons.len());
            for rings in &polygons {
                planar.extend(planarize(decode_polygon(arcs, rings, &context)?));
            }
            planar
        }
        Some(other) => {
            return Err(ShapeError::UnsupportedGeometry {
                kind: other.to_owned(),
                geometry: name.clone(),
                position,
            });
        }
    };
    Ok(CountryShape {
        numeric,
        name,
        polygons,
    })
}

fn numeric_id(id: &serde_json::Value) -> Option<u16> {
    match id {
        serde_json::Value::String(s) => s.parse().ok(),
        serde_json::Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        _ => None,
    }
}

fn arcs_as<T: serde::de::DeserializeOwned>(
    arcs: Option<serde_json::Value>,
    context: &GeometryContext<'_>,
    expected: &str,
) -> Result<T, ShapeError> {
    let value = arcs.ok_or_else(|| context.bad("has no \"arcs\" member"))?;
    serde_json::from_value(value)
        .map_err(|e| context.bad(format!("\"arcs\" must be {expected} of arc indices: {e}")))
}

fn decode_polygon(
    arcs: &[Vec<[f64; 2]>],
    rings: &[Vec<i64>],
    context: &GeometryContext<'_>,
) -> Result<Polygon, ShapeError> {
    if rings.is_empty() {
        return Err(context.bad("a polygon has no rings"));
    }
    let rings = rings
        .iter()
        .map(|ring| stitch_ring(arcs, ring, context))
        .collect::<Result<_, _>>()?;
    Ok(Polygon { rings })
}

/// Concatenates a ring's arcs; a negative index `~i` (that is, `-i - 1`) means arc `i`
/// reversed. Consecutive arcs share their joining position, which is kept once.
fn stitch_ring(
    arcs: &[Vec<[f64; 2]>],
    indices: &[i64],
    context: &GeometryContext<'_>,
) -> Result<Vec<[f64; 2]>, ShapeError> {
    let mut ring: Vec<[f64; 2]> = Vec::new();
    for &index in indices {
        let (arc_index, reversed) = if index >= 0 {
            (index, false)
        } else {
            (!index, true)
        };
        let arc = usize::try_from(arc_index)
            .ok()
            .and_then(|i| arcs.get(i))
            .ok_or_else(|| ShapeError::ArcOutOfRange {
                index,
                geometry: context.name.to_owned(),
                position: context.position,
                arc_count: context.arc_count,
            })?;
        if arc.is_empty() {
            return Err(context.bad(format!("arc {arc_index} has no positions")));
        }
        ring.pop();
        if reversed {
            ring.extend(arc.iter().rev());
        } else {
            ring.extend_from_slice(arc);
        }
    }
    match (ring.first(), ring.last()) {
        (Some(first), Some(last)) if first == last && ring.len() >= 4 => Ok(ring),
        (Some(_), Some(_)) => Err(context.bad(format!(
            "a ring made of arcs {indices:?} is not closed or has fewer than 4 positions"
        ))),
        _ => Err(context.bad("a ring has no arcs")),
    }
}

// ---- antimeridian and poles ---------------------------------------------------------------
//
// world-atlas rings are spherical: a few cross the antimeridian (Russia's Chukotka and Wrangel
// Island, one Fijian island step from 179.9° to -180°), and Antarctica's coastline encloses the
// south pole. Drawn or tested as planar lon/lat polygons they would span the whole map. So a
// polygon with such a ring is cut into pieces that each lie within [-180°, 180°]: its rings are
// unwrapped into continuous longitudes, a pole-enclosing ring is closed along that pole, and
// the result is clipped to each 360°-wide strip and shifted back.

/// Below this area (square degrees) a cut piece is a sliver of the cut itself, not land.
const MIN_PIECE_AREA_DEG2: f64 = 1e-10;

fn planarize(polygon: Polygon) -> Vec<Polygon> {
    if !polygon.rings.iter().any(|ring| crosses_antimeridian(ring)) {
        return vec![polygon];
    }
    let unwrapped: Vec<Vec<[f64; 2]>> = polygon.rings.iter().map(|r| unwrap_ring(r)).collect();
    let (min_x, max_x) = unwrapped
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p[0]), hi.max(p[0]))
        });
    // Strip k covers longitudes [-180 + 360k, 180 + 360k] of the unwrapped plane.
    let first_strip = ((min_x + 180.0) / 360.0).floor();
    let last_strip = ((max_x + 180.0) / 360.0).ceil() - 1.0;
    let mut pieces = Vec::new();
    let mut strip = first_strip;
    while strip <= last_strip {
        let left = -180.0 + 360.0 * strip;
        let right = left + 360.0;
        let mut rings: Vec<(f64, Vec<[f64; 2]>)> = unwrapped
            .iter()
            .filter_map(|ring| {
                let clipped = clip_to_strip(ring, left, right);
                let mut piece: Vec<[f64; 2]> = clipped
                    .into_iter()
                    .map(|[x, y]| [(x - 360.0 * strip).clamp(-180.0, 180.0), y])
                    .collect();
                let first = *piece.first()?;
                piece.push(first);
                let area = shoelace_area(&piece).abs();
                (piece.len() >= 4 && area > MIN_PIECE_AREA_DEG2).then_some((area, piece))
            })
            .collect();
        // The largest ring of a piece is its outer ring (for Antarctica the coastline, not the
        // sliver along the pole that the source lists first).
        rings.sort_by(|a, b| b.0.total_cmp(&a.0));
        if !rings.is_empty() {
            pieces.push(Polygon {
                rings: rings.into_iter().map(|(_, ring)| ring).collect(),
            });
        }
        strip += 1.0;
    }
    pieces
}

fn crosses_antimeridian(ring: &[[f64; 2]]) -> bool {
    ring.windows(2)
        .any(|edge| (edge[1][0] - edge[0][0]).abs() > 180.0)
}

/// Continuous longitudes (each step the short way round). A ring that winds once around a
/// pole is closed along that pole (the one on the side of its mean latitude).
fn unwrap_ring(ring: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(ring.len() + 3);
    for &[lon, lat] in ring {
        let x = match out.last() {
            Some(&[previous_x, _]) => previous_x + wrap_degrees(lon - wrap_degrees(previous_x)),
            None => lon,
        };
        out.push([x, lat]);
    }
    let (Some(&first), Some(&last)) = (out.first(), out.last()) else {
        return out;
    };
    if (last[0] - first[0]).abs() > 180.0 {
        let mean_lat = ring.iter().map(|p| p[1]).sum::<f64>() / ring.len() as f64;
        let pole = if mean_lat < 0.0 { -90.0 } else { 90.0 };
        out.push([last[0], pole]);
        out.push([first[0], pole]);
        out.push(first);
    } else if let Some(closing) = out.last_mut() {
        *closing = first;
    }
    out
}

/// Sutherland-Hodgman clip of a closed ring to `left <= x <= right`; returns an open ring.
fn clip_to_strip(ring: &[[f64; 2]], left: f64, right: f64) -> Vec<[f64; 2]> {
    let open = ring.split_last().map_or(ring, |(_, rest)| rest);
    let clipped = clip_half_plane(open, left, |x| x >= left);
    clip_half_plane(&clipped, right, |x| x <= right)
}

fn clip_half_plane(
    open_ring: &[[f64; 2]],
    boundary_x: f64,
    inside: impl Fn(f64) -> bool,
) -> Vec<[f64; 2]> {
    let Some(&last) = open_ring.last() else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(open_ring.len() + 4);
    let mut previous = last;
    for &current in open_ring {
        let (previous_in, current_in) = (inside(previous[0]), inside(current[0]));
        if previous_in != current_in {
            let t = (boundary_x - previous[0]) / (current[0] - previous[0]);
            out.push([boundary_x, previous[1] + t * (current[1] - previous[1])]);
        }
        if current_in {
            out.push(current);
        }
        previous = current;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two unit squares side by side sharing arc 0; "Beta" uses it reversed (`-1` = `~0`).
    /// Quantized to a grid mapped by scale (0.5, 0.25) and translate (-10, 20).
    const TWO_SQUARES: &str = r#"{
        "type": "Topology",
        "transform": {"scale": [0.5, 0.25], "translate": [-10, 20]},
        "arcs": [
            [[1, 0], [0, 1]],
            [[1, 1], [-1, 0], [0, -1], [1, 0]],
            [[1, 0], [1, 0], [0, 1], [-1, 0]]
        ],
        "objects": {
            "countries": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "001", "properties": {"name": "Alpha"}},
                {"type": "MultiPolygon", "arcs": [[[2, -1]]], "id": 2, "properties": {"name": "Beta"}},
                {"type": null, "properties": {"name": "Nowhere"}}
            ]}
        }
    }"#;

    #[test]
    fn decodes_shared_and_reversed_arcs() {
        let shapes = WorldShapes::from_topojson(TWO_SQUARES).unwrap();
        assert_eq!(shapes.countries.len(), 3);

        let alpha = &shapes.countries[0];
        assert_eq!(alpha.numeric, Some(1));
        assert_eq!(alpha.name, "Alpha");
        assert_eq!(
            alpha.polygons,
            vec![Polygon {
                rings: vec![vec![
                    [-9.5, 20.0],
                    [-9.5, 20.25],
                    [-10.0, 20.25],
                    [-10.0, 20.0],
                    [-9.5, 20.0],
                ]]
            }]
        );

        let beta = &shapes.countries[1];
        assert_eq!(beta.numeric, Some(2));
        assert_eq!(
            beta.polygons,
            vec![Polygon {
                rings: vec![vec![
                    [-9.5, 20.0],
                    [-9.0, 20.0],
                    [-9.0, 20.25],
                    [-9.5, 20.25],
                    [-9.5, 20.0],
                ]]
            }]
        );

        let nowhere = &shapes.countries[2];
        assert_eq!(nowhere.numeric, None);
        assert!(nowhere.polygons.is_empty());
        assert!(!nowhere.contains(-9.7, 20.1));

        assert_eq!(shapes.by_numeric(2).unwrap().name, "Beta");
        assert!(shapes.by_numeric(3).is_none());
        assert!(alpha.contains(-9.7, 20.1));
        assert!(!beta.contains(-9.7, 20.1));
    }

    #[test]
    fn out_of_range_arc_is_an_error_naming_the_geometry() {
        let json = TWO_SQUARES.replace("[[0, 1]]", "[[0, 9999]]");
        let error = WorldShapes::from_topojson(&json).unwrap_err();
        assert!(matches!(
            error,
            ShapeError::ArcOutOfRange { index: 9999, .. }
        ));
        let message = error.to_string();
        assert!(message.contains("arc index 9999 out of range"), "{message}");
        assert!(message.contains("'Alpha'"), "{message}");

        let json = TWO_SQUARES.replace("[[[2, -1]]]", "[[[2, -10000]]]");
        let error = WorldShapes::from_topojson(&json).unwrap_err();
        assert!(error.to_string().contains("'Beta'"), "{error}");
    }

    #[test]
    fn malformed_documents_are_errors() {
        assert!(matches!(
            WorldShapes::from_topojson("{"),
            Err(ShapeError::Json(_))
        ));
        let not_topology = TWO_SQUARES.replace("\"Topology\"", "\"FeatureCollection\"");
        assert!(matches!(
            WorldShapes::from_topojson(&not_topology),
            Err(ShapeError::NotATopology { .. })
        ));
        let no_countries = TWO_SQUARES.replace("\"countries\"", "\"land\"");
        assert!(matches!(
            WorldShapes::from_topojson(&no_countries),
            Err(ShapeError::MissingCountries)
        ));
        let point = TWO_SQUARES.replace("\"type\": null", "\"type\": \"Point\"");
        assert!(matches!(
            WorldShapes::from_topojson(&point),
            Err(ShapeError::UnsupportedGeometry { .. })
        ));
        // Arc 1 alone does not close: it ends at (1,0), not where it starts, (1,1).
        let open = TWO_SQUARES.replace("[[0, 1]]", "[[1]]");
        assert!(matches!(
            WorldShapes::from_topojson(&open),
            Err(ShapeError::BadGeometry { .. })
        ));
    }

    fn square(min: f64, max: f64) -> Vec<[f64; 2]> {
        vec![[min, min], [max, min], [max, max], [min, max], [min, min]]
    }

    #[test]
    fn contains_respects_holes() {
        let country = CountryShape {
            numeric: None,
            name: "Ring".into(),
            polygons: vec![
                Polygon {
                    rings: vec![square(0.0, 10.0), square(4.0, 6.0)],
                },
                // An island inside the hole belongs to the country again.
                Polygon {
                    rings: vec![square(4.5, 5.5)],
                },
            ],
        };
        assert!(country.contains(2.0, 2.0));
        assert!(!country.contains(4.2, 4.2));
        assert!(country.contains(5.0, 5.0));
        assert!(!country.contains(11.0, 5.0));
        assert!(!country.contains(-1.0, 5.0));
        assert_eq!(country.distance_km(2.0, 2.0), 0.0);
        // From the hole, the nearest boundary is the island, 0.15° of longitude away.
        let from_hole = country.distance_km(4.35, 4.7);
        let expected = 0.15 * 111.195 * 4.7_f64.to_radians().cos();
        assert!(
            (from_hole - expected).abs() < 0.5,
            "{from_hole} vs {expected}"
        );
    }

    #[test]
    fn distance_to_a_square_from_outside() {
        let country = CountryShape {
            numeric: None,
            name: "Square".into(),
            polygons: vec![Polygon {
                rings: vec![square(0.0, 1.0)],
            }],
        };
        // One degree of longitude east of the east edge at latitude 0.5.
        let east = country.distance_km(2.0, 0.5);
        assert!((east - 111.19).abs() < 0.2, "{east}");
        // Diagonally off a corner: the great-circle distance to the corner.
        let corner = country.distance_km(2.0, 2.0);
        let expected = haversine_km(LatLon::new(2.0, 2.0), LatLon::new(1.0, 1.0));
        assert!((corner - expected).abs() < 1e-6, "{corner} vs {expected}");
    }

    fn one_country(json_arcs: &str) -> CountryShape {
        let json = format!(
            r#"{{"type": "Topology", "arcs": {json_arcs}, "objects": {{"countries":
                {{"type": "GeometryCollection", "geometries": [
                    {{"type": "Polygon", "arcs": [[0]], "properties": {{"name": "X"}}}}
                ]}}}}}}"#
        );
        let mut shapes = WorldShapes::from_topojson(&json).unwrap();
        shapes.countries.remove(0)
    }

    #[test]
    fn rings_crossing_the_antimeridian_are_cut() {
        // A 20°-wide box centred on the antimeridian, absolute positions (no transform).
        let country = one_country("[[[170, 0], [-170, 0], [-170, 10], [170, 10], [170, 0]]]");
        assert_eq!(country.polygons.len(), 2, "{:?}", country.polygons);
        for polygon in &country.polygons {
            for ring in &polygon.rings {
                assert!(!crosses_antimeridian(ring), "{ring:?}");
                assert_eq!(ring.first(), ring.last());
            }
        }
        assert!(country.contains(175.0, 5.0));
        assert!(country.contains(-175.0, 5.0));
        assert!(country.contains(179.99, 5.0));
        assert!(!country.contains(0.0, 5.0));
        assert!(!country.contains(165.0, 5.0));
        // Distance measured across the antimeridian: 2° of longitude at 5°N.
        let across = country.distance_km(-168.0, 5.0);
        assert!(
            (across - 2.0 * 111.195 * 5_f64.to_radians().cos()).abs() < 0.5,
            "{across}"
        );
    }

    #[test]
    fn a_ring_around_the_south_pole_is_closed_along_the_pole() {
        let country = one_country(
            "[[[-180, -70], [-90, -75], [0, -70], [90, -75], [180, -70], [-180, -70]]]",
        );
        assert_eq!(country.polygons.len(), 1, "{:?}", country.polygons);
        assert!(country.contains(0.0, -80.0));
        assert!(country.contains(-170.0, -89.0));
        assert!(!country.contains(0.0, -60.0));
        assert!(!country.contains(0.0, 80.0));
    }

    #[test]
    fn embedded_file_parses_and_places_capitals() {
        let shapes = WorldShapes::from_topojson(EMBEDDED_COUNTRIES_50M).unwrap();
        assert!(shapes.countries.len() > 200, "{}", shapes.countries.len());
        assert_eq!(&shapes, WorldShapes::embedded());

        let france = shapes.by_numeric(250).unwrap();
        assert_eq!(france.name, "France");
        assert!(france.contains(2.35, 48.86), "Paris is in France");
        assert!(!france.contains(-0.13, 51.51), "London is not in France");
        assert_eq!(france.distance_km(2.35, 48.86), 0.0);
        let london = france.distance_km(-0.13, 51.51);
        assert!((100.0..250.0).contains(&london), "{london}");

        let uk = shapes.by_numeric(826).unwrap();
        assert!(uk.contains(-0.13, 51.51));
        // Shared code 036: the lookup finds Australia, not Ashmore and Cartier Is.
        assert_eq!(shapes.by_numeric(36).unwrap().name, "Australia");
        // Lesotho is a hole in South Africa.
        let south_africa = shapes.by_numeric(710).unwrap();
        assert!(!south_africa.contains(28.2, -29.6), "Maseru is in Lesotho");
        assert!(shapes.by_numeric(426).unwrap().contains(28.2, -29.6));
        assert!(south_africa.contains(28.05, -26.2), "Johannesburg");
        // Rings cut at the antimeridian: Russia's Chukotka lies east of 180°.
        let russia = shapes.by_numeric(643).unwrap();
        assert!(russia.contains(-175.0, 66.0));
        assert!(russia.contains(37.6, 55.75), "Moscow");
        assert!(
            shapes.by_numeric(242).unwrap().contains(178.0, -17.8),
            "Viti Levu"
        );
        let antarctica = shapes.by_numeric(10).unwrap();
        assert!(antarctica.contains(0.0, -85.0));
        assert!(antarctica.contains(135.0, -89.0), "near the pole");
        assert!(!antarctica.contains(0.0, -60.0));
        assert!(!antarctica.contains(0.0, 0.0));
    }

    #[test]
    fn embedded_rings_are_closed_planar_and_within_range() {
        for country in &WorldShapes::embedded().countries {
            for ring in country.polygons.iter().flat_map(|p| &p.rings) {
                assert_eq!(ring.first(), ring.last(), "{}", country.name);
                // The only long edges left run along a pole line (Antarctica's closure).
                for edge in ring.windows(2) {
                    let along_pole = edge[0][1] == edge[1][1] && edge[0][1].abs() == 90.0;
                    let short = (edge[1][0] - edge[0][0]).abs() <= 180.0;
                    assert!(short || along_pole, "{}: {edge:?}", country.name);
                }
                for &[lon, lat] in ring {
                    assert!((-180.0..=180.0).contains(&lon), "{}: {lon}", country.name);
                    assert!((-90.0..=90.0).contains(&lat), "{}: {lat}", country.name);
                }
            }
        }
    }
}
