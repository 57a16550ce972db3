//! Benchmark (not a test): could the DCGAN's stride-2 4×4 convolutions beat burn-flex's conv
//! kernels if written as one matmul each from burn's tensor ops (pad, slices, a concatenation,
//! permutes), with autodiff doing the backward pass? Prints, for the four layers of /digits at
//! width 0.125 and batch 32, the largest difference from burn's conv (outputs and gradients)
//! and the time of a forward plus backward pass for each. docs/digits.md has the result.
//!   cargo run --release --example conv_matmul --features burn/simd
use burn::tensor::module::{conv2d, conv_transpose2d};
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
use burn::tensor::{Device, Distribution, Tensor};
use std::time::Instant;

#[path = "../bench/digits_layers.rs"]
mod digits_layers;
use digits_layers::digits_layers;

/// Stride 2, 4×4 kernel, padding 1. x [B, C, H, W], w [O, C, 4, 4] → [B, O, H/2, W/2].
/// Space to depth: padded row 2i + k, k = 2a + p, is row i + a of phase p, so the conv is a
/// 2×2 stride-1 conv over [B, (H+2)/2, (W+2)/2, 4C]: four shifted slices, one matmul.
fn conv_s2(x: Tensor<4>, w: Tensor<4>, bias: Tensor<1>) -> Tensor<4> {
    let [b, c, h, wd] = x.dims();
    let [o, _, _, _] = w.dims();
    let (ho, wo) = (h / 2, wd / 2);
    let x = x.pad((1, 1, 1, 1), 0.0).permute([0, 2, 3, 1]); // [B, H+2, W+2, C]
    let x = x.reshape([b, ho + 1, 2, wo + 1, 2, c]).permute([0, 1, 3, 5, 2, 4]); // [B, hh, ww, C, p, p']
    let taps = (0..4).map(|t| {
        let (a, a2) = (t / 2, t % 2);
        x.clone().slice([0..b, a..a + ho, a2..a2 + wo, 0..c, 0..2, 0..2]).reshape([b, ho, wo, 1, 4 * c])
    });
    let patches = Tensor::cat(taps.collect(), 3).reshape([b * ho * wo, 16 * c]); // [(B,i,j), (a,a',C,p,p')]
    let wm = w.reshape([o, c, 2, 2, 2, 2]).permute([2, 4, 1, 3, 5, 0]).reshape([16 * c, o]); // [(a,a',C,p,p'), O]
    let y = patches.matmul(wm) + bias.unsqueeze_dim::<2>(0); // [(B,i,j), O]
    y.reshape([b, ho, wo, o]).permute([0, 3, 1, 2]) // [B, O, H/2, W/2]
}

/// Transposed: stride 2, 4×4 kernel, padding 1. x [B, C, H, W], w [C, O, 4, 4] → [B, O, 2H, 2W].
/// Output row 2m + py takes padded input row m + t through kernel row 3 + py − 2t: a 3×3
/// neighbourhood (nine slices) times a [9C, 4·O] matrix with the unused taps zero.
fn conv_t_s2(x: Tensor<4>, w: Tensor<4>, bias: Tensor<1>) -> Tensor<4> {
    let [b, c, h, wd] = x.dims();
    let [_, o, _, _] = w.dims();
    let x = x.pad((1, 1, 1, 1), 0.0).permute([0, 2, 3, 1]); // [B, H+2, W+2, C]
    let taps = (0..9).map(|t| x.clone().slice([0..b, t / 3..t / 3 + h, t % 3..t % 3 + wd, 0..c]));
    let patches = Tensor::cat(taps.collect(), 3).reshape([b * h * wd, 9 * c]); // [(B,m,n), (t,t',C)]
    let wm = w.pad((1, 1, 1, 1), 0.0) // [C, O, 6, 6]: kernel row + 1 = 4 − 2t + py
        .reshape([c, o, 3, 2, 3, 2])
        .flip([2, 4]) // [C, O, t, py, t', px]
        .permute([2, 4, 0, 3, 5, 1]) // [t, t', C, py, px, O]
        .reshape([9 * c, 4 * o]);
    let y = patches.matmul(wm); // [(B,m,n), (py,px,O)]
    let y = y.reshape([b, h, wd, 2, 2, o]).permute([0, 5, 1, 3, 2, 4]).reshape([b, o, 2 * h, 2 * wd]); // [B, O, 2H, 2W]
    y + bias.reshape([1, o, 1, 1])
}

type Conv<'a> = dyn Fn(Tensor<4>, Tensor<4>, Tensor<1>) -> Tensor<4> + 'a;

fn main() {
    let device = Device::flex().autodiff();
    let (batch, c) = (32, 8); // /digits' defaults: batch 32, width 0.125 (C = 8)
    let down = ConvOptions::new([2, 2], [1, 1], [1, 1], 1);
    let up = ConvTransposeOptions::new([2, 2], [1, 1], [0, 0], [1, 1], 1);
    let layers = digits_layers(batch, c);
    for (name, transposed, x_shape, w_shape) in layers {
        let x = Tensor::<4>::random(x_shape, Distribution::Normal(0.0, 1.0), &device).require_grad();
        let w = Tensor::<4>::random(w_shape, Distribution::Normal(0.0, 0.1), &device).require_grad();
        let bias = Tensor::<1>::random([if transposed { w_shape[1] } else { w_shape[0] }], Distribution::Normal(0.0, 0.1), &device).require_grad();
        let burns = |x, w, b| if transposed { conv_transpose2d(x, w, Some(b), up.clone()) } else { conv2d(x, w, Some(b), down.clone()) };
        let matmul = |x, w, b| if transposed { conv_t_s2(x, w, b) } else { conv_s2(x, w, b) };
        let (y1, y2) = (burns(x.clone(), w.clone(), bias.clone()), matmul(x.clone(), w.clone(), bias.clone()));
        let target = Tensor::<4>::random(y1.dims(), Distribution::Normal(0.0, 1.0), &device);
        let (g1, g2) = ((y1.clone() * target.clone()).sum().backward(), (y2.clone() * target.clone()).sum().backward());
        let gap = |a: Tensor<4>, b: Tensor<4>| (a - b).abs().max().into_scalar::<f32>();
        let gap_b = (bias.grad(&g1).unwrap() - bias.grad(&g2).unwrap()).abs().max().into_scalar::<f32>();
        println!(
            "{name}: largest difference: output {:.1e}, ∂x {:.1e}, ∂w {:.1e}, ∂bias {gap_b:.1e}",
            gap(y1.inner(), y2.inner()),
            gap(x.grad(&g1).unwrap(), x.grad(&g2).unwrap()),
            gap(w.grad(&g1).unwrap(), w.grad(&g2).unwrap())
        );
        for (label, conv) in [("burn conv", &burns as &Conv), ("one matmul", &matmul)] {
            let pass = || {
                let grads = (conv(x.clone(), w.clone(), bias.clone()) * target.clone()).sum().backward();
                let _ = w.grad(&grads).unwrap().into_data(); // wait for the work to finish
            };
            (0..20).for_each(|_| pass());
            let reps = 200;
            let t = Instant::now();
            (0..reps).for_each(|_| pass());
            println!("  {label:10} forward + backward {:.2} ms", t.elapsed().as_secs_f64() * 1e3 / reps as f64);
        }
    }
}
