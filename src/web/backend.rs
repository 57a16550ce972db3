//! Picks the compute device: burn's WebGPU backend on a real GPU, its CPU backend (flex)
//! otherwise. `auto` refuses software ("fallback") WebGPU adapters such as SwiftShader: on
//! those the CPU backend is faster (see docs/backends.md). A failed WebGPU start is a message
//! and a CPU fallback, never a panic.
//!
//! A GPU device can also be lost while a demo trains (driver reset, another tab taking the GPU,
//! `GPUDevice.destroy()`). burn does not surface `GPUDevice.lost`, so the page wraps
//! `GPUAdapter.prototype.requestDevice` before any device exists and listens on every device it
//! hands out; a loss marks WebGPU unusable for the rest of the page and tells the demo, which
//! rebuilds its run on the CPU backend with the same settings (docs/robustness.md).

use crate::web::api::Status;
use crate::web::js;
use burn::tensor::Device;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
export function watch_gpu_devices(on_lost) {
  if (typeof GPUAdapter === 'undefined' || !GPUAdapter.prototype.requestDevice) return;
  const request = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await request.apply(this, args);
    device.lost.then((info) => on_lost(String(info.reason ?? ''), String(info.message ?? '')));
    return device;
  };
}
"#)]
extern "C" {
    fn watch_gpu_devices(on_lost: &wasm_bindgen::closure::Closure<dyn Fn(String, String)>);
}

/// Starts listening for lost GPU devices (call once, before any device is created).
pub fn install_loss_watch() {
    let on_lost = wasm_bindgen::closure::Closure::<dyn Fn(String, String)>::new(|reason: String, message: String| {
        let why = match (reason.as_str(), message.trim()) {
            (_, "") => format!("reason: {}", if reason.is_empty() { "unknown" } else { &reason }),
            (_, m) => m.trim_end_matches('.').to_string(),
        };
        // what `acquire` says from now on, with "; running on the CPU backend instead"
        let text = format!(
            "The GPU device was lost ({why}); the run starts again from step 0 with the same settings (its weights were on that device); \
             reload the page to use WebGPU again"
        );
        WGPU.with(|w| *w.borrow_mut() = Some(Err(text)));
        crate::web::api::with_demo(|d| d.device_lost());
    });
    watch_gpu_devices(&on_lost);
    on_lost.forget(); // lives as long as the page
}

/// The adapter limits burn's kernels rely on: WebGPU's guaranteed defaults, so every conforming
/// adapter meets them; an adapter reporting less is refused with the limit's name rather than
/// failing later inside a kernel.
const NEEDED_LIMITS: &[(&str, f64)] = &[
    ("maxComputeInvocationsPerWorkgroup", 256.0),
    ("maxComputeWorkgroupSizeX", 256.0),
    ("maxComputeWorkgroupStorageSize", 16384.0),
    ("maxStorageBuffersPerShaderStage", 8.0),
    ("maxStorageBufferBindingSize", 134_217_728.0),
    ("maxBufferSize", 268_435_456.0),
];

/// The first needed limit the adapter falls short of, as a sentence.
fn missing_limit(adapter: &wasm_bindgen::JsValue) -> Option<String> {
    let limits = js::get(adapter, "limits");
    NEEDED_LIMITS.iter().find_map(|&(name, needed)| {
        let have = js::get(&limits, name).as_f64()?;
        (have < needed).then(|| format!("the WebGPU adapter offers {name} = {have}, below the {needed} this page needs"))
    })
}

/// Refuses a run whose iterations would freeze the page on the CPU backend (see
/// `CPU_ITERATION_FLOP_LIMIT`); WebGPU runs off the main thread and is never refused here.
pub fn check_size(kind: &str, iteration_flops: f64) -> Result<(), String> {
    check_change(kind, 0.0, iteration_flops)
}

/// The same for a change from a run costing `current_flops`: a change that makes the run
/// cheaper always passes, so a link that is too large can be shrunk one setting at a time.
pub fn check_change(kind: &str, current_flops: f64, iteration_flops: f64) -> Result<(), String> {
    let limit = crate::core::toy::CPU_ITERATION_FLOP_LIMIT;
    if kind != "cpu" || iteration_flops <= limit || (current_flops > 0.0 && iteration_flops <= current_flops) {
        return Ok(());
    }
    Err(format!(
        "This setting needs about {:.1} GFLOP per training iteration, more than the {:.1} GFLOP the CPU backend can run without \
         freezing the page (it trains on the page's own thread). Lower the batch size, the widths, the layer counts or the \
         D/G steps, or use WebGPU on a real GPU.",
        iteration_flops / 1e9,
        limit / 1e9
    ))
}

#[derive(Clone, Debug)]
pub struct Compute {
    pub device: Device,
    /// "webgpu" or "cpu"
    pub kind: &'static str,
    /// Human-readable adapter description.
    pub adapter: String,
    /// Why the choice differs from the request, if it does.
    pub notice: Option<String>,
}

impl Compute {
    /// A training step runs synchronously on the page's thread (the CPU backend), rather than
    /// enqueueing GPU work: the scheduler may then train between frames.
    pub fn blocking_steps(&self) -> bool {
        self.kind == "cpu"
    }
}

