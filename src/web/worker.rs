//! Training in a Web Worker: on the CPU backend a training step is a synchronous computation,
//! so on the page's thread it competes with drawing, input and the browser's own work. A
//! dedicated worker runs a second instance of this same WebAssembly module; there the step
//! loop has a whole thread, and the page's thread only draws the snapshots it asks for.
//!
//! This is not wasm threads: the two instances share no memory, so nothing here needs
//! cross-origin isolation, nightly Rust or a second build. They talk by `postMessage`: every
//! message from the page is a request with an `id` and gets one reply with the same `id`.
//!
//! Page side: [`TrainingWorker`] (spawn it, send requests, await replies) and [`RemoteRunner`]
//! (the counterpart of `scheduler::Runner` for a run that lives in the worker: play, pause,
//! `step(n)` promises and one snapshot per animation frame).
//!
//! Worker side: [`worker_main`], called by the bootstrap module once the module is loaded,
//! runs the generic step loop (play, pause, queued steps, in slices with a real task yield
//! between them so requests are answered within a slice) around a demo's [`WorkerHost`],
//! which builds runs and answers the demo's own requests. Why a worker and what it measured:
//! docs/backends.md.

use crate::web::backend::Compute;
use crate::web::js;
use crate::web::scheduler::{settle, weakly, OnFrame, Pending, RateMeter, Rates, Runner, StepWaiters, Trainer, FULL_VIEW_INTERVAL_MS};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Training between two task yields in the worker: requests (a snapshot, a pause) wait at
/// most this long, and a yield costs a few µs, so longer slices buy almost nothing.
const SLICE_MS: f64 = 6.0;

/// The views redraw at most this often while a worker trains: ~30 a second. Drawing a frame
/// costs the page's thread several ms, and each frame drawn is a frame's CPU the worker does
/// not get on a small machine; the page itself still runs at the browser's frame rate.
const MIN_DRAW_INTERVAL_MS: f64 = 1000.0 / 36.0;

/// How long the page waits for a new worker to load the module and answer.
const START_TIMEOUT_MS: i32 = 30_000;

/// How long the page waits for a snapshot before it takes the worker for lost. A snapshot
/// normally comes within one training step (milliseconds to about a second on the CPU sizes
/// the page allows); a worker the browser ended without an error event never answers.
const SNAPSHOT_TIMEOUT_MS: i32 = 20_000;

/// Appended to the adapter line of a run that trains in a worker.
pub const IN_WORKER: &str = ", trained in a Web Worker";

// ---------------------------------------------------------------- page side

/// The page's handle to one worker. Dropping the last handle terminates the worker.
pub struct TrainingWorker {
    worker: web_sys::Worker,
    next_id: Cell<u32>,
    replies: Rc<RefCell<HashMap<u32, js_sys::Function>>>,
    /// Set when the worker failed (an uncaught error, a panic): every later request fails with it.
    failure: Rc<RefCell<Option<String>>>,
    /// Set by the first `first_use` (a demo sends what every run needs, such as data, then).
    used: Cell<bool>,
    _on_message: Closure<dyn Fn(web_sys::MessageEvent)>,
    _on_error: Closure<dyn Fn(JsValue)>,
}

impl Drop for TrainingWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The URLs of this module's JS glue and wasm, from the preload links trunk writes into the
/// page (absolute, so a `--public-url` sub-path is covered).
fn module_urls() -> Option<(String, String)> {
    let document = js::window().document()?;
    let href = |selector: &str| -> Option<String> {
        let links = document.query_selector_all(selector).ok()?;
        (0..links.length()).filter_map(|i| links.item(i)?.dyn_into::<web_sys::HtmlLinkElement>().ok()).map(|l| l.href()).find(|h| !h.contains("/snippets/"))
    };
    Some((href("link[rel=modulepreload][href$='.js']")?, href("link[rel=preload][href$='.wasm']")?))
}

