//! Target distributions in 2-D: a sampler and an exact density for each.

use crate::core::rng::SeededRng;
use std::f32::consts::PI;

/// A mixture of isotropic Gaussians with equal weights.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianMixture {
    pub means: Vec<[f32; 2]>,
    pub sigma: f32,
}

impl GaussianMixture {
    /// `k` modes evenly spaced on a circle of `radius`: angles 2πi/k for i = 0..k-1. (Using
    /// `linspace(0, 2π, k)` instead repeats the first mode at 2π and yields k-1 modes.)
    pub fn ring(k: usize, radius: f32, sigma: f32) -> Self {
        let means = (0..k)
            .map(|i| {
                let a = 2.0 * PI * i as f32 / k as f32;
                [radius * a.cos(), radius * a.sin()]
            })
            .collect();
        Self { means, sigma }
    }

    /// `n` samples as a flat row-major `[n, 2]` buffer.
    pub fn sample(&self, n: usize, rng: &mut SeededRng) -> Vec<f32> {
        let mut out = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let m = self.means[rng.below(self.means.len())];
            out.push(m[0] + self.sigma * rng.normal());
            out.push(m[1] + self.sigma * rng.normal());
        }
        out
    }

    /// The exact density p(x, y).
    pub fn density(&self, x: f32, y: f32) -> f32 {
        let s2 = self.sigma * self.sigma;
        let norm = 1.0 / (2.0 * PI * s2 * self.means.len() as f32);
        self.means
            .iter()
            .map(|m| (-((x - m[0]).powi(2) + (y - m[1]).powi(2)) / (2.0 * s2)).exp())
            .sum::<f32>()
            * norm
    }

    /// Index and Euclidean distance of the nearest mode.
    pub fn nearest_mode(&self, x: f32, y: f32) -> (usize, f32) {
        self.means
            .iter()
            .enumerate()
            .map(|(i, m)| (i, ((x - m[0]).powi(2) + (y - m[1]).powi(2)).sqrt()))
            .fold((0, f32::INFINITY), |best, c| if c.1 < best.1 { c } else { best })
    }
}

/// The distributions a setting `dist` can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dist {
    /// 8 Gaussians on the unit circle, σ = 0.05.
    Ring8,
}

impl Dist {
    pub const NAMES: &'static [&'static str] = &["ring8"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "ring8" => Some(Self::Ring8),
            _ => None,
        }
    }

    pub fn mixture(self) -> GaussianMixture {
        match self {
            Self::Ring8 => GaussianMixture::ring(8, 1.0, 0.05),
        }
    }

    /// The square [-r, r]² every view of this distribution shows.
    pub fn view_radius(self) -> f32 {
        match self {
            Self::Ring8 => 1.6,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring8_has_eight_distinct_modes_on_the_unit_circle() {
        let g = Dist::Ring8.mixture();
        assert_eq!(g.means.len(), 8);
        for (i, a) in g.means.iter().enumerate() {
            assert!(((a[0].powi(2) + a[1].powi(2)).sqrt() - 1.0).abs() < 1e-6);
            for b in &g.means[i + 1..] {
                let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
                // neighbours on a unit 8-ring are 2 sin(π/8) ≈ 0.765 apart
                assert!(d > 0.76, "modes {a:?} and {b:?} coincide");
            }
        }
    }

    #[test]
    fn ring8_sampler_hits_every_mode_evenly_with_the_right_spread() {
        let g = Dist::Ring8.mixture();
        let mut rng = SeededRng::new(1);
        let xs = g.sample(16_000, &mut rng);
        let mut counts = [0usize; 8];
        let mut sq = 0.0f64;
        for p in xs.chunks(2) {
            let (k, d) = g.nearest_mode(p[0], p[1]);
            counts[k] += 1;
            sq += (d as f64).powi(2);
        }
        for c in counts {
            assert!((c as f64 - 2000.0).abs() < 200.0, "counts {counts:?}");
        }
        // E[d²] = 2σ² for an isotropic 2-D Gaussian
        let msd = sq / 16_000.0;
        assert!((msd - 2.0 * 0.05f64.powi(2)).abs() < 0.0005, "mean squared distance {msd}");
    }

    #[test]
    fn density_integrates_to_one() {
        let g = Dist::Ring8.mixture();
        let (r, n) = (1.6f32, 400);
        let h = 2.0 * r / n as f32;
        let mut total = 0.0f64;
        for i in 0..n {
            for j in 0..n {
                let x = -r + (i as f32 + 0.5) * h;
                let y = -r + (j as f32 + 0.5) * h;
                total += (g.density(x, y) * h * h) as f64;
            }
        }
        assert!((total - 1.0).abs() < 0.01, "integral {total}");
    }
}
