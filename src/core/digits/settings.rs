//! The `/digits` page's settings table (one typed table drives its link, controls and API, as
//! on every page) and what a setting costs: the CPU backend refuses a training step whose work
//! would freeze the page, using the same FLOP cap as the 2-D labs.

use super::dcgan::{DcganConfig, DigitsGanConfig, MAX_WIDTH, MIN_WIDTH};
use crate::core::loss::GanLoss;
use crate::core::settings::{Kind, Settings, Spec};

/// The losses DCGAN trains with here (no Lipschitz constraint, so no WGAN).
pub const DIGITS_LOSSES: &[&str] = &["ns", "lsgan", "hinge"];

pub const DIGITS_SETTINGS: &[Spec] = &[
    Spec { key: "seed", kind: Kind::Int { min: 0, max: 4_294_967_295 }, default: "1", label: "Seed" },
    Spec { key: "backend", kind: Kind::Choice(&["auto", "webgpu", "cpu"]), default: "auto", label: "Backend" },
    Spec { key: "start", kind: Kind::Choice(&["scratch", "pretrained"]), default: "scratch", label: "Start from" },
    Spec { key: "width", kind: Kind::Float { min: MIN_WIDTH as f64, max: MAX_WIDTH as f64 }, default: "0.125", label: "Width multiplier" },
    Spec { key: "latentDim", kind: Kind::Int { min: 1, max: 256 }, default: "100", label: "Latent dim" },
    Spec { key: "conditional", kind: Kind::Choice(&["off", "on"]), default: "off", label: "Class-conditional" },
    Spec { key: "loss", kind: Kind::Choice(DIGITS_LOSSES), default: "ns", label: "Loss" },
    Spec { key: "lrD", kind: Kind::Float { min: 1e-6, max: 0.1 }, default: "0.0002", label: "D learning rate" },
    Spec { key: "lrG", kind: Kind::Float { min: 1e-6, max: 0.1 }, default: "0.0002", label: "G learning rate" },
    Spec { key: "beta1", kind: Kind::Float { min: 0.0, max: 0.999 }, default: "0.5", label: "Adam β1" },
    Spec { key: "labelSmoothing", kind: Kind::Float { min: 0.0, max: 0.45 }, default: "0", label: "Label smoothing" },
    Spec { key: "batch", kind: Kind::Int { min: 4, max: 256 }, default: "32", label: "Batch size" },
    // Views: which grid samples (numbered row by row from 0) the latent walk joins and whose
    // nearest training digits are shown. Changing them never restarts training.
    Spec { key: "walkFrom", kind: Kind::Int { min: 0, max: GRID_CELLS as i64 - 1 }, default: "0", label: "Walk from sample" },
    Spec { key: "walkTo", kind: Kind::Int { min: 0, max: GRID_CELLS as i64 - 1 }, default: "7", label: "Walk to sample" },
    Spec { key: "inspect", kind: Kind::Int { min: 0, max: GRID_CELLS as i64 - 1 }, default: "0", label: "Neighbours of sample" },
];

/// The sample grid: one row per digit class when the model is conditional.
pub const GRID_ROWS: usize = 10;
pub const GRID_COLS: usize = 8;
pub const GRID_CELLS: usize = GRID_ROWS * GRID_COLS;

/// Settings that only change what is drawn.
pub const VIEW_KEYS: &[&str] = &["walkFrom", "walkTo", "inspect"];

/// The width and latent size of the pretrained weights shipped with the page, one file
/// unconditional and one conditional (`www/models/dcgan-w0.25.bin`, `dcgan-w0.25-cond.bin`,
/// trained by `cargo run --release --example digits -- gan`).
pub const PRETRAINED: DcganConfig = DcganConfig { width: 0.25, latent_dim: 100, conditional: false };

/// The shipped model for an unconditional or conditional run.
pub fn pretrained(conditional: bool) -> DcganConfig {
    DcganConfig { conditional, ..PRETRAINED }
}