impl TrainingWorker {
    /// Starts a worker running `demo`'s host and waits until it answers; an error says why it
    /// could not (then the page trains on its own thread, as before workers).
    pub async fn spawn(demo: &str) -> Result<Rc<Self>, String> {
        let (glue, wasm) = module_urls().ok_or("the page's module links were not found")?;
        let q = |s: &str| js_sys::JSON::stringify(&JsValue::from_str(s)).ok().and_then(|s| s.as_string()).unwrap_or_default();
        // A module worker from a blob (allowed by the page's `worker-src 'self' blob:`) that
        // loads this same module and hands control to `worker_main`.
        let source = format!(
            "import init, {{ worker_main }} from {};\nawait init({{ module_or_path: {} }});\nworker_main({});\n",
            q(&glue),
            q(&wasm),
            q(demo)
        );
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/javascript");
        let parts = js_sys::Array::of1(&JsValue::from_str(&source));
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|e| format!("{e:?}"))?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
        let worker_options = web_sys::WorkerOptions::new();
        worker_options.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(&url, &worker_options).map_err(|e| format!("could not start a worker: {e:?}"));
        let _ = web_sys::Url::revoke_object_url(&url);
        let worker = worker?;

        let replies: Rc<RefCell<HashMap<u32, js_sys::Function>>> = Rc::default();
        let failure: Rc<RefCell<Option<String>>> = Rc::default();
        let (ready_tx, ready) = promise_pair();
        let ready_tx = Rc::new(RefCell::new(Some(ready_tx)));
        let on_message = {
            let (replies, ready_tx) = (replies.clone(), ready_tx.clone());
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let data = e.data();
                if js::get(&data, "ready").is_truthy() {
                    if let Some(tx) = ready_tx.borrow_mut().take() {
                        let _ = tx.call1(&JsValue::NULL, &JsValue::TRUE);
                    }
                    return;
                }
                let id = js::get(&data, "id").as_f64().unwrap_or(-1.0) as u32;
                if let Some(resolve) = replies.borrow_mut().remove(&id) {
                    let _ = resolve.call1(&JsValue::NULL, &data);
                }
            })
        };
        let on_error = {
            let (replies, failure, ready_tx) = (replies.clone(), failure.clone(), ready_tx.clone());
            Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
                let message = js::get(&e, "message").as_string().unwrap_or_else(|| "it stopped unexpectedly".into());
                if let Some(tx) = ready_tx.borrow_mut().take() {
                    let _ = tx.call1(&JsValue::NULL, &JsValue::FALSE);
                }
                fail_all(&replies, &failure, &message);
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // a worker that neither answers nor fails (a module that never finishes loading) must
        // not hold the page's start for ever
        let give_up = Closure::once_into_js(move || {
            if let Some(tx) = ready_tx.borrow_mut().take() {
                let _ = tx.call1(&JsValue::NULL, &JsValue::FALSE);
            }
        });
        let _ = js::window().set_timeout_with_callback_and_timeout_and_arguments_0(give_up.unchecked_ref(), START_TIMEOUT_MS);
        let me = Rc::new(Self { worker, next_id: Cell::new(1), replies, failure, used: Cell::new(false), _on_message: on_message, _on_error: on_error });
        let started = JsFuture::from(ready).await.map(|v| v.is_truthy()).unwrap_or(false);
        if !started {
            return Err(me.failure.borrow().clone().unwrap_or_else(|| format!("the worker did not start within {} s", START_TIMEOUT_MS / 1000)));
        }
        Ok(me)
    }

    /// Takes the worker for failed (it stopped answering): it is ended, the requests waiting
    /// on it fail with `reason`, and so does every later one, as after an error event.
    pub fn give_up(&self, reason: &str) {
        self.worker.terminate();
        fail_all(&self.replies, &self.failure, reason);
    }

    /// Whether the worker has failed (it cannot take requests any more).
    pub fn failed(&self) -> bool {
        self.failure.borrow().is_some()
    }

    /// True the first time it is asked, false after: a request sent at once after a true
    /// answer reaches the worker before any request sent by a later caller.
    pub fn first_use(&self) -> bool {
        !self.used.replace(true)
    }

    /// Sends `{kind, ...fields}`; the reply object, or an error (the worker failed, or the host
    /// answered `{error}`). Requests are handled in the order they are sent.
    pub fn request(&self, kind: &str, fields: Vec<(&str, JsValue)>) -> Pending<JsValue> {
        if let Some(f) = self.failure.borrow().clone() {
            return Box::pin(async move { Err(format!("the training worker stopped: {f}")) });
        }
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        let message = js::object(fields);
        js::set(&message, "id", id);
        js::set(&message, "kind", kind);
        let (resolve, reply) = promise_pair();
        self.replies.borrow_mut().insert(id, resolve);
        if let Err(e) = self.worker.post_message(&message) {
            self.replies.borrow_mut().remove(&id);
            return Box::pin(async move { Err(format!("could not send to the training worker: {e:?}")) });
        }
        Box::pin(async move {
            let data = JsFuture::from(reply).await.map_err(|e| format!("{e:?}"))?;
            match js::get(&data, "error").as_string() {
                Some(e) => Err(e),
                None => Ok(data),
            }
        })
    }

    /// A request whose reply nobody waits for (its errors are logged).
    pub fn tell(&self, kind: &str, fields: Vec<(&str, JsValue)>) {
        let pending = self.request(kind, fields);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = pending.await {
                web_sys::console::warn_1(&e.into());
            }
        });
    }
}

