//! The two games of the saddle-point lab, as vector fields on the plane.
//!
//! A game `min_x max_y V(x, y)` is played by following each player's descent direction,
//! `v(z) = (−∂V/∂x, +∂V/∂y)`. Update rules (`method.rs`) only ever see `v`, its Jacobian and
//! an optional projection, so the same rules run on both games.

/// A two-player game on `z = (x, y)`: x minimises, y maximises.
pub trait Game {
    /// The players' descent directions `(−∂V/∂x, +∂V/∂y)`.
    fn field(&self, z: [f64; 2]) -> [f64; 2];
    /// `∂v_i/∂z_j` (row i is the derivative of component i).
    fn jacobian(&self, z: [f64; 2]) -> [[f64; 2]; 2];
    /// A constraint applied after every update (WGAN's weight clipping). Identity by default.
    fn project(&self, z: [f64; 2]) -> [f64; 2] {
        z
    }
    /// Continuous-time play `ż = v(z)` for time `t` from `z`. Default: classical RK4 with
    /// substeps of at most 0.05 (error ~1e-6 per unit time for these fields, far below a pixel;
    /// the bilinear game overrides it with the exact matrix exponential).
    fn flow(&self, z: [f64; 2], t: f64) -> [f64; 2] {
        let n = (t.abs() / 0.05).ceil().max(2.0) as usize;
        let h = t / n as f64;
        let mut z = z;
        for _ in 0..n {
            let k1 = self.field(z);
            let k2 = self.field(add(z, scale(k1, h / 2.0)));
            let k3 = self.field(add(z, scale(k2, h / 2.0)));
            let k4 = self.field(add(z, scale(k3, h)));
            z = [0, 1].map(|i| z[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]));
            z = self.project(z);
        }
        z
    }
    /// False where the field has a kink at the equilibrium, so no linear map describes it.
    fn smooth_at_equilibrium(&self) -> bool {
        true
    }
}

pub fn add(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] + b[0], a[1] + b[1]]
}

pub fn scale(a: [f64; 2], s: f64) -> [f64; 2] {
    [a[0] * s, a[1] * s]
}

/// `V(x, y) = xy + (a/2)x² − (b/2)y²`. With a = b = 0 this is the bilinear game of the
/// lectures; a, b > 0 make it strongly convex–concave, which restores convergence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bilinear {
    pub a: f64,
    pub b: f64,
}

impl Game for Bilinear {
    fn field(&self, [x, y]: [f64; 2]) -> [f64; 2] {
        [-(y + self.a * x), x - self.b * y]
    }

    fn jacobian(&self, _: [f64; 2]) -> [[f64; 2]; 2] {
        [[-self.a, -1.0], [1.0, -self.b]]
    }

    /// Exact: `z(t) = exp(tJ) z` for the constant Jacobian J.
    fn flow(&self, z: [f64; 2], t: f64) -> [f64; 2] {
        let e = expm(self.jacobian(z), t);
        [e[0][0] * z[0] + e[0][1] * z[1], e[1][0] * z[0] + e[1][1] * z[1]]
    }
}

/// `exp(tM)` for a 2×2 matrix in closed form: split off `s = tr M / 2`; the traceless rest N
/// satisfies N² = −det(N)·I, so its exponential is cos/sin (or cosh/sinh) of √|det N|·t.
pub fn expm(m: [[f64; 2]; 2], t: f64) -> [[f64; 2]; 2] {
    let s = (m[0][0] + m[1][1]) / 2.0;
    let n = [[m[0][0] - s, m[0][1]], [m[1][0], m[1][1] - s]];
    let det_n = n[0][0] * n[1][1] - n[0][1] * n[1][0];
    let (c, k) = if det_n > 1e-300 {
        let w = det_n.sqrt();
        ((w * t).cos(), (w * t).sin() / w)
    } else if det_n < -1e-300 {
        let w = (-det_n).sqrt();
        ((w * t).cosh(), (w * t).sinh() / w)
    } else {
        (1.0, t)
    };
    let g = (s * t).exp();
    [[g * (c + k * n[0][0]), g * k * n[0][1]], [g * k * n[1][0], g * (c + k * n[1][1])]]
}

