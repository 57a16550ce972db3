//! Native speed of the toy GAN's training step on burn's CPU (flex) device.
//! `cargo run --release --example toy_speed` prints steps/s (a benchmark, not a test).

use burn::tensor::Device;
use gan_playground::core::toy::{ToyConfig, ToyGan};
use std::time::Instant;

fn main() {
    let device = Device::flex();
    let mut gan = ToyGan::new(ToyConfig::defaults(), &device);
    for _ in 0..20 {
        gan.train_step();
    }
    let n = 300;
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
    println!("toy defaults on flex (native): {:.0} steps/s, snapshot {:.2} ms", n as f64 / train, snap * 1e3);
}
