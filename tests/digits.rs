//! The digits demo's core on burn's CPU (flex) device: model shapes, seeded init, training
//! steps, weight files (round trip and refusal of bad files), MNIST parsing, the score
//! functions against closed forms, and the shipped classifier on real test digits.
//!
//! Tests that need MNIST use the shared data folder (`data::find_data_dir`) and print a
//! message and return when it is missing. To stay fast in a debug test build they use the
//! first 2,000 test images where the full 10,000 are not needed.

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use gan_playground::core::digits::checkpoint::{self, Architecture, CheckpointError};
use gan_playground::core::digits::classifier::{self, Classifier, OUTPUTS};
use gan_playground::core::digits::data::{self, labels_tensor, DataError, MnistSet, Shuffler, Split, IMAGE_PIXELS};
use gan_playground::core::digits::dcgan::{tile_grid, DcganConfig, DigitsGan, DigitsGanConfig, FixedNoise};
use gan_playground::core::digits::inspect::{histogram, interpolate, label_agreement, nearest_neighbours, slerp_weights};
use gan_playground::core::digits::score::{fit_gaussian, frechet_distance, mnist_score, score_outputs, split_outputs, GaussianFit};
use gan_playground::core::loss::GanLoss;
use gan_playground::core::rng::SeededRng;
use std::io::Write;

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn tiny(conditional: bool, seed: u64) -> DigitsGanConfig {
    DigitsGanConfig { model: DcganConfig { width: 0.125, latent_dim: 16, conditional }, seed, ..Default::default() }
}

fn noise(n: usize, dim: usize, seed: u64, device: &Device) -> Tensor<2> {
    let mut rng = SeededRng::new(seed);
    Tensor::from_data(TensorData::new((0..n * dim).map(|_| rng.normal()).collect::<Vec<f32>>(), [n, dim]), device)
}

/// Synthetic "digits": a bright bar whose position depends on the class, so D can tell them
/// from G's early blobs and the losses must move. Needs no data files.
fn bar_batch(n: usize, device: &Device) -> (Tensor<4>, Vec<u8>) {
    let classes: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    let mut v = vec![-1.0f32; n * IMAGE_PIXELS];
    for (i, &c) in classes.iter().enumerate() {
        for y in 4..24 {
            for x in (2 + 2 * c as usize)..(6 + 2 * c as usize) {
                v[i * IMAGE_PIXELS + y * 28 + x] = 1.0;
            }
        }
    }
    (Tensor::from_data(TensorData::new(v, [n, 1, 28, 28]), device), classes)
}

fn test_set(n: usize) -> Option<MnistSet> {
    let Some(dir) = data::find_data_dir() else {
        println!("MNIST data folder not found (set GAN_DIGITS_DATA): skipping");
        return None;
    };
    Some(data::load_split(&dir, Split::Test).expect("the shared MNIST test files parse").first(n))
}

fn shipped_classifier(device: &Device) -> Classifier {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/www/models/classifier.bin");
    let bytes = std::fs::read(path).expect("www/models/classifier.bin (cargo run --release --example digits -- classifier)");
    Classifier::from_bytes(&bytes, device).expect("the shipped classifier loads")
}

#[test]
fn dcgan_shapes_ranges_and_seeded_init() {
    let device = Device::flex();
    for conditional in [false, true] {
        let gan = DigitsGan::new(tiny(conditional, 3), &device).unwrap();
        let twin = DigitsGan::new(tiny(conditional, 3), &device).unwrap();
        let other = DigitsGan::new(tiny(conditional, 4), &device).unwrap();
        let labels = conditional.then(|| labels_tensor(&[0, 3, 7, 9, 1], &device));
        let images = gan.generate(noise(5, 16, 1, &device), labels.clone());
        assert_eq!(images.dims(), [5, 1, 28, 28]);
        let pixels = values(images.clone());
        assert!(pixels.iter().all(|p| p.is_finite() && (-1.0..=1.0).contains(p)));
        assert_eq!(pixels, values(twin.generate(noise(5, 16, 1, &device), labels.clone())), "same seed, same G");
        assert_ne!(pixels, values(other.generate(noise(5, 16, 1, &device), labels.clone())), "another seed, another G");
        let logits = gan.discriminator().valid().forward(images, labels);
        assert_eq!(logits.dims(), [5, 1]);
        assert!(values(logits).iter().all(|l| l.is_finite()));
    }
    // the width multiplier sets C; width 1 is the classic size
    assert_eq!(DcganConfig::default().channels(), 64);
    assert_eq!(DcganConfig { width: 0.125, ..Default::default() }.channels(), 8);
    assert!(DigitsGan::new(DigitsGanConfig { loss: GanLoss::Wasserstein, ..tiny(false, 1) }, &device).is_err());
    assert!(DigitsGan::new(DigitsGanConfig { model: DcganConfig { width: 9.0, ..Default::default() }, ..Default::default() }, &device).is_err());
}

