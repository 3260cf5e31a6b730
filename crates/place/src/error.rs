//! Why a placement could not be made at all (as opposed to a workload that cannot be served,
//! which is an answer).

use footprint_model::CountryCode;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlaceError {
    /// The latency matrix was built for another world (its country or region count differs).
    #[error(
        "the latency matrix has {matrix_countries} countries and {matrix_regions} regions, the catalog {countries} and {regions}: it was built for another catalog"
    )]
    MatrixMismatch {
        matrix_countries: usize,
        matrix_regions: usize,
        countries: usize,
        regions: usize,
    },
    /// The input's per-region tables (price factor, capacity) do not cover the world's regions.
    #[error(
        "the input has prices and capacity for {input} regions, the catalog has {regions}: it was checked against another catalog"
    )]
    InputMismatch { input: usize, regions: usize },
    /// A user country the catalog does not have (the input was checked against another world).
    #[error("workload {workload:?}: users in {country}, a country the catalog does not have")]
    UnknownCountry {
        workload: String,
        country: CountryCode,
    },
}