/// The Dirac-GAN's loss (Mescheder, Geiger, Nowozin 2018, §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiracLoss {
    /// The original minimax GAN: G minimises the same V that D maximises.
    Gan,
    /// Non-saturating: G maximises log D(G(z)) instead.
    NonSaturating,
    /// Wasserstein with D's weight ψ clipped to [−clip, clip].
    Wgan,
    /// Wasserstein with the gradient penalty (gp/2)(‖∇ₓD‖ − 1)² = (gp/2)(|ψ| − 1)².
    WganGp,
}

impl DiracLoss {
    pub const NAMES: &'static [&'static str] = &["gan", "ns", "wgan", "wgan-gp"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "gan" => Some(Self::Gan),
            "ns" => Some(Self::NonSaturating),
            "wgan" => Some(Self::Wgan),
            "wgan-gp" => Some(Self::WganGp),
            _ => None,
        }
    }
}

/// Dirac-GAN: data δ₀, generator δ_θ, discriminator `D_ψ(x) = ψx` (a logit: D says "real"
/// when ψx > 0). z = (θ, ψ): the generator minimises, the discriminator maximises.
///
/// Instance noise adds ε ~ N(0, σ²) to real and generated points; expectations over ε are
/// taken with a fixed quadrature (`NOISE_NODES`), so the field stays deterministic and the
/// burn-trained panel can use the very same nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Dirac {
    pub loss: DiracLoss,
    /// Zero-centred gradient penalty on real data, (r1/2)·E‖∇ₓD‖² = (r1/2)ψ².
    pub r1: f64,
    /// Instance-noise standard deviation σ (0 = off).
    pub noise: f64,
    pub clip: f64,
    pub gp: f64,
}

/// Quadrature for E over ε ~ N(0, 1): the trapezoid rule on [−6.5, 6.5] with spacing ½, which
/// is spectrally accurate for smooth integrands under a Gaussian weight (moments to ~1e-9;
/// the cut tails hold 8e-11 of the mass). Few nodes keep dragging smooth (docs/saddle.md).
pub fn noise_nodes() -> Vec<(f64, f64)> {
    const N: usize = 27;
    let raw: Vec<(f64, f64)> = (0..N)
        .map(|i| {
            let e = -6.5 + 13.0 * i as f64 / (N - 1) as f64;
            (e, (-0.5 * e * e).exp())
        })
        .collect();
    let total: f64 = raw.iter().map(|p| p.1).sum();
    raw.into_iter().map(|(e, w)| (e, w / total)).collect()
}

