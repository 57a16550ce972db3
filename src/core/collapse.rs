//! The mode-collapse lab: two runs of the toy GAN (`crate::core::toy`) side by side on the
//! same data and seed, one the baseline and one with remedies, measured with the papers'
//! mode metrics (`crate::core::modes`). No second engine: each run is a `ToyGan` whose config
//! switches the remedies on (`unroll`, `minibatch_std`, `pack` and the toy lab's own
//! stabilisers).
//!
//! Settings: the shared keys (data, model, batch, seed) hold for both runs; each remedy key
//! exists twice, plain for run A and prefixed with `b` for run B (`unroll` / `bUnroll`), and
//! `compare=on` trains B beside A.

use crate::core::loss::GanLoss;
use crate::core::modes::{modes_of, Mode, METRIC_SAMPLES};
use crate::core::settings::{Kind, Settings, Spec};
use crate::core::toy::{ToyConfig, ToyGan, ToySnapshot, TOY_SETTINGS};
use burn::tensor::Device;
use std::future::Future;

const OFF_ON: Kind = Kind::Choice(&["off", "on"]);
const RATE: Kind = Kind::Float { min: 1e-6, max: 1000.0 };
/// The data sets with modes to count.
pub const DISTS: &[&str] = &["ring8", "ring8-wide", "grid25", "drawn"];

macro_rules! remedy_keys {
    ($($a:literal / $b:literal: $kind:expr, $default:literal, $label:literal;)*) => {
        /// The per-run keys, (run A's key, run B's key).
        pub const RUN_KEYS: &[(&str, &str)] = &[$(($a, $b)),*];
        const RUN_SPECS: &[Spec] = &[
            $(Spec { key: $a, kind: $kind, default: $default, label: $label },)*
            $(Spec { key: $b, kind: $kind, default: $default, label: $label },)*
        ];
    };
}

remedy_keys! {
    "loss" / "bLoss": Kind::Choice(GanLoss::NAMES), "ns", "Loss";
    "gpWeight" / "bGpWeight": Kind::Float { min: 0.0, max: 1000.0 }, "0.1", "Gradient penalty λ";
    "unroll" / "bUnroll": Kind::Int { min: 0, max: 10 }, "0", "Unrolled D steps";
    "minibatchStd" / "bMinibatchStd": OFF_ON, "off", "Minibatch std feature";
    "pack" / "bPack": Kind::Int { min: 1, max: 4 }, "1", "Packing m";
    "spectralNorm" / "bSpectralNorm": OFF_ON, "off", "Spectral norm (D)";
    "labelSmoothing" / "bLabelSmoothing": Kind::Float { min: 0.0, max: 0.5 }, "0", "Label smoothing";
    "instanceNoise" / "bInstanceNoise": Kind::Float { min: 0.0, max: 2.0 }, "0", "Instance noise σ₀";
    "kD" / "bKD": Kind::Int { min: 1, max: 10 }, "1", "D steps per G step";
    "lrD" / "bLrD": RATE, "0.001", "D learning rate";
    "lrG" / "bLrG": RATE, "0.001", "G learning rate";
    "beta1" / "bBeta1": Kind::Float { min: 0.0, max: 0.999 }, "0.5", "Adam β1";
    "ema" / "bEma": Kind::Float { min: 0.0, max: 0.9999 }, "0", "G weight averaging β (EMA)";
}

const SHARED_SPECS: &[Spec] = &[
    Spec { key: "seed", kind: Kind::Int { min: 0, max: 4_294_967_295 }, default: "1", label: "Seed" },
    Spec { key: "backend", kind: Kind::Choice(&["auto", "webgpu", "cpu"]), default: "auto", label: "Backend" },
    Spec { key: "dist", kind: Kind::Choice(DISTS), default: "ring8", label: "Data" },
    Spec { key: "drawing", kind: Kind::Text { max_len: 2000 }, default: "", label: "Drawing" },
    Spec { key: "compare", kind: OFF_ON, default: "on", label: "Train run B beside A" },
    Spec { key: "latentDim", kind: Kind::Int { min: 1, max: 64 }, default: "2", label: "Latent dim" },
    Spec { key: "gLayers", kind: Kind::Int { min: 1, max: 6 }, default: "3", label: "G hidden layers" },
    Spec { key: "gWidth", kind: Kind::Int { min: 1, max: 512 }, default: "128", label: "G width" },
    Spec { key: "dLayers", kind: Kind::Int { min: 1, max: 6 }, default: "2", label: "D hidden layers" },
    Spec { key: "dWidth", kind: Kind::Int { min: 1, max: 512 }, default: "128", label: "D width" },
    Spec { key: "batch", kind: Kind::Int { min: 8, max: 2048 }, default: "128", label: "Batch size" },
];

