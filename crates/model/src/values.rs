//! Small value types the catalog is made of: country codes, dates, enumerations.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

/// An ISO 3166-1 alpha-2 country code, always two upper-case ASCII letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Parses two ASCII letters; lower case is accepted and upper-cased.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic) {
            Some(Self([b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()]))
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A calendar date as precise as it is known: a year, a month, or a day.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    pub year: u16,
    /// 1..=12
    pub month: Option<u8>,
    /// 1..=31, only with a month
    pub day: Option<u8>,
}

impl PartialDate {
    /// Is the day known (a full `YYYY-MM-DD` date)?
    pub fn is_full(&self) -> bool {
        self.day.is_some()
    }

    /// The full date `days` days after 1970-01-01 (negative: before), within the years a
    /// catalog date may have (1900 to 2100).
    pub fn from_days_since_epoch(days: i64) -> Option<Self> {
        // Civil-from-days over 400-year eras of 146,097 days, counted from 0000-03-01.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let year = u16::try_from(year)
            .ok()
            .filter(|y| (1900..=2100).contains(y))?;
        Some(Self {
            year,
            month: u8::try_from(month).ok(),
            day: u8::try_from(day).ok(),
        })
    }

    /// The day after (a full date), or the date itself when it is not full or is the last
    /// day a catalog date may have.
    pub fn next_day(&self) -> Self {
        let (Some(m), Some(d)) = (self.month, self.day) else {
            return *self;
        };
        let next = if d < days_in_month(self.year, m) {
            (self.year, m, d + 1)
        } else if m < 12 {
            (self.year, m + 1, 1)
        } else {
            (self.year + 1, 1, 1)
        };
        if next.0 > 2100 {
            return *self;
        }
        Self {
            year: next.0,
            month: Some(next.1),
            day: Some(next.2),
        }
    }

    /// Is every day this date may stand for before every day `other` may? (`2024` is not
    /// surely before `2024-05`; `2024-04` is.)
    pub fn surely_before(&self, other: &PartialDate) -> bool {
        if self.year != other.year {
            return self.year < other.year;
        }
        match (self.month, other.month) {
            (Some(a), Some(b)) if a != b => a < b,
            (Some(_), Some(_)) => matches!((self.day, other.day), (Some(a), Some(b)) if a < b),
            _ => false,
        }
    }
}

impl FromStr for PartialDate {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "a date written YYYY, YYYY-MM or YYYY-MM-DD";
        let mut parts = s.split('-');
        let num = |p: Option<&str>, len: usize| -> Result<Option<u16>, &'static str> {
            match p {
                None => Ok(None),
                Some(p) if p.len() == len && p.bytes().all(|c| c.is_ascii_digit()) => {
                    p.parse().map(Some).map_err(|_| EXPECTED)
                }
                Some(_) => Err(EXPECTED),
            }
        };
        let year = num(parts.next(), 4)?.ok_or(EXPECTED)?;
        let month = num(parts.next(), 2)?;
        let day = num(parts.next(), 2)?;
        if parts.next().is_some() || !(1900..=2100).contains(&year) {
            return Err(EXPECTED);
        }
        let month = match month {
            Some(m @ 1..=12) => Some(m as u8),
            Some(_) => return Err("a month from 01 to 12"),
            None => None,
        };
        let day = match (month, day) {
            (Some(m), Some(d)) if d >= 1 && d <= u16::from(days_in_month(year, m)) => Some(d as u8),
            (_, Some(_)) => return Err("a day that exists in that month"),
            (_, None) => None,
        };
        Ok(Self { year, month, day })
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

