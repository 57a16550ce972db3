//! One DCGAN step shared between replicas: the page's CPU run trains in two Web Workers, each a
//! single thread, to use two cores (stable Rust gives WebAssembly no threads of its own).
//!
//! This is data parallelism as PyTorch's `DistributedDataParallel` does it: each replica takes
//! part of the batch, computes the gradients of its part with the same weights, and the
//! average of the parts' gradients (weighted by their sizes) drives one Adam step. As in DDP
//! without synchronised batch norm, batch norm's statistics come from each replica's part.
//!
//! One step, leader L (owns the run and both optimisers) and helper H:
//! 1. L sends H the weights of G and D (`flat_params`) and H's part of the batch.
//! 2. Both take `d_gradient` of their part; H sends its gradient; L `apply_d`s the average.
//! 3. L sends H D's new weights; both take `g_gradient` (their G samples from 2, through the
//!    new D); H sends its gradient; L `apply_g`s the average.
//!
//! With one part (the whole batch) these phases are `train_step`, to the last bit (a test in
//! `tests/digits.rs`).

use super::DigitsGan;
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Tensor, TensorData};

/// A replica's part of one step's batch, on the replica's device.
pub struct Part {
    /// `[n, 1, 28, 28]` real digits in [−1, 1].
    pub real: Tensor<4>,
    /// `[n]` their classes (conditional runs only).
    pub labels: Option<Tensor<1>>,
    /// `[n, latent]` G's noise for this part.
    pub z: Tensor<2>,
}

/// What a replica keeps from its D gradient for its G gradient: G's samples, still attached to
/// G's graph, and their classes.
pub struct Generated {
    fake: Tensor<4>,
    labels: Option<Tensor<1>>,
}

/// One part's gradient: the parameters' gradients flat, in the module's visiting order, with
/// that part's loss and size.
#[derive(Clone, Debug, PartialEq)]
pub struct PartGradient {
    pub values: Vec<f32>,
    pub loss: f32,
    pub count: usize,
}

impl DigitsGan {
    /// D's gradient on `part` (against G's samples from the part's noise), as `train_step`'s D
    /// step computes it for the whole batch.
    pub fn d_gradient(&self, part: Part) -> (PartGradient, Generated) {
        let c = self.config;
        let count = part.real.dims()[0];
        let labels = part.labels.filter(|_| c.model.conditional).map(|l| l.autodiff()); // [n]
        let fake = self.generator.forward(part.z.autodiff(), labels.clone()); // [n, 1, 28, 28]
        let d_real = self.discriminator.forward(part.real.autodiff(), labels.clone()); // [n, 1]
        let d_fake = self.discriminator.forward(fake.clone().detach(), labels.clone()); // [n, 1]
        let loss = c.loss.d_loss_smoothed(d_real, d_fake, c.label_smoothing); // [1]
        let grads = GradientsParams::from_grads(loss.backward(), &self.discriminator);
        let gradient = PartGradient { values: flat_gradient(&grads, &self.discriminator), loss: scalar(loss), count };
        (gradient, Generated { fake, labels })
    }

    /// G's gradient through the current D on the samples `d_gradient` made.
    pub fn g_gradient(&self, generated: Generated) -> PartGradient {
        let count = generated.fake.dims()[0];
        let frozen_d = self.discriminator.clone().no_grad();
        let loss = self.config.loss.g_loss(frozen_d.forward(generated.fake, generated.labels)); // [1]
        let grads = GradientsParams::from_grads(loss.backward(), &self.generator);
        PartGradient { values: flat_gradient(&grads, &self.generator), loss: scalar(loss), count }
    }

    /// D's Adam step on the parts' average gradient; returns the average D loss.
    pub fn apply_d(&mut self, parts: &[PartGradient]) -> Result<f32, String> {
        let (values, loss) = average(parts)?;
        let grads = gradient_params(&values, &self.discriminator)?;
        self.discriminator = self.opt_d.step(self.config.lr_d, self.discriminator.clone(), grads);
        Ok(loss)
    }

    /// G's Adam step on the parts' average gradient, which ends the step; returns the average
    /// G loss.
    pub fn apply_g(&mut self, parts: &[PartGradient]) -> Result<f32, String> {
        let (values, loss) = average(parts)?;
        let grads = gradient_params(&values, &self.generator)?;
        self.generator = self.opt_g.step(self.config.lr_g, self.generator.clone(), grads);
        self.steps += 1;
        Ok(loss)
    }

    /// G's and D's weights, flat, for a helper replica (`set_weights`).
    pub fn flat_params(&self) -> (Vec<f32>, Vec<f32>) {
        (flat_params(&self.generator), flat_params(&self.discriminator))
    }