#[test]
fn conditional_labels_change_the_generated_digit() {
    let device = Device::flex();
    let gan = DigitsGan::new(tiny(true, 5), &device).unwrap();
    let z = noise(1, 16, 2, &device);
    let a = values(gan.generate(z.clone(), Some(labels_tensor(&[2], &device))));
    let b = values(gan.generate(z, Some(labels_tensor(&[8], &device))));
    assert_ne!(a, b);
    // a grid row is one digit; a single column cycles through the classes
    let grid = FixedNoise::new(10, 2, 16, 9);
    assert_eq!(grid.labels[..6], [0, 0, 1, 1, 2, 2]);
    assert_eq!(grid.labels[18..], [9, 9]);
    assert_eq!(FixedNoise::new(12, 1, 16, 9).labels, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    let tiles = gan.sample_grid(&grid);
    assert_eq!(tiles.dims(), [20, 1, 28, 28]);
    let (w, h, bytes) = tile_grid(&values(tiles), 20, 2, 2);
    assert_eq!((w, h, bytes.len()), (2 * 28 + 2, 10 * 28 + 9 * 2, w * h));
}

#[test]
fn training_steps_move_the_losses_stay_finite_and_reproduce() {
    let device = Device::flex();
    for (loss, conditional) in [(GanLoss::NonSaturating, false), (GanLoss::LeastSquares, true), (GanLoss::Hinge, false)] {
        let config = DigitsGanConfig { loss, label_smoothing: if loss == GanLoss::Hinge { 0.0 } else { 0.1 }, ..tiny(conditional, 11) };
        let run = || {
            let mut gan = DigitsGan::new(config, &device).unwrap();
            let (real, classes) = bar_batch(32, &device);
            let losses: Vec<Vec<f32>> = (0..25).map(|_| values(gan.train_step(real.clone(), Some(labels_tensor(&classes, &device))))).collect();
            (gan, losses)
        };
        let (gan, losses) = run();
        assert_eq!(gan.steps(), 25);
        assert!(losses.iter().flatten().all(|l| l.is_finite()), "{loss:?}: {losses:?}");
        let (first, last) = (&losses[0], &losses[24]);
        assert!(last[0] < first[0], "{loss:?}: D's loss should fall against this easy data: {first:?} → {last:?}");
        assert_ne!(first[1], last[1]);
        assert_eq!(run().1, losses, "{loss:?}: one seed, one run");
    }
}

#[test]
fn weight_files_round_trip() {
    let device = Device::flex();
    for conditional in [false, true] {
        let mut gan = DigitsGan::new(tiny(conditional, 21), &device).unwrap();
        let (real, classes) = bar_batch(16, &device);
        for _ in 0..3 {
            gan.train_step(real.clone(), Some(labels_tensor(&classes, &device)));
        }
        let bytes = gan.to_bytes().unwrap();
        // the page's path: one async readback, encoded on a CPU device (checked below)
        let async_bytes = pollster::block_on(gan.to_bytes_async(&device)).unwrap();
        assert_eq!(async_bytes.len(), bytes.len());
        let mut copy = DigitsGan::new(tiny(conditional, 99), &device).unwrap();
        let labels = conditional.then(|| labels_tensor(&classes, &device));
        let z = noise(16, 16, 5, &device);
        assert_ne!(values(copy.generate(z.clone(), labels.clone())), values(gan.generate(z.clone(), labels.clone())));
        copy.load_bytes(&bytes).unwrap();
        assert_eq!(values(copy.generate(z.clone(), labels.clone())), values(gan.generate(z.clone(), labels.clone())));
        let d = |g: &DigitsGan| values(g.discriminator().valid().forward(real.clone(), labels.clone()));
        assert_eq!(d(&copy), d(&gan));
        // the page's path (one async readback, encoded on a CPU device) saves the same weights
        let mut from_async = DigitsGan::new(tiny(conditional, 98), &device).unwrap();
        from_async.load_bytes(&async_bytes).unwrap();
        assert_eq!(values(from_async.generate(z.clone(), labels.clone())), values(gan.generate(z.clone(), labels.clone())));
        assert_eq!(d(&from_async), d(&gan));
        // the loaded run trains on
        let l = values(copy.train_step(real.clone(), Some(labels_tensor(&classes, &device))));
        assert!(l.iter().all(|v| v.is_finite()));
    }
    let model = Classifier::init(&mut SeededRng::new(1), &device);
    let loaded = Classifier::from_bytes(&model.to_bytes().unwrap(), &device).unwrap();
    let (x, _) = bar_batch(4, &device);
    assert_eq!(values(model.outputs(x.clone())), values(loaded.outputs(x)));
}

#[test]
fn bad_weight_files_are_refused_and_change_nothing() {
    let device = Device::flex();
    let mut gan = DigitsGan::new(tiny(false, 31), &device).unwrap();
    let z = noise(8, 16, 6, &device);
    let before = values(gan.generate(z.clone(), None));
    let good = DigitsGan::new(tiny(false, 32), &device).unwrap().to_bytes().unwrap();
    let mut rng = SeededRng::new(5);
    let random: Vec<u8> = (0..good.len()).map(|_| rng.below(256) as u8).collect();
    let mut flipped = good.clone();
    let at = flipped.len() - 100;
    flipped[at] ^= 0x40;
    let wider = DigitsGan::new(DigitsGanConfig { model: DcganConfig { width: 0.25, latent_dim: 16, conditional: false }, ..Default::default() }, &device).unwrap();
    let conditional = DigitsGan::new(tiny(true, 1), &device).unwrap().to_bytes().unwrap();
    // a file whose header claims this architecture but whose weights are the wider net's
    let wider_bytes = wider.to_bytes().unwrap();
    let wider_sections = checkpoint::decode(&wider_bytes, &Architecture::dcgan(&wider.config().model)).unwrap();
    let forged = checkpoint::encode(&Architecture::dcgan(&gan.config().model), &wider_sections);
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), vec![]),
        ("random".into(), random),
        ("flipped byte".into(), flipped),
        ("wrong width".into(), wider_bytes.clone()),
        ("conditional".into(), conditional),
        ("forged header".into(), forged),
        ("classifier".into(), Classifier::init(&mut SeededRng::new(1), &device).to_bytes().unwrap()),
        ("trailing".into(), [good.clone(), vec![0]].concat()),
    ];
    for cut in [1, 8, 20, 40, 70, good.len() / 2, good.len() - 1] {
        cases.push((format!("truncated to {cut}"), good[..cut].to_vec()));
    }
    for (name, bytes) in &cases {
        let err = gan.load_bytes(bytes).expect_err(name);
        assert!(!err.is_empty());
        assert_eq!(values(gan.generate(z.clone(), None)), before, "{name} changed the model");
    }
    // the error says what is wrong
    assert!(gan.load_bytes(&wider_bytes).unwrap_err().contains("width 0.25"));
    assert!(gan.load_bytes(&cases[5].1).unwrap_err().contains("do not fit"), "forged: {}", gan.load_bytes(&cases[5].1).unwrap_err());
    assert!(matches!(checkpoint::decode(&good[..30], &Architecture::dcgan(&gan.config().model)), Err(CheckpointError::Truncated { .. })));
    assert!(Classifier::from_bytes(&good, &device).is_err());
    // burn's decoder itself, fed garbage with no header in front: an error, not a panic
    let fresh = DcganConfig { width: 0.125, latent_dim: 16, conditional: false }.init(&mut SeededRng::new(0), &device).0;
    assert!(checkpoint::load_module(fresh, &cases[1].1).is_err());
}

