//! The world map: country shapes in the Equal Earth projection, coloured dots on top, a
//! legend and a title, written as one self-contained SVG document.

use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write as _};

use footprint_geo::shapes::{CountryShape, WorldShapes};

use crate::projection::{equal_earth, equal_earth_extent};
use crate::svg::{escape, num, push_polyline, push_ring};

/// One marker on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapDot {
    pub lon: f64,
    pub lat: f64,
    /// Index into [`WorldMap::legend`]; a dot whose group has no legend entry is drawn grey
    /// and counted nowhere.
    pub group: usize,
    /// Shown as the dot's tooltip.
    pub label: String,
}

/// One legend row: the colour of a group of dots and what the group is.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    pub label: String,
    /// Any CSS colour.
    pub color: String,
}

/// A world map with dots, ready to render with [`WorldMap::to_svg`].
#[derive(Clone)]
pub struct WorldMap<'a> {
    pub title: String,
    pub subtitle: String,
    pub shapes: &'a WorldShapes,
    pub dots: Vec<MapDot>,
    pub legend: Vec<LegendEntry>,
    /// Fill colour by ISO 3166-1 numeric code, for choropleths; countries not in the map (and
    /// all of them when it is empty) get the neutral land colour.
    pub country_fill: HashMap<u16, String>,
}

impl fmt::Debug for WorldMap<'_> {
    /// Summarises the shapes rather than printing every vertex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorldMap")
            .field("title", &self.title)
            .field("subtitle", &self.subtitle)
            .field("countries", &self.shapes.countries.len())
            .field("dots", &self.dots)
            .field("legend", &self.legend)
            .field("country_fill", &self.country_fill)
            .finish()
    }
}

// Layout, in pixels.
const WIDTH: f64 = 1600.0;
const MARGIN: f64 = 24.0;
const HEADER_HEIGHT: f64 = 76.0;
const LEGEND_GAP: f64 = 18.0;
const LEGEND_ROW: f64 = 26.0;
const LEGEND_SWATCH: f64 = 14.0;
const LEGEND_FONT: f64 = 15.0;
const FOOTER_HEIGHT: f64 = 34.0;
const DOT_RADIUS: f64 = 4.5;

// Style.
const FONT_FAMILY: &str = "Helvetica, Arial, 'DejaVu Sans', sans-serif";
const PAPER: &str = "#ffffff";
const OCEAN: &str = "#dbe7ef";
const LAND: &str = "#e8e4dc";
const BORDER: &str = "#ffffff";
const OUTLINE: &str = "#9fb0bd";
const GRATICULE: &str = "#ffffff";
const INK: &str = "#1f2328";
const MUTED: &str = "#59636e";
const UNGROUPED: &str = "#8c8c8c";

/// Rings smaller than this (square pixels) are left out: specks that only add bytes.
const MIN_RING_AREA_PX2: f64 = 1.0;
/// Vertices closer than this to the previous one are merged.
const MIN_STEP_PX: f64 = 0.5;
/// Edges longer than this (degrees) are subdivided before projecting, so the straight cut
/// lines along the antimeridian follow the map's curved edge.
const MAX_EDGE_DEG: f64 = 1.0;

