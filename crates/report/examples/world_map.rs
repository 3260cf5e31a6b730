//! Renders a sample world map: a few dozen capitals in three groups.
//!
//! ```text
//! cargo run -p footprint-report --example world_map -- /tmp/world_map.svg
//! rsvg-convert /tmp/world_map.svg -o /tmp/world_map.png
//! ```

use std::collections::HashMap;

use footprint_geo::shapes::WorldShapes;
use footprint_report::{LegendEntry, MapDot, WorldMap, provider_palette};

/// (name, lon, lat, group)
const CAPITALS: &[(&str, f64, f64, usize)] = &[
    ("Washington, D.C.", -77.04, 38.91, 0),
    ("Ottawa", -75.70, 45.42, 0),
    ("Mexico City", -99.13, 19.43, 0),
    ("Bogotá", -74.07, 4.71, 0),
    ("Lima", -77.04, -12.05, 0),
    ("Brasília", -47.88, -15.79, 0),
    ("Buenos Aires", -58.38, -34.60, 0),
    ("Santiago", -70.67, -33.45, 0),
    ("Anchorage", -149.90, 61.22, 0),
    ("Honolulu", -157.86, 21.31, 0),
    ("Reykjavík", -21.94, 64.15, 0),
    ("London", -0.13, 51.51, 1),
    ("Paris", 2.35, 48.86, 1),
    ("Berlin", 13.40, 52.52, 1),
    ("Madrid", -3.70, 40.42, 1),
    ("Rome", 12.50, 41.90, 1),
    ("Stockholm", 18.07, 59.33, 1),
    ("Warsaw", 21.01, 52.23, 1),
    ("Moscow", 37.62, 55.76, 1),
    ("Cairo", 31.24, 30.04, 1),
    ("Lagos", 3.38, 6.52, 1),
    ("Nairobi", 36.82, -1.29, 1),
    ("Johannesburg", 28.05, -26.20, 1),
    ("Tel Aviv & Jaffa", 34.78, 32.08, 1),
    ("Dubai", 55.27, 25.20, 1),
    ("Mumbai", 72.88, 19.08, 2),
    ("Delhi", 77.21, 28.61, 2),
    ("Singapore", 103.82, 1.35, 2),
    ("Jakarta", 106.85, -6.21, 2),
    ("Hong Kong", 114.17, 22.32, 2),
    ("Beijing", 116.41, 39.90, 2),
    ("Seoul", 126.98, 37.57, 2),
    ("Tokyo", 139.69, 35.69, 2),
    ("Sydney", 151.21, -33.87, 2),
    ("Melbourne", 144.96, -37.81, 2),
    ("Auckland", 174.76, -36.85, 2),
    ("Suva", 178.44, -18.14, 2),
    ("Petropavlovsk-Kamchatsky", 158.65, 53.02, 2),
    ("Anadyr", 177.51, 64.73, 2),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "world_map.svg".to_owned());
    let colours = provider_palette(3);
    let legend = ["Americas cloud", "EMEA cloud", "APAC <cloud>"]
        .iter()
        .zip(colours)
        .map(|(label, color)| LegendEntry {
            label: (*label).to_owned(),
            color,
        })
        .collect();
    let dots = CAPITALS
        .iter()
        .map(|&(name, lon, lat, group)| MapDot {
            lon,
            lat,
            group,
            label: name.to_owned(),
        })
        .collect();
    let map = WorldMap {
        title: "Sample regions by provider".to_owned(),
        subtitle: "39 cities in three groups; hover a dot for its name".to_owned(),
        shapes: WorldShapes::embedded(),
        dots,
        legend,
        country_fill: HashMap::new(),
    };
    let svg = map.to_svg();
    std::fs::write(&out, &svg)?;
    println!("wrote {out} ({} bytes)", svg.len());
    Ok(())
}
