//! Pages drawn as the allocator draws Flink's page pool: one small cell per memory segment,
//! used cells in the live colour and free ones in the free colour. The live cluster view
//! shows managed memory and network buffers this way, so simulation and reality look alike.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

/// Cell size in CSS pixels; more cells than fit are drawn smaller.
const CELL: f64 = 5.0;

/// `used` of `total` pages on a small canvas.
#[component]
pub fn PageGrid(
    #[prop(into)] used: Signal<u64>,
    #[prop(into)] total: Signal<u64>,
    label: String,
    testid: &'static str,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let (used, total) = (used.get(), total.get());
        let Some(el) = canvas.get() else { return };
        let width = f64::from(el.client_width()).max(100.0);
        let style = window().get_computed_style(&el).ok().flatten();
        let color = |name: &str, fallback: &str| {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| fallback.to_owned())
        };
        // Fit every page: shrink cells until the grid is at most 64 px tall.
        let mut cell = CELL;
        let rows = |c: f64| (total as f64 / (width / c).floor().max(1.0)).ceil();
        while cell > 1.0 && rows(cell) * cell > 64.0 {
            cell -= 0.5;
        }
        let per_row = (width / cell).floor().max(1.0) as u64;
        let height = (rows(cell) * cell).max(cell);
        let dpr = window().device_pixel_ratio().max(1.0);
        el.set_width((width * dpr) as u32);
        el.set_height((height * dpr) as u32);
        let _ = web_sys::HtmlElement::style(&el).set_property("height", &format!("{height}px"));
        let Ok(Some(ctx)) = el.get_context("2d") else { return };
        let Ok(ctx) = ctx.dyn_into::<CanvasRenderingContext2d>() else { return };
        let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
        ctx.clear_rect(0.0, 0.0, width, height);
        let gap = if cell >= 3.0 { 1.0 } else { 0.0 };
        for (fill, range) in
            [(color("--free", "#d1d9e6"), used..total), (color("--live", "#3b82f6"), 0..used.min(total))]
        {
            ctx.set_fill_style_str(&fill);
            ctx.begin_path();
            for i in range {
                let (x, y) = ((i % per_row) as f64 * cell, (i / per_row) as f64 * cell);
                ctx.rect(x, y, cell - gap, cell - gap);
            }
            ctx.fill();
        }
        let _ = el.set_attribute("data-used", &used.to_string());
        let _ = el.set_attribute("data-total", &total.to_string());
    });
    view! {
        <div class="page-grid">
            <span class="muted small">{label}</span>
            <canvas node_ref=canvas data-testid=testid role="img" aria-label=move || format!("{} of {} pages used", used.get(), total.get())></canvas>
        </div>
    }
}
