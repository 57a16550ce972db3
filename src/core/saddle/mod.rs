//! The saddle-point lab's engine: the xy game and the Dirac-GAN as vector fields (`game`),
//! every update rule run on them (`method`), eigenvalues, closed forms and verdicts
//! (`spectrum`), and the Dirac-GAN trained by burn for comparison (`learned`).
//!
//! Everything but `learned` is plain f64 and cheap: the page recomputes every trajectory on
//! each drag or slider move instead of animating a training loop.

pub mod game;
pub mod learned;
pub mod method;
pub mod spectrum;

use crate::core::settings::{Kind, Settings, Spec};
use game::{Bilinear, Dirac, DiracLoss, Game};
use method::{norm, trajectory, update_map, Hyper, Method};
use num_complex::Complex64;
use spectrum::{closed_form, eigenvalues, spectral_radius, verdict, ClosedForm, Verdict};

pub const SADDLE_SETTINGS: &[Spec] = &[
    Spec { key: "game", kind: Kind::Choice(&["xy", "dirac"]), default: "xy", label: "Game" },
    Spec { key: "methods", kind: Kind::Set(Method::NAMES), default: "flow,sim,alt,eg", label: "Update rules" },
    Spec { key: "eta", kind: Kind::Float { min: 0.001, max: 2.5 }, default: "0.2", label: "Step size η" },
    Spec { key: "steps", kind: Kind::Int { min: 1, max: 5000 }, default: "150", label: "Steps" },
    Spec { key: "x0", kind: Kind::Float { min: -5.0, max: 5.0 }, default: "1", label: "Start x (θ)" },
    Spec { key: "y0", kind: Kind::Float { min: -5.0, max: 5.0 }, default: "0.5", label: "Start y (ψ)" },
    Spec { key: "a", kind: Kind::Float { min: -1.0, max: 3.0 }, default: "0", label: "a in (a/2)x²" },
    Spec { key: "b", kind: Kind::Float { min: -1.0, max: 3.0 }, default: "0", label: "b in −(b/2)y²" },
    Spec { key: "gamma", kind: Kind::Float { min: 0.0, max: 10.0 }, default: "1", label: "Consensus γ" },
    Spec { key: "beta", kind: Kind::Float { min: -0.95, max: 0.95 }, default: "-0.5", label: "Momentum β" },
    Spec { key: "loss", kind: Kind::Choice(DiracLoss::NAMES), default: "gan", label: "Dirac-GAN loss" },
    Spec { key: "r1", kind: Kind::Float { min: 0.0, max: 10.0 }, default: "0", label: "R1 penalty γ" },
    Spec { key: "noise", kind: Kind::Float { min: 0.0, max: 2.0 }, default: "0", label: "Instance noise σ" },
    Spec { key: "clip", kind: Kind::Float { min: 0.01, max: 10.0 }, default: "1", label: "WGAN clip c" },
    Spec { key: "gp", kind: Kind::Float { min: 0.0, max: 10.0 }, default: "1", label: "WGAN-GP weight" },
    Spec { key: "learned", kind: Kind::Choice(&["on", "off"]), default: "on", label: "burn-trained overlay" },
];

#[derive(Clone, Debug, PartialEq)]
pub enum GameKind {
    Xy(Bilinear),
    Dirac(Dirac),
}

/// Typed view of the settings.
#[derive(Clone, Debug, PartialEq)]
pub struct SaddleConfig {
    pub game: GameKind,
    pub methods: Vec<Method>,
    pub hyper: Hyper,
    pub z0: [f64; 2],
    pub steps: usize,
    pub learned: bool,
}

impl SaddleConfig {
    pub fn from_settings(s: &Settings) -> Self {
        let game = match s.choice("game") {
            "dirac" => GameKind::Dirac(Dirac {
                loss: DiracLoss::parse(s.choice("loss")).unwrap_or(DiracLoss::Gan),
                r1: s.float("r1"),
                noise: s.float("noise"),
                clip: s.float("clip"),
                gp: s.float("gp"),
            }),
            _ => GameKind::Xy(Bilinear { a: s.float("a"), b: s.float("b") }),
        };
        Self {
            game,
            methods: s.set_of("methods").iter().filter_map(|n| Method::parse(n)).collect(),
            hyper: Hyper { eta: s.float("eta"), gamma: s.float("gamma"), beta: s.float("beta") },
            z0: [s.float("x0"), s.float("y0")],
            steps: s.int("steps") as usize,
            learned: s.choice("learned") == "on",
        }
    }

    pub fn game(&self) -> &dyn Game {
        match &self.game {
            GameKind::Xy(g) => g,
            GameKind::Dirac(g) => g,
        }
    }

    /// The lectures' closed forms hold for the plain bilinear game only.
    pub fn is_plain_xy(&self) -> bool {
        matches!(self.game, GameKind::Xy(Bilinear { a, b }) if a == 0.0 && b == 0.0)
    }
}

/// Eigenvalues μ of the field's Jacobian at the equilibrium: continuous-time play converges
/// locally when every Re μ < 0 and orbits when they are purely imaginary (Mescheder et al.'s
/// criterion). None where the field has a kink there.
pub fn field_eigenvalues(config: &SaddleConfig) -> Option<Vec<Complex64>> {
    let game = config.game();
    game.smooth_at_equilibrium().then(|| {
        let j = game.jacobian([0.0, 0.0]);
        eigenvalues(&vec![j[0].to_vec(), j[1].to_vec()])
    })
}

/// One update rule's run and its analysis.
pub struct MethodResult {
    pub method: Method,
    pub points: Vec<[f64; 2]>,
    /// ‖z_k − z*‖ per step.
    pub distances: Vec<f64>,
    pub verdict: Verdict,
    /// Distance growth over the run (see `spectrum::verdict`).
    pub growth: f64,
    /// Eigenvalues of the one-step map at the equilibrium (None: Adam, or a kinked field).
    pub eigenvalues: Option<Vec<Complex64>>,
    pub closed_form: Option<ClosedForm>,
}

impl MethodResult {
    pub fn spectral_radius(&self) -> Option<f64> {
        self.eigenvalues.as_deref().map(spectral_radius)
    }
}

/// Runs every selected rule from the start point and analyses it.
pub fn analyse(config: &SaddleConfig) -> Vec<MethodResult> {
    let game = config.game();
    config
        .methods
        .iter()
        .map(|&method| {
            let points = trajectory(game, method, &config.hyper, config.z0, config.steps);
            let distances = points.iter().map(|p| norm(*p)).collect();
            let (verdict, growth) = verdict(&points, [0.0, 0.0], config.steps);
            let eigenvalues = if game.smooth_at_equilibrium() {
                update_map(game, method, &config.hyper).map(|m| {
                    let mut e = eigenvalues(&m);
                    // a zero eigenvalue of a map with memory is a mode gone after one step: leave it out
                    e.retain(|l| l.norm() > 1e-12 || method.state_dim() == Some(2));
                    e
                })
            } else {
                None
            };
            let h = &config.hyper;
            let closed_form = if config.is_plain_xy() { closed_form(method, h.eta, h.gamma, h.beta) } else { None };
            MethodResult { method, points, distances, verdict, growth, eigenvalues, closed_form }
        })
        .collect()
}

#[cfg(test)]
mod tests;
