//! Optimiser choice per network. All of burn's optimisers build the same `ModuleOptimizer`
//! type, so switching is a value, not a type.

use burn::optim::{momentum::MomentumConfig, AdamConfig, ModuleOptimizer, RmsPropConfig, SgdConfig};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    Sgd,
    Momentum,
    Adam,
    RmsProp,
}

impl OptimizerKind {
    pub const NAMES: &'static [&'static str] = &["sgd", "momentum", "adam", "rmsprop"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "sgd" => Some(Self::Sgd),
            "momentum" => Some(Self::Momentum),
            "adam" => Some(Self::Adam),
            "rmsprop" => Some(Self::RmsProp),
            _ => None,
        }
    }

    /// A fresh optimiser (empty state). `beta1`/`beta2` apply to Adam; `beta1` is the momentum
    /// factor for `momentum`.
    pub fn build(self, beta1: f64, beta2: f64) -> ModuleOptimizer {
        match self {
            Self::Sgd => SgdConfig::new().init(),
            Self::Momentum => SgdConfig::new()
                .with_momentum(Some(MomentumConfig { momentum: beta1, dampening: 0.0, nesterov: false }))
                .init(),
            Self::Adam => AdamConfig::new().with_beta_1(beta1 as f32).with_beta_2(beta2 as f32).with_epsilon(1e-8).init(),
            Self::RmsProp => RmsPropConfig::new().init(),
        }
    }
}
