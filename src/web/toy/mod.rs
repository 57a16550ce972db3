//! `/toy`: the toy 2-D lab. A generator learns a 2-D distribution against a discriminator;
//! the page draws real and generated samples over D(x), G's pull on its samples, G's
//! manifold, the optimal discriminator D* beside D, loss / divergence / value charts, the
//! loss in formulas, slow motion through one iteration, presets and a drawing editor.
//!
//! Read top to bottom: the controller (what the buttons and the API do), the per-frame
//! drawing, then the Leptos view. `layers` draws the plot; `crate::lessons` holds the text.

pub mod layers;
pub mod remote;

use crate::core::checkpoint::{Checkpoint, MAX_CHECKPOINT_BYTES};
use crate::core::data::{encode_drawing, thin_drawing, DRAWING_RADIUS};
use crate::core::loss::GanLoss;
use crate::core::presentation::csv_table;
use crate::core::settings::Settings;
use crate::core::toy::{analyse, d_probability, live_change, Analysis, AnalysisCache, FullView, ToyConfig, ToyGan, ToySnapshot, PRESETS, TOY_SETTINGS};
use crate::draw::Frame;
use crate::lessons::{self, BatchNumbers, PHASES};
use crate::web::api::{self, Demo, Status};
use crate::web::backend::{self, Compute};
use crate::web::chart::{compact, line_chart, Series};
use crate::web::controls::{commit_setting, write_link, NoticeList, SettingsForm, Transport, UndoButton, UndoSlot};
use crate::web::js;
use crate::web::present::{self, dialogs::{hidden_part, EmbedBar}};
use crate::web::scheduler::{Pending, Rates, Runner, NextRun, Trainer};
use crate::web::worker::{self, RemoteRunner, TrainingWorker, WorkerSlot, IN_WORKER};
use leptos::prelude::*;
use plotters::style::RGBColor;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};

impl Trainer for ToyGan {
    type Snapshot = ToySnapshot;
    fn train_step(&mut self) {
        ToyGan::train_step(self)
    }
    fn step_count(&self) -> u64 {
        self.step
    }
    fn snapshot(&self, full: bool) -> Pending<ToySnapshot> {
        Box::pin(ToyGan::snapshot(self, full))
    }
}

/// The run in progress: on the page's thread (WebGPU, whose steps only enqueue GPU work), or
/// in a training worker (the CPU backend, whose steps would block the page: `web::worker`).
type Run = worker::Run<ToyGan>;

/// A run built from a saved file: here, or in the worker (with what installing it needs).
enum Loaded {
    Local(ToyGan),
    Remote(Rc<TrainingWorker>, ToyConfig, Vec<f32>),
}

type SavedRun = worker::SavedRun<ToyGan>;

/// Chart histories, thinned by half whenever they fill so they span the whole run.
struct History {
    step: Vec<f64>,
    /// One column per charted quantity (see `Column`), NaN where a value does not apply.
    columns: Vec<Vec<f64>>,
}

#[derive(Clone, Copy)]
enum Column {
    LossD,
    LossG,
    Jsd,
    Kl,
    ValueD,
    ValueOptimum,
}

const COLUMNS: usize = 6;

impl History {
    const CAP: usize = 1500;

    fn new() -> Self {
        Self { step: Vec::new(), columns: vec![Vec::new(); COLUMNS] }
    }

    fn push(&mut self, step: u64, values: [f64; COLUMNS]) {
        if self.step.last().is_some_and(|s| *s >= step as f64) {
            return;
        }
        self.step.push(step as f64);
        for (c, v) in self.columns.iter_mut().zip(values) {
            c.push(v);
        }
        if self.step.len() > Self::CAP {
            self.step = self.step.iter().copied().step_by(2).collect();
            for c in &mut self.columns {
                *c = c.iter().copied().step_by(2).collect();
            }
        }
    }

    fn csv(&self) -> String {
        let columns: Vec<&[f64]> = std::iter::once(&self.step[..]).chain(self.columns.iter().map(|c| &c[..])).collect();
        csv_table(&["step", "loss_d", "loss_g", "jsd", "kl", "value_learned_d", "value_at_optimum"], &columns)
    }

    fn series(&self, c: Column) -> Vec<(f64, f64)> {
        self.step.iter().copied().zip(self.columns[c as usize].iter().copied()).filter(|p| p.1.is_finite()).collect()
    }
}

/// One chart is redrawn per interval while training (three charts: each every 0.6 s).
const CHART_INTERVAL_MS: f64 = 200.0;
const ANALYSIS_INTERVAL_MS: f64 = 500.0;
const SLOW_MOTION_MS: i32 = 1800;

pub struct ToyController {
    settings: RwSignal<Settings>,
    notices: RwSignal<Vec<String>>,
    status: RwSignal<Status>,
    /// The latest analysis, for the numbers beside the plot and `report()`.
    readout: RwSignal<Option<Analysis>>,
    /// Slow motion's current sub-step (None: normal training).
    slow_phase: RwSignal<Option<usize>>,
    caption: RwSignal<(String, String)>,
    draw_mode: RwSignal<bool>,
    compute: Rc<RefCell<Option<Compute>>>,
    runner: RefCell<Option<Run>>,
    /// The training worker for CPU runs.
    worker: WorkerSlot,
    /// The configuration the run in the worker has now (for `live_change`).
    worker_config: RefCell<Option<ToyConfig>>,
    history: RefCell<History>,
    analysis_cache: RefCell<Option<AnalysisCache>>,
    last_analysis_ms: Cell<f64>,
    radius: Cell<f32>,
    last_snapshot: RefCell<Option<ToySnapshot>>,
    last_full: RefCell<Option<FullView>>,
    numbers: Cell<BatchNumbers>,
    strokes: RefCell<Vec<Vec<[f32; 2]>>>,
    stroke_active: Cell<bool>,
    /// Bumped by every (re)start, so a slow device start cannot install a stale run.
    generation: Cell<u64>,
    /// Bumped whenever slow motion's autoplay starts or stops.
    slow_generation: Cell<u64>,
    last_chart_ms: Cell<f64>,
    chart_turn: Cell<usize>,
    /// `reset()` promises and `step(n)` calls waiting for the run being built.
    next_run: NextRun,
    undo: UndoSlot<SavedRun>,
    /// A readback failed while training ran (a lost GPU shows up this way before its
    /// `lost` event): the CPU run that replaces it should run too.
    failed_while_running: Cell<bool>,
    this: Weak<ToyController>,
}

