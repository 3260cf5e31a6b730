//! Embeds every catalog file (`catalog/**/*.toml`, `catalog/**/*.csv`) in the binary, so the
//! list cannot drift from the folder. `catalog/laws/` belongs to footprint-policy, which embeds it.

use std::path::{Path, PathBuf};
use std::{env, fs, io};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "laws") {
                continue;
            }
            collect(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "csv")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(io::Error::other)?);
    let catalog = manifest.join("../../catalog").canonicalize()?;
    println!("cargo::rerun-if-changed={}", catalog.display());
    let mut files = Vec::new();
    collect(&catalog, &mut files)?;
    files.sort();
    let mut code = String::from(
        "/// Every embedded catalog file: (path inside catalog/, text).\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo::rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&catalog).map_err(io::Error::other)?;
        code.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            rel.to_string_lossy().replace('\\', "/"),
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").map_err(io::Error::other)?).join("embedded.rs");
    fs::write(out, code)
}
