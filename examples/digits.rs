//! The digits demo's native commands, on burn's CPU (flex) device:
//!
//! `cargo run --release --example digits -- classifier [--epochs 5] [--batch 64] [--lr 1e-3]
//! [--lr-decay 0.5] [--seed 7]`
//! trains the scoring classifier on the 60,000 training digits, prints its accuracy on the
//! 10,000 test digits and writes `www/models/classifier.bin`.
//!
//! `cargo run --release --example digits -- gan --width W --steps N [--conditional]
//! [--loss ns|lsgan|hinge] [--batch 64] [--latent 100] [--every K] [--samples 1000] [--seed 1]
//! [--smoothing 0] [--lr-d 2e-4] [--lr-g 2e-4] [--out NAME]` trains the DCGAN, printing losses
//! and, every K steps, the MNIST score and Fréchet distance of `--samples` generated digits
//! (against the test digits' features), and writes `www/models/dcgan-w<W>[-cond].bin` (or
//! `NAME.bin`, for experiments that must not replace the shipped file) and a sample grid
//! `target/<the same name>.pgm`.
//!
//! `cargo run --release --example digits -- score --width W [--conditional] [--latent 100]
//! [--samples 2000] [--out NAME]` scores `www/models/dcgan-w<W>[-cond].bin` (or `NAME.bin`) with the shipped classifier
//! (with BN on its running averages, and on batch statistics), next to the same numbers for
//! real training digits (the best a generator can do).
//! The MNIST folder is found as in `data::find_data_dir` (`GAN_DIGITS_DATA` overrides).

use burn::tensor::{Device, Tensor, TensorData};
use gan_playground::core::digits::classifier::{self, Classifier, ClassifierTraining, FEATURES};
use gan_playground::core::digits::data::{self, labels_tensor, MnistSet, Shuffler, Split};
use gan_playground::core::digits::dcgan::{tile_grid, DcganConfig, DigitsGan, DigitsGanConfig, FixedNoise};
use gan_playground::core::digits::score::{fit_gaussian, score_outputs, split_outputs, GaussianFit};
use gan_playground::core::loss::GanLoss;
use gan_playground::core::rng::SeededRng;
use std::time::Instant;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn num<T: std::str::FromStr>(name: &str, default: T) -> T {
    arg(name).map(|s| s.parse().unwrap_or_else(|_| panic!("{name} {s}: not a number"))).unwrap_or(default)
}

fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

fn models_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/models");
    std::fs::create_dir_all(&dir).expect("create www/models");
    dir
}

fn load(split: Split) -> MnistSet {
    let dir = data::find_data_dir().expect("MNIST data folder not found (set GAN_DIGITS_DATA)");
    let started = Instant::now();
    let set = data::load_split(&dir, split).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    println!("loaded {} {:?} digits from {} in {:.1} s", set.len(), split, dir.display(), started.elapsed().as_secs_f64());
    set
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("classifier") => train_classifier(),
        Some("gan") => train_gan(),
        Some("score") => score_saved_gan(),
        _ => eprintln!("usage: digits classifier [--epochs N] | digits gan --width W --steps N [--conditional] (see examples/digits.rs)"),
    }
}

fn train_classifier() {
    let device = Device::flex();
    let (train, test) = (load(Split::Train), load(Split::Test));
    let d = ClassifierTraining::default();
    let cfg = ClassifierTraining { epochs: num("--epochs", d.epochs), batch: num("--batch", d.batch), lr: num("--lr", d.lr), lr_decay: num("--lr-decay", d.lr_decay), seed: num("--seed", d.seed) };
    println!("training the classifier: {cfg:?}");
    let started = Instant::now();
    let model = classifier::train_classifier(&train, &cfg, &device, |epoch, step, loss| {
        if step % 200 == 0 {
            println!("epoch {} step {step:>4}: loss {loss:.4} ({:.0} s)", epoch + 1, started.elapsed().as_secs_f64());
        }
    });
    let train_s = started.elapsed().as_secs_f64();
    let acc = classifier::accuracy(&model, &test, &device, 500);
    println!("test accuracy {:.2} % ({} test digits); training took {train_s:.0} s", 100.0 * acc, test.len());
    let bytes = model.to_bytes().expect("weights");
    let path = models_dir().join("classifier.bin");
    std::fs::write(&path, &bytes).expect("write the classifier");
    println!("wrote {} ({} bytes)", path.display(), bytes.len());
}