impl ToyController {
    fn new(settings: RwSignal<Settings>, notices: RwSignal<Vec<String>>, status: RwSignal<Status>) -> Rc<Self> {
        Rc::new_cyclic(|this| Self {
            settings,
            notices,
            status,
            readout: RwSignal::new(None),
            slow_phase: RwSignal::new(None),
            caption: RwSignal::new((String::new(), String::new())),
            draw_mode: RwSignal::new(false),
            compute: Rc::new(RefCell::new(None)),
            runner: RefCell::new(None),
            worker: WorkerSlot::default(),
            worker_config: RefCell::new(None),
            history: RefCell::new(History::new()),
            analysis_cache: RefCell::new(None),
            last_analysis_ms: Cell::new(f64::MIN),
            radius: Cell::new(1.0),
            last_snapshot: RefCell::new(None),
            last_full: RefCell::new(None),
            numbers: Cell::new(BatchNumbers::default()),
            strokes: RefCell::new(Vec::new()),
            stroke_active: Cell::new(false),
            generation: Cell::new(0),
            slow_generation: Cell::new(0),
            last_chart_ms: Cell::new(0.0),
            chart_turn: Cell::new(0),
            next_run: NextRun::default(),
            undo: UndoSlot::new(),
            failed_while_running: Cell::new(false),
            this: this.clone(),
        })
    }

    fn config(&self) -> ToyConfig {
        ToyConfig::from_settings(&self.settings.get_untracked())
    }

    /// The loss in force (read per frame: cheaper than a whole `config()`).
    fn loss(&self) -> GanLoss {
        self.settings.with_untracked(|s| GanLoss::parse(s.choice("loss")).unwrap_or(GanLoss::NonSaturating))
    }

