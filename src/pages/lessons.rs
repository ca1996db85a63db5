//! The Lessons page, the lesson bar shown above any page while a lesson runs, and the
//! presenter view (large type, no chrome, keyboard only, a laser pointer). Lessons are
//! plain files in `public/lessons/` (see [`crate::lessons`]), loaded once per visit.

use std::sync::Arc;

use leptos::prelude::*;

use crate::app::{Remount, Router};
use crate::lessons::{self, Lesson};
use crate::route::{Route, View};

const DIR: &str = "public/lessons/";

/// The bundled lessons in order: (file name, the lesson or why it cannot be read).
pub type Library = Vec<(String, Result<Lesson, String>)>;

/// The language lessons are told in: English, or 简体中文 (`public/lessons/zh/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LessonLang {
    En,
    Zh,
}

impl LessonLang {
    fn dir(self) -> &'static str {
        match self {
            LessonLang::En => DIR,
            LessonLang::Zh => "public/lessons/zh/",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            LessonLang::En => "en",
            LessonLang::Zh => "zh",
        }
    }
    fn parse(s: &str) -> Option<LessonLang> {
        match s {
            "en" => Some(LessonLang::En),
            s if s.starts_with("zh") => Some(LessonLang::Zh),
            _ => None,
        }
    }
}

/// The lesson bar's own words in each lesson language.
struct BarWords {
    lesson: &'static str,
    step: fn(usize, usize) -> String,
    question: &'static str,
    previous: &'static str,
    next: &'static str,
    finish: &'static str,
    present: &'static str,
    leave: &'static str,
    keys: &'static str,
}

fn words(lang: LessonLang) -> BarWords {
    match lang {
        LessonLang::En => BarWords {
            lesson: "Lesson",
            step: |k, n| format!("step {k} of {n}"),
            question: "Question: ",
            previous: "◀ Previous",
            next: "Next ▶",
            finish: "Finish ✓",
            present: "Presenter view (F)",
            leave: "Leave presenter view (Esc)",
            keys: "PageDown/N next · PageUp/P previous · 1–9 lesson · L laser",
        },
        LessonLang::Zh => BarWords {
            lesson: "第",
            step: |k, n| format!("第 {k} 步，共 {n} 步"),
            question: "问题：",
            previous: "◀ 上一步",
            next: "下一步 ▶",
            finish: "完成 ✓",
            present: "演示模式 (F)",
            leave: "退出演示模式 (Esc)",
            keys: "PageDown/N 下一步 · PageUp/P 上一步 · 1–9 切换课程 · L 激光笔",
        },
    }
}

const LANG_KEY: &str = "memlab-lesson-lang";

/// Loaded once per language, shared by the Lessons page and the lesson bar.
#[derive(Clone, Copy, Debug)]
pub struct Lessons {
    pub library: RwSignal<Option<Result<Arc<Library>, String>>>,
    /// The language the library was loaded in, and the one chosen (remembered in the
    /// browser; by default the browser's language).
    loaded: RwSignal<Option<LessonLang>>,
    pub lang: RwSignal<LessonLang>,
}

fn initial_lang() -> LessonLang {
    let stored = window().local_storage().ok().flatten().and_then(|s| s.get_item(LANG_KEY).ok().flatten());
    let browser = window().navigator().language();
    stored.or(browser).as_deref().and_then(LessonLang::parse).unwrap_or(LessonLang::En)
}

impl Lessons {
    pub fn new() -> Lessons {
        Lessons {
            library: RwSignal::new(None),
            loaded: RwSignal::new(None),
            lang: RwSignal::new(initial_lang()),
        }
    }

    /// Chooses the lessons' language (remembered) and loads the lessons in it.
    pub fn set_lang(self, lang: LessonLang) {
        if let Some(s) = window().local_storage().ok().flatten() {
            let _ = s.set_item(LANG_KEY, lang.code());
        }
        self.lang.set(lang);
        self.load();
    }

    /// Fetches `lessons.txt` and every lesson it lists, in the chosen language (once).
    pub fn load(self) {
        let lang = self.lang.get_untracked();
        if self.loaded.get_untracked() == Some(lang) {
            return;
        }
        self.loaded.set(Some(lang));
        self.library.set(None);
        leptos::task::spawn_local(async move {
            let get = |path: String| async move {
                let r =
                    gloo_net::http::Request::get(&path).send().await.map_err(|e| format!("{path}: {e}"))?;
                if !r.ok() {
                    return Err(format!("{path}: HTTP {}", r.status()));
                }
                r.text().await.map_err(|e| format!("{path}: {e}"))
            };
            let index = match get(format!("{DIR}lessons.txt")).await {
                Ok(t) => lessons::index(&t),
                Err(e) => {
                    self.library.set(Some(Err(e)));
                    return;
                }
            };
            let mut lib = Vec::new();
            for file in index {
                let lesson = match get(format!("{}{file}", lang.dir())).await {
                    Ok(t) => lessons::parse(&t).map_err(|e| format!("{file}, {e}")),
                    Err(e) => Err(e),
                };
                lib.push((file, lesson));
            }
            if self.lang.get_untracked() == lang {
                self.library.set(Some(Ok(Arc::new(lib))));
            }
        });
    }

