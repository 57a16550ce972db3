//! DCGAN (Radford et al. 2016) sized for 28×28 digits, with a width multiplier so the page can
//! offer a network that trains at interactive speed on a CPU as well as the classic size.
//!
//! G: z → Linear → 7×7×2C → BN, ReLU → ConvT s2 → 14×14×C → BN, ReLU → ConvT s2 → 28×28×1 → tanh.
//! D: Conv s2 → 14×14×C → LeakyReLU 0.2 → Conv s2 → 7×7×2C → BN, LeakyReLU → Linear → 1 logit.
//! C = 64 × width: width 1 is the usual DCGAN-for-MNIST size (G 0.77 M values, D 0.14 M); a
//! batch-64 step took ≈ 0.6 s at width 1, 90 ms at 0.25 and 43 ms at 0.125 on one core of the
//! development machine (flex; docs/digits.md). Conditional: a label
//! embedding is concatenated to z in G, and a learned 28×28 label map is an extra input
//! channel of D. Weights are N(0, 0.02) as in DCGAN (BN scale N(1, 0.02)), drawn from the
//! seeded CPU stream and uploaded.

use super::data::{labels_tensor, CLASSES, IMAGE_SIDE};
use super::{normal_param, zeros_param, LabelTable};
use crate::core::loss::GanLoss;
use crate::core::rng::SeededRng;
use burn::module::{Module, Param, RunningState};
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, PaddingConfig2d};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{activation, Device, Tensor, TensorData};

/// C at width 1.
pub const BASE_CHANNELS: usize = 64;
/// Size of G's label embedding (conditional models).
pub const LABEL_EMBEDDING: usize = 10;
pub const MIN_WIDTH: f32 = 0.0625;
pub const MAX_WIDTH: f32 = 4.0;
const DCGAN_STD: f32 = 0.02;

/// The networks' shape: what a weight file must match.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DcganConfig {
    pub width: f32,
    pub latent_dim: usize,
    pub conditional: bool,
}

impl Default for DcganConfig {
    fn default() -> Self {
        Self { width: 1.0, latent_dim: 100, conditional: false }
    }
}

impl DcganConfig {
    /// C, the channels of the 14×14 layers (at least 1).
    pub fn channels(&self) -> usize {
        ((BASE_CHANNELS as f32 * self.width).round() as usize).max(1)
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(MIN_WIDTH..=MAX_WIDTH).contains(&self.width) {
            return Err(format!("width {} is outside {MIN_WIDTH}..{MAX_WIDTH}", self.width));
        }
        if !(1..=1024).contains(&self.latent_dim) {
            return Err(format!("latent dimension {} is outside 1..1024", self.latent_dim));
        }
        Ok(())
    }

    /// Both networks, initialised from `rng` (G first, then D).
    pub fn init(&self, rng: &mut SeededRng, device: &Device) -> (Generator, Discriminator) {
        let c = self.channels();
        let n = |shape: [usize; 4], rng: &mut SeededRng| normal_param(shape, 0.0, DCGAN_STD, rng, device);
        let label_embedding = self.conditional.then(|| LabelTable { weight: normal_param([CLASSES, LABEL_EMBEDDING], 0.0, 1.0, rng, device) });
        let z_in = self.latent_dim + if self.conditional { LABEL_EMBEDDING } else { 0 };
        let generator = Generator {
            label_embedding,
            project: Linear { weight: normal_param([z_in, 49 * 2 * c], 0.0, DCGAN_STD, rng, device), bias: Some(zeros_param([49 * 2 * c], device)) },
            norm0: batch_norm(2 * c, rng, device),
            up1: conv_transpose(n([2 * c, c, 4, 4], rng), device),
            norm1: batch_norm(c, rng, device),
            up2: conv_transpose(n([c, 1, 4, 4], rng), device),
            channels: c,
            latent_dim: self.latent_dim,
        };
        let label_map = self.conditional.then(|| LabelTable { weight: normal_param([CLASSES, IMAGE_SIDE * IMAGE_SIDE], 0.0, 1.0, rng, device) });
        let d_in = 1 + self.conditional as usize;
        let discriminator = Discriminator {
            label_map,
            down1: conv(n([c, d_in, 4, 4], rng), device),
            down2: conv(n([2 * c, c, 4, 4], rng), device),
            norm2: batch_norm(2 * c, rng, device),
            classify: Linear { weight: normal_param([49 * 2 * c, 1], 0.0, DCGAN_STD, rng, device), bias: Some(zeros_param([1], device)) },
            channels: c,
        };
        (generator, discriminator)
    }
}

