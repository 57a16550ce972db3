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
use burn::module::Param;
use burn::tensor::{Device, Tensor, TensorData};

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
