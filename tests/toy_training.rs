//! End-to-end native checks of the toy GAN on burn's CPU device.

use burn::tensor::Device;
use gan_playground::core::data::{encode_drawing, Dist};
use gan_playground::core::settings::Settings;
use gan_playground::core::toy::{analyse, live_change, AnalysisCache, ToyConfig, ToyGan, ToySnapshot, EXPLODED_WEIGHT, PRESETS, TOY_SETTINGS, VIEW_SAMPLES};

fn snapshot(gan: &ToyGan) -> ToySnapshot {
    pollster::block_on(gan.snapshot(true)).expect("snapshot")
}

fn gan(query: &str) -> ToyGan {
    let (settings, notices) = Settings::from_query(TOY_SETTINGS, query);
    assert!(notices.is_empty(), "{query}: {notices:?}");
    ToyGan::new(ToyConfig::from_settings(&settings), &Device::flex()).expect("a data distribution")
}

/// Mean distance of generated points to the nearest mode of the ring.
fn mean_distance_to_modes(gan: &ToyGan, s: &ToySnapshot) -> f32 {
    let pts = s.fake.chunks(2);
    let n = pts.len() as f32;
    pts.map(|p| gan.target().nearest_mode(p[0], p[1]).unwrap().1).sum::<f32>() / n
}

#[test]
fn seeded_run_moves_generated_samples_toward_the_ring() {
    let mut gan = gan("");
    let before = mean_distance_to_modes(&gan, &snapshot(&gan));
    for _ in 0..600 {
        gan.train_step();
    }
    let s = snapshot(&gan);
    let after = mean_distance_to_modes(&gan, &s);
    assert!(s.is_finite());
    assert!(after < 0.5 * before, "distance to modes {before} -> {after}");
    // and the points spread around the ring instead of collapsing to one spot: radii near 1
    let mean_radius = s.fake.chunks(2).map(|p| p[0].hypot(p[1])).sum::<f32>() / VIEW_SAMPLES as f32;
    assert!((mean_radius - 1.0).abs() < 0.3, "mean radius {mean_radius}");
    // and the grid JSD fell from its start
    let a = analyse(&s, s.full.as_ref().unwrap(), &AnalysisCache::new(&gan), gan.config.loss);
    assert!(a.divergences.jsd < 0.35, "JSD after 600 steps {}", a.divergences.jsd);
}

#[test]
fn same_seed_same_numbers_different_seed_different_numbers() {
    let run = |seed: &str| {
        let mut g = gan(&format!("seed={seed}&batch=64&gWidth=16&dWidth=16&spectralNorm=on&instanceNoise=0.1"));
        for _ in 0..20 {
            g.train_step();
        }
        snapshot(&g)
    };
    let a = run("3");
    assert_eq!(a, run("3"));
    assert_ne!(a.fake, run("4").fake);
}

#[test]
fn every_loss_optimiser_and_stabiliser_trains_without_non_finite_values() {
    for loss in ["minimax", "ns", "lsgan", "wgan", "wgan-gp", "hinge"] {
        for opt in ["sgd", "momentum", "adam", "rmsprop"] {
            let mut g = gan(&format!("loss={loss}&optD={opt}&optG={opt}&batch=32&gWidth=8&dWidth=8&lrD=0.01&lrG=0.01&kD=2"));
            for _ in 0..5 {
                g.train_step();
            }
            let s = snapshot(&g);
            assert!(s.is_finite(), "{loss}/{opt}: {s:?}");
            assert_eq!((s.step, s.d_updates, s.g_updates), (5, 10, 5));
        }
    }
    for extra in ["spectralNorm=on", "r1=10", "labelSmoothing=0.1", "instanceNoise=0.5&noiseAnneal=3", "noise=uniform&latentDim=5", "activation=elu&dLayers=0"] {
        let mut g = gan(&format!("{extra}&batch=32&gWidth=8&dWidth=8"));
        for _ in 0..5 {
            g.train_step();
        }
        let s = snapshot(&g);
        let full = s.full.as_ref().unwrap();
        assert!(s.is_finite() && full.pull.iter().all(|v| v.is_finite()), "{extra}");
        assert_eq!(full.manifold.len(), 2 * full.manifold_shape.0 * full.manifold_shape.1, "{extra}");
    }
}

