//! Reading the user's files: catalog folders, measurement files, policies, workloads.
//!
//! Every file is read through [`read_named`] (a file named on the command line: missing or
//! unreadable is a bad argument) or the bounded catalog walk (a file found in a folder: what
//! is wrong with it is a problem of the data). Content that is not UTF-8 is bad data.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use footprint_geo::shapes::{CountryShape, WorldShapes};
use footprint_geo::{LatLon, haversine_km};
use footprint_model::{
    Checks, Country, CsvKind, InputFile, LoadError, PartialDate, Problem, Region, RegionInCountry,
    World,
};
use footprint_policy::{Engine, PolicyFile};

/// A command-line argument that names something that does not exist (exit code 2).
#[derive(Debug)]
pub struct BadArgument(pub String);

impl fmt::Display for BadArgument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadArgument {}

pub fn bad(message: impl Into<String>) -> anyhow::Error {
    BadArgument(message.into()).into()
}

/// The content of a file was refused (exit code 3): what was refused, and every problem.
#[derive(Debug)]
pub struct DataError {
    pub what: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{} was refused ({n} problem{}); nothing was done:",
            self.what,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DataError {}

fn data_error(what: impl Into<String>, problem: Problem) -> anyhow::Error {
    DataError {
        what: what.into(),
        problems: vec![problem],
    }
    .into()
}

/// The problems of a workload file, as data problems (exit code 3).
pub fn workload_refused(
    origin: &str,
    problems: Vec<footprint_place::spec::SpecError>,
) -> anyhow::Error {
    let problem = |p: footprint_place::spec::SpecError| {
        // A syntax error is located `FILE:LINE`; the others by workload and field.
        let line = p
            .location
            .strip_prefix(origin)
            .and_then(|rest| rest.strip_prefix(':'))
            .and_then(|n| n.parse::<u32>().ok());
        Problem {
            file: origin.to_owned(),
            line: line.unwrap_or(0),
            field: line.is_none().then_some(p.location),
            message: p.message,
        }
    };
    DataError {
        what: format!("the workload file {origin}"),
        problems: problems.into_iter().map(problem).collect(),
    }
    .into()
}

/// The largest file read (a generated 100,000-region catalog is about 20 MB).
const MAX_FILE_BYTES: u64 = 256 << 20;
/// How deep the catalog walk goes below a `--catalog` folder.
const MAX_DEPTH: usize = 16;
/// How many entries (files and folders) the catalog walk looks at in one `--catalog` folder.
const MAX_ENTRIES: usize = 10_000;

/// Why a file's bytes are not text we can load.
enum Unreadable {
    Io(std::io::Error),
    TooLarge,
    NotUtf8 { line: u32, byte: usize },
}

/// Reads at most [`MAX_FILE_BYTES`] of a regular file as UTF-8.
fn read_text(path: &Path) -> Result<String, Unreadable> {
    let file = fs::File::open(path).map_err(Unreadable::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(Unreadable::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Unreadable::TooLarge);
    }
    String::from_utf8(bytes).map_err(|e| {
        let byte = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..byte].iter().filter(|&&b| b == b'\n').count() + 1;
        Unreadable::NotUtf8 {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            byte,
        }
    })
}

fn unreadable_problem(file: &str, why: &Unreadable) -> Problem {
    let (line, message) = match why {
        Unreadable::Io(e) => (0, format!("cannot read: {e}")),
        Unreadable::TooLarge => (0, format!("larger than {} MiB", MAX_FILE_BYTES >> 20)),
        Unreadable::NotUtf8 { line, byte } => (
            *line,
            format!("not UTF-8 text (an invalid byte at offset {byte}); files must be UTF-8"),
        ),
    };
    Problem {
        file: file.to_owned(),
        line,
        field: None,
        message,
    }
}

