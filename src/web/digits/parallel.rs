//! `/digits`' CPU run on two cores: the training worker (the leader, `remote::DigitsHost`)
//! hands each step's pass of D over the real digits to a helper worker, and meanwhile draws
//! G's samples and takes D's pass over them (`core::digits::dcgan::parallel` has the split and
//! why it is the same step).
//!
//! The page starts both workers and hands them the two ends of a `MessageChannel`, so a step's
//! messages go worker to worker without waiting for the page's thread. The helper keeps no run
//! of its own: each request carries D's weights and the real batch, and the answer is that
//! pass's gradient. The leader owns the run, both optimisers and everything the page sees.
//!
//! If the helper stops answering (it failed, or the browser ended it) the leader takes the
//! real pass itself, drops the helper and trains alone from then on (`status().metrics`'
//! `helperWorkers` falls to 0, and the page starts a fresh helper for the next run).

use super::DigitsTrainer;
use crate::core::digits::data::{labels_tensor, IMAGE_PIXELS, IMAGE_SIDE};
use crate::core::digits::dcgan::{DigitsGan, RealPass};
use crate::core::digits::settings::{config_from, DIGITS_SETTINGS};
use crate::web::backend;
use crate::web::js;
use crate::web::scheduler::Pending;
use crate::web::worker::{buffers, floats, read_bytes, read_floats, settings_of, Handled, WorkerHost};
use burn::tensor::{Tensor, TensorData};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// How long the leader waits for the helper's half of a step (a few tens of milliseconds
/// normally) before it finishes the step alone and stops sharing.
const HELPER_TIMEOUT_MS: i32 = 10_000;

/// This helper's name for `web::worker::worker_main`.
pub const HELPER_DEMO: &str = "digits-helper";

// ---------------------------------------------------------------- leader side

/// The leader's end of the line to its helper.
pub struct Peer {
    port: web_sys::MessagePort,
    next_id: Cell<u32>,
    /// The request waiting for its reply: its id and the promise's resolve.
    waiting: Rc<RefCell<Option<(u32, js_sys::Function)>>>,
    _on_message: Closure<dyn Fn(web_sys::MessageEvent)>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.port.close();
    }
}

impl Peer {
    pub fn new(port: web_sys::MessagePort) -> Self {
        let waiting: Rc<RefCell<Option<(u32, js_sys::Function)>>> = Rc::default();
        let on_message = {
            let waiting = waiting.clone();
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let data = e.data();
                let id = js::get(&data, "id").as_f64().unwrap_or(-1.0) as u32;
                // a late reply to a request that timed out is dropped here
                let mut w = waiting.borrow_mut();
                if w.as_ref().is_some_and(|(waiting_for, _)| *waiting_for == id) {
                    let (_, resolve) = w.take().expect("checked above");
                    drop(w);
                    let _ = resolve.call1(&JsValue::NULL, &data);
                }
            })
        };
        port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Self { port, next_id: Cell::new(1), waiting, _on_message: on_message }
    }

    /// Sends `{kind, ...fields}` (its arrays transferred); the reply, or an error when the
    /// helper answered `{error}` or not within `HELPER_TIMEOUT_MS`.
    fn request(&self, kind: &str, fields: Vec<(&str, JsValue)>) -> Pending<JsValue> {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        let message = js::object(fields);
        js::set(&message, "id", id);
        js::set(&message, "kind", kind);
        let mut resolve_slot = None;
        let reply = js_sys::Promise::new(&mut |resolve, _| resolve_slot = Some(resolve));
        *self.waiting.borrow_mut() = resolve_slot.map(|r| (id, r));
        if let Err(e) = self.port.post_message_with_transferable(&message, &buffers(&message)) {
            self.waiting.borrow_mut().take();
            return Box::pin(async move { Err(format!("could not send to the helper worker: {e:?}")) });
        }
        // the timeout resolves the same promise with a marker, if the reply has not come
        let waiting = self.waiting.clone();
        let give_up = Closure::once_into_js(move || {
            let mut w = waiting.borrow_mut();
            if w.as_ref().is_some_and(|(waiting_for, _)| *waiting_for == id) {
                let (_, resolve) = w.take().expect("checked above");
                drop(w);
                let _ = resolve.call1(&JsValue::NULL, &js::object(vec![("error", format!("no answer within {} s", HELPER_TIMEOUT_MS / 1000).into())]));
            }
        });
        let set_timeout: js_sys::Function = js::get(&js_sys::global(), "setTimeout").unchecked_into();
        let _ = set_timeout.call2(&js_sys::global(), &give_up, &HELPER_TIMEOUT_MS.into());
        Box::pin(async move {
            let data = JsFuture::from(reply).await.map_err(|e| format!("{e:?}"))?;
            match js::get(&data, "error").as_string() {
                Some(e) => Err(e),
                None => Ok(data),
            }
        })
    }
}