/// Classifier outputs for `n` generated digits, in chunks (classes cycle through 0..9 for a
/// conditional G). The noise comes from its own stream (seeded by `seed`), so measuring does
/// not shift the training run's noise.
fn generated_outputs(gan: &DigitsGan, model: &Classifier, n: usize, seed: u64, device: &Device) -> Vec<f32> {
    let latent = gan.config().model.latent_dim;
    let mut rng = SeededRng::new(seed);
    let mut out = Vec::new();
    for start in (0..n).step_by(500) {
        let b = 500.min(n - start);
        let z = Tensor::from_data(TensorData::new((0..b * latent).map(|_| rng.normal()).collect::<Vec<f32>>(), [b, latent]), device);
        let labels = gan.config().model.conditional.then(|| labels_tensor(&(0..b).map(|i| ((start + i) % 10) as u8).collect::<Vec<_>>(), device));
        out.extend(classifier::outputs_sync(model, &[gan.generate(z, labels)]));
    }
    out
}

fn reference_features(model: &Classifier, test: &MnistSet, device: &Device) -> GaussianFit {
    let chunks: Vec<Tensor<4>> = (0..test.len()).step_by(500).map(|s| test.batch(&(s..(s + 500).min(test.len())).collect::<Vec<_>>(), device).images).collect();
    let (_, features) = split_outputs(&classifier::outputs_sync(model, &chunks)).unwrap();
    fit_gaussian(&features, FEATURES).unwrap()
}

fn train_gan() {
    let device = Device::flex();
    let model = Classifier::from_bytes(&std::fs::read(models_dir().join("classifier.bin")).expect("www/models/classifier.bin: run `digits classifier` first"), &device).expect("classifier");
    let (train, test) = (load(Split::Train), load(Split::Test));
    let reference = reference_features(&model, &test, &device);
    let loss = arg("--loss").map(|s| GanLoss::parse(&s).expect("--loss ns|lsgan|hinge")).unwrap_or(GanLoss::NonSaturating);
    let config = DigitsGanConfig {
        model: DcganConfig { width: num("--width", 0.25), latent_dim: num("--latent", 100), conditional: flag("--conditional") },
        loss,
        label_smoothing: num("--smoothing", 0.0),
        seed: num("--seed", 1),
        lr_d: num("--lr-d", DigitsGanConfig::default().lr_d),
        lr_g: num("--lr-g", DigitsGanConfig::default().lr_g),
        ..Default::default()
    };
    let (steps, batch, every, samples): (u64, usize, u64, usize) = (num("--steps", 2000), num("--batch", 64), num("--every", 500), num("--samples", 1000));
    let mut gan = DigitsGan::new(config, &device).unwrap_or_else(|e| panic!("{e}"));
    let mut shuffler = Shuffler::new(train.len(), config.seed);
    println!("training {config:?}, C = {}, batch {batch}, {steps} steps", config.model.channels());
    let started = Instant::now();
    let mut train_s = 0.0;
    for step in 1..=steps {
        let t = Instant::now();
        let b = train.batch(&shuffler.next_indices(batch), gan.device());
        let losses = gan.train_step(b.images, Some(b.labels));
        let l = losses.into_data().try_to_vec::<f32>().unwrap();
        train_s += t.elapsed().as_secs_f64();
        if step % 100 == 0 || step == 1 {
            println!("step {step:>6}: loss D {:.4}  G {:.4}  ({:.1} ms/step, epoch {})", l[0], l[1], 1000.0 * train_s / step as f64, shuffler.epoch());
        }
        if step % every == 0 || step == steps {
            let s = score_outputs(&generated_outputs(&gan, &model, samples, 0xE7A1, &device), &reference).unwrap();
            println!("step {step:>6}: MNIST score {:.3}  FD {:.3}  ({samples} samples; {:.0} s elapsed)", s.mnist_score, s.frechet, started.elapsed().as_secs_f64());
        }
    }
    let name = arg("--out").unwrap_or_else(|| format!("dcgan-w{}{}", config.model.width, if config.model.conditional { "-cond" } else { "" }));
    let bytes = gan.to_bytes().unwrap();
    let path = models_dir().join(format!("{name}.bin"));
    std::fs::write(&path, &bytes).expect("write the DCGAN");
    println!("wrote {} ({} bytes); training {train_s:.0} s of {:.0} s", path.display(), bytes.len(), started.elapsed().as_secs_f64());
    let grid = FixedNoise::new(10, 10, config.model.latent_dim, config.seed);
    let (w, h, pixels) = tile_grid(&gan.sample_grid(&grid).into_data().try_to_vec::<f32>().unwrap(), 100, 10, 2);
    let pgm = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/{name}.pgm"));
    let _ = std::fs::create_dir_all(pgm.parent().unwrap());
    std::fs::write(&pgm, [format!("P5\n{w} {h}\n255\n").into_bytes(), pixels].concat()).expect("write the grid");
    println!("sample grid: {}", pgm.display());
}