    fn views(&self) -> Vec<&'static str> {
        self.settings.with_untracked(|s| s.set_of("views"))
    }

    fn stop(&self) {
        if let Some(r) = self.runner.borrow_mut().take() {
            r.stop();
        }
    }

    fn runner(&self) -> Option<Run> {
        self.runner.borrow().clone()
    }

    /// (Re)builds the run from the current settings, acquiring the device first if the
    /// backend setting changed. Keeps playing if it was playing.
    fn restart(&self, running: bool) {
        self.stop();
        // until the new run's first frame the old run's numbers must not pass for the new
        // run's (building a run in the worker takes a round trip)
        // `running` is the intent until the run is built: Play or Pause meanwhile changes it,
        // and the new run starts as the status says then (`wants_running`)
        self.status.update(|s| (s.step, s.loss_d, s.loss_g, s.running) = (0, None, None, running));
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(me) = this.upgrade() else { return };
            let (choice, cache, status, notices) = (me.settings.with_untracked(|s| s.choice("backend")), me.compute.clone(), me.status, me.notices);
            drop(me); // the page may close while the device starts
            let compute = backend::device_for(choice, cache, status, notices).await;
            let Some(me) = this.upgrade() else { return };
            if me.generation.get() != generation {
                return; // a newer restart superseded this one
            }
            let config = me.config();
            me.radius.set(config.dist.view_radius());
            if let Err(e) = backend::check_size(compute.kind, config.iteration_flops()) {
                me.status.update(|s| *s = Status { backend: Some(compute.kind), adapter: compute.adapter.clone(), error: Some(e), ..Status::default() });
                me.next_run.settled();
                return;
            }
            let worker = me.worker.for_compute(DEMO, &compute).await;
            if me.generation.get() != generation {
                return;
            }
            let (me, built) = match worker {
                Some(worker) => {
                    let request = worker.request("new", vec![("query", me.settings.with_untracked(|s| s.to_query()).into())]);
                    drop(me);
                    let Some(done) = Self::install_from_worker(&this, generation, request, worker, config, compute.clone()).await else { return };
                    done
                }
                None => {
                    let built = ToyGan::new(config, &compute.device).map(|gan| me.install(gan, &compute, me.wants_running()));
                    (me, built)
                }
            };
            match built {
                Ok(()) => {}
                Err(e) => {
                    // No data (an empty or unreadable drawing): say so and open the editor.
                    me.status.update(|s| {
                        *s = Status { backend: Some(compute.kind), adapter: compute.adapter.clone(), error: Some(e), ..Status::default() }
                    });
                    me.enter_draw_mode();
                    me.next_run.settled();
                }
            }
        });
    }

    /// Whether a run being built should start playing: Play and Pause pressed while a
    /// (re)start is under way set the status, and the new run follows it.
    fn wants_running(&self) -> bool {
        self.status.with_untracked(|s| s.running)
    }

    /// Starts the training loop on `gan` (a fresh run, or one put back by undo).
    fn install(&self, gan: ToyGan, compute: &Compute, running: bool) {
        self.clear_views(&gan.config, AnalysisCache::new(&gan), compute, running);
        *self.runner.borrow_mut() = Some(Run::Local(Runner::start_for(gan, running, compute.blocking_steps(), self.this.clone(), Self::on_frame)));
        self.next_run.installed(|n| self.step(n));
    }

    /// The same for the run just built in `worker` from `config`.
    fn install_remote(&self, worker: Rc<TrainingWorker>, config: ToyConfig, real_view: Vec<f32>, compute: &Compute, running: bool) -> Result<(), String> {
        let cache = AnalysisCache::of(config.target()?, &config, real_view);
        self.clear_views(&config, cache, compute, running);
        self.status.update(|s| s.adapter = format!("{}{IN_WORKER}", compute.adapter));
        let runner = RemoteRunner::start_for(worker, running, remote::decode, self.this.clone(), Self::on_frame);
        *self.worker_config.borrow_mut() = Some(config);
        *self.runner.borrow_mut() = Some(Run::Remote(runner));
        self.next_run.installed(|n| self.step(n));
        Ok(())
    }

    /// Awaits `request`, which builds a run of `config` in `worker` (`new`, `restore`), and
    /// installs that run; None when the page closed or a newer (re)start superseded it.
    async fn install_from_worker(
        this: &Weak<Self>,
        generation: u64,
        request: Pending<JsValue>,
        worker: Rc<TrainingWorker>,
        config: ToyConfig,
        compute: Compute,
    ) -> Option<(Rc<Self>, Result<(), String>)> {
        let reply = request.await;
        let me = this.upgrade().filter(|me| me.generation.get() == generation)?;
        let running = me.wants_running();
        let installed = reply.and_then(|r| remote::real_view(&r)).and_then(|real_view| me.install_remote(worker, config, real_view, &compute, running));
        Some((me, installed))
    }

    /// Stops the old loop and empties what it drew, for a new run of `config`.
    fn clear_views(&self, config: &ToyConfig, cache: AnalysisCache, compute: &Compute, running: bool) {
        self.stop();
        self.radius.set(config.dist.view_radius());
        *self.analysis_cache.borrow_mut() = Some(cache);
        self.last_analysis_ms.set(f64::MIN);
        *self.history.borrow_mut() = History::new();
        *self.last_full.borrow_mut() = None;
        self.readout.set(None);
        self.status.update(|s| {
            *s = Status { backend: Some(compute.kind), adapter: compute.adapter.clone(), running, ..Status::default() };
        });
    }

    /// Keeps what a change is about to replace: the settings, and the run as it is now unless
    /// it has diverged (then undo rebuilds from the settings).
    fn remember(&self, before: Settings) {
        let saved = self.runner().filter(|_| self.healthy()).map(|run| match run {
            Run::Local(r) => SavedRun::Local(r.trainer().borrow().clone()),
            Run::Remote(r) => {
                r.worker().tell("remember", vec![]);
                SavedRun::Remote(r.worker().clone())
            }
        });
        self.undo.remember(before, saved);
    }

    /// The run has not diverged (a diverged run is not worth putting back).
    fn healthy(&self) -> bool {
        self.status.with_untracked(|s| s.error.is_none())
    }

    fn on_frame(&self, snapshot: Option<Result<ToySnapshot, String>>, rates: Rates) {
        let mut error = None;
        if let Some(result) = snapshot {
            match result {
                Ok(snap) => {
                    if let Some(what) = snap.divergence() {
                        error = Some(self.divergence_message(snap.step, &what));
                    }
                    let t0 = js::now_ms();
                    let paused = !self.runner().is_some_and(|r| r.running());
                    let analysis = snap.full.as_ref().filter(|_| snap.is_finite()).and_then(|full| self.analyse(&snap, full, paused));
                    self.record(&snap, analysis.as_ref());
                    if let Some(full) = snap.full.clone() {
                        *self.last_full.borrow_mut() = Some(full);
                    }
                    *self.last_snapshot.borrow_mut() = Some(snap);
                    self.draw(analysis.as_ref(), paused);
                    let draw_ms = js::now_ms() - t0;
                    let in_worker = self.runner().is_some_and(|r| r.in_worker());
                    self.status.update(|s| {
                        s.metrics = rates.metrics(in_worker);
                        s.metrics.push(("drawMs", draw_ms));
                        if let Some(snap) = self.last_snapshot.borrow().as_ref() {
                            s.step = snap.step;
                            s.loss_d = Some(snap.loss_d);
                            s.loss_g = Some(snap.loss_g);
                        }
                    });
                    self.next_run.settled();
                }
                Err(e) => {
                    self.failed_while_running.set(self.runner().is_some_and(|r| r.running()));
                    error = Some(format!("Training stopped: {e}"));
                }
            }
        }
        if error.is_some() {
            if let Some(r) = self.runner() {
                r.set_running(false);
            }
        }
        let running = self.runner().is_some_and(|r| r.running());
        self.status.update(|s| {
            s.running = running || self.slow_autoplay();
            s.steps_per_sec = if running { rates.steps_per_sec } else { 0.0 };
            s.fps = rates.fps;
            if error.is_some() {
                s.error = error;
            }
        });
    }

    /// The CPU-side numbers (D*, divergences, values), at most every ANALYSIS_INTERVAL_MS
    /// while training runs, on every full frame when paused.
    fn analyse(&self, snap: &ToySnapshot, full: &FullView, paused: bool) -> Option<Analysis> {
        let now = js::now_ms();
        if !paused && now - self.last_analysis_ms.get() < ANALYSIS_INTERVAL_MS {
            return None;
        }
        self.last_analysis_ms.set(now);
        let cache = self.analysis_cache.borrow();
        let loss = self.loss();
        let a = analyse(snap, full, cache.as_ref()?, loss);
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len().max(1) as f32;
        let (d_real, d_fake) = match (d_probability(loss, &full.d_real), d_probability(loss, &full.d_fake)) {
            (Some(r), Some(f)) => (mean(&r), mean(&f)),
            _ => (mean(&full.d_real), mean(&full.d_fake)),
        };
        let pull = full.pull.chunks_exact(2).map(|v| v[0].hypot(v[1])).sum::<f32>() / (full.pull.len() / 2).max(1) as f32;
        self.numbers.set(BatchNumbers { mean_d_real: d_real, mean_d_fake: d_fake, loss_d: snap.loss_d, loss_g: snap.loss_g, mean_pull: pull });
        self.readout.set(Some(a.clone()));
        Some(a)
    }

    fn record(&self, snap: &ToySnapshot, a: Option<&Analysis>) {
        let nan = f64::NAN;
        let mut h = self.history.borrow_mut();
        let (jsd, kl, vd, vo) =
            a.map_or((nan, nan, nan, nan), |a| (a.divergences.jsd, a.divergences.kl, a.value_d.unwrap_or(nan), a.value_at_optimum));
        // NaN where a frame computed no analysis: each chart line keeps only its own points.
        h.push(snap.step, [snap.loss_d as f64, snap.loss_g as f64, jsd, kl, vd, vo]);
    }

    fn divergence_message(&self, step: u64, what: &str) -> String {
        let (lr_d, lr_g, loss) = self.settings.with_untracked(|s| (s.float("lrD"), s.float("lrG"), s.choice("loss")));
        format!(
            "Training diverged at step {step}: {what}, so training was paused. \
             The likely cause is a learning rate too high for the {loss} loss (lrD = {lr_d}, lrG = {lr_g}). \
             Press “Undo last change” to go back to the run before your last change, or lower the rate and press Reset."
        )
    }

    /// Which layers show now: the user's views, or what the slow-motion sub-step shows.
    fn visible(&self) -> (bool, bool, bool, bool, bool, bool) {
        let v = self.views();
        let on = |k: &str| v.contains(&k);
        let user = [on("real"), on("fake"), on("heat"), on("grads")];
        let [real, fake, heat, grads] = self.slow_phase.get_untracked().and_then(lessons::phase_layers).unwrap_or(user);
        (real, fake, heat, grads, on("manifold"), on("dstar"))
    }

    fn draw(&self, analysis: Option<&Analysis>, force_chart: bool) {
        if self.draw_mode.get_untracked() {
            return; // the editor owns the plot
        }
        let frame = Frame { radius: self.radius.get() };
        let (real, fake, heat, grads, manifold, dstar) = self.visible();
        let snap = self.last_snapshot.borrow();
        let full = self.last_full.borrow();
        let Some(snap) = snap.as_ref() else { return };
        let cache = self.analysis_cache.borrow();
        let real_view = cache.as_ref().map(AnalysisCache::real).filter(|_| real);
        layers::points(frame, real_view, fake.then_some(&snap.fake[..]));
        let loss = self.loss();
        // Grid views change only on full frames; the others keep their last drawing.
        if snap.full.is_some() || force_chart {
            if let Some(full) = full.as_ref() {
                if heat {
                    layers::heat(layers::HEAT, &full.d_grid, loss);
                } else {
                    layers::clear(layers::HEAT);
                }
                if grads {
                    layers::pull_arrows(frame, &snap.fake, &full.pull);
                } else {
                    layers::clear(layers::GRADS);
                }
                if manifold {
                    layers::manifold(frame, full);
                } else {
                    layers::clear(layers::MANIFOLD);
                }
            }
            if let (true, Some(a)) = (dstar, analysis) {
                layers::d_star(&a.d_star_grid);
            }
        }
        if let Some(phase) = self.slow_phase.get_untracked() {
            self.caption.set(lessons::caption(phase, &self.config(), &self.numbers.get()));
        }
        let now = js::now_ms();
        if force_chart || now - self.last_chart_ms.get() >= CHART_INTERVAL_MS {
            self.last_chart_ms.set(now);
            self.draw_charts(force_chart);
        }
    }

    /// Draws the charts: all of them when `all`, else the next one in turn (plotters costs a
    /// few ms a chart; one per refresh keeps any single frame short while training).
    fn draw_charts(&self, all: bool) {
        let h = self.history.borrow();
        let green = RGBColor(0x1b, 0x9e, 0x77);
        let purple = RGBColor(0x75, 0x3a, 0xa8);
        let orange = RGBColor(0xd9, 0x5f, 0x02);
        let grey = RGBColor(0x55, 0x55, 0x55);
        let charts: [(&str, Vec<(&str, RGBColor, Column)>); 3] = [
            ("toy-loss", vec![("D loss", green, Column::LossD), ("G loss", purple, Column::LossG)]),
            ("toy-div", vec![("JSD (nats)", orange, Column::Jsd), ("KL (skew, nats)", grey, Column::Kl)]),
            (
                "toy-value",
                vec![
                    ("V(D, G), learned D", green, Column::ValueD),
                    ("2·JSD − log 4 (grid)", orange, Column::ValueOptimum),
                ],
            ),
        ];
        let turn = self.chart_turn.get();
        self.chart_turn.set((turn + 1) % charts.len());
        for (i, (id, lines)) in charts.into_iter().enumerate() {
            if !all && i != turn {
                continue;
            }
            let Some(canvas) = js::canvas_by_id(id) else { continue };
            let data: Vec<Vec<(f64, f64)>> = lines.iter().map(|l| h.series(l.2)).collect();
            let series: Vec<Series> =
                // a quantity this loss does not have (V(D, G) of a critic) stays out of the legend
                lines.iter().zip(&data).map(|(l, points)| Series { name: if points.is_empty() { "" } else { l.0 }, color: l.1, points }).collect();
            if let Err(e) = line_chart(&canvas, "step", &series) {
                web_sys::console::warn_1(&format!("{id}: {e}").into());
            }
        }
    }

    /// Redraws from the last snapshot (a view toggled, slow motion moved on).
    fn redraw(&self) {
        self.draw(None, true);
        if let Some(r) = self.runner() {
            r.request_publish(); // and a fresh full snapshot (D* needs its analysis)
        }
    }

    // ---- single steps and slow motion

    fn single_step(&self, which: &str) {
        let Some(r) = self.runner() else { return };
        if r.running() {
            return;
        }
        match &r {
            Run::Local(local) => {
                let trainer = local.trainer();
                let mut gan = trainer.borrow_mut();
                if which == "d" {
                    gan.step_d_only();
                } else {
                    gan.step_g_only();
                }
            }
            Run::Remote(remote) => remote.worker().tell(if which == "d" { "stepD" } else { "stepG" }, vec![]),
        }
        r.request_publish();
    }

    fn set_slow_motion(&self, on: bool) {
        self.pause();
        self.slow_phase.set(on.then_some(0));
        self.redraw();
    }

    /// Moves slow motion one sub-step on; the last one runs the iteration itself.
    fn next_phase(&self) {
        let Some(phase) = self.slow_phase.get_untracked() else { return };
        let next = (phase + 1) % PHASES;
        self.slow_phase.set(Some(next));
        if next == PHASES - 1 {
            if let Some(r) = self.runner() {
                let _ = r.step(1);
            }
        }
        self.redraw();
    }

    fn slow_autoplay(&self) -> bool {
        self.slow_phase.get_untracked().is_some() && self.slow_generation.get() % 2 == 1
    }

    fn start_slow_autoplay(&self) {
        let generation = self.slow_generation.get() + 1 + self.slow_generation.get() % 2; // odd: playing
        self.slow_generation.set(generation);
        self.status.update(|s| s.running = true);
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                js::sleep_ms(SLOW_MOTION_MS).await;
                let Some(me) = this.upgrade() else { return };
                if me.slow_generation.get() != generation || me.slow_phase.get_untracked().is_none() {
                    return;
                }
                me.next_phase();
            }
        });
    }

    fn stop_slow_autoplay(&self) {
        if self.slow_generation.get() % 2 == 1 {
            self.slow_generation.set(self.slow_generation.get() + 1);
        }
    }

    // ---- presets

    fn apply_preset(&self, key: &str) {
        let Some(p) = PRESETS.iter().find(|p| p.key == key) else { return };
        let backend = self.settings.with_untracked(|s| s.choice("backend"));
        let (mut s, notices) = Settings::from_query(TOY_SETTINGS, p.query);
        let _ = s.set("backend", backend);
        self.remember(self.settings.get_untracked());
        self.notices.update(|n| n.extend(notices));
        self.settings.set(s);
        write_link(self.settings);
        self.status.update(|s| s.error = None);
        self.restart(self.status.get_untracked().running);
    }

    // ---- saved runs

    /// Downloads the run (settings, step, weights) as a `.ganplay` file.
    fn save_run(&self) {
        let Some(runner) = self.runner() else {
            self.notices.update(|n| n.push("There is no run to save yet.".into()));
            return;
        };
        let query = self.settings.with_untracked(|s| s.to_query());
        let pending: Pending<(Vec<u8>, u64)> = match &runner {
            Run::Local(r) => {
                let pending = r.trainer().borrow().checkpoint(DEMO, query);
                Box::pin(async move { pending.await.map(|c| (c.to_bytes(), c.step)) })
            }
            Run::Remote(r) => {
                let pending = r.worker().request("checkpoint", vec![("query", query.into())]);
                Box::pin(async move { pending.await.and_then(|reply| remote::saved_file(&reply)) })
            }
        };
        let notices = self.notices;
        wasm_bindgen_futures::spawn_local(async move {
            let saved = pending.await.and_then(|(bytes, step)| js::download(&format!("gan-playground-toy-step{step}.ganplay"), &bytes, "application/octet-stream"));
            if let Err(e) = saved {
                notices.try_update(|n| n.push(format!("Could not save the run: {e}")));
            }
        });
    }

    /// Loads a `.ganplay` file; anything wrong with it is a notice and the current run stays.
    fn load_run(&self, file: web_sys::File) {
        let name = file.name();
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let bytes = if file.size() > MAX_CHECKPOINT_BYTES as f64 {
                Err(format!("it is {:.0} MB, more than a saved run can be ({} MB)", file.size() / 1048576.0, MAX_CHECKPOINT_BYTES >> 20))
            } else {
                js::file_bytes(&file).await
            };
            let Some(mut me) = this.upgrade() else { return };
            let checked = bytes.and_then(|b| me.check_file(&b).map(|checked| (b, checked)));
            let built = match checked {
                Ok((bytes, (settings, checkpoint, compute))) => {
                    let config = ToyConfig::from_settings(&settings);
                    let remote = me.runner().and_then(|run| match run {
                        Run::Remote(r) => Some(r.worker().clone()),
                        Run::Local(_) => None,
                    });
                    match remote {
                        // the worker builds the run; a file that does not fit leaves its run as it was
                        Some(worker) => {
                            let query = settings.to_query();
                            drop(me);
                            let reply = worker.request("load", vec![("query", query.into()), ("bytes", worker::bytes(&bytes))]).await;
                            let Some(again) = this.upgrade() else { return };
                            me = again;
                            reply.and_then(|r| remote::real_view(&r)).map(|real_view| (settings, checkpoint.step, Loaded::Remote(worker, config, real_view), compute))
                        }
                        None => ToyGan::from_checkpoint(config, &compute.device, &checkpoint).map(|gan| (settings, checkpoint.step, Loaded::Local(gan), compute)),
                    }
                }
                Err(e) => Err(e),
            };
            match built {
                Ok((settings, step, run, compute)) => {
                    let before = me.settings.get_untracked();
                    match &run {
                        Loaded::Local(_) => me.remember(before),
                        // the worker kept the run the file replaced (ToyHost's `load`)
                        Loaded::Remote(worker, ..) => me.undo.remember(before, me.healthy().then(|| SavedRun::Remote(worker.clone()))),
                    }
                    me.stop_slow_autoplay();
                    me.slow_phase.set(None);
                    me.draw_mode.set(false);
                    me.settings.set(settings);
                    write_link(me.settings);
                    let installed = match run {
                        Loaded::Local(gan) => Ok(me.install(gan, &compute, false)),
                        Loaded::Remote(worker, config, real_view) => me.install_remote(worker, config, real_view, &compute, false),
                    };
                    match installed {
                        Ok(()) => me.notices.update(|n| n.push(format!("Loaded “{name}” at step {step} (its optimisers start with fresh state)."))),
                        Err(e) => me.notices.update(|n| n.push(format!("Could not load “{name}”: {e}."))),
                    }
                }
                Err(e) => me.notices.update(|n| n.push(format!("Could not load “{name}”: {e}. The current run is unchanged."))),
            }
        });
    }

    /// The settings and checkpoint a file holds, checked against this page and the device in
    /// use; changes nothing.
    fn check_file(&self, bytes: &[u8]) -> Result<(Settings, Checkpoint, Compute), String> {
        let checkpoint = Checkpoint::from_bytes(bytes)?;
        if checkpoint.demo != DEMO {
            return Err(format!("it is a saved run of the “{}” demo, not of the toy lab", checkpoint.demo));
        }
        let (mut settings, problems) = Settings::from_query(TOY_SETTINGS, &checkpoint.query);
        if let Some(p) = problems.first() {
            return Err(format!("its settings do not fit this version of the page ({p})"));
        }
        let compute = self.compute.borrow().clone().ok_or("the page is still starting")?;
        let _ = settings.set("backend", self.settings.with_untracked(|s| s.choice("backend"))); // where it runs now
        backend::check_size(compute.kind, ToyConfig::from_settings(&settings).iteration_flops())?;
        Ok((settings, checkpoint, compute))
    }

    // ---- drawing your own distribution

    fn enter_draw_mode(&self) {
        self.pause();
        self.slow_phase.set(None);
        self.draw_mode.set(true);
        self.radius.set(DRAWING_RADIUS);
        for id in [layers::HEAT, layers::GRADS, layers::MANIFOLD] {
            layers::clear(id);
        }
        layers::strokes(Frame { radius: DRAWING_RADIUS }, &self.strokes.borrow());
    }

    fn leave_draw_mode(&self) {
        self.draw_mode.set(false);
        self.radius.set(self.config().dist.view_radius());
        self.redraw();
    }

    /// A pointer position in data coordinates of the drawing square.
    fn pointer_to_data(&self, ev: &web_sys::PointerEvent) -> Option<[f32; 2]> {
        let el = ev.current_target()?.dyn_into::<web_sys::Element>().ok()?;
        let rect = el.get_bounding_client_rect();
        let (u, v) = ((ev.client_x() as f64 - rect.left()) / rect.width(), (ev.client_y() as f64 - rect.top()) / rect.height());
        let r = DRAWING_RADIUS as f64;
        Some([((2.0 * u - 1.0) * r) as f32, ((1.0 - 2.0 * v) * r) as f32])
    }

    fn stroke_event(&self, ev: &web_sys::PointerEvent, kind: &str) {
        if !self.draw_mode.get_untracked() {
            return;
        }
        let Some(p) = self.pointer_to_data(ev) else { return };
        let mut strokes = self.strokes.borrow_mut();
        match kind {
            "down" => {
                if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                    let _ = t.set_pointer_capture(ev.pointer_id());
                }
                ev.prevent_default();
                self.stroke_active.set(true);
                strokes.push(vec![p]);
            }
            "move" if self.stroke_active.get() => {
                if let Some(s) = strokes.last_mut() {
                    // keep points at least 1 % of the square apart
                    if s.last().is_none_or(|q| (q[0] - p[0]).hypot(q[1] - p[1]) > 0.02 * DRAWING_RADIUS) {
                        s.push(p);
                    }
                }
            }
            _ => self.stroke_active.set(false),
        }
        layers::strokes(Frame { radius: DRAWING_RADIUS }, &strokes);
    }

    fn apply_drawing(&self) {
        let strokes = thin_drawing(&self.strokes.borrow());
        if strokes.iter().all(|s| s.is_empty()) {
            self.notices.update(|n| n.push("Nothing drawn yet: draw at least one stroke on the plane, then press Apply.".into()));
            return;
        }
        let code = encode_drawing(&strokes);
        self.remember(self.settings.get_untracked());
        self.settings.update(|s| {
            let _ = s.set("drawing", &code);
            let _ = s.set("dist", "drawn");
        });
        write_link(self.settings);
        self.draw_mode.set(false);
        self.status.update(|s| s.error = None);
        self.restart(false);
    }
}

