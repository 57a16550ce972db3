//! `/collapse`: the mode-collapse lab. Two runs of the toy GAN train in lockstep on the same
//! data and seed — A the baseline, B with remedies — drawn side by side, each with its mode
//! markers (captured: green ring, missed: red), the papers' metrics live, a per-mode bar
//! chart, modes captured / high-quality % / reverse KL over time, and a mode-hopping strip.
//!
//! On the CPU backend both runs train in a Web Worker (`remote.rs`, `web::worker`); on WebGPU,
//! or where no worker starts, on the page's thread.
//!
//! Read top to bottom: the trainer glue, the metric trace, the controller (buttons and API),
//! the drawing, then the Leptos view. The engine is `crate::core::collapse`.

pub mod remote;

use crate::core::collapse::{collapse_settings, modes, run_config, Pair, PairSnapshot, Run, PRESETS, RUN_KEYS};
use crate::core::data::Dist;
use crate::core::loss::GanLoss;
use crate::core::presentation::csv_table;
use crate::core::modes::{mode_metrics, Mode, ModeMetrics, HQ_SIGMAS};
use crate::core::settings::Settings;
use crate::core::toy::live_change;
use crate::draw::{Frame, Raster, Rgb, FAKE, REAL};
use crate::web::api::{self, Demo, Status};
use crate::web::backend::{self, Compute};
use crate::web::chart::{bar_chart, line_chart, Bars, Series};
use crate::web::controls::{commit_setting, write_link, NoticeList, SettingsForm, Transport, UndoButton, UndoSlot};
use crate::web::js;
use crate::web::present::dialogs::{hidden_part, EmbedBar};
use crate::web::scheduler::{Pending, Rates, Runner, NextRun, Trainer};
use crate::web::worker::{self, RemoteRunner, TrainingWorker, WorkerSlot, IN_WORKER};
use crate::web::toy::layers::{self as toy_layers, put_raster};
use crate::web::toy::remote::real_view as remote_real_view;
use leptos::prelude::*;
use plotters::style::RGBColor;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::JsValue;

impl Trainer for Pair {
    type Snapshot = PairSnapshot;
    fn train_step(&mut self) {
        Pair::train_step(self)
    }
    fn step_count(&self) -> u64 {
        self.a.step
    }
    fn snapshot(&self, full: bool) -> Pending<PairSnapshot> {
        Box::pin(Pair::snapshot(self, full))
    }
}

/// Both runs, on the page's thread or in the training worker.
type Training = worker::Run<Pair>;
type SavedRun = worker::SavedRun<Pair>;

/// This page's name for its training worker (`web::worker::worker_main`).
const DEMO: &str = "collapse";

/// Canvas ids of one run's panel.
struct PanelIds {
    heat: &'static str,
    points: &'static str,
    strip: &'static str,
}

const PANELS: [PanelIds; 2] = [
    PanelIds { heat: "collapse-heat-a", points: "collapse-points-a", strip: "collapse-strip-a" },
    PanelIds { heat: "collapse-heat-b", points: "collapse-points-b", strip: "collapse-strip-b" },
];
const COLORS: [RGBColor; 2] = [RGBColor(0x75, 0x3a, 0xa8), RGBColor(0xd9, 0x5f, 0x02)];
const CAPTURED: Rgb = [0x1b, 0x7a, 0x3d];
const MISSED: Rgb = [0xd9, 0x30, 0x25];

/// Metrics over training for both runs, at an even spacing in steps: when full, every other
/// entry goes and the spacing doubles, so the trace always spans the whole run.
struct Trace {
    stride: u64,
    step: Vec<f64>,
    captured: [Vec<f64>; 2],
    hq: [Vec<f64>; 2],
    kl: [Vec<f64>; 2],
    /// Per entry, which modes hold a high-quality sample (the mode-hopping strip).
    covered: [Vec<Vec<bool>>; 2],
}

impl Trace {
    const CAP: usize = 400;

    fn new() -> Self {
        Self { stride: 10, step: Vec::new(), captured: Default::default(), hq: Default::default(), kl: Default::default(), covered: Default::default() }
    }

    fn csv(&self) -> String {
        let columns: Vec<&[f64]> = vec![&self.step, &self.captured[0], &self.hq[0], &self.kl[0], &self.captured[1], &self.hq[1], &self.kl[1]];
        csv_table(&["step", "a_modes_captured", "a_high_quality_percent", "a_reverse_kl", "b_modes_captured", "b_high_quality_percent", "b_reverse_kl"], &columns)
    }

