//! The handwritten-digits demo's core: MNIST from bytes, a DCGAN with a width multiplier, a
//! small classifier that scores generated digits (MNIST score, Fréchet distance), and weight
//! files with a checked header. Like the rest of `core`, nothing here knows the web; every
//! read the page needs has an async path (`into_data_async`), since WebGPU cannot read
//! synchronously.

pub mod checkpoint;
pub mod classifier;
pub mod data;
pub mod dcgan;
pub mod inspect;
pub mod score;
pub mod settings;

use crate::core::rng::SeededRng;
use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor, TensorData};

/// A learned row per class, looked up as one_hot(labels) · W: the numbers of burn's
/// `Embedding` (each output row is exactly W's row for its label, and so is the gradient), and
/// the same record (`weight`, `[classes, size]`), but built from ops the page links anyway.
/// `Embedding`'s backward is `select_assign`, which alone added ≈ 0.4 MB of code to the page's
/// wasm (docs/build.md, "Ops the page does not need").
#[derive(Module, Debug)]
pub struct LabelTable {
    pub weight: Param<Tensor<2>>,
}

impl LabelTable {
    /// `[B, size]`: row `labels[i]` of the table for each of the `B` labels (class indices as
    /// floats, `data::labels_tensor`).
    pub fn forward(&self, labels: Tensor<1>) -> Tensor<2> {
        let [b] = labels.dims(); // labels: [B]
        let [classes, _] = self.weight.dims(); // weight: [K, size]
        let class_ids: Vec<f32> = (0..classes).map(|k| k as f32).collect();
        let class_ids = Tensor::<2>::from_data(TensorData::new(class_ids, [1, classes]), &labels.device()); // [1, K]
        let distance = (labels.reshape([b, 1]) - class_ids).abs(); // [B, K]: 0 at the label, ≥ 1 elsewhere
        let one_hot = (distance.neg() + 1.0).clamp_min(0.0); // [B, K]
        one_hot.matmul(self.weight.val()) // [B, size]
    }
}

/// 2×2 max pooling with stride 2 (`[B, C, H, W]` → `[B, C, H/2, W/2]`, H and W even) from
/// reshapes and `max_dim`: the same numbers as `nn::pool::MaxPool2d`, without linking burn's
/// pooling kernels (and their backward) for both backends into the page.
pub fn max_pool_2x2(x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims(); // x: [B, C, H, W]
    let x = x.reshape([b, c, h / 2, 2, w / 2, 2]); // [B, C, H/2, 2, W/2, 2]
    let x = x.max_dim(5).max_dim(3); // [B, C, H/2, 1, W/2, 1]
    x.reshape([b, c, h / 2, w / 2]) // [B, C, H/2, W/2]
}

/// A parameter of `shape` with entries from N(mean, std²), drawn from the seeded CPU stream and
/// uploaded (so one seed gives the same network on every backend; see `rng`).
pub(crate) fn normal_param<const D: usize>(shape: [usize; D], mean: f32, std: f32, rng: &mut SeededRng, device: &Device) -> Param<Tensor<D>> {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|_| mean + std * rng.normal()).collect();
    Param::from_data(TensorData::new(v, shape), device)
}

/// A parameter of `shape` with entries from U(−bound, bound) (PyTorch's default for conv and
/// linear layers, bound = 1/√fan_in).
pub(crate) fn uniform_param<const D: usize>(shape: [usize; D], bound: f32, rng: &mut SeededRng, device: &Device) -> Param<Tensor<D>> {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|_| rng.uniform_in(-bound, bound)).collect();
    Param::from_data(TensorData::new(v, shape), device)
}

pub(crate) fn zeros_param<const D: usize>(shape: [usize; D], device: &Device) -> Param<Tensor<D>> {
    Param::from_data(TensorData::new(vec![0.0f32; shape.iter().product()], shape), device)
}

/// One async readback of a tensor's values (the only kind WebGPU allows).
pub async fn read_values<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, String> {
    let data = t.into_data_async().await.map_err(|e| format!("reading back from the device failed: {e:?}"))?;
    data.try_to_vec::<f32>().map_err(|e| format!("unexpected tensor data: {e:?}"))
}
