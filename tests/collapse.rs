//! The mode-collapse lab's remedies change the training step as the papers specify, and each
//! preset does what its name says (native, burn's CPU device).

use burn::tensor::Device;
use gan_playground::core::collapse::{collapse_settings, modes, new_run, run_config, Run, PRESETS};
use gan_playground::core::modes::mode_metrics;
use gan_playground::core::settings::Settings;
use gan_playground::core::toy::{ToyConfig, ToyGan, TOY_SETTINGS};

fn toy(query: &str, remedies: impl FnOnce(&mut ToyConfig)) -> ToyGan {
    let (settings, notices) = Settings::from_query(TOY_SETTINGS, query);
    assert!(notices.is_empty(), "{query}: {notices:?}");
    let mut config = ToyConfig::from_settings(&settings);
    remedies(&mut config);
    ToyGan::new(config, &Device::flex()).expect("data")
}

fn fake(gan: &ToyGan) -> Vec<f32> {
    pollster::block_on(gan.snapshot(false)).expect("snapshot").fake
}

/// PacGAN: D's input is m samples side by side (2m numbers), so its first layer has 2m rows;
/// the minibatch feature adds one input to D's last layer.
#[test]
fn packing_widens_d_and_the_minibatch_feature_adds_one_last_layer_input() {
    let q = "dLayers=1&dWidth=8&batch=30&gWidth=16";
    let weights = |g: &ToyGan| g.discriminator_weights().len();
    let plain = toy(q, |_| {});
    assert_eq!(weights(&plain), (2 * 8 + 8) + (8 + 1));
    for m in 2..=4 {
        let mut packed = toy(q, |c| c.pack = m);
        assert_eq!(weights(&packed), (2 * m * 8 + 8) + (8 + 1), "pack {m}");
        for _ in 0..5 {
            packed.train_step();
        }
        let snap = pollster::block_on(packed.snapshot(true)).unwrap();
        assert!(snap.is_finite());
        // the views read D at single points (m copies of each): one value per point
        assert_eq!(snap.full.unwrap().d_real.len(), snap.fake.len() / 2);
    }
    let mut std = toy(q, |c| (c.minibatch_std, c.pack) = (true, 2));
    assert_eq!(weights(&std), (4 * 8 + 8) + (8 + 1 + 1));
    for _ in 0..5 {
        std.train_step();
    }
    assert!(pollster::block_on(std.snapshot(true)).unwrap().is_finite());
}

/// First-order unrolling: G's step with `unroll = k` is exactly k D steps, then G's step
/// against that D — and afterwards D (weights, optimiser, update count) is as before.
#[test]
fn an_unrolled_g_step_looks_ahead_k_d_steps_and_puts_d_back() {
    let q = "batch=64&gWidth=32&dWidth=32&seed=5";
    let k = 3;
    let mut unrolled = toy(q, |c| c.unroll = k);
    let mut by_hand = toy(q, |_| {});
    let d0 = unrolled.discriminator_weights();
    unrolled.step_g_only();
    for _ in 0..k {
        by_hand.step_d_only();
    }
    by_hand.step_g_only();
    assert_eq!(fake(&unrolled), fake(&by_hand), "G moved as if against D advanced {k} steps");
    assert_eq!(unrolled.discriminator_weights(), d0, "the look-ahead was not written back");
    assert_ne!(by_hand.discriminator_weights(), d0);
    assert_eq!((unrolled.d_updates, unrolled.g_updates), (0, 1));
    // and a whole iteration trains D once (kD = 1), not 1 + k times
    unrolled.train_step();
    assert_eq!(unrolled.d_updates, 1);
}

/// The A/B runs share data, seed and networks: with no remedy on either side they are the
/// same run, step for step; a remedy on B changes only B.
#[test]
fn runs_a_and_b_are_identical_without_a_remedy() {
    let (s, _) = Settings::from_query(collapse_settings(), "gWidth=16&dWidth=16&batch=32");
    let dev = Device::flex();
    let mut a = new_run(run_config(&s, Run::A), &dev).unwrap();
    let mut b = new_run(run_config(&s, Run::B), &dev).unwrap();
    for _ in 0..10 {
        a.train_step();
        b.train_step();
    }
    assert_eq!(fake(&a), fake(&b));
    let (s, _) = Settings::from_query(collapse_settings(), "gWidth=16&dWidth=16&batch=32&bPack=2");
    let mut b = new_run(run_config(&s, Run::B), &dev).unwrap();
    for _ in 0..10 {
        b.train_step();
    }
    assert_ne!(fake(&a), fake(&b));
}

/// What a preset's run reached: (modes captured, modes, high-quality fraction, reverse KL).
type Outcome = (usize, usize, f64, f64);

