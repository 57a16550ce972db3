//! A small LeNet-style digit classifier, trained once natively and shipped with the page: its
//! class probabilities give the MNIST score of generated digits (Inception Score with an MNIST
//! network), and its penultimate features the Fréchet distance to real digits (see `score`).
//!
//! conv 5×5 (16) → ReLU → max-pool 2 → conv 5×5 (32) → ReLU → max-pool 2 → fc 64 → ReLU
//! (the features) → fc 10. About 115 k parameters (≈ 0.46 MB of weights). Inputs are scaled
//! to [−1, 1] like the GAN's, so generated images are scored as they come out of G.

use super::checkpoint::{self, Architecture};
use super::data::{DigitBatch, MnistSet, Shuffler, CLASSES};
use super::{max_pool_2x2, uniform_param};
use crate::core::rng::SeededRng;
use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::nn::{Linear, PaddingConfig2d};
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{activation, Device, Int, Tensor, TensorData};

/// Size of the penultimate layer (the features the Fréchet distance compares).
pub const FEATURES: usize = 64;
/// Values per image in `Classifier::outputs`: 10 probabilities, then the features.
pub const OUTPUTS: usize = CLASSES + FEATURES;

#[derive(Module, Debug)]
pub struct Classifier {
    pub conv1: Conv2d,
    pub conv2: Conv2d,
    pub hidden: Linear,
    pub output: Linear,
}

impl Classifier {
    /// PyTorch's default initialisation, U(±1/√fan_in), from the seeded stream.
    pub fn init(rng: &mut SeededRng, device: &Device) -> Self {
        let conv = |c_in: usize, c_out: usize, rng: &mut SeededRng| {
            let bound = 1.0 / ((c_in * 25) as f32).sqrt();
            Conv2d {
                weight: uniform_param([c_out, c_in, 5, 5], bound, rng, device),
                bias: Some(uniform_param([c_out], bound, rng, device)),
                stride: [1, 1],
                kernel_size: [5, 5],
                dilation: [1, 1],
                groups: 1,
                padding: PaddingConfig2d::Explicit(2, 2, 2, 2),
            }
        };
        let linear = |d_in: usize, d_out: usize, rng: &mut SeededRng| {
            let bound = 1.0 / (d_in as f32).sqrt();
            Linear { weight: uniform_param([d_in, d_out], bound, rng, device), bias: Some(uniform_param([d_out], bound, rng, device)) }
        };
        Self {
            conv1: conv(1, 16, rng),
            conv2: conv(16, 32, rng),
            hidden: linear(32 * 49, FEATURES, rng),
            output: linear(FEATURES, CLASSES, rng),
        }
    }

    /// Logits `[B, 10]` and penultimate features `[B, 64]` of images `[B, 1, 28, 28]`.
    pub fn forward(&self, images: Tensor<4>) -> (Tensor<2>, Tensor<2>) {
        let [b, _, _, _] = images.dims(); // images: [B, 1, 28, 28]
        let x = activation::relu(self.conv1.forward(images)); // [B, 16, 28, 28]
        let x = max_pool_2x2(x); // [B, 16, 14, 14]
        let x = activation::relu(self.conv2.forward(x)); // [B, 32, 14, 14]
        let x = max_pool_2x2(x); // [B, 32, 7, 7]
        let x = x.reshape([b, 32 * 49]); // [B, 1568]
        let features = activation::relu(self.hidden.forward(x)); // [B, 64]
        let logits = self.output.forward(features.clone()); // [B, 10]
        (logits, features)
    }

    /// `[B, 74]`: class probabilities then features, one tensor so the page reads it back once.
    pub fn outputs(&self, images: Tensor<4>) -> Tensor<2> {
        let (logits, features) = self.valid().forward(images.without_autodiff()); // [B, 10], [B, 64]
        Tensor::cat(vec![activation::softmax(logits, 1), features], 1) // [B, 74]
    }

    /// Predicted classes `[B]`.
    pub fn predict(&self, images: Tensor<4>) -> Tensor<1, Int> {
        let (logits, _) = self.valid().forward(images.without_autodiff()); // [B, 10]
        logits.argmax(1).flatten(0, 1) // [B]
    }

