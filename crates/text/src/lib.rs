//! memlab's languages for the sentences the pure cores write (event log, findings,
//! recommendations, errors) — the app's own interface strings live in `locales/*.json` and
//! are checked at compile time by `leptos_i18n`.
//!
//! A sentence is written in both languages where it is built, with [`tr!`]: leaving one
//! language out does not compile, so a missing translation cannot reach a user.
#![forbid(unsafe_code)]

use serde::{Deserialize, Serialize};

/// A language memlab speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh")]
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The BCP 47 tag (`en`, `zh`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The tag for `<html lang>`: `zh-Hans` so browsers pick Simplified Chinese glyphs
    /// (a bare `zh` may render Han characters in Japanese or Traditional forms).
    pub fn html_tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-Hans",
        }
    }

    /// The language's own name, as a language menu shows it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "简体中文",
        }
    }

    /// `en`, `en-GB`, `zh`, `zh-CN`, `zh-Hans-CN`… (case-insensitive); `None` for others.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// The first supported language of a browser's preference list, else English.
    pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Lang {
        preferred.into_iter().find_map(Lang::from_tag).unwrap_or_default()
    }

    /// A plain number with the locale's digit grouping (both group by thousands with `,`).
    pub fn int(self, n: u64) -> String {
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    /// A duration in seconds as people say it: `45 s` / `45 秒`, `3.5 min` / `3.5 分钟`,
    /// `2.0 h` / `2.0 小时`.
    pub fn duration(self, secs: f64) -> String {
        let (v, en, zh) = if secs < 90.0 {
            return match self {
                Lang::En => format!("{secs:.0} s"),
                Lang::Zh => format!("{secs:.0} 秒"),
            };
        } else if secs < 90.0 * 60.0 {
            (secs / 60.0, "min", "分钟")
        } else {
            (secs / 3600.0, "h", "小时")
        };
        match self {
            Lang::En => format!("{v:.1} {en}"),
            Lang::Zh => format!("{v:.1} {zh}"),
        }
    }
}

/// Whether `s` has Chinese (CJK unified) characters — how tests tell a translated text from
/// an English copy.
pub fn has_han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// One sentence in every language: `tr!(lang, "free {name}", "释放 {name}")`, with
/// `format!` arguments shared by both (inline `{name}` captures work too).
#[macro_export]
macro_rules! tr {
    ($lang:expr, $en:literal, $zh:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::Lang::En => format!($en $(, $arg)*),
            $crate::Lang::Zh => format!($zh $(, $arg)*),
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_languages_pick_the_first_supported() {
        assert_eq!(Lang::negotiate(["fr-FR", "zh-CN", "en"]), Lang::Zh);
        assert_eq!(Lang::negotiate(["zh-Hans-CN"]), Lang::Zh);
        assert_eq!(Lang::negotiate(["en-GB", "zh"]), Lang::En);
        assert_eq!(Lang::negotiate(["de", "fr"]), Lang::En);
        assert_eq!(Lang::negotiate([]), Lang::En);
    }

    #[test]
    fn numbers_and_durations_follow_the_language() {
        assert_eq!(Lang::Zh.int(1234567), "1,234,567");
        assert_eq!(Lang::En.int(999), "999");
        assert_eq!(Lang::En.duration(45.0), "45 s");
        assert_eq!(Lang::Zh.duration(210.0), "3.5 分钟");
        assert_eq!(Lang::Zh.duration(7200.0), "2.0 小时");
        let n = 3;
        assert_eq!(tr!(Lang::Zh, "{n} blocks", "{n} 个块"), "3 个块");
        assert_eq!(tr!(Lang::En, "{} blocks", "{} 个块", n), "3 blocks");
    }
}
