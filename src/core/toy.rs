//! The toy 2-D GAN: settings table, the two-optimiser training step, and the snapshot the
//! views draw. Everything the page shows per frame comes from one tensor read back at once;
//! what needs only plain numbers (divergences, D*, the value of the game) is computed from
//! that snapshot on the CPU by `analyse`.

use crate::core::checkpoint::{Checkpoint, Weights};
use crate::core::critic::{Critic, SpectralNorm};
use crate::core::data::{decode_drawing, Dist, Target};
use crate::core::loss::GanLoss;
use crate::core::metrics::{self, Divergences};
use crate::core::model::{Activation, Mlp, MlpShape};
use crate::core::optim::OptimizerKind;
use crate::core::rng::SeededRng;
use crate::core::settings::{Kind, Settings, Spec};
use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor, TensorData};
use std::future::Future;
use std::sync::Arc;

const OPTS: Kind = Kind::Choice(OptimizerKind::NAMES);
const OFF_ON: Kind = Kind::Choice(&["off", "on"]);
/// Up to absurd rates on purpose: a student may push a rate to its end and should see the
/// divergence the page then catches (docs/robustness.md).
const RATE: Kind = Kind::Float { min: 1e-6, max: 1000.0 };

/// The views a page can toggle (setting `views`).
pub const VIEW_NAMES: &[&str] = &["real", "fake", "heat", "grads", "manifold", "dstar"];

/// The toy demo's settings. Keys are the public names used in links and the API.
pub const TOY_SETTINGS: &[Spec] = &[
    Spec { key: "seed", kind: Kind::Int { min: 0, max: 4_294_967_295 }, default: "1", label: "Seed" },
    Spec { key: "backend", kind: Kind::Choice(&["auto", "webgpu", "cpu"]), default: "auto", label: "Backend" },
    Spec { key: "dist", kind: Kind::Choice(Dist::NAMES), default: "ring8-wide", label: "Data" },
    Spec { key: "drawing", kind: Kind::Text { max_len: 2000 }, default: "", label: "Drawing" },
    Spec { key: "noise", kind: Kind::Choice(&["gaussian", "uniform"]), default: "gaussian", label: "Noise prior" },
    Spec { key: "latentDim", kind: Kind::Int { min: 1, max: 64 }, default: "2", label: "Latent dim" },
    Spec { key: "gLayers", kind: Kind::Int { min: 0, max: 6 }, default: "2", label: "G hidden layers" },
    Spec { key: "gWidth", kind: Kind::Int { min: 1, max: 512 }, default: "64", label: "G width" },
    Spec { key: "dLayers", kind: Kind::Int { min: 0, max: 6 }, default: "2", label: "D hidden layers" },
    Spec { key: "dWidth", kind: Kind::Int { min: 1, max: 512 }, default: "64", label: "D width" },
    Spec { key: "activation", kind: Kind::Choice(Activation::NAMES), default: "relu", label: "Activation" },
    Spec { key: "loss", kind: Kind::Choice(GanLoss::NAMES), default: "ns", label: "Loss" },
    Spec { key: "clip", kind: Kind::Float { min: 1e-4, max: 10.0 }, default: "0.01", label: "WGAN clip c" },
    Spec { key: "gpWeight", kind: Kind::Float { min: 0.0, max: 1000.0 }, default: "1", label: "Gradient penalty λ" },
    Spec { key: "optD", kind: OPTS, default: "adam", label: "D optimiser" },
    Spec { key: "optG", kind: OPTS, default: "adam", label: "G optimiser" },
    Spec { key: "lrD", kind: RATE, default: "0.001", label: "D learning rate" },
    Spec { key: "lrG", kind: RATE, default: "0.001", label: "G learning rate" },
    Spec { key: "beta1", kind: Kind::Float { min: 0.0, max: 0.999 }, default: "0.5", label: "Adam β1 / momentum" },
    Spec { key: "beta2", kind: Kind::Float { min: 0.0, max: 0.9999 }, default: "0.999", label: "Adam β2" },
    Spec { key: "kD", kind: Kind::Int { min: 1, max: 20 }, default: "1", label: "D steps" },
    Spec { key: "kG", kind: Kind::Int { min: 1, max: 20 }, default: "1", label: "G steps" },
    Spec { key: "batch", kind: Kind::Int { min: 1, max: 4096 }, default: "256", label: "Batch size" },
    Spec { key: "labelSmoothing", kind: Kind::Float { min: 0.0, max: 0.5 }, default: "0", label: "Label smoothing" },
    Spec { key: "instanceNoise", kind: Kind::Float { min: 0.0, max: 2.0 }, default: "0", label: "Instance noise σ₀" },
    Spec { key: "noiseAnneal", kind: Kind::Int { min: 1, max: 1_000_000 }, default: "2000", label: "Noise anneal steps" },
    Spec { key: "spectralNorm", kind: OFF_ON, default: "off", label: "Spectral norm (D)" },
    Spec { key: "r1", kind: Kind::Float { min: 0.0, max: 1000.0 }, default: "0", label: "R1 penalty γ" },
    Spec { key: "ema", kind: Kind::Float { min: 0.0, max: 0.9999 }, default: "0", label: "G weight averaging β (EMA)" },
    Spec { key: "views", kind: Kind::Set(VIEW_NAMES), default: "real,fake,heat", label: "Views" },
];

/// The noise prior p(z).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prior {
    /// N(0, I).
    Gaussian,
    /// U[−1, 1]^d.
    Uniform,
}

impl Prior {
    /// The latent square the manifold view spans: ±2σ for the Gaussian, all of it for U.
    pub fn lattice_half_width(self) -> f32 {
        match self {
            Self::Gaussian => 2.0,
            Self::Uniform => 1.0,
        }
    }
}

