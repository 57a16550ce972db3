//! The browser layer: Leptos pages, canvas renderers, the training scheduler and the
//! automation API. Compiled for wasm32 only; the engine lives in `crate::core`.

pub mod api;
pub mod app;
pub mod backend;
pub mod chart;
pub mod collapse;
pub mod controls;
pub mod digits;
pub mod js;
pub mod present;
pub mod scheduler;
pub mod saddle;
pub mod toy;
pub mod worker;

unsafe extern "C" {
    /// Synthesised by wasm-ld: runs the module's static constructors (cubecl registers many
    /// through `inventory`).
    fn __wasm_call_ctors();
}

/// Entry point of the page (runs once when the module loads).
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    // Calling the constructors explicitly, once, tells wasm-ld this is not a "command" module;
    // otherwise it wraps every export so that each call from JS re-runs all constructors,
    // which measured as about a third of the page's CPU time (docs/backends.md).
    unsafe { __wasm_call_ctors() };
    console_error_panic_hook::set_once();
    if web_sys::window().is_none() {
        return; // a training worker (web::worker): it waits for `worker_main`
    }
    backend::install_loss_watch();
    present::init();
    api::install();
    leptos::mount::mount_to_body(app::App);
}
