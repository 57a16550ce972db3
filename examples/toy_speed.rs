//! Native speed of the toy GAN's training step on burn's CPU (flex) device.
//! `cargo run --release --example toy_speed` prints steps/s (a benchmark, not a test);
//! `TOY_SPEED_STEPS=1500` times that many steps instead of 300 (longer runs, less noise).

use burn::tensor::Device;
use gan_playground::core::settings::Settings;
use gan_playground::core::toy::{ToyConfig, ToyGan, TOY_SETTINGS};
use std::time::Instant;

fn main() {
    let device = Device::flex();
    // `cargo run --release --example toy_speed -- "kD=2&gWidth=8"` for any settings
    let query = std::env::args().nth(1).unwrap_or_default();
    let (settings, notices) = Settings::from_query(TOY_SETTINGS, &query);
    for n in notices {
        eprintln!("{n}");
    }
    let mut gan = ToyGan::new(ToyConfig::from_settings(&settings), &device).expect("a data distribution");
    for _ in 0..20 {
        gan.train_step();
    }
    let n: usize = std::env::var("TOY_SPEED_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let t = Instant::now();
    for _ in 0..n {
        gan.train_step();
    }
    let train = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for _ in 0..50 {
        pollster::block_on(gan.snapshot(true)).expect("snapshot");
    }
    let snap = t.elapsed().as_secs_f64() / 50.0;
    println!("toy {query:?} on flex (native): {:.0} steps/s, snapshot {:.2} ms", n as f64 / train, snap * 1e3);
}