/// The worker failed (`reason`): logged, kept for every later request, and given as the error
/// of every request waiting for a reply.
fn fail_all(replies: &RefCell<HashMap<u32, js_sys::Function>>, failure: &RefCell<Option<String>>, reason: &str) {
    if failure.borrow().is_some() {
        return;
    }
    web_sys::console::error_1(&format!("training worker: {reason}").into());
    *failure.borrow_mut() = Some(reason.to_string());
    let failed = js::object(vec![("error", JsValue::from_str(&format!("the training worker stopped: {reason}")))]);
    for (_, resolve) in replies.borrow_mut().drain() {
        let _ = resolve.call1(&JsValue::NULL, &failed);
    }
}

/// Gives up on a worker that leaves a snapshot request unanswered for `SNAPSHOT_TIMEOUT_MS`.
/// One callback serves every request of a run's loop (a closure made per request and never
/// called would stay allocated: the soak benchmark saw the JS heap grow by 10 % in 4 minutes).
struct Watchdog(Closure<dyn Fn()>);

impl Watchdog {
    fn new(worker: &Rc<TrainingWorker>) -> Self {
        let worker = Rc::downgrade(worker);
        Self(Closure::new(move || {
            if let Some(w) = worker.upgrade() {
                w.give_up(&format!("it stopped answering (no reply in {} s)", SNAPSHOT_TIMEOUT_MS / 1000));
            }
        }))
    }

    /// Arms the timer for one request; clear the handle when the reply comes.
    fn arm(&self) -> i32 {
        js::window().set_timeout_with_callback_and_timeout_and_arguments_0(self.0.as_ref().unchecked_ref(), SNAPSHOT_TIMEOUT_MS).unwrap_or(0)
    }
}

/// A demo's training worker, started on first use and kept for the page's life; `Err` once
/// it could not start (CPU runs then train on the page's thread).
#[derive(Default)]
pub struct WorkerSlot(RefCell<Option<Result<Rc<TrainingWorker>, String>>>);

impl WorkerSlot {
    /// The worker for a run on `compute`: None for WebGPU (its steps only enqueue GPU work, so
    /// they stay on the page's thread) or when no worker can start. A worker that failed (a
    /// panic in it, say) is replaced by a fresh one.
    pub async fn for_compute(&self, demo: &str, compute: &Compute) -> Option<Rc<TrainingWorker>> {
        if !compute.blocking_steps() {
            return None;
        }
        let existing = {
            let mut slot = self.0.borrow_mut();
            if slot.as_ref().is_some_and(|w| w.as_ref().is_ok_and(|w| w.failed())) {
                *slot = None;
            }
            slot.clone()
        };
        let worker = match existing {
            Some(w) => w,
            None => {
                let w = TrainingWorker::spawn(demo).await;
                if let Err(e) = &w {
                    web_sys::console::warn_1(&format!("training on the page's thread: {e}").into());
                }
                // a restart that overlapped this one may have started one first: keep that
                self.0.borrow_mut().get_or_insert(w).clone()
            }
        };
        worker.ok()
    }

