//! `/toy`: the toy 2-D lab. A generator learns a 2-D distribution against a discriminator;
//! the page draws real and generated samples over D(x), the loss curves, and the controls.
//!
//! Read top to bottom: the controller (what the buttons and the API do), the per-frame
//! drawing, then the Leptos view.

use crate::core::settings::Settings;
use crate::core::toy::{ToyConfig, ToyGan, ToySnapshot, HEATMAP_RES, TOY_SETTINGS};
use crate::draw::{Frame, Raster, FAKE, REAL};
use crate::web::api::{self, Demo, Status};
use crate::web::backend::{self, Compute};
use crate::web::chart::{line_chart, Series};
use crate::web::controls::{commit_setting, write_link, NoticeList, SettingsForm, Transport};
use crate::web::js;
use crate::web::scheduler::{Pending, Rates, Runner, Trainer};
use leptos::prelude::*;
use plotters::style::RGBColor;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::JsValue;

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

/// Loss history for the chart, thinned by half whenever it fills so it spans the whole run.
#[derive(Default)]
struct LossHistory {
    d: Vec<(f64, f64)>,
    g: Vec<(f64, f64)>,
}

impl LossHistory {
    const CAP: usize = 2000;
    fn push(&mut self, step: u64, d: f32, g: f32) {
        if self.d.last().is_some_and(|p| p.0 >= step as f64) {
            return;
        }
        self.d.push((step as f64, d as f64));
        self.g.push((step as f64, g as f64));
        if self.d.len() > Self::CAP {
            for v in [&mut self.d, &mut self.g] {
                *v = v.iter().copied().step_by(2).collect();
            }
        }
    }
}

const CHART_INTERVAL_MS: f64 = 250.0;

pub struct ToyController {
    settings: RwSignal<Settings>,
    notices: RwSignal<Vec<String>>,
    status: RwSignal<Status>,
    compute: RefCell<Option<Compute>>,
    runner: RefCell<Option<Runner<ToyGan>>>,
    history: RefCell<LossHistory>,
    real_view: RefCell<Vec<f32>>,
    radius: Cell<f32>,
    /// Bumped by every (re)start, so a slow device start cannot install a stale run.
    generation: Cell<u64>,
    last_chart_ms: Cell<f64>,
    /// Promises from reset() waiting for the new run's first frame.
    first_frame: RefCell<Vec<js_sys::Function>>,
    this: Weak<ToyController>,
}

impl ToyController {
    fn new(settings: RwSignal<Settings>, notices: RwSignal<Vec<String>>, status: RwSignal<Status>) -> Rc<Self> {
        Rc::new_cyclic(|this| Self {
            settings,
            notices,
            status,
            compute: RefCell::new(None),
            runner: RefCell::new(None),
            history: RefCell::new(LossHistory::default()),
            real_view: RefCell::new(Vec::new()),
            radius: Cell::new(1.0),
            generation: Cell::new(0),
            last_chart_ms: Cell::new(0.0),
            first_frame: RefCell::new(Vec::new()),
            this: this.clone(),
        })
    }

    fn stop(&self) {
        if let Some(r) = self.runner.borrow_mut().take() {
            r.stop();
        }
    }

