//! The bad-input corpus: each folder of tests/bad_input/ is one case, `case.toml` says how to
//! run the real binary (`{case}` is the case's folder, `{out}` an empty scratch folder) and what
//! must happen: the exit code, what stderr names (file, line, field), or with `--json` the
//! problems of the JSON error. Whatever the case, nothing is written: stdout stays empty, the
//! scratch folder too, and stderr holds no raw control character.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on the unexpected"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    args: Vec<String>,
    exit: i32,
    /// Texts stderr must contain.
    #[serde(default)]
    stderr: Vec<String>,
    /// (file ends with, line or 0 for none, field or "" for any) of problems the JSON error
    /// on stderr must list.
    #[serde(default)]
    json_problems: Vec<(String, u32, String)>,
}

fn run_case(dir: &Path) -> Result<(), String> {
    let text = fs::read_to_string(dir.join("case.toml")).map_err(|e| e.to_string())?;
    let case: Case = toml::from_str(&text).map_err(|e| e.to_string())?;
    let out_dir = std::env::temp_dir().join(format!(
        "footprint-bad-input-{}-{}",
        std::process::id(),
        dir.file_name().unwrap().to_string_lossy()
    ));
    let _ = fs::remove_dir_all(&out_dir);
    fs::create_dir_all(&out_dir).unwrap();
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| {
            a.replace("{case}", &dir.display().to_string())
                .replace("{out}", &out_dir.display().to_string())
        })
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_footprint"))
        .args(&args)
        .current_dir(&out_dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut wrong = Vec::new();
    if out.status.code() != Some(case.exit) {
        wrong.push(format!(
            "exit {:?}, expected {}",
            out.status.code(),
            case.exit
        ));
    }
    if !out.stdout.is_empty() {
        wrong.push("something was printed on stdout".into());
    }
    if fs::read_dir(&out_dir).unwrap().next().is_some() {
        wrong.push("something was written to the output folder".into());
    }
    if err.chars().any(|c| c.is_control() && c != '\n') {
        wrong.push("stderr holds a raw control character".into());
    }
    for needle in &case.stderr {
        if !err.contains(needle.as_str()) {
            wrong.push(format!("stderr does not say {needle:?}"));
        }
    }
    if !case.json_problems.is_empty() {
        check_json(&err, case.exit, &case.json_problems, &mut wrong);
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}:\n    {}\n    stderr: {err}",
            dir.display(),
            wrong.join("\n    ")
        ))
    }
}

fn check_json(err: &str, code: i32, expected: &[(String, u32, String)], wrong: &mut Vec<String>) {
    let v: serde_json::Value = match serde_json::from_str(err) {
        Ok(v) => v,
        Err(e) => {
            wrong.push(format!("stderr is not one JSON object: {e}"));
            return;
        }
    };
    if v["error"]["code"] != code {
        wrong.push(format!(
            "JSON error code {}, expected {code}",
            v["error"]["code"]
        ));
    }
    let problems = v["error"]["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (file, line, field) in expected {
        let found = problems.iter().any(|p| {
            p["file"]
                .as_str()
                .is_some_and(|f| f.ends_with(file.as_str()))
                && (*line == 0 && p["line"].is_null() || p["line"] == *line)
                && (field.is_empty() || p["field"] == field.as_str())
        });
        if !found {
            wrong.push(format!("no JSON problem for {file}:{line} field {field:?}"));
        }
    }
}

#[test]
fn every_bad_input_is_refused_naming_where_and_writing_nothing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_input");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "the corpus is missing: {}", cases.len());
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
