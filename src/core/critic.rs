//! The MLP discriminator written out as tensor expressions, for what burn's first-order
//! autodiff cannot do by itself.
//!
//! A gradient penalty (WGAN-GP, R1) needs the gradient of D with respect to its *input* inside
//! the loss, and then the gradient of that with respect to D's *weights*: a second derivative.
//! burn's autodiff is first order, so `input_gradient` writes backpropagation through the MLP
//! by hand as ordinary tensor ops (∇ₓD = W₁ diag(σ'(a₁)) W₂ … W_L); one first-order backward
//! pass then differentiates the penalty with respect to the weights. The tests check it
//! against burn's own input gradient.
//!
//! Spectral normalisation (Miyato et al. 2018) divides each weight matrix by its largest
//! singular value, estimated by one power iteration per discriminator step.
//!
//! The minibatch standard-deviation feature (Karras et al. 2018) gives D one extra input to
//! its last layer: the standard deviation of the last hidden layer's activations across the
//! batch, averaged over units. A batch of near-identical fakes has a tell-tale small value, so
//! D can reject a collapsed G, and G's gradient through the feature pushes it to spread out.
//! In the explicit input gradient the feature is held constant (it couples every sample of
//! the batch, so a per-sample ∇ₓD does not exist); a penalty then sees D's per-sample slope.

use crate::core::model::{Activation, Mlp};
use crate::core::rng::SeededRng;
use burn::tensor::{Device, Tensor, TensorData};

/// D's layers with the weights it actually uses (divided by σ(W) under spectral norm).
pub struct Critic {
    /// (W `[d_in, d_out]`, b `[d_out]`) per layer.
    layers: Vec<(Tensor<2>, Tensor<1>)>,
    activation: Activation,
    std_feature: StdFeature,
}

/// Where the minibatch standard-deviation feature comes from.
#[derive(Clone)]
enum StdFeature {
    Off,
    /// Computed over the batch being classified.
    FromBatch,
    /// A given `[1, 1]` value (views: the statistic of G's current samples, so that the
    /// heatmap shows what D says of a point in a batch like G's).
    Fixed(Tensor<2>),
}

