//! `window.ganPlayground`, the automation API used by tests, benchmarks and lecturers' slides,
//! and the `postMessage` bridge that exposes the same commands to a page embedding us in an
//! iframe. Both go through `dispatch`, so they cannot drift apart. See docs/api.md.

use crate::core::settings::{Settings, Value};
use crate::web::{js, present};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// What the page currently shows about the run (`status()`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    pub backend: Option<&'static str>,
    pub adapter: String,
    pub running: bool,
    pub step: u64,
    pub steps_per_sec: f64,
    pub fps: f64,
    pub loss_d: Option<f32>,
    pub loss_g: Option<f32>,
    pub metrics: Vec<(&'static str, f64)>,
    pub error: Option<String>,
}

impl Status {
    /// The page's "Backend:" line: the device in use, or that it is starting (or, after an
    /// error before any device came up, that none did).
    pub fn backend_line(&self) -> String {
        match (self.backend, &self.error) {
            (Some(b), _) => format!("{b} · {}", self.adapter),
            (None, Some(_)) => "not started".to_string(),
            (None, None) => format!("starting… {}", self.adapter),
        }
    }
}

/// What a demo page offers to the API. Registered while the page is mounted.
pub trait Demo {
    /// Stops the run for good (the page is going away).
    fn shutdown(&self);
    fn status(&self) -> Status;
    fn play(&self);
    fn pause(&self);
    /// Resolves once `n` more steps are trained and drawn.
    fn step(&self, n: u64) -> js_sys::Promise;
    /// Resolves once the new run has drawn its first frame.
    fn reset(&self) -> js_sys::Promise;
    fn settings(&self) -> Settings;
    fn set(&self, key: &str, raw: &str) -> Result<(), String>;
    /// Resolves to `n` samples (2-D demos: `[[x, y], …]`).
    fn samples(&self, n: usize) -> js_sys::Promise;
    /// What the demo computed, as a plain object (the saddle lab: every rule's verdict,
    /// eigenvalues and trajectory end). Null where a demo has nothing beyond `status()`.
    fn report(&self) -> JsValue {
        JsValue::NULL
    }
    /// The GPU device is gone: a demo training on it rebuilds its run on the CPU backend.
    fn device_lost(&self) {}
    /// Puts back the settings (and, where it can, the run) from before the last change.
    fn undo(&self) -> Result<(), String> {
        Err("this page has nothing to undo".into())
    }
    /// Draws the views again now, even when paused (the theme changed).
    fn redraw(&self) {}
    /// The metric history the charts show, as CSV (Export); None before there is any.
    fn history_csv(&self) -> Option<String> {
        None
    }
}

thread_local! {
    static DEMO: RefCell<Option<Rc<dyn Demo>>> = const { RefCell::new(None) };
    /// Demos of mounted pages by token (a page being replaced is still here until cleanup).
    static REGISTERED: RefCell<std::collections::BTreeMap<u64, Rc<dyn Demo>>> = const { RefCell::new(std::collections::BTreeMap::new()) };
    static NEXT_TOKEN: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
    /// The route the registered demo belongs to (`goto` waits for the new page's demo).
    static DEMO_ROUTE: RefCell<String> = const { RefCell::new(String::new()) };
    static NAVIGATE: RefCell<Option<Rc<dyn Fn(&str)>>> = const { RefCell::new(None) };
}

/// Makes `demo` the page's demo; returns the token its page gives `unregister` on cleanup.
pub fn register(demo: Rc<dyn Demo>) -> u64 {
    let token = NEXT_TOKEN.with(|n| n.replace(n.get() + 1));
    REGISTERED.with(|r| r.borrow_mut().insert(token, demo.clone()));
    PAUSED_BY_HIDING.with(|p| p.set(false)); // a new page starts as its link says
    DEMO.with(|d| *d.borrow_mut() = Some(demo.clone()));
    DEMO_ROUTE.with(|r| *r.borrow_mut() = present::route());
    wasm_bindgen_futures::spawn_local(when_ready(demo));
    token
}

