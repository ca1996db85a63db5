//! Built-in scenarios: plain scenario files in `crates/engine/scenarios/`, embedded at build
//! time so the CLI, the app and the tests read the same text. Each file starts with
//! `# title: …` and `# about: …` header comments (the teaching note).

/// A built-in scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Stable id, the file name without `.mem` (used in `?scenario=`).
    pub id: &'static str,
    pub text: &'static str,
}

impl Scenario {
    fn header(&self, key: &str) -> String {
        let prefix = format!("# {key}:");
        self.text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .filter_map(|l| l.strip_prefix(&prefix))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn title(&self) -> String {
        self.header("title")
    }

    /// The teaching note: what to watch for.
    pub fn about(&self) -> String {
        self.header("about")
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
);

/// The scenario with this id.
pub fn get(id: &str) -> Option<&'static Scenario> {
    ALL.iter().find(|s| s.id == id)
}