/// Its file name under `models/`.
pub fn pretrained_file(conditional: bool) -> String {
    format!("dcgan-w{}{}.bin", PRETRAINED.width, if conditional { "-cond" } else { "" })
}

/// The training run the settings describe (the table's ranges make it valid: see tests).
pub fn config_from(s: &Settings) -> DigitsGanConfig {
    DigitsGanConfig {
        model: DcganConfig { width: s.float("width") as f32, latent_dim: s.int("latentDim") as usize, conditional: s.choice("conditional") == "on" },
        loss: GanLoss::parse(s.choice("loss")).unwrap_or(GanLoss::NonSaturating),
        lr_d: s.float("lrD"),
        lr_g: s.float("lrG"),
        beta1: s.float("beta1") as f32,
        beta2: 0.999,
        label_smoothing: s.float("labelSmoothing") as f32,
        seed: s.int("seed") as u64,
    }
}

/// Multiply-adds of one image through G and through D (the layer shapes in `dcgan.rs`).
fn macs_per_image(m: &DcganConfig) -> (f64, f64) {
    let c = m.channels() as f64;
    let z_in = (m.latent_dim + if m.conditional { super::dcgan::LABEL_EMBEDDING } else { 0 }) as f64;
    let d_in = 1.0 + m.conditional as u8 as f64;
    // project z → 7·7·2C; ConvT 2C→C (7×7 in, 4×4 kernel); ConvT C→1 (14×14 in)
    let g = z_in * 98.0 * c + 49.0 * 2.0 * c * c * 16.0 + 196.0 * c * 16.0;
    // Conv d_in→C (14×14 out); Conv C→2C (7×7 out); Linear 98C → 1
    let d = 196.0 * c * d_in * 16.0 + 49.0 * 2.0 * c * c * 16.0 + 98.0 * c;
    (g, d)
}

/// About how many FLOPs one training step (a D step and a G step) takes: G forward once, D
/// forward three times (real, fake, fake again for G), backward ≈ 2× the forward it reverses.
pub fn step_flops(m: &DcganConfig, batch: usize) -> f64 {
    let (g, d) = macs_per_image(m);
    let forward = g + 3.0 * d;
    let backward = 2.0 * (2.0 * d) + 2.0 * (d + g);
    2.0 * (forward + backward) * batch as f64
}

pub fn settings_flops(s: &Settings) -> f64 {
    step_flops(&config_from(s).model, s.int("batch") as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_and_extreme_makes_a_valid_config() {
        let defaults = Settings::defaults(DIGITS_SETTINGS);
        assert!(config_from(&defaults).validate().is_ok());
        for (key, raw) in [("width", "0.0625"), ("width", "4"), ("latentDim", "1"), ("latentDim", "256"), ("loss", "hinge"), ("loss", "lsgan"), ("labelSmoothing", "0.45"), ("lrD", "0.1"), ("conditional", "on")] {
            let mut s = defaults.clone();
            s.set(key, raw).unwrap();
            assert!(config_from(&s).validate().is_ok(), "{key}={raw}: {:?}", config_from(&s).validate());
        }
    }

    #[test]
    fn step_cost_grows_with_width_and_batch() {
        let m = |w: f32| DcganConfig { width: w, latent_dim: 100, conditional: false };
        let small = step_flops(&m(0.125), 32);
        assert!(step_flops(&m(0.25), 32) > 2.0 * small, "the C² layers dominate");
        assert!((step_flops(&m(0.125), 64) / small - 2.0).abs() < 1e-9, "linear in the batch");
        // the defaults train on the CPU; the classic width-1 batch-64 model is refused there
        let limit = crate::core::toy::CPU_ITERATION_FLOP_LIMIT;
        assert!(settings_flops(&Settings::defaults(DIGITS_SETTINGS)) < limit);
        assert!(step_flops(&m(1.0), 64) > limit);
    }
}