/// A file named on the command line by `flag`: missing, not a regular file or unreadable is
/// a bad argument (2); content that is not UTF-8 (or absurdly large) is bad data (3).
pub fn read_named(path: &Path, flag: &str) -> anyhow::Result<String> {
    let shown = path.display().to_string();
    match fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(bad(format!("{flag}{shown}: not a regular file"))),
        Err(e) => return Err(bad(format!("{flag}{shown}: cannot read it: {e}"))),
    }
    read_text(path).map_err(|why| match why {
        Unreadable::Io(e) => bad(format!("{flag}{shown}: cannot read it: {e}")),
        other => data_error(
            format!("the file {shown}"),
            unreadable_problem(&shown, &other),
        ),
    })
}

/// What one `--catalog` folder holds: its catalog files, and the problems found on the way.
#[derive(Default)]
struct Walk {
    files: Vec<PathBuf>,
    problems: Vec<Problem>,
    /// Canonical folders and files already taken: each is read once, so links cannot loop.
    seen: HashSet<PathBuf>,
    entries: usize,
}

impl Walk {
    fn problem(&mut self, path: &Path, message: impl Into<String>) {
        self.problems.push(Problem {
            file: path.display().to_string(),
            line: 0,
            field: None,
            message: message.into(),
        });
    }

    /// Is this the first time the walk reaches this file or folder (by its canonical path)?
    fn first_visit(&mut self, path: &Path) -> bool {
        match fs::canonicalize(path) {
            Ok(real) => self.seen.insert(real),
            Err(e) => {
                self.problem(path, format!("cannot resolve the path: {e}"));
                false
            }
        }
    }
}

/// Why a catalog walk stopped early.
fn walk_limit(top: &Path, message: String) -> anyhow::Error {
    LoadError {
        problems: vec![Problem {
            file: top.display().to_string(),
            line: 0,
            field: None,
            message,
        }],
    }
    .into()
}

fn is_catalog_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".toml") || lower.ends_with(".csv")
}

/// Walks `dir` (at `depth` below `top`): catalog files into `walk.files`, anything refused into
/// `walk.problems`. Symbolic links are followed, but each real file or folder is taken once.
fn walk_dir(top: &Path, dir: &Path, depth: usize, walk: &mut Walk) -> anyhow::Result<()> {
    if depth > MAX_DEPTH {
        return Err(walk_limit(
            top,
            format!("folders nest deeper than {MAX_DEPTH} levels below it; refused"),
        ));
    }
    let mut paths = Vec::new();
    match fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                match entry {
                    Ok(e) => paths.push(e.path()),
                    Err(e) => walk.problem(dir, format!("cannot read the folder: {e}")),
                }
            }
        }
        Err(e) => {
            walk.problem(dir, format!("cannot read the folder: {e}"));
            return Ok(());
        }
    }
    paths.sort();
    for path in paths {
        walk.entries += 1;
        if walk.entries > MAX_ENTRIES {
            return Err(walk_limit(
                top,
                format!(
                    "more than {MAX_ENTRIES} files and folders below it; refused (is it the \
                     right folder?)"
                ),
            ));
        }
        walk_entry(top, &path, depth, walk)?;
    }
    Ok(())
}

fn walk_entry(top: &Path, path: &Path, depth: usize, walk: &mut Walk) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.starts_with('.') {
        return Ok(());
    }
    // Following the link, if it is one.
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            walk.problem(path, format!("cannot read it (a broken link?): {e}"));
            return Ok(());
        }
    };
    if meta.is_dir() {
        // The law base's folder belongs to the policy engine (`load_engine`).
        let laws = depth == 0 && name == "laws";
        if !laws && walk.first_visit(path) {
            walk_dir(top, path, depth + 1, walk)?;
        }
    } else if !meta.is_file() {
        walk.problem(
            path,
            "not a regular file (a device, FIFO or socket); refused",
        );
    } else if is_catalog_file(&name) {
        if walk.first_visit(path) {
            walk.files.push(path.to_path_buf());
        }
    } else if !name.to_ascii_lowercase().ends_with(".md") {
        walk.problem(
            path,
            "not a catalog file: expected .toml or .csv (in any case); only hidden files, \
             Markdown (.md) and the top laws/ folder are skipped",
        );
    }
    Ok(())
}