#[derive(Clone, Debug)]
struct AdapterInfo {
    description: String,
    is_fallback: bool,
}

thread_local! {
    // burn's wgpu runtime can be initialised once per page; keep the outcome.
    static WGPU: RefCell<Option<Result<Device, String>>> = const { RefCell::new(None) };
}

/// burn's flex backend, built with burn's `simd` feature (gemm's wasm simd128 kernel): in wasm
/// it trained every page faster than ndarray (docs/backends.md), and it is what the native
/// tests run on.
#[cfg(not(feature = "ndarray-cpu"))]
pub fn cpu_device() -> (Device, &'static str) {
    (Device::flex(), "CPU (burn flex, WebAssembly)")
}

#[cfg(feature = "ndarray-cpu")]
#[allow(deprecated)]
pub fn cpu_device() -> (Device, &'static str) {
    (Device::ndarray(), "CPU (burn ndarray, WebAssembly)")
}

/// The device a page's `backend` setting asks for: the page's cached one when it matches,
/// else a fresh one (kept in the cache). While a fresh one starts, the status line says so;
/// why it differs from the request (a CPU fallback) goes to the notices.
pub async fn device_for(
    choice: &'static str,
    cache: Rc<RefCell<Option<Compute>>>,
    status: RwSignal<Status>,
    notices: RwSignal<Vec<String>>,
) -> Compute {
    if let Some(c) = cache.borrow().clone().filter(|c| choice == "auto" || c.kind == choice) {
        return c;
    }
    // try_: the page may have gone away while the device started
    status.try_update(|s| (s.backend, s.adapter) = (None, "starting…".into()));
    let c = acquire(choice).await;
    if let Some(n) = &c.notice {
        notices.try_update(|v| v.push(n.clone()));
    }
    *cache.borrow_mut() = Some(c.clone());
    c
}

fn cpu(notice: Option<String>) -> Compute {
    let (device, adapter) = cpu_device();
    Compute { device, kind: "cpu", adapter: adapter.into(), notice }
}

/// Asks the browser for a WebGPU adapter, without creating a device.
async fn probe_adapter() -> Result<AdapterInfo, String> {
    let nav: wasm_bindgen::JsValue = js::window().navigator().into();
    let gpu = js::get(&nav, "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return Err("this browser has no WebGPU (navigator.gpu is missing)".into());
    }
    let request: js_sys::Function = js::get(&gpu, "requestAdapter").dyn_into().map_err(|_| "navigator.gpu.requestAdapter is missing")?;
    let promise: js_sys::Promise = request.call0(&gpu).map_err(|e| format!("requestAdapter failed: {e:?}"))?.dyn_into().map_err(|_| "requestAdapter did not return a promise")?;
    let adapter = JsFuture::from(promise).await.map_err(|e| format!("requestAdapter failed: {e:?}"))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("the browser offers no WebGPU adapter".into());
    }
    if let Some(short) = missing_limit(&adapter) {
        return Err(short);
    }
    let info = js::get(&adapter, "info");
    let text = |k: &str| js::get(&info, k).as_string().unwrap_or_default();
    let is_fallback = js::get(&info, "isFallbackAdapter").as_bool().or_else(|| js::get(&adapter, "isFallbackAdapter").as_bool()).unwrap_or(false);
    let parts: Vec<String> = [text("vendor"), text("architecture"), text("description")].into_iter().filter(|s| !s.is_empty()).collect();
    let mut description = if parts.is_empty() { "WebGPU adapter".to_string() } else { parts.join(" ") };
    if is_fallback {
        description.push_str(" (software fallback adapter)");
    }
    Ok(AdapterInfo { description, is_fallback })
}

async fn wgpu_device() -> Result<Device, String> {
    if let Some(done) = WGPU.with(|w| w.borrow().clone()) {
        return done;
    }
    // the first line: the rest is a JS stack trace, no help in a notice
    let result = Device::wgpu_options().init_async().await.map_err(|e| format!("WebGPU failed to start: {}", e.to_string().lines().next().unwrap_or_default()));
    WGPU.with(|w| *w.borrow_mut() = Some(result.clone()));
    result
}

/// Resolves a `backend` setting (`auto`, `webgpu`, `cpu`) to a device.
pub async fn acquire(choice: &str) -> Compute {
    if choice == "cpu" {
        return cpu(None);
    }
    let adapter = match probe_adapter().await {
        Ok(a) => a,
        Err(e) => return cpu(Some(format!("{e}; running on the CPU backend instead."))),
    };
    if choice == "auto" && adapter.is_fallback {
        return cpu(Some(format!(
            "The only WebGPU adapter is a software one ({}); the CPU backend is faster there. Choose backend “webgpu” to use it anyway.",
            adapter.description
        )));
    }
    match wgpu_device().await {
        Ok(device) => Compute { device, kind: "webgpu", adapter: adapter.description, notice: None },
        Err(e) => cpu(Some(format!("{e}; running on the CPU backend instead."))),
    }
}
