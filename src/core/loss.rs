//! GAN objectives, written on the discriminator's raw output (a logit for the log losses).
//!
//! With D(x) = σ(l(x)): log D = −softplus(−l) and log(1 − D) = −softplus(l). Working on logits
//! keeps every loss finite when D saturates, which is exactly when the lectures' "vanishing
//! gradient" story happens.

use burn::tensor::{activation, Tensor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GanLoss {
    /// The original minimax game; G minimises E[log(1 − D(G(z)))] (saturates when D wins).
    Minimax,
    /// Non-saturating: G maximises E[log D(G(z))].
    NonSaturating,
    /// Least squares (LSGAN, a = 0, b = c = 1).
    LeastSquares,
    /// Wasserstein critic, Lipschitz by weight clipping (WGAN).
    Wasserstein,
    /// Wasserstein critic, Lipschitz by a gradient penalty (WGAN-GP; the penalty is added by
    /// the trainer, see `critic`).
    WassersteinGp,
    /// Hinge loss.
    Hinge,
}

impl GanLoss {
    pub const NAMES: &'static [&'static str] = &["minimax", "ns", "lsgan", "wgan", "wgan-gp", "hinge"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "minimax" => Some(Self::Minimax),
            "ns" => Some(Self::NonSaturating),
            "lsgan" => Some(Self::LeastSquares),
            "wgan" => Some(Self::Wasserstein),
            "wgan-gp" => Some(Self::WassersteinGp),
            "hinge" => Some(Self::Hinge),
            _ => None,
        }
    }

    /// True when D's output is a logit whose sigmoid is a probability "real".
    pub fn outputs_probability(self) -> bool {
        matches!(self, Self::Minimax | Self::NonSaturating)
    }

    /// The discriminator's loss (to minimise) on raw outputs `real`, `fake`: [batch, 1].
    pub fn d_loss(self, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
        self.d_loss_smoothed(real, fake, 0.0)
    }

    /// Whether one-sided label smoothing means anything for this loss (it needs a target
    /// label for real samples).
    pub fn has_labels(self) -> bool {
        matches!(self, Self::Minimax | Self::NonSaturating | Self::LeastSquares)
    }

    /// The discriminator's loss with one-sided label smoothing: real samples are labelled
    /// 1 − `smoothing` instead of 1 (Salimans et al. 2016); generated ones stay at 0. Losses
    /// without labels ignore `smoothing`.
    pub fn d_loss_smoothed(self, real: Tensor<2>, fake: Tensor<2>, smoothing: f32) -> Tensor<1> {
        let t = 1.0 - smoothing;
        match self {
            // −E[t log D(x) + (1 − t) log(1 − D(x))] − E[log(1 − D(G(z)))]
            Self::Minimax | Self::NonSaturating => {
                let real_term = if smoothing > 0.0 {
                    softplus(real.clone().neg()) * t + softplus(real) * smoothing
                } else {
                    softplus(real.neg())
                };
                real_term.mean() + softplus(fake).mean()
            }
            Self::LeastSquares => ((real - t).powi_scalar(2).mean() + fake.powi_scalar(2).mean()) * 0.5,
            Self::Wasserstein | Self::WassersteinGp => fake.mean() - real.mean(),
            Self::Hinge => activation::relu(real.neg() + 1.0).mean() + activation::relu(fake + 1.0).mean(),
        }
    }

    /// The generator's loss (to minimise) on D's raw output for generated samples: [batch, 1].
    pub fn g_loss(self, fake: Tensor<2>) -> Tensor<1> {
        match self {
            // E[log(1 − D(G(z)))] = −E[softplus(l)]
            Self::Minimax => softplus(fake).mean().neg(),
            // −E[log D(G(z))] = E[softplus(−l)]
            Self::NonSaturating => softplus(fake.neg()).mean(),
            Self::LeastSquares => (fake - 1.0).powi_scalar(2).mean() * 0.5,
            Self::Wasserstein | Self::WassersteinGp | Self::Hinge => fake.mean().neg(),
        }
    }

    /// ∂ℓ/∂l per sample: the slope of the generator's per-sample loss ℓ in D's raw output l
    /// (`g_loss` is the batch mean of ℓ). Times ∇ₓl it is the pull on each generated point.
    pub fn g_loss_slope(self, fake: Tensor<2>) -> Tensor<2> {
        match self {
            // ℓ = −softplus(l): −σ(l), which vanishes as D rejects the sample (σ(l) → 0)
            Self::Minimax => activation::sigmoid(fake).neg(),
            // ℓ = softplus(−l): −σ(−l), largest exactly when D rejects the sample
            Self::NonSaturating => activation::sigmoid(fake.neg()).neg(),
            Self::LeastSquares => fake - 1.0,
            Self::Wasserstein | Self::WassersteinGp | Self::Hinge => fake.zeros_like() - 1.0,
        }
    }
}