/// The whole table, built once: the shared keys, then run A's and run B's remedy keys.
pub fn collapse_settings() -> &'static [Spec] {
    static TABLE: std::sync::OnceLock<Vec<Spec>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| SHARED_SPECS.iter().chain(RUN_SPECS).copied().collect())
}

/// Which of the two runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    A,
    B,
}

/// Run A's or run B's key for the per-run setting that run A calls `a`.
fn run_key(a: &str, run: Run) -> &'static str {
    let &(ka, kb) = RUN_KEYS.iter().find(|k| k.0 == a).expect("a per-run key");
    if run == Run::A {
        ka
    } else {
        kb
    }
}

/// The remedies the toy lab's table has no setting for (they go into the config directly).
const LAB_ONLY: &[&str] = &["unroll", "minibatchStd", "pack"];

/// The toy configuration of one run: the toy lab's defaults, the shared keys, then the run's
/// remedy keys. Every optimiser is Adam (the remedies are compared under one optimiser).
pub fn run_config(s: &Settings, run: Run) -> ToyConfig {
    let mut toy = Settings::defaults(TOY_SETTINGS);
    for key in ["seed", "dist", "drawing", "latentDim", "gLayers", "gWidth", "dLayers", "dWidth", "batch"] {
        toy.set(key, &s.text(key)).expect("shared keys have the toy lab's ranges");
    }
    for &(a, _) in RUN_KEYS.iter().filter(|k| !LAB_ONLY.contains(&k.0)) {
        toy.set(a, &s.text(run_key(a, run))).expect("remedy keys have the toy lab's ranges");
    }
    // β2 0.99 rather than 0.999: Adam's second moment follows a moving game sooner
    toy.set("beta2", "0.99").expect("in range");
    ToyConfig {
        unroll: s.int(run_key("unroll", run)) as usize,
        minibatch_std: s.choice(run_key("minibatchStd", run)) == "on",
        pack: s.int(run_key("pack", run)) as usize,
        ..ToyConfig::from_settings(&toy)
    }
}

/// The modes of the run's data (every collapse-lab data set has some; None only for an
/// unusable drawing).
pub fn modes(config: &ToyConfig) -> Option<Vec<Mode>> {
    let target = config.target().ok()?;
    let drawing = config.drawing.as_ref().as_ref().map(Vec::as_slice).unwrap_or(&[]);
    modes_of(config.dist, &target, drawing)
}

/// A GAN of the lab: a toy GAN whose fixed view batch is the metric's 2,500 samples and
/// whose full snapshots hold only what the lab draws (D's heatmap).
pub fn new_run(config: ToyConfig, device: &Device) -> Result<ToyGan, String> {
    let mut gan = ToyGan::with_view_samples(config, device, METRIC_SAMPLES)?;
    gan.heat_only = true;
    Ok(gan)
}

/// Runs A and (with `compare=on`) B, trained in lockstep: one iteration of the pair is one
/// iteration of each, so their step counts and charts line up.
#[derive(Clone)]
pub struct Pair {
    pub a: ToyGan,
    pub b: Option<ToyGan>,
}

/// Both runs' snapshots from one readback each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PairSnapshot {
    pub a: ToySnapshot,
    pub b: Option<ToySnapshot>,
}

impl Pair {
    /// Both runs of `settings` on `device`; fails only when there is no data (a drawing).
    pub fn new(settings: &Settings, device: &Device) -> Result<Self, String> {
        let a = new_run(run_config(settings, Run::A), device)?;
        let b = if settings.choice("compare") == "on" { Some(new_run(run_config(settings, Run::B), device)?) } else { None };
        Ok(Self { a, b })
    }

    pub fn train_step(&mut self) {
        self.a.train_step();
        if let Some(b) = &mut self.b {
            b.train_step();
        }
    }

    /// Starts both readbacks now (nothing borrowed), awaits them in the future.
    pub fn snapshot(&self, full: bool) -> impl Future<Output = Result<PairSnapshot, String>> + 'static {
        let a = self.a.snapshot(full);
        let b = self.b.as_ref().map(|b| b.snapshot(full));
        async move {
            let a = a.await?;
            let b = match b {
                Some(b) => Some(b.await?),
                None => None,
            };
            Ok(PairSnapshot { a, b })
        }
    }
}

/// A named A/B setting: `query` over the defaults; the name says what B does against A.
pub struct Preset {
    pub key: &'static str,
    pub title: &'static str,
    pub query: &'static str,
    pub lesson: &'static str,
    /// Iterations after which the preset's claim is checked (tests, the table command).
    pub steps: u64,
}