/// Once the demo has a device and has drawn: starts it when the link says `autoplay=1`,
/// marks the first frame for the load benchmark, and tells an embedding page it is ready.
async fn when_ready(demo: Rc<dyn Demo>) {
    // Only the page's current demo may be asked: a page that went away has disposed the
    // signals its status() reads (/digits can still be downloading its data then).
    let still_here = || DEMO.with(|d| d.borrow().as_ref().is_some_and(|current| same_demo(current, &demo)));
    // a device can take seconds to start; give up after ~60 s of frames (the page shows why)
    for _ in 0..3600 {
        if !still_here() {
            return;
        }
        if demo.status().backend.is_some() {
            break;
        }
        js::next_frame().await;
    }
    frames(2).await; // the loop draws on the frame after the run is installed
    if !still_here() || demo.status().backend.is_none() {
        return;
    }
    if let Some(performance) = js::window().performance() {
        if performance.get_entries_by_name("gan-playground:first-frame").length() == 0 {
            let _ = performance.mark("gan-playground:first-frame");
        }
    }
    if present::options().autoplay && demo.status().error.is_none() {
        demo.play();
    }
    let window = js::window();
    if let Ok(Some(parent)) = window.parent() {
        if !js_sys::Object::is(&parent, &window) {
            let ready = js::object(vec![("type", "ganPlayground:ready".into()), ("route", present::route().into())]);
            let _ = parent.post_message(&ready, "*");
        }
    }
}

fn same_demo(a: &Rc<dyn Demo>, b: &Rc<dyn Demo>) -> bool {
    std::ptr::addr_eq(Rc::as_ptr(a), Rc::as_ptr(b))
}

/// Stops the run of the demo `register` returned `token` for and, if it is still the
/// registered demo, removes it. The router mounts the next page before it cleans up the last,
/// so by then another demo may be registered; that one stays.
pub fn unregister(token: u64) {
    let Some(demo) = REGISTERED.with(|r| r.borrow_mut().remove(&token)) else { return };
    let current = DEMO.with(|d| d.borrow().as_ref().is_some_and(|c| same_demo(c, &demo)));
    if current {
        DEMO.with(|d| d.borrow_mut().take());
    }
    demo.shutdown();
}

pub fn with_demo<R>(f: impl FnOnce(&Rc<dyn Demo>) -> R) -> Option<R> {
    let demo = DEMO.with(|d| d.borrow().clone());
    demo.as_ref().map(f)
}

pub fn set_navigate(f: Rc<dyn Fn(&str)>) {
    NAVIGATE.with(|n| *n.borrow_mut() = Some(f));
}

/// `samples(n)`'s answer: a flat `[n, 2]` read-back as `[[x, y], …]` (rejects with the
/// read-back's error).
pub fn points_promise(pending: impl std::future::Future<Output = Result<Vec<f32>, String>> + 'static) -> js_sys::Promise {
    future_to_promise(async move {
        let flat = pending.await.map_err(|e| JsValue::from_str(&e))?;
        let out = js_sys::Array::new();
        for p in flat.chunks_exact(2) {
            out.push(&js_sys::Array::of2(&(p[0] as f64).into(), &(p[1] as f64).into()));
        }
        Ok(out.into())
    })
}

fn value_to_js(v: &Value) -> JsValue {
    match v {
        Value::Int(i) => JsValue::from_f64(*i as f64),
        Value::Float(f) => JsValue::from_f64(*f),
        Value::Choice(c) => JsValue::from_str(c),
        Value::Set(v) => JsValue::from_str(&v.join(",")),
        Value::Text(t) => JsValue::from_str(t),
    }
}

/// A JS argument as the text the settings table parses.
fn arg_text(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        s
    } else if let Some(f) = v.as_f64() {
        format!("{f}")
    } else if let Some(b) = v.as_bool() {
        b.to_string()
    } else {
        String::new()
    }
}

fn status_js() -> JsValue {
    let route = present::route();
    let s = with_demo(|d| d.status()).unwrap_or_default();
    let opt_f = |v: Option<f32>| v.map(|x| JsValue::from_f64(x as f64)).unwrap_or(JsValue::NULL);
    let metrics = js::object(s.metrics.iter().map(|(k, v)| (*k, JsValue::from_f64(*v))).collect());
    js::object(vec![
        ("route", route.into()),
        ("backend", s.backend.map(JsValue::from_str).unwrap_or(JsValue::NULL)),
        ("adapter", s.adapter.into()),
        ("running", s.running.into()),
        ("step", JsValue::from_f64(s.step as f64)),
        ("stepsPerSec", s.steps_per_sec.into()),
        ("fps", s.fps.into()),
        ("losses", js::object(vec![("d", opt_f(s.loss_d)), ("g", opt_f(s.loss_g))])),
        ("metrics", metrics),
        ("error", s.error.map(JsValue::from).unwrap_or(JsValue::NULL)),
    ])
}