    /// A helper replica takes the leader's weights (`flat_params`); `g` may be left out when
    /// only D changed. An error, and no change, when the counts do not fit this model.
    pub fn set_weights(&mut self, g: Option<&[f32]>, d: &[f32]) -> Result<(), String> {
        let generator = match g {
            Some(g) => Some(with_params(self.generator.clone(), g)?),
            None => None,
        };
        self.discriminator = with_params(self.discriminator.clone(), d)?;
        if let Some(generator) = generator {
            self.generator = generator;
        }
        Ok(())
    }
}

fn scalar(loss: Tensor<1>) -> f32 {
    loss.detach().into_data().iter::<f32>().next().unwrap_or(f32::NAN)
}

/// The size-weighted average of the parts' gradients, and of their losses.
fn average(parts: &[PartGradient]) -> Result<(Vec<f32>, f32), String> {
    let first = parts.first().ok_or("no gradients to average")?;
    let total: usize = parts.iter().map(|p| p.count).sum();
    if parts.len() == 1 {
        return Ok((first.values.clone(), first.loss));
    }
    if parts.iter().any(|p| p.values.len() != first.values.len()) || total == 0 {
        return Err("the replicas' gradients do not match".into());
    }
    let mut values = vec![0.0f32; first.values.len()];
    let mut loss = 0.0;
    for p in parts {
        let w = p.count as f32 / total as f32;
        for (v, g) in values.iter_mut().zip(&p.values) {
            *v += w * g;
        }
        loss += w * p.loss;
    }
    Ok((values, loss))
}

/// Every float parameter of `module`, flat, in visiting order.
fn flat_params<M: Module>(module: &M) -> Vec<f32> {
    struct Collect(Vec<f32>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.extend(param.val().detach().into_data().iter::<f32>());
        }
    }
    let mut c = Collect(Vec::new());
    module.visit(&mut c);
    c.0
}

/// How many values `flat_params` gives for `module`.
fn param_count<M: Module>(module: &M) -> usize {
    struct Count(usize);
    impl ModuleVisitor for Count {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0 += param.shape().num_elements();
        }
    }
    let mut c = Count(0);
    module.visit(&mut c);
    c.0
}

/// `module` with its float parameters replaced from `values` (visiting order), keeping each
/// parameter's id and whether it is trained. Batch norm's running statistics are visited too,
/// and burn shares them between a module and its clones, so the count is checked before
/// anything is replaced.
fn with_params<M: Module>(module: M, values: &[f32]) -> Result<M, String> {
    if values.len() != param_count(&module) {
        return Err(format!("{} values do not fit a model of this architecture ({})", values.len(), param_count(&module)));
    }
    struct Fill<'a> {
        values: &'a [f32],
        at: usize,
        short: bool,
    }
    impl ModuleMapper for Fill<'_> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let (id, tensor, _) = param.consume();
            let shape = tensor.shape();
            let Some(part) = self.values.get(self.at..self.at + shape.num_elements()) else {
                self.short = true;
                return Param::initialized(id, tensor);
            };
            self.at += part.len();
            let trained = tensor.is_require_grad();
            Param::initialized(id, Tensor::from_data(TensorData::new(part.to_vec(), shape), &tensor.device()).set_require_grad(trained))
        }
    }
    let mut fill = Fill { values, at: 0, short: false };
    let module = module.map(&mut fill);
    if fill.short || fill.at != values.len() {
        return Err(format!("{} values do not fit a model of this architecture", values.len()));
    }
    Ok(module)
}

/// The gradients of `module`'s trained parameters, flat, in visiting order (zeros for one
/// without a gradient; every trained parameter of the DCGAN has one). Batch norm's running
/// statistics are visited as parameters but not trained, and are left out.
fn flat_gradient<M: Module>(grads: &GradientsParams, module: &M) -> Vec<f32> {
    struct Collect<'a>(&'a GradientsParams, Vec<f32>);
    impl ModuleVisitor for Collect<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if !param.val().is_require_grad() {
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
    struct Register<'a> {
        values: &'a [f32],
        at: usize,
        short: bool,
        grads: GradientsParams,
    }
    impl ModuleVisitor for Register<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if !param.val().is_require_grad() {
                return;
            }
            let shape = param.shape();
            let Some(part) = self.values.get(self.at..self.at + shape.num_elements()) else {
                self.short = true;
                return;
            };
            self.at += part.len();
            let device = param.val().device().inner();
            self.grads.register::<D>(param.id, Tensor::from_data(TensorData::new(part.to_vec(), shape), &device));
        }
    }
    let mut r = Register { values, at: 0, short: false, grads: GradientsParams::new() };
    module.visit(&mut r);
    if r.short || r.at != values.len() {
        return Err(format!("{} gradient values do not fit a model of this architecture", values.len()));
    }
    Ok(r.grads)
}
