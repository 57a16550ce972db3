//! Mode-collapse metrics exactly as VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al.
//! 2018) report them on their 2-D mixtures.
//!
//! Each generated sample is assigned to its nearest mode, distance measured in that mode's
//! standard deviations (a diagonal Mahalanobis distance; for the benchmarks' isotropic, equal-σ
//! modes this is the Euclidean nearest mode). A sample is *high quality* when that distance is
//! below 3. Then:
//! - modes captured: how many modes are nearest to at least one high-quality sample;
//! - high-quality %: the share of high-quality samples;
//! - reverse KL: KL(p̂_g ‖ uniform) where p̂_g is the share of the high-quality samples at each
//!   mode, Σ p̂ᵢ ln(p̂ᵢ·K) over K modes: 0 when every mode gets its share, ln K when one takes
//!   all (and ln K when there is no high-quality sample at all).
//!
//! This follows PacGAN's own evaluation code (`MetricLogger` in fjxmlzn/PacGAN, which
//! assigns a sample to a mode only within the threshold), so the numbers compare with its
//! Table 1.
//!
//! A drawn distribution has no Gaussian modes; there each stroke is a mode and the distance is
//! to the nearest point of the stroke in units of the stroke's blur.

use crate::core::data::{Dist, Piece, Target, DRAWING_SD};

/// Threshold of a high-quality sample, in standard deviations (VEEGAN's and PacGAN's 3σ).
pub const HQ_SIGMAS: f32 = 3.0;
/// Generated samples per measurement, as in both papers.
pub const METRIC_SAMPLES: usize = 2500;

/// One mode: a Gaussian, or a polyline (a drawn stroke) blurred by `sd`.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    Gauss { mean: [f32; 2], sd: [f32; 2] },
    Stroke { points: Vec<[f32; 2]>, sd: f32 },
}

impl Mode {
    /// Distance from (x, y) in this mode's standard deviations.
    pub fn sigmas(&self, x: f32, y: f32) -> f32 {
        match self {
            Mode::Gauss { mean, sd } => ((x - mean[0]) / sd[0]).hypot((y - mean[1]) / sd[1]),
            Mode::Stroke { points, sd } => {
                let d = if points.len() == 1 {
                    (x - points[0][0]).hypot(y - points[0][1])
                } else {
                    points.windows(2).map(|w| segment_distance([x, y], w[0], w[1])).fold(f32::INFINITY, f32::min)
                };
                d / sd
            }
        }
    }

    /// Where the mode sits (its mean, or the middle point of the stroke), for drawing.
    pub fn centre(&self) -> [f32; 2] {
        match self {
            Mode::Gauss { mean, .. } => *mean,
            Mode::Stroke { points, .. } => points[points.len() / 2],
        }
    }
}

fn segment_distance(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    (p[0] - a[0] - t * dx).hypot(p[1] - a[1] - t * dy)
}

/// The modes of a distribution: its Gaussians for the mixtures, its strokes for a drawing;
/// None for the continuous shapes (a ring, a line), which have no modes to count.
pub fn modes_of(dist: Dist, target: &Target, drawing: &[Vec<[f32; 2]>]) -> Option<Vec<Mode>> {
    if dist == Dist::Drawn {
        let strokes: Vec<Mode> =
            drawing.iter().filter(|s| !s.is_empty()).map(|s| Mode::Stroke { points: s.clone(), sd: DRAWING_SD }).collect();
        return (!strokes.is_empty()).then_some(strokes);
    }
    target
        .pieces()
        .iter()
        .map(|p| match p {
            Piece::Gauss { mean, sd } => Some(Mode::Gauss { mean: *mean, sd: *sd }),
            _ => None,
        })
        .collect()
}

/// The three numbers of the papers' tables, and the per-mode counts behind them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModeMetrics {
    /// Samples nearest each mode (all samples, high quality or not).
    pub nearest: Vec<usize>,
    /// High-quality samples nearest each mode.
    pub high_quality: Vec<usize>,
    pub captured: usize,
    /// Share of high-quality samples, 0..1.
    pub hq_fraction: f64,
    /// KL(p̂_g ‖ uniform) over modes of the high-quality samples, nats.
    pub reverse_kl: f64,
}

impl ModeMetrics {
    /// Which modes hold at least one high-quality sample (the mode-hopping strip's column).
    pub fn covered(&self) -> Vec<bool> {
        self.high_quality.iter().map(|&c| c > 0).collect()
    }
}

