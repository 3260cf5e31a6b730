//! Generic records read from TOML tables or CSV rows, with the line of every field, and the
//! typed getters that turn them into values while collecting every problem on the way.

use std::borrow::Cow;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::Problem;

/// A value as it was written, before it is given a type.
#[derive(Clone, Debug)]
pub(crate) enum Raw<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(Vec<Raw<'a>>),
    /// Anything else (a table, a time of day...): only its type name is kept, for errors.
    Other(&'static str),
}

impl Raw<'_> {
    fn describe(&self) -> String {
        match self {
            Raw::Str(s) => format!("the string {s:?}"),
            Raw::Int(i) => format!("the integer {i}"),
            Raw::Float(f) => format!("the number {f}"),
            Raw::Bool(b) => format!("the boolean {b}"),
            Raw::List(_) => "an array".into(),
            Raw::Other(t) => format!("a {t}"),
        }
    }
}

/// Where a record was read: file and line of the record, and of each of its fields.
#[derive(Clone, Debug)]
pub(crate) struct Loc {
    pub file: Arc<str>,
    pub line: u32,
    /// The field names, shared by every row of a CSV file.
    names: Arc<[String]>,
    /// The line of each field, when they differ from the record's (TOML).
    lines: Option<Arc<[u32]>>,
}

impl Loc {
    /// The line a field was written on (the record's line if it was not written).
    pub fn line_of(&self, field: &str) -> u32 {
        match &self.lines {
            Some(lines) => self
                .names
                .iter()
                .position(|k| k == field)
                .map_or(self.line, |i| lines[i]),
            None => self.line,
        }
    }

    pub fn problem(&self, field: &str, message: impl Into<String>) -> Problem {
        Problem {
            file: self.file.to_string(),
            line: self.line_of(field),
            field: (!field.is_empty()).then(|| field.to_owned()),
            message: message.into(),
        }
    }

    pub fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// One record (a TOML table or a CSV row) whose fields are taken one by one; what is left at
/// the end was not expected and is reported.
pub(crate) struct Record<'a> {
    pub loc: Loc,
    values: Vec<Option<Raw<'a>>>,
    /// CSV cells are text: numbers and booleans are parsed from them.
    textual: bool,
}

impl<'a> Record<'a> {
    /// A TOML table: each field with its own line.
    pub fn table(file: Arc<str>, line: u32, fields: Vec<(String, u32, Raw<'a>)>) -> Self {
        let mut names = Vec::with_capacity(fields.len());
        let mut lines = Vec::with_capacity(fields.len());
        let mut values = Vec::with_capacity(fields.len());
        for (k, l, v) in fields {
            names.push(k);
            lines.push(l);
            values.push(Some(v));
        }
        Self {
            loc: Loc {
                file,
                line,
                names: names.into(),
                lines: Some(lines.into()),
            },
            values,
            textual: false,
        }
    }

    /// A CSV row: `names` is the header, shared; an empty cell is a value left out.
    pub fn row<'c>(
        file: Arc<str>,
        line: u32,
        names: Arc<[String]>,
        cells: impl Iterator<Item = &'c str>,
    ) -> Self
    where
        'c: 'a,
    {
        let values = cells
            .map(|c| (!c.trim().is_empty()).then_some(Raw::Str(Cow::Borrowed(c))))
            .collect();
        Self {
            loc: Loc {
                file,
                line,
                names,
                lines: None,
            },
            values,
            textual: true,
        }
    }

