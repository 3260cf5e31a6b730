//! Embeds the law base (`catalog/laws/*.cedar`), its schema and its jurisdiction list in the
//! binary, so the list cannot drift from the folder.

use std::path::PathBuf;
use std::{env, fs, io};

fn main() -> io::Result<()> {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(io::Error::other)?);
    let laws = manifest.join("../../catalog/laws").canonicalize()?;
    println!("cargo::rerun-if-changed={}", laws.display());
    let mut files = Vec::new();
    for entry in fs::read_dir(&laws)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "cedar") {
            files.push(path);
        }
    }
    files.sort();
    let mut code = String::from(
        "/// Every embedded law file: (file name, text), in name order.\npub static LAWS: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo::rerun-if-changed={}", f.display());
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        code.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    for (name, file) in [
        ("SCHEMA", "schema.cedarschema"),
        ("JURISDICTIONS", "jurisdictions.toml"),
    ] {
        let path = laws.join(file);
        println!("cargo::rerun-if-changed={}", path.display());
        code.push_str(&format!(
            "/// catalog/laws/{file}\npub static {name}: &str = include_str!({:?});\n",
            path.display().to_string()
        ));
    }
    let out = PathBuf::from(env::var("OUT_DIR").map_err(io::Error::other)?).join("embedded.rs");
    fs::write(out, code)
}