/// Today's date, UTC, from the system clock.
fn today() -> Option<PartialDate> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    PartialDate::from_days_since_epoch(i64::try_from(secs / 86_400).ok()?)
}

/// How far outside its country's outline a region may be (coastal cities, coarse 1:50m
/// shapes): the allowance of the catalog's own test (crates/geo/tests/regions_in_countries.rs).
const NEAR_KM: f64 = 30.0;
/// For a country too small for a shape: how far from the country's own point.
const NO_SHAPE_KM: f64 = 80.0;

/// Does a point lie in (or near) a country's Natural Earth shape? Remembers each country's
/// shape and each answer: regions of many providers share a city's coordinates, and the
/// distance to a coastline is the costly part.
#[derive(Default)]
struct InCountry {
    shapes: HashMap<u16, Option<&'static CountryShape>>,
    answers: HashMap<(u16, u64, u64), Result<(), String>>,
}

impl InCountry {
    fn check(&mut self, r: &Region, c: &Country) -> Result<(), String> {
        let key = (c.numeric, r.lat.to_bits(), r.lon.to_bits());
        if let Some(answer) = self.answers.get(&key) {
            return answer.clone();
        }
        let shape = *self
            .shapes
            .entry(c.numeric)
            .or_insert_with(|| WorldShapes::embedded().by_numeric(c.numeric));
        let answer = region_in_country(shape, r, c);
        self.answers.insert(key, answer.clone());
        answer
    }
}

fn region_in_country(shape: Option<&CountryShape>, r: &Region, c: &Country) -> Result<(), String> {
    let (off_km, allowed) = match shape {
        Some(shape) => (shape.distance_km(r.lon, r.lat), NEAR_KM),
        None => (
            haversine_km(LatLon::new(r.lat, r.lon), LatLon::new(c.lat, c.lon)),
            NO_SHAPE_KM,
        ),
    };
    if off_km > allowed {
        Err(format!(
            "{}, {} is {off_km:.0} km outside {} ({}); expected coordinates in the country \
             (at most {allowed:.0} km outside its outline)",
            r.lat, r.lon, c.name, c.code
        ))
    } else {
        Ok(())
    }
}

/// The files of one `--catalog` folder, read, as a layer; problems found on the way go to
/// `problems`.
fn catalog_layer(
    dir: &Path,
    problems: &mut Vec<Problem>,
) -> anyhow::Result<Vec<InputFile<'static>>> {
    if let Err(e) = fs::read_dir(dir) {
        return Err(bad(format!(
            "--catalog {}: cannot read the folder: {e}",
            dir.display()
        )));
    }
    let mut walk = Walk::default();
    walk.first_visit(dir);
    walk_dir(dir, dir, 0, &mut walk)?;
    if walk.files.is_empty() && walk.problems.is_empty() {
        return Err(bad(format!(
            "--catalog {}: no .toml or .csv file in it",
            dir.display()
        )));
    }
    problems.append(&mut walk.problems);
    let mut layer = Vec::new();
    for p in walk.files {
        let shown = p.display().to_string();
        match read_text(&p) {
            Ok(text) => layer.push(InputFile::new(shown, text)),
            Err(why) => problems.push(unreadable_problem(&shown, &why)),
        }
    }
    Ok(layer)
}

