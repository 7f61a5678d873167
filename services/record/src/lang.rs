//! The two languages of every user-facing text, and a message made at run time in both ([`Said`]).

/// The language of a user-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    /// The ISO 639-1 code: `en` or `fr`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = Said;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "fr" => Ok(Lang::Fr),
            other => Err(Said::new(
                format!("unknown language {other:?}: use en or fr"),
                format!("langue inconnue {other:?} : utilisez en ou fr"),
            )),
        }
    }
}

/// A text made at run time (a message naming a submission, a size, a date) in both languages: the
/// owned counterpart of [`crate::Bilingual`]. Both texts are required, so a message without its
/// French cannot be built. It shows in English where one language must be chosen without a reader
/// (logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub en: String,
    pub fr: String,
}

impl Said {
    pub fn new(en: impl Into<String>, fr: impl Into<String>) -> Said {
        Said {
            en: en.into(),
            fr: fr.into(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
        }
    }
}

impl std::fmt::Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

impl std::error::Error for Said {}
