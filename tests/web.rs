//! Component tests: the real app mounted in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn by_testid(id: &str) -> web_sys::HtmlElement {
    document()
        .query_selector(&format!("[data-testid='{id}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element with data-testid={id}"))
        .dyn_into()
        .unwrap()
}

#[wasm_bindgen_test]
async fn navigation_switches_view_and_address_bar() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(memlab_app::App);
    assert_eq!(by_testid("page").get_attribute("data-view").as_deref(), Some("allocator"));

    by_testid("nav-calculator").click();
    leptos::task::tick().await;
    assert_eq!(by_testid("page").get_attribute("data-view").as_deref(), Some("calculator"));
    let search = web_sys::window().unwrap().location().search().unwrap();
    assert!(search.contains("view=calculator"), "address bar: {search}");
    assert_eq!(by_testid("nav-calculator").get_attribute("aria-current").as_deref(), Some("page"));
    assert_eq!(by_testid("nav-allocator").get_attribute("aria-current"), None);
}

/// Same scenario, same layout as the native build (crates/engine/tests/scenarios.rs).
#[wasm_bindgen_test]
fn engine_is_deterministic_in_wasm() {
    let s = memlab_engine::scenarios::get("streaming-churn").unwrap();
    let t = memlab_engine::Timeline::run(&memlab_engine::script::parse(s.text).unwrap()).unwrap();
    assert_eq!(t.final_state().fingerprint(), 0x7117_0290_2efe_22bf);
}
