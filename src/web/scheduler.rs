//! The training scheduler: an async loop that runs as many training steps per animation
//! frame as fit a time budget (what a 20 ms frame leaves after the page's drawing), reads back everything the views
//! need once per frame, hands that snapshot to the page, then yields to the browser.
//!
//! Shape borrowed from ArthurBrussee/brush: one `spawn_local`ed loop per run, plain snapshots
//! out, cancellation by a flag the loop checks after every await. Models never enter the
//! reactive system.
//!
//! On the CPU backend the loop also trains between frames: a step there is a synchronous
//! computation on this thread, and while the browser composites a frame (tens of ms under
//! software rendering) the thread would otherwise sit idle. It trains in slices of
//! `GAP_SLICE_MS` (or one step, for steps of up to `Trainer::gap_step_max_ms`), each followed by a real
//! task yield, until the next animation frame arrives, so input and painting wait at most one
//! slice. On WebGPU steps only enqueue GPU work, so training ahead of the frame's readback
//! would just queue more; there it trains in frames only.

use crate::web::js;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// A frame's whole work (training, readback, drawing) aims at this, so the page keeps 30 fps
/// or better: training gets what drawing leaves, within the bounds below.
const FRAME_TARGET_MS: f64 = 20.0;
const MIN_TRAIN_MS: f64 = 4.0;
const MAX_TRAIN_MS: f64 = 16.0;
/// Expensive views (e.g. a heatmap evaluated on a grid) refresh at most this often while
/// training runs; every frame shows the cheap ones.
pub const FULL_VIEW_INTERVAL_MS: f64 = 250.0;
/// Longest stretch of training between two yields while waiting for a frame (CPU backend).
const GAP_SLICE_MS: f64 = 4.0;
/// By default a step dearer than this is not trained between frames (a slice then holds one
/// step); a trainer whose views change slowly may allow more (`Trainer::gap_step_max_ms`).
pub const GAP_STEP_MAX_MS: f64 = 8.0;

pub type Pending<T> = Pin<Box<dyn Future<Output = Result<T, String>>>>;

