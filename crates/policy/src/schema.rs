//! The vocabulary of a residency request: data classes, actions and transfer mechanisms, and the
//! Cedar schema that every policy is validated against (`catalog/laws/schema.cedarschema`).

use std::fmt;

macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident, $what:literal { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order of the table index.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The id used in Cedar, in the CLI and in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The position in [`Self::ALL`].
            pub fn index(self) -> usize {
                self as usize
            }

            /// Parses an id; the error lists the valid ones.
            pub fn parse(text: &str) -> Result<Self, UnknownWord> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownWord {
                        what: $what,
                        given: text.to_string(),
                        expected: Self::ALL.iter().map(|v| v.as_str()).collect(),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A word that is not in the schema's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    pub what: &'static str,
    pub given: String,
    pub expected: Vec<&'static str>,
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} {:?}; expected one of: {}",
            self.what,
            self.given,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownWord {}

vocabulary! {
    /// What the data is. See [`DataClass::kinds`] for the classes each one is a kind of.
    DataClass, "data class" {
        Personal = "personal",
        SensitivePersonal = "sensitive_personal",
        Health = "health",
        Financial = "financial",
        Payment = "payment",
        Government = "government",
        ImportantData = "important_data",
        TelecomMetadata = "telecom_metadata",
        NonPersonal = "non_personal",
    }
}

vocabulary! {
    /// What is done with the data in the region.
    Action, "action" {
        Store = "store",
        Replicate = "replicate",
        Backup = "backup",
        Process = "process",
        Log = "log",
    }
}

vocabulary! {
    /// A legal basis for a transfer that the tenant holds.
    Mechanism, "mechanism" {
        Consent = "consent",
        Scc = "scc",
        Bcr = "bcr",
        Dpf = "dpf",
        Certification = "certification",
        SecurityAssessment = "security_assessment",
        RegulatorApproval = "regulator_approval",
        Contract = "contract",
        LocalCopy = "local_copy",
    }
}

impl DataClass {
    /// The class and every broader class it is a kind of; a request's `context.classes`.
    /// A law about personal data thereby covers health data, a law about financial data
    /// covers payment data.
    pub fn kinds(self) -> &'static [DataClass] {
        use DataClass::*;
        match self {
            Personal => &[Personal],
            SensitivePersonal => &[SensitivePersonal, Personal],
            Health => &[Health, SensitivePersonal, Personal],
            Financial => &[Financial, Personal],
            Payment => &[Payment, Financial, Personal],
            Government => &[Government],
            ImportantData => &[ImportantData],
            TelecomMetadata => &[TelecomMetadata, Personal],
            NonPersonal => &[NonPersonal],
        }
    }
}

/// A set of mechanisms, as a bit mask over [`Mechanism::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Mechanisms(pub u16);

impl Mechanisms {
    pub const NONE: Mechanisms = Mechanisms(0);

    pub fn with(self, m: Mechanism) -> Mechanisms {
        Mechanisms(self.0 | 1 << m.index())
    }

    pub fn contains(self, m: Mechanism) -> bool {
        self.0 & (1 << m.index()) != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Mechanism> {
        Mechanism::ALL
            .iter()
            .copied()
            .filter(move |m| self.contains(*m))
    }
}

impl FromIterator<Mechanism> for Mechanisms {
    fn from_iter<I: IntoIterator<Item = Mechanism>>(iter: I) -> Self {
        iter.into_iter().fold(Mechanisms::NONE, Mechanisms::with)
    }
}

impl fmt::Display for Mechanisms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<&str> = self.iter().map(Mechanism::as_str).collect();
        if words.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&words.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_matches_the_schema_text() {
        let schema = crate::embedded::SCHEMA;
        for class in DataClass::ALL {
            assert!(schema.contains(&format!("\"{class}\"")), "{class}");
        }
        for m in Mechanism::ALL {
            assert!(schema.contains(&format!("\"{m}\"")), "{m}");
        }
        for a in Action::ALL {
            assert!(schema.contains(&format!(" {a}")), "{a}");
        }
    }

    #[test]
    fn kinds_start_with_the_class_itself() {
        for c in DataClass::ALL {
            assert_eq!(c.kinds()[0], *c);
        }
        assert!(DataClass::Health.kinds().contains(&DataClass::Personal));
        assert!(
            !DataClass::NonPersonal
                .kinds()
                .contains(&DataClass::Personal)
        );
    }

    #[test]
    fn parse_lists_the_valid_words() {
        let e = DataClass::parse("helth").unwrap_err();
        assert!(e.to_string().contains("unknown data class \"helth\""));
        assert!(e.to_string().contains("sensitive_personal"));
        assert_eq!(Action::parse("log"), Ok(Action::Log));
    }
}
