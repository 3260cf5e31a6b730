//! The single-source CFLP benchmark format (Delmaire et al.; shared/data/sscflp):
//!
//! ```text
//! m n
//! s_1 .. s_m        capacities
//! f_1 .. f_m        fixed costs
//! d_1 .. d_n        demands
//! c_11 .. c_1m      n rows of m: cost of serving customer j entirely from facility i
//! ```
//! Numbers are separated by any whitespace; line breaks carry no meaning.

use crate::problem::{Customer, Facility, Problem, ProblemError, Sourcing};

/// Why a file could not be read as an instance: what was expected, and on which line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormatError {
    #[error("line {line}: expected {what}, found {found:?}")]
    NotANumber {
        line: usize,
        what: String,
        found: String,
    },
    #[error("the file ends early: expected {what}")]
    Truncated { what: String },
    #[error(
        "line {line}: {found:?} follows the last cost; the header says {m} facilities and {n} customers"
    )]
    Trailing {
        line: usize,
        found: String,
        m: usize,
        n: usize,
    },
    #[error("line 1: {what} is {value}; expected a whole number from 1 to {max}")]
    Size {
        what: &'static str,
        value: String,
        max: usize,
    },
    #[error("line {line}: the file is not UTF-8 text")]
    NotUtf8 { line: usize },
    #[error("{0}")]
    Problem(#[from] ProblemError),
}

/// The largest instance side accepted, so a corrupt header cannot ask for terabytes.
const MAX_SIDE: usize = 100_000;

struct Tokens<'a> {
    lines: std::iter::Peekable<std::iter::Enumerate<std::str::Lines<'a>>>,
    current: std::str::SplitWhitespace<'a>,
    line: usize,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Self {
        Tokens {
            lines: text.lines().enumerate().peekable(),
            current: "".split_whitespace(),
            line: 0,
        }
    }

    fn next_token(&mut self) -> Option<(usize, &'a str)> {
        loop {
            if let Some(t) = self.current.next() {
                return Some((self.line, t));
            }
            let (k, l) = self.lines.next()?;
            self.line = k + 1;
            self.current = l.split_whitespace();
        }
    }

    fn number(&mut self, what: impl Fn() -> String) -> Result<f64, FormatError> {
        let (line, t) = self.next_token().ok_or_else(|| FormatError::Truncated {
            what: format!("{} (a number >= 0)", what()),
        })?;
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(FormatError::NotANumber {
                line,
                what: format!("{} (a number >= 0)", what()),
                found: t.to_string(),
            }),
        }
    }

    fn size(&mut self, what: &'static str) -> Result<usize, FormatError> {
        let (_, t) = self.next_token().ok_or_else(|| FormatError::Truncated {
            what: format!("the {what} in the header"),
        })?;
        match t.parse::<usize>() {
            Ok(v) if (1..=MAX_SIDE).contains(&v) => Ok(v),
            _ => Err(FormatError::Size {
                what,
                value: t.to_string(),
                max: MAX_SIDE,
            }),
        }
    }
}

/// Parses an instance from a file's bytes: [`parse`], after refusing content that is not UTF-8
/// (with the line of the first bad byte).
pub fn parse_bytes(bytes: &[u8]) -> Result<Problem, FormatError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(e) => {
            let before = &bytes[..e.valid_up_to()];
            let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
            Err(FormatError::NotUtf8 { line })
        }
    }
}

/// Parses an instance (single sourcing, one copy per customer, every facility its own domain).
pub fn parse(text: &str) -> Result<Problem, FormatError> {
    let mut t = Tokens::new(text);
    let m = t.size("number of facilities")?;
    let n = t.size("number of customers")?;
    let mut capacity = Vec::with_capacity(m);
    for i in 0..m {
        capacity.push(t.number(|| format!("the capacity of facility {}", i + 1))?);
    }
    let mut facilities = Vec::with_capacity(m);
    for (i, capacity) in capacity.into_iter().enumerate() {
        let fixed_cost = t.number(|| format!("the fixed cost of facility {}", i + 1))?;
        facilities.push(Facility {
            capacity,
            fixed_cost,
            domain: i as u32,
        });
    }
    let mut customers = Vec::with_capacity(n);
    for j in 0..n {
        customers.push(Customer {
            demand: t.number(|| format!("the demand of customer {}", j + 1))?,
            copies: 1,
        });
    }
    let mut cost = Vec::with_capacity(n * m);
    for j in 0..n {
        for i in 0..m {
            cost.push(t.number(|| {
                format!(
                    "the cost of serving customer {} from facility {}",
                    j + 1,
                    i + 1
                )
            })?);
        }
    }
    if let Some((line, found)) = t.next_token() {
        return Err(FormatError::Trailing {
            line,
            found: found.to_string(),
            m,
            n,
        });
    }
    Ok(Problem::new(facilities, customers, cost, Sourcing::Single)?)
}