#[test]
fn every_distribution_trains_including_a_drawing() {
    let drawing = encode_drawing(&[vec![[-0.5, -0.5], [0.5, 0.5]], vec![[0.2, -0.6]]]);
    for name in Dist::NAMES {
        let mut g = gan(&format!("dist={name}&drawing={drawing}&batch=32&gWidth=8&dWidth=8"));
        for _ in 0..3 {
            g.train_step();
        }
        assert!(snapshot(&g).is_finite(), "{name}");
    }
    let (settings, _) = Settings::from_query(TOY_SETTINGS, "dist=drawn");
    let err = ToyGan::new(ToyConfig::from_settings(&settings), &Device::flex()).err().expect("an empty drawing is refused");
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn wgan_clipping_keeps_every_critic_weight_in_range() {
    let mut g = gan("loss=wgan&clip=0.05&optD=rmsprop&lrD=0.05&batch=32");
    for _ in 0..10 {
        g.train_step();
    }
    let max = g.discriminator_weights().iter().fold(0f32, |m, v| m.max(v.abs()));
    assert!(max <= 0.05 + 1e-7 && max > 0.04, "largest |w| = {max}");
}

/// The lectures' optimal discriminator: with G frozen, D trained alone approaches
/// D* = p_data / (p_data + p_g); the page's gap measure says how close.
#[test]
fn d_trained_alone_approaches_the_optimal_discriminator() {
    let mut g = gan("dist=clusters&dWidth=64&dLayers=2&batch=512&lrD=0.003");
    let start = {
        let s = snapshot(&g);
        analyse(&s, s.full.as_ref().unwrap(), &AnalysisCache::new(&g), g.config.loss).d_gap.unwrap()
    };
    for _ in 0..1500 {
        g.step_d_only();
    }
    let s = snapshot(&g);
    let a = analyse(&s, s.full.as_ref().unwrap(), &AnalysisCache::new(&g), g.config.loss);
    let gap = a.d_gap.unwrap();
    assert!(gap <= 0.05, "mean |D − D*| = {gap} (at the start {start})");
    // and near D*, the learned D's value of the game is near 2·JSD − log 4 (grid estimate)
    let v = a.value_d.unwrap();
    assert!((v - a.value_at_optimum).abs() < 0.15, "V(D, G) {v}, 2·JSD − log 4 {}", a.value_at_optimum);
}

/// The page decides a live change for a run in its training worker from the two
/// configurations alone (`live_change`); it must be what the run itself does.
#[test]
fn live_change_decides_as_apply_live_does() {
    let mut g = gan("batch=64&gWidth=16&dWidth=16");
    let with = |q: &str| ToyConfig::from_settings(&Settings::from_query(TOY_SETTINGS, &format!("batch=64&gWidth=16&dWidth=16&{q}")).0);
    for q in ["lrD=0.01", "lrD=0.01&beta1=0.9", "optD=rmsprop&beta1=0.9", "optD=rmsprop&optG=sgd&beta2=0.95", "optG=momentum", "optG=momentum&beta1=0.8", "ema=0.99&spectralNorm=on", "gWidth=17", "dist=spiral", "seed=9"] {
        let new = with(q);
        let decided = live_change(&g.config, &new);
        assert_eq!(decided, g.apply_live(&new), "{q}");
        if decided.is_none() {
            g = gan(&format!("batch=64&gWidth=16&dWidth=16&{q}")); // what the page does: a new run
        }
    }
}

/// The worker builds its run from the page's query string: that string must carry the whole
/// configuration (every preset, and a drawn distribution).
#[test]
fn the_query_string_carries_the_whole_configuration() {
    let drawing = encode_drawing(&[vec![[0.1, 0.2], [0.3, -0.4], [-0.5, 0.6]]]);
    let queries: Vec<String> = PRESETS.iter().map(|p| p.query.to_string()).chain([format!("dist=drawn&drawing={drawing}&lrD=0.0123&beta2=0.987")]).collect();
    for q in queries {
        let (settings, notices) = Settings::from_query(TOY_SETTINGS, &q);
        assert!(notices.is_empty(), "{q}: {notices:?}");
        let again = Settings::from_query(TOY_SETTINGS, &settings.to_query()).0;
        assert_eq!(ToyConfig::from_settings(&again), ToyConfig::from_settings(&settings), "{q}");
    }
}

#[test]
fn live_changes_keep_the_networks_and_say_what_happened_to_the_optimisers() {
    let mut g = gan("batch=64&gWidth=16&dWidth=16");
    for _ in 0..5 {
        g.train_step();
    }
    let before = snapshot(&g).fake;
    let with = |q: &str| ToyConfig::from_settings(&Settings::from_query(TOY_SETTINGS, &format!("batch=64&gWidth=16&dWidth=16&{q}")).0);
    assert_eq!(g.apply_live(&with("lrD=0.01&kD=3&loss=hinge&r1=1")), Some(vec![]));
    assert_eq!(g.apply_live(&with("lrD=0.01&kD=3&loss=hinge&r1=1&beta1=0.9")).map(|n| n.len()), Some(2), "both Adams say so");
    let notes = g.apply_live(&with("lrD=0.01&kD=3&loss=hinge&r1=1&beta1=0.9&optD=rmsprop")).unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("fresh state"));
    assert_eq!(snapshot(&g).fake, before, "networks kept");
    assert_eq!(g.step, 5);
    g.train_step();
    assert!(snapshot(&g).is_finite());
    assert_eq!(g.apply_live(&with("gWidth=17")), None);
    assert_eq!(g.apply_live(&with("dist=spiral")), None);
}

