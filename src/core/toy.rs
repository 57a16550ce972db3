//! The toy 2-D GAN: settings table, the two-optimiser training step, and the snapshot the
//! views draw. Everything the page shows per frame comes from one tensor read back at once.

use crate::core::data::{Dist, GaussianMixture};
use crate::core::loss::GanLoss;
use crate::core::model::{Activation, Mlp, MlpShape};
use crate::core::optim::OptimizerKind;
use crate::core::rng::SeededRng;
use crate::core::settings::{Kind, Settings, Spec};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{activation, Device, Tensor, TensorData};
use std::future::Future;

const OPTS: Kind = Kind::Choice(OptimizerKind::NAMES);

/// The toy demo's settings. Keys are the public names used in links and the API.
pub const TOY_SETTINGS: &[Spec] = &[
    Spec { key: "seed", kind: Kind::Int { min: 0, max: 4_294_967_295 }, default: "1", label: "Seed" },
    Spec { key: "backend", kind: Kind::Choice(&["auto", "webgpu", "cpu"]), default: "auto", label: "Backend" },
    Spec { key: "dist", kind: Kind::Choice(Dist::NAMES), default: "ring8", label: "Data" },
    Spec { key: "batch", kind: Kind::Int { min: 1, max: 4096 }, default: "256", label: "Batch size" },
    Spec { key: "latentDim", kind: Kind::Int { min: 1, max: 64 }, default: "2", label: "Latent dim" },
    Spec { key: "gLayers", kind: Kind::Int { min: 0, max: 6 }, default: "2", label: "G hidden layers" },
    Spec { key: "gWidth", kind: Kind::Int { min: 1, max: 512 }, default: "64", label: "G width" },
    Spec { key: "dLayers", kind: Kind::Int { min: 0, max: 6 }, default: "2", label: "D hidden layers" },
    Spec { key: "dWidth", kind: Kind::Int { min: 1, max: 512 }, default: "64", label: "D width" },
    Spec { key: "activation", kind: Kind::Choice(Activation::NAMES), default: "relu", label: "Activation" },
    Spec { key: "loss", kind: Kind::Choice(GanLoss::NAMES), default: "ns", label: "Loss" },
    Spec { key: "optD", kind: OPTS, default: "adam", label: "D optimiser" },
    Spec { key: "optG", kind: OPTS, default: "adam", label: "G optimiser" },
    Spec { key: "lrD", kind: Kind::Float { min: 1e-6, max: 1000.0 }, default: "0.001", label: "D learning rate" },
    Spec { key: "lrG", kind: Kind::Float { min: 1e-6, max: 1000.0 }, default: "0.001", label: "G learning rate" },
    Spec { key: "beta1", kind: Kind::Float { min: 0.0, max: 0.999 }, default: "0.5", label: "Adam β1 / momentum" },
    Spec { key: "beta2", kind: Kind::Float { min: 0.0, max: 0.9999 }, default: "0.999", label: "Adam β2" },
    Spec { key: "kD", kind: Kind::Int { min: 1, max: 20 }, default: "1", label: "D steps" },
    Spec { key: "kG", kind: Kind::Int { min: 1, max: 20 }, default: "1", label: "G steps" },
];

/// Typed view of the settings the trainer needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ToyConfig {
    pub seed: u64,
    pub dist: Dist,
    pub batch: usize,
    pub latent_dim: usize,
    pub generator: MlpShape,
    pub discriminator: MlpShape,
    pub loss: GanLoss,
    pub opt_d: OptimizerKind,
    pub opt_g: OptimizerKind,
    pub lr_d: f64,
    pub lr_g: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub k_d: usize,
    pub k_g: usize,
}

impl ToyConfig {
    /// Settings hold only values that passed the table's checks, so the parses below succeed.
    pub fn from_settings(s: &Settings) -> Self {
        let activation = Activation::parse(s.choice("activation")).unwrap_or(Activation::Relu);
        let latent_dim = s.int("latentDim") as usize;
        Self {
            seed: s.int("seed") as u64,
            dist: Dist::parse(s.choice("dist")).unwrap_or(Dist::Ring8),
            batch: s.int("batch") as usize,
            latent_dim,
            generator: MlpShape {
                input: latent_dim,
                hidden_layers: s.int("gLayers") as usize,
                width: s.int("gWidth") as usize,
                output: 2,
                activation,
            },
            discriminator: MlpShape {
                input: 2,
                hidden_layers: s.int("dLayers") as usize,
                width: s.int("dWidth") as usize,
                output: 1,
                activation,
            },
            loss: GanLoss::parse(s.choice("loss")).unwrap_or(GanLoss::NonSaturating),
            opt_d: OptimizerKind::parse(s.choice("optD")).unwrap_or(OptimizerKind::Adam),
            opt_g: OptimizerKind::parse(s.choice("optG")).unwrap_or(OptimizerKind::Adam),
            lr_d: s.float("lrD"),
            lr_g: s.float("lrG"),
            beta1: s.float("beta1"),
            beta2: s.float("beta2"),
            k_d: s.int("kD") as usize,
            k_g: s.int("kG") as usize,
        }
    }

