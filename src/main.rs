//! Entry point. In the browser (wasm32) it mounts the app; natively it points at the tests.

#[cfg(target_arch = "wasm32")]
fn main() {
    gan_playground::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!("GAN Playground runs in the browser: ./scripts/serve. Native checks: cargo test.");
}