/// Typed view of the settings the trainer needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ToyConfig {
    pub seed: u64,
    pub dist: Dist,
    /// The decoded `drawing` setting (used when `dist` is `drawn`); shared, so the per-step
    /// copies of the config do not copy the strokes.
    pub drawing: Arc<Result<Vec<Vec<[f32; 2]>>, String>>,
    pub prior: Prior,
    pub batch: usize,
    pub latent_dim: usize,
    pub generator: MlpShape,
    pub discriminator: MlpShape,
    pub loss: GanLoss,
    pub clip: f32,
    pub gp_weight: f32,
    pub opt_d: OptimizerKind,
    pub opt_g: OptimizerKind,
    pub lr_d: f64,
    pub lr_g: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub k_d: usize,
    pub k_g: usize,
    pub label_smoothing: f32,
    pub instance_noise: f32,
    pub noise_anneal: u64,
    pub spectral_norm: bool,
    pub r1: f32,
    /// Generator averaging: β of an exponential moving average of G's weights (0: off). The
    /// views and metrics then show the averaged generator; training still moves G itself.
    pub ema: f32,
    /// Unrolled D steps behind each G step (0: off). Used by the mode-collapse lab.
    pub unroll: usize,
    /// The minibatch standard-deviation feature in D.
    pub minibatch_std: bool,
    /// Samples D sees at once (PacGAN packing; 1: off).
    pub pack: usize,
}

/// The most floating-point work one training iteration may take on the CPU backend: there
/// a step runs on the page's main thread, and the scheduler runs at least one step a frame,
/// so a bigger iteration would freeze the tab for seconds. On these machines an iteration of
/// 0.33 GFLOP (4 × 512 layers, batch 16) took 0.6–0.9 s in wasm (docs/robustness.md gives the
/// command), so at the cap a frame takes about a second here; WebGPU work runs off the main
/// thread: no cap.
pub const CPU_ITERATION_FLOP_LIMIT: f64 = 5e8;

impl ToyConfig {
    /// Estimated floating-point operations of one iteration (kD D-steps and kG G-steps):
    /// a training pass counts as three forward passes (forward, and backward to activations
    /// and to weights); a gradient penalty doubles D's step; unrolling adds D-steps to each
    /// G-step. Used to refuse sizes the CPU backend cannot train without freezing the page.
    pub fn iteration_flops(&self) -> f64 {
        let b = self.batch as f64;
        let (g, d) = (self.generator.forward_flops(), MlpShape { input: 2 * self.pack, ..self.discriminator.clone() }.forward_flops());
        let penalty = if self.loss == GanLoss::WassersteinGp || self.r1 > 0.0 { 2.0 } else { 1.0 };
        let d_step = penalty * 3.0 * d * 2.0 * b + g * b * self.pack as f64;
        let g_step = 3.0 * (g * self.pack as f64 + d) * b + self.unroll as f64 * d_step;
        self.k_d as f64 * d_step + self.k_g as f64 * g_step
    }

    /// Settings hold only values that passed the table's checks, so the parses below succeed.
    pub fn from_settings(s: &Settings) -> Self {
        let activation = Activation::parse(s.choice("activation")).unwrap_or(Activation::Relu);
        let latent_dim = s.int("latentDim") as usize;
        let shape = |input, layers: &str, width: &str, output| MlpShape {
            input,
            hidden_layers: s.int(layers) as usize,
            width: s.int(width) as usize,
            output,
            activation,
        };
        Self {
            seed: s.int("seed") as u64,
            dist: Dist::parse(s.choice("dist")).unwrap_or(Dist::Ring8Wide),
            drawing: Arc::new(decode_drawing(s.text_value("drawing"))),
            prior: if s.choice("noise") == "uniform" { Prior::Uniform } else { Prior::Gaussian },
            batch: s.int("batch") as usize,
            latent_dim,
            generator: shape(latent_dim, "gLayers", "gWidth", 2),
            discriminator: shape(2, "dLayers", "dWidth", 1),
            loss: GanLoss::parse(s.choice("loss")).unwrap_or(GanLoss::NonSaturating),
            clip: s.float("clip") as f32,
            gp_weight: s.float("gpWeight") as f32,
            opt_d: OptimizerKind::parse(s.choice("optD")).unwrap_or(OptimizerKind::Adam),
            opt_g: OptimizerKind::parse(s.choice("optG")).unwrap_or(OptimizerKind::Adam),
            lr_d: s.float("lrD"),
            lr_g: s.float("lrG"),
            beta1: s.float("beta1"),
            beta2: s.float("beta2"),
            k_d: s.int("kD") as usize,
            k_g: s.int("kG") as usize,
            label_smoothing: s.float("labelSmoothing") as f32,
            instance_noise: s.float("instanceNoise") as f32,
            noise_anneal: s.int("noiseAnneal") as u64,
            spectral_norm: s.choice("spectralNorm") == "on",
            r1: s.float("r1") as f32,
            ema: s.float("ema") as f32,
            // the mode-collapse lab's remedies: off here, its `run_config` sets them
            unroll: 0,
            minibatch_std: false,
            pack: 1,
        }
    }

    pub fn defaults() -> Self {
        Self::from_settings(&Settings::defaults(TOY_SETTINGS))
    }

    /// The data distribution, or why there is none (an empty or corrupt drawing).
    pub fn target(&self) -> Result<Target, String> {
        match (self.drawing.as_ref(), self.dist) {
            (Err(e), Dist::Drawn) => Err(format!("The drawing in the link cannot be read: {e}.")),
            (Ok(d), dist) => dist.target(d),
            (Err(_), dist) => dist.target(&[]),
        }
    }

    /// Instance-noise σ at `step`: σ₀ annealed linearly to 0 over `noise_anneal` steps.
    pub fn noise_sigma(&self, step: u64) -> f32 {
        self.instance_noise * (1.0 - step as f32 / self.noise_anneal as f32).max(0.0)
    }
}

/// Fixed samples drawn as dots (each generated dot keeps its identity: fixed noise), and used
/// for the divergences and D*.
pub const VIEW_SAMPLES: usize = 1024;
/// Resolution of the D(x) heatmap grid.
pub const HEATMAP_RES: usize = 48;
/// Latent lattice lines per side in the manifold view (for a latent dimension ≥ 2).
pub const MANIFOLD_RES: usize = 21;

/// The views that cost a grid evaluation; refreshed on "full" frames only.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FullView {
    /// `[HEATMAP_RES²]` D's raw output on the grid, row-major from the top-left.
    pub d_grid: Vec<f32>,
    /// `[VIEW_SAMPLES]` D's raw output at the fixed real and generated samples.
    pub d_real: Vec<f32>,
    pub d_fake: Vec<f32>,
    /// `[VIEW_SAMPLES, 2]`: −∂ℓ_G/∂x at each generated sample, where G's loss pushes it.
    pub pull: Vec<f32>,
    /// `[rows · cols, 2]`: the latent lattice mapped through G.
    pub manifold: Vec<f32>,
    pub manifold_shape: (usize, usize),
}

