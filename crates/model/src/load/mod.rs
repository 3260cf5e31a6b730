//! Loading a catalog: files -> records (`parse`) -> typed records (`typed`) -> layers merged by
//! key (`merge`) -> references resolved and cross-record checks (`resolve`, `checks`) -> a
//! validated [`World`].
//!
//! The embedded catalog and a user's files go through this one path. Every problem in every
//! file is collected before anything is returned; a world is returned only when there are none.

mod checks;
mod merge;
mod parse;
mod resolve;
mod typed;

use std::borrow::Cow;
use std::fmt;

use crate::error::LoadError;
use crate::values::PartialDate;
use crate::world::{Country, Region, World};

use parse::Kind;

/// A catalog file: where it was read from (for messages) and its text.
#[derive(Clone, Debug)]
pub struct InputFile<'a> {
    pub path: String,
    pub text: Cow<'a, str>,
    /// What a CSV file holds, when its name does not say (see [`CsvKind`]).
    pub csv_kind: Option<CsvKind>,
}

/// What a CSV file holds. Normally told by the start of its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvKind {
    Countries,
    Cities,
    Regions,
    Latency,
}

impl CsvKind {
    fn kind(self) -> Kind {
        match self {
            CsvKind::Countries => Kind::Country,
            CsvKind::Cities => Kind::City,
            CsvKind::Regions => Kind::Region,
            CsvKind::Latency => Kind::Latency,
        }
    }
}

impl<'a> InputFile<'a> {
    pub fn new(path: impl Into<String>, text: impl Into<Cow<'a, str>>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
            csv_kind: None,
        }
    }

    /// Reads a CSV file as this kind, whatever its name.
    pub fn with_csv_kind(mut self, kind: CsvKind) -> Self {
        self.csv_kind = Some(kind);
        self
    }
}

/// A caller's test that a region's coordinates lie in (or near) its country: `Err(why)` refuses it.
pub type RegionInCountry<'a> = dyn Fn(&Region, &Country) -> Result<(), String> + 'a;

/// What the loader cannot know by itself, supplied by the caller: it has no clock and no
/// country shapes (those are in footprint-geo, which depends on this crate).
#[derive(Clone, Copy, Default)]
pub struct Checks<'a> {
    /// Today's date (UTC). A fact checked (`as_of`, `retrieved`), a region announced, a
    /// generally available region launched or a region retired after it (by more than a day,
    /// for time zones ahead of UTC) is refused. `None`: dates are not compared with today.
    pub today: Option<PartialDate>,
    /// Says whether a region's coordinates lie in (or near) its country: `Err(why)` refuses the
    /// region, reported on its `lat` field.
    pub region_in_country: Option<&'a RegionInCountry<'a>>,
}

impl fmt::Debug for Checks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checks")
            .field("today", &self.today)
            .field("region_in_country", &self.region_in_country.is_some())
            .finish()
    }
}

/// Loads a world from layers of files: the first layer is the base (normally the embedded
/// catalog), each later one overrides or extends it by key. Dates are not compared with today
/// and coordinates not with country shapes: [`load_with`] does that.
pub fn load(layers: &[Vec<InputFile<'_>>]) -> Result<World, LoadError> {
    load_with(layers, &Checks::default())
}

/// [`load`], with the checks only the caller can make.
pub fn load_with(layers: &[Vec<InputFile<'_>>], checks: &Checks<'_>) -> Result<World, LoadError> {
    let mut out = Vec::new();
    let mut merged = merge::Merged::new();
    for (layer_no, files) in layers.iter().enumerate() {
        let mut parsed = typed::Parsed::default();
        for file in files {
            parse::parse_file(file, &mut parsed, &mut out);
        }
        merged.add(layer_no, parsed, &mut out);
    }
    let world = resolve::resolve(merged, checks, &mut out);
    if out.is_empty() {
        Ok(world)
    } else {
        out.sort();
        out.dedup();
        Err(LoadError { problems: out })
    }
}
