//! Built-in scenarios: plain scenario files in `crates/engine/scenarios/`, embedded at build
//! time so the CLI, the app and the tests read the same text. Each file starts with
//! `# title: …` and `# about: …` header comments (the teaching note), and the same in
//! 简体中文 as `# title.zh: …` and `# about.zh: …` comments at the end. A scenario that is
//! about two policies names the second in `# compare: POLICY`: the app opens it side by side.

use memlab_text::Lang;

/// A built-in scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Stable id, the file name without `.mem` (used in `?scenario=`).
    pub id: &'static str,
    pub text: &'static str,
}

impl Scenario {
    /// The `# key:` comment lines joined (no space between two Chinese lines). English
    /// heads the file; 简体中文 ends it, so it moves no line numbers.
    fn header(&self, key: &str) -> String {
        let prefix = format!("# {key}:");
        let mut out = String::new();
        for part in self.text.lines().filter_map(|l| l.strip_prefix(&prefix)).map(str::trim) {
            let wide = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
            let cjk_join = wide(out.chars().last()) && wide(part.chars().next());
            if !out.is_empty() && !cjk_join {
                out.push(' ');
            }
            out.push_str(part);
        }
        out
    }

    fn localized(&self, key: &str, lang: Lang) -> String {
        match lang {
            Lang::En => self.header(key),
            Lang::Zh => self.header(&format!("{key}.zh")),
        }
    }

    pub fn title(&self) -> String {
        self.header("title")
    }

    /// The teaching note: what to watch for.
    pub fn about(&self) -> String {
        self.header("about")
    }

    /// The policy this scenario is meant to be watched against, side by side
    /// (`# compare: best-fit`), if any.
    pub fn compare(&self) -> Option<crate::model::Policy> {
        crate::model::Policy::parse(&self.header("compare"))
    }

    /// The title in `lang` (`# title.zh:` for 简体中文).
    pub fn title_in(&self, lang: Lang) -> String {
        self.localized("title", lang)
    }

    /// The teaching note in `lang` (`# about.zh:` for 简体中文).
    pub fn about_in(&self, lang: Lang) -> String {
        self.localized("about", lang)
    }
}

macro_rules! scenarios {
    ($($id:literal),* $(,)?) => {
        /// Every built-in scenario, the seed article's example first.
        pub const ALL: &[Scenario] = &[
            $(Scenario { id: $id, text: include_str!(concat!("../scenarios/", $id, ".mem")) },)*
        ];
    };
}

scenarios!(
    "seed-10-20-30",
    "fragmentation-oom",
    "leak",
    "quota-slots",
    "streaming-churn",
    "batch-sort-pages",
    "network-buffers",
    "first-vs-best-fit",
    "buddy",
);

/// The scenario with this id.
pub fn get(id: &str) -> Option<&'static Scenario> {
    ALL.iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Policy;

    #[test]
    fn only_the_policy_comparison_names_a_policy_to_compare_with() {
        for s in ALL {
            let want = (s.id == "first-vs-best-fit").then_some(Policy::BestFit);
            assert_eq!(s.compare(), want, "{}", s.id);
        }
    }
}