/// A seeded random instance in this format, for testing limits and scale by hand (the
/// `sscflp_generate` example writes one): `m` facilities and `n` customers at uniform random
/// points of the unit square, demands 5 to 35, capacities about three times the total demand
/// over `m` in all, fixed costs growing with capacity, and serving cost 10 x demand x distance,
/// all whole numbers. The same `(m, n, seed)` gives the same text on every machine.
pub fn generate(m: usize, n: usize, seed: u64) -> String {
    use std::fmt::Write as _;
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let fac: Vec<(f64, f64)> = (0..m).map(|_| (next(), next())).collect();
    let cust: Vec<(f64, f64)> = (0..n).map(|_| (next(), next())).collect();
    let demand: Vec<f64> = (0..n).map(|_| (5.0 + 30.0 * next()).round()).collect();
    let total: f64 = demand.iter().sum();
    let capacity: Vec<f64> = (0..m)
        .map(|_| {
            (3.0 * total / m as f64 * (0.8 + 0.4 * next()))
                .round()
                .max(35.0)
        })
        .collect();
    let mut out = format!("{m} {n}\n");
    let line = |out: &mut String, v: &mut dyn Iterator<Item = f64>| {
        let row: Vec<String> = v.map(|x| x.to_string()).collect();
        out.push_str(&row.join(" "));
        out.push('\n');
    };
    line(&mut out, &mut capacity.iter().copied());
    let fixed: Vec<f64> = capacity
        .iter()
        .map(|c| (c.sqrt() * (20.0 + 20.0 * next())).round())
        .collect();
    line(&mut out, &mut fixed.into_iter());
    line(&mut out, &mut demand.iter().copied());
    for (j, &(cx, cy)) in cust.iter().enumerate() {
        let row = fac.iter().map(|&(fx, fy)| {
            (10.0 * demand[j] * ((cx - fx).powi(2) + (cy - fy).powi(2)).sqrt()).round()
        });
        let row: Vec<String> = row.map(|x| x.to_string()).collect();
        let _ = writeln!(out, "{}", row.join(" "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_instances_parse_and_repeat() {
        let text = generate(7, 11, 3);
        assert_eq!(text, generate(7, 11, 3));
        assert_ne!(text, generate(7, 11, 4));
        let p = parse(&text).expect("parses");
        assert_eq!((p.facilities().len(), p.customers().len()), (7, 11));
        let capacity: f64 = p.facilities().iter().map(|f| f.capacity).sum();
        assert!(capacity >= 2.0 * p.total_demand());
    }

    #[test]
    fn reads_a_tiny_instance() {
        let p = parse("2 3\n10 10\n5 7\n1 2 3\n1 2\n3 4\n5 6\n").expect("parses");
        assert_eq!(p.facilities().len(), 2);
        assert_eq!(p.customers().len(), 3);
        assert_eq!(p.cost(2, 1), 6.0);
        assert_eq!(p.facilities()[1].fixed_cost, 7.0);
    }

    #[test]
    fn names_the_line_and_field_of_a_bad_number() {
        let e = parse("2 3\n10 10\n5 x\n").expect_err("bad");
        assert_eq!(
            e.to_string(),
            "line 3: expected the fixed cost of facility 2 (a number >= 0), found \"x\""
        );
    }

    #[test]
    fn refuses_content_that_is_not_utf8_naming_the_line() {
        let e = parse_bytes(b"2 1\n10 10\n5 \xff7\n").expect_err("latin-1");
        assert_eq!(e, FormatError::NotUtf8 { line: 3 });
        assert_eq!(e.to_string(), "line 3: the file is not UTF-8 text");
        assert!(parse_bytes(b"1 1\n1\n1\n1\n1\n").is_ok());
    }

    #[test]
    fn refuses_truncated_and_trailing_input() {
        let e = parse("2 1\n10 10\n5 7\n1\n1").expect_err("short");
        assert_eq!(
            e.to_string(),
            "the file ends early: expected the cost of serving customer 1 from facility 2 (a number >= 0)"
        );
        let e = parse("1 1\n1\n1\n1\n1\n9").expect_err("long");
        assert!(e.to_string().starts_with("line 6: \"9\" follows"), "{e}");
        let e = parse("0 1\n").expect_err("empty");
        assert!(e.to_string().contains("number of facilities is 0"), "{e}");
        let e = parse("1 1\n-1\n1\n1\n1").expect_err("negative");
        assert!(
            e.to_string()
                .contains("line 2: expected the capacity of facility 1 (a number >= 0)"),
            "{e}"
        );
    }
}