    /// (Re)builds the run from the current settings, acquiring the device first if the
    /// backend setting changed. Keeps playing if it was playing.
    fn restart(&self, running: bool) {
        self.stop();
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(me) = this.upgrade() else { return };
            let choice = me.settings.with_untracked(|s| s.choice("backend"));
            let have = me.compute.borrow().clone().filter(|c| choice == "auto" || c.kind == choice);
            let compute = match have {
                Some(c) => c,
                None => {
                    me.status.update(|s| (s.backend, s.adapter) = (None, "starting…".into()));
                    drop(me);
                    let c = backend::acquire(choice).await;
                    let Some(me2) = this.upgrade() else { return };
                    if let Some(n) = &c.notice {
                        me2.notices.update(|v| v.push(n.clone()));
                    }
                    *me2.compute.borrow_mut() = Some(c.clone());
                    c
                }
            };
            let Some(me) = this.upgrade() else { return };
            if me.generation.get() != generation {
                return; // a newer restart superseded this one
            }
            let config = ToyConfig::from_settings(&me.settings.get_untracked());
            me.radius.set(config.dist.view_radius());
            let gan = ToyGan::new(config, &compute.device);
            *me.real_view.borrow_mut() = gan.real_view.clone();
            *me.history.borrow_mut() = LossHistory::default();
            me.status.update(|s| {
                *s = Status { backend: Some(compute.kind), adapter: compute.adapter.clone(), running, ..Status::default() };
            });
            let weak = this.clone();
            let runner = Runner::start(gan, running, move |snap, rates| {
                if let Some(me) = weak.upgrade() {
                    me.on_frame(snap, rates);
                }
            });
            *me.runner.borrow_mut() = Some(runner);
        });
    }

    fn on_frame(&self, snapshot: Option<Result<ToySnapshot, String>>, rates: Rates) {
        let running = self.runner.borrow().as_ref().is_some_and(|r| r.running());
        let mut error = None;
        if let Some(result) = snapshot {
            match result {
                Ok(snap) => {
                    if !snap.is_finite() {
                        error = Some(self.divergence_message(snap.step));
                    }
                    self.history.borrow_mut().push(snap.step, snap.loss_d, snap.loss_g);
                    let t0 = js::now_ms();
                    self.draw(&snap, !running);
                    let draw_ms = js::now_ms() - t0;
                    self.status.update(|s| {
                        s.metrics = vec![("trainMs", rates.train_ms), ("stepsPerFrame", rates.steps_per_frame as f64), ("drawMs", draw_ms)];
                        s.step = snap.step;
                        s.loss_d = Some(snap.loss_d);
                        s.loss_g = Some(snap.loss_g);
                    });
                    for resolve in self.first_frame.borrow_mut().drain(..) {
                        let _ = resolve.call1(&JsValue::NULL, &true.into());
                    }
                }
                Err(e) => error = Some(format!("Training stopped: {e}")),
            }
        }
        if error.is_some() {
            if let Some(r) = self.runner.borrow().as_ref() {
                r.set_running(false);
            }
        }
        let running = self.runner.borrow().as_ref().is_some_and(|r| r.running());
        self.status.update(|s| {
            s.running = running;
            s.steps_per_sec = if running { rates.steps_per_sec } else { 0.0 };
            s.fps = rates.fps;
            if error.is_some() {
                s.error = error;
            }
        });
    }

    fn divergence_message(&self, step: u64) -> String {
        let (lr_d, lr_g, loss) = self.settings.with_untracked(|s| (s.float("lrD"), s.float("lrG"), s.choice("loss")));
        format!(
            "Training diverged at step {step}: a loss or a generated sample became NaN or infinite, so training was paused. \
             The likely cause is a learning rate too high for the {loss} loss (lrD = {lr_d}, lrG = {lr_g}). Lower it and press Reset."
        )
    }

    fn draw(&self, snap: &ToySnapshot, force_chart: bool) {
        if !snap.d_grid.is_empty() {
            if let Some(canvas) = js::canvas_by_id("toy-heat") {
                put_raster(&canvas, &Raster::heatmap(&snap.d_grid, HEATMAP_RES, snap.d_is_probability));
            }
        }
        if let Some(canvas) = js::canvas_by_id("toy-field") {
            let (w, h, dpr) = js::fit_canvas(&canvas);
            let mut raster = Raster::transparent(w as usize, h as usize);
            let frame = Frame { radius: self.radius.get() };
            raster.points(frame, &self.real_view.borrow(), REAL, 2.2 * dpr as f32, 0.75);
            raster.points(frame, &snap.fake, FAKE, 2.2 * dpr as f32, 0.85);
            put_raster(&canvas, &raster);
        }
        let now = js::now_ms();
        if force_chart || now - self.last_chart_ms.get() >= CHART_INTERVAL_MS {
            self.last_chart_ms.set(now);
            if let Some(canvas) = js::canvas_by_id("toy-loss") {
                let h = self.history.borrow();
                let series = [
                    Series { name: "D loss", color: RGBColor(0x1b, 0x9e, 0x77), points: &h.d },
                    Series { name: "G loss", color: RGBColor(0x75, 0x3a, 0xa8), points: &h.g },
                ];
                if let Err(e) = line_chart(&canvas, "step", &series) {
                    web_sys::console::warn_1(&format!("loss chart: {e}").into());
                }
            }
        }
    }
}

fn put_raster(canvas: &web_sys::HtmlCanvasElement, raster: &Raster) {
    use wasm_bindgen::{Clamped, JsCast};
    let Ok(Some(ctx)) = canvas.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else { return };
    if let Ok(img) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&raster.rgba), raster.width as u32, raster.height as u32) {
        let _ = ctx.put_image_data(&img, 0.0, 0.0);
    }
}

impl Demo for ToyController {
    fn shutdown(&self) {
        self.generation.set(self.generation.get() + 1);
        self.stop();
    }

    fn status(&self) -> Status {
        self.status.get_untracked()
    }

    fn play(&self) {
        if let Some(r) = self.runner.borrow().as_ref() {
            r.set_running(true);
        }
        self.status.update(|s| s.running = true);
    }

    fn pause(&self) {
        if let Some(r) = self.runner.borrow().as_ref() {
            r.set_running(false);
        }
        self.status.update(|s| s.running = false);
    }

