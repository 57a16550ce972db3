//! One DCGAN step on two replicas: the page's CPU run trains in two Web Workers, each one
//! thread, to use two cores (stable Rust gives WebAssembly no threads of its own).
//!
//! D's loss is a term on the real batch plus a term on the generated one, and DCGAN passes the
//! two batches through D separately (batch norm never mixes them). So the real pass needs only
//! D's weights and the real digits, and a helper replica can take it while the leader draws
//! G's samples and takes the generated pass:
//!
//! 1. The leader sends the helper D's weights (`flat_discriminator`) and the real batch, then
//!    runs `begin_step` (noise, G's samples, D's generated pass and its gradient).
//! 2. The helper runs `real_pass` and answers with that pass's gradient, loss term and how it
//!    moved batch norm's running statistics.
//! 3. The leader's `finish_step` adds the two gradients, puts the running statistics where a
//!    real-then-generated pass would have left them, takes D's Adam step, then G's step.
//!
//! It is the same step as `train_step`: the same batches, noise and weights; the gradients
//! differ by rounding at most, and the running statistics by a few units in the last place
//! (a test in `tests/digits.rs`). Only the work is divided.

use super::{batch_norm_momentum, DigitsGan, Discriminator};
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Tensor, TensorData};

/// The helper's half of a step: D's real pass.
#[derive(Clone, Debug, PartialEq)]
pub struct RealPass {
    /// The gradient of D's real-batch loss term, flat (D's trained parameters in visiting
    /// order).
    pub gradient: Vec<f32>,
    /// That loss term.
    pub loss: f32,
    /// How the pass moved D's batch-norm running statistics: after − (1 − momentum)·before,
    /// i.e. momentum × the batch's statistics (flat, visiting order).
    pub running_moved: Vec<f32>,
}

/// What `begin_step` leaves for `finish_step`.
pub struct FakePass {
    /// G's samples, still attached to G's graph, and their classes.
    fake: Tensor<4>,
    labels: Option<Tensor<1>>,
    /// The gradient of D's generated-batch loss term, flat, and that term.
    gradient: Vec<f32>,
    loss: f32,
    /// D's running statistics before and after the generated pass.
    running_before: Vec<f32>,
    running_after: Vec<f32>,
}

impl DigitsGan {
    /// The leader's first half of a step of `batch` images: G's samples from fresh noise
    /// (of `labels`' classes, for a conditional run) and D's pass over them.
    pub fn begin_step(&mut self, batch: usize, labels: Option<Tensor<1>>) -> FakePass {
        let c = self.config;
        let labels = labels.filter(|_| c.model.conditional).map(|l| l.autodiff()); // [B]
        let z = self.noise(batch); // [B, L]
        let fake = self.generator.forward(z, labels.clone()); // [B, 1, 28, 28]
        let running_before = running_stats(&self.discriminator);
        let d_fake = self.discriminator.forward(fake.clone().detach(), labels.clone()); // [B, 1]
        let running_after = running_stats(&self.discriminator);
        let loss = c.loss.d_loss_fake(d_fake); // [1]
        let grads = GradientsParams::from_grads(loss.backward(), &self.discriminator);
        FakePass { fake, labels, gradient: flat_gradient(&grads, &self.discriminator), loss: scalar(loss), running_before, running_after }
    }

    /// The helper's half: D's pass over the real batch (`[B, 1, 28, 28]`, with its classes for
    /// a conditional run), with the current weights.
    pub fn real_pass(&self, real: Tensor<4>, labels: Option<Tensor<1>>) -> RealPass {
        let c = self.config;
        let labels = labels.filter(|_| c.model.conditional).map(|l| l.autodiff()); // [B]
        let running_before = running_stats(&self.discriminator);
        let d_real = self.discriminator.forward(real.autodiff(), labels); // [B, 1]
        let keep = 1.0 - batch_norm_momentum() as f32;
        let running_moved = running_stats(&self.discriminator).iter().zip(&running_before).map(|(after, before)| after - keep * before).collect();
        let loss = c.loss.d_loss_real(d_real, c.label_smoothing); // [1]
        let grads = GradientsParams::from_grads(loss.backward(), &self.discriminator);
        RealPass { gradient: flat_gradient(&grads, &self.discriminator), loss: scalar(loss), running_moved }
    }