/// The demo's settings table: `[{key, label, kind, min, max, options, default}]` (empty on
/// pages without a demo).
fn table_js() -> JsValue {
    use crate::core::settings::Kind;
    let rows = js_sys::Array::new();
    let table = with_demo(|d| d.settings().table()).unwrap_or(&[]);
    for spec in table {
        let list = |o: &[&str]| JsValue::from(o.iter().map(|x| JsValue::from_str(x)).collect::<js_sys::Array>());
        let (kind, min, max, options) = match spec.kind {
            Kind::Int { min, max } => ("int", JsValue::from_f64(min as f64), JsValue::from_f64(max as f64), JsValue::NULL),
            Kind::Float { min, max } => ("float", min.into(), max.into(), JsValue::NULL),
            Kind::Choice(o) => ("choice", JsValue::NULL, JsValue::NULL, list(o)),
            Kind::Set(o) => ("set", JsValue::NULL, JsValue::NULL, list(o)),
            Kind::Text { max_len } => ("text", JsValue::NULL, JsValue::from_f64(max_len as f64), JsValue::NULL),
        };
        rows.push(&js::object(vec![
            ("key", spec.key.into()),
            ("label", spec.label.into()),
            ("kind", kind.into()),
            ("min", min),
            ("max", max),
            ("options", options),
            ("default", spec.default.into()),
        ]));
    }
    rows.into()
}

/// Every current setting as a plain object (empty on pages without a demo).
fn config_js() -> JsValue {
    with_demo(|d| {
        let s = d.settings();
        js::object(s.table().iter().filter_map(|spec| s.get(spec.key).map(|v| (spec.key, value_to_js(v)))).collect())
    })
    .unwrap_or_else(|| js::object(vec![]))
}

fn no_demo() -> JsValue {
    js::object(vec![("ok", false.into()), ("error", "this page has no demo running".into())])
}

fn resolved(v: JsValue) -> js_sys::Promise {
    js_sys::Promise::resolve(&v)
}

/// Waits `n` animation frames (lets a route change mount its page).
async fn frames(n: usize) {
    for _ in 0..n {
        js::next_frame().await;
    }
}

/// A command's `{ok, error}` answer (None: no demo on this page).
fn outcome(result: Option<Result<(), String>>) -> JsValue {
    match result.unwrap_or_else(|| Err("this page has no demo running".into())) {
        Ok(()) => js::object(vec![("ok", true.into()), ("error", JsValue::NULL)]),
        Err(e) => js::object(vec![("ok", false.into()), ("error", e.into())]),
    }
}

/// Runs one API command. Every command answers a Promise; none throws.
pub fn dispatch(cmd: &str, args: &[JsValue]) -> js_sys::Promise {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(JsValue::UNDEFINED);
    match cmd {
        "status" => resolved(status_js()),
        "play" | "pause" => {
            let play = cmd == "play";
            let ok = with_demo(|d| if play { d.play() } else { d.pause() }).is_some();
            resolved(if ok { status_js() } else { no_demo() })
        }
        "step" => {
            let n = arg(0).as_f64().unwrap_or(1.0);
            if !(n >= 1.0 && n <= 1e6) {
                return resolved(js::object(vec![("ok", false.into()), ("error", "step(n) needs 1 ≤ n ≤ 1000000".into())]));
            }
            with_demo(|d| d.step(n as u64)).unwrap_or_else(|| resolved(no_demo()))
        }
        "reset" => with_demo(|d| d.reset()).unwrap_or_else(|| resolved(no_demo())),
        "get" => {
            let key = arg_text(&arg(0));
            resolved(with_demo(|d| d.settings().get(&key).map(value_to_js)).flatten().unwrap_or(JsValue::UNDEFINED))
        }
        "set" => {
            let (key, raw) = (arg_text(&arg(0)), arg_text(&arg(1)));
            resolved(outcome(with_demo(|d| d.set(&key, &raw))))
        }
        "undo" => resolved(outcome(with_demo(|d| d.undo()))),
        "config" => resolved(config_js()),
        "table" => resolved(table_js()),
        "report" => resolved(with_demo(|d| d.report()).unwrap_or(JsValue::NULL)),
        "samples" => {
            let n = arg(0).as_f64().unwrap_or(100.0);
            if !(n >= 1.0 && n <= 100_000.0) {
                return resolved(js::object(vec![("ok", false.into()), ("error", "samples(n) needs 1 ≤ n ≤ 100000".into())]));
            }
            with_demo(|d| d.samples(n as usize)).unwrap_or_else(|| resolved(no_demo()))
        }
        "goto" => {
            let route = arg_text(&arg(0));
            let nav = NAVIGATE.with(|n| n.borrow().clone());
            future_to_promise(async move {
                match nav {
                    Some(nav) => {
                        nav(&route);
                        // the router swaps pages asynchronously: wait until this route's page
                        // is in place (a demo page has registered), or ~2 s at most
                        let path = route.split(['?', '#']).next().unwrap_or_default().to_string();
                        let is_demo = crate::web::app::DEMOS.iter().any(|d| d.ready && d.route == path);
                        for _ in 0..120 {
                            frames(1).await;
                            let registered = with_demo(|_| ()).is_some() && DEMO_ROUTE.with(|r| *r.borrow() == path);
                            if present::route() == path && (!is_demo || registered) {
                                break;
                            }
                        }
                        frames(1).await;
                        Ok(status_js())
                    }
                    None => Ok(no_demo()),
                }
            })
        }
        other => resolved(js::object(vec![("ok", false.into()), ("error", format!("unknown command “{other}”").into())])),
    }
}

