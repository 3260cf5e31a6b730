//! The real binary against what used to hang, crash or slip through: catalog folders with
//! symbolic-link loops and special files, output to a closed pipe or a full disk, errors as
//! JSON, and the exit-code convention.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on the unexpected"
)]

use std::fs;
use std::process::{Command, Output, Stdio};

mod common;
use common::{bin, footprint, scratch, stderr};

const PROVIDER: &str = "[[provider]]\nid = \"acme\"\nname = \"Acme Cloud\"\nheadquarters = \"MX\"\n\
                        source = \"provider-corporate\"\nas_of = \"2026-11-01\"\n";

#[cfg(unix)]
#[test]
fn symbolic_link_loops_are_walked_once() {
    use std::os::unix::fs::symlink;
    let dir = scratch("loop");
    fs::write(dir.join("providers.toml"), PROVIDER).unwrap();
    // Each link leads back to the folder: followed naively, 2^depth paths and no end.
    symlink(&dir, dir.join("again")).unwrap();
    symlink(".", dir.join("self")).unwrap();
    fs::create_dir(dir.join("sub")).unwrap();
    symlink("..", dir.join("sub/up")).unwrap();
    let out = footprint(&[
        "--catalog",
        dir.to_str().unwrap(),
        "catalog",
        "validate",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["providers"], 8, "{v}");
}

#[cfg(unix)]
#[test]
fn special_files_and_whole_file_systems_are_refused_not_read() {
    let dir = scratch("special");
    fs::write(dir.join("providers.toml"), PROVIDER).unwrap();
    let fifo = dir.join("regions.csv");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    // Reading the FIFO would block for ever; it is refused by its type instead.
    let out = footprint(&["--catalog", dir.to_str().unwrap(), "catalog", "regions"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
    // /proc/self leads (through /proc/self/root) to the whole file system: the walk is bounded.
    if std::path::Path::new("/proc/self/root").exists() {
        let out = footprint(&["--catalog", "/proc/self", "catalog", "validate"]);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(stderr(&out).contains("/proc/self"), "{}", stderr(&out));
    }
}

#[test]
fn extensions_are_read_in_any_case_and_unknown_files_refused() {
    let dir = scratch("case");
    fs::write(dir.join("PROVIDERS.TOML"), PROVIDER).unwrap();
    fs::write(
        dir.join("regions.CSV"),
        "provider,code,name,city,country,lat,lon,status,launched,source,as_of\n\
         acme,mx-1,Mexico,Querétaro,MX,20.59,-100.39,ga,2025,provider-corporate,2026-11-01\n",
    )
    .unwrap();
    fs::write(dir.join("README.md"), "notes are skipped").unwrap();
    let out = footprint(&[
        "--catalog",
        dir.to_str().unwrap(),
        "catalog",
        "regions",
        "--provider",
        "acme",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("acme:mx-1"));
    fs::write(dir.join("regions.tsv"), "provider\tcode\n").unwrap();
    let out = footprint(&["--catalog", dir.to_str().unwrap(), "catalog", "regions"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("regions.tsv: not a catalog file"),
        "{}",
        stderr(&out)
    );
}

/// Runs footprint with its standard output on a pipe whose reader is already gone.
fn to_closed_pipe(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    bin()
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn to_full_disk(args: &[&str]) -> Output {
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    bin()
        .args(args)
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

const COMMANDS: &[&[&str]] = &[
    &["catalog", "regions"],
    &["catalog", "countries", "--json"],
    &["catalog", "sources"],
    &["catalog", "validate"],
    &["latency", "MX", "aws:us-east-1"],
    &["latency-model"],
    &["laws"],
    &[
        "check",
        "--class",
        "personal",
        "--subject",
        "MX",
        "--action",
        "store",
    ],
    &[
        "place",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/workloads.toml"),
        "--json",
    ],
];

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    for args in COMMANDS {
        let out = to_closed_pipe(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(out.stderr.is_empty(), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn a_pipe_closed_after_one_line_ends_quietly() {
    // `footprint catalog regions --json | head -1`, with a reader that stops after a line.
    let mut child = bin()
        .args(["catalog", "regions", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(first[0], b'[');
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_exit_1_with_a_message() {
    for args in COMMANDS {
        let out = to_full_disk(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("cannot write the output: No space left on device"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn with_json_an_error_is_one_json_object_on_stderr() {
    let dir = scratch("json-error");
    fs::write(
        dir.join("latency.csv"),
        "from,to,rtt_ms,source,as_of\naws:us-east-1,aws:ap-southeast-2,1,provider-corporate,2026-11-01\n",
    )
    .unwrap();
    let out = footprint(&[
        "--catalog",
        dir.to_str().unwrap(),
        "catalog",
        "regions",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).expect("JSON on stderr");
    assert_eq!(v["error"]["code"], 3);
    let p = &v["error"]["problems"][0];
    assert!(p["file"].as_str().unwrap().ends_with("latency.csv"), "{v}");
    assert_eq!(p["line"], 2);
    assert_eq!(p["field"], "rtt_ms");
    // A bad command line with --json too.
    let out = footprint(&["catalog", "regions", "--status", "live", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).expect("JSON on stderr");
    assert_eq!(v["error"]["code"], 2);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("live"),
        "{v}"
    );
}

#[test]
fn a_mistake_that_moved_every_estimate_is_refused() {
    // 1 ms over 15,674 km used to be accepted and, through the fit's weights, move Mexico to
    // us-east-1 from 52 to 30 ms.
    let dir = scratch("floor");
    let file = dir.join("fast.csv");
    fs::write(
        &file,
        "from,to,rtt_ms,source,as_of\naws:us-east-1,aws:ap-southeast-2,1,provider-corporate,2026-11-01\n",
    )
    .unwrap();
    let out = footprint(&[
        "latency",
        "MX",
        "aws:us-east-1",
        "--measured",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("fast.csv:2: field `rtt_ms`"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn catalog_validate_reads_the_laws_of_a_catalog_folder() {
    let dir = scratch("laws");
    fs::write(dir.join("providers.toml"), PROVIDER).unwrap();
    fs::create_dir(dir.join("laws")).unwrap();
    fs::write(
        dir.join("laws/xx.cedar"),
        "forbid (principal, action, resource) when { oops };\n",
    )
    .unwrap();
    let out = footprint(&["--catalog", dir.to_str().unwrap(), "catalog", "validate"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("xx.cedar"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}