impl Critic {
    /// The plain MLP, or with each weight scaled by `inv_sigma[l]` (`[1]` tensors).
    pub fn of(mlp: &Mlp, inv_sigma: Option<&[Tensor<1>]>) -> Self {
        let layers = mlp
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let w = l.weight.val(); // [d_in, d_out]
                let w = match inv_sigma {
                    Some(s) => w * s[i].clone().reshape([1, 1]), // [d_in, d_out]
                    None => w,
                };
                let [_, d_out] = w.dims();
                let b = l.bias.as_ref().map(|b| b.val()).unwrap_or_else(|| Tensor::zeros([d_out], &w.device()));
                (w, b)
            })
            .collect();
        Self { layers, activation: mlp.activation, std_feature: StdFeature::Off }
    }

    /// The same critic with the minibatch standard-deviation feature (its MLP's last layer
    /// must have one extra input: `MlpShape::init_with_extra_input(1, …)`).
    pub fn with_minibatch_std(mut self) -> Self {
        self.std_feature = StdFeature::FromBatch;
        self
    }

    /// The feature `[1, 1]` that `x` would give (differentiable in x).
    pub fn batch_std(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let mut h = x; // [batch, d_in]
        for (w, b) in &self.layers[..last] {
            h = self.activation.apply(h.matmul(w.clone()) + b.clone().unsqueeze_dim(0)); // [batch, width]
        }
        minibatch_std(h)
    }

    /// The same critic with its weights held constant: a backward pass through it computes
    /// only the path to its input (a G step needs no gradient for D's weights).
    pub fn frozen(mut self) -> Self {
        self.layers = self.layers.into_iter().map(|(w, b)| (w.detach(), b.detach())).collect();
        self
    }

    /// With the minibatch feature on, use `s` `[1, 1]` for it instead of the batch's own.
    pub fn with_fixed_std(mut self, s: Tensor<2>) -> Self {
        if !matches!(self.std_feature, StdFeature::Off) {
            self.std_feature = StdFeature::Fixed(s.detach());
        }
        self
    }

    /// D's raw output `[batch, 1]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.forward_trace(x, false).0
    }

    /// The output and the pre-activations of the hidden layers (what the input gradient needs).
    /// `detach_std`: hold the minibatch feature constant.
    fn forward_trace(&self, x: Tensor<2>, detach_std: bool) -> (Tensor<2>, Vec<Tensor<2>>) {
        let last = self.layers.len() - 1;
        let [batch, _] = x.dims();
        let mut h = x; // [batch, 2]
        let mut pre = Vec::with_capacity(last);
        for (i, (w, b)) in self.layers.iter().enumerate() {
            if i == last {
                let s = match &self.std_feature {
                    StdFeature::Off => None,
                    StdFeature::FromBatch if detach_std => Some(minibatch_std(h.clone()).detach()),
                    StdFeature::FromBatch => Some(minibatch_std(h.clone())),
                    StdFeature::Fixed(s) => Some(s.clone()),
                };
                if let Some(s) = s {
                    h = Tensor::cat(vec![h, s.expand([batch, 1])], 1); // [batch, width + 1]
                }
            }
            let a = h.matmul(w.clone()) + b.clone().unsqueeze_dim(0); // [batch, d_out]
            if i < last {
                h = self.activation.apply(a.clone()); // [batch, d_out]
                pre.push(a);
            } else {
                h = a; // [batch, 1]
            }
        }
        (h, pre)
    }

    /// D's output and ∇ₓD(x) `[batch, 2]`, built from tensor ops only, so that a penalty on it
    /// can be differentiated with respect to the weights by a first-order backward pass.
    pub fn output_and_input_gradient(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let [batch, _] = x.dims();
        let (out, pre) = self.forward_trace(x, true);
        let device = out.device();
        let last = self.layers.len() - 1;
        let mut g = Tensor::<2>::ones([batch, 1], &device); // ∂D/∂D: [batch, 1]
        for (i, (w, _)) in self.layers.iter().enumerate().rev() {
            g = g.matmul(w.clone().transpose()); // [batch, d_in]
            if i == last && !matches!(self.std_feature, StdFeature::Off) {
                let [_, d_in] = g.dims();
                g = g.slice([0..batch, 0..d_in - 1]); // the constant feature's row drops out
            }
            if i > 0 {
                g = g * self.activation.derivative(pre[i - 1].clone()); // [batch, d_in]
            }
        }
        (out, g)
    }
}

/// Standard deviation across the batch per unit, averaged over units: `[batch, width]` →
/// `[1, 1]` (ε inside the root keeps its gradient finite for a fully collapsed batch).
fn minibatch_std(h: Tensor<2>) -> Tensor<2> {
    let mean = h.clone().mean_dim(0); // [1, width]
    let var = (h - mean).powi_scalar(2).mean_dim(0); // [1, width]
    (var + 1e-8).sqrt().mean().reshape([1, 1])
}

/// Power-iteration state for spectral normalisation: one unit vector u per layer.
#[derive(Clone)]
pub struct SpectralNorm {
    /// `[d_out, 1]`, detached.
    u: Vec<Tensor<2>>,
}

impl SpectralNorm {
    pub fn new(mlp: &Mlp, rng: &mut SeededRng, device: &Device) -> Self {
        let u = mlp
            .layers
            .iter()
            .map(|l| {
                let [_, d_out] = l.weight.dims();
                let v: Vec<f32> = (0..d_out).map(|_| rng.normal()).collect();
                normalise(Tensor::from_data(TensorData::new(v, [d_out, 1]), device))
            })
            .collect();
        Self { u }
    }

    /// 1/σ(W) per layer as `[1]` tensors that carry the gradient through W. With `iterate`,
    /// first refines the singular vectors by one power-iteration step (once per D update).
    pub fn inverse_sigmas(&mut self, mlp: &Mlp, iterate: bool) -> Vec<Tensor<1>> {
        mlp.layers
            .iter()
            .zip(self.u.iter_mut())
            .map(|(l, u)| {
                let (inv, next) = inverse_sigma(l.weight.val(), u.clone());
                if iterate {
                    *u = next;
                }
                inv
            })
            .collect()
    }

    /// 1/σ(W) from the current singular vectors, without refining them (views, G steps).
    pub fn inverse_sigmas_fixed(&self, mlp: &Mlp) -> Vec<Tensor<1>> {
        mlp.layers.iter().zip(&self.u).map(|(l, u)| inverse_sigma(l.weight.val(), u.clone()).0).collect()
    }
}