/// BatchNorm with scale N(1, 0.02) and burn's defaults otherwise (momentum 0.1, ε 1e-5, running
/// mean 0 and variance 1). Built directly: `BatchNormConfig::init` goes through burn's
/// `Initializer`, whose random variants would link burn's random kernels into the page.
fn batch_norm(features: usize, rng: &mut SeededRng, device: &Device) -> BatchNorm {
    let defaults = BatchNormConfig::new(features);
    BatchNorm {
        gamma: normal_param([features], 1.0, DCGAN_STD, rng, device),
        beta: zeros_param([features], device),
        training: Param::from_bool(true),
        running_mean: RunningState::new(Tensor::zeros([features], device)),
        running_var: RunningState::new(Tensor::ones([features], device)),
        momentum: defaults.momentum,
        epsilon: defaults.epsilon,
    }
}

/// 4×4 kernel, stride 2, padding 1: doubles the side (7 → 14 → 28).
fn conv_transpose(weight: Param<Tensor<4>>, device: &Device) -> ConvTranspose2d {
    let [c_in, c_out, _, _] = weight.dims();
    ConvTranspose2d {
        weight,
        bias: Some(zeros_param([c_out], device)),
        stride: [2, 2],
        kernel_size: [4, 4],
        dilation: [1, 1],
        groups: 1,
        padding: [1, 1],
        padding_out: [0, 0],
        channels: [c_in, c_out],
    }
}

/// 4×4 kernel, stride 2, padding 1: halves the side (28 → 14 → 7).
fn conv(weight: Param<Tensor<4>>, device: &Device) -> Conv2d {
    let [c_out, _, _, _] = weight.dims();
    Conv2d {
        weight,
        bias: Some(zeros_param([c_out], device)),
        stride: [2, 2],
        kernel_size: [4, 4],
        dilation: [1, 1],
        groups: 1,
        padding: PaddingConfig2d::Explicit(1, 1, 1, 1),
    }
}

#[derive(Module, Debug)]
pub struct Generator {
    pub label_embedding: Option<LabelTable>,
    pub project: Linear,
    pub norm0: BatchNorm,
    pub up1: ConvTranspose2d,
    pub norm1: BatchNorm,
    pub up2: ConvTranspose2d,
    pub channels: usize,
    pub latent_dim: usize,
}

impl Generator {
    /// Images in [−1, 1] from noise `z` and, for a conditional G, class `labels`.
    pub fn forward(&self, z: Tensor<2>, labels: Option<Tensor<1>>) -> Tensor<4> {
        let input = match (&self.label_embedding, labels) {
            (Some(embedding), Some(labels)) => {
                let e = embedding.forward(labels); // [B, E]
                Tensor::cat(vec![z, e], 1) // [B, L + E]
            }
            (Some(_), None) => panic!("a conditional generator needs labels"),
            (None, _) => z, // [B, L]
        };
        self.decode(input)
    }

    /// Images from G's first layer's input: z, with a conditional G's label embedding
    /// concatenated (`[B, L]` or `[B, L + E]`). `forward` builds that input; a latent walk
    /// builds its own (`inspect::interpolate`).
    pub fn decode(&self, input: Tensor<2>) -> Tensor<4> {
        let [b, _] = input.dims(); // input: [B, L (+ E)]
        let c = self.channels;
        let x = self.project.forward(input); // [B, 49·2C]
        let x = x.reshape([b, 2 * c, 7, 7]); // [B, 2C, 7, 7]
        let x = activation::relu(self.norm0.forward(x)); // [B, 2C, 7, 7]
        let x = self.up1.forward(x); // [B, C, 14, 14]
        let x = activation::relu(self.norm1.forward(x)); // [B, C, 14, 14]
        let x = self.up2.forward(x); // [B, 1, 28, 28]
        activation::tanh(x) // [B, 1, 28, 28]
    }
}

#[derive(Module, Debug)]
pub struct Discriminator {
    pub label_map: Option<LabelTable>,
    pub down1: Conv2d,
    pub down2: Conv2d,
    pub norm2: BatchNorm,
    pub classify: Linear,
    pub channels: usize,
}