fn real_pass_of(reply: &JsValue) -> Result<RealPass, String> {
    let loss = js::get(reply, "loss").as_f64().ok_or("the helper's reply lacks its loss")? as f32;
    Ok(RealPass { gradient: read_floats(reply, "gradient")?, loss, running_moved: read_floats(reply, "runningMoved")? })
}

impl DigitsTrainer {
    /// One training step with D's real pass taken by the helper behind `peer`. An error means
    /// the helper failed; the leader then took that pass itself, so the step is whole.
    pub(super) async fn shared_step(&mut self, peer: &Peer, query: &str) -> Result<(), String> {
        let device = self.gan.device().clone().inner();
        let conditional = self.gan.config().model.conditional;
        let indices = self.shuffler.next_indices(self.batch);
        let train = &self.data.train;
        let classes: Vec<u8> = indices.iter().map(|&i| train.labels()[i]).collect();
        let pending = peer.request(
            "real",
            vec![
                ("query", query.into()),
                ("d", floats(&self.gan.flat_discriminator())),
                ("real", floats(&train.values(indices.iter().copied()))),
                ("classes", js_sys::Uint8Array::from(&classes[..]).into()),
            ],
        );
        let labels = conditional.then(|| labels_tensor(&classes, &device));
        let fake = self.gan.begin_step(self.batch, labels.clone());
        let (real, failure) = match pending.await.and_then(|r| real_pass_of(&r)) {
            Ok(real) => (real, None),
            Err(e) => (self.gan.real_pass(train.batch(&indices, &device).images, labels), Some(e)),
        };
        self.last_losses = Some(self.gan.finish_step(fake, &real)?);
        failure.map_or(Ok(()), Err)
    }
}

// ---------------------------------------------------------------- helper side

/// The helper worker's host: it answers the leader on the port the page handed it. It trains
/// nothing itself (`train_step` is false), so its step loop stays asleep.
#[derive(Default)]
pub struct HelperHost {
    line: Option<(web_sys::MessagePort, Closure<dyn Fn(web_sys::MessageEvent)>)>,
}

/// The helper's replica of the run's model (only its D is used), and the settings query it
/// was built from.
#[derive(Default)]
struct Replica {
    model: Option<(String, DigitsGan)>,
}

impl Replica {
    fn answer(&mut self, message: &JsValue) -> Result<JsValue, String> {
        let kind = js::get(message, "kind").as_string().unwrap_or_default();
        if kind != "real" {
            return Err(format!("the digits helper does not know “{kind}”"));
        }
        let query = js::get(message, "query").as_string().unwrap_or_default();
        if self.model.as_ref().is_none_or(|(q, _)| *q != query) {
            let config = config_from(&settings_of(message, DIGITS_SETTINGS));
            self.model = Some((query, DigitsGan::new(config, &backend::cpu_device().0)?));
        }
        let (_, gan) = self.model.as_mut().expect("built above");
        gan.set_discriminator(&read_floats(message, "d")?)?;
        let device = gan.device().clone().inner();
        let (real, classes) = (read_floats(message, "real")?, read_bytes(message, "classes")?);
        let n = classes.len();
        if n == 0 || real.len() != n * IMAGE_PIXELS {
            return Err("the real batch the helper was sent is malformed".into());
        }
        let images = Tensor::from_data(TensorData::new(real, [n, 1, IMAGE_SIDE, IMAGE_SIDE]), &device);
        let labels = gan.config().model.conditional.then(|| labels_tensor(&classes, &device));
        let pass = gan.real_pass(images, labels);
        Ok(js::object(vec![("gradient", floats(&pass.gradient)), ("loss", pass.loss.into()), ("runningMoved", floats(&pass.running_moved))]))
    }
}

impl WorkerHost for HelperHost {
    fn train_step(&mut self) -> bool {
        false
    }

    fn step_count(&self) -> u64 {
        0
    }

    fn handle(&mut self, kind: &str, message: &JsValue) -> Handled {
        if kind != "connect" {
            return Handled::now(Err(format!("the digits helper does not know “{kind}”")));
        }
        let Ok(port) = js::get(message, "port").dyn_into::<web_sys::MessagePort>() else {
            return Handled::now(Err("the connect message lacks its port".into()));
        };
        let replica = Rc::new(RefCell::new(Replica::default()));
        let reply_port = port.clone();
        let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let message = e.data();
            let reply = match replica.borrow_mut().answer(&message) {
                Ok(reply) => reply,
                Err(e) => js::object(vec![("error", e.into())]),
            };
            js::set(&reply, "id", js::get(&message, "id"));
            let _ = reply_port.post_message_with_transferable(&reply, &buffers(&reply));
        });
        port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        if let Some((old, _)) = self.line.replace((port, on_message)) {
            old.close();
        }
        Handled::now(Ok(JsValue::NULL))
    }
}