/// Trains the preset's run (B, or A for "vanilla") with its default seed on `dist` for the
/// preset's step count.
fn preset_result(key: &str, dist: &str) -> Outcome {
    let run = if key == "vanilla" { Run::A } else { Run::B };
    let p = PRESETS.iter().find(|p| p.key == key).expect("preset");
    let (s, notices) = Settings::from_query(collapse_settings(), &format!("{}&dist={dist}", p.query));
    assert!(notices.is_empty(), "{notices:?}");
    let config = run_config(&s, run);
    let modes = modes(&config).unwrap();
    let mut gan = new_run(config, &Device::flex()).unwrap();
    for _ in 0..p.steps {
        gan.train_step();
    }
    let m = mode_metrics(&fake(&gan), &modes);
    eprintln!("{dist} {key} {run:?}: {} / {} modes, {:.1} % HQ, reverse KL {:.2}", m.captured, modes.len(), 100.0 * m.hq_fraction, m.reverse_kl);
    (m.captured, modes.len(), m.hq_fraction, m.reverse_kl)
}

/// "Vanilla collapses" (seed 1, 5,000 steps): on the ring it holds at most half the modes;
/// on the grid it smears across some modes with few high-quality samples, spread unevenly.
/// (GAN training is chaotic: these bounds leave room for the last-bit differences of
/// another CPU, and docs/collapse.md has the 5-seed means.)
#[test]
fn preset_vanilla_collapses() {
    let (captured, k, _, kl) = preset_result("vanilla", "ring8");
    assert!(captured * 2 <= k && kl > 1.0, "ring8: captured {captured} of {k}, reverse KL {kl}");
    let (captured, k, hq, kl) = preset_result("vanilla", "grid25");
    assert!(captured < 20 && hq < 0.2 && kl > 0.5, "grid25: captured {captured} of {k}, HQ {hq}, reverse KL {kl}");
}

/// The WGAN-GP preset on the grid, trained once for the two tests that read it.
fn wgan_gp_grid() -> Outcome {
    static RESULT: std::sync::OnceLock<Outcome> = std::sync::OnceLock::new();
    *RESULT.get_or_init(|| preset_result("wgan-gp", "grid25"))
}

/// "X recovers": B holds at least 7 of 8 ring modes (vanilla: at most 4), and where `grid`
/// is set at least 20 of 25 grid modes (vanilla: under 20, with under 20 % high quality).
fn assert_recovers(key: &str, grid: bool) {
    let (captured, k, _, _) = preset_result(key, "ring8");
    assert!(captured >= 7, "ring8 {key}: captured {captured} of {k}");
    if grid {
        let (captured, k, _, _) = if key == "wgan-gp" { wgan_gp_grid() } else { preset_result(key, "grid25") };
        assert!(captured >= 20, "grid25 {key}: captured {captured} of {k}");
    }
}

/// First-order unrolling recovers the ring; on the grid it gains only a few modes (19.2 ± 1.4
/// against vanilla's 13.4 ± 3.4 over 5 seeds), which the preset's lesson says.
#[test]
fn preset_unrolled_recovers() {
    assert_recovers("unrolled", false);
}

#[test]
fn preset_packing_recovers() {
    assert_recovers("packing", true);
}

#[test]
fn preset_wgan_gp_recovers() {
    assert_recovers("wgan-gp", true);
}

/// "WGAN-GP + averaging sharpens": B is the WGAN-GP preset's B shown through its averaged
/// generator. On the grid (seed 1, 5,000 steps) it holds at least as many modes with clearly
/// more of its samples high quality (measured here: 23 modes at 40 % without, 25 at 64 % with).
#[test]
fn preset_averaging_sharpens() {
    let (captured_a, k, hq_a, _) = wgan_gp_grid();
    let (captured_b, _, hq_b, _) = preset_result("averaging", "grid25");
    assert!(captured_b >= captured_a && captured_b >= 20, "grid25 modes: without {captured_a}, with averaging {captured_b} of {k}");
    assert!(hq_b > hq_a + 0.1, "grid25 high quality: without {hq_a}, with averaging {hq_b}");
}

#[test]
fn preset_minibatch_std_recovers() {
    assert_recovers("minibatch-std", true);
}

#[test]
fn every_preset_fits_the_cpu_backends_size_limit_on_both_data_sets() {
    use gan_playground::core::toy::CPU_ITERATION_FLOP_LIMIT;
    for p in PRESETS {
        for dist in ["ring8", "grid25"] {
            let (s, notices) = Settings::from_query(collapse_settings(), &format!("{}&dist={dist}", p.query));
            assert!(notices.is_empty(), "{notices:?}");
            let runs: &[Run] = if s.choice("compare") == "on" { &[Run::A, Run::B] } else { &[Run::A] };
            let flops: f64 = runs.iter().map(|&r| run_config(&s, r).iteration_flops()).sum();
            assert!(flops < CPU_ITERATION_FLOP_LIMIT, "{} on {dist}: {flops:e}", p.key);
        }
    }
}