fn sigmoid(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

fn dsigmoid(t: f64) -> f64 {
    let s = sigmoid(t);
    s * (1.0 - s)
}

impl Dirac {
    /// The noise samples ε with weights (a single ε = 0 without noise).
    fn nodes(&self) -> Vec<(f64, f64)> {
        if self.noise > 0.0 {
            noise_nodes().into_iter().map(|(e, w)| (self.noise * e, w)).collect()
        } else {
            vec![(0.0, 1.0)]
        }
    }

    /// GP term's derivative in ψ: d/dψ (gp/2)(|ψ| − 1)² = gp (ψ − sign ψ).
    fn gp_grad(&self, psi: f64) -> f64 {
        if self.loss == DiracLoss::WganGp {
            let sign = if psi > 0.0 { 1.0 } else if psi < 0.0 { -1.0 } else { 0.0 };
            self.gp * (psi - sign)
        } else {
            0.0
        }
    }
}

impl Game for Dirac {
    fn field(&self, [theta, psi]: [f64; 2]) -> [f64; 2] {
        let nodes = self.nodes();
        // fake points x = θ + ε, real points r = ε
        let (v_theta, mut v_psi) = match self.loss {
            DiracLoss::Gan | DiracLoss::NonSaturating => {
                let mut vt = 0.0;
                let mut vp = 0.0;
                for &(e, w) in &nodes {
                    let (x, r) = (theta + e, e);
                    let s_fake = sigmoid(psi * x);
                    // D maximises E log σ(ψr) + E log(1 − σ(ψx))
                    vp += w * (r * sigmoid(-psi * r) - x * s_fake);
                    // G: minimax minimises E log(1 − σ(ψx)); non-saturating maximises E log σ(ψx)
                    vt += w * psi * if self.loss == DiracLoss::Gan { s_fake } else { 1.0 - s_fake };
                }
                (vt, vp)
            }
            // D maximises E[D(r)] − E[D(x)] = −ψθ; G maximises E[D(x)] = ψθ. Noise cancels.
            DiracLoss::Wgan | DiracLoss::WganGp => (psi, -theta),
        };
        v_psi -= self.r1 * psi + self.gp_grad(psi);
        [v_theta, v_psi]
    }

    fn jacobian(&self, [theta, psi]: [f64; 2]) -> [[f64; 2]; 2] {
        let mut j = match self.loss {
            DiracLoss::Gan | DiracLoss::NonSaturating => {
                let mut j = [[0.0; 2]; 2];
                for &(e, w) in &self.nodes() {
                    let (x, r) = (theta + e, e);
                    if self.loss == DiracLoss::Gan {
                        j[0][0] += w * psi * psi * dsigmoid(psi * x);
                        j[0][1] += w * (sigmoid(psi * x) + psi * x * dsigmoid(psi * x));
                    } else {
                        j[0][0] -= w * psi * psi * dsigmoid(-psi * x);
                        j[0][1] += w * (sigmoid(-psi * x) - psi * x * dsigmoid(-psi * x));
                    }
                    j[1][0] -= w * (sigmoid(psi * x) + psi * x * dsigmoid(psi * x));
                    j[1][1] -= w * (r * r * dsigmoid(-psi * r) + x * x * dsigmoid(psi * x));
                }
                j
            }
            DiracLoss::Wgan | DiracLoss::WganGp => [[0.0, 1.0], [-1.0, 0.0]],
        };
        j[1][1] -= self.r1 + if self.loss == DiracLoss::WganGp { self.gp } else { 0.0 };
        j
    }

    fn project(&self, [theta, psi]: [f64; 2]) -> [f64; 2] {
        if self.loss == DiracLoss::Wgan {
            [theta, psi.clamp(-self.clip, self.clip)]
        } else {
            [theta, psi]
        }
    }

    fn smooth_at_equilibrium(&self) -> bool {
        // (|ψ| − 1)² has a kink at ψ = 0, where the equilibrium is.
        self.loss != DiracLoss::WganGp || self.gp == 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fd_jacobian(g: &dyn Game, z: [f64; 2]) -> [[f64; 2]; 2] {
        let h = 1e-6;
        let mut j = [[0.0; 2]; 2];
        for c in 0..2 {
            let (mut zp, mut zm) = (z, z);
            zp[c] += h;
            zm[c] -= h;
            let (fp, fm) = (g.field(zp), g.field(zm));
            for r in 0..2 {
                j[r][c] = (fp[r] - fm[r]) / (2.0 * h);
            }
        }
        j
    }

    fn dirac_variants() -> Vec<Dirac> {
        let mut out = Vec::new();
        for loss in [DiracLoss::Gan, DiracLoss::NonSaturating, DiracLoss::Wgan, DiracLoss::WganGp] {
            for (r1, noise) in [(0.0, 0.0), (0.7, 0.0), (0.0, 0.6), (0.3, 0.4)] {
                out.push(Dirac { loss, r1, noise, clip: 1.0, gp: 0.8 });
            }
        }
        out
    }

    #[test]
    fn analytic_jacobians_match_finite_differences() {
        let points = [[0.3, -0.7], [-1.2, 0.4], [0.9, 1.1], [0.05, -0.2]];
        for g in dirac_variants() {
            for z in points {
                let (a, n) = (g.jacobian(z), fd_jacobian(&g, z));
                for r in 0..2 {
                    for c in 0..2 {
                        assert!((a[r][c] - n[r][c]).abs() < 1e-7, "{g:?} at {z:?}: {a:?} vs {n:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn dirac_field_is_zero_at_the_equilibrium_and_matches_the_paper_near_it() {
        for g in dirac_variants().into_iter().filter(|g| g.loss != DiracLoss::WganGp) {
            let v = g.field([0.0, 0.0]);
            assert!(v[0].abs() < 1e-15 && v[1].abs() < 1e-15, "{g:?}: {v:?}");
        }
        // Unregularised GAN: J(0,0) = [[0, f'(0)], [−f'(0), 0]] with f'(0) = σ(0) = 1/2 —
        // purely imaginary eigenvalues ±i/2 (Mescheder et al., Lemma 2.2).
        let g = Dirac { loss: DiracLoss::Gan, r1: 0.0, noise: 0.0, clip: 1.0, gp: 0.0 };
        assert_eq!(g.jacobian([0.0, 0.0]), [[0.0, 0.5], [-0.5, 0.0]]);
        // R1 adds −γ on D's diagonal; instance noise adds −2σ²·σ'(0) = −σ²/2.
        let r1 = Dirac { r1: 0.7, ..g.clone() };
        assert_eq!(r1.jacobian([0.0, 0.0])[1][1], -0.7);
        let noisy = Dirac { noise: 0.6, ..g.clone() };
        assert!((noisy.jacobian([0.0, 0.0])[1][1] - (-0.36 / 2.0)).abs() < 1e-9);
    }

    #[test]
    fn noise_quadrature_reproduces_gaussian_moments() {
        let nodes = noise_nodes();
        let m = |f: &dyn Fn(f64) -> f64| nodes.iter().map(|&(e, w)| w * f(e)).sum::<f64>();
        assert!((m(&|_| 1.0) - 1.0).abs() < 1e-14);
        assert!(m(&|e| e).abs() < 1e-14);
        assert!((m(&|e| e * e) - 1.0).abs() < 1e-9);
        assert!((m(&|e| e.powi(4)) - 3.0).abs() < 1e-6); // heavier tail beyond ±6.5
    }

    #[test]
    fn exact_flow_matches_rk4_and_the_matrix_exponential_series() {
        for (a, b) in [(0.0, 0.0), (0.5, 0.2), (3.0, 0.0), (2.0, 2.0)] {
            let g = Bilinear { a, b };
            let z = [0.8, -0.3];
            let exact = g.flow(z, 0.7);
            // the trait's default RK4 on the same field
            struct Rk4(Bilinear);
            impl Game for Rk4 {
                fn field(&self, z: [f64; 2]) -> [f64; 2] {
                    self.0.field(z)
                }
                fn jacobian(&self, z: [f64; 2]) -> [[f64; 2]; 2] {
                    self.0.jacobian(z)
                }
            }
            let rk = Rk4(g).flow(z, 0.7);
            assert!((exact[0] - rk[0]).abs() < 2e-5 && (exact[1] - rk[1]).abs() < 2e-5, "{a} {b}: {exact:?} {rk:?}");
        }
        // the bilinear flow is a rotation: it stays on the circle
        let g = Bilinear { a: 0.0, b: 0.0 };
        let z = g.flow([1.0, 0.0], std::f64::consts::FRAC_PI_2);
        assert!(z[0].abs() < 1e-15 && (z[1] - 1.0).abs() < 1e-15, "{z:?}");
    }
}