/// The embedded catalog, then each folder as a layer, then the measurement files; dates checked
/// against today, and (when there are user layers) regions against their country's shape.
pub fn load_world(dirs: &[PathBuf], measured: &[PathBuf]) -> anyhow::Result<World> {
    let mut layers = vec![footprint_model::embedded::layer()];
    let mut problems = Vec::new();
    for dir in dirs {
        if !dir.is_dir() {
            return Err(bad(format!("--catalog {}: not a folder", dir.display())));
        }
        layers.push(catalog_layer(dir, &mut problems)?);
    }
    if !measured.is_empty() {
        let mut layer = Vec::new();
        for p in measured {
            let text = read_named(p, "--measured ")?;
            layer.push(
                InputFile::new(p.display().to_string(), text).with_csv_kind(CsvKind::Latency),
            );
        }
        layers.push(layer);
    }
    let memo = RefCell::new(InCountry::default());
    let check = |r: &Region, c: &Country| memo.borrow_mut().check(r, c);
    let in_country: &RegionInCountry<'_> = &check;
    let checks = Checks {
        today: today(),
        // The embedded regions are checked by the catalog's tests; only user layers need it.
        region_in_country: (layers.len() > 1).then_some(in_country),
    };
    match footprint_model::load_with(&layers, &checks) {
        Ok(world) if problems.is_empty() => Ok(world),
        Ok(_) => Err(LoadError { problems }.into()),
        Err(mut e) => {
            e.problems.append(&mut problems);
            e.problems.sort();
            Err(e.into())
        }
    }
}

/// The `laws/` folder of a `--catalog` folder: its Cedar files and its jurisdiction list.
fn law_folder(
    folder: &Path,
    laws: &mut Vec<PolicyFile<'static>>,
    manifests: &mut Vec<(String, String)>,
) -> anyhow::Result<()> {
    let mut paths: Vec<PathBuf> = fs::read_dir(folder)
        .map_err(|e| bad(format!("cannot read {}: {e}", folder.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        if name.starts_with('.') || lower.ends_with(".md") {
            continue;
        }
        let is_law = lower.ends_with(".cedar");
        let refuse = |message: &str| {
            let problem = Problem {
                file: p.display().to_string(),
                line: 0,
                field: None,
                message: message.to_owned(),
            };
            data_error(format!("the law folder {}", folder.display()), problem)
        };
        if !(is_law || lower == "jurisdictions.toml") {
            return Err(refuse(
                "not a law file: expected NAME.cedar or jurisdictions.toml (the schema cannot \
                 be replaced); only hidden files and Markdown (.md) are skipped",
            ));
        }
        if !fs::metadata(&p).is_ok_and(|m| m.is_file()) {
            return Err(refuse("not a regular file; refused"));
        }
        let text = read_text(&p).map_err(|why| {
            let shown = p.display().to_string();
            data_error(
                format!("the law file {shown}"),
                unreadable_problem(&shown, &why),
            )
        })?;
        if !is_law {
            manifests.push((p.display().to_string(), text));
            continue;
        }
        let file = PolicyFile::law(p.display().to_string(), text);
        match laws
            .iter_mut()
            .find(|l| l.name.rsplit('/').next() == Some(lower.as_str()))
        {
            Some(slot) => *slot = file,
            None => laws.push(file),
        }
    }
    Ok(())
}

/// The law base (built in, plus any `laws/*.cedar` and `laws/jurisdictions.toml` in the catalog
/// folders: a file with a built-in file's name replaces it), then the tenant policy files.
pub fn load_engine(
    world: &World,
    dirs: &[PathBuf],
    tenant_files: &[PathBuf],
) -> anyhow::Result<Engine> {
    let mut laws = footprint_policy::embedded::law_files();
    let mut manifests = Vec::new();
    for dir in dirs {
        let folder = dir.join("laws");
        if folder.is_dir() {
            law_folder(&folder, &mut laws, &mut manifests)?;
        }
    }
    let engine = Engine::new(world, &laws, &manifests)?;
    if tenant_files.is_empty() {
        return Ok(engine);
    }
    let mut files = Vec::new();
    for p in tenant_files {
        let text = read_named(p, "--tenant-policy ")?;
        files.push(PolicyFile::tenant(p.display().to_string(), text));
    }
    Ok(engine.with_tenant_policies(&files)?)
}
