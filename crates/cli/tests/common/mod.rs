//! Helpers shared by the CLI's test binaries: run the real binary, read what it wrote, make
//! scratch folders. Each test binary uses some of them.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The binary under test, not yet run.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_footprint"))
}

/// Runs the binary with `args`.
pub fn footprint(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

/// Runs the binary, which must succeed; its stdout.
pub fn ok(args: &[&str]) -> String {
    let out = footprint(args);
    assert!(
        out.status.success(),
        "footprint {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Runs the binary, which must succeed and print JSON.
pub fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("valid JSON")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A fresh folder under the system temp dir, unique to this test binary, process and name.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "footprint-{}-{}-{name}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Writes `text` to `dir/name`; the path as a string, for an argument.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).expect("write a test file");
    path.display().to_string()
}