    fn get(self, id: &str) -> Option<Lesson> {
        self.library.with(|l| match l {
            Some(Ok(lib)) => lib.iter().find(|(f, _)| f == id).and_then(|(_, l)| l.clone().ok()),
            _ => None,
        })
    }
}

impl Default for Lessons {
    fn default() -> Self {
        Lessons::new()
    }
}

/// What moving through lessons needs, taken from the context once (event handlers run
/// outside the component tree).
#[derive(Clone, Copy, Debug)]
pub struct Nav {
    router: Router,
    remount: Remount,
    lib: Lessons,
}

impl Nav {
    pub fn from_context() -> Nav {
        Nav { router: expect_context(), remount: expect_context(), lib: expect_context() }
    }
}

/// Moves to step `k` (0-based) of lesson `id`: the allocator plays forward to it when only
/// its step changes; any other change opens the step's page afresh.
pub fn go(nav: Nav, id: &str, k: usize) {
    let Nav { router, remount, lib } = nav;
    let Some(lesson) = lib.get(id) else { return };
    let current = router.route.get_untracked();
    let presenter = current.get("presenter") == Some("1");
    let target = lessons::step_route(id, &lesson, k, presenter);
    let same_page = current.view == target.view;
    let animate = lessons::only_step_differs(&current, &target);
    router.push(target);
    if same_page && !animate {
        remount.0.update(|n| *n += 1);
    }
}

/// Lesson-wide keys: PageDown/N next step, PageUp/P previous, 1–9 a lesson, F presenter view,
/// L laser pointer, Escape leaves the presenter view. (Space, ← and → stay the allocator's.)
pub fn keys(laser: RwSignal<bool>) {
    let nav = Nav::from_context();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if crate::components::keys::not_for_us(&ev) {
            return;
        }
        let router = nav.router;
        let route = router.route.get_untracked();
        let lesson = route.get("lesson").map(str::to_owned);
        let k = route.get("ls").and_then(|s| s.parse::<usize>().ok()).unwrap_or(1).saturating_sub(1);
        let presenter = route.get("presenter") == Some("1");
        match ev.key().as_str() {
            "PageDown" | "n" | "N" if lesson.is_some() => go(nav, lesson.as_deref().unwrap_or(""), k + 1),
            "PageUp" | "p" | "P" if lesson.is_some() => {
                go(nav, lesson.as_deref().unwrap_or(""), k.saturating_sub(1))
            }
            "f" | "F" => router.push(route.with("presenter", (!presenter).then_some("1"))),
            "Escape" if presenter => router.push(route.with("presenter", None)),
            "l" | "L" if presenter => laser.update(|l| *l = !*l),
            d if d.len() == 1 && d.as_bytes()[0].is_ascii_digit() && d != "0" => {
                let n = usize::from(d.as_bytes()[0] - b'1');
                let id = nav.lib.library.with_untracked(|lib| match lib {
                    Some(Ok(lib)) => lib.get(n).map(|(f, _)| f.clone()),
                    _ => None,
                });
                match id {
                    Some(id) => go(nav, &id, 0),
                    None => return,
                }
            }
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
}

/// Text with `code` spans (option names, operations) set as code.
fn rich(text: &str) -> impl IntoView {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                view! { <code>{part.to_owned()}</code> }.into_any()
            } else {
                part.to_owned().into_any()
            }
        })
        .collect_view()
}