impl Demo for ToyController {
    fn shutdown(&self) {
        self.generation.set(self.generation.get() + 1);
        self.stop_slow_autoplay();
        self.stop();
        self.worker.release();
    }

    fn status(&self) -> Status {
        self.status.get_untracked()
    }

    fn play(&self) {
        // nothing to play in the editor, nor after a divergence (Reset or Undo first)
        if self.draw_mode.get_untracked() || self.status.with_untracked(|s| s.error.is_some()) {
            return;
        }
        if self.slow_phase.get_untracked().is_some() {
            self.start_slow_autoplay();
            return;
        }
        if let Some(r) = self.runner() {
            r.set_running(true);
        }
        self.status.update(|s| s.running = true);
    }

    fn pause(&self) {
        self.stop_slow_autoplay();
        if let Some(r) = self.runner() {
            r.set_running(false);
        }
        self.status.update(|s| s.running = false);
    }

    fn step(&self, n: u64) -> js_sys::Promise {
        if self.slow_phase.get_untracked().is_some() {
            self.next_phase();
            return js_sys::Promise::resolve(&JsValue::TRUE);
        }
        match self.runner() {
            Some(r) => r.step(n),
            // the run is being built: it takes the steps once it is
            None if self.status.with_untracked(|s| s.error.is_none()) => self.next_run.step(n),
            None => js_sys::Promise::resolve(&JsValue::FALSE),
        }
    }