#[test]
fn mnist_parsing_checks_lengths_counts_and_labels() {
    let images: Vec<u8> = (0..3 * IMAGE_PIXELS).map(|i| (i % 256) as u8).collect();
    let labels = vec![1u8, 7, 9];
    let gz = |bytes: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    };
    let set = MnistSet::from_bytes(&gz(&images), &labels, Some(3)).unwrap();
    assert_eq!((set.len(), set.label(2), set.image(1)), (3, 9, &images[IMAGE_PIXELS..2 * IMAGE_PIXELS]));
    // a server may have inflated the .gz already: plain bytes parse the same
    assert_eq!(MnistSet::from_bytes(&images, &labels, Some(3)).unwrap(), set);
    assert!(matches!(MnistSet::from_bytes(&images[..IMAGE_PIXELS * 3 - 1], &labels, None), Err(DataError::ImageLength { .. })));
    assert!(matches!(MnistSet::from_bytes(&images, &labels, Some(4)), Err(DataError::ImageLength { .. })));
    assert!(matches!(MnistSet::from_bytes(&[], &[], None), Err(DataError::ImageLength { .. })));
    assert!(matches!(MnistSet::from_bytes(&images, &labels[..2], None), Err(DataError::LabelCount { labels: 2, images: 3 })));
    assert!(matches!(MnistSet::from_bytes(&images, &[1, 10, 2], None), Err(DataError::LabelValue { index: 1, value: 10 })));
    let packed = gz(&images);
    assert!(matches!(MnistSet::from_bytes(&packed[..packed.len() / 2], &labels, Some(3)), Err(DataError::Gzip(_))));
    // more images than the split holds: refused without inflating all of them
    assert!(matches!(MnistSet::from_bytes(&gz(&[images.clone(), images.clone()].concat()), &[labels.clone(), labels.clone()].concat(), Some(3)), Err(DataError::ImageLength { .. })));
    assert!(matches!(MnistSet::from_bytes_checked(&images, &labels, Split::Test), Err(DataError::ImageLength { .. })));
    // batches: [B, 1, 28, 28] in [−1, 1]
    let device = Device::flex();
    let batch = set.batch(&[2, 0], &device);
    assert_eq!(batch.images.dims(), [2, 1, 28, 28]);
    assert_eq!(batch.classes, [9, 1]);
    let px = values(batch.images);
    assert_eq!(px[IMAGE_PIXELS], -1.0); // image 0's first byte is 0
    assert!(px.iter().all(|p| (-1.0..=1.0).contains(p)) && px.contains(&1.0)); // 255 → 1
    // seeded shuffling: every image once per epoch, the same order for a seed
    let mut s = Shuffler::new(10, 4);
    let mut epoch: Vec<usize> = (0..5).flat_map(|_| s.next_indices(2)).collect();
    let again: Vec<usize> = { let mut t = Shuffler::new(10, 4); (0..5).flat_map(|_| t.next_indices(2)).collect() };
    assert_eq!(epoch, again);
    assert_ne!(epoch, (0..10).collect::<Vec<_>>());
    epoch.sort();
    assert_eq!(epoch, (0..10).collect::<Vec<_>>());
    s.next_indices(3);
    assert_eq!(s.epoch(), 1);
}