/// The metrics of `xy` (flat `[n, 2]`) against `modes`. Non-finite samples count as samples
/// (they are low quality and belong to no mode), so a diverged generator scores 0 %.
pub fn mode_metrics(xy: &[f32], modes: &[Mode]) -> ModeMetrics {
    let k = modes.len();
    let mut nearest = vec![0usize; k];
    let mut high_quality = vec![0usize; k];
    let n = xy.len() / 2;
    for p in xy.chunks_exact(2) {
        let best = modes
            .iter()
            .enumerate()
            .map(|(i, m)| (i, m.sigmas(p[0], p[1])))
            .filter(|(_, d)| d.is_finite())
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, d)) = best {
            nearest[i] += 1;
            if d < HQ_SIGMAS {
                high_quality[i] += 1;
            }
        }
    }
    let captured = high_quality.iter().filter(|&&c| c > 0).count();
    let good: usize = high_quality.iter().sum();
    let hq_fraction = if n == 0 { 0.0 } else { good as f64 / n as f64 };
    let reverse_kl = if good == 0 {
        (k as f64).ln()
    } else {
        high_quality
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / good as f64;
                p * (p * k as f64).ln()
            })
            .sum()
    };
    ModeMetrics { nearest, high_quality, captured, hq_fraction, reverse_kl }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rng::SeededRng;

    fn benchmark(d: Dist) -> (Target, Vec<Mode>) {
        let t = d.target(&[]).unwrap();
        let m = modes_of(d, &t, &[]).unwrap();
        (t, m)
    }

    #[test]
    fn every_sample_at_one_mode_is_one_mode_at_full_quality() {
        for d in [Dist::Ring8, Dist::Grid25] {
            let (_, modes) = benchmark(d);
            let c = modes[3].centre();
            let xy: Vec<f32> = c.repeat(METRIC_SAMPLES);
            let m = mode_metrics(&xy, &modes);
            assert_eq!(m.captured, 1);
            assert_eq!(m.hq_fraction, 1.0);
            assert!((m.reverse_kl - (modes.len() as f64).ln()).abs() < 1e-12, "{d:?}: {}", m.reverse_kl);
            assert_eq!(m.nearest[3], METRIC_SAMPLES);
        }
    }

    /// Exact mixture samples: every mode, ≈ 98.9 % high quality — the mass of a 2-D standard
    /// Gaussian within radius 3 is 1 − e^(−9/2) (the papers' "99.7 %" is the 1-D 3σ rule).
    #[test]
    fn exact_mixture_samples_capture_every_mode_at_the_chi_square_rate() {
        let inside = 1.0 - (-4.5f64).exp();
        for d in [Dist::Ring8, Dist::Ring8Wide, Dist::Grid25] {
            let (t, modes) = benchmark(d);
            let n = 40_000;
            let m = mode_metrics(&t.sample(n, &mut SeededRng::new(3)), &modes);
            assert_eq!(m.captured, modes.len(), "{d:?}");
            let se = (inside * (1.0 - inside) / n as f64).sqrt();
            assert!((m.hq_fraction - inside).abs() < 5.0 * se, "{d:?}: {} vs {inside}", m.hq_fraction);
            assert!(m.reverse_kl < 0.01, "{d:?}: reverse KL {}", m.reverse_kl);
        }
    }

    #[test]
    fn uniform_noise_is_low_quality() {
        let (_, modes) = benchmark(Dist::Grid25);
        let mut rng = SeededRng::new(4);
        let xy: Vec<f32> = (0..2 * METRIC_SAMPLES).map(|_| rng.uniform_in(-5.0, 5.0)).collect();
        let m = mode_metrics(&xy, &modes);
        // 25 discs of radius 0.15 cover 1.8 % of the 10 × 10 square
        let area = 25.0 * std::f64::consts::PI * 0.15f64.powi(2) / 100.0;
        assert!((m.hq_fraction - area).abs() < 0.01, "HQ {} vs area {area}", m.hq_fraction);
        // the few lucky samples are spread over the grid, not stacked on one mode
        assert!(m.captured >= 12 && m.reverse_kl < 1.0, "{m:?}");
    }

    #[test]
    fn half_the_modes_and_nonfinite_samples() {
        let (_, modes) = benchmark(Dist::Ring8);
        let xy: Vec<f32> = (0..4).flat_map(|i| modes[i].centre()).collect();
        let m = mode_metrics(&xy, &modes);
        assert_eq!(m.captured, 4);
        assert!((m.reverse_kl - 2f64.ln()).abs() < 1e-12);
        assert_eq!(m.covered().iter().filter(|c| **c).count(), 4);
        let wild = [f32::NAN, 0.0, f32::INFINITY, 1.0, 1.0, 0.0];
        let m = mode_metrics(&wild, &modes);
        assert_eq!((m.captured, m.nearest.iter().sum::<usize>()), (1, 1));
        assert!((m.hq_fraction - 1.0 / 3.0).abs() < 1e-12);
        // low-quality samples do not count towards the mode histogram
        let mut off: Vec<f32> = modes[0].centre().to_vec();
        off.extend([modes[1].centre()[0] + 0.1, modes[1].centre()[1]]); // 10σ from mode 1
        let m = mode_metrics(&off, &modes);
        assert_eq!((m.captured, m.nearest[1], m.high_quality[1]), (1, 1, 0));
        assert!((m.reverse_kl - 8f64.ln()).abs() < 1e-12);
        assert!((mode_metrics(&[9.0, 9.0], &modes).reverse_kl - 8f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn strokes_are_the_modes_of_a_drawing() {
        let drawing = vec![vec![[-0.5, 0.0], [0.5, 0.0]], vec![[0.0, 0.8]]];
        let t = Dist::Drawn.target(&drawing).unwrap();
        let modes = modes_of(Dist::Drawn, &t, &drawing).unwrap();
        assert_eq!(modes.len(), 2);
        assert!((modes[0].sigmas(0.2, 0.04) - 1.0).abs() < 1e-5);
        assert!((modes[1].sigmas(0.0, 0.8 + 2.0 * DRAWING_SD) - 2.0).abs() < 1e-5);
        assert!(modes_of(Dist::Ring, &Dist::Ring.target(&[]).unwrap(), &[]).is_none());
    }
}
