//! Update rules for two-player games, run on any `Game`, and their one-step linear maps.
//!
//! Every rule advances a small state: the point z, the previous point (for the rules with
//! memory) and Adam's moments. `update_map` linearises one step at the equilibrium by central
//! differences of that very step function, so the eigenvalues drawn are those of the code that
//! draws the trajectories (exact up to rounding for the bilinear game, whose steps are linear).

use super::game::{add, scale, Game};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// Continuous-time gradient play, ż = v(z), sampled every η.
    Flow,
    /// Simultaneous gradient descent–ascent: both players step from the same point.
    Simultaneous,
    /// Alternating: x steps first, then y steps from the new x.
    Alternating,
    /// Optimistic GDA: z + 2η v(z_k) − η v(z_{k−1}).
    Optimistic,
    /// Extragradient: step to a look-ahead point, then step from z with the look-ahead's field.
    Extragradient,
    /// Consensus optimisation (Mescheder et al. 2017): v − γ ∇(½‖v‖²) = v − γ Jᵀv.
    Consensus,
    /// Alternating steps with heavy-ball momentum β (Gidel et al. 2019: β < 0 converges).
    /// Without a projection this is x_{k+1} = x_k + η v + β(x_k − x_{k−1}).
    Momentum,
    /// Adam on each player's own gradient, simultaneous (β₁ = 0.9, β₂ = 0.999).
    Adam,
}

pub const ADAM_BETA1: f64 = 0.9;
pub const ADAM_BETA2: f64 = 0.999;
pub const ADAM_EPS: f64 = 1e-8;

impl Method {
    pub const ALL: [Method; 8] = [
        Self::Flow,
        Self::Simultaneous,
        Self::Alternating,
        Self::Optimistic,
        Self::Extragradient,
        Self::Consensus,
        Self::Momentum,
        Self::Adam,
    ];
    /// Link names, in the order of `ALL`.
    pub const NAMES: &'static [&'static str] = &["flow", "sim", "alt", "ogda", "eg", "consensus", "momentum", "adam"];

    pub fn name(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|m| *m == self).unwrap_or(0)]
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::NAMES.iter().position(|n| *n == name).map(|i| Self::ALL[i])
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Flow => "Continuous-time play",
            Self::Simultaneous => "Simultaneous GDA",
            Self::Alternating => "Alternating GDA",
            Self::Optimistic => "Optimistic GDA",
            Self::Extragradient => "Extragradient",
            Self::Consensus => "Consensus optimisation",
            Self::Momentum => "Alternating + momentum",
            Self::Adam => "Adam",
        }
    }

    /// Size of the state its linear map acts on: z, or (z, previous z) for rules with memory.
    /// None for Adam, whose per-coordinate scaling is not linear.
    pub fn state_dim(self) -> Option<usize> {
        match self {
            Self::Optimistic | Self::Momentum => Some(4),
            Self::Adam => None,
            _ => Some(2),
        }
    }
}

/// Step size and the rules' extra constants.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hyper {
    pub eta: f64,
    /// Consensus weight γ.
    pub gamma: f64,
    /// Momentum β (negative allowed).
    pub beta: f64,
}

#[derive(Clone, Debug)]
struct State {
    z: [f64; 2],
    prev: [f64; 2],
    m: [f64; 2],
    s: [f64; 2],
    t: i32,
}

impl State {
    fn new(z: [f64; 2]) -> Self {
        Self { z, prev: z, m: [0.0; 2], s: [0.0; 2], t: 0 }
    }
}