/// Plain numbers for the views: no tensors, so it can live in UI state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ToySnapshot {
    /// Iterations (kD D-steps + kG G-steps each) and single network updates so far.
    pub step: u64,
    pub d_updates: u64,
    pub g_updates: u64,
    pub loss_d: f32,
    pub loss_g: f32,
    /// The largest weight or bias magnitude in G and D (see `EXPLODED_WEIGHT`).
    pub largest_weight: f32,
    /// `[VIEW_SAMPLES, 2]` generated points from the fixed noise batch.
    pub fake: Vec<f32>,
    pub full: Option<FullView>,
}

/// A weight this large means training has blown up. These networks train with weights of
/// order 1 (initialised at ±1/√fan-in); an absurd rate can drive them into the thousands while
/// every loss stays finite (Adam with lrD = 1000 moves D's weights by up to ~1000 a step, saturates D
/// and freezes G), which a NaN check alone would never report.
pub const EXPLODED_WEIGHT: f32 = 1e3;

impl ToySnapshot {
    /// Whether losses, weights and generated samples are all finite.
    pub fn is_finite(&self) -> bool {
        self.loss_d.is_finite() && self.loss_g.is_finite() && self.largest_weight.is_finite() && self.fake.iter().all(|v| v.is_finite())
    }

    /// What went wrong when training has diverged: a non-finite value, or a weight past
    /// `EXPLODED_WEIGHT`.
    pub fn divergence(&self) -> Option<String> {
        if !self.is_finite() {
            Some("a loss, a weight or a generated sample became NaN or infinite".into())
        } else if self.largest_weight > EXPLODED_WEIGHT {
            Some(format!("a network weight reached {:.1e} (healthy ones stay near 1)", self.largest_weight))
        } else {
            None
        }
    }
}

/// Cloning is cheap (tensors are shared handles) and gives an independent run from this
/// point: the page keeps one as the state to go back to when a change is undone.
#[derive(Clone)]
pub struct ToyGan {
    pub config: ToyConfig,
    device: Device,
    target: Target,
    generator: Mlp,
    /// The moving average of G's weights (`ema` > 0), what the views show.
    averaged: Option<Mlp>,
    discriminator: Mlp,
    spectral: Option<SpectralNorm>,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    data_rng: SeededRng,
    noise_rng: SeededRng,
    fixed_noise: Tensor<2>,
    heatmap_points: Tensor<2>,
    lattice: Tensor<2>,
    lattice_shape: (usize, usize),
    /// Fixed real samples for display and metrics, drawn once per reset.
    pub real_view: Vec<f32>,
    /// How many fixed samples of each kind the views hold.
    pub view_samples: usize,
    /// Full snapshots hold D's heatmap only (no D at the samples, pull or manifold): what the
    /// mode-collapse lab draws, at a fraction of the cost.
    pub heat_only: bool,
    real_view_tensor: Tensor<2>,
    /// `[2]`: the last D and G losses (still on the device; read with the snapshot).
    last_losses: Tensor<1>,
    pub step: u64,
    pub d_updates: u64,
    pub g_updates: u64,
}

impl ToyGan {
    /// `device` is the execution device (CPU or WebGPU); autodiff is layered on here. Fails
    /// only when there is no data distribution (an empty or unreadable drawing).
    pub fn new(config: ToyConfig, device: &Device) -> Result<Self, String> {
        Self::with_view_samples(config, device, VIEW_SAMPLES)
    }

