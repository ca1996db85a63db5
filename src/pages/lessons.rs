//! The Lessons page, the lesson bar shown above any page while a lesson runs, and the
//! presenter view (large type, no chrome, keyboard only, a laser pointer). Lessons are
//! plain files in `public/lessons/` (see [`crate::lessons`]), loaded once per visit.

use std::sync::Arc;

use leptos::prelude::*;

use crate::components::rich::rich;
use crate::i18n::{t, t_string, use_i18n};
use crate::lang::{use_lang, Lang};
use crate::lessons::{self, Lesson};
use crate::nav::{Remount, Router};
use crate::route::{Route, View};

const DIR: &str = "public/lessons/";

/// The bundled lessons in order: (file name, the lesson or why it cannot be read).
pub type Library = Vec<(String, Result<Lesson, String>)>;

/// Where the lessons of a language are (`public/lessons/zh/` for 简体中文).
fn dir(lang: Lang) -> &'static str {
    match lang {
        Lang::En => DIR,
        Lang::Zh => "public/lessons/zh/",
    }
}

/// Loaded once per language, shared by the Lessons page and the lesson bar.
#[derive(Clone, Copy, Debug)]
pub struct Lessons {
    pub library: RwSignal<Option<Result<Arc<Library>, String>>>,
    /// The language the library was loaded in, and the interface's language (lessons are
    /// told in it).
    loaded: RwSignal<Option<Lang>>,
    pub lang: Signal<Lang>,
    /// The address the app was opened with, while it names a lesson whose step has not been
    /// opened yet (a short link such as `?lesson=NAME&ls=N` opens the step's own address once
    /// the lesson is loaded).
    link: StoredValue<Option<Route>>,
    /// The opening link's step did not exist: which one it asked for, and what opened instead.
    note: RwSignal<Option<lessons::StepOutOfRange>>,
}

impl Lessons {
    /// Lessons in the interface's language; switching it reloads them once they were loaded.
    /// `opened_with` is the address the app opened with.
    pub fn new(opened_with: &Route) -> Lessons {
        let link = opened_with.get("lesson").is_some().then(|| opened_with.clone());
        let lessons = Lessons {
            library: RwSignal::new(None),
            loaded: RwSignal::new(None),
            lang: use_lang(),
            link: StoredValue::new(link),
            note: RwSignal::new(None),
        };
        Effect::new(move |_| {
            let lang = lessons.lang.get();
            if lessons.loaded.get_untracked().is_some_and(|l| l != lang) {
                lessons.load();
            }
        });
        lessons
    }