    fn reset(&self) -> js_sys::Promise {
        let running = self.status.get_untracked().running;
        self.status.update(|s| s.error = None);
        let promise = self.next_run.first_frame();
        self.restart(running);
        promise
    }

    fn settings(&self) -> Settings {
        self.settings.get_untracked()
    }

    fn set(&self, key: &str, raw: &str) -> Result<(), String> {
        let compute = self.compute.borrow().as_ref().map(|c| c.kind);
        let cost = |s: &Settings| ToyConfig::from_settings(s).iteration_flops();
        // sizes the CPU backend cannot train are refused up front
        let check = |before: &Settings, next: &Settings| compute.map_or(Ok(()), |kind| backend::check_change(kind, cost(before), cost(next)));
        let Some(before) = commit_setting(self.settings, key, raw, check)? else { return Ok(()) };
        self.remember(before);
        let running = self.runner().is_some_and(|r| r.running());
        if key == "backend" {
            self.undo.forget_run(); // that run lives on the other device
            *self.compute.borrow_mut() = None;
            self.restart(running);
            return Ok(());
        }
        if key == "views" {
            self.redraw();
            return Ok(());
        }
        let config = self.config();
        let live = self.runner().and_then(|run| match run {
            Run::Local(r) => r.trainer().borrow_mut().apply_live(&config),
            Run::Remote(r) => {
                let mut in_worker = self.worker_config.borrow_mut();
                let notes = live_change(in_worker.as_ref()?, &config)?;
                r.worker().tell("applyLive", vec![("query", self.settings.with_untracked(|s| s.to_query()).into())]);
                *in_worker = Some(config.clone());
                Some(notes)
            }
        });
        match live {
            Some(notes) => {
                self.notices.update(|n| n.extend(notes));
                if let Some(r) = self.runner() {
                    r.request_publish();
                }
            }
            None => {
                if self.draw_mode.get_untracked() && key != "dist" && key != "drawing" {
                    return Ok(()); // the editor is open; the run restarts when it closes
                }
                self.status.update(|s| s.error = None);
                self.draw_mode.set(false);
                self.restart(running);
            }
        }
        Ok(())
    }