    /// The weights as a file (header + burn record). Native/CPU: the recorder reads weights
    /// synchronously.
    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        let record = self.clone().valid().into_record().into_bytes().map_err(|e| e.to_string())?;
        Ok(checkpoint::encode(&Architecture::classifier(), &[&record]))
    }

    /// A classifier from a weight file, or why not (works on every device: loading uploads).
    pub fn from_bytes(bytes: &[u8], device: &Device) -> Result<Self, String> {
        let sections = checkpoint::decode(bytes, &Architecture::classifier()).map_err(|e| e.to_string())?;
        let [section] = sections.as_slice() else { return Err(format!("a classifier file has 1 section, this one {}", sections.len())) };
        checkpoint::load_module(Self::init(&mut SeededRng::new(0), device), section)
    }
}

/// Cross-entropy of logits `[B, 10]` against class indices.
fn cross_entropy(logits: Tensor<2>, classes: &[u8]) -> Tensor<1> {
    // Built on the CPU: burn's `one_hot` checks its input by reading it back.
    let one_hot: Vec<f32> = classes.iter().flat_map(|&c| (0..CLASSES).map(move |k| (k == c as usize) as u8 as f32)).collect();
    let one_hot = Tensor::<2>::from_data(TensorData::new(one_hot, [classes.len(), CLASSES]), &logits.device()); // [B, 10]
    (activation::log_softmax(logits, 1) * one_hot).sum_dim(1).mean().neg() // [1]
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClassifierTraining {
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
    /// The learning rate is multiplied by this after each epoch (sharper, more confident
    /// predictions at the end, which the MNIST score rewards).
    pub lr_decay: f64,
    pub seed: u64,
}

impl Default for ClassifierTraining {
    fn default() -> Self {
        Self { epochs: 5, batch: 64, lr: 1e-3, lr_decay: 0.5, seed: 7 }
    }
}

/// Trains a classifier on `train` with Adam; `progress(epoch, step, loss)` is called every 100
/// steps (native: it reads the loss synchronously).
pub fn train_classifier(train: &MnistSet, cfg: &ClassifierTraining, device: &Device, mut progress: impl FnMut(usize, usize, f32)) -> Classifier {
    let device = device.clone().autodiff();
    let mut model = Classifier::init(&mut SeededRng::new(cfg.seed), &device);
    let mut shuffler = Shuffler::new(train.len(), cfg.seed ^ 0x5EED);
    let mut optimizer = AdamConfig::new().init();
    let steps_per_epoch = train.len() / cfg.batch;
    for epoch in 0..cfg.epochs {
        let lr = cfg.lr * cfg.lr_decay.powi(epoch as i32);
        for step in 0..steps_per_epoch {
            let batch: DigitBatch = train.batch(&shuffler.next_indices(cfg.batch), &device);
            let (logits, _) = model.forward(batch.images); // [B, 10]
            let loss = cross_entropy(logits, &batch.classes); // [1]
            if step % 100 == 0 {
                progress(epoch, step, loss.clone().into_scalar::<f32>());
            }
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(lr, model, grads);
        }
    }
    model.valid()
}

/// Fraction of `set` classified correctly (native/CPU: reads predictions synchronously).
pub fn accuracy(model: &Classifier, set: &MnistSet, device: &Device, batch: usize) -> f64 {
    let mut correct = 0usize;
    for start in (0..set.len()).step_by(batch) {
        let indices: Vec<usize> = (start..(start + batch).min(set.len())).collect();
        let b = set.batch(&indices, device);
        let predicted: Vec<i64> = model.predict(b.images).into_data().convert::<i64>().try_to_vec().expect("int predictions");
        correct += predicted.iter().zip(&b.classes).filter(|(p, &c)| **p == c as i64).count();
    }
    correct as f64 / set.len() as f64
}

/// `Classifier::outputs` for many images in chunks of `batch`, read synchronously (native).
pub fn outputs_sync(model: &Classifier, images: &[Tensor<4>]) -> Vec<f32> {
    images.iter().flat_map(|t| model.outputs(t.clone()).into_data().try_to_vec::<f32>().expect("f32 outputs")).collect()
}