impl Discriminator {
    /// One raw output (a logit for the log losses) per image.
    pub fn forward(&self, images: Tensor<4>, labels: Option<Tensor<1>>) -> Tensor<2> {
        let [b, _, _, _] = images.dims(); // images: [B, 1, 28, 28]
        let c = self.channels;
        let x = match (&self.label_map, labels) {
            (Some(map), Some(labels)) => {
                let m = map.forward(labels); // [B, 784]
                Tensor::cat(vec![images, m.reshape([b, 1, IMAGE_SIDE, IMAGE_SIDE])], 1) // [B, 2, 28, 28]
            }
            (Some(_), None) => panic!("a conditional discriminator needs labels"),
            (None, _) => images, // [B, 1, 28, 28]
        };
        let x = activation::leaky_relu(self.down1.forward(x), 0.2); // [B, C, 14, 14]
        let x = self.down2.forward(x); // [B, 2C, 7, 7]
        let x = activation::leaky_relu(self.norm2.forward(x), 0.2); // [B, 2C, 7, 7]
        let x = x.reshape([b, 49 * 2 * c]); // [B, 49·2C]
        self.classify.forward(x) // [B, 1]
    }
}

/// Everything a DCGAN run is: the networks' shape and the training settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DigitsGanConfig {
    pub model: DcganConfig,
    /// ns, lsgan or hinge (the losses DCGAN trains with without a Lipschitz constraint).
    pub loss: GanLoss,
    pub lr_d: f64,
    pub lr_g: f64,
    pub beta1: f32,
    pub beta2: f32,
    /// One-sided: real images are labelled 1 − this for D (ns and lsgan).
    pub label_smoothing: f32,
    pub seed: u64,
}

impl Default for DigitsGanConfig {
    fn default() -> Self {
        Self { model: DcganConfig::default(), loss: GanLoss::NonSaturating, lr_d: 2e-4, lr_g: 2e-4, beta1: 0.5, beta2: 0.999, label_smoothing: 0.0, seed: 1 }
    }
}

impl DigitsGanConfig {
    pub fn validate(&self) -> Result<(), String> {
        self.model.validate()?;
        if !matches!(self.loss, GanLoss::NonSaturating | GanLoss::LeastSquares | GanLoss::Hinge) {
            return Err(format!("the digits GAN trains with ns, lsgan or hinge, not {:?}", self.loss));
        }
        if !(0.0..0.5).contains(&self.label_smoothing) {
            return Err(format!("label smoothing {} is outside 0..0.5", self.label_smoothing));
        }
        for (name, lr) in [("D", self.lr_d), ("G", self.lr_g)] {
            if !(lr > 0.0 && lr <= 1.0) {
                return Err(format!("the {name} learning rate {lr} is outside (0, 1]"));
            }
        }
        Ok(())
    }
}

/// The DCGAN trainer: two networks, two Adam optimisers, one D step then one G step per call.
pub struct DigitsGan {
    config: DigitsGanConfig,
    device: Device,
    generator: Generator,
    discriminator: Discriminator,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    noise_rng: SeededRng,
    steps: u64,
}

impl DigitsGan {
    /// `device` is the execution device (CPU or WebGPU); autodiff is layered on here.
    pub fn new(config: DigitsGanConfig, device: &Device) -> Result<Self, String> {
        config.validate()?;
        let device = device.clone().autodiff();
        let mut root = SeededRng::new(config.seed);
        let mut init_rng = root.fork();
        let noise_rng = root.fork();
        let (generator, discriminator) = config.model.init(&mut init_rng, &device);
        Ok(Self { opt_g: adam(&config), opt_d: adam(&config), config, device, generator, discriminator, noise_rng, steps: 0 })
    }

    pub fn config(&self) -> &DigitsGanConfig {
        &self.config
    }

    /// The training device (autodiff on the device given to `new`).
    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn generator(&self) -> &Generator {
        &self.generator
    }

    pub fn discriminator(&self) -> &Discriminator {
        &self.discriminator
    }

    /// Training steps taken (each one D and one G update).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// `[n, latent]` standard normal noise from the run's seeded stream.
    pub fn noise(&mut self, n: usize) -> Tensor<2> {
        noise(n, self.config.model.latent_dim, &mut self.noise_rng, &self.device)
    }

