//! GAN Playground: train small GANs live in the browser.
//!
//! `core` is the training engine (models, losses, data, settings); it knows nothing of the web
//! and is tested natively on burn's CPU device. `web` is the thin browser layer (Leptos pages,
//! canvas renderers, the training scheduler and the automation API) and only exists on wasm32,
//! so a web import in `core` fails the native build.

pub mod core;
pub mod draw;
pub mod lessons;

#[cfg(target_arch = "wasm32")]
pub mod web;