    /// The same with `view_samples` fixed real and generated samples in each snapshot (the
    /// mode-collapse lab measures on 2,500, as the papers do).
    pub fn with_view_samples(config: ToyConfig, device: &Device, view_samples: usize) -> Result<Self, String> {
        let target = config.target()?;
        let device = device.clone().autodiff();
        let mut root = SeededRng::new(config.seed);
        let mut init_rng = root.fork();
        let mut data_rng = root.fork();
        let mut noise_rng = root.fork();
        let mut sn_rng = root.fork();
        let generator = config.generator.init(&mut init_rng, &device);
        let averaged = (config.ema > 0.0).then(|| generator.clone());
        // packing widens D's input to m samples; the minibatch feature adds one last-layer input
        let d_shape = MlpShape { input: 2 * config.pack, ..config.discriminator.clone() };
        let discriminator = d_shape.init_with_extra_input(config.minibatch_std as usize, &mut init_rng, &device);
        let spectral = config.spectral_norm.then(|| SpectralNorm::new(&discriminator, &mut sn_rng, &device));
        let real_view = target.sample(view_samples, &mut data_rng);
        let real_view_tensor = Tensor::from_data(TensorData::new(real_view.clone(), [view_samples, 2]), &device);
        let fixed_noise = noise(config.prior, view_samples, config.latent_dim, &mut noise_rng, &device);
        let heatmap_points = heatmap_grid(config.dist.view_radius(), &device);
        let (lattice, lattice_shape) = latent_lattice(config.prior, config.latent_dim, &device);
        let mut gan = Self {
            opt_g: config.opt_g.build(config.beta1, config.beta2),
            opt_d: config.opt_d.build(config.beta1, config.beta2),
            last_losses: Tensor::zeros([2], &device),
            config,
            device,
            target,
            averaged,
            generator,
            discriminator,
            spectral,
            data_rng,
            noise_rng,
            fixed_noise,
            heatmap_points,
            lattice,
            lattice_shape,
            real_view,
            view_samples,
            heat_only: false,
            real_view_tensor,
            step: 0,
            d_updates: 0,
            g_updates: 0,
        };
        gan.last_losses = gan.evaluate_losses();
        Ok(gan)
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Every weight and bias of D, read synchronously: native only (a synchronous read panics
    /// on WebGPU, so the web build does not have this).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn discriminator_weights(&self) -> Vec<f32> {
        let mut out = Vec::new();
        for l in &self.discriminator.layers {
            out.extend(l.weight.val().into_data().iter::<f32>());
            if let Some(b) = &l.bias {
                out.extend(b.val().into_data().iter::<f32>());
            }
        }
        out
    }

    /// D as it is used now (weights divided by σ under spectral norm). `iterate` refines the
    /// spectral-norm estimate first (once per D update).
    fn critic(&mut self, iterate: bool) -> Critic {
        let inv = self.spectral.as_mut().map(|sn| sn.inverse_sigmas(&self.discriminator, iterate));
        self.with_features(Critic::of(&self.discriminator, inv.as_deref()))
    }

    /// The same without refining (views and G steps): leaves the power iteration untouched.
    fn critic_now(&self) -> Critic {
        let critic = match &self.spectral {
            Some(sn) => {
                let inv = sn.inverse_sigmas_fixed(&self.discriminator);
                Critic::of(&self.discriminator, Some(&inv))
            }
            None => Critic::of(&self.discriminator, None),
        };
        self.with_features(critic)
    }

    fn with_features(&self, critic: Critic) -> Critic {
        if self.config.minibatch_std {
            critic.with_minibatch_std()
        } else {
            critic
        }
    }

    /// PacGAN packing: `[m·n, 2]` → `[n, 2m]`, each row m consecutive samples side by side.
    fn pack(&self, x: Tensor<2>) -> Tensor<2> {
        let m = self.config.pack;
        let [rows, d] = x.dims();
        x.reshape([rows / m, d * m])
    }

    /// D's reading of single points: each point repeated m times (D of a pack of m copies).
    fn replicate(&self, x: Tensor<2>) -> Tensor<2> {
        match self.config.pack {
            1 => x,
            m => x.repeat_dim(1, m),
        }
    }

    /// D and G losses of the current networks on a fresh batch, without training: what the
    /// page shows before the first step.
    fn evaluate_losses(&mut self) -> Tensor<1> {
        let c = self.config.clone();
        let real = self.real_batch(); // [batch·m, 2]
        let fake = self.generate_constant(c.batch * c.pack); // [batch·m, 2]
        let (real, fake) = (self.pack(real), self.pack(fake)); // [batch, 2m] each
        let critic = self.critic_now();
        let d_fake = critic.forward(fake); // [batch, 1]
        let loss_d = c.loss.d_loss(critic.forward(real), d_fake.clone()).detach(); // [1]
        let loss_g = c.loss.g_loss(d_fake).detach(); // [1]
        Tensor::cat(vec![loss_d, loss_g], 0)
    }

    /// One training iteration: `kD` discriminator steps, then `kG` generator steps.
    pub fn train_step(&mut self) {
        let mut loss_d = None;
        for _ in 0..self.config.k_d {
            loss_d = Some(self.d_step());
        }
        let mut loss_g = None;
        for _ in 0..self.config.k_g {
            loss_g = Some(self.g_step());
        }
        if let (Some(d), Some(g)) = (loss_d, loss_g) {
            self.last_losses = Tensor::cat(vec![d, g], 0);
        }
        self.step += 1;
    }

    /// One discriminator update alone (the page's "step D").
    pub fn step_d_only(&mut self) {
        let d = self.d_step();
        let g = self.last_losses.clone().slice([1..2]);
        self.last_losses = Tensor::cat(vec![d, g], 0);
    }

    /// One generator update alone (the page's "step G").
    pub fn step_g_only(&mut self) {
        let g = self.g_step();
        let d = self.last_losses.clone().slice([0..1]);
        self.last_losses = Tensor::cat(vec![d, g], 0);
    }

    fn d_step(&mut self) -> Tensor<1> {
        let c = self.config.clone();
        let sigma = c.noise_sigma(self.step);
        let real = self.real_batch(); // [batch·m, 2]
        // a constant: the D step must not push gradients into G
        let fake = self.generate_constant(c.batch * c.pack); // [batch·m, 2]
        let (real, fake) = (self.instance_noise(real, sigma), self.instance_noise(fake, sigma));
        let (real, fake) = (self.pack(real), self.pack(fake)); // [batch, 2m] each
        let critic = self.critic(true);
        let (d_real, d_fake) = if c.minibatch_std {
            // the batch statistic must come from each batch alone
            (critic.forward(real.clone()), critic.forward(fake.clone()))
        } else {
            // one pass over real and generated together: half the ops of two passes, same numbers
            let both = critic.forward(Tensor::cat(vec![real.clone(), fake.clone()], 0)); // [2·batch, 1]
            (both.clone().slice([0..c.batch]), both.slice([c.batch..2 * c.batch])) // [batch, 1] each
        };
        let mut loss = c.loss.d_loss_smoothed(d_real, d_fake, c.label_smoothing); // [1]
        if c.loss == GanLoss::WassersteinGp && c.gp_weight > 0.0 {
            // λ E[(‖∇D(x̂)‖ − 1)²] on random points between real and generated samples
            let eps = self.uniform_column(c.batch); // [batch, 1]
            let between = real.clone() * eps.clone() + fake * (eps.neg() + 1.0); // [batch, 2]
            let (_, grad) = critic.output_and_input_gradient(between); // [batch, 2m]
            let norm = (grad.powi_scalar(2).sum_dim(1) + 1e-12).sqrt(); // [batch, 1]
            loss = loss + (norm - 1.0).powi_scalar(2).mean() * c.gp_weight;
        }
        if c.r1 > 0.0 {
            // R1: (γ/2) E_real ‖∇D(x)‖² (Mescheder et al. 2018)
            let (_, grad) = critic.output_and_input_gradient(real); // [batch, 2m]
            loss = loss + grad.powi_scalar(2).sum_dim(1).mean() * (0.5 * c.r1);
        }
        let grads = GradientsParams::from_grads(loss.backward(), &self.discriminator);
        self.discriminator = self.opt_d.step(c.lr_d, self.discriminator.clone(), grads);
        if c.loss == GanLoss::Wasserstein {
            self.discriminator = self.discriminator.clone().clip(c.clip);
        }
        self.d_updates += 1;
        loss.detach()
    }

    fn g_step(&mut self) -> Tensor<1> {
        let c = self.config.clone();
        // Unrolled GAN, first order (Metz et al. 2017 without the term through the unrolled
        // updates, which needs second derivatives): advance D `unroll` steps, take G's loss
        // against that future D, then put D, its optimiser and its spectral-norm state back.
        let saved = (c.unroll > 0).then(|| (self.discriminator.clone(), self.opt_d.clone(), self.spectral.clone()));
        for _ in 0..c.unroll {
            self.d_step();
        }
        let sigma = c.noise_sigma(self.step);
        let fake = self.generate(c.batch * c.pack); // [batch·m, 2]
        let fake = self.instance_noise(fake, sigma);
        let loss = c.loss.g_loss(self.critic_now().frozen().forward(self.pack(fake))); // [1]
        // Only G's parameters are collected, so D is left unchanged by this step.
        let grads = GradientsParams::from_grads(loss.backward(), &self.generator);
        self.generator = self.opt_g.step(c.lr_g, self.generator.clone(), grads);
        self.g_updates += 1;
        self.update_average();
        if let Some((d, opt, spectral)) = saved {
            (self.discriminator, self.opt_d, self.spectral) = (d, opt, spectral);
            self.d_updates -= c.unroll as u64; // the look-ahead steps were not kept
        }
        loss.detach()
    }

    /// One step of generator averaging after a G update. β ramps up as min(β, (1 + t)/(10 + t))
    /// over G's first updates t (the warm-up of TensorFlow's ExponentialMovingAverage), so the
    /// average forgets the random initial G within tens of steps rather than thousands.
    fn update_average(&mut self) {
        if let Some(avg) = self.averaged.take() {
            let t = self.g_updates as f32;
            let beta = self.config.ema.min((1.0 + t) / (10.0 + t));
            self.averaged = Some(avg.moving_average(&self.generator, beta));
        }
    }

    /// The generator the views and metrics show: the averaged one when averaging is on.
    fn shown_generator(&self) -> &Mlp {
        self.averaged.as_ref().unwrap_or(&self.generator)
    }

    /// `batch · pack` real samples `[batch·m, 2]` (packing groups them into `batch` rows).
    fn real_batch(&mut self) -> Tensor<2> {
        let n = self.config.batch * self.config.pack;
        let data = self.target.sample(n, &mut self.data_rng);
        Tensor::from_data(TensorData::new(data, [n, 2]), &self.device)
    }

    fn noise_batch(&mut self, n: usize) -> Tensor<2> {
        noise(self.config.prior, n, self.config.latent_dim, &mut self.noise_rng, &self.device)
    }

    /// G applied to `n` fresh noise vectors: `[n, 2]`, still attached to G's graph.
    fn generate(&mut self, n: usize) -> Tensor<2> {
        let z = self.noise_batch(n); // [n, latent]
        self.generator.forward(z)
    }

    /// The same without recording G's graph (the D step only reads G's samples).
    fn generate_constant(&mut self, n: usize) -> Tensor<2> {
        let z = self.noise_batch(n).without_autodiff(); // [n, latent]
        self.generator.valid().forward(z).autodiff()
    }

    fn uniform_column(&mut self, n: usize) -> Tensor<2> {
        let v: Vec<f32> = (0..n).map(|_| self.data_rng.uniform()).collect();
        Tensor::from_data(TensorData::new(v, [n, 1]), &self.device)
    }

    /// x + N(0, σ²) from the seeded stream (instance noise); x itself when σ = 0.
    fn instance_noise(&mut self, x: Tensor<2>, sigma: f32) -> Tensor<2> {
        if sigma <= 0.0 {
            return x;
        }
        let [n, d] = x.dims();
        let v: Vec<f32> = (0..n * d).map(|_| sigma * self.data_rng.normal()).collect();
        x + Tensor::from_data(TensorData::new(v, [n, d]), &self.device)
    }

    /// Everything the views need, as one flat tensor: losses, generated samples, and on full
    /// frames D on the grid and at the samples, G's pull at its samples, and the manifold.
    fn view_tensor(&self, full: bool) -> Tensor<1> {
        let fake = self.shown_generator().forward(self.fixed_noise.clone()).detach(); // [N, 2]
        let n = self.view_samples;
        let largest = Tensor::cat(vec![self.generator.largest_weight(), self.discriminator.largest_weight()], 0).max(); // [1]
        let mut parts = vec![self.last_losses.clone(), largest, fake.clone().reshape([2 * n])];
        let critic = full.then(|| self.view_critic(fake.clone()));
        if let Some(critic) = &critic {
            let d_grid = critic.forward(self.replicate(self.heatmap_points.clone())).detach(); // [RES², 1]
            parts.push(d_grid.reshape([HEATMAP_RES * HEATMAP_RES]));
        }
        if let Some(critic) = critic.filter(|_| !self.heat_only) {
            let d_real = critic.forward(self.replicate(self.real_view_tensor.clone())).detach(); // [N, 1]
            let (d_fake, grad) = critic.output_and_input_gradient(self.replicate(fake)); // [N, 1], [N, 2m]
            // a point moved in all m copies at once: the sum of the m blocks of the gradient
            let grad = grad.reshape([n, self.config.pack, 2]).sum_dim(1).reshape([n, 2]); // [N, 2]
            let pull = grad * self.config.loss.g_loss_slope(d_fake.clone()).neg(); // [N, 2]
            let manifold = self.shown_generator().forward(self.lattice.clone()).detach(); // [M, 2]
            let m = self.lattice_shape.0 * self.lattice_shape.1;
            parts.extend([
                d_real.reshape([n]),
                d_fake.detach().reshape([n]),
                pull.detach().reshape([2 * n]),
                manifold.reshape([2 * m]),
            ]);
        }
        Tensor::cat(parts, 0)
    }

    /// D for the views. With the minibatch feature, every view point is judged as part of a
    /// batch like G's current one (`fake`, the fixed-noise samples `[N, 2]`).
    fn view_critic(&self, fake: Tensor<2>) -> Critic {
        let critic = self.critic_now();
        if !self.config.minibatch_std {
            return critic;
        }
        let m = self.config.pack;
        let n = self.view_samples;
        let whole = fake.slice([0..n / m * m]); // [⌊N/m⌋·m, 2]
        let s = critic.batch_std(self.pack(whole)); // [1, 1]
        critic.with_fixed_std(s)
    }

    /// Reads the views' data back with one async transfer (the only kind WebGPU allows).
    /// The future owns what it reads, so the trainer is free again as soon as this returns.
    pub fn snapshot(&self, full: bool) -> impl Future<Output = Result<ToySnapshot, String>> + 'static {
        let tensor = self.view_tensor(full);
        let (step, d_updates, g_updates, shape, n) = (self.step, self.d_updates, self.g_updates, self.lattice_shape, self.view_samples);
        let heat_only = self.heat_only;
        async move {
            let v = read_f32(tensor).await?;
            let m = shape.0 * shape.1;
            let sizes = if heat_only { [3, 2 * n, HEATMAP_RES * HEATMAP_RES, 0, 0, 0, 0] } else { [3, 2 * n, HEATMAP_RES * HEATMAP_RES, n, n, 2 * n, 2 * m] };
            let expected: usize = if full { sizes.iter().sum() } else { sizes[..2].iter().sum() };
            if v.len() != expected {
                return Err(format!("the device returned {} values for the views, expected {expected}", v.len()));
            }
            let mut parts = sizes.iter().scan(0, |at, len| {
                let part = v.get(*at..*at + len).map(<[f32]>::to_vec);
                *at += len;
                part
            });
            let header = parts.next().unwrap_or_default(); // loss D, loss G, largest weight
            let fake = parts.next().unwrap_or_default();
            let full = full.then(|| FullView {
                d_grid: parts.next().unwrap_or_default(),
                d_real: parts.next().unwrap_or_default(),
                d_fake: parts.next().unwrap_or_default(),
                pull: parts.next().unwrap_or_default(),
                manifold: parts.next().unwrap_or_default(),
                manifold_shape: shape,
            });
            Ok(ToySnapshot { step, d_updates, g_updates, loss_d: header[0], loss_g: header[1], largest_weight: header[2], fake, full })
        }
    }