    fn samples(&self, n: usize) -> js_sys::Promise {
        let Some(runner) = self.runner() else {
            return js_sys::Promise::resolve(&JsValue::NULL);
        };
        match runner {
            Run::Local(r) => api::points_promise(r.trainer().borrow_mut().samples(n)),
            Run::Remote(r) => {
                let pending = r.worker().request("samples", vec![("n", JsValue::from_f64(n as f64))]);
                api::points_promise(async move { pending.await.and_then(|reply| remote::points(&reply)) })
            }
        }
    }

    fn device_lost(&self) {
        if self.compute.borrow().as_ref().is_some_and(|c| c.kind == "webgpu") {
            *self.compute.borrow_mut() = None;
            self.undo.forget_run(); // its tensors were on that device
            self.restart(self.status.get_untracked().running || self.failed_while_running.take());
        }
    }

    fn undo(&self) -> Result<(), String> {
        let (settings, trainer) = self.undo.take()?;
        self.stop_slow_autoplay();
        self.slow_phase.set(None);
        self.draw_mode.set(false);
        self.settings.set(settings);
        write_link(self.settings);
        let compute = self.compute.borrow().clone();
        match (trainer, compute) {
            // the run as it was, paused, so the lecture can look before playing on
            (Some(SavedRun::Local(gan)), Some(compute)) => self.install(gan, &compute, false),
            (Some(SavedRun::Remote(worker)), Some(compute)) => {
                self.stop();
                self.status.update(|s| s.running = false);
                let (this, generation) = (self.this.clone(), self.generation.get() + 1);
                self.generation.set(generation);
                let (config, request) = (self.config(), worker.request("restore", vec![]));
                wasm_bindgen_futures::spawn_local(async move {
                    let Some((me, installed)) = Self::install_from_worker(&this, generation, request, worker, config, compute).await else { return };
                    if let Err(e) = installed {
                        me.notices.update(|n| n.push(format!("Undo could not put the run back ({e}); it starts again from the settings.")));
                        me.restart(false);
                    }
                });
            }
            _ => self.restart(false),
        }
        Ok(())
    }

    fn redraw(&self) {
        self.draw_charts(true);
    }

    fn history_csv(&self) -> Option<String> {
        let h = self.history.borrow();
        (!h.step.is_empty()).then(|| h.csv())
    }

    /// The latest analysis (divergences, values of the game, D's gap to D*), update counts,
    /// slow-motion phase and drawing state.
    fn report(&self) -> JsValue {
        let num = |v: Option<f64>| v.map_or(JsValue::NULL, JsValue::from_f64);
        let r = self.readout.get_untracked();
        let snap = self.last_snapshot.borrow();
        let (d_updates, g_updates) = snap.as_ref().map_or((0, 0), |s| (s.d_updates, s.g_updates));
        js::object(vec![
            ("jsd", num(r.as_ref().map(|r| r.divergences.jsd))),
            ("kl", num(r.as_ref().map(|r| r.divergences.kl))),
            ("valueAtOptimum", num(r.as_ref().map(|r| r.value_at_optimum))),
            ("valueD", num(r.as_ref().and_then(|r| r.value_d))),
            ("dGap", num(r.as_ref().and_then(|r| r.d_gap))),
            ("dUpdates", JsValue::from_f64(d_updates as f64)),
            ("gUpdates", JsValue::from_f64(g_updates as f64)),
            ("slowPhase", num(self.slow_phase.get_untracked().map(|p| p as f64))),
            ("drawMode", JsValue::from_bool(self.draw_mode.get_untracked())),
            ("strokes", JsValue::from_f64(self.strokes.borrow().len() as f64)),
        ])
    }
}