pub trait Trainer: 'static {
    type Snapshot: 'static;
    fn train_step(&mut self);
    fn step_count(&self) -> u64;
    /// Starts the one readback of a frame; the future must not borrow the trainer. `full`
    /// asks for the expensive views too (they refresh at most every FULL_VIEW_INTERVAL_MS).
    fn snapshot(&self, full: bool) -> Pending<Self::Snapshot>;
    /// The dearest step still trained between frames on a blocking backend: an arriving frame
    /// waits for the step in progress, so this bounds how late a frame can be.
    fn gap_step_max_ms(&self) -> f64 {
        GAP_STEP_MAX_MS
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rates {
    pub steps_per_sec: f64,
    pub fps: f64,
    /// Milliseconds the last frame spent training and reading back.
    pub train_ms: f64,
    /// Steps the last frame ran, those trained between frames included.
    pub steps_per_frame: u64,
    /// Of those, the steps trained between frames (CPU backend only).
    pub gap_steps: u64,
    /// The training worker's WebAssembly memory in bytes, for a run that trains in one
    /// (`web::worker`): the soak benchmark watches it for leaks beside the page's own.
    pub worker_wasm_bytes: Option<f64>,
}

impl Rates {
    /// The loop's figures as `status().metrics` reports them; `in_worker`: the run trains in
    /// a training worker (then `workerWasmBytes` is its memory).
    pub fn metrics(&self, in_worker: bool) -> Vec<(&'static str, f64)> {
        let mut m = vec![
            ("trainMs", self.train_ms),
            ("stepsPerFrame", self.steps_per_frame as f64),
            ("gapSteps", self.gap_steps as f64),
            ("inWorker", if in_worker { 1.0 } else { 0.0 }),
        ];
        m.extend(self.worker_wasm_bytes.map(|b| ("workerWasmBytes", b)));
        m
    }
}

struct State<T: Trainer> {
    trainer: Rc<RefCell<T>>,
    running: bool,
    pending_steps: u64,
    waiters: StepWaiters,
    publish_requested: bool,
    stopped: bool,
    /// Steps block the thread (CPU backend): train between frames too.
    blocking_steps: bool,
}

/// Handle to one run's loop. Dropping it does not stop the loop: call `stop`.
pub struct Runner<T: Trainer> {
    state: Rc<RefCell<State<T>>>,
}

impl<T: Trainer> Clone for Runner<T> {
    fn clone(&self) -> Self {
        Self { state: self.state.clone() }
    }
}

impl<T: Trainer> Runner<T> {
    /// Starts the loop. `on_frame` runs every frame with the rates, and with the snapshot
    /// (or the readback error) on frames that trained or were asked to publish.
    /// `blocking_steps`: a step is a synchronous computation (the CPU backend), so the loop
    /// may train between frames.
    pub fn start(trainer: T, running: bool, blocking_steps: bool, on_frame: impl Fn(Option<Result<T::Snapshot, String>>, Rates) + 'static) -> Self {
        let state = Rc::new(RefCell::new(State {
            trainer: Rc::new(RefCell::new(trainer)),
            running,
            pending_steps: 0,
            waiters: StepWaiters::default(),
            publish_requested: true,
            stopped: false,
            blocking_steps,
        }));
        wasm_bindgen_futures::spawn_local(run(state.clone(), Box::new(on_frame)));
        Self { state }
    }

    /// `start` with the page's controller as `on_frame`'s receiver, held weakly so the loop
    /// does not keep a closed page alive.
    pub fn start_for<C: 'static>(
        trainer: T,
        running: bool,
        blocking_steps: bool,
        owner: std::rc::Weak<C>,
        on_frame: fn(&C, Option<Result<T::Snapshot, String>>, Rates),
    ) -> Self {
        Self::start(trainer, running, blocking_steps, weakly(owner, on_frame))
    }

    pub fn trainer(&self) -> Rc<RefCell<T>> {
        self.state.borrow().trainer.clone()
    }

    pub fn running(&self) -> bool {
        self.state.borrow().running
    }

    pub fn set_running(&self, running: bool) {
        self.state.borrow_mut().running = running;
    }

    /// Redraw on the next frame even when paused (e.g. after a live setting change).
    pub fn request_publish(&self) {
        self.state.borrow_mut().publish_requested = true;
    }

    /// Queues `n` steps; the promise resolves once a snapshot at or past them is published.
    pub fn step(&self, n: u64) -> js_sys::Promise {
        let state = self.state.clone();
        js_sys::Promise::new(&mut |resolve, _| {
            let mut s = state.borrow_mut();
            let target = s.trainer.borrow().step_count() + s.pending_steps + n;
            s.pending_steps += n;
            s.waiters.push(target, resolve);
        })
    }

    /// Stops the loop after its current await; pending promises resolve (with `false`).
    pub fn stop(&self) {
        let waiters = {
            let mut s = self.state.borrow_mut();
            s.stopped = true;
            s.waiters.take_reached(None)
        };
        settle(waiters, false);
    }
}

/// `step(n)` promises waiting for the published step to reach their targets (both runners).
#[derive(Default)]
pub struct StepWaiters(Vec<(u64, js_sys::Function)>);

impl StepWaiters {
    pub fn push(&mut self, target: u64, resolve: js_sys::Function) {
        self.0.push((target, resolve));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes the promises whose target `step` has reached; all of them for `None`. Resolve them
    /// with `settle` once no state is borrowed: a resolved promise's handlers may call back in.
    pub fn take_reached(&mut self, step: Option<u64>) -> Vec<js_sys::Function> {
        let (done, waiting) = std::mem::take(&mut self.0).into_iter().partition(|(target, _)| step.is_none_or(|step| *target <= step));
        self.0 = waiting;
        done.into_iter().map(|(_, f)| f).collect()
    }
}

/// What waits on a page's next run while it is being (re)built (a preset, a setting, Reset:
/// on the CPU a round trip to the training worker): `reset()` promises waiting for its first
/// frame, and `step(n)` calls, which are passed to the new run instead of being dropped.
#[derive(Default)]
pub struct NextRun {
    first_frame: std::cell::RefCell<Vec<js_sys::Function>>,
    steps: std::cell::RefCell<Vec<(u64, js_sys::Function)>>,
}

impl NextRun {
    /// A promise resolving once the next run has drawn its first frame (or its build failed).
    pub fn first_frame(&self) -> js_sys::Promise {
        js_sys::Promise::new(&mut |resolve, _| self.first_frame.borrow_mut().push(resolve))
    }

