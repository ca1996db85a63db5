//! The pool drawn on a canvas: blocks as rectangles on wrapped rows, coloured by state,
//! with an owner stripe, labels where there is room, the page grid in pages mode, and
//! the step's animation (see `viz::scene`). Hover shows a block's details.
//!
//! Frame cost is measured around each draw (script time only) and published on the canvas
//! as `data-frame-median` / `data-frame-p95` / `data-frame-count` (milliseconds).

use std::sync::Arc;

use leptos::prelude::*;
use memlab_engine::{buddy_of, Block, BlockState, BuddyOf, Policy};
use memlab_size::human;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::i18n::{t_string, use_i18n};
use crate::tf;
use crate::viz::scene::{block_at, Base, Frame, Geometry, Paint, StepView};

/// Colours read from the stylesheet's custom properties, so light/dark follow the page.
#[derive(Clone, Debug)]
struct Palette {
    live: String,
    unref: String,
    free: String,
    fail: String,
    text: String,
    bg: String,
    scanner: String,
}

fn palette(el: &HtmlCanvasElement) -> Palette {
    let css = crate::components::css::Computed::of(el);
    let var = |name: &str, fallback: &str| css.var(name, fallback);
    Palette {
        live: var("--live", "#3b82f6"),
        unref: var("--unref", "#f59e0b"),
        free: var("--free", "#d1d9e6"),
        fail: var("--fail", "#e5484d"),
        text: var("--text", "#1b2333"),
        bg: var("--panel", "#ffffff"),
        scanner: var("--accent", "#3b6fe0"),
    }
}

fn paint_color(p: &Palette, paint: Paint) -> &str {
    match paint {
        Paint::Live => &p.live,
        Paint::Unreferenced => &p.unref,
        Paint::Free => &p.free,
        Paint::Fail | Paint::Mark => &p.fail,
    }
}

/// A stable hue for an owner's stripe.
fn owner_hue(owner: &str) -> u32 {
    owner.bytes().fold(2166136261u32, |h, b| (h ^ u32::from(b)).wrapping_mul(16777619)) % 360
}

struct Stats {
    times: Vec<f64>,
    next: usize,
    count: u64,
}

/// Pages per row in pages mode: enough rows that each page is at least this wide.
const MIN_PAGE_PX: f64 = 5.0;

fn geometry_for(view: &StepView, width: f64, height: f64, page: Option<u64>) -> Geometry {
    let pool: u64 = view.scene.after.iter().map(|b| b.size).sum();
    let mut g = Geometry::new(width, height, pool, view.scene.after.len().max(view.scene.before.len()));
    if let Some(page) = page {
        let pages = (pool / page.max(1)) as f64;
        let rows = ((pages * MIN_PAGE_PX) / width).ceil().clamp(1.0, 40.0) as usize;
        g.rows = g.rows.max(rows);
    }
    g
}