    /// One D step on `real` (`[B, 1, 28, 28]` in [−1, 1]) against a fresh generated batch, then
    /// one G step on that batch. Conditional runs need `labels` (`[B]`), and G draws the same
    /// classes as the real batch. Returns `[2]`: D's and G's loss (read it async on the page).
    pub fn train_step(&mut self, real: Tensor<4>, labels: Option<Tensor<1>>) -> Tensor<1> {
        let [b, _, _, _] = real.dims();
        let c = self.config;
        let labels = if c.model.conditional { Some(labels.expect("a conditional run needs the batch's labels")) } else { None };
        let real = real.autodiff(); // [B, 1, 28, 28]
        let labels = labels.map(|l| l.autodiff()); // [B]
        let z = self.noise(b); // [B, L]
        // G runs once: D learns on its detached output, then G learns through the updated D.
        let fake = self.generator.forward(z, labels.clone()); // [B, 1, 28, 28]
        // Real and generated images go through D in separate batches, so BN's statistics
        // never mix them (DCGAN's recipe).
        let d_real = self.discriminator.forward(real, labels.clone()); // [B, 1]
        let d_fake = self.discriminator.forward(fake.clone().detach(), labels.clone()); // [B, 1]
        let loss_d = c.loss.d_loss_smoothed(d_real, d_fake, c.label_smoothing); // [1]
        let grads = GradientsParams::from_grads(loss_d.backward(), &self.discriminator);
        self.discriminator = self.opt_d.step(c.lr_d, self.discriminator.clone(), grads);

        // D's weights as constants here: the backward pass then skips their gradients, which
        // this step would throw away (BN's running statistics are shared and still update).
        let frozen_d = self.discriminator.clone().no_grad();
        let loss_g = c.loss.g_loss(frozen_d.forward(fake, labels)); // [1]
        // Only G's parameters are collected, so this step leaves D unchanged.
        let grads = GradientsParams::from_grads(loss_g.backward(), &self.generator);
        self.generator = self.opt_g.step(c.lr_g, self.generator.clone(), grads);
        self.steps += 1;
        Tensor::cat(vec![loss_d.detach(), loss_g.detach()], 0).without_autodiff() // [2]
    }

    /// Images from G in inference mode (BN uses its running statistics): `[n, 1, 28, 28]`.
    pub fn generate(&self, z: Tensor<2>, labels: Option<Tensor<1>>) -> Tensor<4> {
        let g = self.generator.valid();
        g.forward(z.without_autodiff(), labels.map(|l| l.without_autodiff()))
    }

    /// The fixed grid's images (`[rows·cols, 1, 28, 28]`).
    pub fn sample_grid(&self, grid: &FixedNoise) -> Tensor<4> {
        let device = self.device.clone().inner();
        self.generate(grid.noise(&device), self.config.model.conditional.then(|| labels_tensor(&grid.labels, &device)))
    }

    /// The networks as a weight file (see `checkpoint`). Native/CPU: burn's recorder reads the
    /// weights synchronously (the page loads files; it does not save them on WebGPU).
    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        let g = self.generator.clone().valid().into_record().into_bytes().map_err(|e| e.to_string())?;
        let d = self.discriminator.clone().valid().into_record().into_bytes().map_err(|e| e.to_string())?;
        Ok(super::checkpoint::encode(&super::checkpoint::Architecture::dcgan(&self.config.model), &[&g, &d]))
    }

    /// The same weights as `to_bytes`, read from the device with one async transfer, so the
    /// page can save on WebGPU. `cpu` is a CPU device (flex or ndarray) on which the record is
    /// encoded. (The bytes differ from `to_bytes` only in BN running statistics' parameter ids:
    /// burn's `RunningState` keeps its own id through a module mapper.)
    pub fn to_bytes_async(&self, cpu: &Device) -> impl std::future::Future<Output = Result<Vec<u8>, String>> + 'static {
        use super::checkpoint::{flat_weights, with_flat_weights};
        // `valid` first: it folds BN's last running-statistics update in (a module's own
        // visit can see them one update behind).
        let (g_flat, g_ids) = flat_weights(&self.generator.valid());
        let (d_flat, d_ids) = flat_weights(&self.discriminator.valid());
        let (g_flat, d_flat) = (g_flat.expect("G has weights"), d_flat.expect("D has weights"));
        let g_count = g_flat.dims()[0];
        let both = Tensor::cat(vec![g_flat, d_flat], 0); // [all weights of G, then D]
        let arch = super::checkpoint::Architecture::dcgan(&self.config.model);
        let (template_g, template_d) = self.config.model.init(&mut SeededRng::new(0), cpu);
        async move {
            let values = super::read_values(both).await?;
            let (gv, dv) = values.split_at(g_count.min(values.len()));
            let g = with_flat_weights(template_g, gv, &g_ids)?.into_record().into_bytes().map_err(|e| e.to_string())?;
            let d = with_flat_weights(template_d, dv, &d_ids)?.into_record().into_bytes().map_err(|e| e.to_string())?;
            Ok(super::checkpoint::encode(&arch, &[&g, &d]))
        }
    }

    /// Replaces both networks with a weight file's, or changes nothing and says why. The
    /// optimisers restart (their state is not saved).
    pub fn load_bytes(&mut self, bytes: &[u8]) -> Result<(), String> {
        let sections = super::checkpoint::decode(bytes, &super::checkpoint::Architecture::dcgan(&self.config.model)).map_err(|e| e.to_string())?;
        let [g, d] = sections.as_slice() else { return Err(format!("a DCGAN file has 2 sections, this one {}", sections.len())) };
        // Load into fresh networks: a failed load must not touch the running ones, and burn's
        // BN running statistics are shared between a module and its clones.
        let (fresh_g, fresh_d) = self.config.model.init(&mut SeededRng::new(0), &self.device);
        let generator = super::checkpoint::load_module(fresh_g, g)?;
        let discriminator = super::checkpoint::load_module(fresh_d, d)?;
        (self.generator, self.discriminator) = (generator.train(), discriminator.train());
        (self.opt_g, self.opt_d) = (adam(&self.config), adam(&self.config));
        Ok(())
    }
}