    /// A promise that settles as `step(n)` on the run installed next, or `false` if the build
    /// fails.
    pub fn step(&self, n: u64) -> js_sys::Promise {
        js_sys::Promise::new(&mut |resolve, _| self.steps.borrow_mut().push((n, resolve)))
    }

    /// The new run is installed: `step` (the page's own) takes the waiting steps.
    pub fn installed(&self, step: impl Fn(u64) -> js_sys::Promise) {
        let waiting = std::mem::take(&mut *self.steps.borrow_mut());
        for (n, resolve) in waiting {
            let _ = resolve.call1(&wasm_bindgen::JsValue::NULL, &step(n));
        }
    }

    /// The new run drew its first frame, or its build failed: `reset()` promises resolve, and
    /// steps still waiting (only after a failed build: `installed` took them) resolve `false`.
    pub fn settled(&self) {
        settle(std::mem::take(&mut *self.first_frame.borrow_mut()), true);
        settle(std::mem::take(&mut *self.steps.borrow_mut()).into_iter().map(|(_, r)| r).collect(), false);
    }
}

/// Resolves `step(n)` promises with `done` (false: the run stopped or failed first).
pub fn settle(resolves: Vec<js_sys::Function>, done: bool) {
    for resolve in resolves {
        let _ = resolve.call1(&wasm_bindgen::JsValue::NULL, &done.into());
    }
}

/// A frame callback that calls `on_frame` on `owner` while it lives: held weakly, so a run's
/// loop does not keep a closed page alive.
pub fn weakly<C: 'static, S: 'static>(owner: std::rc::Weak<C>, on_frame: fn(&C, Option<Result<S, String>>, Rates)) -> impl Fn(Option<Result<S, String>>, Rates) + 'static {
    move |snap, rates| {
        if let Some(me) = owner.upgrade() {
            on_frame(&me, snap, rates);
        }
    }
}

/// Counts steps and frames over a sliding window of about a second.
pub struct RateMeter {
    since: f64,
    steps: u64,
    frames: u64,
    rates: Rates,
}

impl RateMeter {
    pub fn new() -> Self {
        Self { since: js::now_ms(), steps: 0, frames: 0, rates: Rates::default() }
    }

    pub fn record(&mut self, steps: u64) -> Rates {
        let now = js::now_ms();
        self.steps += steps;
        self.frames += 1;
        let dt = now - self.since;
        if dt >= 500.0 {
            self.rates = Rates { steps_per_sec: self.steps as f64 * 1000.0 / dt, fps: self.frames as f64 * 1000.0 / dt, ..Rates::default() };
            (self.since, self.steps, self.frames) = (now, 0, 0);
        }
        self.rates
    }
}

pub type OnFrame<S> = Box<dyn Fn(Option<Result<S, String>>, Rates)>;