#[test]
fn shared_mnist_files_match_the_manifest() {
    let Some(dir) = data::find_data_dir() else {
        println!("MNIST data folder not found: skipping");
        return;
    };
    let (images, labels) = Split::Test.file_names();
    let set = MnistSet::from_bytes_checked(&std::fs::read(dir.join(images)).unwrap(), &std::fs::read(dir.join(labels)).unwrap(), Split::Test).unwrap();
    assert_eq!(set.labels()[..10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]); // data/README.md
}

#[test]
fn scores_match_closed_forms() {
    // uniform p(y|x): KL = 0 for every image → 1
    assert!((mnist_score(&[0.1f32; 10 * 50], 10).unwrap() - 1.0).abs() < 1e-6);
    // one-hot, balanced classes: KL = log 10 for every image → 10
    let one_hot: Vec<f32> = (0..100).flat_map(|i| (0..10).map(move |k| (k == i % 10) as u8 as f32)).collect();
    assert!((mnist_score(&one_hot, 10).unwrap() - 10.0).abs() < 1e-5);
    // one-hot, all one class → 1; two balanced classes → 2
    let same: Vec<f32> = (0..20).flat_map(|_| (0..10).map(|k| (k == 3) as u8 as f32)).collect();
    assert!((mnist_score(&same, 10).unwrap() - 1.0).abs() < 1e-6);
    let two: Vec<f32> = (0..20).flat_map(|i| (0..10).map(move |k| (k == i % 2) as u8 as f32)).collect();
    assert!((mnist_score(&two, 10).unwrap() - 2.0).abs() < 1e-6);
    assert!(mnist_score(&[0.5; 7], 10).is_err());

    // identical sample sets → 0
    let mut rng = SeededRng::new(3);
    let samples: Vec<f32> = (0..400 * 5).map(|_| rng.normal() * 2.0 + 1.0).collect();
    let fit = fit_gaussian(&samples, 5).unwrap();
    assert!(frechet_distance(&fit, &fit).unwrap() < 1e-9);
    // commuting covariances (shared eigenvectors, a rotation Q): ‖Δμ‖² + Σ (√λ₁ − √λ₂)²
    let (c, s) = (0.6f64, 0.8f64);
    let rotated = |l: [f64; 2]| vec![c * c * l[0] + s * s * l[1], c * s * (l[0] - l[1]), c * s * (l[0] - l[1]), s * s * l[0] + c * c * l[1]];
    let a = GaussianFit { dim: 2, mean: vec![1.0, 2.0], cov: rotated([4.0, 1.0]) };
    let b = GaussianFit { dim: 2, mean: vec![-1.0, 2.5], cov: rotated([9.0, 0.25]) };
    let want = (4.0 + 0.25) + (2.0f64 - 3.0).powi(2) + (1.0f64 - 0.5).powi(2);
    assert!((frechet_distance(&a, &b).unwrap() - want).abs() < 1e-9, "{} vs {want}", frechet_distance(&a, &b).unwrap());
    // non-commuting 2×2: tr √(Σ₁^½ Σ₂ Σ₁^½) = √(tr Σ₁Σ₂ + 2 √(det Σ₁ det Σ₂))
    let a = GaussianFit { dim: 2, mean: vec![0.0, 0.0], cov: vec![2.0, 0.5, 0.5, 1.0] };
    let b = GaussianFit { dim: 2, mean: vec![0.0, 1.0], cov: vec![1.0, -0.3, -0.3, 3.0] };
    let tr_ab = 2.0 * 1.0 + 0.5 * -0.3 + 0.5 * -0.3 + 1.0 * 3.0;
    let (det_a, det_b) = (2.0 - 0.25, 3.0 - 0.09);
    let want = 1.0 + 3.0 + 4.0 - 2.0 * (tr_ab + 2.0 * f64::sqrt(det_a * det_b)).sqrt();
    assert!((frechet_distance(&a, &b).unwrap() - want).abs() < 1e-9);
    // a 64-dimensional case: diagonal covariances, Σ (√a − √b)² + ‖Δμ‖²
    let d = 64;
    let diag = |f: &dyn Fn(usize) -> f64| (0..d * d).map(|k| if k / d == k % d { f(k / d) } else { 0.0 }).collect::<Vec<f64>>();
    let a = GaussianFit { dim: d, mean: vec![0.0; d], cov: diag(&|i| 1.0 + i as f64) };
    let b = GaussianFit { dim: d, mean: vec![0.5; d], cov: diag(&|i| 0.5 + 0.1 * i as f64) };
    let want: f64 = 0.25 * d as f64 + (0..d).map(|i| ((1.0 + i as f64).sqrt() - (0.5 + 0.1 * i as f64).sqrt()).powi(2)).sum::<f64>();
    assert!((frechet_distance(&a, &b).unwrap() - want).abs() < 1e-8);
    assert!(frechet_distance(&a, &fit).is_err());
}