    fn push(&mut self, step: u64, metrics: &[Option<ModeMetrics>; 2]) {
        if self.step.last().is_some_and(|&s| (step as f64) < s + self.stride as f64) {
            return;
        }
        self.step.push(step as f64);
        for (i, m) in metrics.iter().enumerate() {
            let nan = f64::NAN;
            self.captured[i].push(m.as_ref().map_or(nan, |m| m.captured as f64));
            self.hq[i].push(m.as_ref().map_or(nan, |m| 100.0 * m.hq_fraction));
            self.kl[i].push(m.as_ref().map_or(nan, |m| m.reverse_kl));
            self.covered[i].push(m.as_ref().map(ModeMetrics::covered).unwrap_or_default());
        }
        if self.step.len() > Self::CAP {
            fn halve<T: Clone>(v: &mut Vec<T>) {
                *v = v.iter().step_by(2).cloned().collect();
            }
            halve(&mut self.step);
            for i in 0..2 {
                halve(&mut self.captured[i]);
                halve(&mut self.hq[i]);
                halve(&mut self.kl[i]);
                halve(&mut self.covered[i]);
            }
            self.stride *= 2;
        }
    }

    fn series(&self, column: &[Vec<f64>; 2], run: usize) -> Vec<(f64, f64)> {
        self.step.iter().copied().zip(column[run].iter().copied()).filter(|p| p.1.is_finite()).collect()
    }
}

/// Fixed for a run: its modes, the view square and the fixed real samples.
struct Scene {
    modes: Vec<Mode>,
    radius: f32,
    real: Vec<f32>,
}

const CHART_INTERVAL_MS: f64 = 250.0;

pub struct CollapseController {
    settings: RwSignal<Settings>,
    notices: RwSignal<Vec<String>>,
    status: RwSignal<Status>,
    /// Latest metrics of A and B (None: B is off, or nothing measured yet).
    metrics: RwSignal<[Option<ModeMetrics>; 2]>,
    compute: Rc<RefCell<Option<Compute>>>,
    runner: RefCell<Option<Training>>,
    /// The training worker for CPU runs.
    worker: WorkerSlot,
    /// The settings the runs in the worker have now (for `live_change`).
    worker_settings: RefCell<Option<Settings>>,
    scene: RefCell<Option<Scene>>,
    trace: RefCell<Trace>,
    last: RefCell<Option<PairSnapshot>>,
    generation: Cell<u64>,
    last_chart_ms: Cell<f64>,
    chart_turn: Cell<usize>,
    /// `reset()` promises and `step(n)` calls waiting for the run being built.
    next_run: NextRun,
    undo: UndoSlot<SavedRun>,
    /// A readback failed while training ran (a lost GPU shows up this way before its
    /// `lost` event): the CPU run that replaces it should run too.
    failed_while_running: Cell<bool>,
    this: Weak<CollapseController>,
}

impl CollapseController {
    fn new(settings: RwSignal<Settings>, notices: RwSignal<Vec<String>>, status: RwSignal<Status>) -> Rc<Self> {
        Rc::new_cyclic(|this| Self {
            settings,
            notices,
            status,
            metrics: RwSignal::new([None, None]),
            compute: Rc::new(RefCell::new(None)),
            runner: RefCell::new(None),
            worker: WorkerSlot::default(),
            worker_settings: RefCell::new(None),
            scene: RefCell::new(None),
            trace: RefCell::new(Trace::new()),
            last: RefCell::new(None),
            generation: Cell::new(0),
            last_chart_ms: Cell::new(f64::MIN),
            chart_turn: Cell::new(0),
            next_run: NextRun::default(),
            undo: UndoSlot::new(),
            failed_while_running: Cell::new(false),
            this: this.clone(),
        })
    }

    fn runner(&self) -> Option<Training> {
        self.runner.borrow().clone()
    }

    fn stop(&self) {
        if let Some(r) = self.runner.borrow_mut().take() {
            r.stop();
        }
    }

