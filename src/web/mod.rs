//! The browser layer: Leptos pages, canvas renderers, the training scheduler and the
//! automation API. Compiled for wasm32 only; the engine lives in `crate::core`.

pub mod api;
pub mod app;
pub mod backend;
pub mod chart;
pub mod controls;
pub mod js;
pub mod scheduler;
pub mod toy;

pub fn start() {
    console_error_panic_hook::set_once();
    api::install();
    leptos::mount::mount_to_body(app::App);
}
