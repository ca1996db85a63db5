//! Pages drawn as the allocator draws Flink's page pool: one small cell per memory segment,
//! used cells in the live colour and free ones in the free colour. The live cluster view
//! shows managed memory and network buffers this way, so simulation and reality look alike.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Cell size in CSS pixels; more cells than fit are drawn smaller.
const CELL: f64 = 5.0;
/// The grid is at most this tall.
const MAX_HEIGHT: f64 = 64.0;

/// What the canvas shows now, so the next change can repaint only the difference.
#[derive(Clone, Debug)]
struct Drawn {
    used: u64,
    total: u64,
    width: f64,
    cell: f64,
    gap: f64,
    per_row: u64,
    free: String,
    live: String,
}

impl Drawn {
    fn paint(&self, ctx: &CanvasRenderingContext2d, range: std::ops::Range<u64>, fill: &str) {
        ctx.set_fill_style_str(fill);
        ctx.begin_path();
        for i in range {
            let (x, y) = ((i % self.per_row) as f64 * self.cell, (i / self.per_row) as f64 * self.cell);
            ctx.rect(x, y, self.cell - self.gap, self.cell - self.gap);
        }
        ctx.fill();
    }
}

fn context(el: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    el.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// Lays the grid out and paints it all.
fn draw_all(el: &HtmlCanvasElement, used: u64, total: u64, width: f64) -> Option<Drawn> {
    let css = crate::components::css::Computed::of(el);
    let color = |name: &str, fallback: &str| css.var(name, fallback);
    let rows = |c: f64| (total as f64 / (width / c).floor().max(1.0)).ceil();
    let mut cell = CELL;
    while cell > 1.0 && rows(cell) * cell > MAX_HEIGHT {
        cell -= 0.5;
    }
    let height = (rows(cell) * cell).max(cell);
    let dpr = window().device_pixel_ratio().max(1.0);
    el.set_width((width * dpr) as u32);
    el.set_height((height * dpr) as u32);
    let _ = web_sys::HtmlElement::style(el).set_property("height", &format!("{height}px"));
    let ctx = context(el)?;
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, width, height);
    let d = Drawn {
        used,
        total,
        width,
        cell,
        gap: if cell >= 3.0 { 1.0 } else { 0.0 },
        per_row: (width / cell).floor().max(1.0) as u64,
        free: color("--free", "#d1d9e6"),
        live: color("--live", "#3b82f6"),
    };
    d.paint(&ctx, used.min(total)..total, &d.free);
    d.paint(&ctx, 0..used.min(total), &d.live);
    Some(d)
}

/// `used` of `total` pages on a small canvas.
#[component]
pub fn PageGrid(
    #[prop(into)] used: Signal<u64>,
    #[prop(into)] total: Signal<u64>,
    label: String,
    testid: &'static str,
) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    // Redraw only when the numbers change, and then only the cells that changed.
    let used = Memo::new(move |_| used.get());
    let total = Memo::new(move |_| total.get());
    let drawn = StoredValue::new_local(None::<Drawn>);
    Effect::new(move |_| {
        let (used, total) = (used.get(), total.get());
        let Some(el) = canvas.get() else { return };
        let width = f64::from(el.client_width()).max(100.0);
        let _ = el.set_attribute("data-used", &used.to_string());
        let _ = el.set_attribute("data-total", &total.to_string());
        let previous = drawn.get_value().filter(|d| d.total == total && d.width == width);
        let next = match (previous, context(&el)) {
            (Some(d), Some(ctx)) => {
                if used >= d.used {
                    d.paint(&ctx, d.used..used.min(total), &d.live);
                } else {
                    d.paint(&ctx, used..d.used.min(total), &d.free);
                }
                Some(Drawn { used, ..d })
            }
            _ => draw_all(&el, used, total, width),
        };
        drawn.set_value(next);
    });
    view! {
        <div class="page-grid">
            <span class="muted small">{label}</span>
            <canvas
                node_ref=canvas
                data-testid=testid
                role="img"
                aria-label=move || crate::tf!(i18n, pages.used_of, used = used.get(), total = total.get())
            ></canvas>
        </div>
    }
}
