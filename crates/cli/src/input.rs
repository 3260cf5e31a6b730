//! Reading the user's files: catalog folders and measurement files.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use footprint_model::{CsvKind, InputFile, World};
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

/// Every *.toml and *.csv file below `dir`, in path order, except the `laws/` folder (policies).
fn catalog_files(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries = fs::read_dir(dir)
        .with_context(|| format!("cannot read catalog folder {}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry =
            entry.with_context(|| format!("cannot read catalog folder {}", dir.display()))?;
        paths.push(entry.path());
    }
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "laws") {
                continue;
            }
            catalog_files(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "csv")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The embedded catalog, then each folder as a layer, then the measurement files.
pub fn load_world(dirs: &[PathBuf], measured: &[PathBuf]) -> anyhow::Result<World> {
    let mut layers = vec![footprint_model::embedded::layer()];
    for dir in dirs {
        if !dir.is_dir() {
            return Err(bad(format!("--catalog {}: not a folder", dir.display())));
        }
        let mut paths = Vec::new();
        catalog_files(dir, &mut paths)?;
        if paths.is_empty() {
            return Err(bad(format!(
                "--catalog {}: no .toml or .csv file in it",
                dir.display()
            )));
        }
        let mut layer = Vec::new();
        for p in paths {
            layer.push(InputFile::new(p.display().to_string(), read(&p)?));
        }
        layers.push(layer);
    }
    if !measured.is_empty() {
        let mut layer = Vec::new();
        for p in measured {
            layer.push(
                InputFile::new(p.display().to_string(), read(p)?).with_csv_kind(CsvKind::Latency),
            );
        }
        layers.push(layer);
    }
    Ok(footprint_model::load(&layers)?)
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
        if !folder.is_dir() {
            continue;
        }
        let mut paths: Vec<PathBuf> = fs::read_dir(&folder)
            .with_context(|| format!("cannot read {}", folder.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        for p in paths {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if name == "jurisdictions.toml" {
                manifests.push((p.display().to_string(), read(&p)?));
            } else if name.ends_with(".cedar") {
                let file = PolicyFile::law(p.display().to_string(), read(&p)?);
                match laws
                    .iter_mut()
                    .find(|l| l.name.rsplit('/').next() == Some(name.as_str()))
                {
                    Some(slot) => *slot = file,
                    None => laws.push(file),
                }
            }
        }
    }
    let engine = Engine::new(world, &laws, &manifests)?;
    if tenant_files.is_empty() {
        return Ok(engine);
    }
    let mut files = Vec::new();
    for p in tenant_files {
        if !p.is_file() {
            return Err(bad(format!(
                "--tenant-policy {}: no such file",
                p.display()
            )));
        }
        files.push(PolicyFile::tenant(p.display().to_string(), read(p)?));
    }
    Ok(engine.with_tenant_policies(&files)?)
}
