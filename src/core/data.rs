//! Target distributions in 2-D: a sampler and an exact density for each.
//!
//! Every distribution is a weighted mixture of three kinds of piece, each with a closed-form
//! density: an axis-aligned Gaussian, a line segment blurred by an isotropic Gaussian (uniform
//! along the segment), and a uniform box. Curves (the continuous ring, the spiral, the moons, a
//! drawing's strokes) are polylines of blurred segments, so the density the views and metrics
//! use is exactly the density the sampler draws from — no kernel estimate of our own data.

use crate::core::rng::SeededRng;
use std::f32::consts::PI;

/// One mixture component.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    /// Axis-aligned Gaussian with standard deviations `sd` per axis.
    Gauss { mean: [f32; 2], sd: [f32; 2] },
    /// Uniform on the segment a–b, plus isotropic Gaussian noise of standard deviation `sd`.
    Segment { a: [f32; 2], b: [f32; 2], sd: f32 },
    /// Uniform on the box [lo, hi].
    Box { lo: [f32; 2], hi: [f32; 2] },
}

impl Piece {
    fn sample(&self, rng: &mut SeededRng) -> [f32; 2] {
        match *self {
            Piece::Gauss { mean, sd } => [mean[0] + sd[0] * rng.normal(), mean[1] + sd[1] * rng.normal()],
            Piece::Segment { a, b, sd } => {
                let t = rng.uniform();
                [a[0] + t * (b[0] - a[0]) + sd * rng.normal(), a[1] + t * (b[1] - a[1]) + sd * rng.normal()]
            }
            Piece::Box { lo, hi } => [rng.uniform_in(lo[0], hi[0]), rng.uniform_in(lo[1], hi[1])],
        }
    }

    fn density(&self, x: f32, y: f32) -> f64 {
        match *self {
            Piece::Gauss { mean, sd } => normal_pdf((x - mean[0]) as f64, sd[0] as f64) * normal_pdf((y - mean[1]) as f64, sd[1] as f64),
            Piece::Segment { a, b, sd } => {
                let (dx, dy) = ((b[0] - a[0]) as f64, (b[1] - a[1]) as f64);
                let len = (dx * dx + dy * dy).sqrt();
                let (px, py) = ((x - a[0]) as f64, (y - a[1]) as f64);
                let sd = sd as f64;
                if len < 1e-9 {
                    return normal_pdf(px, sd) * normal_pdf(py, sd);
                }
                // Along the segment: uniform on [0, len] convolved with N(0, sd²); across: N(0, sd²).
                let (ux, uy) = (dx / len, dy / len);
                let along = px * ux + py * uy;
                let across = -px * uy + py * ux;
                let mass = normal_cdf(along / sd) - normal_cdf((along - len) / sd);
                mass / len * normal_pdf(across, sd)
            }
            Piece::Box { lo, hi } => {
                if x >= lo[0] && x <= hi[0] && y >= lo[1] && y <= hi[1] {
                    1.0 / (((hi[0] - lo[0]) * (hi[1] - lo[1])) as f64)
                } else {
                    0.0
                }
            }
        }
    }
}

fn normal_pdf(d: f64, sd: f64) -> f64 {
    (-0.5 * (d / sd).powi(2)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt())
}

/// Φ(x), the standard normal CDF, through erfc (Numerical Recipes' Chebyshev fit, relative
/// error below 1.2e-7 everywhere).
fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07 + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// A weighted mixture of pieces: the data distribution p_data.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pieces: Vec<Piece>,
    /// Normalised weights, and their running sum for sampling.
    weights: Vec<f64>,
    cumulative: Vec<f64>,
}

impl Target {
    /// Weights need not be normalised; they must be positive.
    pub fn new(pieces: Vec<Piece>, weights: Vec<f64>) -> Self {
        assert_eq!(pieces.len(), weights.len());
        assert!(!pieces.is_empty(), "a target needs at least one piece");
        let total: f64 = weights.iter().sum();
        let weights: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        Self { pieces, weights, cumulative }
    }