    /// The run as a saved file's contents: `query` (the page's settings), step counts and every
    /// weight of G then D, read with one async transfer.
    pub fn checkpoint(&self, demo: &str, query: String) -> impl Future<Output = Result<Checkpoint, String>> + 'static {
        let params: Vec<(Vec<usize>, Tensor<1>)> = self.generator.parameters().into_iter().chain(self.discriminator.parameters()).collect();
        let shapes: Vec<Vec<usize>> = params.iter().map(|p| p.0.clone()).collect();
        let flat = Tensor::cat(params.into_iter().map(|p| p.1).collect(), 0); // [all weights]
        let (demo, step, d_updates, g_updates) = (demo.to_string(), self.step, self.d_updates, self.g_updates);
        async move {
            let values = read_f32(flat).await?;
            let mut at = 0;
            let mut tensors = Vec::with_capacity(shapes.len());
            for shape in shapes {
                let len: usize = shape.iter().product();
                let part = values.get(at..at + len).ok_or("the device returned fewer weights than the networks have")?;
                tensors.push(Weights { shape, values: part.to_vec() });
                at += len;
            }
            Ok(Checkpoint { demo, query, step, d_updates, g_updates, tensors })
        }
    }

    /// A run built from `config` (the checkpoint's own settings) with the checkpoint's weights
    /// and step counts; fails, changing nothing, when the weights do not fit the networks.
    /// Optimisers start fresh (their state is not saved).
    pub fn from_checkpoint(config: ToyConfig, device: &Device, checkpoint: &Checkpoint) -> Result<Self, String> {
        let mut gan = Self::new(config, device)?;
        let n_g = gan.generator.parameters().len();
        let (g, d) = checkpoint.tensors.split_at(n_g.min(checkpoint.tensors.len()));
        gan.generator = gan.generator.with_weights("generator", g)?;
        if gan.averaged.is_some() {
            // the file holds G itself; its average starts again from it
            gan.averaged = Some(gan.generator.clone());
        }
        gan.discriminator = gan.discriminator.with_weights("discriminator", d)?;
        if gan.config.spectral_norm {
            gan.spectral = Some(gan.fresh_spectral_norm());
        }
        (gan.step, gan.d_updates, gan.g_updates) = (checkpoint.step, checkpoint.d_updates, checkpoint.g_updates);
        gan.last_losses = gan.evaluate_losses();
        Ok(gan)
    }

    /// Spectral norm's power-iteration state for the current D, started afresh (turned on
    /// mid-run, or after loading weights).
    fn fresh_spectral_norm(&self) -> SpectralNorm {
        SpectralNorm::new(&self.discriminator, &mut SeededRng::new(self.config.seed ^ 0x5eed), &self.device)
    }

    /// `n` fresh generated samples (not the fixed view batch) as `[n, 2]`, read asynchronously.
    pub fn samples(&mut self, n: usize) -> impl Future<Output = Result<Vec<f32>, String>> + 'static {
        let z = self.noise_batch(n); // [n, latent]
        read_f32(self.shown_generator().forward(z).detach().reshape([2 * n]))
    }

    /// Applies a new configuration without losing training state where the running networks
    /// can absorb the change. Returns `None` when the networks must be rebuilt (a reset: data,
    /// prior, architecture, seed), else notes for the page on what happened to the
    /// optimisers: a new optimiser kind, or new β's, start that optimiser with fresh running
    /// averages while the networks are kept. (burn can carry an optimiser's state into a
    /// rebuilt one natively, `to_record`/`load_record`, but loading it needs a default device,
    /// which the web build does not have; one behaviour everywhere, said out loud.)
    pub fn apply_live(&mut self, new: &ToyConfig) -> Option<Vec<String>> {
        let notes = live_change(&self.config, new)?;
        let betas_changed = self.config.beta1 != new.beta1 || self.config.beta2 != new.beta2;
        for (old_kind, new_kind, opt) in [(self.config.opt_d, new.opt_d, &mut self.opt_d), (self.config.opt_g, new.opt_g, &mut self.opt_g)] {
            if fresh_optimizer(old_kind, new_kind, betas_changed) {
                *opt = new_kind.build(new.beta1, new.beta2);
            }
        }
        if new.ema > 0.0 && self.averaged.is_none() {
            // averaging switched on mid-run starts from the current G
            self.averaged = Some(self.generator.clone());
        } else if new.ema <= 0.0 {
            self.averaged = None;
        }
        if new.spectral_norm && self.spectral.is_none() {
            self.spectral = Some(self.fresh_spectral_norm());
        } else if !new.spectral_norm {
            self.spectral = None;
        }
        self.config = new.clone();
        Some(notes)
    }
}

