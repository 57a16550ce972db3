//! The mode-collapse lab's remedies change the training step as the papers specify, and each
//! preset does what its name says (native, burn's CPU device).

use burn::tensor::Device;
use gan_playground::core::collapse::{collapse_settings, measure, modes, new_run, run_config, Run, PRESETS};
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

/// Each preset, with its default seed, on both benchmarks: the baseline collapses and the
/// remedy recovers within the preset's step count.
#[test]
fn every_preset_does_what_its_name_says() {
    let dev = Device::flex();
    for dist in ["ring8", "grid25"] {
        let mut baseline = None;
        for p in PRESETS {
            let (s, notices) = Settings::from_query(collapse_settings(), &format!("{}&dist={dist}", p.query));
            assert!(notices.is_empty());
            let run = if p.key == "vanilla" { Run::A } else { Run::B };
            let config = run_config(&s, run);
            let modes = modes(&config).unwrap();
            let mut gan = new_run(config, &dev).unwrap();
            for _ in 0..p.steps {
                gan.train_step();
            }
            let m = measure(&fake(&gan), &modes);
            let k = modes.len();
            eprintln!("{dist} {}: {} / {k} modes, {:.1} % HQ, reverse KL {:.2}", p.key, m.captured, 100.0 * m.hq_fraction, m.reverse_kl);
            if p.key == "vanilla" {
                assert!(m.captured * 2 <= k, "{dist}: vanilla should collapse, captured {} of {k}", m.captured);
                baseline = Some(m.captured);
            } else {
                let floor = k - k / 8; // 7 of 8, 22 of 25
                assert!(m.captured >= floor, "{dist} {}: captured {} of {k}", p.key, m.captured);
                assert!(m.captured > baseline.unwrap_or(0), "{dist} {}: no better than vanilla", p.key);
            }
        }
    }
}