fn score_saved_gan() {
    let device = Device::flex();
    let model = Classifier::from_bytes(&std::fs::read(models_dir().join("classifier.bin")).expect("www/models/classifier.bin"), &device).expect("classifier");
    let (train, test) = (load(Split::Train), load(Split::Test));
    let reference = reference_features(&model, &test, &device);
    let samples: usize = num("--samples", 2000);
    let real: Vec<Tensor<4>> = (0..samples).step_by(500).map(|s| train.batch(&(s..(s + 500).min(samples)).collect::<Vec<_>>(), &device).images).collect();
    let r = score_outputs(&classifier::outputs_sync(&model, &real), &reference).unwrap();
    println!("{samples} real training digits: MNIST score {:.3}  FD {:.3}", r.mnist_score, r.frechet);
    let model_config = DcganConfig { width: num("--width", 0.25), latent_dim: num("--latent", 100), conditional: flag("--conditional") };
    let mut gan = DigitsGan::new(DigitsGanConfig { model: model_config, ..Default::default() }, &device).unwrap_or_else(|e| panic!("{e}"));
    let name = arg("--out").unwrap_or_else(|| format!("dcgan-w{}{}", model_config.width, if model_config.conditional { "-cond" } else { "" }));
    gan.load_bytes(&std::fs::read(models_dir().join(format!("{name}.bin"))).expect("the DCGAN file")).unwrap_or_else(|e| panic!("{e}"));
    let s = score_outputs(&generated_outputs(&gan, &model, samples, 0xE7A1, &device), &reference).unwrap();
    println!("{samples} digits from {name}: MNIST score {:.3}  FD {:.3}", s.mnist_score, s.frechet);
    // The same noise through G with BN normalising by each 500-image batch's own statistics
    // (its training mode) instead of the running averages `generate` uses.
    let latent = model_config.latent_dim;
    let mut rng = SeededRng::new(0xE7A1);
    let mut out = Vec::new();
    for start in (0..samples).step_by(500) {
        let b = 500.min(samples - start);
        let z = Tensor::<2>::from_data(TensorData::new((0..b * latent).map(|_| rng.normal()).collect::<Vec<f32>>(), [b, latent]), gan.device());
        let labels = model_config.conditional.then(|| labels_tensor(&(0..b).map(|i| ((start + i) % 10) as u8).collect::<Vec<_>>(), gan.device()));
        let images = gan.generator().forward(z, labels).detach().without_autodiff();
        out.extend(classifier::outputs_sync(&model, &[images]));
    }
    let s = score_outputs(&out, &reference).unwrap();
    println!("{samples} digits from {name}, BN with batch statistics: MNIST score {:.3}  FD {:.3}", s.mnist_score, s.frechet);
}
