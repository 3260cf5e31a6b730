//! Categorical colours for map groups (providers, plans): distinct, and distinguishable by
//! most colour-blind readers for the first seven.

/// Okabe & Ito (2008), "Color Universal Design", without black (it reads as a border on a
/// map), ordered so that the first few are the most distinct on light land.
const OKABE_ITO: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
];

/// Tableau 10 (2016), after the Okabe-Ito colours run out.
const TABLEAU_10: [&str; 10] = [
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7",
    "#9C755F", "#BAB0AC",
];

/// `n` distinct CSS colours: Okabe-Ito, then Tableau 10, then hues spread by the golden angle
/// (distinct for the first few thousand, though no longer colour-blind safe).
pub fn provider_palette(n: usize) -> Vec<String> {
    let fixed = OKABE_ITO.iter().chain(TABLEAU_10.iter());
    let mut colours: Vec<String> = fixed.take(n).map(|c| (*c).to_owned()).collect();
    let mut k = 0_usize;
    while colours.len() < n {
        // Hue steps of 137.3°, about the golden angle; 1373 is coprime with 3600, so the
        // first 3600 hues (in tenths of a degree) are all different. Lightness alternates so
        // neighbours in the sequence also differ in value.
        let hue_tenths = (k * 1373) % 3600;
        let lightness = [45, 58, 38][k % 3];
        colours.push(format!(
            "hsl({}.{}, 65%, {lightness}%)",
            hue_tenths / 10,
            hue_tenths % 10
        ));
        k += 1;
    }
    colours
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn gives_n_distinct_colours() {
        for n in [0, 1, 3, 7, 17, 18, 60, 300] {
            let palette = provider_palette(n);
            assert_eq!(palette.len(), n);
            let distinct: HashSet<&String> = palette.iter().collect();
            assert_eq!(distinct.len(), n, "n = {n}");
        }
    }

    #[test]
    fn starts_with_okabe_ito() {
        assert_eq!(provider_palette(3), ["#0072B2", "#E69F00", "#009E73"]);
        // A longer palette extends a shorter one, so colours stay stable as groups are added.
        assert_eq!(provider_palette(20)[..5], provider_palette(5)[..]);
    }
}
