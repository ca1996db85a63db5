//! The shell: header with navigation, the current page, footer. Owns the route signal and
//! keeps it in sync with the address bar (through [`crate::nav`]; see [`crate::route`]).

use leptos::prelude::*;

use crate::i18n::{t, t_string, use_i18n, I18nContextProvider};
use crate::lang::LangSelect;
use crate::nav::{cancel_pending, current_query, flush_pending, Remount, Router};
use crate::pages;
use crate::route::{Route, View};

/// The app: the language context around the shell.
#[component]
pub fn App() -> impl IntoView {
    // `<html lang>` is set by the shell (`zh-Hans`, not leptos_i18n's bare `zh`).
    view! { <I18nContextProvider set_lang_attr_on_html=false><Shell/></I18nContextProvider> }
}

#[component]
fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    // The language chosen before in this browser wins over the browser's preference (an
    // effect: the provider sets its own initial locale in one, which runs first).
    let chosen = crate::lang::initial();
    i18n.set_locale_untracked(crate::lang::to_locale(chosen));
    Effect::new(move |_| i18n.set_locale(crate::lang::to_locale(chosen)));
    // The page is rebuilt when the language really changes, not each time it is set: the
    // effect above sets it again after the first render, and a rebuild then would run the
    // page's work twice and drop what it showed about the link it opened with (a scenario
    // that is not there, a damaged share link). (Read with `get`: only that compares the
    // memo's new value with the old one.)
    let locale = Memo::new(move |_| i18n.get_locale());
    Effect::new(move |_| {
        let tag = crate::lang::to_lang(i18n.get_locale()).html_tag();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", tag);
        }
    });
    let route = RwSignal::new(Route::from_query(&current_query()));
    let router = Router { route };
    provide_context(router);
    provide_context(crate::session::Session::new());
    let remount = Remount(RwSignal::new(0));
    provide_context(remount);
    provide_context(pages::lessons::Lessons::new(&route.get_untracked()));
    let laser = RwSignal::new(false);
    let pointer = RwSignal::new((0, 0));
    pages::lessons::keys(laser);
    let moves = window_event_listener(leptos::ev::mousemove, move |ev| {
        if laser.get_untracked() {
            pointer.set((ev.client_x(), ev.client_y()));
        }
    });
    on_cleanup(move || moves.remove());
    let presenter = Memo::new(move |_| route.with(|r| r.get("presenter") == Some("1")));
    let in_lesson = Memo::new(move |_| route.with(|r| r.get("lesson").is_some()));

    // Back/forward buttons: the address bar is the source of truth.
    let handle = window_event_listener(leptos::ev::popstate, move |_| {
        // A write deferred for the entry just left must not land on this one.
        cancel_pending();
        route.set(Route::from_query(&current_query()));
    });
    on_cleanup(move || handle.remove());
    // A deferred link is written when the reader may be about to use the address bar
    // (clicking into it blurs the page) or leaves the page.
    let blur = window_event_listener(leptos::ev::blur, move |_| flush_pending());
    let hide = window_event_listener(leptos::ev::Custom::<web_sys::Event>::new("pagehide"), move |_| {
        flush_pending()
    });
    on_cleanup(move || {
        blur.remove();
        hide.remove();
    });

    let view = Memo::new(move |_| route.with(|r| r.view));
    // A link to a page that does not exist opens the default one and says so, until the
    // reader goes elsewhere or closes the note.
    let unknown = RwSignal::new(Route::unknown_view(&current_query()));
    Effect::watch(move || view.get(), move |_, _, _| unknown.set(None), false);

    view! {
        <div class="shell" class:presenter=move || presenter.get() data-testid="shell">
            <header class="topbar">
                <a class="brand" href="?" on:click=move |ev| {
                    ev.prevent_default();
                    router.push(Route::default());
                }>
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="brand-name">"memlab"</span>
                    <span class="brand-sub">"Flink Memory Lab"</span>
                </a>
                <nav class="nav" aria-label=move || t_string!(i18n, shell.areas)>
                    {View::ALL
                        .into_iter()
                        .map(|v| {
                            let href = Route::default().navigate(v).to_query();
                            view! {
                                <a
                                    href=href
                                    data-testid=format!("nav-{}", v.slug())
                                    class="nav-link"
                                    class:active=move || view.get() == v
                                    aria-current=move || (view.get() == v).then_some("page")
                                    on:click=move |ev| {
                                        ev.prevent_default();
                                        router.push(route.with_untracked(|r| r.navigate(v)));
                                    }
                                >
                                    {move || match v {
                                    View::Allocator => t_string!(i18n, nav.allocator),
                                    View::Calculator => t_string!(i18n, nav.calculator),
                                    View::Cluster => t_string!(i18n, nav.cluster),
                                    View::Diagnosis => t_string!(i18n, nav.diagnosis),
                                    View::Lessons => t_string!(i18n, nav.lessons),
                                }}
                                </a>
                            }
                        })
                        .collect_view()}
                </nav>
                <LangSelect/>
            </header>
            {move || in_lesson.get().then(|| view! { <pages::lessons::LessonBar/> })}
            {move || (presenter.get() && laser.get()).then(|| view! {
                <div class="laser" data-testid="laser" aria-hidden="true"
                    style=move || format!("left: {}px; top: {}px", pointer.get().0, pointer.get().1)></div>
            })}
            <main class="page" data-testid="page" data-view=move || view.get().slug()>
                {move || unknown.get().map(|v| {
                    let views = View::ALL.map(View::slug).join(", ");
                    let shown = view.get().slug();
                    view! {
                        <p class="banner warn" role="status" data-testid="unknown-view">
                            {crate::tf!(i18n, shell.unknown_view, view = v, shown = shown, views = views)}" "
                            <button class="linkish" on:click=move |_| unknown.set(None)>{t!(i18n, shell.dismiss)}</button>
                        </p>
                    }
                })}
                // A new language opens the page afresh (its state lives in the address bar and
                // the session), so every sentence a page builds is rebuilt in that language.
                {move || { remount.0.track(); let _ = locale.get(); match view.get() {
                    View::Allocator => pages::allocator::AllocatorPage().into_any(),
                    View::Calculator => pages::calculator::CalculatorPage().into_any(),
                    View::Cluster => pages::cluster::ClusterPage().into_any(),
                    View::Diagnosis => pages::diagnosis::DiagnosisPage().into_any(),
                    View::Lessons => pages::lessons::LessonsPage().into_any(),
                }}}
            </main>
            <footer class="footer">
                <span data-testid="version">"memlab " {env!("CARGO_PKG_VERSION")}</span>
                <span class="sep">"·"</span>
                <span>{t!(i18n, shell.footer)}</span>
            </footer>
        </div>
    }
}