    /// Equal-weight mixture of isotropic Gaussians.
    pub fn gaussians(means: &[[f32; 2]], sd: f32) -> Self {
        Self::new(means.iter().map(|&mean| Piece::Gauss { mean, sd: [sd, sd] }).collect(), vec![1.0; means.len()])
    }

    /// Uniform along a polyline (weights by segment length), blurred by `sd`.
    pub fn polyline(points: &[[f32; 2]], sd: f32) -> Self {
        Self::polylines(&[points.to_vec()], sd)
    }

    /// Several polylines at once; a one-point "line" becomes a Gaussian dot.
    pub fn polylines(lines: &[Vec<[f32; 2]>], sd: f32) -> Self {
        let (mut pieces, mut weights) = (Vec::new(), Vec::new());
        for line in lines {
            if line.len() == 1 {
                pieces.push(Piece::Gauss { mean: line[0], sd: [sd, sd] });
                weights.push(2.0 * sd as f64); // a dot weighs like a stroke about its own width long
            }
            for w in line.windows(2) {
                let len = ((w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1])) as f64;
                pieces.push(Piece::Segment { a: w[0], b: w[1], sd });
                weights.push(len.max(1e-6));
            }
        }
        Self::new(pieces, weights)
    }

    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// `n` samples as a flat row-major `[n, 2]` buffer.
    pub fn sample(&self, n: usize, rng: &mut SeededRng) -> Vec<f32> {
        let mut out = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let u = rng.uniform() as f64;
            let k = self.cumulative.partition_point(|&c| c <= u).min(self.pieces.len() - 1);
            out.extend(self.pieces[k].sample(rng));
        }
        out
    }

    /// The exact density p(x, y).
    pub fn density(&self, x: f32, y: f32) -> f64 {
        self.pieces.iter().zip(&self.weights).map(|(p, w)| w * p.density(x, y)).sum()
    }

    /// When every piece is a Gaussian: the index of the nearest mean and the distance to it.
    pub fn nearest_mode(&self, x: f32, y: f32) -> Option<(usize, f32)> {
        let mut best = None::<(usize, f32)>;
        for (i, p) in self.pieces.iter().enumerate() {
            let Piece::Gauss { mean, .. } = p else { return None };
            let d = (x - mean[0]).hypot(y - mean[1]);
            if best.is_none_or(|b| d < b.1) {
                best = Some((i, d));
            }
        }
        best
    }
}

/// The distributions a setting `dist` can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dist {
    /// 8 Gaussians on the unit circle, σ = 0.01: PacGAN's 2D-ring benchmark.
    Ring8,
    /// The same ring with σ = 0.05: wide enough to see each mode's spread (the teaching variant).
    Ring8Wide,
    /// 25 Gaussians at {−4, −2, 0, 2, 4}², σ = 0.05: PacGAN's 2D-grid benchmark.
    Grid25,
    /// The unit circle, blurred by σ = 0.05.
    Ring,
    /// GAN Lab's line.
    Line,
    /// GAN Lab's default: two Gaussian clusters of different shapes.
    Clusters,
    /// GAN Lab's three disjoint clusters.
    Disjoint,
    /// Two turns of an Archimedean spiral.
    Spiral,
    /// Two interleaved half circles.
    Moons,
    /// Uniform on the dark squares of a 4×4 board.
    Checkerboard,
    /// The user's strokes (setting `drawing`).
    Drawn,
}

/// Blur of a drawn stroke (GAN Lab uses 0.02 on its unit square; ours is twice as wide).
pub const DRAWING_SD: f32 = 0.04;
/// Drawings live in this square; their coordinates are stored on a 12-bit grid over it.
pub const DRAWING_RADIUS: f32 = 1.2;
/// Points kept in a drawing (longer strokes are thinned), so a link stays short.
pub const DRAWING_MAX_POINTS: usize = 400;