/// What `ToyGan::apply_live` does with a change from `old` to `new`, decided from the two
/// configurations alone (the page uses it for a run that lives in a worker): `None` when the
/// networks must be rebuilt (data, prior, architecture, seed), else the notes for the page on
/// optimisers that start with fresh state.
pub fn live_change(old: &ToyConfig, new: &ToyConfig) -> Option<Vec<String>> {
    let needs_reset = old.seed != new.seed
        || old.dist != new.dist
        || (new.dist == Dist::Drawn && old.drawing != new.drawing)
        || old.prior != new.prior
        || old.latent_dim != new.latent_dim
        || old.generator != new.generator
        || old.discriminator != new.discriminator
        || old.pack != new.pack
        || old.minibatch_std != new.minibatch_std;
    if needs_reset {
        return None;
    }
    let betas_changed = old.beta1 != new.beta1 || old.beta2 != new.beta2;
    let mut notes = Vec::new();
    for (name, old_kind, new_kind) in [("D", old.opt_d, new.opt_d), ("G", old.opt_g, new.opt_g)] {
        if old_kind != new_kind {
            notes.push(format!(
                "The {name} optimiser is now {}: it starts with fresh state (the networks are kept). Press Reset to restart everything.",
                OptimizerKind::NAMES[new_kind as usize]
            ));
        } else if fresh_optimizer(old_kind, new_kind, betas_changed) {
            notes.push(format!(
                "The {name} optimiser ({}) restarts its running averages with the new β (the networks are kept).",
                OptimizerKind::NAMES[new_kind as usize]
            ));
        }
    }
    Some(notes)
}

