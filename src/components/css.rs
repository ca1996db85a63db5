//! Reading the stylesheet's custom properties from Rust, so canvases follow the page's
//! light/dark colours.

use leptos::prelude::*;

/// The computed styles of an element, read once for several properties.
#[derive(Debug)]
pub struct Computed(Option<web_sys::CssStyleDeclaration>);

impl Computed {
    pub fn of(el: &web_sys::Element) -> Computed {
        Computed(window().get_computed_style(el).ok().flatten())
    }

    /// The value of a custom property such as `--live`, or `fallback` when it is unset.
    pub fn var(&self, name: &str, fallback: &str) -> String {
        self.0
            .as_ref()
            .and_then(|s| s.get_property_value(name).ok())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| fallback.to_owned())
    }
}