impl Dist {
    pub const NAMES: &'static [&'static str] =
        &["ring8", "ring8-wide", "grid25", "ring", "line", "clusters", "disjoint", "spiral", "moons", "checker", "drawn"];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().zip(Self::NAMES).find(|(_, n)| **n == name).map(|(d, _)| *d)
    }

    const ALL: [Self; 11] = [
        Self::Ring8,
        Self::Ring8Wide,
        Self::Grid25,
        Self::Ring,
        Self::Line,
        Self::Clusters,
        Self::Disjoint,
        Self::Spiral,
        Self::Moons,
        Self::Checkerboard,
        Self::Drawn,
    ];

    /// The distribution; `drawing` is used by `Drawn` only (an empty one is an error).
    pub fn target(self, drawing: &[Vec<[f32; 2]>]) -> Result<Target, String> {
        // GAN Lab's shapes live on [0, 1]²; ours on [−1, 1]²: x ↦ 2x − 1, σ ↦ 2σ.
        let lab = |x: f32, y: f32| [2.0 * x - 1.0, 2.0 * y - 1.0];
        Ok(match self {
            Self::Ring8 => Target::gaussians(&ring8_means(), 0.01),
            Self::Ring8Wide => Target::gaussians(&ring8_means(), 0.05),
            Self::Grid25 => {
                let means: Vec<[f32; 2]> = (0..25).map(|k| [(k % 5) as f32 * 2.0 - 4.0, (k / 5) as f32 * 2.0 - 4.0]).collect();
                Target::gaussians(&means, 0.05)
            }
            Self::Ring => Target::polyline(&arc([0.0, 0.0], 1.0, 0.0, 2.0 * PI, 96), 0.05),
            Self::Line => Target::polyline(&[lab(0.8, 0.6), lab(0.05, 0.9)], 0.02),
            Self::Clusters => Target::new(
                vec![
                    Piece::Gauss { mean: lab(0.3, 0.7), sd: [0.2, 0.2] },
                    Piece::Gauss { mean: lab(0.7, 0.4), sd: [0.1, 0.4] },
                ],
                vec![1.0, 1.0],
            ),
            Self::Disjoint => Target::gaussians(&[lab(0.35, 0.75), lab(0.75, 0.6), lab(0.45, 0.35)], 0.05),
            Self::Spiral => {
                let pts: Vec<[f32; 2]> = (0..=160)
                    .map(|i| {
                        let t = i as f32 / 160.0;
                        let (r, a) = (0.1 + 0.9 * t, 4.0 * PI * t);
                        [r * a.cos(), r * a.sin()]
                    })
                    .collect();
                Target::polyline(&pts, 0.035)
            }
            Self::Moons => {
                let upper = arc([-0.4, 0.2], 0.8, 0.0, PI, 48);
                let lower = arc([0.4, -0.2], 0.8, PI, 2.0 * PI, 48);
                Target::polylines(&[upper, lower], 0.05)
            }
            Self::Checkerboard => {
                let mut pieces = Vec::new();
                for i in 0..4 {
                    for j in 0..4 {
                        if (i + j) % 2 == 0 {
                            let lo = [-1.0 + 0.5 * i as f32, -1.0 + 0.5 * j as f32];
                            pieces.push(Piece::Box { lo, hi: [lo[0] + 0.5, lo[1] + 0.5] });
                        }
                    }
                }
                let n = pieces.len();
                Target::new(pieces, vec![1.0; n])
            }
            Self::Drawn => {
                if drawing.iter().all(|s| s.is_empty()) {
                    return Err("The drawing is empty: draw at least one stroke on the plane, then press Apply.".into());
                }
                Target::polylines(drawing, DRAWING_SD)
            }
        })
    }

    /// The square [-r, r]² every view of this distribution shows.
    pub fn view_radius(self) -> f32 {
        match self {
            Self::Ring8 | Self::Ring8Wide | Self::Ring => 1.6,
            Self::Grid25 => 5.5,
            Self::Clusters => 1.6,
            Self::Checkerboard | Self::Spiral | Self::Moons => 1.3,
            Self::Line | Self::Disjoint => 1.2,
            Self::Drawn => DRAWING_RADIUS,
        }
    }
}