/// A new optimiser kind, or new β's for one that uses them, starts with fresh state.
fn fresh_optimizer(old: OptimizerKind, new: OptimizerKind, betas_changed: bool) -> bool {
    old != new || (betas_changed && matches!(new, OptimizerKind::Adam | OptimizerKind::Momentum))
}

/// Plain numbers derived from a full snapshot on the CPU: the divergences between the fixed
/// real and generated samples, the optimal discriminator, and the value of the game.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    pub divergences: Divergences,
    /// 2·JSD − log 4 from the grid histogram: the value of the game at D*.
    pub value_at_optimum: f64,
    /// V(D, G) of the learned D at the samples (log losses only).
    pub value_d: Option<f64>,
    /// `[HEATMAP_RES²]` D* on the heatmap grid.
    pub d_star_grid: Vec<f32>,
    /// ½ E_data|D − D*| + ½ E_g|D − D*| (losses whose D estimates D*: minimax, ns, lsgan).
    pub d_gap: Option<f64>,
}

/// What D's raw output means as a probability of "real", when it has one: the logit's sigmoid
/// for the log losses; the output itself for LSGAN (its optimal D is also p_d / (p_d + p_g)
/// with labels 0 and 1, Mao et al. 2017). None for critics (WGAN, hinge).
pub fn d_probability(loss: GanLoss, raw: &[f32]) -> Option<Vec<f32>> {
    match loss {
        GanLoss::Minimax | GanLoss::NonSaturating => Some(raw.iter().map(|l| 1.0 / (1.0 + (-l).exp())).collect()),
        GanLoss::LeastSquares => Some(raw.iter().map(|v| v.clamp(0.0, 1.0)).collect()),
        _ => None,
    }
}

/// What `analyse` needs that stays fixed for a run: the data, its fixed real samples, and
/// p_data on the heatmap grid and at those samples (exact densities are the costly part).
pub struct AnalysisCache {
    target: Target,
    real: Vec<f32>,
    radius: f32,
    p_data_grid: Vec<f64>,
    p_data_real: Vec<f64>,
}

impl AnalysisCache {
    pub fn new(gan: &ToyGan) -> Self {
        Self::of(gan.target().clone(), &gan.config, gan.real_view.clone())
    }

    /// The same from a run's parts (a run that lives in a worker sends its fixed real samples).
    pub fn of(target: Target, config: &ToyConfig, real: Vec<f32>) -> Self {
        let radius = config.dist.view_radius();
        let density = |pts: &[f32]| -> Vec<f64> { pts.chunks_exact(2).map(|p| target.density(p[0], p[1])).collect() };
        let (p_data_grid, p_data_real) = (density(&grid_points(radius)), density(&real));
        Self { real, radius, p_data_grid, p_data_real, target }
    }

    /// The run's fixed real samples, flat `[VIEW_SAMPLES, 2]`.
    pub fn real(&self) -> &[f32] {
        &self.real
    }
}

pub fn analyse(snap: &ToySnapshot, full: &FullView, cache: &AnalysisCache, loss: GanLoss) -> Analysis {
    let (real, radius) = (&cache.real[..], cache.radius);
    let divergences = metrics::divergences(real, &snap.fake, radius);
    let h = metrics::kde_bandwidth(&snap.fake, radius);
    let p_g = metrics::BinnedKde::new(&snap.fake, h, radius);
    let p_data_fake: Vec<f64> = snap.fake.chunks_exact(2).map(|p| cache.target.density(p[0], p[1])).collect();
    let d_star_grid = metrics::optimal_discriminator(&cache.p_data_grid, &p_g.at_points(&grid_points(radius)));
    let d_star_real = metrics::optimal_discriminator(&cache.p_data_real, &p_g.at_points(real));
    let d_star_fake = metrics::optimal_discriminator(&p_data_fake, &p_g.at_points(&snap.fake));
    // V(D, G) = E_data log D + E_g log(1 − D), clamped away from log 0
    let value = |d_real: &[f32], d_fake: &[f32]| {
        let mean = |v: &[f32], f: &dyn Fn(f32) -> f64| v.iter().map(|&x| f(x)).sum::<f64>() / v.len().max(1) as f64;
        mean(d_real, &|d| (d.max(1e-7) as f64).ln()) + mean(d_fake, &|d| ((1.0 - d).max(1e-7) as f64).ln())
    };
    let probs = d_probability(loss, &full.d_real).zip(d_probability(loss, &full.d_fake));
    let value_d = probs.as_ref().filter(|_| loss != GanLoss::LeastSquares).map(|(r, f)| value(r, f));
    let d_gap = probs.map(|(r, f)| metrics::d_gap(&r, &d_star_real, &f, &d_star_fake));
    Analysis {
        divergences,
        value_at_optimum: 2.0 * divergences.jsd - 4f64.ln(),
        value_d,
        d_star_grid,
        d_gap,
    }
}

async fn read_f32(t: Tensor<1>) -> Result<Vec<f32>, String> {
    let data = t.into_data_async().await.map_err(|e| format!("reading back from the device failed: {e:?}"))?;
    data.try_to_vec::<f32>().map_err(|e| format!("unexpected tensor data: {e:?}"))
}

