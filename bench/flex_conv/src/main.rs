//! Times burn-flex's conv2d / conv_transpose2d and their input and weight gradients for the four
//! stride-2 4×4 layers of /digits (batch and C from the arguments: /digits' defaults 32 and 8),
//! and writes every result to the file named by the first argument, so that two builds (released
//! burn-flex and the patched one) can be checked against each other. bench/flex_conv.sh runs it.
use burn_backend::ops::{ConvOptions, ConvTransposeOptions, FloatTensorOps, ModuleOps};
use burn_backend::{TensorData, TensorMetadata};
use burn_flex::{Flex, FlexDevice, FlexTensor};
use std::io::Write;
use std::time::Instant;

#[path = "../../digits_layers.rs"]
mod digits_layers;
use digits_layers::digits_layers;

/// Values in [−0.5, 0.5) from a xorshift stream: the same in every build.
fn tensor(shape: [usize; 4], seed: u32) -> FlexTensor {
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            s as f32 / u32::MAX as f32 - 0.5
        })
        .collect();
    Flex::float_from_data(TensorData::new(v, shape), &FlexDevice)
}

/// Median milliseconds of 15 rounds of 20 calls, and the result.
fn time(mut f: impl FnMut() -> FlexTensor) -> (f64, FlexTensor) {
    let out = f();
    let mut rounds: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..20 {
                std::hint::black_box(f());
            }
            t.elapsed().as_secs_f64() * 1e3 / 20.0
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    (rounds[rounds.len() / 2], out)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out_path = args.get(1).expect("usage: flex-conv-bench OUT [batch] [C]");
    let batch: usize = args.get(2).map_or(32, |s| s.parse().expect("batch"));
    let c: usize = args.get(3).map_or(8, |s| s.parse().expect("C"));
    let down = ConvOptions::new([2, 2], [1, 1], [1, 1], 1);
    let up = ConvTransposeOptions::new([2, 2], [1, 1], [0, 0], [1, 1], 1);
    let layers = digits_layers(batch, c);
    let mut file = std::fs::File::create(out_path).expect("output file");
    let mut total = [0.0; 3];
    println!("{:22} {:>9} {:>9} {:>9}  (ms, median)", "layer", "forward", "dL/dx", "dL/dW");
    for (i, (name, transposed, xs, ws)) in layers.into_iter().enumerate() {
        let (x, w) = (tensor(xs, 2 * i as u32 + 1), tensor(ws, 2 * i as u32 + 2));
        let timed = if transposed {
            let y = Flex::conv_transpose2d(x.clone(), w.clone(), None, up.clone());
            let dy = tensor(y.shape().dims::<4>(), 99);
            [
                time(|| Flex::conv_transpose2d(x.clone(), w.clone(), None, up.clone())),
                time(|| Flex::conv_transpose2d_x_backward(w.clone(), dy.clone(), up.clone())),
                time(|| Flex::conv_transpose2d_weight_backward(x.clone(), w.clone(), dy.clone(), up.clone())),
            ]
        } else {
            let y = Flex::conv2d(x.clone(), w.clone(), None, down.clone());
            let dy = tensor(y.shape().dims::<4>(), 99);
            [
                time(|| Flex::conv2d(x.clone(), w.clone(), None, down.clone())),
                time(|| Flex::conv2d_x_backward(x.clone(), w.clone(), dy.clone(), down.clone())),
                time(|| Flex::conv2d_weight_backward(x.clone(), w.clone(), dy.clone(), down.clone())),
            ]
        };
        for (k, (ms, out)) in timed.iter().enumerate() {
            total[k] += ms;
            let values = out.clone().into_data().try_to_vec::<f32>().expect("f32");
            for v in values {
                file.write_all(&v.to_le_bytes()).expect("write");
            }
        }
        println!("{name:22} {:9.3} {:9.3} {:9.3}", timed[0].0, timed[1].0, timed[2].0);
    }
    println!("{:22} {:9.3} {:9.3} {:9.3}", "sum", total[0], total[1], total[2]);
}