async fn run<T: Trainer>(state: Rc<RefCell<State<T>>>, on_frame: OnFrame<T::Snapshot>) {
    // Adapted each frame so that training fills what the frame target leaves.
    let mut steps_per_frame = 1.0f64;
    let mut draw_ms = 0.0f64;
    let mut last_full = f64::MIN;
    let mut meter = RateMeter::new();
    // the cost of one step, measured around synchronous steps (CPU backend only)
    let mut ms_per_step = f64::INFINITY;
    loop {
        let frame = js::FrameRequest::new();
        let (gap_steps, gap_ms) = match train_until_frame(&state, &frame, &mut ms_per_step).await {
            Some(done) => done,
            None => return, // stopped
        };
        frame.wait().await;
        let (trainer, n, publish) = {
            let mut s = state.borrow_mut();
            if s.stopped {
                return;
            }
            let budget = steps_per_frame.round().max(1.0) as u64;
            let n = if s.running { budget } else { s.pending_steps.min(budget) };
            s.pending_steps = s.pending_steps.saturating_sub(n);
            let publish = n > 0 || std::mem::take(&mut s.publish_requested);
            (s.trainer.clone(), n, publish)
        };
        if !publish && gap_steps == 0 {
            on_frame(None, meter.record(0));
            continue;
        }
        let t0 = js::now_ms();
        for _ in 0..n {
            trainer.borrow_mut().train_step();
        }
        if n > 0 && state.borrow().blocking_steps {
            ms_per_step = (js::now_ms() - t0) / n as f64;
        }
        let full = n == 0 || t0 - last_full >= FULL_VIEW_INTERVAL_MS || !state.borrow().running;
        if full {
            last_full = t0;
        }
        let pending = trainer.borrow().snapshot(full);
        let snapshot = pending.await; // on WebGPU this waits for the GPU: the real cost of the steps
        if state.borrow().stopped {
            return;
        }
        if n > 0 && state.borrow().running {
            // Grow the batch of steps while a frame's work (steps + readback) fits the budget,
            // shrink it when it does not. Measuring whole frames is right on both backends: on
            // WebGPU the steps only enqueue work and the readback waits for it.
            let work = js::now_ms() - t0;
            let budget = (FRAME_TARGET_MS - draw_ms).clamp(MIN_TRAIN_MS, MAX_TRAIN_MS);
            steps_per_frame = if work < budget { steps_per_frame * 1.2 + 0.5 } else { steps_per_frame / 1.2 };
            steps_per_frame = steps_per_frame.clamp(1.0, 10_000.0);
        }
        let mut rates = meter.record(n + gap_steps);
        rates.train_ms = js::now_ms() - t0 + gap_ms;
        rates.steps_per_frame = n + gap_steps;
        rates.gap_steps = gap_steps;
        let t_draw = js::now_ms();
        on_frame(Some(snapshot), rates);
        // a running average of the page's own per-frame cost (drawing, analysis)
        draw_ms = 0.8 * draw_ms + 0.2 * (js::now_ms() - t_draw);
        let step = trainer.borrow().step_count();
        let done = state.borrow_mut().waiters.take_reached(Some(step));
        settle(done, true);
    }
}

/// Trains in slices between frames while the run is playing on a blocking (CPU) backend, each
/// slice at most `GAP_SLICE_MS` by the last measured step cost (but at least one step) and
/// followed by a task yield, until `frame` arrives. Returns the steps and milliseconds spent, or None once stopped.
async fn train_until_frame<T: Trainer>(state: &Rc<RefCell<State<T>>>, frame: &js::FrameRequest, ms_per_step: &mut f64) -> Option<(u64, f64)> {
    let (mut steps, mut ms) = (0u64, 0.0f64);
    loop {
        let trainer = {
            let s = state.borrow();
            if s.stopped {
                return None;
            }
            // a much dearer step would delay the frame too long: frames only
            if !s.running || !s.blocking_steps || frame.arrived() || *ms_per_step > s.trainer.borrow().gap_step_max_ms() || js::document_hidden() {
                return Some((steps, ms));
            }
            s.trainer.clone()
        };
        let n = (GAP_SLICE_MS / *ms_per_step).floor().max(1.0) as u64;
        let t0 = js::now_ms();
        for _ in 0..n {
            trainer.borrow_mut().train_step();
        }
        let dt = js::now_ms() - t0;
        *ms_per_step = dt / n as f64;
        (steps, ms) = (steps + n, ms + dt);
        frame.yield_task().await;
    }
}