/// The demo name saved runs carry (a file from another demo is refused).
const DEMO: &str = "toy";

const DATA_KEYS: &[&str] = &["dist", "noise", "latentDim", "gLayers", "gWidth", "dLayers", "dWidth", "activation"];
const LOSS_KEYS: &[&str] = &["loss", "clip", "gpWeight", "labelSmoothing", "instanceNoise", "noiseAnneal", "spectralNorm", "r1", "ema"];
const OPTIM_KEYS: &[&str] = &["optD", "lrD", "kD", "optG", "lrG", "kG", "beta1", "beta2", "batch"];
const RUN_KEYS: &[&str] = &["seed", "backend"];

#[component]
pub fn ToyPage() -> impl IntoView {
    let search = js::window().location().search().unwrap_or_default();
    let (initial, url_notices) = Settings::from_query(TOY_SETTINGS, &search);
    let settings = RwSignal::new(initial);
    let notices = RwSignal::new(url_notices);
    let status = RwSignal::new(Status::default());

    let controller = ToyController::new(settings, notices, status);
    write_link(settings);
    let token = api::register(controller.clone());
    controller.restart(false);
    // Leaving the page stops the loop and drops the run.
    on_cleanup(move || api::unregister(token));

    let (readout, slow_phase, caption, draw_mode) = (controller.readout, controller.slow_phase, controller.caption, controller.draw_mode);
    let backend_line = move || status.with(Status::backend_line);
    let fmt_loss = |v: Option<f32>| v.map_or("–".to_string(), |x| compact(x as f64));
    let running = move || status.with(|s| s.running);
    let view_on = move |k: &'static str| move || settings.with(|s| s.set_of("views").contains(&k));

    let c = controller.clone();
    let save_run = move |_| c.save_run();
    let c = controller.clone();
    let load_run = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            c.load_run(file);
        }
        input.set_value(""); // picking the same file again loads it again
    };
    let c = controller.clone();
    let step_d = move |_| c.single_step("d");
    let c = controller.clone();
    let step_g = move |_| c.single_step("g");
    let c = controller.clone();
    let toggle_slow = move |_| c.set_slow_motion(slow_phase.get_untracked().is_none());
    let c = controller.clone();
    let next_phase = move |_| c.next_phase();
    let c = controller.clone();
    let choose_preset = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        c.apply_preset(&key);
    };
    let c = controller.clone();
    let open_editor = move |_| c.enter_draw_mode();
    let c = controller.clone();
    let apply_drawing = move |_| c.apply_drawing();
    let c = controller.clone();
    let clear_drawing = move |_| {
        c.strokes.borrow_mut().clear();
        layers::strokes(Frame { radius: DRAWING_RADIUS }, &[]);
    };
    let c = controller.clone();
    let cancel_drawing = move |_| c.leave_draw_mode();
    let (c1, c2, c3, c4) = (controller.clone(), controller.clone(), controller.clone(), controller.clone());
    let on_down = move |ev: web_sys::PointerEvent| c1.stroke_event(&ev, "down");
    let on_move = move |ev: web_sys::PointerEvent| c2.stroke_event(&ev, "move");
    let on_up = move |ev: web_sys::PointerEvent| c3.stroke_event(&ev, "up");
    let on_cancel = move |ev: web_sys::PointerEvent| c4.stroke_event(&ev, "cancel");

    let formulas = Memo::new(move |_| {
        let loss = GanLoss::parse(settings.with(|s| s.choice("loss"))).unwrap_or(GanLoss::NonSaturating);
        let (d, g, gloss) = lessons::loss_formulas(loss);
        (lessons::mathml(d), lessons::mathml(g), gloss)
    });
    let preset_lesson = RwSignal::new(String::new());
    let fmt = |v: Option<f64>, digits: usize| v.map_or("–".to_string(), |x| format!("{x:.digits$}"));

    view! {
        <section class="demo toy">
            <header class="demo-head">
                <h1>"Toy 2-D lab"</h1>
                <p>
                    "The generator (purple dots) turns noise into points; the discriminator shades the plane by how real it "
                    "thinks each point is (green: real, purple: generated). Real samples are green dots. Press play and watch "
                    "the generator chase the data while the discriminator keeps moving the goalposts."
                </p>
            </header>
            <NoticeList notices=notices/>
            {move || status.with(|s| s.error.clone()).map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="toolbar">
                <Transport status=status reset_label="Reset"/>
                <UndoButton can_undo=controller.undo.can_undo notices=notices/>
                <span class="files" hidden=hidden_part("files")>
                    <button id="save-run" on:click=save_run title="Download this run (settings, step and weights) as a file">"Save run"</button>
                    <input type="file" id="load-run" class="sr-only" accept=".ganplay" on:change=load_run/>
                    <label class="button" for="load-run" title="Continue from a saved run file">"Load run…"</label>
                </span>
                <button id="step-d" on:click=step_d disabled=running title="One discriminator update">"Step D"</button>
                <button id="step-g" on:click=step_g disabled=running title="One generator update">"Step G"</button>
                <button id="slow" aria-pressed=move || slow_phase.get().is_some().to_string() on:click=toggle_slow>"Slow motion"</button>
                <label class="preset" hidden=hidden_part("presets")>
                    <span class="sr-only">"Preset"</span>
                    <select id="preset" on:change=move |ev| {
                        let key = event_target_value(&ev);
                        preset_lesson.set(PRESETS.iter().find(|p| p.key == key).map(|p| p.lesson.to_string()).unwrap_or_default());
                        choose_preset(ev);
                    }>
                        <option value="">"Presets…"</option>
                        {PRESETS.iter().map(|p| view! { <option value=p.key>{p.title}</option> }).collect_view()}
                    </select>
                </label>
                <span class="stats" aria-live="off" hidden=hidden_part("stats")>
                    <span>"step " <b id="stat-step">{move || status.with(|s| s.step)}</b></span>
                    <span><b id="stat-rate">{move || status.with(|s| format!("{:.0}", s.steps_per_sec))}</b>" steps/s"</span>
                    <span><b id="stat-fps">{move || status.with(|s| format!("{:.0}", s.fps))}</b>" fps"</span>
                    <span>"D " <b>{move || status.with(|s| fmt_loss(s.loss_d))}</b></span>
                    <span>"G " <b>{move || status.with(|s| fmt_loss(s.loss_g))}</b></span>
                </span>
                <EmbedBar/>
            </div>
            {move || (!preset_lesson.get().is_empty()).then(|| view! { <p class="lesson" id="preset-lesson">{preset_lesson.get()}</p> })}
            <div class="slow-motion" id="slow-caption" aria-live="polite" style:display=move || if slow_phase.get().is_some() { "" } else { "none" }>
                <b>{move || caption.get().0}</b>
                <span>{move || caption.get().1}</span>
                <button id="next-phase" on:click=next_phase>"Next sub-step ▸"</button>
            </div>
            <p class="backend">"Backend: " <span id="backend">{backend_line}</span></p>
            <div class="demo-body">
                <figure class="field">
                    <div class="field-stack" data-view="field" data-view-label="Samples and D(x)" class:drawing=move || draw_mode.get()
                        on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_cancel>
                        <canvas id=layers::HEAT width=crate::core::toy::HEATMAP_RES height=crate::core::toy::HEATMAP_RES aria-hidden="true"></canvas>
                        <canvas id=layers::MANIFOLD aria-hidden="true"></canvas>
                        <canvas id=layers::POINTS role="img" aria-label="Real samples (green), generated samples (purple) over the discriminator's output D(x)"></canvas>
                        <canvas id=layers::GRADS aria-hidden="true"></canvas>
                    </div>
                    <figcaption>
                        <span class="key real">"real"</span>
                        <span class="key fake">"generated"</span>
                        <span class="key heat">"D(x): green = “real”, purple = “fake”"</span>
                        {move || view_on("grads")().then(|| view! { <span>"Arrows: −∂L_G/∂x, where G's loss pushes each sample."</span> })}
                        {move || view_on("manifold")().then(|| view! { <span>"Grid: a lattice of noise vectors mapped through G."</span> })}
                    </figcaption>
                    <div class="views">
                        <SettingsForm settings=settings keys=&["views"] notices=notices/>
                    </div>
                    <div class="draw-tools">
                        <p class="hint" style:display=move || if draw_mode.get() { "" } else { "none" }>
                            "Draw the data with the mouse, a pen or a finger; each stroke becomes part of the distribution."
                        </p>
                        <button id="draw-apply" class="primary" on:click=apply_drawing style:display=move || if draw_mode.get() { "" } else { "none" }>"Apply"</button>
                        <button id="draw-clear" on:click=clear_drawing style:display=move || if draw_mode.get() { "" } else { "none" }>"Clear"</button>
                        <button id="draw-cancel" on:click=cancel_drawing style:display=move || if draw_mode.get() { "" } else { "none" }>"Cancel"</button>
                        <button id="draw-open" on:click=open_editor style:display=move || if draw_mode.get() { "none" } else { "" }>"✎ Draw your own data"</button>
                        <a id="to-collapse" style:display=move || if draw_mode.get() || settings.with(|s| s.choice("dist")) != "drawn" { "none" } else { "" }
                            href=move || present::href(&format!("/collapse?dist=drawn&drawing={}", settings.with(|s| s.text("drawing"))))>"Open in the mode-collapse lab"</a>
                    </div>
                    <figure class="dstar" style:display=move || if view_on("dstar")() { "" } else { "none" }>
                        <div class="dstar-pair" data-view="dstar" data-view-label="Optimal discriminator D*">
                            <canvas id=layers::DSTAR width=crate::core::toy::HEATMAP_RES height=crate::core::toy::HEATMAP_RES role="img"
                                aria-label="The optimal discriminator D*(x) = p_data / (p_data + p_g)"></canvas>
                        </div>
                        <figcaption>
                            "D*(x) = p_data(x) / (p_data(x) + p_g(x)), p_g by a kernel density of the generated dots. "
                            "Mean |D − D*| over real and generated samples: " <b id="d-gap">{move || readout.with(|r| fmt(r.as_ref().and_then(|r| r.d_gap), 3))}</b>
                            {move || readout.with(|r| r.as_ref().is_some_and(|r| r.d_gap.is_none())).then(|| " (this loss's D is a critic, not a probability)")}
                        </figcaption>
                    </figure>
                    <p class="readout">
                        "JSD " <b id="jsd">{move || readout.with(|r| fmt(r.as_ref().map(|r| r.divergences.jsd), 3))}</b>
                        " · KL " <b id="kl">{move || readout.with(|r| fmt(r.as_ref().map(|r| r.divergences.kl), 3))}</b>
                        " · 2·JSD − log 4 " <b>{move || readout.with(|r| fmt(r.as_ref().map(|r| r.value_at_optimum), 3))}</b>
                        " · V(D, G) " <b>{move || readout.with(|r| fmt(r.as_ref().and_then(|r| r.value_d), 3))}</b>
                    </p>
                </figure>
                <div class="side">
                    <div class="math" id="toy-math">
                        <div inner_html=move || formulas.get().0></div>
                        <div inner_html=move || formulas.get().1></div>
                        <p>{move || formulas.get().2}</p>
                    </div>
                    <div class="chart-duo">
                        <figure class="chart" data-view="loss" data-view-label="Loss chart"><canvas id="toy-loss" role="img" aria-label="Discriminator and generator loss over training steps"></canvas></figure>
                        <figure class="chart" data-view="divergences" data-view-label="Divergence chart"><canvas id="toy-div" role="img" aria-label="Jensen–Shannon and KL divergence between real and generated samples over training steps"></canvas></figure>
                    </div>
                    <figure class="chart" data-view="value" data-view-label="Value-of-the-game chart"><canvas id="toy-value" role="img" aria-label="Value of the game for the learned D, and 2·JSD − log 4"></canvas>
                        <figcaption>"At the optimal D*, the value of the game V(D, G) is 2·JSD − log 4 (Goodfellow et al. 2014); a learned D's value approaches it from below as D nears D*."</figcaption>
                    </figure>
                    <div class="settings-panel">
                        <fieldset><legend>"Data and model"</legend><SettingsForm settings=settings keys=DATA_KEYS notices=notices/></fieldset>
                        <fieldset><legend>"Loss and stabilisers"</legend><SettingsForm settings=settings keys=LOSS_KEYS notices=notices/></fieldset>
                        <fieldset><legend>"Optimisation"</legend><SettingsForm settings=settings keys=OPTIM_KEYS notices=notices/></fieldset>
                        <fieldset><legend>"Run"</legend><SettingsForm settings=settings keys=RUN_KEYS notices=notices/></fieldset>
                    </div>
                </div>
            </div>
        </section>
    }
}
