//! Maps and charts rendered to SVG text from the world catalog.
//!
//! Pure: everything here builds strings; writing them to files is the caller's job. Maps use
//! the Equal Earth projection ([`projection`]) over the country shapes of
//! [`footprint_geo::shapes`].

mod map;
mod palette;
pub mod projection;
mod svg;

pub use map::{LegendEntry, MapDot, WorldMap};
pub use palette::provider_palette;