impl WorldMap<'_> {
    /// The map as a complete SVG document (no XML declaration), about 1600 px wide.
    pub fn to_svg(&self) -> String {
        let frame = Frame::new();
        let legend = LegendLayout::new(&self.legend, &self.group_counts());
        let legend_top = frame.bottom() + LEGEND_GAP;
        let height = (legend_top + legend.height() + FOOTER_HEIGHT).ceil();

        let mut svg = String::with_capacity(1 << 20);
        let _ = write!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}">"#,
            w = num(WIDTH),
            h = num(height),
        );
        svg.push('\n');
        let _ = writeln!(
            svg,
            r#"<rect width="{}" height="{}" fill="{PAPER}"/>"#,
            num(WIDTH),
            num(height)
        );
        self.write_header(&mut svg);
        let outline = frame.outline_path();
        let _ = writeln!(svg, r#"<path id="sphere" d="{outline}" fill="{OCEAN}"/>"#);
        let _ = writeln!(
            svg,
            r#"<path id="graticule" d="{}" fill="none" stroke="{GRATICULE}" stroke-width="0.6" stroke-opacity="0.7"/>"#,
            frame.graticule_path()
        );
        self.write_countries(&mut svg, &frame);
        let _ = writeln!(
            svg,
            r#"<path id="outline" d="{outline}" fill="none" stroke="{OUTLINE}" stroke-width="1"/>"#
        );
        self.write_dots(&mut svg, &frame);
        legend.write(&mut svg, legend_top);
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" font-size="11" fill="{MUTED}" text-anchor="end">Country shapes: Natural Earth (public domain), via world-atlas. Equal Earth projection.</text>"#,
            num(WIDTH - MARGIN),
            num(height - 12.0)
        );
        svg.push_str("</svg>\n");
        svg
    }

    fn group_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.legend.len()];
        for dot in &self.dots {
            if let Some(count) = counts.get_mut(dot.group) {
                *count += 1;
            }
        }
        counts
    }

    fn write_header(&self, svg: &mut String) {
        if !self.title.is_empty() {
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="38" font-size="26" font-weight="bold" fill="{INK}">{}</text>"#,
                num(MARGIN),
                escape(&self.title)
            );
        }
        if !self.subtitle.is_empty() {
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="63" font-size="16" fill="{MUTED}">{}</text>"#,
                num(MARGIN),
                escape(&self.subtitle)
            );
        }
    }

    fn write_countries(&self, svg: &mut String, frame: &Frame) {
        let _ = writeln!(
            svg,
            r#"<g id="countries" fill="{LAND}" fill-rule="evenodd" stroke="{BORDER}" stroke-width="0.5" stroke-linejoin="round">"#
        );
        let mut used_ids = HashSet::new();
        for (index, country) in self.shapes.countries.iter().enumerate() {
            let Some(d) = country_path(country, frame) else {
                continue;
            };
            svg.push_str("<path");
            // Several features may share a code (Australia and Ashmore and Cartier Is.);
            // an id must be unique, so only the first gets it.
            match country.numeric {
                Some(code) if used_ids.insert(code) => {
                    let _ = write!(svg, r#" id="c{code:03}" class="country n{code:03}""#);
                }
                Some(code) => {
                    let _ = write!(svg, r#" class="country n{code:03}""#);
                }
                None => {
                    let _ = write!(svg, r#" id="f{index}" class="country""#);
                }
            }
            if let Some(fill) = country.numeric.and_then(|c| self.country_fill.get(&c)) {
                let _ = write!(svg, r#" fill="{}""#, escape(fill));
            }
            let _ = writeln!(
                svg,
                r#" d="{d}"><title>{}</title></path>"#,
                escape(&country.name)
            );
        }
        svg.push_str("</g>\n");
    }

    /// Where each dot is drawn. Dots that would overlap (regions of several providers in the
    /// same city) are spread on a small ring around their common centre, in legend order, so
    /// that every provider stays visible; a lone dot stays exactly where it projects.
    fn dodged_positions(&self, frame: &Frame) -> Vec<[f64; 2]> {
        let projected: Vec<[f64; 2]> = self
            .dots
            .iter()
            .map(|d| frame.project(wrap_longitude(d.lon), d.lat))
            .collect();
        let near = DOT_RADIUS * 1.5;
        // Greedy clustering: each dot joins the first cluster whose first member is near it.
        let mut clusters: Vec<Vec<usize>> = Vec::new();
        for (i, p) in projected.iter().enumerate() {
            let home = clusters.iter_mut().find(|c| {
                let q = projected[c[0]];
                (p[0] - q[0]).hypot(p[1] - q[1]) < near
            });
            match home {
                Some(c) => c.push(i),
                None => clusters.push(vec![i]),
            }
        }
        let mut out = projected.clone();
        for mut cluster in clusters.into_iter().filter(|c| c.len() > 1) {
            let n = cluster.len() as f64;
            let cx = cluster.iter().map(|&i| projected[i][0]).sum::<f64>() / n;
            let cy = cluster.iter().map(|&i| projected[i][1]).sum::<f64>() / n;
            // Neighbours on the ring just touch: circumference = n dot diameters.
            let radius = (n * 2.2 * DOT_RADIUS / std::f64::consts::TAU).max(DOT_RADIUS * 1.1);
            cluster.sort_by(|&a, &b| {
                (self.dots[a].group, &self.dots[a].label)
                    .cmp(&(self.dots[b].group, &self.dots[b].label))
            });
            for (k, &i) in cluster.iter().enumerate() {
                let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * k as f64 / n;
                out[i] = [cx + radius * angle.cos(), cy + radius * angle.sin()];
            }
        }
        out
    }

    fn write_dots(&self, svg: &mut String, frame: &Frame) {
        let _ = writeln!(
            svg,
            r#"<g id="dots" stroke="{INK}" stroke-width="0.8" stroke-opacity="0.85" fill-opacity="0.92">"#
        );
        let positions = self.dodged_positions(frame);
        // One group per legend entry, in legend order (later groups draw on top), then the
        // dots whose group has no legend entry.
        let groups = (0..self.legend.len()).map(Some).chain([None]);
        for group in groups {
            let members: Vec<(usize, &MapDot)> = self
                .dots
                .iter()
                .enumerate()
                .filter(|(_, dot)| match group {
                    Some(g) => dot.group == g,
                    None => dot.group >= self.legend.len(),
                })
                .filter(|(_, dot)| dot.lon.is_finite() && dot.lat.is_finite())
                .collect();
            if members.is_empty() {
                continue;
            }
            let colour = group.map_or(UNGROUPED, |g| self.legend[g].color.as_str());
            let _ = writeln!(svg, r#"<g fill="{}">"#, escape(colour));
            for (i, dot) in members {
                let [x, y] = positions[i];
                let _ = writeln!(
                    svg,
                    r#"<circle class="dot" cx="{}" cy="{}" r="{}"><title>{}</title></circle>"#,
                    num(x),
                    num(y),
                    num(DOT_RADIUS),
                    escape(&dot.label)
                );
            }
            svg.push_str("</g>\n");
        }
        svg.push_str("</g>\n");
    }
}

fn wrap_longitude(lon: f64) -> f64 {
    if (-180.0..=180.0).contains(&lon) {
        lon
    } else {
        (lon + 180.0).rem_euclid(360.0) - 180.0
    }
}

/// Path data for a country. Rings under [`MIN_RING_AREA_PX2`] are left out, except that a
/// country whose rings are all that small keeps its largest, so that small states (Singapore,
/// Bahrain, Malta) are still in the document to be filled and hovered. `None` only for a
/// country with no rings at all.
fn country_path(country: &CountryShape, frame: &Frame) -> Option<String> {
    let mut d = String::new();
    for ring in country.polygons.iter().flat_map(|p| &p.rings) {
        push_ring(
            &mut d,
            projected(ring, frame),
            MIN_STEP_PX,
            MIN_RING_AREA_PX2,
        );
    }
    if d.is_empty() {
        let largest = country
            .polygons
            .iter()
            .filter_map(|p| p.rings.first())
            .max_by(|a, b| lon_lat_area(a).total_cmp(&lon_lat_area(b)))?;
        push_ring(&mut d, projected(largest, frame), 0.0, 0.0);
    }
    (!d.is_empty()).then_some(d)
}

/// A ring's page coordinates, densified so long edges follow the projection's curves.
fn projected<'a>(ring: &'a [[f64; 2]], frame: &'a Frame) -> impl Iterator<Item = [f64; 2]> + 'a {
    densify(ring, MAX_EDGE_DEG).map(|[lon, lat]| frame.project(lon, lat))
}

/// Unsigned area in square degrees; only to pick the largest of a country's rings.
fn lon_lat_area(ring: &[[f64; 2]]) -> f64 {
    let twice: f64 = ring
        .windows(2)
        .map(|e| e[0][0] * e[1][1] - e[1][0] * e[0][1])
        .sum();
    twice.abs() / 2.0
}

/// The ring's positions, with points added along edges longer than `max_step` degrees.
fn densify(ring: &[[f64; 2]], max_step: f64) -> impl Iterator<Item = [f64; 2]> + '_ {
    let first = ring.first().copied();
    first
        .into_iter()
        .chain(ring.windows(2).flat_map(move |edge| {
            let [a, b] = [edge[0], edge[1]];
            let span = (b[0] - a[0]).abs().max((b[1] - a[1]).abs());
            // Edges of real coastlines are short; this only splits the cut lines.
            let steps = if span > max_step {
                (span / max_step).ceil() as usize
            } else {
                1
            };
            (1..=steps).map(move |i| {
                let t = i as f64 / steps as f64;
                [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
            })
        }))
}

/// Where the projected world sits on the page.
struct Frame {
    scale: f64,
    center_x: f64,
    center_y: f64,
    half_height: f64,
}

impl Frame {
    fn new() -> Self {
        let [half_width, half_height] = equal_earth_extent();
        let scale = (WIDTH - 2.0 * MARGIN) / (2.0 * half_width);
        Self {
            scale,
            center_x: WIDTH / 2.0,
            center_y: HEADER_HEIGHT + half_height * scale,
            half_height: half_height * scale,
        }
    }

    fn project(&self, lon: f64, lat: f64) -> [f64; 2] {
        let [x, y] = equal_earth(lon, lat);
        [
            self.center_x + x * self.scale,
            self.center_y - y * self.scale,
        ]
    }

    fn bottom(&self) -> f64 {
        self.center_y + self.half_height
    }

    /// The edge of the world: the ±180° meridians joined by the flat pole lines.
    fn outline_path(&self) -> String {
        let east = (-90..=90).map(|lat| [180.0, f64::from(lat)]);
        let west = (-90..=90).rev().map(|lat| [-180.0, f64::from(lat)]);
        let mut d = String::new();
        push_ring(
            &mut d,
            east.chain(west).map(|[lon, lat]| self.project(lon, lat)),
            0.0,
            0.0,
        );
        d
    }

    /// Meridians and parallels every 30°.
    fn graticule_path(&self) -> String {
        let mut d = String::new();
        for lon in (-150..=150).step_by(30) {
            let meridian = (-45..=45).map(|i| [f64::from(lon), f64::from(i * 2)]);
            push_polyline(&mut d, meridian.map(|[lon, lat]| self.project(lon, lat)));
        }
        for lat in (-60..=60).step_by(30) {
            let parallel = [-180.0, 180.0].map(|lon| self.project(lon, f64::from(lat)));
            push_polyline(&mut d, parallel);
        }
        d
    }
}

/// Legend entries flowed left to right in rows under the map.
struct LegendLayout {
    /// (x, row, swatch colour, label, count)
    items: Vec<(f64, usize, String, String, usize)>,
    rows: usize,
}

impl LegendLayout {
    fn new(entries: &[LegendEntry], counts: &[usize]) -> Self {
        let mut items = Vec::with_capacity(entries.len());
        let (mut x, mut row) = (MARGIN, 0);
        for (entry, &count) in entries.iter().zip(counts) {
            let text = format!("{} ({count})", entry.label);
            let width = LEGEND_SWATCH + 8.0 + estimate_text_width(&text, LEGEND_FONT) + 28.0;
            if x > MARGIN && x + width > WIDTH - MARGIN {
                x = MARGIN;
                row += 1;
            }
            items.push((x, row, entry.color.clone(), entry.label.clone(), count));
            x += width;
        }
        let rows = if items.is_empty() { 0 } else { row + 1 };
        Self { items, rows }
    }

    fn height(&self) -> f64 {
        self.rows as f64 * LEGEND_ROW
    }

    fn write(&self, svg: &mut String, top: f64) {
        if self.items.is_empty() {
            return;
        }
        let _ = writeln!(
            svg,
            r#"<g id="legend" font-size="{}" fill="{INK}">"#,
            num(LEGEND_FONT)
        );
        for (x, row, colour, label, count) in &self.items {
            let middle = top + *row as f64 * LEGEND_ROW + LEGEND_ROW / 2.0;
            let _ = writeln!(
                svg,
                r#"<rect x="{}" y="{}" width="{s}" height="{s}" rx="3" fill="{}" stroke="{INK}" stroke-width="0.8" stroke-opacity="0.85"/><text x="{}" y="{}">{} <tspan fill="{MUTED}">({count})</tspan></text>"#,
                num(*x),
                num(middle - LEGEND_SWATCH / 2.0),
                escape(colour),
                num(x + LEGEND_SWATCH + 8.0),
                num(middle + LEGEND_FONT * 0.35),
                escape(label),
                s = num(LEGEND_SWATCH),
            );
        }
        svg.push_str("</g>\n");
    }
}

/// A rough width for sans-serif text: enough to keep legend entries from overlapping.
fn estimate_text_width(text: &str, font_size: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.3,
            'f' | 'r' | 't' | '(' | ')' | '-' => 0.38,
            'm' | 'w' | 'M' | 'W' => 0.85,
            c if c.is_uppercase() => 0.68,
            c if c.is_ascii_digit() => 0.56,
            _ => 0.55,
        })
        .sum();
    ems * font_size
}

#[cfg(test)]
mod tests {
    use footprint_geo::shapes::Polygon;

    use super::*;

    /// A triangle of about 0.15 px² on the page.
    fn speck(lon: f64, lat: f64) -> Polygon {
        Polygon {
            rings: vec![vec![
                [lon, lat],
                [lon + 0.1, lat],
                [lon, lat + 0.1],
                [lon, lat],
            ]],
        }
    }

    fn square_world() -> WorldShapes {
        let square = |lon: f64, lat: f64| Polygon {
            rings: vec![vec![
                [lon, lat],
                [lon + 10.0, lat],
                [lon + 10.0, lat + 10.0],
                [lon, lat + 10.0],
                [lon, lat],
            ]],
        };
        WorldShapes {
            countries: vec![
                CountryShape {
                    numeric: Some(250),
                    name: "Squareland".into(),
                    polygons: vec![square(0.0, 40.0), speck(20.0, 40.0)],
                },
                CountryShape {
                    numeric: None,
                    name: "Nameless & <Co>".into(),
                    polygons: vec![square(-80.0, -10.0)],
                },
                CountryShape {
                    numeric: Some(999),
                    name: "Specks".into(),
                    polygons: vec![speck(50.0, 0.0), speck(60.0, 0.0)],
                },
            ],
        }
    }

    fn sample_map(shapes: &WorldShapes) -> WorldMap<'_> {
        WorldMap {
            title: "Regions by provider".into(),
            subtitle: "Where \"AT&T\" <and> friends run".into(),
            shapes,
            dots: vec![
                MapDot {
                    lon: 2.35,
                    lat: 48.86,
                    group: 0,
                    label: "Paris & Co".into(),
                },
                MapDot {
                    lon: -77.0,
                    lat: 38.9,
                    group: 1,
                    label: "Washington".into(),
                },
                MapDot {
                    lon: 139.7,
                    lat: 35.7,
                    group: 1,
                    label: "Tokyo".into(),
                },
                MapDot {
                    lon: 151.2,
                    lat: -33.9,
                    group: 7,
                    label: "Sydney".into(),
                },
            ],
            legend: vec![
                LegendEntry {
                    label: "Cloud <A>".into(),
                    color: "#0072B2".into(),
                },
                LegendEntry {
                    label: "Cloud B".into(),
                    color: "#E69F00".into(),
                },
                LegendEntry {
                    label: "Cloud C".into(),
                    color: "#009E73".into(),
                },
            ],
            country_fill: HashMap::from([(250, "#ff0000".to_owned())]),
        }
    }

    #[test]
    fn svg_is_well_formed_enough() {
        let shapes = square_world();
        let svg = sample_map(&shapes).to_svg();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<circle").count(), 4, "one circle per dot");
        assert_eq!(
            svg.matches("<title>").count(),
            svg.matches("</title>").count()
        );
        // Every tag that opens a group closes it.
        assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
        assert!(svg.contains("Country shapes: Natural Earth (public domain), via world-atlas"));
    }

    #[test]
    fn text_is_escaped() {
        let shapes = square_world();
        let svg = sample_map(&shapes).to_svg();
        assert!(svg.contains("Where &quot;AT&amp;T&quot; &lt;and&gt; friends run"));
        assert!(svg.contains("<title>Paris &amp; Co</title>"));
        assert!(svg.contains("<title>Nameless &amp; &lt;Co&gt;</title>"));
        assert!(svg.contains("Cloud &lt;A&gt;"));
        assert!(!svg.contains("<A>") && !svg.contains("<and>") && !svg.contains("AT&T"));
    }

    #[test]
    fn legend_shows_labels_colours_and_counts() {
        let shapes = square_world();
        let svg = sample_map(&shapes).to_svg();
        assert!(svg.contains(r##"<g fill="#0072B2">"##));
        assert!(svg.contains("Cloud &lt;A&gt; <tspan fill=\"#59636e\">(1)</tspan>"));
        assert!(svg.contains("Cloud B <tspan fill=\"#59636e\">(2)</tspan>"));
        assert!(svg.contains("Cloud C <tspan fill=\"#59636e\">(0)</tspan>"));
        // The dot in group 7 has no legend entry: drawn grey, counted nowhere.
        assert!(svg.contains(&format!(r#"<g fill="{UNGROUPED}">"#)));
    }

    #[test]
    fn countries_get_ids_fills_and_specks_are_dropped() {
        let shapes = square_world();
        let svg = sample_map(&shapes).to_svg();
        assert!(svg.contains(r##"<path id="c250" class="country n250" fill="#ff0000" d="M"##));
        assert!(svg.contains(r#"<path id="f1" class="country" d="M"#));
        let path_of = |id: &str| {
            let start = svg.find(&format!(r#"id="{id}""#)).unwrap();
            svg[start..]
                .split(" d=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            path_of("c250").matches('M').count(),
            1,
            "the speck is left out"
        );
        // A country made only of specks keeps one, so it can still be filled.
        assert_eq!(path_of("c999").matches('M').count(), 1);
    }

    #[test]
    fn dots_land_where_the_projection_puts_them() {
        let shapes = square_world();
        let frame = Frame::new();
        let svg = sample_map(&shapes).to_svg();
        let [x, y] = frame.project(-77.0, 38.9);
        assert!(svg.contains(&format!(r#"cx="{}" cy="{}""#, num(x), num(y))));
        // The map's centre is the origin of the projection, in the middle of the page.
        assert_eq!(frame.project(0.0, 0.0)[0], WIDTH / 2.0);
        let [left, _] = frame.project(-180.0, 0.0);
        let [right, _] = frame.project(180.0, 0.0);
        assert!((left - MARGIN).abs() < 1e-9 && (right - (WIDTH - MARGIN)).abs() < 1e-9);
    }

    #[test]
    fn dots_in_the_same_city_are_spread_apart_not_stacked() {
        let shapes = square_world();
        let frame = Frame::new();
        let mut map = sample_map(&shapes);
        map.dots = (0..4)
            .map(|g| MapDot {
                lon: 8.68,
                lat: 50.11,
                group: g % map.legend.len().max(1),
                label: format!("fra-{g}"),
            })
            .collect();
        let pos = map.dodged_positions(&frame);
        let centre = frame.project(8.68, 50.11);
        for (i, a) in pos.iter().enumerate() {
            // Close to the city...
            assert!((a[0] - centre[0]).hypot(a[1] - centre[1]) < 4.0 * DOT_RADIUS);
            // ...but no two dots on top of each other.
            for b in &pos[i + 1..] {
                assert!(
                    (a[0] - b[0]).hypot(a[1] - b[1]) >= 1.9 * DOT_RADIUS,
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn embedded_world_renders_every_large_country() {
        let shapes = WorldShapes::embedded();
        let map = WorldMap {
            title: String::new(),
            subtitle: String::new(),
            shapes,
            dots: Vec::new(),
            legend: Vec::new(),
            country_fill: HashMap::new(),
        };
        let svg = map.to_svg();
        for code in [643, 242, 10, 840, 76, 36, 250] {
            assert!(
                svg.contains(&format!(r#"id="c{code:03}""#)),
                "country {code}"
            );
        }
        // Small enough to embed in a report.
        assert!(svg.len() < 1_500_000, "{} bytes", svg.len());
        assert!(!svg.contains("<circle"));
        assert!(!svg.contains(r#"id="legend""#));
        let height: f64 = svg
            .split("height=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!((800.0..900.0).contains(&height), "{height}");
    }
}