thread_local! {
    /// Whether the page paused its demo because the tab was hidden (and so resumes it).
    static PAUSED_BY_HIDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A hidden tab pauses training and a shown one resumes it, when hiding paused it. Animation
/// frames stop in hidden tabs anyway; pausing explicitly keeps `status()` honest (not "running"
/// at 0 steps/s) and makes the rate meter start afresh on return.
fn pause_while_hidden() {
    let Some(document) = js::window().document() else { return };
    let doc = document.clone();
    let on_change = Closure::<dyn Fn()>::new(move || {
        if doc.hidden() {
            let paused = with_demo(|d| d.status().running.then(|| d.pause()).is_some()).unwrap_or(false);
            PAUSED_BY_HIDING.with(|p| p.set(paused));
        } else if PAUSED_BY_HIDING.with(|p| p.replace(false)) {
            with_demo(|d| d.play());
        }
    });
    let _ = document.add_event_listener_with_callback("visibilitychange", on_change.as_ref().unchecked_ref());
    on_change.forget();
}

/// Installs `window.ganPlayground` and the `postMessage` listener.
pub fn install() {
    let window = js::window();
    let api = js_sys::Object::new();
    for cmd in ["play", "pause", "step", "reset", "undo", "get", "set", "samples", "goto"] {
        let f = Closure::<dyn Fn(JsValue, JsValue) -> js_sys::Promise>::new(move |a: JsValue, b: JsValue| dispatch(cmd, &[a, b]));
        js::set(&api, cmd, f.as_ref().clone());
        f.forget(); // lives as long as the page
    }
    // status(), config() and report() answer synchronously (over postMessage they still reply).
    for cmd in ["status", "config", "table", "report"] {
        let f = Closure::<dyn Fn() -> JsValue>::new(move || match cmd {
            "status" => status_js(),
            "config" => config_js(),
            "table" => table_js(),
            _ => with_demo(|d| d.report()).unwrap_or(JsValue::NULL),
        });
        js::set(&api, cmd, f.as_ref().clone());
        f.forget();
    }
    js::set(&window, "ganPlayground", api);
    pause_while_hidden();

    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(|event: web_sys::MessageEvent| {
        let data = event.data();
        if js::get(&data, "type").as_string().as_deref() != Some("ganPlayground") {
            return;
        }
        let id = js::get(&data, "id");
        let cmd = js::get(&data, "cmd").as_string().unwrap_or_default();
        let args: Vec<JsValue> = js_sys::Array::from(&js::get(&data, "args")).iter().collect();
        let source = event.source();
        let promise = dispatch(&cmd, &args);
        wasm_bindgen_futures::spawn_local(async move {
            let result = JsFuture::from(promise).await.unwrap_or_else(|e| e);
            let reply = js::object(vec![("type", "ganPlayground:reply".into()), ("id", id), ("result", result)]);
            if let Some(source) = source {
                let post: Option<js_sys::Function> = js::get(&source, "postMessage").dyn_into().ok();
                if let Some(post) = post {
                    let _ = post.call2(&source, &reply, &JsValue::from_str("*"));
                }
            }
        });
    });
    let _ = window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    on_message.forget();
}