/// Noise `[n, dim]` from the prior, drawn from the seeded CPU stream.
fn noise(prior: Prior, n: usize, dim: usize, rng: &mut SeededRng, device: &Device) -> Tensor<2> {
    let v: Vec<f32> = match prior {
        Prior::Gaussian => (0..n * dim).map(|_| rng.normal()).collect(),
        Prior::Uniform => (0..n * dim).map(|_| rng.uniform_in(-1.0, 1.0)).collect(),
    };
    Tensor::from_data(TensorData::new(v, [n, dim]), device)
}

/// Cell centres of the heatmap over [-r, r]², row 0 at the top (largest y), flat `[RES², 2]`.
pub fn grid_points(r: f32) -> Vec<f32> {
    let h = 2.0 * r / HEATMAP_RES as f32;
    let mut v = Vec::with_capacity(2 * HEATMAP_RES * HEATMAP_RES);
    for row in 0..HEATMAP_RES {
        for col in 0..HEATMAP_RES {
            v.push(-r + (col as f32 + 0.5) * h);
            v.push(r - (row as f32 + 0.5) * h);
        }
    }
    v
}

fn heatmap_grid(r: f32, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(grid_points(r), [HEATMAP_RES * HEATMAP_RES, 2]), device)
}

/// A lattice over the first two latent dimensions (the rest at the prior's centre, 0), or a
/// line for a 1-D latent: `[rows · cols, dim]` and (rows, cols).
fn latent_lattice(prior: Prior, dim: usize, device: &Device) -> (Tensor<2>, (usize, usize)) {
    let w = prior.lattice_half_width();
    let at = |i: usize, n: usize| -w + 2.0 * w * i as f32 / (n - 1) as f32;
    let (rows, cols) = if dim == 1 { (1, 2 * MANIFOLD_RES - 1) } else { (MANIFOLD_RES, MANIFOLD_RES) };
    let mut v = vec![0.0f32; rows * cols * dim];
    for r in 0..rows {
        for c in 0..cols {
            let z = &mut v[(r * cols + c) * dim..][..dim];
            z[0] = at(c, cols);
            if dim > 1 {
                z[1] = at(r, rows);
            }
        }
    }
    (Tensor::from_data(TensorData::new(v, [rows * cols, dim]), device), (rows, cols))
}

/// A named setting that teaches something; `query` is applied over the defaults.
pub struct Preset {
    pub key: &'static str,
    pub title: &'static str,
    pub query: &'static str,
    pub lesson: &'static str,
}

/// GAN Lab's architecture and optimiser (G and D: 1 hidden layer of 8, batch 150, 2 D-steps per
/// G-step, SGD 0.1 / 0.03, log loss) on its four data sets, then the named lessons.
pub const PRESETS: &[Preset] = &[
    Preset {
        key: "ganlab-clusters",
        title: "GAN Lab: two clusters",
        query: "dist=clusters&gLayers=1&gWidth=8&dLayers=1&dWidth=8&batch=150&kD=2&kG=1&optD=sgd&optG=sgd&lrD=0.1&lrG=0.03&loss=ns",
        lesson: "GAN Lab's default setting on its default data: small networks, plain SGD, two D steps per G step.",
    },
    Preset {
        key: "ganlab-line",
        title: "GAN Lab: line",
        query: "dist=line&gLayers=1&gWidth=8&dLayers=1&dWidth=8&batch=150&kD=2&kG=1&optD=sgd&optG=sgd&lrD=0.1&lrG=0.03&loss=ns",
        lesson: "A 1-D shape in the plane: the generator's 2-D manifold has to fold onto a line.",
    },
    Preset {
        key: "ganlab-ring",
        title: "GAN Lab: ring",
        query: "dist=ring&gLayers=1&gWidth=8&dLayers=1&dWidth=8&batch=150&kD=2&kG=1&optD=sgd&optG=sgd&lrD=0.1&lrG=0.03&loss=ns&views=real,fake,heat,manifold",
        lesson: "A ring has a hole: a continuous G must stretch its noise square around it (watch the manifold).",
    },
    Preset {
        key: "ganlab-disjoint",
        title: "GAN Lab: three clusters",
        query: "dist=disjoint&gLayers=1&gWidth=8&dLayers=1&dWidth=8&batch=150&kD=2&kG=1&optD=sgd&optG=sgd&lrD=0.1&lrG=0.03&loss=ns",
        lesson: "Disjoint clusters: a continuous G cannot jump between them, so it leaves a trail of points in the gaps.",
    },
    Preset {
        key: "vanishing",
        title: "Lesson: vanishing gradients (minimax, D wins)",
        query: "dist=ring8-wide&loss=minimax&kD=5&lrD=0.005&optG=sgd&lrG=0.05&views=real,fake,heat,grads",
        lesson: "With the original minimax loss and a strong D, log(1 − D(G(z))) is flat where D rejects the fakes: G's arrows shrink to nothing and G stalls. Switch the loss to ns and the arrows come back.",
    },
    Preset {
        key: "lsgan-vs-ns",
        title: "Lesson: LSGAN keeps pulling",
        query: "dist=ring8-wide&loss=lsgan&views=real,fake,heat,grads",
        lesson: "LSGAN's squared loss keeps pulling samples that D already scores as real towards its decision value, so the arrows stay long near the data; compare with loss=ns.",
    },
    Preset {
        key: "wgan-clip-slow",
        title: "Lesson: WGAN with clipping is slow",
        query: "dist=ring8-wide&loss=wgan&clip=0.01&optD=rmsprop&optG=rmsprop&lrD=0.00005&lrG=0.00005&kD=5",
        lesson: "Weight clipping (c = 0.01) with the WGAN paper's RMSProp 5e-5 keeps the critic nearly linear and tiny: G crawls. Try loss=wgan-gp.",
    },
    Preset {
        key: "wgan-gp",
        title: "Lesson: WGAN-GP",
        query: "dist=ring8-wide&loss=wgan-gp&gpWeight=0.1&optD=adam&optG=adam&lrD=0.001&lrG=0.001&beta1=0.5&beta2=0.9&kD=5",
        lesson: "The gradient penalty keeps the critic 1-Lipschitz without shrinking it: the critic stays informative and G spreads over the modes.",
    },
];