/// Both runs share the architecture (G 3 × 128, D 2 × 128, ReLU, latent 2, batch 128) and
/// Adam; A is the vanilla non-saturating GAN, B adds one remedy.
pub const PRESETS: &[Preset] = &[
    Preset {
        key: "vanilla",
        title: "Vanilla collapses",
        query: "compare=off",
        lesson: "A plain non-saturating GAN with Adam: G holds only a few of the modes at a time and D chases it from one to the next — the strip below shows it hopping.",
        steps: 5000,
    },
    Preset {
        key: "unrolled",
        title: "Unrolled recovers",
        query: "bUnroll=5",
        lesson: "B's generator steps against D advanced 5 steps (first order: no gradient through the look-ahead), so it cannot exploit D's current blind spot. On ring8 it recovers every mode; on grid25 this first-order version gains only a few modes (docs/collapse.md).",
        steps: 5000,
    },
    Preset {
        key: "packing",
        title: "Packing recovers",
        query: "bPack=2",
        lesson: "B's D judges 2 samples at once (PacGAN): a pair of near-copies is easy to spot, so collapse costs G.",
        steps: 5000,
    },
    Preset {
        key: "wgan-gp",
        title: "WGAN-GP recovers",
        query: "bLoss=wgan-gp&bGpWeight=0.1&bKD=5&bLrD=0.001",
        lesson: "B uses the Wasserstein loss with a gradient penalty: the critic's slope never vanishes, so every mode keeps pulling.",
        steps: 5000,
    },
    Preset {
        key: "averaging",
        title: "WGAN-GP + averaging sharpens",
        query: "bLoss=wgan-gp&bGpWeight=0.1&bKD=5&bEma=0.999",
        lesson: "B is the WGAN-GP run of the preset above, shown through an exponential moving average of its generator's weights. G itself keeps jittering around the modes from step to step; its average does not, so B's samples sit tighter and more of them count as high quality (compare with the WGAN-GP preset's B).",
        steps: 5000,
    },
    Preset {
        key: "minibatch-std",
        title: "Minibatch-std recovers",
        query: "bMinibatchStd=on",
        lesson: "B's D sees the standard deviation of its batch's features: a collapsed batch has almost none, and G's gradient through that feature spreads it out.",
        steps: 5000,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::data::Dist;

    #[test]
    fn table_has_unique_keys_and_parsing_defaults() {
        let table = collapse_settings();
        let mut keys: Vec<&str> = table.iter().map(|s| s.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), table.len());
        for s in table {
            assert!(s.parse(s.default).is_ok(), "{}", s.key);
        }
        for &(a, b) in RUN_KEYS {
            assert_eq!(b, format!("b{}{}", a[..1].to_uppercase(), &a[1..]));
        }
        for name in DISTS {
            assert!(Dist::parse(name).is_some());
        }
    }

    /// `run_config` copies the lab's values into the toy lab's table: every value the lab
    /// accepts (its defaults and both ends of its ranges) must be one the toy table accepts.
    #[test]
    fn every_value_the_lab_accepts_fits_the_toy_table() {
        let toy = Settings::defaults(TOY_SETTINGS);
        for spec in collapse_settings() {
            let a = RUN_KEYS.iter().find(|k| k.1 == spec.key).map_or(spec.key, |k| k.0);
            let Some(toy_spec) = toy.spec(a).filter(|_| !LAB_ONLY.contains(&a)) else { continue };
            let mut values = vec![spec.default.to_string()];
            match spec.kind {
                Kind::Int { min, max } => values.extend([min.to_string(), max.to_string()]),
                Kind::Float { min, max } => values.extend([min.to_string(), max.to_string()]),
                Kind::Choice(options) => values.extend(options.iter().map(|o| o.to_string())),
                _ => {}
            }
            for v in values {
                assert!(toy_spec.parse(&v).is_ok(), "{}={v} is refused by the toy lab's {a}", spec.key);
            }
        }
    }

    #[test]
    fn run_b_takes_its_own_keys_and_the_shared_ones() {
        let (s, notices) = Settings::from_query(collapse_settings(), "dist=grid25&bUnroll=3&bPack=2&bMinibatchStd=on&bLoss=wgan-gp&gWidth=32&lrD=0.0002");
        assert!(notices.is_empty(), "{notices:?}");
        let (a, b) = (run_config(&s, Run::A), run_config(&s, Run::B));
        assert_eq!((a.unroll, a.pack, a.minibatch_std, a.loss), (0, 1, false, GanLoss::NonSaturating));
        assert_eq!((b.unroll, b.pack, b.minibatch_std, b.loss), (3, 2, true, GanLoss::WassersteinGp));
        assert_eq!((a.dist, b.dist), (Dist::Grid25, Dist::Grid25));
        assert_eq!((a.generator.width, b.generator.width), (32, 32));
        assert_eq!((a.lr_d, b.lr_d), (0.0002, 0.001));
        for p in PRESETS {
            let (_, notices) = Settings::from_query(collapse_settings(), p.query);
            assert!(notices.is_empty(), "{}: {notices:?}", p.key);
        }
    }
}