/// Angles 2πk/8 for k = 0..7 (`linspace(0, 2π, 8)` would repeat a mode and give 7).
fn ring8_means() -> Vec<[f32; 2]> {
    (0..8).map(|k| 2.0 * PI * k as f32 / 8.0).map(|a| [a.cos(), a.sin()]).collect()
}

/// `n` segments of a circular arc from angle `from` to `to`.
fn arc(centre: [f32; 2], r: f32, from: f32, to: f32, n: usize) -> Vec<[f32; 2]> {
    (0..=n)
        .map(|i| {
            let a = from + (to - from) * i as f32 / n as f32;
            [centre[0] + r * a.cos(), centre[1] + r * a.sin()]
        })
        .collect()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A drawing as link-safe text: strokes separated by `.`, each point two 12-bit coordinates
/// over [−DRAWING_RADIUS, DRAWING_RADIUS], each written as two base64url characters.
pub fn encode_drawing(strokes: &[Vec<[f32; 2]>]) -> String {
    let q = |v: f32| (((v / DRAWING_RADIUS).clamp(-1.0, 1.0) + 1.0) * 0.5 * 4095.0).round() as usize;
    strokes
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.iter()
                .flat_map(|p| [q(p[0]), q(p[1])])
                .flat_map(|v| [B64[v >> 6] as char, B64[v & 63] as char])
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Inverse of `encode_drawing`; rejects anything it could not have written.
pub fn decode_drawing(text: &str) -> Result<Vec<Vec<[f32; 2]>>, String> {
    let digit = |c: u8| B64.iter().position(|&b| b == c).ok_or_else(|| format!("the drawing contains “{}”, which no drawing link has", c as char));
    let mut strokes = Vec::new();
    let mut total = 0;
    for part in text.split('.').filter(|p| !p.is_empty()) {
        if part.len() % 4 != 0 {
            return Err("the drawing in the link is cut short".into());
        }
        let bytes = part.as_bytes();
        let mut stroke = Vec::with_capacity(bytes.len() / 4);
        for c in bytes.chunks(4) {
            let v = |i: usize| -> Result<f32, String> {
                let n = digit(c[i])? * 64 + digit(c[i + 1])?;
                Ok((n as f32 / 4095.0 * 2.0 - 1.0) * DRAWING_RADIUS)
            };
            stroke.push([v(0)?, v(2)?]);
        }
        total += stroke.len();
        strokes.push(stroke);
    }
    if total > DRAWING_MAX_POINTS {
        return Err(format!("the drawing has {total} points; at most {DRAWING_MAX_POINTS} fit in a link"));
    }
    Ok(strokes)
}

/// Thins strokes to at most DRAWING_MAX_POINTS points in all, keeping each stroke's ends.
pub fn thin_drawing(strokes: &[Vec<[f32; 2]>]) -> Vec<Vec<[f32; 2]>> {
    let total: usize = strokes.iter().map(Vec::len).sum();
    if total <= DRAWING_MAX_POINTS {
        return strokes.to_vec();
    }
    let keep = DRAWING_MAX_POINTS as f64 / total as f64;
    strokes
        .iter()
        .map(|s| {
            let n = ((s.len() as f64 * keep).floor() as usize).clamp(1.min(s.len()), s.len());
            if n <= 1 {
                return s.iter().take(1).copied().collect();
            }
            (0..n).map(|i| s[i * (s.len() - 1) / (n - 1)]).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_targets() -> Vec<(Dist, Target)> {
        let drawing = vec![vec![[-0.5, -0.5], [0.0, 0.3], [0.6, -0.2]], vec![[0.7, 0.7]]];
        Dist::ALL.iter().map(|&d| (d, d.target(&drawing).unwrap())).collect()
    }

    #[test]
    fn names_parse_to_distinct_distributions() {
        assert_eq!(Dist::NAMES.len(), Dist::ALL.len());
        for (d, name) in Dist::ALL.iter().zip(Dist::NAMES) {
            assert_eq!(Dist::parse(name), Some(*d));
        }
        assert_eq!(Dist::parse("nope"), None);
    }

    #[test]
    fn ring8_has_eight_distinct_modes_on_the_unit_circle() {
        let g = Dist::Ring8.target(&[]).unwrap();
        assert_eq!(g.pieces().len(), 8);
        let means: Vec<[f32; 2]> = g.pieces().iter().map(|p| if let Piece::Gauss { mean, .. } = p { *mean } else { panic!() }).collect();
        for (i, a) in means.iter().enumerate() {
            assert!((a[0].hypot(a[1]) - 1.0).abs() < 1e-6);
            for b in &means[i + 1..] {
                // neighbours on a unit 8-ring are 2 sin(π/8) ≈ 0.765 apart
                assert!((a[0] - b[0]).hypot(a[1] - b[1]) > 0.76, "modes {a:?} and {b:?} coincide");
            }
        }
    }

    #[test]
    fn ring8_sampler_hits_every_mode_evenly_with_the_right_spread() {
        let g = Dist::Ring8.target(&[]).unwrap();
        let xs = g.sample(16_000, &mut SeededRng::new(1));
        let mut counts = [0usize; 8];
        let mut sq = 0.0f64;
        for p in xs.chunks(2) {
            let (k, d) = g.nearest_mode(p[0], p[1]).unwrap();
            counts[k] += 1;
            sq += (d as f64).powi(2);
        }
        for c in counts {
            assert!((c as f64 - 2000.0).abs() < 200.0, "counts {counts:?}");
        }
        // E[d²] = 2σ² for an isotropic 2-D Gaussian (PacGAN's variance 10⁻⁴ per axis)
        let msd = sq / 16_000.0;
        assert!((msd / (2.0 * 0.01f64.powi(2)) - 1.0).abs() < 0.05, "mean squared distance {msd}");
    }

    /// Riemann sum of the density over a square that holds (almost) all the mass.
    fn integral(t: &Target, r: f32, n: usize, f: impl Fn(f32, f32) -> f64) -> f64 {
        let h = 2.0 * r / n as f32;
        let mut total = 0.0;
        for i in 0..n {
            for j in 0..n {
                let (x, y) = (-r + (i as f32 + 0.5) * h, -r + (j as f32 + 0.5) * h);
                total += t.density(x, y) * f(x, y) * (h * h) as f64;
            }
        }
        total
    }

    #[test]
    fn every_density_integrates_to_one() {
        for (d, t) in all_targets() {
            let total = integral(&t, d.view_radius() + 1.0, 500, |_, _| 1.0);
            assert!((total - 1.0).abs() < 0.01, "{d:?}: integral {total}");
        }
    }

    /// Each sampler matches its density: the first and second moments of 40k samples agree with
    /// the density's moments, and a coarse histogram agrees cell by cell.
    #[test]
    fn every_sampler_matches_its_density() {
        for (d, t) in all_targets() {
            let n = 40_000;
            let xs = t.sample(n, &mut SeededRng::new(9));
            let mean = |f: &dyn Fn(f32, f32) -> f64| xs.chunks(2).map(|p| f(p[0], p[1])).sum::<f64>() / n as f64;
            let fs: [&dyn Fn(f32, f32) -> f64; 4] =
                [&|x, _| x as f64, &|_, y| y as f64, &|x, _| (x * x) as f64, &|x, y| (x * y) as f64];
            // the grid's coordinates are 4× the others': its moments scale by up to 16
            let scale = (d.view_radius() as f64 / 1.6).powi(2).max(1.0);
            for (k, f) in fs.iter().enumerate() {
                let (emp, exact) = (mean(f), integral(&t, d.view_radius() + 1.0, 500, f));
                assert!((emp - exact).abs() < 0.02 * scale, "{d:?} moment {k}: samples {emp}, density {exact}");
            }
            // 8×8 histogram over the view square against the density's cell masses
            let (r, b) = (d.view_radius(), 8usize);
            let h = 2.0 * r / b as f32;
            let mut counts = vec![0usize; b * b];
            for p in xs.chunks(2) {
                let (i, j) = (((p[0] + r) / h).floor(), ((p[1] + r) / h).floor());
                if (0.0..b as f32).contains(&i) && (0.0..b as f32).contains(&j) {
                    counts[i as usize * b + j as usize] += 1;
                }
            }
            for i in 0..b {
                for j in 0..b {
                    let (x0, y0) = (-r + i as f32 * h, -r + j as f32 * h);
                    let sub = 24;
                    let hh = h / sub as f32;
                    let mut mass = 0.0;
                    for a in 0..sub {
                        for c in 0..sub {
                            mass += t.density(x0 + (a as f32 + 0.5) * hh, y0 + (c as f32 + 0.5) * hh) * (hh * hh) as f64;
                        }
                    }
                    let emp = counts[i * b + j] as f64 / n as f64;
                    // 5 binomial standard errors, plus the Riemann-sum error at sharp edges
                    let tol = 5.0 * (mass.max(1e-4) / n as f64).sqrt() + 0.003;
                    assert!((emp - mass).abs() < tol, "{d:?} cell ({i},{j}): samples {emp}, density {mass}");
                }
            }
        }
    }

    #[test]
    fn segment_density_is_the_blurred_uniform() {
        // far from the ends the density across a horizontal segment is N(0, sd²)/len
        let t = Target::polyline(&[[-1.0, 0.0], [1.0, 0.0]], 0.1);
        let want = normal_pdf(0.05, 0.1) / 2.0;
        assert!((t.density(0.0, 0.05) - want).abs() < 1e-6 * want);
        // at an end, half the along-mass is missing
        assert!((t.density(1.0, 0.0) - 0.5 * normal_pdf(0.0, 0.1) / 2.0).abs() < 1e-6);
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
    }

    #[test]
    fn drawings_round_trip_through_link_text_and_reject_garbage() {
        let strokes = vec![vec![[-1.2, 1.2], [0.0, 0.0], [0.5, -0.25]], vec![[0.3, 0.9]]];
        let text = encode_drawing(&strokes);
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{text}");
        let back = decode_drawing(&text).unwrap();
        assert_eq!(back.len(), 2);
        for (s, b) in strokes.iter().zip(&back) {
            for (p, q) in s.iter().zip(b) {
                assert!((p[0] - q[0]).abs() < 1e-3 && (p[1] - q[1]).abs() < 1e-3, "{p:?} vs {q:?}");
            }
        }
        assert!(decode_drawing("AB").is_err());
        assert!(decode_drawing("AB!C").is_err());
        assert_eq!(decode_drawing("").unwrap().len(), 0);
        assert!(Dist::Drawn.target(&[]).is_err());
        let long = vec![(0..1000).map(|i| [i as f32 / 1000.0, 0.0]).collect::<Vec<_>>(), vec![[0.0, 0.5]; 30]];
        let thin = thin_drawing(&long);
        let total: usize = thin.iter().map(Vec::len).sum();
        assert!(total <= DRAWING_MAX_POINTS && total > DRAWING_MAX_POINTS / 2, "{total}");
        assert!(decode_drawing(&encode_drawing(&thin)).is_ok());
    }
}