    pub fn defaults() -> Self {
        Self::from_settings(&Settings::defaults(TOY_SETTINGS))
    }
}

/// Number of fixed-noise samples drawn as "generated" dots (each keeps its identity).
pub const VIEW_SAMPLES: usize = 512;
/// Resolution of the D(x) heatmap grid.
pub const HEATMAP_RES: usize = 48;

/// Plain numbers for the views: no tensors, so it can live in UI state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ToySnapshot {
    pub step: u64,
    pub loss_d: f32,
    pub loss_g: f32,
    /// `[VIEW_SAMPLES, 2]` generated points from the fixed noise batch.
    pub fake: Vec<f32>,
    /// `[HEATMAP_RES, HEATMAP_RES]` discriminator output, row-major from the top-left, as a
    /// probability for the log losses and the raw value otherwise; empty when not requested.
    pub d_grid: Vec<f32>,
    pub d_is_probability: bool,
}

impl ToySnapshot {
    /// Whether losses and parameters-derived outputs are all finite (divergence check).
    pub fn is_finite(&self) -> bool {
        self.loss_d.is_finite() && self.loss_g.is_finite() && self.fake.iter().all(|v| v.is_finite())
    }
}

pub struct ToyGan {
    pub config: ToyConfig,
    device: Device,
    mixture: GaussianMixture,
    generator: Mlp,
    discriminator: Mlp,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    data_rng: SeededRng,
    noise_rng: SeededRng,
    fixed_noise: Tensor<2>,
    heatmap_points: Tensor<2>,
    /// Fixed real samples for display, drawn once per reset.
    pub real_view: Vec<f32>,
    /// `[2]`: the last D and G losses (still on the device; read with the snapshot).
    last_losses: Tensor<1>,
    pub step: u64,
}

impl ToyGan {
    /// `device` is the execution device (CPU or WebGPU); autodiff is layered on here.
    pub fn new(config: ToyConfig, device: &Device) -> Self {
        let device = device.clone().autodiff();
        let mut root = SeededRng::new(config.seed);
        let mut init_rng = root.fork();
        let mut data_rng = root.fork();
        let mut noise_rng = root.fork();
        let mixture = config.dist.mixture();
        let generator = config.generator.init(&mut init_rng, &device);
        let discriminator = config.discriminator.init(&mut init_rng, &device);
        let real_view = mixture.sample(VIEW_SAMPLES, &mut data_rng);
        let fixed_noise = noise(VIEW_SAMPLES, config.latent_dim, &mut noise_rng, &device);
        let heatmap_points = heatmap_grid(config.dist.view_radius(), &device);
        let mut gan = Self {
            opt_g: config.opt_g.build(config.beta1, config.beta2),
            opt_d: config.opt_d.build(config.beta1, config.beta2),
            last_losses: Tensor::zeros([2], &device),
            config,
            device,
            mixture,
            generator,
            discriminator,
            data_rng,
            noise_rng,
            fixed_noise,
            heatmap_points,
            real_view,
            step: 0,
        };
        gan.last_losses = gan.evaluate_losses();
        gan
    }

    /// D and G losses of the current networks on a fresh batch, without training: what the
    /// page shows before the first step.
    fn evaluate_losses(&mut self) -> Tensor<1> {
        let c = self.config.clone();
        let real = self.real_batch(); // [batch, 2]
        let z = noise(c.batch, c.latent_dim, &mut self.noise_rng, &self.device); // [batch, latent]
        let fake = self.generator.forward(z).detach(); // [batch, 2]
        let d_fake = self.discriminator.forward(fake); // [batch, 1]
        let loss_d = c.loss.d_loss(self.discriminator.forward(real), d_fake.clone()).detach(); // [1]
        let loss_g = c.loss.g_loss(d_fake).detach(); // [1]
        Tensor::cat(vec![loss_d, loss_g], 0)
    }

    pub fn mixture(&self) -> &GaussianMixture {
        &self.mixture
    }

    /// One training iteration: `kD` discriminator steps, then `kG` generator steps.
    pub fn train_step(&mut self) {
        let c = self.config.clone();
        let mut loss_d = None;
        for _ in 0..c.k_d {
            let real = self.real_batch(); // [batch, 2]
            let z = noise(c.batch, c.latent_dim, &mut self.noise_rng, &self.device); // [batch, latent]
            // detach: the D step must not push gradients into G
            let fake = self.generator.forward(z).detach(); // [batch, 2]
            let loss = c.loss.d_loss(self.discriminator.forward(real), self.discriminator.forward(fake)); // [1]
            let grads = GradientsParams::from_grads(loss.backward(), &self.discriminator);
            self.discriminator = self.opt_d.step(c.lr_d, self.discriminator.clone(), grads);
            loss_d = Some(loss.detach());
        }
        let mut loss_g = None;
        for _ in 0..c.k_g {
            let z = noise(c.batch, c.latent_dim, &mut self.noise_rng, &self.device); // [batch, latent]
            let fake = self.generator.forward(z); // [batch, 2]
            let loss = c.loss.g_loss(self.discriminator.forward(fake)); // [1]
            // Only G's parameters are collected, so D is left unchanged by this step.
            let grads = GradientsParams::from_grads(loss.backward(), &self.generator);
            self.generator = self.opt_g.step(c.lr_g, self.generator.clone(), grads);
            loss_g = Some(loss.detach());
        }
        if let (Some(d), Some(g)) = (loss_d, loss_g) {
            self.last_losses = Tensor::cat(vec![d, g], 0);
        }
        self.step += 1;
    }

