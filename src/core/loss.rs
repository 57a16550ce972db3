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
    /// Wasserstein critic (Lipschitz constraint by weight clipping or a gradient penalty).
    Wasserstein,
    /// Hinge loss.
    Hinge,
}

impl GanLoss {
    pub const NAMES: &'static [&'static str] = &["minimax", "ns", "lsgan", "wgan", "hinge"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "minimax" => Some(Self::Minimax),
            "ns" => Some(Self::NonSaturating),
            "lsgan" => Some(Self::LeastSquares),
            "wgan" => Some(Self::Wasserstein),
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
        match self {
            // −E[log D(x)] − E[log(1 − D(G(z)))]
            Self::Minimax | Self::NonSaturating => softplus(real.neg()).mean() + softplus(fake).mean(),
            Self::LeastSquares => ((real - 1.0).powi_scalar(2).mean() + fake.powi_scalar(2).mean()) * 0.5,
            Self::Wasserstein => fake.mean() - real.mean(),
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
            Self::Wasserstein | Self::Hinge => fake.mean().neg(),
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
        let cases: [(GanLoss, f64, f64); 5] = [
            (GanLoss::Minimax, d_log, mean(f.iter().map(|&l| ln(1.0 - sigmoid(l))), n)),
            (GanLoss::NonSaturating, d_log, -mean(f.iter().map(|&l| ln(sigmoid(l))), n)),
            (
                GanLoss::LeastSquares,
                0.5 * mean(r.iter().map(|&x| (x - 1.0).powi(2)), n) + 0.5 * mean(f.iter().map(|&x| x * x), n),
                0.5 * mean(f.iter().map(|&x| (x - 1.0).powi(2)), n),
            ),
            (GanLoss::Wasserstein, mean(f.iter().copied(), n) - mean(r.iter().copied(), n), -mean(f.iter().copied(), n)),
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
