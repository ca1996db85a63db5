//! memlab's browser entry point: mount the app, nothing else.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(memlab_app::App);
    // The loading state index.html painted before the app arrived.
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
}