    /// Lets go of the worker (when the page closes): it is terminated once the stopped run's
    /// loop lets go of it too.
    pub fn release(&self) {
        self.0.borrow_mut().take();
    }
}

/// The run in progress: on the page's thread (`scheduler::Runner`: WebGPU, or a browser
/// without workers) or in a training worker (`RemoteRunner`).
pub enum Run<T: Trainer> {
    Local(Runner<T>),
    Remote(RemoteRunner<T::Snapshot>),
}

impl<T: Trainer> Clone for Run<T> {
    fn clone(&self) -> Self {
        match self {
            Run::Local(r) => Run::Local(r.clone()),
            Run::Remote(r) => Run::Remote(r.clone()),
        }
    }
}

impl<T: Trainer> Run<T> {
    pub fn running(&self) -> bool {
        match self {
            Run::Local(r) => r.running(),
            Run::Remote(r) => r.running(),
        }
    }

    pub fn set_running(&self, running: bool) {
        match self {
            Run::Local(r) => r.set_running(running),
            Run::Remote(r) => r.set_running(running),
        }
    }

    pub fn request_publish(&self) {
        match self {
            Run::Local(r) => r.request_publish(),
            Run::Remote(r) => r.request_publish(),
        }
    }

    pub fn step(&self, n: u64) -> js_sys::Promise {
        match self {
            Run::Local(r) => r.step(n),
            Run::Remote(r) => r.step(n),
        }
    }

    pub fn stop(&self) {
        match self {
            Run::Local(r) => r.stop(),
            Run::Remote(r) => r.stop(),
        }
    }

    /// Whether the run trains in a worker (`status().metrics.inWorker`).
    pub fn in_worker(&self) -> bool {
        matches!(self, Run::Remote(_))
    }

    /// The worker the run lives in, if it does.
    pub fn worker(&self) -> Option<&Rc<TrainingWorker>> {
        match self {
            Run::Local(_) => None,
            Run::Remote(r) => Some(r.worker()),
        }
    }
}

// ---------------------------------------------------------------- message fields (both sides)

/// Numbers as a Float32Array (a reply's buffers are transferred, not copied).
pub fn floats(v: &[f32]) -> JsValue {
    js_sys::Float32Array::from(v).into()
}

/// Bytes as a Uint8Array.
pub fn bytes(v: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(v).into()
}

/// The Float32Array `key` of a message.
pub fn read_floats(message: &JsValue, key: &str) -> Result<Vec<f32>, String> {
    js::get(message, key).dyn_into::<js_sys::Float32Array>().map(|a| a.to_vec()).map_err(|_| format!("the message lacks “{key}”"))
}

/// The Uint8Array `key` of a message.
pub fn read_bytes(message: &JsValue, key: &str) -> Result<Vec<u8>, String> {
    js::get(message, key).dyn_into::<js_sys::Uint8Array>().map(|a| a.to_vec()).map_err(|_| format!("the message lacks “{key}”"))
}

/// The settings a request carries as the page's query string (`query`), read with `table`.
pub fn settings_of(message: &JsValue, table: &'static [crate::core::settings::Spec]) -> crate::core::settings::Settings {
    let query = js::get(message, "query").as_string().unwrap_or_default();
    crate::core::settings::Settings::from_query(table, &query).0
}

/// What Undo puts back: a copy of a local run, or the copy a worker keeps of its run (the
/// worker's `remember` and `restore` requests).
pub enum SavedRun<T> {
    Local(T),
    Remote(Rc<TrainingWorker>),
}

/// A promise and the function that resolves it.
fn promise_pair() -> (js_sys::Function, js_sys::Promise) {
    let mut tx = None;
    let promise = js_sys::Promise::new(&mut |resolve, _| tx = Some(resolve));
    (tx.expect("the executor runs at once"), promise)
}

struct RemoteState {
    running: bool,
    publish_requested: bool,
    stopped: bool,
    waiters: StepWaiters,
}