/// The narrative of the current lesson step, above the page it drives.
#[component]
pub fn LessonBar() -> impl IntoView {
    let nav = Nav::from_context();
    let (router, lib) = (nav.router, nav.lib);
    lib.load();
    let id = Memo::new(move |_| router.route.with(|r| r.get("lesson").map(str::to_owned)));
    let k = Memo::new(move |_| {
        router
            .route
            .with(|r| r.get("ls").and_then(|s| s.parse::<usize>().ok()).unwrap_or(1).saturating_sub(1))
    });
    let lesson = Memo::new(move |_| {
        lib.library.track();
        id.get().and_then(|i| lib.get(&i))
    });
    move || {
        let (Some(id), Some(l)) = (id.get(), lesson.get()) else {
            return id.get().map(|i| view! { <aside class="lesson-bar" data-testid="lesson-bar"><p class="muted">{format!("Loading lesson {i}…")}</p></aside> }.into_any());
        };
        let k = k.get().min(l.steps.len() - 1);
        let n = l.steps.len();
        let step = l.steps[k].clone();
        let number = lib.library.with(|lib| match lib {
            Some(Ok(lib)) => lib.iter().position(|(f, _)| *f == id).map_or(0, |i| i + 1),
            _ => 0,
        });
        let (id1, id2) = (id.clone(), id.clone());
        let presenter = move || router.route.with(|r| r.get("presenter") == Some("1"));
        let w = words(lib.lang.get());
        let meta = match lib.lang.get() {
            LessonLang::En => format!("{} {number}: {} · {}", w.lesson, l.title, (w.step)(k + 1, n)),
            LessonLang::Zh => format!("第 {number} 课：{} · {}", l.title, (w.step)(k + 1, n)),
        };
        Some(view! {
            <aside class="lesson-bar" data-testid="lesson-bar" aria-live="polite">
                <p class="lesson-meta muted small" data-lang=lib.lang.get().code()>{meta}</p>
                <h2 data-testid="lesson-step-title">{step.title.clone()}</h2>
                {step.text.iter().map(|p| view! { <p>{rich(p)}</p> }).collect_view()}
                {step.question.clone().map(|q| view! { <p class="question" data-testid="lesson-question"><b>{w.question}</b>{rich(&q)}</p> })}
                <div class="lesson-nav">
                    <button data-testid="lesson-prev" disabled=k == 0 on:click=move |_| go(nav, &id1, k.saturating_sub(1))>{w.previous}</button>
                    {if k + 1 < n {
                        view! { <button class="primary" data-testid="lesson-next" on:click=move |_| go(nav, &id2, k + 1)>{w.next}</button> }.into_any()
                    } else {
                        view! { <button class="primary" data-testid="lesson-finish" on:click=move |_| router.push(Route::default().navigate(View::Lessons).with("presenter", presenter().then_some("1")))>{w.finish}</button> }.into_any()
                    }}
                    <button data-testid="presenter-toggle" on:click=move |_| {
                        let r = router.route.get_untracked();
                        let on = r.get("presenter") == Some("1");
                        router.push(r.with("presenter", (!on).then_some("1")));
                    }>{move || if presenter() { w.leave } else { w.present }}</button>
                    <span class="muted small keys-hint">{w.keys}</span>
                </div>
            </aside>
        }.into_any())
    }
}

#[component]
pub fn LessonsPage() -> impl IntoView {
    let nav = Nav::from_context();
    let lib = nav.lib;
    lib.load();
    view! {
        <section class="lessons">
            <header class="page-head">
                <div>
                    <h1>"Lessons"</h1>
                    <p class="muted">"Guided walks through memlab's own scenarios, the Flink memory model and a real cluster: each step opens the right page at the right moment, explains it and asks the audience a question. For workshops: the presenter view has large type, no chrome and keyboard control (PageDown/PageUp, 1–9, L for a laser pointer)."</p>
                </div>
            </header>
            <label class="speed">
                "Lesson language "
                <select data-testid="lesson-lang" on:change=move |ev| {
                    if let Some(l) = LessonLang::parse(&event_target_value(&ev)) { lib.set_lang(l); }
                }>
                    <option value="en" selected=move || lib.lang.get() == LessonLang::En>"English"</option>
                    <option value="zh" selected=move || lib.lang.get() == LessonLang::Zh>"简体中文"</option>
                </select>
            </label>
            {move || match lib.library.get() {
                None => view! { <p class="muted">"Loading lessons…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="banner error" data-testid="lessons-error">{format!("The lessons could not be loaded: {e}")}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ol class="lesson-list">
                        {list.iter().enumerate().map(|(i, (file, l))| match l {
                            Ok(l) => {
                                let (f1, f2) = (file.clone(), file.clone());
                                view! {
                                    <li class="card lesson-card" data-testid="lesson" data-file=file.clone()>
                                        <h2>{format!("{}. {}", i + 1, l.title)}</h2>
                                        <p class="muted">{l.intro.clone()}</p>
                                        <p class="small muted">{format!("{} steps", l.steps.len())}</p>
                                        <div class="finding-actions">
                                            <button class="primary" data-testid="start-lesson" on:click=move |_| go(nav, &f1, 0)>"Start"</button>
                                            <button data-testid="start-presenting" on:click=move |_| {
                                                nav.router.replace(nav.router.route.get_untracked().with("presenter", Some("1")));
                                                go(nav, &f2, 0);
                                            }>"Start in presenter view"</button>
                                        </div>
                                    </li>
                                }.into_any()
                            }
                            Err(e) => view! { <li class="card" data-testid="lesson-error"><p class="warn">{e.clone()}</p></li> }.into_any(),
                        }).collect_view()}
                    </ol>
                    <p class="muted small">"Write your own: a text file in public/lessons/ listed in public/lessons/lessons.txt — the format is described in the README."</p>
                }.into_any(),
            }}
        </section>
    }
}
