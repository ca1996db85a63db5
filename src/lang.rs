//! The interface language: English or 简体中文, chosen in the header, remembered in the
//! browser, by default the browser's own. `leptos_i18n` holds it (its `Locale`); the pure
//! cores take it as a [`Lang`].

use leptos::prelude::*;
pub use memlab_flink::terms::flink_term;
pub use memlab_text::Lang;

use leptos_i18n::I18nContext;

use crate::i18n::{use_i18n, Locale};

const KEY: &str = "memlab-lang";

pub fn to_lang(l: Locale) -> Lang {
    match l {
        Locale::en => Lang::En,
        Locale::zh => Lang::Zh,
    }
}

pub fn to_locale(l: Lang) -> Locale {
    match l {
        Lang::En => Locale::en,
        Lang::Zh => Locale::zh,
    }
}

/// The language chosen before (this browser), else the browser's preference.
pub fn initial() -> Lang {
    let stored = window().local_storage().ok().flatten().and_then(|s| s.get_item(KEY).ok().flatten());
    if let Some(l) = stored.as_deref().and_then(Lang::from_tag) {
        return l;
    }
    let nav = window().navigator();
    let listed: Vec<String> = nav.languages().iter().filter_map(|v| v.as_string()).collect();
    let first = nav.language();
    Lang::negotiate(listed.iter().map(String::as_str).chain(first.as_deref()))
}

/// The current language, reactively.
pub fn use_lang() -> Signal<Lang> {
    let i18n = use_i18n();
    Signal::derive(move || to_lang(i18n.get_locale()))
}

/// Switches the whole interface and remembers the choice.
pub fn set(i18n: I18nContext<Locale>, l: Lang) {
    if let Some(s) = window().local_storage().ok().flatten() {
        let _ = s.set_item(KEY, l.tag());
    }
    i18n.set_locale(to_locale(l));
}

/// The language menu in the header.
#[component]
pub fn LangSelect() -> impl IntoView {
    let lang = use_lang();
    let i18n = use_i18n();
    view! {
        <label class="lang-select">
            <span class="sr-only">{crate::i18n::t!(i18n, shell.language)}</span>
            <select data-testid="lang" on:change=move |ev| {
                if let Some(l) = Lang::from_tag(&event_target_value(&ev)) { set(i18n, l); }
            }>
                {Lang::ALL.into_iter().map(|l| view! {
                    <option value=l.tag() selected=move || lang.get() == l>{l.name()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// Fills `{name}` placeholders of a translated template (`leptos_i18n`'s own `{{ }}`
/// interpolation builds views; most of our sentences need plain strings).
pub fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let arg = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter().find(|(n, _)| *n == name).map(|(_, v)| (v, close))
        });
        match arg {
            Some((v, close)) => {
                out.push_str(&v.to_string());
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A translated sentence with its placeholders filled:
/// `tf!(i18n, lessons.meta, number = 3, title = l.title)`.
#[macro_export]
macro_rules! tf {
    ($i18n:expr, $($key:ident).+ $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::lang::fill(
            $crate::i18n::t_string!($i18n, $($key).+),
            &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),*],
        )
    };
}

/// The interface language now (not reactive: pages are rebuilt when it changes). Needs the
/// component tree's context, so call it while building a view.
pub fn current() -> Lang {
    to_lang(use_i18n().get_locale_untracked())
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn fill_replaces_named_placeholders_only() {
        assert_eq!(fill("第 {n} 课：{title}", &[("n", &3), ("title", &"池")]), "第 3 课：池");
        assert_eq!(fill("{a}{a} {b}", &[("a", &1)]), "11 {b}");
        assert_eq!(fill("no {", &[]), "no {");
    }
}