/// log(1 + eˣ), computed as max(x, 0) + log(1 + e^−|x|) so it never overflows.
pub fn softplus<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    activation::relu(x.clone()) + (x.abs().neg().exp() + 1.0).log()
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn column(values: &[f64], device: &Device) -> Tensor<2> {
        let v: Vec<f32> = values.iter().map(|&x| x as f32).collect();
        Tensor::from_data(TensorData::new(v, [values.len(), 1]), device)
    }

    fn scalar(t: Tensor<1>) -> f64 {
        t.into_data().try_to_vec::<f32>().unwrap()[0] as f64
    }

    fn sigmoid(l: f64) -> f64 {
        1.0 / (1.0 + (-l).exp())
    }

    fn mean(xs: impl Iterator<Item = f64>, n: usize) -> f64 {
        xs.sum::<f64>() / n as f64
    }

    #[test]
    fn every_loss_matches_its_closed_form() {
        let device = Device::flex();
        let r = [2.0, -0.5, 0.3, 1.2];
        let f = [-1.5, 0.7, -0.2, 3.0];
        let n = r.len();
        let (real, fake) = (column(&r, &device), column(&f, &device));
        let ln = |p: f64| p.ln();

        let d_log = -mean(r.iter().map(|&l| ln(sigmoid(l))), n) - mean(f.iter().map(|&l| ln(1.0 - sigmoid(l))), n);
        let cases: [(GanLoss, f64, f64); 6] = [
            (GanLoss::Minimax, d_log, mean(f.iter().map(|&l| ln(1.0 - sigmoid(l))), n)),
            (GanLoss::NonSaturating, d_log, -mean(f.iter().map(|&l| ln(sigmoid(l))), n)),
            (
                GanLoss::LeastSquares,
                0.5 * mean(r.iter().map(|&x| (x - 1.0).powi(2)), n) + 0.5 * mean(f.iter().map(|&x| x * x), n),
                0.5 * mean(f.iter().map(|&x| (x - 1.0).powi(2)), n),
            ),
            (GanLoss::Wasserstein, mean(f.iter().copied(), n) - mean(r.iter().copied(), n), -mean(f.iter().copied(), n)),
            (GanLoss::WassersteinGp, mean(f.iter().copied(), n) - mean(r.iter().copied(), n), -mean(f.iter().copied(), n)),
            (
                GanLoss::Hinge,
                mean(r.iter().map(|&x| (1.0 - x).max(0.0)), n) + mean(f.iter().map(|&x| (1.0 + x).max(0.0)), n),
                -mean(f.iter().copied(), n),
            ),
        ];
        for (loss, want_d, want_g) in cases {
            let got_d = scalar(loss.d_loss(real.clone(), fake.clone()));
            let got_g = scalar(loss.g_loss(fake.clone()));
            assert!((got_d - want_d).abs() < 1e-5, "{loss:?} d: {got_d} vs {want_d}");
            assert!((got_g - want_g).abs() < 1e-5, "{loss:?} g: {got_g} vs {want_g}");
        }
    }

    #[test]
    fn label_smoothing_and_generator_slopes_match_their_formulas() {
        let device = Device::flex();
        let r = [2.0, -0.5, 0.3];
        let f = [-1.5, 0.7, 4.0];
        let (real, fake) = (column(&r, &device), column(&f, &device));
        let s = 0.1;
        let want = -mean(r.iter().map(|&l| (1.0 - s) * sigmoid(l).ln() + s * (1.0 - sigmoid(l)).ln()), 3)
            - mean(f.iter().map(|&l| (1.0 - sigmoid(l)).ln()), 3);
        let got = scalar(GanLoss::NonSaturating.d_loss_smoothed(real.clone(), fake.clone(), s as f32));
        assert!((got - want).abs() < 1e-5, "{got} vs {want}");
        let want_ls = 0.5 * mean(r.iter().map(|&x| (x - 0.9).powi(2)), 3) + 0.5 * mean(f.iter().map(|&x| x * x), 3);
        assert!((scalar(GanLoss::LeastSquares.d_loss_smoothed(real.clone(), fake.clone(), 0.1)) - want_ls).abs() < 1e-5);
        assert_eq!(scalar(GanLoss::Hinge.d_loss_smoothed(real.clone(), fake.clone(), 0.1)), scalar(GanLoss::Hinge.d_loss(real, fake)));
        // slopes: n · ∂g_loss/∂l from burn's autodiff
        let ad = Device::flex().autodiff();
        for name in GanLoss::NAMES {
            let loss = GanLoss::parse(name).unwrap();
            let x = column(&f, &ad).require_grad();
            let grads = loss.g_loss(x.clone()).backward();
            let auto: Vec<f32> = x.grad(&grads).unwrap().into_data().try_to_vec().unwrap();
            let slope: Vec<f32> = loss.g_loss_slope(column(&f, &device)).into_data().try_to_vec().unwrap();
            for (a, b) in auto.iter().zip(&slope) {
                assert!((a * 3.0 - b).abs() < 1e-5, "{name}: {a}·3 vs {b}");
            }
        }
        // the minimax loss's pull vanishes on a sample D rejects with logit −10; NS's does not
        let rejected = column(&[-10.0], &device);
        let mm = GanLoss::Minimax.g_loss_slope(rejected.clone()).into_data().try_to_vec::<f32>().unwrap()[0];
        let ns = GanLoss::NonSaturating.g_loss_slope(rejected).into_data().try_to_vec::<f32>().unwrap()[0];
        assert!(mm.abs() < 1e-4 && ns < -0.99, "minimax {mm}, ns {ns}");
    }

    #[test]
    fn softplus_stays_finite_when_d_saturates() {
        let device = Device::flex();
        let x = column(&[-200.0, -30.0, 0.0, 30.0, 200.0], &device);
        let y = softplus(x).into_data().try_to_vec::<f32>().unwrap();
        assert!(y.iter().all(|v| v.is_finite()));
        assert!(y[0] < 1e-30 && (y[2] - 2f32.ln()).abs() < 1e-6 && (y[4] - 200.0).abs() < 1e-3);
    }

    /// At the optimal discriminator D* = p_data / (p_data + p_g) the value of the game,
    /// V = −d_loss, equals 2·JSD(p_data ‖ p_g) − log 4 (Goodfellow et al. 2014, Theorem 1).
    #[test]
    fn optimal_discriminator_value_is_2jsd_minus_log4() {
        let device = Device::flex();
        // Two distributions on three points, represented by 20-sample batches with exact counts.
        let p_data: [f64; 3] = [0.5, 0.3, 0.2];
        let p_g: [f64; 3] = [0.1, 0.3, 0.6];
        let batch = |p: &[f64]| -> Vec<usize> {
            p.iter().enumerate().flat_map(|(i, &w)| std::iter::repeat_n(i, (w * 20.0).round() as usize)).collect()
        };
        // D* as a logit: log(p_data / p_g)
        let logit = |i: usize| (p_data[i] / p_g[i]).ln();
        let real: Vec<f64> = batch(&p_data).into_iter().map(logit).collect();
        let fake: Vec<f64> = batch(&p_g).into_iter().map(logit).collect();
        let v = -scalar(GanLoss::Minimax.d_loss(column(&real, &device), column(&fake, &device)));

        let m: Vec<f64> = p_data.iter().zip(&p_g).map(|(a, b)| 0.5 * (a + b)).collect();
        let kl = |p: &[f64]| p.iter().zip(&m).map(|(a, b)| a * (a / b).ln()).sum::<f64>();
        let jsd = 0.5 * kl(&p_data) + 0.5 * kl(&p_g);
        assert!((v - (2.0 * jsd - 4f64.ln())).abs() < 1e-5, "V {v} vs 2JSD − log 4 {}", 2.0 * jsd - 4f64.ln());
        // and equal distributions give the minimum, −log 4
        let same = column(&[0.0; 8], &device);
        let v_same = -scalar(GanLoss::Minimax.d_loss(same.clone(), same));
        assert!((v_same + 4f64.ln()).abs() < 1e-6);
    }
}
