//! The world catalog: countries and their population points, blocs, providers and their local
//! operators, regions, AI offerings and latency measurements, each fact with a source and an
//! as-of date.
//!
//! This crate owns the types every later stage reads ([`World`]) and the one way to build them
//! ([`load`]): from the catalog embedded in the binary, plus any number of user layers that
//! override or extend it by key. It does no IO: callers hand it file names and texts.

mod error;
mod load;
mod record;
mod values;
mod world;

pub use error::{LoadError, Problem};
pub use load::{Checks, CsvKind, InputFile, RegionInCountry, load, load_with};
pub use values::{Confidence, CountryCode, PartialDate, Partition, RegionStatus};
pub use world::{
    AiOffering, AiService, Bloc, City, Country, CountryIdx, Measurement, Operator, Place,
    Provenance, Provider, Region, RegionId, RegionLookupError, Source, World,
};

/// The catalog files compiled into the binary.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

    /// The embedded files as a layer for [`crate::load`].
    pub fn layer() -> Vec<crate::InputFile<'static>> {
        FILES
            .iter()
            .map(|(path, text)| crate::InputFile::new(format!("<embedded>/{path}"), *text))
            .collect()
    }
}

/// Loads the embedded catalog alone.
pub fn load_embedded() -> Result<World, LoadError> {
    load(&[embedded::layer()])
}