#[test]
fn an_absurd_learning_rate_is_detected_as_divergence() {
    let mut g = gan("lrD=10&lrG=10&optD=sgd&optG=sgd&loss=lsgan");
    let cache = AnalysisCache::new(&g);
    let mut diverged = false;
    for _ in 0..300 {
        g.train_step();
        let s = snapshot(&g);
        // on the way out, huge but finite samples: the page's analysis must not panic
        let a = analyse(&s, s.full.as_ref().unwrap(), &cache, g.config.loss);
        assert!(a.divergences.jsd.is_finite() || !s.is_finite());
        if !s.is_finite() {
            diverged = true;
            break;
        }
    }
    assert!(diverged, "an LSGAN with SGD lr 10 should blow up");
}

#[test]
fn every_preset_parses_and_trains() {
    for p in PRESETS {
        let mut g = gan(p.query);
        for _ in 0..3 {
            g.train_step();
        }
        assert!(snapshot(&g).is_finite(), "{}", p.key);
    }
}

/// The vanishing-gradient lesson holds: with D far ahead, the minimax loss's pull on the
/// generated samples is a small fraction of the non-saturating loss's pull on the same points.
#[test]
fn minimax_pull_vanishes_where_the_non_saturating_pull_does_not() {
    let mut g = gan("dist=ring8-wide&loss=minimax&batch=256");
    for _ in 0..400 {
        g.step_d_only(); // D alone: it learns to reject G's samples
    }
    let pull = |g: &ToyGan| {
        let s = snapshot(g);
        let p = &s.full.as_ref().unwrap().pull;
        p.chunks(2).map(|v| v[0].hypot(v[1])).sum::<f32>() / (p.len() / 2) as f32
    };
    let minimax = pull(&g);
    let cfg = ToyConfig { loss: gan_playground::core::loss::GanLoss::NonSaturating, ..g.config.clone() };
    assert_eq!(g.apply_live(&cfg), Some(vec![]));
    let ns = pull(&g);
    assert!(minimax < 0.1 * ns, "mean pull: minimax {minimax}, ns {ns}");
}