/// One run that lives in the worker, seen from the page: the counterpart of
/// `scheduler::Runner`. Its loop asks for a snapshot once per animation frame while the run
/// plays (or has something new to show) and hands it to `on_frame` with the rates.
pub struct RemoteRunner<S: 'static> {
    worker: Rc<TrainingWorker>,
    state: Rc<RefCell<RemoteState>>,
    _snapshot: std::marker::PhantomData<S>,
}

impl<S: 'static> Clone for RemoteRunner<S> {
    fn clone(&self) -> Self {
        Self { worker: self.worker.clone(), state: self.state.clone(), _snapshot: std::marker::PhantomData }
    }
}

impl<S: 'static> RemoteRunner<S> {
    /// Starts the page-side loop for the run just installed in `worker`. `decode` turns a
    /// snapshot reply into the demo's snapshot (with its step count).
    pub fn start(
        worker: Rc<TrainingWorker>,
        running: bool,
        decode: fn(&JsValue) -> Result<(S, u64), String>,
        on_frame: impl Fn(Option<Result<S, String>>, Rates) + 'static,
    ) -> Self {
        let state = Rc::new(RefCell::new(RemoteState { running, publish_requested: true, stopped: false, waiters: StepWaiters::default() }));
        if running {
            worker.tell("play", vec![]);
        }
        wasm_bindgen_futures::spawn_local(frame_loop(worker.clone(), state.clone(), decode, Box::new(on_frame)));
        Self { worker, state, _snapshot: std::marker::PhantomData }
    }

    /// `start` with the page's controller as `on_frame`'s receiver, held weakly.
    pub fn start_for<C: 'static>(
        worker: Rc<TrainingWorker>,
        running: bool,
        decode: fn(&JsValue) -> Result<(S, u64), String>,
        owner: std::rc::Weak<C>,
        on_frame: fn(&C, Option<Result<S, String>>, Rates),
    ) -> Self {
        Self::start(worker, running, decode, weakly(owner, on_frame))
    }

    pub fn worker(&self) -> &Rc<TrainingWorker> {
        &self.worker
    }

    pub fn running(&self) -> bool {
        self.state.borrow().running
    }

    pub fn set_running(&self, running: bool) {
        let was = std::mem::replace(&mut self.state.borrow_mut().running, running);
        if was != running {
            self.worker.tell(if running { "play" } else { "pause" }, vec![]);
            self.request_publish();
        }
    }

    pub fn request_publish(&self) {
        self.state.borrow_mut().publish_requested = true;
    }

    /// Queues `n` steps in the worker; the promise resolves once a snapshot at or past them
    /// is published (`false` if the run stops first).
    pub fn step(&self, n: u64) -> js_sys::Promise {
        let (state, pending) = (self.state.clone(), self.worker.request("step", vec![("n", JsValue::from_f64(n as f64))]));
        wasm_bindgen_futures::future_to_promise(async move {
            let Ok(reply) = pending.await else { return Ok(JsValue::FALSE) };
            let target = js::get(&reply, "target").as_f64().unwrap_or(0.0) as u64;
            let (resolve, done) = promise_pair();
            {
                let mut s = state.borrow_mut();
                if s.stopped {
                    return Ok(JsValue::FALSE);
                }
                s.waiters.push(target, resolve);
            }
            JsFuture::from(done).await
        })
    }

    /// Stops the page-side loop (the worker keeps the run until the next one replaces it);
    /// pending step promises resolve with `false`.
    pub fn stop(&self) {
        let waiters = {
            let mut s = self.state.borrow_mut();
            s.stopped = true;
            s.waiters.take_reached(None)
        };
        if self.running() {
            self.worker.tell("pause", vec![]);
        }
        settle(waiters, false);
    }
}

