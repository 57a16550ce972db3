//! Multi-layer perceptrons for the 2-D demos: the generator maps noise to points, the
//! discriminator maps points to one logit (or critic value).
//!
//! Weights are drawn from our seeded RNG on the CPU and uploaded (see `rng`), so one seed gives
//! the same initial networks on every backend.

use crate::core::rng::SeededRng;
use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::{activation, Device, Tensor, TensorData};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Relu,
    LeakyRelu,
    Tanh,
    Elu,
}

impl Activation {
    pub const NAMES: &'static [&'static str] = &["relu", "leaky", "tanh", "elu"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "relu" => Some(Self::Relu),
            "leaky" => Some(Self::LeakyRelu),
            "tanh" => Some(Self::Tanh),
            "elu" => Some(Self::Elu),
            _ => None,
        }
    }

    pub fn apply<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Self::Relu => activation::relu(x),
            Self::LeakyRelu => activation::leaky_relu(x, 0.2),
            Self::Tanh => activation::tanh(x),
            Self::Elu => activation::elu(x, 1.0),
        }
    }

    /// The derivative at pre-activation `a`, written as tensor ops so that a gradient penalty
    /// built from it can itself be differentiated (burn's autodiff is first order only).
    pub fn derivative<const D: usize>(self, a: Tensor<D>) -> Tensor<D> {
        match self {
            Self::Relu => a.greater_elem(0.0).float(),
            Self::LeakyRelu => a.greater_elem(0.0).float() * 0.8 + 0.2,
            Self::Tanh => activation::tanh(a).powi_scalar(2).neg() + 1.0,
            // 1 for a > 0, eᵃ otherwise
            Self::Elu => {
                let pos = a.clone().greater_elem(0.0).float();
                pos.clone() + (pos.neg() + 1.0) * a.clamp_max(0.0).exp()
            }
        }
    }
}

/// Shape of an MLP: `input → hidden × width → output`.
#[derive(Clone, Debug, PartialEq)]
pub struct MlpShape {
    pub input: usize,
    pub hidden_layers: usize,
    pub width: usize,
    pub output: usize,
    pub activation: Activation,
}

impl MlpShape {
    /// Layer widths from input to output.
    fn dims(&self) -> Vec<usize> {
        let mut dims = vec![self.input];
        dims.extend(std::iter::repeat_n(self.width, self.hidden_layers));
        dims.push(self.output);
        dims
    }

    /// Multiply-adds ×2 of one sample's forward pass (the matrix products dominate).
    pub fn forward_flops(&self) -> f64 {
        self.dims().windows(2).map(|w| 2.0 * (w[0] * w[1]) as f64).sum()
    }

    /// Builds the network with PyTorch's default initialisation, U(±1/√fan_in), from `rng`.
    pub fn init(&self, rng: &mut SeededRng, device: &Device) -> Mlp {
        self.init_with_extra_input(0, rng, device)
    }

    /// The same with `extra` more inputs to the last layer (features appended to the last
    /// hidden layer, such as the minibatch standard deviation; see `critic`).
    pub fn init_with_extra_input(&self, extra: usize, rng: &mut SeededRng, device: &Device) -> Mlp {
        let dims = self.dims();
        let last = dims.len() - 2;
        let layers = dims
            .windows(2)
            .enumerate()
            .map(|(i, w)| seeded_linear(w[0] + if i == last { extra } else { 0 }, w[1], rng, device))
            .collect();
        Mlp { layers, activation: self.activation }
    }
}

fn seeded_linear(d_in: usize, d_out: usize, rng: &mut SeededRng, device: &Device) -> Linear {
    let bound = 1.0 / (d_in as f32).sqrt();
    let weight: Vec<f32> = (0..d_in * d_out).map(|_| rng.uniform_in(-bound, bound)).collect();
    let bias: Vec<f32> = (0..d_out).map(|_| rng.uniform_in(-bound, bound)).collect();
    Linear {
        weight: Param::from_data(TensorData::new(weight, [d_in, d_out]), device),
        bias: Some(Param::from_data(TensorData::new(bias, [d_out]), device)),
    }
}

#[derive(Module, Debug)]
pub struct Mlp {
    pub layers: Vec<Linear>,
    #[module(skip)]
    pub activation: Activation,
}

impl Mlp {
    /// Clamps every weight and bias to [−c, c] (WGAN's Lipschitz constraint). Parameter ids
    /// are kept, so the optimiser's state carries over.
    pub fn clip(self, c: f32) -> Self {
        let layers = self
            .layers
            .into_iter()
            .map(|l| Linear {
                weight: l.weight.map(|w| w.clamp(-c, c).detach().require_grad()),
                bias: l.bias.map(|b| b.map(|b| b.clamp(-c, c).detach().require_grad())),
            })
            .collect();
        Self { layers, activation: self.activation }
    }