macro_rules! expected {
    ($first:literal $(, $rest:literal)*) => {
        concat!("one of: ", $first $(, ", ", $rest)*)
    };
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const EXPECTED: &'static str = expected!($($text),+);

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = &'static str;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $($text => Ok($name::$variant),)+ _ => Err(Self::EXPECTED) }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

string_enum! {
    /// Where a region is in its life.
    RegionStatus {
        /// Generally available.
        Ga = "ga",
        /// Open to some customers, not generally available.
        Preview = "preview",
        /// Announced by the provider, not yet open.
        Announced = "announced",
        /// Closed.
        Retired = "retired",
    }
}

string_enum! {
    /// Which of a provider's separate clouds a region belongs to.
    Partition {
        Commercial = "commercial",
        /// Open only to government customers (AWS GovCloud, Azure Government...).
        Government = "government",
        /// Mainland China, run by a local operator (AWS China, Azure China...).
        China = "china",
        /// A sovereign cloud run apart from the provider's global one.
        Sovereign = "sovereign",
    }
}

string_enum! {
    /// How sure the catalog is of a fact.
    Confidence {
        /// The provider's or the authority's own documentation.
        High = "high",
        /// Reputable press, or an official page that is ambiguous.
        Medium = "medium",
        /// Inferred or unconfirmed.
        Low = "low",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_parse_at_each_precision_and_round_trip() {
        for s in ["2025", "2025-02", "2024-02-29", "1999-12-31"] {
            let d: PartialDate = s.parse().expect(s);
            assert_eq!(d.to_string(), s);
        }
        assert!("2025-02".parse::<PartialDate>().is_ok_and(|d| !d.is_full()));
    }

    #[test]
    fn bad_dates_are_refused() {
        for s in [
            "",
            "25",
            "2025-2",
            "2025-13",
            "2023-02-29",
            "2025-04-31",
            "2025-01-01-01",
            "2025/01",
            "abcd",
            "3000",
        ] {
            assert!(s.parse::<PartialDate>().is_err(), "{s:?} should be refused");
        }
    }

    #[test]
    fn days_since_the_epoch_become_dates() {
        let date = |d: i64| PartialDate::from_days_since_epoch(d).map(|d| d.to_string());
        assert_eq!(date(0).as_deref(), Some("1970-01-01"));
        assert_eq!(date(20_788).as_deref(), Some("2026-12-01"));
        assert_eq!(date(19_782).as_deref(), Some("2024-02-29"));
        assert_eq!(date(-25_567).as_deref(), Some("1900-01-01"));
        assert_eq!(date(-25_568), None);
        assert_eq!(date(47_846).as_deref(), Some("2100-12-31"));
        assert_eq!(date(47_847), None);
    }

    #[test]
    fn the_next_day_rolls_over_months_and_years() {
        let next = |s: &str| s.parse::<PartialDate>().map(|d| d.next_day().to_string());
        assert_eq!(next("2024-02-28"), Ok("2024-02-29".into()));
        assert_eq!(next("2023-02-28"), Ok("2023-03-01".into()));
        assert_eq!(next("2026-12-31"), Ok("2027-01-01".into()));
        assert_eq!(next("2026-12"), Ok("2026-12".into()));
    }

    #[test]
    fn surely_before_compares_at_the_shared_precision() {
        let d = |s: &str| s.parse::<PartialDate>().expect(s);
        assert!(d("2023").surely_before(&d("2024-01-01")));
        assert!(d("2024-04").surely_before(&d("2024-05")));
        assert!(d("2024-05-01").surely_before(&d("2024-05-02")));
        assert!(!d("2024").surely_before(&d("2024-05")));
        assert!(!d("2024-05").surely_before(&d("2024-05-31")));
        assert!(!d("2024-05-02").surely_before(&d("2024-05-02")));
        assert!(!d("2025").surely_before(&d("2024-12-31")));
    }

    #[test]
    fn country_codes_are_two_letters_upper_cased() {
        assert_eq!(
            CountryCode::parse("mx").map(|c| c.to_string()),
            Some("MX".into())
        );
        for bad in ["", "M", "MEX", "M1", "é"] {
            assert!(CountryCode::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn enums_parse_their_own_names_only() {
        for s in RegionStatus::ALL {
            assert_eq!(s.as_str().parse::<RegionStatus>(), Ok(*s));
        }
        assert!("GA".parse::<RegionStatus>().is_err());
    }
}
