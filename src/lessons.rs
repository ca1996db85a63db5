//! Guided lessons: plain text files in `public/lessons/` that a trainer can write without
//! Rust. `public/lessons/lessons.txt` lists them in order (one file name per line). The
//! format of a lesson (Markdown-like):
//!
//! ```text
//! # Reference counting: why release is not free
//! One paragraph that introduces the lesson (shown on the Lessons page).
//!
//! ---
//! view: ?view=allocator&scenario=seed-10-20-30&step=4
//! ## Released, but not free
//! What the audience sees and why. Blank lines separate paragraphs; `code` is kept.
//! ? Why is block a not reusable yet?
//! ```
//!
//! Each step after a `---` line has a `view:` (the app's address for that moment: any page
//! and its state, see `crate::route`), a `## title`, text, and optionally a `? question` for
//! the audience. Moving to a step whose address differs only in `step=` plays the allocator
//! forward to that step and pauses there.

use crate::route::Route;

#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    pub title: String,
    pub intro: String,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub route: Route,
    /// The `view:` text as written.
    pub view: String,
    pub title: String,
    /// Paragraphs.
    pub text: Vec<String>,
    pub question: Option<String>,
}

/// Where a lesson file is wrong, with its line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LessonError {
    pub line: usize,
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> LessonError {
    LessonError { line, message: message.into() }
}

