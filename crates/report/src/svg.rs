//! Small SVG writing helpers: XML escaping, compact numbers and path data.

use std::fmt::Write as _;

/// Escapes text for XML character data and attribute values (`&`, `<`, `>`, `"`, `'`), and
/// drops control characters that XML 1.0 does not allow.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A coordinate rounded to tenths of a pixel, kept as an integer so that relative path
/// steps add up exactly.
pub(crate) fn tenths(value: f64) -> i64 {
    // Pixel coordinates of a map are small; the cast cannot overflow for finite input.
    (value * 10.0).round() as i64
}

/// Writes tenths as a short decimal: 123 -> "12.3", -5 -> "-0.5", 70 -> "7".
pub(crate) fn write_tenths(out: &mut String, value: i64) {
    let sign = if value < 0 { "-" } else { "" };
    let magnitude = value.unsigned_abs();
    let (whole, tenth) = (magnitude / 10, magnitude % 10);
    // Writing to a String cannot fail.
    let _ = if tenth == 0 {
        write!(out, "{sign}{whole}")
    } else {
        write!(out, "{sign}{whole}.{tenth}")
    };
}

/// A pixel value rounded to one decimal, as text.
pub(crate) fn num(value: f64) -> String {
    let mut out = String::new();
    write_tenths(&mut out, tenths(value));
    out
}

/// Writes `x,y`-free path steps: the x and y separated by a space unless y is negative.
fn write_pair(out: &mut String, x: i64, y: i64) {
    write_tenths(out, x);
    if y >= 0 {
        out.push(' ');
    }
    write_tenths(out, y);
}

/// Appends one closed ring (pixel coordinates) to `path` as `M x y l dx dy ... z`, unless it
/// covers less than `min_area_px2`. Steps shorter than `min_step_px` are merged into the
/// next one, which keeps the 1:50m coastlines from emitting several vertices per pixel.
/// Returns whether the ring was written.
pub(crate) fn push_ring(
    path: &mut String,
    ring: impl IntoIterator<Item = [f64; 2]>,
    min_step_px: f64,
    min_area_px2: f64,
) -> bool {
    let min_step = tenths(min_step_px).max(1);
    let mut kept: Vec<(i64, i64)> = Vec::new();
    let mut pending: Option<(i64, i64)> = None;
    for [x, y] in ring {
        let point = (tenths(x), tenths(y));
        match kept.last() {
            None => kept.push(point),
            Some(&(lx, ly)) => {
                if (point.0 - lx).abs().max((point.1 - ly).abs()) >= min_step {
                    kept.push(point);
                    pending = None;
                } else {
                    pending = Some(point);
                }
            }
        }
    }
    if let Some(point) = pending
        && kept.last() != Some(&point)
    {
        kept.push(point);
    }
    // The closing position repeats the first; `z` draws that edge.
    while kept.len() > 1 && kept.first() == kept.last() {
        kept.pop();
    }
    if kept.len() < 3 {
        return false;
    }
    let twice_area: i64 = kept
        .iter()
        .zip(kept.iter().cycle().skip(1))
        .map(|(a, b)| a.0 * b.1 - b.0 * a.1)
        .sum();
    // Areas are in tenths squared: 100 per square pixel.
    if (twice_area.abs() as f64) / 200.0 < min_area_px2 {
        return false;
    }
    path.push('M');
    let (mut px, mut py) = kept[0];
    write_pair(path, px, py);
    path.push('l');
    for (i, &(x, y)) in kept.iter().enumerate().skip(1) {
        let (dx, dy) = (x - px, y - py);
        if i > 1 && dx >= 0 {
            path.push(' ');
        }
        write_pair(path, dx, dy);
        (px, py) = (x, y);
    }
    path.push('z');
    true
}

/// Appends an open polyline (pixel coordinates) as `M x y L x y ...`.
pub(crate) fn push_polyline(path: &mut String, points: impl IntoIterator<Item = [f64; 2]>) {
    for (i, [x, y]) in points.into_iter().enumerate() {
        path.push(if i == 0 { 'M' } else { 'L' });
        write_pair(path, tenths(x), tenths(y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml_specials() {
        assert_eq!(
            escape(r#"AT&T <"eu"> 'x'"#),
            "AT&amp;T &lt;&quot;eu&quot;&gt; &#39;x&#39;"
        );
        assert_eq!(escape("a\u{0}b\u{1b}c"), "abc");
        assert_eq!(escape("São Tomé"), "São Tomé");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(-0.06), "-0.1");
        assert_eq!(num(7.0), "7");
        assert_eq!(num(1599.96), "1600");
    }

    #[test]
    fn ring_uses_relative_steps_that_add_up() {
        let mut path = String::new();
        let square = [
            [10.0, 10.0],
            [20.0, 10.0],
            [20.0, 20.5],
            [10.0, 20.5],
            [10.0, 10.0],
        ];
        assert!(push_ring(&mut path, square, 0.0, 1.0));
        assert_eq!(path, "M10 10l10 0 0 10.5-10 0z");
    }

    #[test]
    fn tiny_rings_are_dropped() {
        let mut path = String::new();
        let speck = [[10.0, 10.0], [10.5, 10.0], [10.5, 10.5], [10.0, 10.0]];
        assert!(!push_ring(&mut path, speck, 0.0, 1.0));
        assert!(path.is_empty());
    }
}