    /// `β·self + (1 − β)·current`, parameter by parameter, outside any autodiff graph: one
    /// update of an exponential moving average of a network's weights (generator averaging).
    /// Both networks must have the same shape; the result keeps `self`'s parameter ids.
    pub fn moving_average(self, current: &Mlp, beta: f32) -> Self {
        fn mix<const D: usize>(avg: Tensor<D>, current: Tensor<D>, beta: f32) -> Tensor<D> {
            avg.detach() * beta + current.detach() * (1.0 - beta)
        }
        let layers = self
            .layers
            .into_iter()
            .zip(&current.layers)
            .map(|(avg, cur)| Linear {
                weight: avg.weight.map(|w| mix(w, cur.weight.val(), beta)),
                bias: match (avg.bias, &cur.bias) {
                    (Some(a), Some(c)) => Some(a.map(|a| mix(a, c.val(), beta))),
                    (a, _) => a,
                },
            })
            .collect();
        Self { layers, activation: self.activation }
    }

    /// Every weight and bias, flattened, in layer order (weight then bias), with its shape.
    pub fn parameters(&self) -> Vec<(Vec<usize>, Tensor<1>)> {
        let mut out = Vec::new();
        for l in &self.layers {
            let w = l.weight.val().detach();
            let shape = w.dims().to_vec();
            out.push((shape, w.flatten(0, 1))); // [in·out]
            if let Some(b) = &l.bias {
                let b = b.val().detach();
                out.push((b.dims().to_vec(), b)); // [out]
            }
        }
        out
    }

    /// The same network with the given weights (in `parameters`' order), checked shape by
    /// shape; `name` says which network in a mismatch message.
    pub fn with_weights(&self, name: &str, weights: &[crate::core::checkpoint::Weights]) -> Result<Mlp, String> {
        let expected: Vec<Vec<usize>> = self.parameters().into_iter().map(|p| p.0).collect();
        let found: Vec<&Vec<usize>> = weights.iter().map(|w| &w.shape).collect();
        if found.len() != expected.len() || found.iter().zip(&expected).any(|(a, b)| *a != b) {
            return Err(format!("the saved {name} has tensors of shapes {found:?}, but the settings describe {expected:?}"));
        }
        fn param<const D: usize>(t: &crate::core::checkpoint::Weights, device: &Device) -> Param<Tensor<D>> {
            Param::from_data(TensorData::new(t.values.clone(), t.shape.clone()), device)
        }
        let mut w = weights.iter();
        let layers = self
            .layers
            .iter()
            .map(|l| {
                let device = l.weight.val().device();
                let weight = param(w.next().expect("counted above"), &device);
                let bias = l.bias.as_ref().map(|_| param(w.next().expect("counted above"), &device));
                Linear { weight, bias }
            })
            .collect();
        Ok(Self { layers, activation: self.activation })
    }

    /// `[1]`: the largest magnitude among the weights and biases (the page's blow-up check).
    pub fn largest_weight(&self) -> Tensor<1> {
        let parts: Vec<Tensor<1>> = self.parameters().into_iter().map(|(_, p)| p.abs().max()).collect(); // [1] each
        Tensor::cat(parts, 0).max() // [1]
    }

    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        // x: [batch, input]
        let last = self.layers.len() - 1;
        let mut h = x;
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(h); // [batch, width] (or [batch, output] for the last layer)
            if i < last {
                h = self.activation.apply(h);
            }
        }
        h // [batch, output]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_seeded_init() {
        let device = Device::flex();
        let shape = MlpShape { input: 3, hidden_layers: 2, width: 16, output: 2, activation: Activation::Relu };
        let a = shape.init(&mut SeededRng::new(5), &device);
        let b = shape.init(&mut SeededRng::new(5), &device);
        assert_eq!(a.layers.len(), 3);
        let x = Tensor::<2>::ones([4, 3], &device);
        let ya = a.forward(x.clone()).into_data().try_to_vec::<f32>().unwrap();
        let yb = b.forward(x).into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(ya.len(), 8);
        assert_eq!(ya, yb);
        let zero_hidden = MlpShape { hidden_layers: 0, ..shape };
        assert_eq!(zero_hidden.init(&mut SeededRng::new(1), &device).layers.len(), 1);
    }

    #[test]
    fn moving_average_mixes_every_parameter_and_keeps_the_ids() {
        let device = Device::flex();
        let shape = MlpShape { input: 2, hidden_layers: 1, width: 5, output: 2, activation: Activation::Tanh };
        let (a, b) = (shape.init(&mut SeededRng::new(1), &device), shape.init(&mut SeededRng::new(2), &device));
        let mixed = a.clone().moving_average(&b, 0.25);
        assert_eq!(mixed.layers[0].weight.id, a.layers[0].weight.id);
        let values = |m: &Mlp| m.parameters().into_iter().map(|(_, t)| t.into_data().try_to_vec::<f32>().unwrap()).collect::<Vec<_>>();
        let (va, vb, vm) = (values(&a), values(&b), values(&mixed));
        assert_eq!(vm.len(), 4);
        for ((pa, pb), pm) in va.iter().zip(&vb).zip(&vm) {
            for ((x, y), m) in pa.iter().zip(pb).zip(pm) {
                assert!((m - (0.25 * x + 0.75 * y)).abs() < 1e-6, "{m} vs 0.25·{x} + 0.75·{y}");
            }
        }
    }
}
