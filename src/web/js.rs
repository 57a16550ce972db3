//! Small helpers over web-sys/js-sys used across the web layer.

use wasm_bindgen::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen_futures::JsFuture;

pub fn window() -> web_sys::Window {
    web_sys::window().expect("no window")
}

/// `performance.now()`, on the page and in a worker alike.
pub fn now_ms() -> f64 {
    thread_local! {
        static PERFORMANCE: Option<web_sys::Performance> =
            js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("performance")).ok().and_then(|p| p.dyn_into().ok());
    }
    PERFORMANCE.with(|p| p.as_ref().map(|p| p.now()).unwrap_or_else(js_sys::Date::now))
}

/// Resolves in a new task (a `MessageChannel` message, not clamped like `setTimeout(0)`):
/// a real yield to the event loop, on the page or in a worker.
pub async fn yield_task() {
    channel_yield(|_| {}).await;
}

/// The `MessageChannel` round trip behind both task yields; `wake` also gets the resolving
/// function, so something else may end the wait sooner. False when there is no channel.
async fn channel_yield(wake: impl FnOnce(js_sys::Function)) -> bool {
    let Ok(channel) = web_sys::MessageChannel::new() else { return false };
    let mut wake = Some(wake);
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        channel.port1().set_onmessage(Some(&resolve));
        if let Some(wake) = wake.take() {
            wake(resolve);
        }
        let _ = channel.port2().post_message(&JsValue::NULL);
    });
    let _ = JsFuture::from(promise).await;
    // closed ports can be collected; an open one with a handler may be kept alive
    channel.port1().close();
    channel.port2().close();
    true
}

/// Resolves at the next animation frame: a real yield that lets the browser paint (a
/// microtask "yield" would not). Animation frames stop in hidden tabs, so training pauses
/// with them and resumes when the tab is shown again.
pub async fn next_frame() {
    FrameRequest::new().wait().await;
}

/// An animation frame asked for now, whose arrival can be checked without waiting: the
/// scheduler trains in the gaps between frames until `arrived()`, then awaits `wait()`.
pub struct FrameRequest {
    arrived: Rc<Cell<bool>>,
    /// Resolves the `yield_task` under way, so the frame's work starts inside the frame's own
    /// callback (and is painted in that frame) rather than in a task after it.
    wake: Rc<RefCell<Option<js_sys::Function>>>,
    promise: js_sys::Promise,
}

impl FrameRequest {
    pub fn new() -> Self {
        let arrived = Rc::new(Cell::new(false));
        let wake: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
        let (flag, waker) = (arrived.clone(), wake.clone());
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let (flag, waker) = (flag.clone(), waker.clone());
            let on_frame = Closure::once_into_js(move || {
                flag.set(true);
                let _ = resolve.call0(&JsValue::NULL);
                if let Some(yielding) = waker.borrow_mut().take() {
                    let _ = yielding.call0(&JsValue::NULL);
                }
            });
            let _ = window().request_animation_frame(on_frame.unchecked_ref());
        });
        Self { arrived, wake, promise }
    }

    pub fn arrived(&self) -> bool {
        self.arrived.get()
    }

    /// Resolves in a new task (a `MessageChannel` message) or when the frame arrives,
    /// whichever is first: the browser handles input and paints in between. Unlike
    /// `setTimeout(0)`, repeated yields are not clamped to 4 ms.
    pub async fn yield_task(&self) {
        if !channel_yield(|resolve| *self.wake.borrow_mut() = Some(resolve)).await {
            return sleep_ms(0).await;
        }
        self.wake.borrow_mut().take();
    }

    pub async fn wait(self) {
        let _ = JsFuture::from(self.promise).await;
    }
}

pub fn document_hidden() -> bool {
    window().document().is_some_and(|d| d.hidden())
}

pub fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn set(obj: &JsValue, key: &str, value: impl Into<JsValue>) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

pub fn object(pairs: Vec<(&str, JsValue)>) -> JsValue {
    let o: JsValue = js_sys::Object::new().into();
    for (k, v) in pairs {
        set(&o, k, v);
    }
    o
}

pub fn canvas_by_id(id: &str) -> Option<web_sys::HtmlCanvasElement> {
    window().document()?.get_element_by_id(id)?.dyn_into().ok()
}

/// Sizes a canvas's backing store to its CSS box times the device pixel ratio (sharp on
/// high-DPI screens); returns (width, height, ratio) in device pixels.
pub fn fit_canvas(canvas: &web_sys::HtmlCanvasElement) -> (u32, u32, f64) {
    let dpr = window().device_pixel_ratio().max(1.0);
    let rect = canvas.get_bounding_client_rect();
    let (w, h) = ((rect.width() * dpr).round().max(1.0) as u32, (rect.height() * dpr).round().max(1.0) as u32);
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    (w, h, dpr)
}

/// Asks for a CPU-rasterised 2-D context (`willReadFrequently`) before anything else creates
/// the canvas's context. Charts with thousands of path segments redrawn every frame measured
/// ~140 ms a frame on a GPU-backed canvas under software GL (SwiftShader) and far less on the
/// CPU raster; on real GPUs the CPU raster is still a few ms for these sizes (docs/saddle.md).
pub fn prefer_cpu_raster(canvas: &web_sys::HtmlCanvasElement) {
    let options = object(vec![("willReadFrequently", JsValue::TRUE)]);
    let _ = canvas.get_context_with_context_options("2d", &options);
}

/// Writes the settings into the address bar (no navigation, no history entry), so the link
/// in the bar always reproduces what is on screen.
pub fn replace_query(query: &str) {
    let w = window();
    let path = w.location().pathname().unwrap_or_default();
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}?{query}")));
    }
}

/// Resolves after `ms` milliseconds (a `setTimeout` promise).
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// Offers `bytes` to the user as a downloaded file named `name`.
pub fn download(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|e| format!("{e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    download_url(name, &url)?;
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Offers the resource at `url` (a blob: or data: URL) as a downloaded file named `name`.
pub fn download_url(name: &str, url: &str) -> Result<(), String> {
    let document = window().document().ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(|e| format!("{e:?}"))?.unchecked_into();
    a.set_href(url);
    a.set_download(name);
    a.click();
    Ok(())
}

/// Calls `obj.name()` (a method web-sys does not bind for this type).
pub fn call0(obj: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = get(obj, name).dyn_into()?;
    f.call0(obj)
}

/// The bytes of a file the user picked (read asynchronously).
pub async fn file_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|e| format!("the browser could not read it ({e:?})"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
