//! "The same thing, learned": the Dirac-GAN trained with burn — θ and ψ as parameters of two
//! one-parameter modules, the losses written as tensor ops, burn's autodiff for gradients and
//! burn's optimisers in a hand-written two-optimiser loop (as burn's `examples/wgan`). Its
//! trajectory is drawn over the analytic one (`game.rs` + `method.rs`): they must agree.
//!
//! burn's autodiff is first order, so the rules that differentiate the field itself
//! (consensus) or take look-ahead steps outside an optimiser (extragradient, optimistic) are
//! analytic only. The penalties need ∇ₓD, which for D(x) = ψx is ψ: written out explicitly.

use super::game::{noise_nodes, Dirac, DiracLoss};
use super::method::{Hyper, Method, ADAM_BETA1, ADAM_BETA2, ADAM_EPS};
use crate::core::loss::softplus;
use burn::module::{Module, Param};
use burn::optim::{momentum::MomentumConfig, AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::{Device, Tensor, TensorData};
use std::future::Future;

/// The generator δ_θ: its one parameter is the point it generates.
#[derive(Module, Debug)]
pub struct Generator {
    theta: Param<Tensor<1>>,
}

/// The discriminator D_ψ(x) = ψx.
#[derive(Module, Debug)]
pub struct Discriminator {
    psi: Param<Tensor<1>>,
}

/// Rules a burn optimiser can run as they are.
pub fn supports(method: Method) -> bool {
    matches!(method, Method::Simultaneous | Method::Alternating | Method::Momentum | Method::Adam)
}

fn scalar(v: f64, device: &Device) -> Param<Tensor<1>> {
    Param::from_tensor(Tensor::from_data(TensorData::new(vec![v as f32], [1]), device))
}

fn optimiser(method: Method, h: &Hyper) -> ModuleOptimizer {
    match method {
        // burn's momentum with dampening 0 is the heavy ball z ← z − η(g + β·m)
        Method::Momentum => SgdConfig::new()
            .with_momentum(Some(MomentumConfig { momentum: h.beta, dampening: 0.0, nesterov: false }))
            .init(),
        Method::Adam => AdamConfig::new()
            .with_beta_1(ADAM_BETA1 as f32)
            .with_beta_2(ADAM_BETA2 as f32)
            .with_epsilon(ADAM_EPS as f32)
            .init(),
        _ => SgdConfig::new().init(),
    }
}

struct Losses {
    /// Instance-noise samples ε (one 0 without noise) and their quadrature weights, `[N]`.
    eps: Tensor<1>,
    weights: Tensor<1>,
    game: Dirac,
}

impl Losses {
    fn new(game: &Dirac, device: &Device) -> Self {
        let nodes = if game.noise > 0.0 { noise_nodes() } else { vec![(0.0, 1.0)] };
        let eps: Vec<f32> = nodes.iter().map(|p| (p.0 * game.noise) as f32).collect();
        let w: Vec<f32> = nodes.iter().map(|p| p.1 as f32).collect();
        let n = eps.len();
        Self {
            eps: Tensor::from_data(TensorData::new(eps, [n]), device),
            weights: Tensor::from_data(TensorData::new(w, [n]), device),
            game: game.clone(),
        }
    }

    /// Σ_i w_i f(ε_i): the expectation over the noise.
    fn mean(&self, t: Tensor<1>) -> Tensor<1> {
        (t * self.weights.clone()).sum() // [1]
    }

    /// What D minimises: −(its GAN/WGAN objective) + penalties.
    fn d_loss(&self, theta: Tensor<1>, psi: Tensor<1>) -> Tensor<1> {
        let real = self.eps.clone(); // [N]
        let fake = self.eps.clone() + theta; // [N]
        let d_real = real * psi.clone(); // [N] logits
        let d_fake = fake * psi.clone(); // [N]
        let objective = match self.game.loss {
            // E log σ(D(r)) + E log(1 − σ(D(x)))
            DiracLoss::Gan | DiracLoss::NonSaturating => self.mean(softplus(d_real.neg())).neg() - self.mean(softplus(d_fake)),
            DiracLoss::Wgan | DiracLoss::WganGp => self.mean(d_real) - self.mean(d_fake),
        };
        // ∇ₓD(x) = ψ for every x, so R1 is (r1/2)ψ² and the GP is (gp/2)(|ψ| − 1)²
        let mut loss = objective.neg() + psi.clone() * psi.clone() * (self.game.r1 / 2.0);
        if self.game.loss == DiracLoss::WganGp {
            let gap = psi.abs() - 1.0; // [1]
            loss = loss + gap.clone() * gap * (self.game.gp / 2.0);
        }
        loss
    }

    /// What G minimises.
    fn g_loss(&self, theta: Tensor<1>, psi: Tensor<1>) -> Tensor<1> {
        let d_fake = (self.eps.clone() + theta) * psi; // [N]
        match self.game.loss {
            DiracLoss::Gan => self.mean(softplus(d_fake)).neg(), // E log(1 − σ(D(x)))
            DiracLoss::NonSaturating => self.mean(softplus(d_fake.neg())), // −E log σ(D(x))
            DiracLoss::Wgan | DiracLoss::WganGp => self.mean(d_fake).neg(),
        }
    }
}

/// Trains (θ, ψ) from `z0` for `steps` steps with `method` on `device` and reads the whole
/// trajectory back at once. Err for a rule burn cannot run as is.
pub fn learned_trajectory(
    game: &Dirac,
    method: Method,
    h: &Hyper,
    z0: [f64; 2],
    steps: usize,
    device: &Device,
) -> impl Future<Output = Result<Vec<[f64; 2]>, String>> + 'static {
    let run = LearnedRun::new(game, method, h, z0, device).map(|mut run| {
        for _ in 0..steps {
            run.step();
        }
        run.trajectory()
    });
    async move { run?.await }
}