    /// The rest of the step: D's Adam step on both passes' gradients, then G's step through
    /// the new D. Returns `[2]`, D's and G's loss, as `train_step` does; an error (and no
    /// change) when `real` does not fit this model.
    pub fn finish_step(&mut self, fake: FakePass, real: &RealPass) -> Result<Tensor<1>, String> {
        let c = self.config;
        if real.gradient.len() != fake.gradient.len() || real.running_moved.len() != fake.running_before.len() {
            return Err("the real pass does not fit this model".into());
        }
        // D's running statistics as a real pass and then the generated pass would have left
        // them (each pass: r ← (1 − m)·r + m·s; the generated pass moved them by after − keep·before)
        let keep = 1.0 - batch_norm_momentum() as f32;
        let running: Vec<f32> = (0..real.running_moved.len())
            .map(|i| {
                let (before, after) = (fake.running_before[i], fake.running_after[i]);
                keep * (keep * before + real.running_moved[i]) + (after - keep * before)
            })
            .collect();
        set_running_stats(&self.discriminator, &running)?;
        let gradient: Vec<f32> = real.gradient.iter().zip(&fake.gradient).map(|(r, f)| r + f).collect();
        let grads = gradient_params(&gradient, &self.discriminator)?;
        self.discriminator = self.opt_d.step(c.lr_d, self.discriminator.clone(), grads);
        let loss_d = real.loss + fake.loss;

        // G's step, as in `train_step`
        let frozen_d = self.discriminator.clone().no_grad();
        let loss_g = c.loss.g_loss(frozen_d.forward(fake.fake, fake.labels)); // [1]
        let grads = GradientsParams::from_grads(loss_g.backward(), &self.generator);
        self.generator = self.opt_g.step(c.lr_g, self.generator.clone(), grads);
        self.steps += 1;
        let device = self.device.clone().inner();
        Ok(Tensor::cat(vec![Tensor::from_data(TensorData::new(vec![loss_d], [1]), &device), loss_g.detach().without_autodiff()], 0)) // [2]
    }

    /// D's weights and running statistics, flat, for the helper (`set_discriminator`).
    pub fn flat_discriminator(&self) -> Vec<f32> {
        running_stats(&self.discriminator); // folds the last pass's update in (below)
        flat_params(&self.discriminator)
    }

    /// The helper takes the leader's D (`flat_discriminator`); an error, and no change, when
    /// the values do not fit this model.
    pub fn set_discriminator(&mut self, values: &[f32]) -> Result<(), String> {
        if values.len() != count(&self.discriminator, |_| true) {
            return Err(format!("{} values do not fit this discriminator", values.len()));
        }
        running_stats(&self.discriminator); // no update left aside to overwrite what is set
        self.discriminator = self.discriminator.clone().map(&mut Fill { values, at: 0 });
        Ok(())
    }
}

fn scalar(loss: Tensor<1>) -> f32 {
    loss.detach().into_data().iter::<f32>().next().unwrap_or(f32::NAN)
}

/// Trained parameters need gradients; batch norm's running statistics are visited as
/// parameters too, but are not trained.
fn trained<const D: usize>(param: &Param<Tensor<D>>) -> bool {
    param.val().is_require_grad()
}

/// How many values the parameters `which` selects hold.
fn count<M: Module>(module: &M, which: fn(bool) -> bool) -> usize {
    struct Count(usize, fn(bool) -> bool);
    impl ModuleVisitor for Count {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if (self.1)(trained(param)) {
                self.0 += param.shape().num_elements();
            }
        }
    }
    let mut c = Count(0, which);
    module.visit(&mut c);
    c.0
}