    /// (Re)builds both runs from the settings, acquiring the device first if needed.
    fn restart(&self, running: bool) {
        self.stop();
        // the intent until the runs are built: Play or Pause meanwhile changes it, and the new
        // runs start as the status says then (`wants_running`)
        self.status.update(|s| s.running = running);
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(me) = this.upgrade() else { return };
            let (choice, cache, status, notices) = (me.settings.with_untracked(|s| s.choice("backend")), me.compute.clone(), me.status, me.notices);
            drop(me); // the page may close while the device starts
            let compute = backend::device_for(choice, cache, status, notices).await;
            // a newer restart may have superseded this one
            let Some(me) = this.upgrade().filter(|me| me.generation.get() == generation) else { return };
            let settings = me.settings.get_untracked();
            let size = backend::check_size(compute.kind, pair_flops(&settings));
            let worker = if size.is_ok() { me.worker.for_compute(DEMO, &compute).await } else { None };
            let Some(mut me) = this.upgrade().filter(|me| me.generation.get() == generation) else { return };
            let built = match worker {
                // the worker builds both runs; the page needs run A's real samples
                Some(worker) => {
                    let request = worker.request("new", vec![("query", settings.to_query().into())]);
                    drop(me);
                    let reply = request.await;
                    let Some(again) = this.upgrade().filter(|me| me.generation.get() == generation) else { return };
                    me = again;
                    reply.and_then(|r| remote_real_view(&r)).and_then(|real| Ok((Built::Remote(worker, real), modes_of(&settings)?)))
                }
                None => size.and_then(|_| Pair::new(&settings, &compute.device)).and_then(|pair| {
                    let modes = modes_of(&settings)?;
                    Ok((Built::Local(pair), modes))
                }),
            };
            let (pair, modes) = match built {
                Ok(v) => v,
                Err(e) => {
                    let e = if settings.choice("dist") == "drawn" {
                        format!("{e} This lab has no editor: draw in the toy lab, then follow its “Open in the mode-collapse lab” link.")
                    } else {
                        e
                    };
                    me.status.update(|s| {
                        *s = Status { backend: Some(compute.kind), adapter: compute.adapter.clone(), error: Some(e), ..Status::default() }
                    });
                    me.next_run.settled();
                    return;
                }
            };
            let running = me.wants_running();
            match pair {
                Built::Local(pair) => me.install(pair, modes, &compute, running),
                Built::Remote(worker, real) => me.install_remote(worker, real, modes, &settings, &compute, running),
            }
        });
    }

    /// Whether runs being built should start playing: Play and Pause pressed while a
    /// (re)start is under way set the status, and the new runs follow it.
    fn wants_running(&self) -> bool {
        self.status.with_untracked(|s| s.running)
    }

    /// Starts the training loop on `pair` (a fresh pair, or one put back by undo).
    fn install(&self, pair: Pair, modes: Vec<Mode>, compute: &Compute, running: bool) {
        self.clear_views(Scene { radius: pair.a.config.dist.view_radius(), real: pair.a.real_view.clone(), modes }, compute, running);
        *self.runner.borrow_mut() = Some(Training::Local(Runner::start_for(pair, running, compute.blocking_steps(), self.this.clone(), Self::on_frame)));
        self.next_run.installed(|n| self.step(n));
    }

    /// The same for the runs just built in `worker` from `settings`.
    fn install_remote(&self, worker: Rc<TrainingWorker>, real: Vec<f32>, modes: Vec<Mode>, settings: &Settings, compute: &Compute, running: bool) {
        let radius = run_config(settings, Run::A).dist.view_radius();
        self.clear_views(Scene { radius, real, modes }, compute, running);
        self.status.update(|s| s.adapter = format!("{}{IN_WORKER}", compute.adapter));
        *self.worker_settings.borrow_mut() = Some(settings.clone());
        *self.runner.borrow_mut() = Some(Training::Remote(RemoteRunner::start_for(worker, running, remote::decode, self.this.clone(), Self::on_frame)));
        self.next_run.installed(|n| self.step(n));
    }

    /// Stops the old loop and empties what it drew, for new runs in `scene`.
    fn clear_views(&self, scene: Scene, compute: &Compute, running: bool) {
        self.stop();
        *self.scene.borrow_mut() = Some(scene);
        *self.trace.borrow_mut() = Trace::new();
        *self.last.borrow_mut() = None;
        self.metrics.set([None, None]);
        for ids in &PANELS {
            toy_layers::clear(ids.heat);
        }
        self.status.update(|s| {
            *s = Status { backend: Some(compute.kind), adapter: compute.adapter.clone(), running, ..Status::default() };
        });
    }

    /// Keeps what a change is about to replace: the settings, and both runs as they are now
    /// unless they have diverged (then undo rebuilds from the settings).
    fn remember(&self, before: Settings) {
        let healthy = self.status.with_untracked(|s| s.error.is_none());
        let saved = self.runner().filter(|_| healthy).map(|run| match run {
            Training::Local(r) => SavedRun::Local(r.trainer().borrow().clone()),
            Training::Remote(r) => {
                r.worker().tell("remember", vec![]);
                SavedRun::Remote(r.worker().clone())
            }
        });
        self.undo.remember(before, saved);
    }

    fn on_frame(&self, snapshot: Option<Result<PairSnapshot, String>>, rates: Rates) {
        let mut error = None;
        if let Some(result) = snapshot {
            match result {
                Ok(snap) => {
                    let what = [("A", Some(&snap.a)), ("B", snap.b.as_ref())]
                        .into_iter()
                        .find_map(|(name, run)| Some(format!("run {name}: {}", run?.divergence()?)));
                    if let Some(what) = what {
                        error = Some(format!(
                            "Training diverged at step {}: {what}, so training was paused. \
                             Press “Undo last change” to go back to the runs before your last change, or lower the learning rates \
                             of the run that diverged and press Reset.",
                            snap.a.step
                        ));
                    }
                    let metrics = self.measure(&snap);
                    self.trace.borrow_mut().push(snap.a.step, &metrics);
                    self.metrics.set(metrics);
                    self.status.update(|s| {
                        s.step = snap.a.step;
                        s.loss_d = Some(snap.a.loss_d);
                        s.loss_g = Some(snap.a.loss_g);
                    });
                    *self.last.borrow_mut() = Some(snap);
                    let paused = !self.runner().is_some_and(|r| r.running());
                    self.draw(paused);
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
            s.running = running;
            s.steps_per_sec = if running { rates.steps_per_sec } else { 0.0 };
            s.fps = rates.fps;
            s.metrics = rates.metrics(self.runner().is_some_and(|r| r.in_worker()));
            if error.is_some() {
                s.error = error;
            }
        });
    }

    /// The papers' metrics on each run's 2,500 fixed-noise samples.
    /// Each run's loss in force (the heatmap shows D as a probability where the loss has one).
    fn losses(&self) -> [GanLoss; 2] {
        self.settings.with_untracked(|s| ["loss", "bLoss"].map(|k| GanLoss::parse(s.choice(k)).unwrap_or(GanLoss::NonSaturating)))
    }

    fn measure(&self, snap: &PairSnapshot) -> [Option<ModeMetrics>; 2] {
        let scene = self.scene.borrow();
        let Some(scene) = scene.as_ref() else { return [None, None] };
        [Some(mode_metrics(&snap.a.fake, &scene.modes)), snap.b.as_ref().map(|b| mode_metrics(&b.fake, &scene.modes))]
    }

    // ---- drawing

    fn draw(&self, force_charts: bool) {
        let last = self.last.borrow();
        let scene = self.scene.borrow();
        let (Some(snap), Some(scene)) = (last.as_ref(), scene.as_ref()) else { return };
        let metrics = self.metrics.get_untracked();
        let losses = self.losses();
        let frame = Frame { radius: scene.radius };
        for (i, run) in [Some(&snap.a), snap.b.as_ref()].into_iter().enumerate() {
            let ids = &PANELS[i];
            let Some(run) = run else {
                toy_layers::clear(ids.points);
                toy_layers::clear(ids.heat);
                continue;
            };
            if let Some(full) = &run.full {
                toy_layers::heat(ids.heat, &full.d_grid, losses[i]);
            }
            let covered = metrics[i].as_ref().map(ModeMetrics::covered).unwrap_or_default();
            toy_layers::paint_layer(ids.points, |r, dpr| {
                r.points(frame, &scene.real, REAL, 1.5 * dpr, 0.35);
                r.points(frame, &run.fake, FAKE, 1.6 * dpr, 0.6);
                // each mode's 3σ disc (at least 6 px, so the tight ring's modes stay visible)
                for (m, mode) in scene.modes.iter().enumerate() {
                    let sd = match mode {
                        Mode::Gauss { sd, .. } => sd[0].max(sd[1]),
                        Mode::Stroke { sd, .. } => *sd,
                    };
                    let px = (HQ_SIGMAS * sd / (2.0 * scene.radius) * r.width as f32).max(6.0 * dpr);
                    let color = if covered.get(m).copied().unwrap_or(false) { CAPTURED } else { MISSED };
                    r.circle(frame, mode.centre(), px, color, 0.9);
                }
            });
        }
        let now = js::now_ms();
        if force_charts || now - self.last_chart_ms.get() >= CHART_INTERVAL_MS {
            self.last_chart_ms.set(now);
            self.draw_charts(force_charts, scene.modes.len(), &metrics);
        }
    }

    /// The strips every time; the charts one per refresh in turn (all of them when `all`).
    fn draw_charts(&self, all: bool, modes: usize, metrics: &[Option<ModeMetrics>; 2]) {
        let trace = self.trace.borrow();
        for (i, ids) in PANELS.iter().enumerate() {
            if let Some(canvas) = js::canvas_by_id(ids.strip) {
                let color = if i == 0 { FAKE } else { [0xd9, 0x5f, 0x02] };
                // one pixel per cell; CSS stretches it (pixelated) across the panel
                let strip = Raster::strip(&trace.covered[i], modes, color);
                canvas.set_width(strip.width as u32);
                canvas.set_height(strip.height as u32);
                put_raster(&canvas, &strip);
            }
        }
        let names = ["A", "B"];
        let turn = self.chart_turn.get();
        self.chart_turn.set((turn + 1) % 4);
        let lines = [("collapse-modes", &trace.captured), ("collapse-hq", &trace.hq), ("collapse-kl", &trace.kl)];
        for (k, (id, column)) in lines.into_iter().enumerate() {
            if !all && turn != k {
                continue;
            }
            let Some(canvas) = js::canvas_by_id(id) else { continue };
            let data: Vec<Vec<(f64, f64)>> = (0..2).map(|run| trace.series(column, run)).collect();
            let series: Vec<Series> = data
                .iter()
                .enumerate()
                .filter(|(_, p)| !p.is_empty())
                .map(|(run, points)| Series { name: names[run], color: COLORS[run], points })
                .collect();
            if let Err(e) = line_chart(&canvas, "step", &series) {
                web_sys::console::warn_1(&format!("{id}: {e}").into());
            }
        }
        if all || turn == 3 {
            if let Some(canvas) = js::canvas_by_id("collapse-bars") {
                let counts: Vec<Vec<f64>> =
                    metrics.iter().map(|m| m.as_ref().map(|m| m.nearest.iter().map(|&c| c as f64).collect()).unwrap_or_default()).collect();
                let bars: Vec<Bars> = counts
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(run, values)| Bars { name: names[run], color: COLORS[run], values })
                    .collect();
                let total = metrics[0].as_ref().map_or(0, |m| m.nearest.iter().sum::<usize>());
                let reference = (modes > 0 && total > 0).then(|| total as f64 / modes as f64);
                if let Err(e) = bar_chart(&canvas, "mode", &bars, reference) {
                    web_sys::console::warn_1(&format!("collapse-bars: {e}").into());
                }
            }
        }
    }

    fn apply_preset(&self, key: &str) {
        let Some(p) = PRESETS.iter().find(|p| p.key == key) else { return };
        let (backend, dist, seed) = self.settings.with_untracked(|s| (s.choice("backend"), s.choice("dist"), s.text("seed")));
        let (mut s, notices) = Settings::from_query(collapse_settings(), p.query);
        // a preset is about the remedy: it keeps the data set, the seed and the backend
        let _ = (s.set("backend", backend), s.set("dist", dist), s.set("seed", &seed));
        self.remember(self.settings.get_untracked());
        self.notices.update(|n| n.extend(notices));
        self.settings.set(s);
        write_link(self.settings);
        self.status.update(|s| s.error = None);
        self.restart(self.status.get_untracked().running);
    }

    fn metrics_js(m: &Option<ModeMetrics>) -> JsValue {
        let Some(m) = m else { return JsValue::NULL };
        let nearest = js_sys::Array::new();
        for &c in &m.nearest {
            nearest.push(&JsValue::from_f64(c as f64));
        }
        js::object(vec![
            ("captured", JsValue::from_f64(m.captured as f64)),
            ("modes", JsValue::from_f64(m.nearest.len() as f64)),
            ("hqPercent", JsValue::from_f64(100.0 * m.hq_fraction)),
            ("reverseKl", JsValue::from_f64(m.reverse_kl)),
            ("nearest", nearest.into()),
        ])
    }
}