fn adam(c: &DigitsGanConfig) -> ModuleOptimizer {
    AdamConfig::new().with_beta_1(c.beta1).with_beta_2(c.beta2).with_epsilon(1e-8).init()
}

fn noise(n: usize, dim: usize, rng: &mut SeededRng, device: &Device) -> Tensor<2> {
    let v: Vec<f32> = (0..n * dim).map(|_| rng.normal()).collect();
    Tensor::from_data(TensorData::new(v, [n, dim]), device)
}

/// The noise (and classes) behind the sample grid, fixed for a run so the page shows the same
/// latent points improving. Conditional grids put class `row % 10` in row `row`, so a row is
/// one digit (a one-column "grid" cycles through the classes: the balanced set scores use).
#[derive(Clone, Debug, PartialEq)]
pub struct FixedNoise {
    pub rows: usize,
    pub cols: usize,
    pub latent_dim: usize,
    pub z: Vec<f32>,
    pub labels: Vec<u8>,
}

impl FixedNoise {
    pub fn new(rows: usize, cols: usize, latent_dim: usize, seed: u64) -> Self {
        let mut rng = SeededRng::new(seed ^ 0xF1CED);
        let n = rows * cols;
        let z = (0..n * latent_dim).map(|_| rng.normal()).collect();
        Self { rows, cols, latent_dim, z, labels: Self::row_labels(rows, cols) }
    }

    /// The label of each cell, row by row: row r asks a conditional G for digit r mod 10.
    pub fn row_labels(rows: usize, cols: usize) -> Vec<u8> {
        (0..rows * cols).map(|i| ((i / cols) % CLASSES) as u8).collect()
    }

    pub fn noise(&self, device: &Device) -> Tensor<2> {
        Tensor::from_data(TensorData::new(self.z.clone(), [self.rows * self.cols, self.latent_dim]), device)
    }
}

/// Tiles `count` images of 28×28 values in [−1, 1] into one grayscale picture, `cols` across,
/// with `gap` black pixels between tiles: returns (width, height, bytes 0..255 row-major).
pub fn tile_grid(values: &[f32], count: usize, cols: usize, gap: usize) -> (usize, usize, Vec<u8>) {
    let side = IMAGE_SIDE;
    let cols = cols.max(1);
    let rows = count.div_ceil(cols);
    let (w, h) = (cols * side + cols.saturating_sub(1) * gap, rows * side + rows.saturating_sub(1) * gap);
    let mut out = vec![0u8; w * h];
    for i in 0..count.min(values.len() / (side * side)) {
        let (r, c) = (i / cols, i % cols);
        for y in 0..side {
            for x in 0..side {
                let v = values[i * side * side + y * side + x];
                let byte = ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8;
                out[(r * (side + gap) + y) * w + c * (side + gap) + x] = byte;
            }
        }
    }
    (w, h, out)
}