#[allow(clippy::too_many_arguments)]
fn draw(
    ctx: &CanvasRenderingContext2d,
    g: &Geometry,
    view: &StepView,
    frame: &Frame,
    pal: &Palette,
    page: Option<u64>,
    highlight: Option<&str>,
    free_label: &str,
    lang: memlab_text::Lang,
) {
    ctx.set_global_alpha(1.0);
    ctx.set_fill_style_str(&pal.bg);
    ctx.fill_rect(0.0, 0.0, g.width, g.height);
    let blocks: &[Block] = match frame.base {
        Base::Before => &view.scene.before,
        Base::After => &view.scene.after,
    };
    // Batch rectangles per colour: one path and one fill per state.
    for paint in [Paint::Free, Paint::Live, Paint::Unreferenced] {
        ctx.begin_path();
        for (i, b) in blocks.iter().enumerate() {
            // A block drawn as a moving overlay leaves free space behind it.
            let hidden = frame.hidden.as_ref().is_some_and(|h| h.get(i) == Some(&true));
            let p = if hidden { Paint::Free } else { Paint::of(b.state) };
            if p != paint {
                continue;
            }
            g.for_each_span(b.offset as f64, b.size as f64, |x, y, w, h| {
                ctx.rect(x + 0.5, y, (w - 1.0).max(1.0), h);
            });
        }
        ctx.set_fill_style_str(paint_color(pal, paint));
        ctx.fill();
    }
    // Owner stripes.
    for b in blocks.iter().filter(|b| b.state != BlockState::Free) {
        if let Some(o) = &b.owner {
            ctx.set_fill_style_str(&format!("hsl({}, 70%, 42%)", owner_hue(o)));
            g.for_each_span(b.offset as f64, b.size as f64, |x, y, w, _| {
                ctx.fill_rect(x + 0.5, y, (w - 1.0).max(1.0), 4.0)
            });
        }
    }
    // Page grid: thin gaps between pages.
    if let Some(page) = page {
        let rb = g.pool as f64 / g.rows as f64;
        let px_per_page = page as f64 / rb * g.width;
        if px_per_page >= 3.0 {
            ctx.set_fill_style_str(&pal.bg);
            ctx.set_global_alpha(0.55);
            let per_row = (rb / page as f64).round() as usize;
            for r in 0..g.rows {
                let y = g.top + r as f64 * (g.row_height() + g.gap);
                for k in 1..per_row {
                    ctx.fill_rect(k as f64 * px_per_page - 0.5, y, 1.0, g.row_height());
                }
            }
            ctx.set_global_alpha(1.0);
        }
    }
    // Labels where there is room.
    ctx.set_fill_style_str(&pal.text);
    ctx.set_text_baseline("middle");
    let rh = g.row_height();
    let font_px = (rh * 0.28).clamp(10.0, 15.0);
    ctx.set_font(&format!("600 {font_px}px system-ui, sans-serif"));
    if blocks.len() <= 400 {
        for (i, b) in blocks.iter().enumerate() {
            if frame.hidden.as_ref().is_some_and(|h| h.get(i) == Some(&true)) {
                continue;
            }
            let mut first = true;
            g.for_each_span(b.offset as f64, b.size as f64, |x, y, w, h| {
                if !first || w < 34.0 || h < 14.0 {
                    return;
                }
                first = false;
                let name = b.name.as_deref().unwrap_or(free_label);
                let mut line1 = name.to_string();
                if b.state != BlockState::Free && b.refcount != 1 {
                    line1.push_str(&format!(" ×{}", b.refcount));
                }
                let line2 = human(b.size);
                ctx.set_fill_style_str(if b.state == BlockState::Free { &pal.text } else { "#ffffff" });
                if h >= 2.6 * font_px && w >= 56.0 {
                    let _ =
                        ctx.fill_text_with_max_width(&line1, x + 6.0, y + h / 2.0 - font_px * 0.62, w - 10.0);
                    ctx.set_font(&format!("{}px system-ui, sans-serif", font_px * 0.9));
                    let _ =
                        ctx.fill_text_with_max_width(&line2, x + 6.0, y + h / 2.0 + font_px * 0.62, w - 10.0);
                    ctx.set_font(&format!("600 {font_px}px system-ui, sans-serif"));
                } else {
                    let _ = ctx.fill_text_with_max_width(&line1, x + 4.0, y + h / 2.0, w - 6.0);
                }
            });
        }
    }
    if let Some(name) = highlight {
        ctx.set_stroke_style_str(&pal.scanner);
        ctx.set_line_width(2.5);
        for b in blocks.iter().filter(|b| b.name.as_deref() == Some(name)) {
            g.for_each_span(b.offset as f64, b.size as f64, |x, y, w, h| {
                ctx.stroke_rect(x + 1.5, y + 1.0, w - 3.0, h - 2.0)
            });
        }
    }
    // Animated shapes.
    for o in &frame.overlays {
        ctx.set_global_alpha(o.alpha.clamp(0.0, 1.0));
        ctx.set_fill_style_str(paint_color(pal, o.paint));
        g.for_each_span(o.offset, o.size, |x, y, w, h| {
            ctx.fill_rect(x + 0.5, y, (w - 1.0).max(1.0), h);
            if o.outline {
                ctx.set_stroke_style_str(&pal.text);
                ctx.set_line_width(1.5);
                ctx.stroke_rect(x + 1.0, y + 0.75, (w - 2.0).max(1.0), h - 1.5);
            }
            if let Some(name) = o.name.as_deref().filter(|_| w >= 34.0 && h >= 14.0 && o.alpha > 0.5) {
                ctx.set_fill_style_str("#ffffff");
                let _ = ctx.fill_text_with_max_width(name, x + 6.0, y + h / 2.0, w - 10.0);
                ctx.set_fill_style_str(paint_color(pal, o.paint));
            }
        });
    }
    ctx.set_global_alpha(1.0);
    if let Some(addr) = frame.scanner {
        let (x, y) = {
            let rb = g.pool as f64 / g.rows as f64;
            let row = ((addr / rb).floor() as usize).min(g.rows - 1);
            ((addr - row as f64 * rb) / rb * g.width, g.top + row as f64 * (g.row_height() + g.gap))
        };
        ctx.set_fill_style_str(&pal.scanner);
        ctx.set_global_alpha(0.25);
        ctx.fill_rect(x - 14.0, y - 2.0, 14.0, g.row_height() + 4.0);
        ctx.set_global_alpha(1.0);
        ctx.fill_rect(x - 1.5, y - 4.0, 3.0, g.row_height() + 8.0);
    }
    if let Some(ghost) = &frame.ghost {
        let text = format!("{} ✗ {}", ghost.label, memlab_engine::OpError::reason_label(ghost.reason, lang));
        ctx.set_font("600 13px system-ui, sans-serif");
        // As wide as the request, but never too narrow to read its label.
        let label_w = ctx.measure_text(&text).map_or(0.0, |m| m.width()) + 16.0;
        let w = (ghost.size as f64 / g.pool as f64 * g.width * g.rows as f64)
            .clamp(40.0, g.width * 0.6)
            .max(label_w)
            .min(g.width);
        let h = (g.top - 6.0).max(18.0);
        let y = -h + ghost.drop * (g.top + h * 0.35);
        let x = (g.width - w) / 2.0;
        ctx.set_global_alpha(0.92);
        ctx.set_fill_style_str(&pal.fail);
        ctx.fill_rect(x, y, w, h);
        ctx.set_global_alpha(1.0);
        ctx.set_fill_style_str("#ffffff");
        let _ = ctx.fill_text_with_max_width(&text, x + 8.0, y + h / 2.0, w - 12.0);
    }
}

