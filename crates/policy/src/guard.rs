//! A limit on how deep a policy's expressions may go, checked on the raw text before Cedar or
//! anything else that recurses sees it. Cedar's parser, its conversion to an AST, its validator
//! and evaluator, the JSON form and footprint's own evaluator all recurse on the expression tree;
//! 600 nested parentheses or a 7,000-term `||` chain would overflow the stack and abort the
//! process. The scan is a flat loop over the bytes.

/// The most levels an expression tree may reach: brackets of any kind plus the operators chained
/// at each level (`a || b || c` is two levels below its parenthesis), summed along the deepest
/// path, plus the `when`/`unless` clauses of a policy.
pub const MAX_DEPTH: usize = 64;

/// The most brackets (parentheses, `[]`, `{}`) open at once, a `when { }` included. Cedar's
/// parser descends a dozen grammar levels per parenthesis: in a debug build on a 2 MB thread it
/// overflows at about 38.
pub const MAX_NESTING: usize = 24;

/// Where and why a text is too deep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TooDeep {
    pub line: u32,
    pub message: String,
}

/// One bracket level: the operators chained in it so far.
struct Level {
    chain: usize,
}

/// Scans the text like Cedar's lexer (strings with escapes, `//` comments) and refuses it at the
/// first point where the tree would be deeper than [`MAX_DEPTH`].
pub(crate) fn check(text: &str) -> Result<(), TooDeep> {
    let b = text.as_bytes();
    let mut levels = vec![Level { chain: 0 }];
    // The sum of `chain` over `levels` plus the bracket depth, kept up to date.
    let mut depth = 0usize;
    let mut line = 1u32;
    let mut i = 0;
    let too_deep = |line: u32, levels: &[Level]| {
        let chain = levels.last().map_or(0, |l| l.chain);
        let message = if chain * 2 > MAX_DEPTH {
            format!(
                "a chain of {chain} operators at one level goes deeper than footprint accepts ({MAX_DEPTH} levels in all); for a list of allowed values write a set literal and `.contains`, e.g. `[Region::\"aws:eu-west-1\", Region::\"gcp:europe-west1\"].contains(resource)` or `[Country::\"FR\", Country::\"DE\"].contains(resource.country)`, or split the condition into several `when` clauses or policies"
            )
        } else {
            format!(
                "the expression nests deeper than footprint accepts ({MAX_DEPTH} levels of brackets and chained operators); remove redundant parentheses or split the condition into several `when` clauses or policies"
            )
        };
        TooDeep { line, message }
    };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let mut chained = false;
        match c {
            b'\n' => line = line.saturating_add(1),
            b'/' if next == Some(b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    } else if b[i] == b'\n' {
                        line = line.saturating_add(1);
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                levels.push(Level { chain: 0 });
                depth += 1;
                if levels.len() - 1 > MAX_NESTING {
                    return Err(TooDeep {
                        line,
                        message: format!(
                            "more than {MAX_NESTING} brackets are open at once, deeper than footprint accepts; remove redundant parentheses or split the condition into several `when` clauses or policies"
                        ),
                    });
                }
            }
            b')' | b']' | b'}' if levels.len() > 1 => {
                let l = levels.pop().map_or(0, |l| l.chain);
                depth = depth.saturating_sub(l + 1);
            }
            b',' => {
                // Elements of a set, record or argument list are siblings: the chain restarts.
                if let Some(l) = levels.last_mut() {
                    depth = depth.saturating_sub(l.chain);
                    l.chain = 0;
                }
            }
            b';' => {
                // The end of a policy.
                levels.truncate(1);
                levels[0].chain = 0;
                depth = 0;
            }
            b'&' | b'|' | b'=' | b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'.' => {
                chained = true;
                // Two-character operators count once.
                if matches!(
                    (c, next),
                    (b'&', Some(b'&'))
                        | (b'|', Some(b'|'))
                        | (b'=', Some(b'='))
                        | (b'!', Some(b'='))
                        | (b'<', Some(b'='))
                        | (b'>', Some(b'='))
                ) {
                    i += 1;
                }
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let word = &b[start..i];
                chained = matches!(
                    word,
                    b"in"
                        | b"has"
                        | b"like"
                        | b"is"
                        | b"if"
                        | b"then"
                        | b"else"
                        | b"when"
                        | b"unless"
                );
                if chained {
                    if let Some(l) = levels.last_mut() {
                        l.chain += 1;
                    }
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(too_deep(line, &levels));
                    }
                }
                continue;
            }
            _ => {}
        }
        if chained && let Some(l) = levels.last_mut() {
            l.chain += 1;
            depth += 1;
        }
        if depth > MAX_DEPTH {
            return Err(too_deep(line, &levels));
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_policies_pass() {
        for (_, text) in crate::embedded::LAWS {
            check(text).unwrap();
        }
        check("permit (principal, action, resource) when { [1, 2, 3].contains(1) && a.b.c };")
            .unwrap();
    }

    #[test]
    fn deep_parentheses_are_refused_at_their_line() {
        let text = format!(
            "// a\npermit (principal, action, resource)\nwhen {{ {}true{} }};",
            "(".repeat(600),
            ")".repeat(600)
        );
        let e = check(&text).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("brackets are open"), "{}", e.message);
    }

    #[test]
    fn long_chains_are_refused_with_a_set_literal_as_the_way_out() {
        let terms: Vec<String> = (0..7000)
            .map(|i| format!("resource == Region::\"aws:r{i}\""))
            .collect();
        let text = format!(
            "permit (principal, action, resource)\nwhen {{ {} }};",
            terms.join(" ||\n")
        );
        let e = check(&text).unwrap_err();
        assert!(e.message.contains(".contains"), "{}", e.message);
        assert!(e.line >= 2 && e.line < 100, "{}", e.line);
    }

    #[test]
    fn brackets_and_operators_inside_strings_and_comments_do_not_count() {
        let text = format!(
            "// {}\npermit (principal, action, resource) when {{ resource.code like \"{}\" }};",
            "(".repeat(500),
            "((((||&&".repeat(100)
        );
        check(&text).unwrap();
    }

    #[test]
    fn many_policies_each_shallow_pass() {
        let one = "forbid (principal == Tenant::\"t\", action, resource) when { resource.partition == \"china\" || resource.status == \"retired\" };\n";
        check(&one.repeat(10_000)).unwrap();
    }
}