#[test]
fn shipped_classifier_reaches_98_percent_and_scores_real_digits_near_10() {
    let Some(test) = test_set(2_000) else { return };
    let device = Device::flex();
    let model = shipped_classifier(&device);
    let acc = classifier::accuracy(&model, &test, &device, 500);
    println!("shipped classifier: {:.2} % on the first {} test images", 100.0 * acc, test.len());
    assert!(acc >= 0.98, "accuracy {acc}");

    let chunks: Vec<Tensor<4>> = (0..4).map(|k| test.batch(&(k * 500..(k + 1) * 500).collect::<Vec<_>>(), &device).images).collect();
    let outputs = classifier::outputs_sync(&model, &chunks);
    assert_eq!(outputs.len(), 2_000 * OUTPUTS);
    let (probs, features) = split_outputs(&outputs).unwrap();
    let real_score = mnist_score(&probs, 10).unwrap();
    // real digits against a fit of other real digits: both halves of the subset
    let half = 1_000 * (OUTPUTS - 10);
    let reference = fit_gaussian(&features[..half], OUTPUTS - 10).unwrap();
    let real_fd = frechet_distance(&fit_gaussian(&features[half..], OUTPUTS - 10).unwrap(), &reference).unwrap();

    let mut rng = SeededRng::new(8);
    let uniform: Vec<f32> = (0..1_000 * IMAGE_PIXELS).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
    let noise_out = classifier::outputs_sync(&model, &[Tensor::from_data(TensorData::new(uniform, [1_000, 1, 28, 28]), &device)]);
    let noise_scores = score_outputs(&noise_out, &reference).unwrap();
    println!("MNIST score: real {real_score:.3}, uniform noise {:.3}; FD real/real {real_fd:.3}, noise/real {:.3}", noise_scores.mnist_score, noise_scores.frechet);
    assert!(real_score >= 9.5, "real digits score {real_score}");
    assert!(noise_scores.mnist_score < 3.0, "noise scores {}", noise_scores.mnist_score);
    assert!(noise_scores.frechet > 10.0 * real_fd, "noise FD {} vs real {real_fd}", noise_scores.frechet);
}