async fn frame_loop<S: 'static>(worker: Rc<TrainingWorker>, state: Rc<RefCell<RemoteState>>, decode: fn(&JsValue) -> Result<(S, u64), String>, on_frame: OnFrame<S>) {
    let mut meter = RateMeter::new();
    let watchdog = Watchdog::new(&worker);
    // the worker's memory as of its last reply, reported on every frame (not only on the
    // frames that asked for a snapshot), so a reading of `status()` always has it
    let mut wasm_bytes = None;
    let (mut last_full, mut last_draw) = (f64::MIN, f64::MIN);
    loop {
        js::next_frame().await;
        let (running, wanted) = {
            let mut s = state.borrow_mut();
            if s.stopped {
                return;
            }
            let due = !s.running || js::now_ms() - last_draw >= MIN_DRAW_INTERVAL_MS;
            let wanted = due && (s.running || std::mem::take(&mut s.publish_requested) || !s.waiters.is_empty());
            (s.running, wanted)
        };
        if !wanted {
            on_frame(None, Rates { worker_wasm_bytes: wasm_bytes, ..meter.record(0) });
            continue;
        }
        let t0 = js::now_ms();
        last_draw = t0;
        let full = !running || t0 - last_full >= FULL_VIEW_INTERVAL_MS;
        if full {
            last_full = t0;
        }
        let timer = watchdog.arm();
        let reply = worker.request("snapshot", vec![("full", full.into())]).await;
        js::window().clear_timeout_with_handle(timer);
        if state.borrow().stopped {
            return;
        }
        // the generic loop's counters (`on_request`), beside the demo's snapshot
        let counter = |key: &str| reply.as_ref().ok().and_then(|r| js::get(r, key).as_f64());
        let (trained, train_ms) = (counter("trainedSteps").unwrap_or(0.0) as u64, counter("trainedMs").unwrap_or(0.0));
        wasm_bytes = counter("wasmBytes").or(wasm_bytes);
        let snapshot = reply.and_then(|r| decode(&r));
        let step = snapshot.as_ref().map(|(_, step)| *step).ok();
        let failed = snapshot.is_err();
        let mut rates = meter.record(trained);
        (rates.train_ms, rates.steps_per_frame, rates.worker_wasm_bytes) = (train_ms, trained, wasm_bytes);
        on_frame(Some(snapshot.map(|(s, _)| s)), rates);
        // a failed snapshot ends every wait (with false); the frame loop goes on
        let done = state.borrow_mut().waiters.take_reached(if failed { None } else { step });
        settle(done, !failed);
    }
}

// ---------------------------------------------------------------- worker side

/// A demo's side of the worker: it owns the run and answers the demo's requests. The generic
/// loop handles `play`, `pause` and `step`, and adds the training counters to snapshot replies.
pub trait WorkerHost {
    /// One training iteration of the current run; false when there is no run to train.
    fn train_step(&mut self) -> bool;
    fn step_count(&self) -> u64;
    /// Answers a request of `kind` (`snapshot` included); a reply `{error}` reports a failure.
    /// A request that replaces the run sets `Handled::new_run`, which pauses and clears the
    /// queued steps.
    fn handle(&mut self, kind: &str, message: &JsValue) -> Handled;
}

pub struct Handled {
    pub reply: Pending<JsValue>,
    pub new_run: bool,
}

impl Handled {
    pub fn now(reply: Result<JsValue, String>) -> Self {
        Self { reply: Box::pin(async move { reply }), new_run: false }
    }
}

struct Loop {
    host: Box<dyn WorkerHost>,
    running: bool,
    pending_steps: u64,
    /// Steps and milliseconds trained since the last snapshot reply.
    trained: (u64, f64),
    /// Wakes the idle loop when a request arrives.
    wake: Option<js_sys::Function>,
}

/// The worker's entry point (called by the bootstrap module in `TrainingWorker::spawn`).
#[wasm_bindgen]
pub fn worker_main(demo: &str) -> Result<(), JsValue> {
    let host: Box<dyn WorkerHost> = match demo {
        "toy" => Box::new(crate::web::toy::remote::ToyHost::default()),
        "digits" => Box::new(crate::web::digits::remote::DigitsHost::default()),
        "collapse" => Box::new(crate::web::collapse::remote::CollapseHost::default()),
        other => return Err(format!("no worker host for “{other}”").into()),
    };
    let state = Rc::new(RefCell::new(Loop { host, running: false, pending_steps: 0, trained: (0, 0.0), wake: None }));
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().dyn_into().map_err(|_| JsValue::from_str("worker_main runs in a dedicated worker only"))?;
    let on_message = {
        let state = state.clone();
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| on_request(&state, e.data()))
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget(); // lives as long as the worker
    wasm_bindgen_futures::spawn_local(step_loop(state));
    scope.post_message(&js::object(vec![("ready", JsValue::TRUE)]))
}