    fn real_batch(&mut self) -> Tensor<2> {
        let data = self.mixture.sample(self.config.batch, &mut self.data_rng);
        Tensor::from_data(TensorData::new(data, [self.config.batch, 2]), &self.device)
    }

    /// Everything the views need, as one flat tensor: `[2 + 2·VIEW_SAMPLES (+ HEATMAP_RES²)]`.
    fn view_tensor(&self, with_heatmap: bool) -> Tensor<1> {
        let fake = self.generator.forward(self.fixed_noise.clone()).detach(); // [VIEW_SAMPLES, 2]
        let mut parts = vec![self.last_losses.clone(), fake.reshape([2 * VIEW_SAMPLES])];
        if with_heatmap {
            let d = self.discriminator.forward(self.heatmap_points.clone()).detach(); // [RES², 1]
            let d = if self.config.loss.outputs_probability() { activation::sigmoid(d) } else { d };
            parts.push(d.reshape([HEATMAP_RES * HEATMAP_RES]));
        }
        Tensor::cat(parts, 0)
    }

    /// Reads the views' data back with one async transfer (the only kind WebGPU allows).
    /// The future owns what it reads, so the trainer is free again as soon as this returns.
    /// `with_heatmap` adds D(x) on the grid, the costliest view (`d_grid` is empty otherwise).
    pub fn snapshot(&self, with_heatmap: bool) -> impl Future<Output = Result<ToySnapshot, String>> + 'static {
        let tensor = self.view_tensor(with_heatmap);
        let (step, d_is_probability) = (self.step, self.config.loss.outputs_probability());
        async move {
            let v = read_f32(tensor).await?;
            let fake_end = 2 + 2 * VIEW_SAMPLES;
            let expected = fake_end + if with_heatmap { HEATMAP_RES * HEATMAP_RES } else { 0 };
            if v.len() != expected {
                return Err(format!("the device returned {} values for the views, expected {expected}", v.len()));
            }
            Ok(ToySnapshot {
                step,
                loss_d: v[0],
                loss_g: v[1],
                fake: v[2..fake_end].to_vec(),
                d_grid: v[fake_end..].to_vec(),
                d_is_probability,
            })
        }
    }

    /// `n` fresh generated samples (not the fixed view batch) as `[n, 2]`, read asynchronously.
    pub fn samples(&mut self, n: usize) -> impl Future<Output = Result<Vec<f32>, String>> + 'static {
        let z = noise(n, self.config.latent_dim, &mut self.noise_rng, &self.device);
        read_f32(self.generator.forward(z).detach().reshape([2 * n]))
    }

    /// Applies a new configuration without losing training state when only settings that the
    /// running networks and optimisers can absorb changed (learning rates, step ratio, loss,
    /// batch). Returns false when the networks or optimisers must be rebuilt (a reset).
    pub fn apply_live(&mut self, new: &ToyConfig) -> bool {
        let live = ToyConfig {
            lr_d: new.lr_d,
            lr_g: new.lr_g,
            k_d: new.k_d,
            k_g: new.k_g,
            loss: new.loss,
            batch: new.batch,
            ..self.config.clone()
        };
        if live != *new {
            return false;
        }
        self.config = live;
        true
    }
}

async fn read_f32(t: Tensor<1>) -> Result<Vec<f32>, String> {
    let data = t.into_data_async().await.map_err(|e| format!("reading back from the device failed: {e:?}"))?;
    data.try_to_vec::<f32>().map_err(|e| format!("unexpected tensor data: {e:?}"))
}

/// Standard normal noise `[n, dim]` from the seeded CPU stream.
fn noise(n: usize, dim: usize, rng: &mut SeededRng, device: &Device) -> Tensor<2> {
    let v: Vec<f32> = (0..n * dim).map(|_| rng.normal()).collect();
    Tensor::from_data(TensorData::new(v, [n, dim]), device)
}

/// Cell centres of the heatmap over [-r, r]², row 0 at the top (largest y).
fn heatmap_grid(r: f32, device: &Device) -> Tensor<2> {
    let h = 2.0 * r / HEATMAP_RES as f32;
    let mut v = Vec::with_capacity(2 * HEATMAP_RES * HEATMAP_RES);
    for row in 0..HEATMAP_RES {
        for col in 0..HEATMAP_RES {
            v.push(-r + (col as f32 + 0.5) * h);
            v.push(r - (row as f32 + 0.5) * h);
        }
    }
    Tensor::from_data(TensorData::new(v, [HEATMAP_RES * HEATMAP_RES, 2]), device)
}