/// The pool view. `view` is the current step; `progress` the animation's progress in it.
#[component]
pub fn PoolCanvas(
    #[prop(into)] view: Signal<Option<Arc<StepView>>>,
    #[prop(into)] progress: Signal<f64>,
    /// Page size when the pool is paged (draws the page grid).
    #[prop(into)]
    page: Signal<Option<u64>>,
    #[prop(into)] highlight: Signal<Option<String>>,
    testid: &'static str,
    #[prop(default = 240.0)] height: f64,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let i18n = use_i18n();
    let free_label: &'static str = t_string!(i18n, alloc.legend_free);
    // (Not reactive, like `free_label`: pages are rebuilt when the language changes.)
    let lang = crate::lang::current();
    let stats = StoredValue::new_local(Stats { times: vec![0.0; 240], next: 0, count: 0 });
    let pal = StoredValue::new_local(None::<Palette>);
    let geom = StoredValue::new_local(None::<Geometry>);
    // The canvas's CSS width, as a ResizeObserver reports it: reading `clientWidth` on every
    // draw forced the browser to lay out the page it had just changed (a jump's new block
    // table, say) in the middle of the step. A new width redraws.
    let css_width = RwSignal::new(None::<f64>);
    let observer = StoredValue::new_local(
        None::<(web_sys::ResizeObserver, wasm_bindgen::closure::Closure<dyn FnMut(js_sys::Array)>)>,
    );
    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        if observer.with_value(Option::is_some) {
            return;
        }
        let on_resize =
            wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                if let Ok(e) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() {
                    let w = e.content_rect().width();
                    if w > 0.0 && css_width.get_untracked() != Some(w) {
                        css_width.set(Some(w));
                    }
                }
            });
        if let Ok(ro) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            ro.observe(&el);
            observer.set_value(Some((ro, on_resize)));
        }
    });
    on_cleanup(move || {
        if let Some((ro, _)) = observer.try_update_value(Option::take).flatten() {
            ro.disconnect();
        }
    });
    let (tip, set_tip) = signal(None::<(f64, f64, String)>);
    // Where the pointer rests over the canvas, and which picture (step view) the tip
    // describes: when the picture changes under a still pointer, the tip follows it.
    let pointer = StoredValue::new_local(None::<(f64, f64)>);
    let tip_of = StoredValue::new_local(None::<Arc<StepView>>);

    // The tip for the block under (x, y) in the picture `v` shows.
    let describe = move |x: f64, y: f64, v: &StepView| -> Option<String> {
        let addr = geom.get_value()?.address_at(x, y)?;
        let b = block_at(&v.scene.after, addr)?;
        let mut text = tf!(
            i18n,
            blocks.tip,
            name = b.name.as_deref().unwrap_or(free_label),
            size = human(b.size),
            at = human(b.offset),
            state = crate::components::block_table::state_label(i18n, b.state)
        );
        if b.state != BlockState::Free {
            text.push_str(&tf!(i18n, blocks.tip_refcount, n = b.refcount));
        }
        if let Some(o) = &b.owner {
            text.push_str(&tf!(i18n, blocks.tip_owner, owner = o));
        }
        if let Some((born, age)) = b.name.as_deref().and_then(|n| v.engine.age_of(n)) {
            text.push_str(&tf!(i18n, blocks.tip_age, born = born, age = age));
        }
        let cfg = v.engine.config();
        if cfg.policy == Policy::Buddy {
            let blocks = &v.scene.after;
            let i = blocks.partition_point(|x| x.offset < b.offset);
            text.push_str(&match buddy_of(blocks, cfg.size, i) {
                BuddyOf::None => tf!(i18n, blocks.tip_top_block),
                BuddyOf::Whole(j) => tf!(
                    i18n,
                    blocks.tip_buddy,
                    at = human(blocks[j].offset),
                    state = crate::components::block_table::state_label(i18n, blocks[j].state)
                ),
                BuddyOf::Split(at) => tf!(i18n, blocks.tip_buddy_split, at = human(at)),
            });
        }
        Some(text)
    };
    let show_tip = move |x: f64, y: f64, v: &Arc<StepView>| {
        tip_of.set_value(Some(Arc::clone(v)));
        set_tip.set(describe(x, y, v).map(|text| (x, y, text)));
    };

    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        let Some(v) = view.get() else { return };
        let t = progress.get();
        let page = page.get();
        let hl = highlight.get();
        let start = window().performance().map(|p| p.now());
        let dpr = window().device_pixel_ratio().max(1.0);
        // (Until the observer first reports, the width is read once.)
        let css_w = css_width.get().unwrap_or_else(|| f64::from(el.client_width())).max(200.0);
        let (w, h) = ((css_w * dpr).round() as u32, (height * dpr).round() as u32);
        if el.width() != w || el.height() != h {
            el.set_width(w);
            el.set_height(h);
        }
        let ctx: CanvasRenderingContext2d = match el.get_context("2d") {
            Ok(Some(c)) => match c.dyn_into() {
                Ok(c) => c,
                Err(_) => return,
            },
            _ => return,
        };
        let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
        let frames = stats.with_value(|s| s.count);
        if pal.with_value(Option::is_none) || frames % 120 == 0 {
            pal.set_value(Some(palette(&el)));
        }
        let g = geometry_for(&v, css_w, height, page);
        geom.set_value(Some(g));
        // Another picture under a resting pointer: the tip describes the block now under it.
        if !tip_of.with_value(|t| t.as_ref().is_some_and(|t| Arc::ptr_eq(t, &v))) {
            if let Some((x, y)) = pointer.get_value() {
                show_tip(x, y, &v);
            }
        }
        let frame = v.scene.frame(t);
        // Hooks for tests and tools: which step and moment the picture shows.
        let _ = el.set_attribute("data-step", &v.scene.step.to_string());
        let _ = el.set_attribute("data-progress", &format!("{t:.3}"));
        pal.with_value(|p| {
            if let Some(p) = p {
                draw(&ctx, &g, &v, &frame, p, page, hl.as_deref(), free_label, lang);
            }
        });
        if let (Some(start), Some(perf)) = (start, window().performance()) {
            let dt = perf.now() - start;
            stats.update_value(|s| {
                let i = s.next;
                s.times[i] = dt;
                s.next = (i + 1) % s.times.len();
                s.count += 1;
                if s.count % 30 == 0 {
                    let n = (s.count as usize).min(s.times.len());
                    let mut v: Vec<f64> = s.times[..n].to_vec();
                    v.sort_by(f64::total_cmp);
                    let med = v[n / 2];
                    let p95 = v[((n as f64 * 0.95) as usize).min(n - 1)];
                    let _ = el.set_attribute("data-frame-median", &format!("{med:.3}"));
                    let _ = el.set_attribute("data-frame-p95", &format!("{p95:.3}"));
                    let _ = el.set_attribute("data-frame-count", &s.count.to_string());
                }
            });
        }
    });

    let on_move = move |ev: web_sys::MouseEvent| {
        let Some(v) = view.get_untracked() else { return };
        let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        pointer.set_value(Some((x, y)));
        show_tip(x, y, &v);
    };
    let on_leave = move |_| {
        pointer.set_value(None);
        set_tip.set(None);
    };

    view! {
        <div class="pool-wrap">
            <canvas
                node_ref=canvas
                class="pool-canvas"
                style=format!("height:{height}px")
                data-testid=testid
                role="img"
                aria-label=t_string!(i18n, blocks.canvas_label)
                on:mousemove=on_move
                on:click=on_move
                on:mouseleave=on_leave
            ></canvas>
            {move || {
                tip.get()
                    .map(|(x, y, text)| {
                        view! {
                            <div class="pool-tip" data-testid="block-tip" style=format!("left:{}px;top:{}px", x + 12.0, y + 12.0)>
                                {text}
                            </div>
                        }
                    })
            }}
        </div>
    }
}