/// A burn training run, advanced a step at a time (the page runs it in time slices).
pub struct LearnedRun {
    losses: Losses,
    gen: Generator,
    disc: Discriminator,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    method: Method,
    eta: f64,
    /// (θ, ψ) after each step, `[2]` each, kept on the device until the one readback.
    points: Vec<Tensor<1>>,
}

impl LearnedRun {
    /// `device` is the execution device; autodiff is layered on here.
    pub fn new(game: &Dirac, method: Method, h: &Hyper, z0: [f64; 2], device: &Device) -> Result<Self, String> {
        if !supports(method) {
            return Err(format!("{} needs more than a burn optimiser step; it is shown analytically only", method.title()));
        }
        let device = device.clone().autodiff();
        let gen = Generator { theta: scalar(z0[0], &device) };
        let disc = Discriminator { psi: scalar(z0[1], &device) };
        let points = vec![Tensor::cat(vec![gen.theta.val(), disc.psi.val()], 0).detach()]; // [2]
        Ok(Self { losses: Losses::new(game, &device), gen, disc, opt_g: optimiser(method, h), opt_d: optimiser(method, h), method, eta: h.eta, points })
    }

    /// Steps taken so far.
    pub fn done(&self) -> usize {
        self.points.len() - 1
    }

    pub fn step(&mut self) {
        let losses = &self.losses;
        // Both gradients are taken before either player moves (simultaneous), or D's after G
        // moved (alternating: x first, as in method.rs).
        let alternating = matches!(self.method, Method::Alternating | Method::Momentum);
        let d_grads = |gen: &Generator, disc: &Discriminator| {
            let d_loss = losses.d_loss(gen.theta.val().detach(), disc.psi.val()); // [1]
            GradientsParams::from_grads(d_loss.backward(), disc)
        };
        let g_loss = losses.g_loss(self.gen.theta.val(), self.disc.psi.val().detach()); // [1]
        let g_grads = GradientsParams::from_grads(g_loss.backward(), &self.gen);
        let d_before = (!alternating).then(|| d_grads(&self.gen, &self.disc));
        self.gen = self.opt_g.step(self.eta, self.gen.clone(), g_grads);
        let d_grads = d_before.unwrap_or_else(|| d_grads(&self.gen, &self.disc));
        self.disc = self.opt_d.step(self.eta, self.disc.clone(), d_grads);
        if losses.game.loss == DiracLoss::Wgan {
            let c = losses.game.clip;
            self.disc.psi = self.disc.psi.clone().map(|p| p.clamp(-c, c).detach().require_grad());
        }
        self.points.push(Tensor::cat(vec![self.gen.theta.val(), self.disc.psi.val()], 0).detach()); // [2]
    }

    /// Reads the trajectory back with one async transfer.
    pub fn trajectory(self) -> impl Future<Output = Result<Vec<[f64; 2]>, String>> + 'static {
        let n = self.points.len();
        let all = Tensor::cat(self.points, 0); // [2n]
        async move {
            let data = all.into_data_async().await.map_err(|e| format!("reading back from the device failed: {e:?}"))?;
            let v = data.try_to_vec::<f32>().map_err(|e| format!("unexpected tensor data: {e:?}"))?;
            if v.len() != 2 * n {
                return Err(format!("the device returned {} values, expected {}", v.len(), 2 * n));
            }
            Ok(v.chunks_exact(2).map(|p| [p[0] as f64, p[1] as f64]).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::saddle::method::trajectory;

    /// burn (f32) against the analytic f64 rules, for every rule burn runs, each loss and
    /// both regularisers.
    #[test]
    fn burn_trained_dirac_gan_follows_the_analytic_trajectory() {
        let device = Device::flex();
        let h = Hyper { eta: 0.1, gamma: 1.0, beta: -0.3 };
        let z0 = [0.8, -0.4];
        let steps = 60;
        for loss in [DiracLoss::Gan, DiracLoss::NonSaturating, DiracLoss::Wgan, DiracLoss::WganGp] {
            for (r1, noise) in [(0.0, 0.0), (0.5, 0.0), (0.0, 0.5)] {
                let game = Dirac { loss, r1, noise, clip: 0.5, gp: 0.8 };
                for method in [Method::Simultaneous, Method::Alternating, Method::Momentum, Method::Adam] {
                    let analytic = trajectory(&game, method, &h, z0, steps);
                    let learned = pollster::block_on(learned_trajectory(&game, method, &h, z0, steps, &device)).unwrap();
                    assert_eq!(learned.len(), analytic.len());
                    let worst = analytic
                        .iter()
                        .zip(&learned)
                        .map(|(a, l)| (a[0] - l[0]).abs().max((a[1] - l[1]).abs()))
                        .fold(0.0, f64::max);
                    assert!(worst < 2e-4, "{loss:?} r1={r1} noise={noise} {method:?}: max deviation {worst}");
                }
            }
        }
    }

    #[test]
    fn rules_burn_cannot_run_are_refused_with_a_reason() {
        let game = Dirac { loss: DiracLoss::Gan, r1: 0.0, noise: 0.0, clip: 1.0, gp: 1.0 };
        let h = Hyper { eta: 0.1, gamma: 1.0, beta: 0.0 };
        let err = pollster::block_on(learned_trajectory(&game, Method::Consensus, &h, [1.0, 0.0], 5, &Device::flex())).unwrap_err();
        assert!(err.contains("analytically"), "{err}");
    }
}
