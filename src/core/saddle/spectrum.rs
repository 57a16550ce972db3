//! Eigenvalues of the update maps, the closed forms the lectures derive for V = xy, and the
//! verdict (converges, cycles, diverges) read off a trajectory.

use super::method::{norm, Matrix, Method};
use num_complex::Complex64 as C;

/// Eigenvalues of a small real matrix: roots of its characteristic polynomial (Faddeev–
/// LeVerrier), found by Durand–Kerner. Hand-written because the maps are at most 4×4 and a
/// linear-algebra crate would be the largest dependency of the page for 30 lines of work.
pub fn eigenvalues(m: &Matrix) -> Vec<C> {
    let n = m.len();
    roots(&char_poly(m)).into_iter().take(n).collect()
}

/// Coefficients c₀..c_n of det(λI − M) = λⁿ + c_{n−1}λⁿ⁻¹ + … + c₀ (c_n = 1).
pub fn char_poly(m: &Matrix) -> Vec<f64> {
    let n = m.len();
    let mul = |a: &Matrix, b: &Matrix| -> Matrix {
        (0..n).map(|i| (0..n).map(|j| (0..n).map(|k| a[i][k] * b[k][j]).sum()).collect()).collect()
    };
    let mut c = vec![0.0; n + 1];
    c[n] = 1.0;
    let mut mk = vec![vec![0.0; n]; n]; // M_0 = 0
    for k in 1..=n {
        // M_k = M·M_{k−1} + c_{n−k+1} I;  c_{n−k} = −tr(M·M_k)/k
        let mut next = mul(m, &mk);
        for (i, row) in next.iter_mut().enumerate() {
            row[i] += c[n - k + 1];
        }
        let am = mul(m, &next);
        c[n - k] = -(0..n).map(|i| am[i][i]).sum::<f64>() / k as f64;
        mk = next;
    }
    c
}

/// All complex roots of the monic polynomial with coefficients c₀..c_n (quadratics in closed
/// form, higher degrees by Durand–Kerner).
pub fn roots(c: &[f64]) -> Vec<C> {
    let n = c.len() - 1;
    if n == 2 {
        // the quadratic formula: exact where iteration leaves ~1e-9 noise (double roots)
        let disc = C::new(c[1] * c[1] - 4.0 * c[0], 0.0).sqrt();
        let mut z = vec![(-c[1] + disc) / 2.0, (-c[1] - disc) / 2.0];
        z.sort_by(|a, b| b.norm().total_cmp(&a.norm()).then(b.im.total_cmp(&a.im)));
        return z;
    }
    let eval = |z: C| c.iter().rev().fold(C::new(0.0, 0.0), |acc, &k| acc * z + k);
    // start on a circle bounding the roots (Cauchy's bound), at non-symmetric angles
    let bound = 1.0 + c[..n].iter().map(|k| k.abs()).fold(0.0, f64::max);
    let mut z: Vec<C> = (0..n).map(|i| C::from_polar(bound * 0.9, 0.4 + 2.0 * std::f64::consts::PI * i as f64 / n as f64)).collect();
    for _ in 0..500 {
        let mut moved = 0.0f64;
        for i in 0..n {
            let denom = (0..n).filter(|&j| j != i).fold(C::new(1.0, 0.0), |acc, j| acc * (z[i] - z[j]));
            if denom.norm() == 0.0 {
                z[i] += C::new(1e-9, 1e-9);
                continue;
            }
            let delta = eval(z[i]) / denom;
            z[i] -= delta;
            moved = moved.max(delta.norm());
        }
        if moved < 1e-15 {
            break;
        }
    }
    z.sort_by(|a, b| b.norm().total_cmp(&a.norm()).then(b.im.total_cmp(&a.im)));
    z
}

pub fn spectral_radius(eigs: &[C]) -> f64 {
    eigs.iter().map(|l| l.norm()).fold(0.0, f64::max)
}

/// What the lectures derive for V(x, y) = xy: a formula to print, and the eigenvalues it
/// predicts (to compare with the numeric ones).
pub struct ClosedForm {
    pub text: String,
    pub eigenvalues: Vec<C>,
}