/// One power-iteration step on W `[d_in, d_out]` from u `[d_out, 1]`: 1/σ as `[1]` (with the
/// gradient through W) and the refined u.
fn inverse_sigma(w: Tensor<2>, u: Tensor<2>) -> (Tensor<1>, Tensor<2>) {
    let wd = w.clone().detach();
    let v = normalise(wd.clone().matmul(u)); // [d_in, 1]
    let u = normalise(wd.transpose().matmul(v.clone())); // [d_out, 1]
    // σ = vᵀ W u: [1, 1]
    let sigma = v.transpose().matmul(w.matmul(u.clone()));
    (sigma.reshape([1]).clamp_min(1e-6).recip(), u)
}

/// x / ‖x‖ for a column `[n, 1]` (detached).
fn normalise(x: Tensor<2>) -> Tensor<2> {
    let norm = x.clone().powi_scalar(2).sum().sqrt().clamp_min(1e-12); // [1]
    (x / norm.reshape([1, 1])).detach()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::MlpShape;

    fn to_vec(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    fn points(device: &Device) -> Tensor<2> {
        let mut rng = SeededRng::new(4);
        let v: Vec<f32> = (0..2 * 64).map(|_| 1.5 * rng.normal()).collect();
        Tensor::from_data(TensorData::new(v, [64, 2]), device)
    }

    /// The hand-written input gradient equals burn's autodiff input gradient, for every
    /// activation, with and without spectral normalisation.
    #[test]
    fn explicit_input_gradient_equals_autodiff() {
        let device = Device::flex().autodiff();
        for act in ["relu", "leaky", "tanh", "elu"] {
            for sn in [false, true] {
                let shape = MlpShape { input: 2, hidden_layers: 3, width: 16, output: 1, activation: Activation::parse(act).unwrap() };
                let mut rng = SeededRng::new(11);
                let mlp = shape.init(&mut rng, &device);
                let mut norm = SpectralNorm::new(&mlp, &mut rng, &device);
                let inv = sn.then(|| norm.inverse_sigmas(&mlp, true));
                let critic = Critic::of(&mlp, inv.as_deref());
                let x = points(&device).require_grad();
                let (out, explicit) = critic.output_and_input_gradient(x.clone());
                let grads = out.sum().backward();
                let auto = x.grad(&grads).expect("input gradient");
                let (a, b) = (to_vec(explicit), auto.into_data().try_to_vec::<f32>().unwrap());
                assert_eq!(a.len(), b.len());
                let scale = b.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-3);
                for (p, q) in a.iter().zip(&b) {
                    assert!((p - q).abs() <= 1e-5 * scale, "{act} sn={sn}: {p} vs {q}");
                }
            }
        }
    }

    /// A frozen critic (what a G step uses) passes the same gradient to its input and leaves
    /// D's weights without one; the live critic gives both.
    #[test]
    fn frozen_critic_gives_the_input_gradient_and_no_weight_gradient() {
        let device = Device::flex().autodiff();
        let shape = MlpShape { input: 2, hidden_layers: 2, width: 8, output: 1, activation: Activation::LeakyRelu };
        let mlp = shape.init(&mut SeededRng::new(5), &device);
        let weight = |m: &Mlp| m.layers[0].weight.val();
        let input_grad = |critic: Critic| {
            let x = points(&device).require_grad();
            let grads = critic.forward(x.clone()).sum().backward();
            (x.grad(&grads).expect("input gradient").into_data().try_to_vec::<f32>().unwrap(), weight(&mlp).grad(&grads).is_some())
        };
        let (live, live_has_weight_grad) = input_grad(Critic::of(&mlp, None));
        let (frozen, frozen_has_weight_grad) = input_grad(Critic::of(&mlp, None).frozen());
        assert!(live_has_weight_grad, "the live critic's weights get a gradient");
        assert!(!frozen_has_weight_grad, "the frozen critic's weights get none");
        assert_eq!(live, frozen);
    }

    /// The penalty's weight gradient (through the explicit expression) matches a finite
    /// difference of the penalty in one weight.
    #[test]
    fn gradient_penalty_weight_gradient_matches_finite_differences() {
        let device = Device::flex().autodiff();
        let shape = MlpShape { input: 2, hidden_layers: 2, width: 8, output: 1, activation: Activation::Tanh };
        let mlp = shape.init(&mut SeededRng::new(3), &device);
        let penalty = |m: &Mlp| {
            let (_, g) = Critic::of(m, None).output_and_input_gradient(points(&device)); // [64, 2]
            (g.powi_scalar(2).sum_dim(1).sqrt() - 1.0).powi_scalar(2).mean() // [1]
        };
        let grads = penalty(&mlp).backward();
        let w0 = mlp.layers[1].weight.val();
        let analytic = w0.grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap()[5] as f64;
        let h = 1e-2f32;
        let shifted = |d: f32| {
            let mut m = mlp.clone();
            let mut w = m.layers[1].weight.val().detach().into_data().try_to_vec::<f32>().unwrap();
            w[5] += d;
            let [a, b] = m.layers[1].weight.dims();
            m.layers[1].weight = burn::module::Param::from_data(TensorData::new(w, [a, b]), &device);
            penalty(&m).into_data().try_to_vec::<f32>().unwrap()[0] as f64
        };
        let numeric = (shifted(h) - shifted(-h)) / (2.0 * h as f64);
        assert!((analytic - numeric).abs() < 2e-3 * numeric.abs().max(0.1), "autodiff {analytic} vs finite difference {numeric}");
    }

    /// With the minibatch feature, the explicit input gradient is D's slope with the feature
    /// held at the batch's value; the feature is tiny for a collapsed batch.
    #[test]
    fn minibatch_feature_gradient_holds_the_feature_constant() {
        let device = Device::flex().autodiff();
        let shape = MlpShape { input: 2, hidden_layers: 2, width: 16, output: 1, activation: Activation::Tanh };
        let mlp = shape.init_with_extra_input(1, &mut SeededRng::new(2), &device);
        let critic = Critic::of(&mlp, None).with_minibatch_std();
        let x = points(&device);
        let (_, explicit) = critic.output_and_input_gradient(x.clone());
        let s = critic.batch_std(x.clone());
        let fixed = Critic::of(&mlp, None).with_minibatch_std().with_fixed_std(s);
        let x = x.require_grad();
        let grads = fixed.forward(x.clone()).sum().backward();
        let auto = x.grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap();
        for (p, q) in to_vec(explicit).iter().zip(&auto) {
            assert!((p - q).abs() < 1e-5, "{p} vs {q}");
        }
        let same = Tensor::<2>::ones([32, 2], &device);
        let collapsed = critic.batch_std(same).into_data().try_to_vec::<f32>().unwrap()[0];
        let spread = critic.batch_std(points(&device)).into_data().try_to_vec::<f32>().unwrap()[0];
        assert!(collapsed < 1e-3 && spread > 0.05, "collapsed {collapsed}, spread {spread}");
    }

    /// After enough power iterations 1/σ is the inverse largest singular value: the scaled
    /// matrix maps no unit vector to a longer one, and some almost to unit length.
    #[test]
    fn spectral_norm_finds_the_largest_singular_value() {
        let device = Device::flex();
        let shape = MlpShape { input: 2, hidden_layers: 1, width: 32, output: 1, activation: Activation::Relu };
        let mut rng = SeededRng::new(8);
        let mlp = shape.init(&mut rng, &device);
        let mut norm = SpectralNorm::new(&mlp, &mut rng, &device);
        let mut inv = Vec::new();
        for _ in 0..50 {
            inv = norm.inverse_sigmas(&mlp, true);
        }
        // layer 0 is 2×32: σ² is the largest eigenvalue of the 2×2 matrix W Wᵀ
        let w = mlp.layers[0].weight.val().into_data().try_to_vec::<f32>().unwrap();
        let (mut a, mut b, mut c) = (0f64, 0f64, 0f64);
        for k in 0..32 {
            let (p, q) = (w[k] as f64, w[32 + k] as f64);
            a += p * p;
            b += p * q;
            c += q * q;
        }
        let top = 0.5 * (a + c) + (0.25 * (a - c).powi(2) + b * b).sqrt();
        let got = 1.0 / inv[0].clone().into_data().try_to_vec::<f32>().unwrap()[0] as f64;
        assert!((got - top.sqrt()).abs() < 1e-4 * top.sqrt(), "σ {got} vs {}", top.sqrt());
    }
}