/// The values of the parameters `which` selects (by whether they are trained), flat.
fn collect<M: Module>(module: &M, which: fn(bool) -> bool) -> Vec<f32> {
    struct Collect(Vec<f32>, fn(bool) -> bool);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if (self.1)(trained(param)) {
                self.0.extend(param.val().detach().into_data().iter::<f32>());
            }
        }
    }
    let mut c = Collect(Vec::new(), which);
    module.visit(&mut c);
    c.0
}

fn flat_params<M: Module>(module: &M) -> Vec<f32> {
    collect(module, |_| true)
}

/// Replaces every float parameter (running statistics included) from `values`, keeping ids
/// and whether each is trained. (burn shares batch norm's running statistics between a module
/// and its clones, so mapping a clone sets them in the original too.)
struct Fill<'a> {
    values: &'a [f32],
    at: usize,
}

impl ModuleMapper for Fill<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let is_trained = trained(&param);
        let (id, tensor, _) = param.consume();
        let shape = tensor.shape();
        let part = &self.values[self.at..self.at + shape.num_elements()];
        self.at += part.len();
        Param::initialized(id, Tensor::from_data(TensorData::new(part.to_vec(), shape), &tensor.device()).set_require_grad(is_trained))
    }
}

/// D's batch-norm running statistics (mean, then variance), flat. burn keeps a pass's update
/// aside until the next pass reads them (`RunningState::value_sync`), and a module visitor
/// sees the value without it, so they are read, and set, through `value_sync`.
fn running_stats(d: &Discriminator) -> Vec<f32> {
    [&d.norm2.running_mean, &d.norm2.running_var].into_iter().flat_map(|r| r.value_sync().into_data().iter::<f32>().collect::<Vec<_>>()).collect()
}

fn set_running_stats(d: &Discriminator, values: &[f32]) -> Result<(), String> {
    let n = d.norm2.running_mean.value_sync().dims()[0];
    if values.len() != 2 * n {
        return Err(format!("{} values do not fit the running statistics", values.len()));
    }
    for (state, part) in [&d.norm2.running_mean, &d.norm2.running_var].into_iter().zip(values.chunks(n)) {
        let device = state.value().device();
        state.update(Tensor::from_data(TensorData::new(part.to_vec(), [n]), &device));
        state.value_sync();
    }
    Ok(())
}

/// The gradients of `module`'s trained parameters, flat, in visiting order (zeros for one
/// without a gradient; every trained parameter of the DCGAN has one).
fn flat_gradient<M: Module>(grads: &GradientsParams, module: &M) -> Vec<f32> {
    struct Collect<'a>(&'a GradientsParams, Vec<f32>);
    impl ModuleVisitor for Collect<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if !trained(param) {
                return;
            }
            match self.0.get::<D>(param.id) {
                Some(g) => self.1.extend(g.into_data().iter::<f32>()),
                None => self.1.extend(std::iter::repeat_n(0.0, param.shape().num_elements())),
            }
        }
    }
    let mut c = Collect(grads, Vec::new());
    module.visit(&mut c);
    c.1
}

/// `flat_gradient`'s inverse: the gradients for `module`'s optimiser.
fn gradient_params<M: Module>(values: &[f32], module: &M) -> Result<GradientsParams, String> {
    if values.len() != count(module, |trained| trained) {
        return Err(format!("{} gradient values do not fit this model", values.len()));
    }
    struct Register<'a>(&'a [f32], usize, GradientsParams);
    impl ModuleVisitor for Register<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if !trained(param) {
                return;
            }
            let shape = param.shape();
            let part = &self.0[self.1..self.1 + shape.num_elements()];
            self.1 += part.len();
            let device = param.val().device().inner();
            self.2.register::<D>(param.id, Tensor::from_data(TensorData::new(part.to_vec(), shape), &device));
        }
    }
    let mut r = Register(values, 0, GradientsParams::new());
    module.visit(&mut r);
    Ok(r.2)
}