/// Closed forms for the bilinear game xy (a = b = 0) at step η; None for Adam.
pub fn closed_form(method: Method, eta: f64, gamma: f64, beta: f64) -> Option<ClosedForm> {
    let i = C::new(0.0, 1.0);
    let pair = |l: C| vec![l, l.conj()];
    let (text, eigenvalues) = match method {
        Method::Flow => (
            "λ = e^(±iη), |λ| = 1: an orbit on the circle x² + y² = r₀²".to_string(),
            pair(C::from_polar(1.0, eta)),
        ),
        Method::Simultaneous => (
            format!("λ = 1 ± iη, |λ| = √(1 + η²) = {:.6}: spirals out", (1.0 + eta * eta).sqrt()),
            pair(C::new(1.0, eta)),
        ),
        Method::Alternating => (
            "λ² − (2 − η²)λ + 1 = 0: |λ| = 1 for η < 2, cycles; conserves x² + y² − ηxy".to_string(),
            roots(&[1.0, -(2.0 - eta * eta), 1.0]),
        ),
        Method::Optimistic => {
            // w_{k+1} = w_k + 2iη w_k − iη w_{k−1} for w = x + iy (and the conjugate)
            let disc = (C::new(1.0 - 4.0 * eta * eta, 0.0)).sqrt();
            let b = C::new(1.0, 0.0) + 2.0 * i * eta;
            let l = [(b + disc) / 2.0, (b - disc) / 2.0];
            let r = l[0].norm().max(l[1].norm());
            (format!("λ² − (1 + 2iη)λ + iη = 0 and its conjugate: max |λ| = {r:.6}"), vec![l[0], l[0].conj(), l[1], l[1].conj()])
        }
        Method::Extragradient => (
            format!("λ = 1 − η² ± iη, |λ| = √(1 − η² + η⁴) = {:.6}", (1.0 - eta * eta + eta.powi(4)).sqrt()),
            pair(C::new(1.0 - eta * eta, eta)),
        ),
        Method::Consensus => (
            format!("λ = 1 − γη ± iη, |λ| = √((1 − γη)² + η²) = {:.6}", ((1.0 - gamma * eta).powi(2) + eta * eta).sqrt()),
            pair(C::new(1.0 - gamma * eta, eta)),
        ),
        Method::Momentum => {
            // (λ² − (1+β)λ + β)² + η²λ³ = 0, expanded
            let (p1, p0) = (-(1.0 + beta), beta);
            let c = [p0 * p0, 2.0 * p1 * p0, p1 * p1 + 2.0 * p0, 2.0 * p1 + eta * eta, 1.0];
            ("(λ² − (1 + β)λ + β)² + η²λ³ = 0: β < 0 pulls |λ| below 1".to_string(), roots(&c))
        }
        Method::Adam => return None,
    };
    Some(ClosedForm { text, eigenvalues })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Converges,
    Cycles,
    Diverges,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Self::Converges => "converges",
            Self::Cycles => "cycles",
            Self::Diverges => "diverges",
        }
    }
}

/// The verdict, and how far the distance to `eq` grew over the run.
///
/// Distances oscillate (ellipses, rules with memory), so the run is cut into quarters and the
/// largest distance in each is compared. Converges: the last quarter is under a fifth of the
/// first and still shrinking geometrically (under ¾ of the third) — a sublinear creep towards
/// the equilibrium does not count. Diverges: a non-finite point, or the last quarter over 1.5×
/// the first and still growing. Anything else cycles: it orbits, stalls or creeps.
pub fn verdict(points: &[[f64; 2]], eq: [f64; 2], steps: usize) -> (Verdict, f64) {
    let d = |p: &[f64; 2]| norm([p[0] - eq[0], p[1] - eq[1]]);
    if points.len() < steps + 1 {
        return (Verdict::Diverges, f64::INFINITY); // the run stopped at a non-finite point
    }
    if points.len() < 4 {
        return (Verdict::Cycles, 1.0); // too short to call
    }
    let n = points.len();
    let quarter_max = |q: usize| points[q * n / 4..(q + 1) * n / 4].iter().map(d).fold(0.0, f64::max);
    let m: Vec<f64> = (0..4).map(quarter_max).collect();
    let first = m[0].max(1e-300);
    let grown = m[3] / first;
    let v = if grown > 1.5 && m[3] > 1.02 * m[2] {
        Verdict::Diverges
    } else if grown < 0.2 && (m[3] < 0.75 * m[2] || m[3] < 1e-9 * first.max(1.0)) {
        Verdict::Converges
    } else {
        Verdict::Cycles
    };
    (v, grown)
}
