//! Where results and errors go. Results: standard output through [`Output`], whose failures
//! are errors like any other (a reader that went away ends the program quietly, a full disk is
//! exit code 1). Errors: standard error, as text with every control character escaped, or as
//! one JSON object with `--json`.

use std::io::{self, BufWriter, Write};

use footprint_model::{LoadError, Problem};
use footprint_policy::PolicyError;
use serde::Serialize;
use serde_json::json;

use crate::input::{BadArgument, DataError};

/// Standard output, buffered; a failed write says so.
pub struct Output {
    inner: BufWriter<io::Stdout>,
}

impl Output {
    pub fn stdout() -> Self {
        Self {
            inner: BufWriter::new(io::stdout()),
        }
    }
}

fn stdout_failed(e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("cannot write the output: {e}"))
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(stdout_failed)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(stdout_failed)
    }
}

/// Writes `value` as pretty JSON and a newline.
pub fn json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    writeln!(out, "{text}")?;
    Ok(())
}

/// A note for people on standard error (`wrote FILE`); losing it is not worth failing over.
pub fn note(message: &str) {
    let _ = writeln!(io::stderr(), "{}", escape(message));
}

/// The text with every control character written as an escape (`\n`, `\u{1b}`), so that input
/// echoed in a message cannot move the cursor, clear the screen or fake a line.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// Each line escaped on its own, the line breaks kept (our own messages span lines).
fn escape_lines(text: &str) -> String {
    text.lines().map(escape).collect::<Vec<_>>().join("\n")
}

/// The exit codes of README.md's table.
pub mod code {
    pub const FAILURE: u8 = 1;
    pub const BAD_ARGUMENT: u8 = 2;
    pub const BAD_DATA: u8 = 3;
}

/// One problem of a refused file, as JSON and text show it.
#[derive(Serialize)]
struct Item {
    file: String,
    line: Option<u32>,
    field: Option<String>,
    message: String,
}

impl Item {
    fn of(p: &Problem) -> Self {
        Item {
            file: p.file.clone(),
            line: (p.line > 0).then_some(p.line),
            field: p.field.clone(),
            message: p.message.clone(),
        }
    }

    fn text(&self) -> String {
        let mut s = escape(&self.file);
        if let Some(line) = self.line {
            s.push_str(&format!(":{line}"));
        }
        if let Some(field) = &self.field {
            s.push_str(&format!(": field `{}`", escape(field)));
        }
        s.push_str(": ");
        s.push_str(&escape(&self.message));
        s
    }
}

/// An error sorted for the user: its exit code, a one-line summary, the problems of the data.
pub struct Failure {
    pub code: u8,
    message: String,
    problems: Vec<Item>,
}

/// The first line of a library error's message, without the colon that introduces its list.
fn headline(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default();
    first.trim_end().trim_end_matches(':').to_owned()
}

fn summary(what: &str, n: usize) -> String {
    format!(
        "{what} refused ({n} problem{}); nothing was done",
        if n == 1 { "" } else { "s" }
    )
}

/// The line of a benchmark-format error, when it names one.
fn sscflp_line(e: &footprint_solve::sscflp::FormatError) -> Option<u32> {
    use footprint_solve::sscflp::FormatError as F;
    match e {
        F::NotANumber { line, .. } | F::Trailing { line, .. } => u32::try_from(*line).ok(),
        F::Size { .. } => Some(1),
        _ => None,
    }
}

impl Failure {
    /// Sorts an error by its type: the library errors of refused data are 3, bad arguments 2,
    /// anything else 1.
    pub fn of(e: &anyhow::Error) -> Self {
        if let Some(load) = e.downcast_ref::<LoadError>() {
            let problems: Vec<Item> = load.problems.iter().map(Item::of).collect();
            return Self::data(headline(load), problems);
        }
        if let Some(policy) = e.downcast_ref::<PolicyError>() {
            let problems: Vec<Item> = policy
                .problems
                .iter()
                .map(|p| Item {
                    file: p.file.clone(),
                    line: p.line,
                    field: None,
                    message: p.message.clone(),
                })
                .collect();
            return Self::data(headline(policy), problems);
        }
        if let Some(data) = e.downcast_ref::<DataError>() {
            let problems: Vec<Item> = data.problems.iter().map(Item::of).collect();
            let what = format!("{} was", data.what);
            return Self::data(summary(&what, problems.len()), problems);
        }
        if let Some(format) = e.downcast_ref::<footprint_solve::sscflp::FormatError>() {
            // The file's name is the context the caller added.
            let file = e.to_string();
            let item = Item {
                file,
                line: sscflp_line(format),
                field: None,
                message: format.to_string(),
            };
            return Self::data(summary("the instance was", 1), vec![item]);
        }
        if let Some(m) = e.downcast_ref::<footprint_place::tenant::TenantPolicyMismatch>() {
            return Self::data(m.to_string(), Vec::new());
        }
        if let Some(bad) = e.downcast_ref::<BadArgument>() {
            return Self {
                code: code::BAD_ARGUMENT,
                message: bad.to_string(),
                problems: Vec::new(),
            };
        }
        Self {
            code: code::FAILURE,
            message: format!("{e:#}"),
            problems: Vec::new(),
        }
    }

    fn data(message: String, problems: Vec<Item>) -> Self {
        Self {
            code: code::BAD_DATA,
            message,
            problems,
        }
    }

    /// A bad command line, as clap found it.
    pub fn usage(message: String) -> Self {
        let message = message
            .strip_prefix("error: ")
            .unwrap_or(&message)
            .to_owned();
        Self {
            code: code::BAD_ARGUMENT,
            message,
            problems: Vec::new(),
        }
    }

    /// Writes the error to standard error: text, or one line of JSON.
    pub fn report(&self, as_json: bool) {
        let text = if as_json {
            json!({ "error": {
                "code": self.code,
                "message": self.message,
                "problems": self.problems,
            }})
            .to_string()
        } else {
            let mut s = format!("error: {}", escape_lines(self.message.trim_end()));
            if !self.problems.is_empty() {
                s.push(':');
            }
            for p in &self.problems {
                s.push_str("\n  ");
                s.push_str(&p.text());
            }
            s
        };
        let _ = writeln!(io::stderr(), "{text}");
    }
}

/// Did the error come from writing to a reader that went away (`| head`)?
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape("a\u{1b}[2Jb\nc\td\u{7f}é"),
            "a\\u{1b}[2Jb\\nc\\td\\u{7f}é"
        );
        assert_eq!(escape_lines("one\u{7}\ntwo"), "one\\u{7}\ntwo");
    }
}