fn advance(game: &dyn Game, method: Method, h: &Hyper, st: &mut State) {
    let eta = h.eta;
    let z = st.z;
    let next = match method {
        Method::Flow => game.flow(z, eta),
        Method::Simultaneous => add(z, scale(game.field(z), eta)),
        Method::Alternating => {
            let x = z[0] + eta * game.field(z)[0];
            [x, z[1] + eta * game.field([x, z[1]])[1]]
        }
        Method::Optimistic => {
            let (v, v_prev) = (game.field(z), game.field(st.prev));
            [0, 1].map(|i| z[i] + 2.0 * eta * v[i] - eta * v_prev[i])
        }
        Method::Extragradient => {
            let look = add(z, scale(game.field(z), eta));
            add(z, scale(game.field(look), eta))
        }
        Method::Consensus => {
            let (v, j) = (game.field(z), game.jacobian(z));
            // ∇(½‖v‖²) = Jᵀ v
            let jtv = [j[0][0] * v[0] + j[1][0] * v[1], j[0][1] * v[0] + j[1][1] * v[1]];
            [0, 1].map(|i| z[i] + eta * (v[i] - h.gamma * jtv[i]))
        }
        Method::Momentum => {
            // heavy ball as optimisers run it (velocity m = βm + g, step −ηm), so that a
            // projection (WGAN clipping) acts as it does in burn; x first, then y
            st.m[0] = h.beta * st.m[0] - game.field(z)[0];
            let x = z[0] - eta * st.m[0];
            st.m[1] = h.beta * st.m[1] - game.field([x, z[1]])[1];
            [x, z[1] - eta * st.m[1]]
        }
        Method::Adam => {
            st.t += 1;
            let v = game.field(z);
            let mut out = z;
            for i in 0..2 {
                let g = -v[i]; // each player's own gradient (descent direction is −g)
                st.m[i] = ADAM_BETA1 * st.m[i] + (1.0 - ADAM_BETA1) * g;
                st.s[i] = ADAM_BETA2 * st.s[i] + (1.0 - ADAM_BETA2) * g * g;
                let m_hat = st.m[i] / (1.0 - ADAM_BETA1.powi(st.t));
                let s_hat = st.s[i] / (1.0 - ADAM_BETA2.powi(st.t));
                out[i] -= eta * m_hat / (s_hat.sqrt() + ADAM_EPS);
            }
            out
        }
    };
    st.prev = z;
    st.z = game.project(next);
}

/// The points z₀, z₁, …, z_steps. Stops early (shorter output) once a point is not finite.
pub fn trajectory(game: &dyn Game, method: Method, h: &Hyper, z0: [f64; 2], steps: usize) -> Vec<[f64; 2]> {
    let mut st = State::new(z0);
    let mut out = Vec::with_capacity(steps + 1);
    out.push(z0);
    for _ in 0..steps {
        advance(game, method, h, &mut st);
        if !(st.z[0].is_finite() && st.z[1].is_finite()) {
            break;
        }
        out.push(st.z);
    }
    out
}

/// A square matrix, row-major.
pub type Matrix = Vec<Vec<f64>>;

/// The Jacobian of one step at the equilibrium z = 0: on z (2×2), or on (z, memory) (4×4) for
/// the rules with memory — the previous z for OGDA, the velocity for momentum (a linear change
/// of variables from (z, previous z), so the same eigenvalues). None for Adam.
pub fn update_map(game: &dyn Game, method: Method, h: &Hyper) -> Option<Matrix> {
    let n = method.state_dim()?;
    let step = |x: &[f64]| -> Vec<f64> {
        let mut st = State::new([x[0], x[1]]);
        let momentum = method == Method::Momentum;
        if n == 4 {
            if momentum {
                st.m = [x[2], x[3]];
            } else {
                st.prev = [x[2], x[3]];
            }
        }
        advance(game, method, h, &mut st);
        let mut out = st.z.to_vec();
        if n == 4 {
            out.extend(if momentum { st.m } else { [x[0], x[1]] });
        }
        out
    };
    let d = 1e-6;
    let mut m = vec![vec![0.0; n]; n];
    for c in 0..n {
        let (mut p, mut q) = (vec![0.0; n], vec![0.0; n]);
        p[c] = d;
        q[c] = -d;
        let (fp, fq) = (step(&p), step(&q));
        for r in 0..n {
            m[r][c] = (fp[r] - fq[r]) / (2.0 * d);
        }
    }
    Some(m)
}

pub fn norm(z: [f64; 2]) -> f64 {
    z[0].hypot(z[1])
}