    fn take(&mut self, key: &str) -> Option<Raw<'a>> {
        let i = self.loc.names.iter().position(|k| k == key)?;
        self.values[i].take()
    }

    fn wrong(&self, key: &str, expected: &str, found: &Raw<'_>) -> Problem {
        self.loc.problem(
            key,
            format!("expected {expected}, found {}", found.describe()),
        )
    }

    fn missing(&self, key: &str, expected: &str) -> Problem {
        self.loc
            .problem(key, format!("missing required field `{key}` ({expected})"))
    }

    /// A required field; `get` turns the raw value into the type or says what was expected.
    fn required<T>(
        &mut self,
        key: &str,
        expected: &str,
        out: &mut Vec<Problem>,
        get: impl FnOnce(&mut Raw<'a>, bool) -> Result<T, String>,
    ) -> Option<T> {
        match self.take(key) {
            None => {
                out.push(self.missing(key, expected));
                None
            }
            Some(mut raw) => self.convert(key, expected, &mut raw, out, get),
        }
    }

    fn optional<T>(
        &mut self,
        key: &str,
        expected: &str,
        out: &mut Vec<Problem>,
        get: impl FnOnce(&mut Raw<'a>, bool) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match self.take(key) {
            None => Some(None),
            Some(mut raw) => self.convert(key, expected, &mut raw, out, get).map(Some),
        }
    }

    fn convert<T>(
        &self,
        key: &str,
        expected: &str,
        raw: &mut Raw<'a>,
        out: &mut Vec<Problem>,
        get: impl FnOnce(&mut Raw<'a>, bool) -> Result<T, String>,
    ) -> Option<T> {
        match get(raw, self.textual) {
            Ok(v) => Some(v),
            Err(why) if why.is_empty() => {
                out.push(self.wrong(key, expected, raw));
                None
            }
            Err(why) => {
                out.push(
                    self.loc
                        .problem(key, format!("expected {why}, found {}", raw.describe())),
                );
                None
            }
        }
    }

    pub fn str(&mut self, key: &str, out: &mut Vec<Problem>) -> Option<String> {
        let s = self.required(key, "a string", out, as_string)?;
        self.printable(key, s, out)
    }

    pub fn opt_str(&mut self, key: &str, out: &mut Vec<Problem>) -> Option<Option<String>> {
        match self.optional(key, "a string", out, as_string)? {
            Some(s) => self.printable(key, s, out).map(Some),
            None => Some(None),
        }
    }

    /// Text goes to terminals and reports: no control characters (a `note` may hold line
    /// breaks and tabs).
    fn printable(&self, key: &str, s: String, out: &mut Vec<Problem>) -> Option<String> {
        let allowed = |c: char| key == "note" && (c == '\n' || c == '\t');
        match s.chars().find(|&c| c.is_control() && !allowed(c)) {
            None => Some(s),
            Some(c) => {
                out.push(self.loc.problem(
                    key,
                    format!(
                        "expected text without control characters, found {} in it",
                        c.escape_unicode()
                    ),
                ));
                None
            }
        }
    }

    /// A string that must parse as `T` (codes, dates, enumerations).
    pub fn parsed<T: FromStr<Err = &'static str>>(
        &mut self,
        key: &str,
        out: &mut Vec<Problem>,
    ) -> Option<T> {
        self.required(key, "a string", out, parse_str)
    }

    pub fn opt_parsed<T: FromStr<Err = &'static str>>(
        &mut self,
        key: &str,
        out: &mut Vec<Problem>,
    ) -> Option<Option<T>> {
        self.optional(key, "a string", out, parse_str)
    }

    pub fn f64(&mut self, key: &str, out: &mut Vec<Problem>) -> Option<f64> {
        self.required(key, "a number", out, as_f64)
    }

    pub fn u64(&mut self, key: &str, out: &mut Vec<Problem>) -> Option<u64> {
        self.required(key, "a whole number, 0 or more", out, as_u64)
    }

    pub fn opt_u64(&mut self, key: &str, out: &mut Vec<Problem>) -> Option<Option<u64>> {
        self.optional(key, "a whole number, 0 or more", out, as_u64)
    }

    pub fn opt_bool(&mut self, key: &str, out: &mut Vec<Problem>) -> Option<Option<bool>> {
        self.optional(key, "true or false", out, |raw, textual| match raw {
            Raw::Bool(b) => Ok(*b),
            Raw::Str(s) if textual && s.as_ref() == "true" => Ok(true),
            Raw::Str(s) if textual && s.as_ref() == "false" => Ok(false),
            _ => Err(String::new()),
        })
    }

    pub fn str_list(&mut self, key: &str, out: &mut Vec<Problem>) -> Option<Vec<String>> {
        self.required(key, "an array of strings", out, |raw, textual| match raw {
            Raw::List(items) => items
                .iter()
                .map(|i| match i {
                    Raw::Str(s) if s.chars().any(char::is_control) => {
                        Err("an array of strings without control characters".to_owned())
                    }
                    Raw::Str(s) => Ok(s.to_string()),
                    other => Err(format!(
                        "an array of strings (one item is {})",
                        other.describe()
                    )),
                })
                .collect(),
            // In a CSV cell, a list is written with `;` between items.
            Raw::Str(s) if textual => Ok(s.split(';').map(|x| x.trim().to_owned()).collect()),
            _ => Err(String::new()),
        })
    }

    /// Reports every field that no getter took.
    pub fn finish(self, expected: &[&str], out: &mut Vec<Problem>) {
        for (key, v) in self.loc.names.iter().zip(&self.values) {
            if v.is_some() && !expected.contains(&key.as_str()) {
                out.push(Problem {
                    file: self.loc.file.to_string(),
                    line: self.loc.line_of(key),
                    field: Some(key.clone()),
                    message: format!(
                        "unknown field `{key}`; expected one of: {}",
                        expected.join(", ")
                    ),
                });
            }
        }
    }
}

fn as_string(raw: &mut Raw<'_>, _textual: bool) -> Result<String, String> {
    match raw {
        Raw::Str(s) if !s.trim().is_empty() => Ok(std::mem::take(s).into_owned()),
        Raw::Str(_) => Err("a non-empty string".into()),
        _ => Err(String::new()),
    }
}

fn parse_str<T: FromStr<Err = &'static str>>(
    raw: &mut Raw<'_>,
    _textual: bool,
) -> Result<T, String> {
    match raw {
        Raw::Str(s) => s.trim().parse::<T>().map_err(str::to_owned),
        _ => Err(String::new()),
    }
}

fn as_f64(raw: &mut Raw<'_>, textual: bool) -> Result<f64, String> {
    let v = match raw {
        Raw::Float(f) => *f,
        Raw::Int(i) => *i as f64,
        Raw::Str(s) if textual => s.trim().parse::<f64>().map_err(|_| String::new())?,
        _ => return Err(String::new()),
    };
    if v.is_finite() {
        Ok(v)
    } else {
        Err("a finite number".into())
    }
}

fn as_u64(raw: &mut Raw<'_>, textual: bool) -> Result<u64, String> {
    match raw {
        Raw::Int(i) => u64::try_from(*i).map_err(|_| String::new()),
        Raw::Str(s) if textual => s.trim().parse::<u64>().map_err(|_| String::new()),
        _ => Err(String::new()),
    }
}