    fn step(&self, n: u64) -> js_sys::Promise {
        match self.runner.borrow().as_ref() {
            Some(r) => r.step(n),
            None => js_sys::Promise::resolve(&JsValue::FALSE),
        }
    }

    fn reset(&self) -> js_sys::Promise {
        let running = self.status.get_untracked().running;
        self.status.update(|s| s.error = None);
        let promise = js_sys::Promise::new(&mut |resolve, _| self.first_frame.borrow_mut().push(resolve));
        self.restart(running);
        promise
    }

    fn settings(&self) -> Settings {
        self.settings.get_untracked()
    }

    fn set(&self, key: &str, raw: &str) -> Result<(), String> {
        if !commit_setting(self.settings, key, raw)? {
            return Ok(());
        }
        let running = self.status.get_untracked().running;
        if key == "backend" {
            *self.compute.borrow_mut() = None;
            self.restart(running);
            return Ok(());
        }
        let config = ToyConfig::from_settings(&self.settings.get_untracked());
        let applied_live = self.runner.borrow().as_ref().is_some_and(|r| {
            let live = r.trainer().borrow_mut().apply_live(&config);
            if live {
                r.request_publish();
            }
            live
        });
        if !applied_live {
            self.status.update(|s| s.error = None);
            self.restart(running);
        }
        Ok(())
    }

    fn samples(&self, n: usize) -> js_sys::Promise {
        let Some(runner) = self.runner.borrow().clone() else {
            return js_sys::Promise::resolve(&JsValue::NULL);
        };
        let pending = runner.trainer().borrow_mut().samples(n);
        wasm_bindgen_futures::future_to_promise(async move {
            let flat = pending.await.map_err(|e| JsValue::from_str(&e))?;
            let out = js_sys::Array::new();
            for p in flat.chunks_exact(2) {
                out.push(&js_sys::Array::of2(&(p[0] as f64).into(), &(p[1] as f64).into()));
            }
            Ok(out.into())
        })
    }
}

const MODEL_KEYS: &[&str] = &["dist", "loss", "batch", "latentDim", "gLayers", "gWidth", "dLayers", "dWidth", "activation"];
const OPTIM_KEYS: &[&str] = &["optD", "lrD", "kD", "optG", "lrG", "kG", "beta1", "beta2"];
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
    api::register(controller.clone());
    controller.restart(false);
    // Leaving the page stops the loop and drops the run.
    on_cleanup(api::unregister);

    let backend_line = move || {
        status.with(|s| match s.backend {
            Some(b) => format!("{b} · {}", s.adapter),
            None => format!("starting… {}", s.adapter),
        })
    };
    let fmt_loss = |v: Option<f32>| v.map_or("–".to_string(), |x| crate::web::chart::compact(x as f64));

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
                <span class="stats" aria-live="off">
                    <span>"step " <b id="stat-step">{move || status.with(|s| s.step)}</b></span>
                    <span><b>{move || status.with(|s| format!("{:.0}", s.steps_per_sec))}</b>" steps/s"</span>
                    <span><b>{move || status.with(|s| format!("{:.0}", s.fps))}</b>" fps"</span>
                    <span>"D " <b>{move || status.with(|s| fmt_loss(s.loss_d))}</b></span>
                    <span>"G " <b>{move || status.with(|s| fmt_loss(s.loss_g))}</b></span>
                </span>
            </div>
            <p class="backend">"Backend: " <span id="backend">{backend_line}</span></p>
            <div class="demo-body">
                <figure class="field">
                    <div class="field-stack">
                        <canvas id="toy-heat" width=HEATMAP_RES height=HEATMAP_RES aria-hidden="true"></canvas>
                        <canvas id="toy-field" role="img" aria-label="Real samples (green), generated samples (purple) and the discriminator's output D(x) as background shading"></canvas>
                    </div>
                    <figcaption>
                        <span class="key real">"real"</span>
                        <span class="key fake">"generated"</span>
                        <span class="key heat">"D(x): green = “real”, purple = “fake”"</span>
                    </figcaption>
                </figure>
                <div class="side">
                    <figure class="chart">
                        <canvas id="toy-loss" role="img" aria-label="Discriminator and generator loss over training steps"></canvas>
                    </figure>
                    <fieldset><legend>"Data and model"</legend><SettingsForm settings=settings keys=MODEL_KEYS notices=notices/></fieldset>
                    <fieldset><legend>"Optimisation"</legend><SettingsForm settings=settings keys=OPTIM_KEYS notices=notices/></fieldset>
                    <fieldset><legend>"Run"</legend><SettingsForm settings=settings keys=RUN_KEYS notices=notices/></fieldset>
                </div>
            </div>
        </section>
    }
}