fn reply_to(id: JsValue, result: Result<JsValue, String>) {
    let Ok(scope) = js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() else { return };
    let message = match result {
        Ok(v) if v.is_object() => v,
        Ok(_) => js_sys::Object::new().into(),
        Err(e) => js::object(vec![("error", e.into())]),
    };
    js::set(&message, "id", id);
    // numeric payloads travel as Float32Array / Uint8Array: transfer their buffers
    let transfer = js_sys::Array::new();
    for v in js_sys::Object::values(message.unchecked_ref::<js_sys::Object>()).iter() {
        if let Some(a) = v.dyn_ref::<js_sys::Float32Array>() {
            transfer.push(&a.buffer());
        } else if let Some(a) = v.dyn_ref::<js_sys::Uint8Array>() {
            transfer.push(&a.buffer());
        }
    }
    if scope.post_message_with_transfer(&message, &transfer).is_err() {
        let _ = scope.post_message(&message);
    }
}

fn on_request(state: &Rc<RefCell<Loop>>, message: JsValue) {
    let id = js::get(&message, "id");
    let kind = js::get(&message, "kind").as_string().unwrap_or_default();
    let mut s = state.borrow_mut();
    match kind.as_str() {
        "play" | "pause" => {
            s.running = kind == "play";
            drop(s);
            reply_to(id, Ok(JsValue::NULL));
        }
        "step" => {
            let n = js::get(&message, "n").as_f64().unwrap_or(1.0).max(1.0) as u64;
            let target = s.host.step_count() + s.pending_steps + n;
            s.pending_steps += n;
            drop(s);
            reply_to(id, Ok(js::object(vec![("target", JsValue::from_f64(target as f64))])));
        }
        _ => {
            let handled = s.host.handle(&kind, &message);
            if handled.new_run {
                (s.running, s.pending_steps, s.trained) = (false, 0, (0, 0.0));
            }
            let trained = (kind == "snapshot").then(|| std::mem::take(&mut s.trained));
            drop(s);
            wasm_bindgen_futures::spawn_local(async move {
                let result = handled.reply.await.map(|reply| {
                    if let Some((steps, ms)) = trained {
                        js::set(&reply, "trainedSteps", JsValue::from_f64(steps as f64));
                        js::set(&reply, "trainedMs", ms);
                        let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
                        js::set(&reply, "wasmBytes", JsValue::from_f64(memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64));
                    }
                    reply
                });
                reply_to(id, result);
            });
        }
    }
    if let Some(wake) = state.borrow_mut().wake.take() {
        let _ = wake.call0(&JsValue::NULL);
    }
}

/// Trains while the run plays or has queued steps, in slices of about `SLICE_MS` with a
/// task yield after each (requests are handled there); sleeps until a request otherwise.
async fn step_loop(state: Rc<RefCell<Loop>>) {
    let mut ms_per_step = 1.0f64;
    loop {
        let budget = {
            let mut s = state.borrow_mut();
            if s.running {
                Some(u64::MAX)
            } else if s.pending_steps > 0 {
                Some(s.pending_steps)
            } else {
                let (wake, woken) = promise_pair();
                s.wake = Some(wake);
                drop(s);
                let _ = JsFuture::from(woken).await;
                None
            }
        };
        let Some(budget) = budget else { continue };
        let n = ((SLICE_MS / ms_per_step).floor() as u64).clamp(1, budget);
        let t0 = js::now_ms();
        {
            let mut s = state.borrow_mut();
            if !s.host.train_step() {
                // nothing to train (no run yet): idle until the next request, not a busy loop
                (s.running, s.pending_steps) = (false, 0);
                continue;
            }
            for _ in 1..n {
                s.host.train_step();
            }
            let dt = js::now_ms() - t0;
            ms_per_step = (dt / n as f64).max(1e-3);
            s.pending_steps = s.pending_steps.saturating_sub(n);
            s.trained = (s.trained.0 + n, s.trained.1 + dt);
        }
        js::yield_task().await;
    }
}