#[test]
fn a_d_learning_rate_of_1000_on_the_defaults_is_caught_within_a_few_steps() {
    // Adam moves each weight by about the rate a step: D's weights pass EXPLODED_WEIGHT after
    // a few updates although every loss stays finite
    let mut g = gan("lrD=1000");
    assert_eq!(snapshot(&g).divergence(), None);
    let mut steps = 0;
    while snapshot(&g).divergence().is_none() && steps < 50 {
        g.train_step();
        steps += 1;
    }
    let s = snapshot(&g);
    println!("lrD = 1000: largest weight {} after {steps} steps, losses {} / {}", s.largest_weight, s.loss_d, s.loss_g);
    assert!(steps < 50, "lrD = 1000 should blow D's weights up: {s:?}");
    assert!(s.largest_weight > EXPLODED_WEIGHT);
    assert!(s.divergence().unwrap().contains("weight reached"));
}

#[test]
fn healthy_presets_stay_below_the_blow_up_threshold() {
    for p in PRESETS.iter().filter(|p| !p.key.contains("diverg")) {
        let mut g = gan(p.query);
        for _ in 0..200 {
            g.train_step();
        }
        let s = snapshot(&g);
        assert!(s.largest_weight < EXPLODED_WEIGHT / 10.0, "{}: {}", p.key, s.largest_weight);
    }
}

#[test]
fn iteration_cost_counts_the_matrix_products_and_caps_only_absurd_sizes() {
    use gan_playground::core::toy::CPU_ITERATION_FLOP_LIMIT;
    let config = |q: &str| ToyConfig::from_settings(&Settings::from_query(TOY_SETTINGS, q).0);
    // G 1→1→2 and D 2→1→1, batch 1: forward flops 2·(1+2) = 6 and 2·(2+1) = 6; a D-step trains
    // D on 2 samples (3·6·2) and runs G on 1 (6); a G-step trains both on 1 (3·(6+6))
    let tiny = config("latentDim=1&gLayers=1&gWidth=1&dLayers=1&dWidth=1&batch=1");
    assert_eq!(tiny.iteration_flops(), 3.0 * 6.0 * 2.0 + 6.0 + 3.0 * 12.0);
    assert_eq!(config("latentDim=1&gLayers=1&gWidth=1&dLayers=1&dWidth=1&batch=1&kD=3&kG=2").iteration_flops(), 3.0 * 42.0 + 2.0 * 36.0);
    for p in PRESETS {
        assert!(config(p.query).iteration_flops() < CPU_ITERATION_FLOP_LIMIT / 2.0, "{}", p.key);
    }
    assert!(config("").iteration_flops() < CPU_ITERATION_FLOP_LIMIT / 10.0);
    let biggest = config("latentDim=64&gLayers=6&gWidth=512&dLayers=6&dWidth=512&batch=4096&kD=20&kG=20");
    assert!(biggest.iteration_flops() > 100.0 * CPU_ITERATION_FLOP_LIMIT);
}

#[test]
fn generator_averaging_changes_what_is_shown_but_not_the_training() {
    let q = "seed=2&batch=64&gWidth=16&dWidth=16";
    let (mut plain, mut averaged) = (gan(q), gan(&format!("{q}&ema=0.99")));
    for _ in 0..60 {
        plain.train_step();
        averaged.train_step();
    }
    // training is untouched: the same G and D weights and losses
    let weights = |g: &ToyGan| pollster::block_on(g.checkpoint("toy", String::new())).unwrap().tensors;
    assert_eq!(weights(&plain), weights(&averaged));
    let (shown_plain, shown_averaged) = (snapshot(&plain), snapshot(&averaged));
    assert_eq!((shown_plain.loss_d, shown_plain.loss_g), (shown_averaged.loss_d, shown_averaged.loss_g));
    // what is shown is the average, which lags G: near it, not equal to it
    assert_ne!(shown_plain.fake, shown_averaged.fake);
    let gap = shown_plain.fake.iter().zip(&shown_averaged.fake).map(|(a, b)| (a - b).abs()).sum::<f32>() / shown_plain.fake.len() as f32;
    let spread = shown_plain.fake.iter().map(|a| a.abs()).sum::<f32>() / shown_plain.fake.len() as f32;
    assert!(gap < 0.5 * spread, "mean gap {gap} against mean |x| {spread}");
    // switching averaging off live shows G itself again
    let off = ToyConfig { ema: 0.0, ..averaged.config.clone() };
    assert!(averaged.apply_live(&off).is_some());
    assert_eq!(snapshot(&averaged).fake, shown_plain.fake);
}