    /// Fetches `lessons.txt` and every lesson it lists, in the interface's language (once).
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
                let lesson = match get(format!("{}{file}", dir(lang))).await {
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

    /// Once the lesson the opening link names is loaded, opens its step's own address, as
    /// moving to the step does (the link may name only the lesson and the step). A link the
    /// app wrote itself is that address already and changes nothing.
    fn follow_link(self, router: Router, remount: Remount) {
        let Some(link) = self.link.get_value() else { return };
        let found = match link.get("lesson") {
            Some(id) => self.find(id),
            None => Found::Missing(Vec::new()),
        };
        let (file, lesson) = match found {
            Found::Loading => return,
            Found::Lesson(file, lesson) => (file, lesson),
            // The lesson bar says what is wrong; the page under it stays as the link asked.
            Found::Missing(_) | Found::Broken(_) => {
                self.link.set_value(None);
                return;
            }
        };
        self.link.set_value(None);
        let (target, note) = lessons::open_link(&link, &file, &lesson);
        self.note.set(note);
        if !link.same_state(&target) {
            let same_page = router.route.with_untracked(|r| r.view) == target.view;
            router.replace(target);
            if same_page {
                remount.0.update(|n| *n += 1);
            }
        }
    }

    fn get(self, id: &str) -> Option<Lesson> {
        match self.find(id) {
            Found::Lesson(_, l) => Some(l),
            _ => None,
        }
    }

    /// The lesson a link names: by its file name, or by the name without `.md`.
    fn find(self, id: &str) -> Found {
        self.library.with(|l| match l {
            None => Found::Loading,
            Some(Err(e)) => Found::Broken(e.clone()),
            Some(Ok(lib)) => {
                let hit = lib.iter().find(|(f, _)| f == id || f.strip_suffix(".md") == Some(id));
                match hit {
                    Some((f, Ok(l))) => Found::Lesson(f.clone(), l.clone()),
                    Some((_, Err(e))) => Found::Broken(e.clone()),
                    None => Found::Missing(lib.iter().map(|(f, _)| f.clone()).collect()),
                }
            }
        })
    }
}

/// What a lesson link finds in the library.
#[derive(Clone, Debug, PartialEq)]
enum Found {
    Loading,
    /// The lesson's file name and the lesson.
    Lesson(String, Lesson),
    /// No lesson by that name: the names there are.
    Missing(Vec<String>),
    /// The library or the lesson could not be loaded or read.
    Broken(String),
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
    lib.note.set(None);
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

/// The narrative of the current lesson step, above the page it drives.
#[component]
pub fn LessonBar() -> impl IntoView {
    let nav = Nav::from_context();
    let (router, lib) = (nav.router, nav.lib);
    let i18n = use_i18n();
    lib.load();
    Effect::new(move |_| {
        lib.library.track();
        lib.follow_link(router, nav.remount);
    });
    let id = Memo::new(move |_| router.route.with(|r| r.get("lesson").map(str::to_owned)));
    let k = Memo::new(move |_| {
        router
            .route
            .with(|r| r.get("ls").and_then(|s| s.parse::<usize>().ok()).unwrap_or(1).saturating_sub(1))
    });
    let found = Memo::new(move |_| {
        lib.library.track();
        id.get().map(|i| lib.find(&i))
    });
    move || {
        let asked = id.get()?;
        let (id, l) = match found.get()? {
            Found::Lesson(id, l) => (id, l),
            other => {
                let class = if matches!(other, Found::Loading) { "muted" } else { "banner error" };
                let text = match other {
                    Found::Missing(names) => {
                        crate::tf!(i18n, lessons.not_found, file = asked, names = names.join(", "))
                    }
                    Found::Broken(e) => crate::tf!(i18n, lessons.error, error = e),
                    _ => crate::tf!(i18n, lessons.loading_one, file = asked),
                };
                return Some(view! {
                    <aside class="lesson-bar" data-testid="lesson-bar">
                        <p class=class data-testid="lesson-problem">{text}</p>
                        <button data-testid="lesson-list" on:click=move |_| router.push(Route::default().navigate(View::Lessons))>{t!(i18n, lessons.all)}</button>
                    </aside>
                }.into_any());
            }
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
        let meta = crate::tf!(i18n, lessons.meta, number = number, title = l.title, step = k + 1, steps = n);
        Some(view! {
            <aside class="lesson-bar" data-testid="lesson-bar" aria-live="polite">
                <p class="lesson-meta muted small" data-lang=lib.lang.get().tag()>{meta}</p>
                {move || lib.note.get().map(|n| view! {
                    <p class="banner warn" role="status" data-testid="lesson-step-note">
                        {crate::tf!(i18n, lessons.no_such_step, asked = n.asked, shown = n.shown, steps = n.steps)}
                    </p>
                })}
                <h2 data-testid="lesson-step-title">{step.title.clone()}</h2>
                {step.text.iter().map(|p| view! { <p>{rich(p)}</p> }).collect_view()}
                {step.question.clone().map(|q| view! { <p class="question" data-testid="lesson-question"><b>{t!(i18n, lessons.question)}</b>{rich(&q)}</p> })}
                <div class="lesson-nav">
                    <button data-testid="lesson-prev" disabled=k == 0 on:click=move |_| go(nav, &id1, k.saturating_sub(1))>{t!(i18n, lessons.previous)}</button>
                    {if k + 1 < n {
                        view! { <button class="primary" data-testid="lesson-next" on:click=move |_| go(nav, &id2, k + 1)>{t!(i18n, lessons.next)}</button> }.into_any()
                    } else {
                        view! { <button class="primary" data-testid="lesson-finish" on:click=move |_| router.push(Route::default().navigate(View::Lessons).with("presenter", presenter().then_some("1")))>{t!(i18n, lessons.finish)}</button> }.into_any()
                    }}
                    <button data-testid="presenter-toggle" on:click=move |_| {
                        let r = router.route.get_untracked();
                        let on = r.get("presenter") == Some("1");
                        router.push(r.with("presenter", (!on).then_some("1")));
                    }>{move || if presenter() { t_string!(i18n, lessons.leave_presenter) } else { t_string!(i18n, lessons.presenter) }}</button>
                    <span class="muted small keys-hint">{t!(i18n, lessons.keys)}</span>
                </div>
            </aside>
        }.into_any())
    }
}

#[component]
pub fn LessonsPage() -> impl IntoView {
    let nav = Nav::from_context();
    let lib = nav.lib;
    let i18n = use_i18n();
    lib.load();
    view! {
        <section class="lessons">
            <header class="page-head">
                <div>
                    <h1>{t!(i18n, lessons.title)}</h1>
                    <p class="muted">{t!(i18n, lessons.intro)}</p>
                </div>
            </header>
            {move || match lib.library.get() {
                None => view! { <p class="muted">{t!(i18n, lessons.loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="banner error" data-testid="lessons-error">{crate::tf!(i18n, lessons.error, error = e)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ol class="lesson-list">
                        {list.iter().enumerate().map(|(i, (file, l))| match l {
                            Ok(l) => {
                                let (f1, f2) = (file.clone(), file.clone());
                                view! {
                                    <li class="card lesson-card" data-testid="lesson" data-file=file.clone()>
                                        <h2>{format!("{}. {}", i + 1, l.title)}</h2>
                                        <p class="muted">{rich(&l.intro)}</p>
                                        <p class="small muted">{crate::tf!(i18n, lessons.steps, n = l.steps.len())}</p>
                                        <div class="finding-actions">
                                            <button class="primary" data-testid="start-lesson" on:click=move |_| go(nav, &f1, 0)>{t!(i18n, lessons.start)}</button>
                                            <button data-testid="start-presenting" on:click=move |_| {
                                                nav.router.replace(nav.router.route.get_untracked().with("presenter", Some("1")));
                                                go(nav, &f2, 0);
                                            }>{t!(i18n, lessons.start_presenting)}</button>
                                        </div>
                                    </li>
                                }.into_any()
                            }
                            Err(e) => view! { <li class="card" data-testid="lesson-error"><p class="warn">{e.clone()}</p></li> }.into_any(),
                        }).collect_view()}
                    </ol>
                    <p class="muted small">{t!(i18n, lessons.write_your_own)}</p>
                }.into_any(),
            }}
        </section>
    }
}