#[test]
fn parameter_counts_follow_the_width() {
    let device = Device::flex();
    for (width, conditional) in [(1.0, false), (0.25, false), (0.125, false), (0.125, true)] {
        let config = DcganConfig { width, latent_dim: 100, conditional };
        let (g, d) = config.init(&mut SeededRng::new(1), &device);
        let c = config.channels();
        let z = 100 + if conditional { 10 } else { 0 };
        // weights + biases; BN: scale, shift, running mean and variance (burn visits all four)
        let g_want = conditional as usize * 10 * 10 + (z * 98 * c + 98 * c) + 4 * 2 * c + (2 * c * c * 16 + c) + 4 * c + (c * 16 + 1);
        let d_want = conditional as usize * 10 * 784 + (c * (1 + conditional as usize) * 16 + c) + (2 * c * c * 16 + 2 * c) + 4 * 2 * c + (98 * c + 1);
        println!("width {width} (C = {c}), conditional {conditional}: G {} values, D {}", g.num_params(), d.num_params());
        assert_eq!((g.num_params(), d.num_params()), (g_want, d_want));
    }
}

#[test]
fn slerp_keeps_the_ends_and_walks_the_great_circle() {
    let (a, b) = ([1.0f32, 0.0, 0.0], [0.0f32, 2.0, 0.0]);
    assert_eq!(slerp_weights(&a, &b, 0.0), (1.0, 0.0));
    let (wa, wb) = slerp_weights(&a, &b, 1.0);
    assert!(wa.abs() < 1e-6 && (wb - 1.0).abs() < 1e-6);
    // orthogonal ends, half way: sin(π/4) of each (the straight line would give 0.5 and 0.5)
    let (wa, wb) = slerp_weights(&a, &b, 0.5);
    assert!((wa - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6 && (wb - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
    // unit vectors stay on the unit sphere all the way
    let (u, v) = ([0.6f32, 0.8], [-0.8f32, 0.6]);
    for t in [0.1, 0.3, 0.77] {
        let (wa, wb) = slerp_weights(&u, &v, t);
        let p = [wa * u[0] + wb * v[0], wa * u[1] + wb * v[1]];
        assert!(((p[0] * p[0] + p[1] * p[1]).sqrt() - 1.0).abs() < 1e-5, "t = {t}: off the sphere");
    }
    // parallel (and zero) vectors fall back to the straight line
    assert_eq!(slerp_weights(&a, &[3.0, 0.0, 0.0], 0.25), (0.75, 0.25));
    assert_eq!(slerp_weights(&[0.0, 0.0], &[1.0, 0.0], 0.5), (0.5, 0.5));
}

#[test]
fn latent_walk_starts_and_ends_at_the_grid_samples() {
    let device = Device::flex();
    for conditional in [false, true] {
        let gan = DigitsGan::new(tiny(conditional, 4), &device).unwrap();
        let grid = FixedNoise::new(10, 8, 16, 3);
        let samples = values(gan.sample_grid(&grid));
        let (from, to) = (3, 58); // rows 0 and 7: different digits when conditional
        let walk = interpolate(gan.generator(), &grid, from, to, 6, &device);
        assert_eq!(walk.dims(), [6, 1, 28, 28]);
        let walk = values(walk);
        let close = |x: &[f32], y: &[f32]| x.iter().zip(y).all(|(a, b)| (a - b).abs() < 1e-4);
        assert!(close(&walk[..IMAGE_PIXELS], &samples[from * IMAGE_PIXELS..(from + 1) * IMAGE_PIXELS]), "conditional {conditional}: the walk starts at A");
        assert!(close(&walk[5 * IMAGE_PIXELS..], &samples[to * IMAGE_PIXELS..(to + 1) * IMAGE_PIXELS]), "conditional {conditional}: the walk ends at B");
        assert!(!close(&walk[2 * IMAGE_PIXELS..3 * IMAGE_PIXELS], &walk[..IMAGE_PIXELS]), "the middle differs from the ends");
    }
}

#[test]
fn nearest_neighbours_find_the_digit_itself_and_agree_with_a_full_sort() {
    let Some(set) = test_set(600) else { return };
    let found = nearest_neighbours(&set, &set.values([17]), 5);
    assert_eq!(found.len(), 5);
    assert_eq!(found[0].index, 17, "a training digit's nearest neighbour is itself");
    assert!(found[0].distance < 1e-6, "at distance 0 (to rounding): {}", found[0].distance);
    assert!(found.windows(2).all(|w| w[0].distance <= w[1].distance), "nearest first");
    // a query that is no digit: the early-exit scan must give the exact top 4
    let mut rng = SeededRng::new(8);
    let query: Vec<f32> = (0..IMAGE_PIXELS).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
    let mut all: Vec<(f32, usize)> = (0..set.len())
        .map(|i| {
            let d: f32 = set.image(i).iter().zip(&query).map(|(&p, &q)| ((q + 1.0) * 127.5 - p as f32).powi(2)).sum();
            ((d / IMAGE_PIXELS as f32).sqrt() / 127.5, i)
        })
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let found = nearest_neighbours(&set, &query, 4);
    for (n, (d, i)) in found.iter().zip(&all) {
        assert_eq!(n.index, *i);
        assert!((n.distance - d).abs() < 1e-5);
    }
    // the scale: an all-black image against all-white is 2 apart
    assert!((nearest_neighbours(&set, &vec![1.0; IMAGE_PIXELS], 1)[0].distance - 2.0).abs() < 0.5);
}

#[test]
fn histograms_and_label_agreement_count_what_they_should() {
    let h = histogram(&[0.05, 0.15, 0.15, 0.95, -3.0, 7.0, f32::NAN], 0.0, 1.0, 10);
    assert_eq!(h.len(), 10);
    let n = 6.0; // the NaN is left out
    assert_eq!(h[0], 2.0 / n, "0.05 and the clamped -3");
    assert_eq!(h[1], 2.0 / n);
    assert_eq!(h[9], 2.0 / n, "0.95 and the clamped 7");
    assert!((h.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(histogram(&[], 0.0, 1.0, 4).iter().all(|&v| v == 0.0));
    // classifier rows: [10 probabilities, 64 features]
    let row = |class: usize| -> Vec<f32> { (0..OUTPUTS).map(|i| if i == class { 0.9 } else if i < 10 { 0.01 } else { 0.0 }).collect() };
    let outputs: Vec<f32> = [3, 3, 5, 1].iter().flat_map(|&c| row(c)).collect();
    assert_eq!(label_agreement(&outputs, &[3, 4, 5, 1]).unwrap(), 0.75);
    assert!(label_agreement(&outputs, &[3, 4]).is_err(), "rows and labels must match");
}

/// The page's label lookup and 2×2 max pool are built from other ops than burn's `Embedding`
/// and `MaxPool2d` (docs/build.md, "Ops the page does not need"): same outputs, same gradients.
#[test]
fn label_table_and_max_pool_match_burns_embedding_and_max_pool2d() {
    use burn::module::Param;
    use burn::nn::pool::MaxPool2dConfig;
    use burn::nn::Embedding;
    use gan_playground::core::digits::{max_pool_2x2, LabelTable};
    let device = Device::flex().autodiff();
    let weight = noise(10, 7, 3, &device);
    let ours = LabelTable { weight: Param::from_tensor(weight.clone()) };
    let theirs = Embedding { weight: Param::from_tensor(weight) };
    let labels = labels_tensor(&[3, 0, 9, 3, 7], &device); // [5] float class ids
    let int_labels = Tensor::<2, burn::tensor::Int>::from_data(TensorData::new(vec![3i32, 0, 9, 3, 7], [5, 1]), &device); // [5, 1]
    let upstream = noise(5, 7, 4, &device); // a fixed gradient from above: [B, E]
    let a = ours.forward(labels); // [5, 7]
    let b = theirs.forward(int_labels).reshape([5, 7]);
    assert_eq!(values(a.clone()), values(b.clone()), "each row is the table's row for its label");
    let grad_a = ours.weight.grad(&(a * upstream.clone()).sum().backward()).unwrap();
    let grad_b = theirs.weight.grad(&(b * upstream).sum().backward()).unwrap();
    let (grad_a, grad_b) = (grad_a.into_data().try_to_vec::<f32>().unwrap(), grad_b.into_data().try_to_vec::<f32>().unwrap());
    assert_eq!(grad_a, grad_b);
    assert_eq!(&grad_a[7..14], &[0.0; 7], "label 1 never occurs: no gradient on its row");

    let x = noise(2 * 3 * 6, 4, 5, &device).reshape([2, 3, 6, 4]).require_grad(); // [B, C, H, W]
    let pool = MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init();
    let (ours, theirs) = (max_pool_2x2(x.clone()), pool.forward(x.clone())); // [2, 3, 3, 2]
    assert_eq!(ours.dims(), [2, 3, 3, 2]);
    assert_eq!(values(ours.clone()), values(theirs.clone()));
    let upstream = noise(2 * 3 * 3, 2, 6, &device).reshape([2, 3, 3, 2]);
    let grad_ours = x.grad(&(ours * upstream.clone()).sum().backward()).unwrap();
    let grad_theirs = x.grad(&(theirs * upstream).sum().backward()).unwrap();
    assert_eq!(grad_ours.into_data().try_to_vec::<f32>().unwrap(), grad_theirs.into_data().try_to_vec::<f32>().unwrap());
}

/// The conditional weights the page's "Start from pretrained" loads: the file fits the
/// architecture the page builds, and the shipped classifier reads each row of the sample grid
/// as the digit it was asked for.
#[test]
fn shipped_conditional_generator_loads_and_draws_its_labels() {
    use gan_playground::core::digits::inspect::label_agreement;
    use gan_playground::core::digits::settings::{pretrained, pretrained_file};
    let device = Device::flex();
    let path = format!("{}/www/models/{}", env!("CARGO_MANIFEST_DIR"), pretrained_file(true));
    let bytes = std::fs::read(&path).expect("the shipped conditional generator");
    let mut gan = DigitsGan::new(DigitsGanConfig { model: pretrained(true), ..Default::default() }, &device).unwrap();
    gan.load_bytes(&bytes).expect("the shipped file fits the page's conditional model");
    let grid = FixedNoise::new(10, 10, pretrained(true).latent_dim, 7);
    let images = gan.sample_grid(&grid); // [100, 1, 28, 28]
    let outputs = classifier::outputs_sync(&shipped_classifier(&device), &[images]);
    let agreement = label_agreement(&outputs, &grid.labels).unwrap();
    assert!(agreement >= 0.9, "the classifier agrees with only {agreement:.2} of the grid's labels");
}