impl Demo for CollapseController {
    fn shutdown(&self) {
        self.generation.set(self.generation.get() + 1);
        self.stop();
        self.worker.release();
    }

    fn status(&self) -> Status {
        self.status.get_untracked()
    }

    fn play(&self) {
        // with no runner the runs are being built: they start playing once they are
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
            // the runs are being built: they take the steps once they are
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
        // sizes the CPU backend cannot train are refused up front
        let check = |before: &Settings, next: &Settings| compute.map_or(Ok(()), |kind| backend::check_change(kind, pair_flops(before), pair_flops(next)));
        let Some(before) = commit_setting(self.settings, key, raw, check)? else { return Ok(()) };
        self.remember(before);
        let running = self.status.get_untracked().running;
        if key == "backend" {
            self.undo.forget_run(); // those runs live on the other device
            *self.compute.borrow_mut() = None;
            self.restart(running);
            return Ok(());
        }
        // Optimiser and loss settings apply to the running networks; anything that changes
        // the data, the networks' shapes or which runs exist starts both runs again.
        let settings = self.settings.get_untracked();
        let live = self.runner().filter(|_| key != "compare").and_then(|run| match run {
            Training::Local(r) => {
                let trainer = r.trainer();
                let mut pair = trainer.borrow_mut();
                let a = pair.a.apply_live(&run_config(&settings, Run::A))?;
                let b = match pair.b.as_mut() {
                    Some(b) => b.apply_live(&run_config(&settings, Run::B))?,
                    None => Vec::new(),
                };
                Some((a, b))
            }
            // decided here, as the worker's runs would decide: both apply or both restart
            Training::Remote(r) => {
                let mut in_worker = self.worker_settings.borrow_mut();
                let old = in_worker.as_ref()?;
                let a = live_change(&run_config(old, Run::A), &run_config(&settings, Run::A))?;
                let b = if old.choice("compare") == "on" { live_change(&run_config(old, Run::B), &run_config(&settings, Run::B))? } else { Vec::new() };
                r.worker().tell("applyLive", vec![("query", settings.to_query().into())]);
                *in_worker = Some(settings.clone());
                Some((a, b))
            }
        });
        match live {
            Some((a, b)) => {
                let tag = |run: &'static str, notes: Vec<String>| notes.into_iter().map(move |n| format!("Run {run}: {n}"));
                self.notices.update(|n| n.extend(tag("A", a).chain(tag("B", b))));
                if let Some(r) = self.runner() {
                    r.request_publish();
                }
            }
            None => {
                self.status.update(|s| s.error = None);
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
            Training::Local(r) => api::points_promise(r.trainer().borrow_mut().a.samples(n)),
            Training::Remote(r) => {
                let pending = r.worker().request("samples", vec![("n", JsValue::from_f64(n as f64))]);
                api::points_promise(async move { pending.await.and_then(|reply| crate::web::toy::remote::points(&reply)) })
            }
        }
    }

    fn device_lost(&self) {
        if self.compute.borrow().as_ref().is_some_and(|c| c.kind == "webgpu") {
            *self.compute.borrow_mut() = None;
            self.undo.forget_run(); // their tensors were on that device
            self.restart(self.status.get_untracked().running || self.failed_while_running.take());
        }
    }

    fn undo(&self) -> Result<(), String> {
        let (settings, saved) = self.undo.take()?;
        self.settings.set(settings.clone());
        write_link(self.settings);
        let compute = self.compute.borrow().clone();
        let (Some(saved), Some(compute), Ok(modes)) = (saved, compute, modes_of(&settings)) else {
            self.restart(false);
            return Ok(());
        };
        match saved {
            // both runs as they were, paused, so the lecture can look before playing on
            SavedRun::Local(pair) => self.install(pair, modes, &compute, false),
            SavedRun::Remote(worker) => {
                self.stop();
                self.status.update(|s| s.running = false);
                let (this, generation) = (self.this.clone(), self.generation.get() + 1);
                self.generation.set(generation);
                let request = worker.request("restore", vec![]);
                wasm_bindgen_futures::spawn_local(async move {
                    let reply = request.await;
                    let Some(me) = this.upgrade().filter(|me| me.generation.get() == generation) else { return };
                    match reply.and_then(|r| remote_real_view(&r)) {
                        Ok(real) => me.install_remote(worker, real, modes, &settings, &compute, me.wants_running()),
                        Err(e) => {
                            me.notices.update(|n| n.push(format!("Undo could not put the runs back ({e}); they start again from the settings.")));
                            me.restart(false);
                        }
                    }
                });
            }
        }
        Ok(())
    }

    fn redraw(&self) {
        self.draw(true);
    }

    fn history_csv(&self) -> Option<String> {
        let trace = self.trace.borrow();
        (!trace.step.is_empty()).then(|| trace.csv())
    }

    /// Both runs' latest metrics: `{ a: {captured, modes, hqPercent, reverseKl, nearest}, b }`
    /// (b null when only A trains), and the trace length.
    fn report(&self) -> JsValue {
        let m = self.metrics.get_untracked();
        js::object(vec![
            ("a", Self::metrics_js(&m[0])),
            ("b", Self::metrics_js(&m[1])),
            ("traceLength", JsValue::from_f64(self.trace.borrow().step.len() as f64)),
        ])
    }
}

/// One iteration of the pair: A's, plus B's when it trains.
/// Runs just built: here, or in the worker (with run A's fixed real samples).
enum Built {
    Local(Pair),
    Remote(Rc<TrainingWorker>, Vec<f32>),
}

/// The modes the metrics count, for run A's data set.
fn modes_of(settings: &Settings) -> Result<Vec<Mode>, String> {
    modes(&run_config(settings, Run::A)).ok_or_else(|| "This data set has no modes to count.".to_string())
}

fn pair_flops(s: &Settings) -> f64 {
    let runs: &[Run] = if s.choice("compare") == "on" { &[Run::A, Run::B] } else { &[Run::A] };
    runs.iter().map(|&run| run_config(s, run).iteration_flops()).sum()
}

const DATA_KEYS: &[&str] = &["dist", "latentDim", "gLayers", "gWidth", "dLayers", "dWidth", "batch"];
const RUN_KEYS_SHARED: &[&str] = &["seed", "backend"];

/// Run A's or run B's remedy keys, as the static list the settings form takes.
fn run_keys(run: Run) -> &'static [&'static str] {
    static KEYS: std::sync::OnceLock<[Vec<&'static str>; 2]> = std::sync::OnceLock::new();
    let keys = KEYS.get_or_init(|| [RUN_KEYS.iter().map(|k| k.0).collect(), RUN_KEYS.iter().map(|k| k.1).collect()]);
    &keys[if run == Run::A { 0 } else { 1 }]
}

#[component]
pub fn CollapsePage() -> impl IntoView {
    let search = js::window().location().search().unwrap_or_default();
    let (initial, url_notices) = Settings::from_query(collapse_settings(), &search);
    let settings = RwSignal::new(initial);
    let notices = RwSignal::new(url_notices);
    let status = RwSignal::new(Status::default());
    let controller = CollapseController::new(settings, notices, status);
    write_link(settings);
    let token = api::register(controller.clone());
    controller.restart(false);
    on_cleanup(move || api::unregister(token));

    let metrics = controller.metrics;
    let backend_line = move || status.with(Status::backend_line);
    let compare = move || settings.with(|s| s.choice("compare") == "on");
    let c = controller.clone();
    let preset_lesson = RwSignal::new(String::new());
    let choose_preset = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        preset_lesson.set(PRESETS.iter().find(|p| p.key == key).map(|p| format!("{}: {}", p.title, p.lesson)).unwrap_or_default());
        c.apply_preset(&key);
    };
    let readout = move |run: usize| {
        move || {
            metrics.with(|m| match &m[run] {
                Some(m) => format!(
                    "{} of {} modes · {:.1} % high quality · reverse KL {:.2}",
                    m.captured,
                    m.nearest.len(),
                    100.0 * m.hq_fraction,
                    m.reverse_kl
                ),
                None => "–".to_string(),
            })
        }
    };
    let remedies = move |run: Run| {
        move || {
            let c = run_config(&settings.get(), run);
            let mut parts = Vec::new();
            if c.unroll > 0 {
                parts.push(format!("unrolled D ×{}", c.unroll));
            }
            if c.pack > 1 {
                parts.push(format!("packing m = {}", c.pack));
            }
            if c.minibatch_std {
                parts.push("minibatch std".into());
            }
            if c.spectral_norm {
                parts.push("spectral norm".into());
            }
            if c.label_smoothing > 0.0 {
                parts.push(format!("label smoothing {}", c.label_smoothing));
            }
            if c.instance_noise > 0.0 {
                parts.push(format!("instance noise {}", c.instance_noise));
            }
            let loss = GanLoss::NAMES[c.loss as usize];
            format!("{loss} loss{}{}", if parts.is_empty() { "" } else { ", " }, parts.join(", "))
        }
    };
    let dist_note = move || {
        settings.with(|s| match Dist::parse(s.choice("dist")) {
            Some(Dist::Ring8) => "8 Gaussians on the unit circle, σ = 0.01 (PacGAN's 2D-ring).",
            Some(Dist::Ring8Wide) => "8 Gaussians on the unit circle, σ = 0.05 (wider, for teaching).",
            Some(Dist::Grid25) => "25 Gaussians at {−4, −2, 0, 2, 4}², σ = 0.05 (PacGAN's 2D-grid).",
            _ => "Your drawing: each stroke is a mode (draw it in the toy lab and follow its link here).",
        })
    };

    view! {
        <section class="demo collapse">
            <header class="demo-head">
                <h1>"Mode-collapse lab"</h1>
                <p>
                    "Two GANs with the same networks, data and seed train side by side: A is the baseline, B adds a remedy. "
                    "Rings mark the modes — green when the generator puts a high-quality sample there (within 3σ), red when it misses. "
                    "The numbers are the ones VEEGAN and PacGAN report, on 2,500 generated samples."
                </p>
            </header>
            <NoticeList notices=notices/>
            {move || status.with(|s| s.error.clone()).map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="toolbar">
                <Transport status=status reset_label="Reset both"/>
                <UndoButton can_undo=controller.undo.can_undo notices=notices/>
                <label class="preset" hidden=hidden_part("presets")>
                    <span class="sr-only">"Preset"</span>
                    <select id="preset" on:change=choose_preset>
                        <option value="">"Presets…"</option>
                        {PRESETS.iter().map(|p| view! { <option value=p.key>{p.title}</option> }).collect_view()}
                    </select>
                </label>
                <span class="stats" aria-live="off" hidden=hidden_part("stats")>
                    <span>"step " <b id="stat-step">{move || status.with(|s| s.step)}</b></span>
                    <span><b id="stat-rate">{move || status.with(|s| format!("{:.0}", s.steps_per_sec))}</b>" steps/s"</span>
                    <span><b id="stat-fps">{move || status.with(|s| format!("{:.0}", s.fps))}</b>" fps"</span>
                </span>
                <EmbedBar/>
            </div>
            {move || (!preset_lesson.get().is_empty()).then(|| view! { <p class="lesson" id="preset-lesson">{preset_lesson.get()}</p> })}
            <p class="backend">"Backend: " <span id="backend">{backend_line}</span> " · " {dist_note}</p>
            <div class="ab">
                {[Run::A, Run::B].into_iter().enumerate().map(|(i, run)| {
                    let ids = &PANELS[i];
                    let name = if run == Run::A { "A" } else { "B" };
                    view! {
                        <figure class="run" class:off=move || run == Run::B && !compare() data-run=name data-view=format!("run-{}", name.to_lowercase()) data-view-label=format!("Run {name}")>
                            <figcaption class="run-head">
                                <b>{format!("Run {name}")}</b>
                                <span class="remedies">{remedies(run)}</span>
                            </figcaption>
                            <div class="field-stack">
                                <canvas id=ids.heat class="heat" width=crate::core::toy::HEATMAP_RES height=crate::core::toy::HEATMAP_RES aria-hidden="true"></canvas>
                                <canvas id=ids.points role="img" aria-label=format!("Run {name}: real samples (green), generated samples (purple) and mode markers over D(x)")></canvas>
                            </div>
                            <p class="readout" id=format!("readout-{}", name.to_lowercase())>
                                {move || if run == Run::B && !compare() { "Run B is off: tick “Train run B beside A”.".to_string() } else { readout(i)() }}
                            </p>
                            <canvas id=ids.strip class="strip" role="img" aria-label=format!("Run {name}: which modes hold a high-quality sample over time (rows: modes, columns: time)")></canvas>
                        </figure>
                    }
                }).collect_view()}
            </div>
            <p class="caption-line">
                <span class="key real">"real"</span>
                <span class="key fake">"generated"</span>
                <span class="key heat">"D(x)"</span>
                " Strips: one row per mode, time to the right; a filled cell means the mode held a high-quality sample then — a generator that hops from mode to mode draws a staircase."
            </p>
            <div class="chart-duo">
                <figure class="chart" data-view="modes-bars" data-view-label="Samples per mode chart"><canvas id="collapse-bars" role="img" aria-label="Generated samples nearest each mode, runs A and B"></canvas>
                    <figcaption>"Samples nearest each mode (of 2,500); the dashed line is an equal share."</figcaption></figure>
                <figure class="chart" data-view="modes-captured" data-view-label="Modes captured chart"><canvas id="collapse-modes" role="img" aria-label="Modes captured over training, runs A and B"></canvas>
                    <figcaption>"Modes captured: modes nearest at least one high-quality sample."</figcaption></figure>
                <figure class="chart" data-view="high-quality" data-view-label="High-quality % chart"><canvas id="collapse-hq" role="img" aria-label="High-quality samples in percent over training, runs A and B"></canvas>
                    <figcaption>"High-quality %: samples within 3σ of their nearest mode (exact data: 98.9 %)."</figcaption></figure>
                <figure class="chart" data-view="reverse-kl" data-view-label="Reverse KL chart"><canvas id="collapse-kl" role="img" aria-label="Reverse KL between the generated mode histogram and the uniform one, runs A and B"></canvas>
                    <figcaption>"Reverse KL of the mode histogram to uniform (0: every mode its share; ln K: one mode)."</figcaption></figure>
            </div>
            <div class="collapse-settings settings-panel">
                <fieldset><legend>"Data and networks (both runs)"</legend><SettingsForm settings=settings keys=DATA_KEYS notices=notices/></fieldset>
                <fieldset class="run-a"><legend>"Run A"</legend><SettingsForm settings=settings keys=run_keys(Run::A) notices=notices/></fieldset>
                <fieldset class="run-b"><legend>"Run B"</legend><SettingsForm settings=settings keys=&["compare"] notices=notices/><SettingsForm settings=settings keys=run_keys(Run::B) notices=notices/></fieldset>
                <fieldset><legend>"Run"</legend><SettingsForm settings=settings keys=RUN_KEYS_SHARED notices=notices/></fieldset>
            </div>
            <p class="note">
                "Unrolling here is first order: G's gradient is taken against D advanced k steps, without differentiating through those steps "
                "(burn's autodiff is first order), so it is weaker than the paper's. Every run uses Adam (β2 = 0.99)."
            </p>
        </section>
    }
}