fn paragraphs(lines: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for l in lines {
        if l.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(l.trim());
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

pub fn parse(text: &str) -> Result<Lesson, LessonError> {
    // Blocks separated by `---` lines, each with the line number it starts at.
    let mut blocks: Vec<(usize, Vec<&str>)> = vec![(1, Vec::new())];
    for (i, line) in text.lines().enumerate() {
        if line.trim() == "---" {
            blocks.push((i + 2, Vec::new()));
        } else if let Some(b) = blocks.last_mut() {
            b.1.push(line);
        }
    }
    let (_, head) = &blocks[0];
    let title_at =
        head.iter().position(|l| !l.trim().is_empty()).ok_or_else(|| err(1, "the file is empty"))?;
    let title = head[title_at]
        .strip_prefix("# ")
        .ok_or_else(|| err(title_at + 1, "a lesson starts with its title: `# Title`"))?
        .trim()
        .to_owned();
    let intro = paragraphs(&head[title_at + 1..]).join("\n\n");
    let mut steps = Vec::new();
    for (start, lines) in &blocks[1..] {
        let (mut view, mut step_title, mut question, mut body) = (None, None, None, Vec::new());
        for (k, line) in lines.iter().enumerate() {
            let at = start + k;
            if let Some(v) = line.strip_prefix("view:") {
                let v = v.trim();
                if !v.starts_with('?') {
                    return Err(err(at, format!("`view:` takes the app's address from its `?`, like `?view=allocator&scenario=seed-10-20-30`, not `{v}`")));
                }
                view = Some((at, v.to_owned()));
            } else if let Some(t) = line.strip_prefix("## ") {
                step_title = Some(t.trim().to_owned());
            } else if let Some(q) = line.strip_prefix("? ") {
                question = Some(q.trim().to_owned());
            } else {
                body.push(*line);
            }
        }
        let (_, view) = view.ok_or_else(|| err(*start, "this step has no `view:` line"))?;
        let title = step_title.ok_or_else(|| err(*start, "this step has no `## title`"))?;
        let route = Route::from_query(&view);
        if !view.contains("view=") {
            return Err(err(*start, format!("`{view}` does not say which view (`view=allocator`, `calculator`, `cluster` or `diagnosis`)")));
        }
        steps.push(Step { route, view, title, text: paragraphs(&body), question });
    }
    if steps.is_empty() {
        return Err(err(1, "a lesson needs at least one step (a block after a `---` line)"));
    }
    Ok(Lesson { title, intro, steps })
}

/// The file names listed in `lessons.txt` (blank lines and `#` comments skipped).
pub fn index(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
}

/// The route for step `k` (0-based) of lesson `id`, with the lesson's own parameters.
pub fn step_route(id: &str, lesson: &Lesson, k: usize, presenter: bool) -> Route {
    let s = &lesson.steps[k.min(lesson.steps.len() - 1)];
    let mut r = s.route.clone().with("lesson", Some(id)).with("ls", Some(&(k + 1).to_string()));
    if presenter {
        r = r.with("presenter", Some("1"));
    }
    r
}

/// A link's `ls=` that names no step of its lesson: the step it asked for (as written) and
/// the one it opens instead (1-based), of how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepOutOfRange {
    pub asked: String,
    pub shown: usize,
    pub steps: usize,
}

/// What a link that names a lesson opens (`?lesson=NAME&ls=N`, any other parameters): the
/// step's own address, exactly as moving to it with Next does, whatever else the link says
/// (the step's `view:` wins over parameters that contradict it). `file` is the lesson's file
/// name as the library lists it; `ls=` is 1-based, 1 when absent, and a step that does not
/// exist opens the nearest one with a note.
pub fn open_link(link: &Route, file: &str, lesson: &Lesson) -> (Route, Option<StepOutOfRange>) {
    let steps = lesson.steps.len();
    let (k, note) = match link.get("ls") {
        None => (0, None),
        Some(asked) => {
            let n = asked.trim().parse::<i64>().ok();
            match n {
                Some(n) if n >= 1 && (n as usize) <= steps => (n as usize - 1, None),
                _ => {
                    // Past the end opens the last step; anything else (0, negative, not a
                    // number) the first.
                    let k = if n.is_some_and(|n| n > steps as i64) { steps - 1 } else { 0 };
                    (k, Some(StepOutOfRange { asked: asked.to_owned(), shown: k + 1, steps }))
                }
            }
        }
    };
    (step_route(file, lesson, k, link.get("presenter") == Some("1")), note)
}

/// Whether going from `a` to `b` only moves the allocator's step (then it animates there
/// instead of reloading the page).
pub fn only_step_differs(a: &Route, b: &Route) -> bool {
    let strip = |r: &Route| {
        let mut p: Vec<(String, String)> = r
            .params()
            .filter(|(k, _)| !matches!(*k, "step" | "ls" | "lesson" | "presenter"))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        p.sort();
        (r.view, p)
    };
    strip(a) == strip(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::View;

    #[test]
    fn a_lesson_parses_into_steps() {
        let l = parse("# Title\nIntro line one\nline two.\n\n---\nview: ?view=allocator&scenario=leak&step=2\n## First\nSome text\n\nMore.\n? Why?\n---\nview: ?view=calculator\n## Second\n").unwrap();
        assert_eq!(l.title, "Title");
        assert_eq!(l.intro, "Intro line one line two.");
        assert_eq!(l.steps.len(), 2);
        assert_eq!(l.steps[0].route.view, View::Allocator);
        assert_eq!(l.steps[0].route.get("step"), Some("2"));
        assert_eq!(l.steps[0].text, vec!["Some text", "More."]);
        assert_eq!(l.steps[0].question.as_deref(), Some("Why?"));
        assert_eq!(l.steps[1].question, None);
    }

    #[test]
    fn mistakes_name_their_line() {
        assert_eq!(parse("Title\n").unwrap_err().line, 1);
        assert_eq!(parse("# T\n---\n## no view\n").unwrap_err().line, 3);
        let e = parse("# T\n---\nview: allocator\n## x\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("?view=allocator"));
        assert!(parse("# T\n").unwrap_err().message.contains("at least one step"));
    }

    #[test]
    fn moving_the_step_only_is_told_apart() {
        let a = Route::from_query("?view=allocator&scenario=leak&step=2&lesson=x&ls=1");
        let b = Route::from_query("?view=allocator&scenario=leak&step=5&lesson=x&ls=2");
        let c = Route::from_query("?view=allocator&scenario=seed-10-20-30&step=5");
        assert!(only_step_differs(&a, &b));
        assert!(!only_step_differs(&a, &c));
        assert_eq!(index("a.md\n\n# comment\n b.md \n"), vec!["a.md", "b.md"]);
    }

    #[test]
    fn a_short_link_opens_the_steps_own_address() {
        let l = parse("# T\n---\nview: ?view=calculator&p=jm\n## One\nx\n---\nview: ?view=allocator&scenario=leak&step=4\n## Two\ny\n").unwrap();
        let link = Route::from_query("?lesson=t&ls=2");
        let (r, note) = open_link(&link, "t.md", &l);
        assert_eq!(note, None);
        assert_eq!(r, step_route("t.md", &l, 1, false));
        assert_eq!(r.view, View::Allocator);
        assert_eq!(r.get("step"), Some("4"));
        assert_eq!(r.get("lesson"), Some("t.md"));
        // No `ls=`: the first step. Parameters that contradict the step give way to it.
        let (r, note) = open_link(&Route::from_query("?view=cluster&at=3&lesson=t"), "t.md", &l);
        assert_eq!((r.view, r.get("p"), r.get("at"), note), (View::Calculator, Some("jm"), None, None));
        // The presenter view is kept.
        let (r, _) = open_link(&Route::from_query("?lesson=t&ls=1&presenter=1"), "t.md", &l);
        assert_eq!(r.get("presenter"), Some("1"));
    }

    #[test]
    fn a_step_that_does_not_exist_opens_the_nearest_with_a_note() {
        let l = parse("# T\n---\nview: ?view=calculator\n## One\nx\n---\nview: ?view=lessons\n## Two\ny\n")
            .unwrap();
        let open = |ls: &str| open_link(&Route::from_query(&format!("?lesson=t&ls={ls}")), "t.md", &l);
        let note = |asked: &str, shown| Some(StepOutOfRange { asked: asked.into(), shown, steps: 2 });
        assert_eq!(open("9").1, note("9", 2));
        assert_eq!(open("9").0.get("ls"), Some("2"));
        assert_eq!(open("0").1, note("0", 1));
        assert_eq!(open("-3").1, note("-3", 1));
        assert_eq!(open("two").1, note("two", 1));
        assert_eq!(open("two").0.view, View::Calculator);
        assert_eq!(open("2").1, None);
    }

    /// Every bundled lesson parses, and every step points at something that exists: a
    /// built-in scenario and a step within its timeline, a bundled recording and a poll
    /// within it, Flink options the calculator knows.
    #[test]
    fn every_bundled_lesson_is_valid() {
        let dir = std::path::PathBuf::from(
            std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned()),
        )
        .join("public");
        let list = index(&std::fs::read_to_string(dir.join("lessons/lessons.txt")).unwrap());
        assert!(list.len() >= 8, "{list:?}");
        for file in list {
            let text = std::fs::read_to_string(dir.join("lessons").join(&file))
                .unwrap_or_else(|e| panic!("{file} is listed but cannot be read: {e}"));
            let l = parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(l.steps.len() >= 3, "{file}: a lesson has at least three steps");
            for (i, s) in l.steps.iter().enumerate() {
                let at = format!("{file}, step {} ({})", i + 1, s.title);
                let slug = s.view.split(['?', '&']).find_map(|kv| kv.strip_prefix("view=")).unwrap();
                assert!(View::from_slug(slug).is_some(), "{at}: unknown view {slug}");
                assert!(!s.text.is_empty(), "{at}: no text");
                match s.route.view {
                    View::Allocator => {
                        let id = s.route.get("scenario").unwrap_or_else(|| panic!("{at}: no scenario"));
                        let sc = memlab_engine::scenarios::get(id)
                            .unwrap_or_else(|| panic!("{at}: no scenario {id}"));
                        let t = memlab_engine::Timeline::run(&memlab_engine::script::parse(sc.text).unwrap())
                            .unwrap();
                        let step: usize = s.route.get("step").map_or(0, |x| x.parse().unwrap());
                        assert!(step <= t.len(), "{at}: step {step} of {} steps", t.len());
                    }
                    View::Cluster | View::Diagnosis => {
                        if let Some(rec) = s.route.get("recording") {
                            let text = std::fs::read_to_string(dir.parent().unwrap().join(rec))
                                .unwrap_or_else(|e| panic!("{at}: {rec}: {e}"));
                            let polls = memlab_flink::recording::Recording::parse(&text).unwrap().polls.len();
                            let poll: usize = s.route.get("at").map_or(0, |x| x.parse().unwrap());
                            assert!(poll < polls, "{at}: poll {poll} of {polls}");
                        }
                    }
                    View::Calculator => {
                        let known =
                            memlab_flink::options::tm::ALL.iter().chain(memlab_flink::options::jm::ALL);
                        let keys: Vec<&str> = known.map(|o| o.key).collect();
                        let mut config = memlab_flink::FlinkConfig::new();
                        for (k, v) in s.route.params().filter(|(k, _)| !matches!(*k, "p" | "flink")) {
                            config.set(k, v);
                        }
                        // Unknown keys only where the lesson shows memlab's warning about them.
                        for (k, _) in s.route.params().filter(|(k, _)| k.contains('.')) {
                            assert!(
                                keys.contains(&k) || !memlab_flink::lint::check(&config).is_empty(),
                                "{at}: {k} is not an option memlab knows"
                            );
                        }
                    }
                    View::Lessons => {}
                }
            }
        }
    }

    /// The 简体中文 version of every bundled lesson (`public/lessons/zh/`) walks the same
    /// steps: same count, same `view:` addresses, a title and text for each.
    #[test]
    fn every_lesson_has_a_chinese_version_with_the_same_steps() {
        let dir = std::path::PathBuf::from(
            std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned()),
        )
        .join("public/lessons");
        for file in index(&std::fs::read_to_string(dir.join("lessons.txt")).unwrap()) {
            let en = parse(&std::fs::read_to_string(dir.join(&file)).unwrap()).unwrap();
            let zh_text = std::fs::read_to_string(dir.join("zh").join(&file))
                .unwrap_or_else(|e| panic!("zh/{file} is missing: {e}"));
            let zh = parse(&zh_text).unwrap_or_else(|e| panic!("zh/{file}: {e}"));
            assert_eq!(
                zh.steps.iter().map(|s| s.view.as_str()).collect::<Vec<_>>(),
                en.steps.iter().map(|s| s.view.as_str()).collect::<Vec<_>>(),
                "zh/{file} must walk the same steps"
            );
            assert!(memlab_text::has_han(&zh.title), "zh/{file}: title in Chinese");
            for (a, b) in zh.steps.iter().zip(&en.steps) {
                assert!(
                    !a.text.is_empty() && a.question.is_some() == b.question.is_some(),
                    "zh/{file}: {}",
                    a.title
                );
            }
        }
    }
}
