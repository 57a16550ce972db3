//! `/digits`' run in a training worker (`web::worker`), used on the CPU backend, where a DCGAN
//! step (tens of milliseconds) would otherwise hold the page's thread. `DigitsHost` owns the
//! `DigitsTrainer` and the worker's own copy of the training digits (sent once per worker, as
//! the raw bytes the page already checked). A readback travels as one Float32Array with its
//! layout, and the page decodes it: the scores need the reference fit it measured when the
//! files loaded.

use super::{DigitsReadback, DigitsTrainer, TrainData};
use crate::core::digits::settings::DIGITS_SETTINGS;
use crate::web::backend;
use crate::web::js;
use crate::web::scheduler::Trainer;
use crate::web::worker::{bytes, floats, read_bytes, read_floats, settings_of, Handled, WorkerHost};
use wasm_bindgen::JsValue;

/// The run in the worker and the data it trains on.
#[derive(Default)]
pub struct DigitsHost {
    data: Option<std::rc::Rc<TrainData>>,
    trainer: Option<DigitsTrainer>,
}

fn flag(message: &JsValue, key: &str) -> bool {
    js::get(message, key).is_truthy()
}

impl DigitsHost {
    fn trainer(&mut self) -> Result<&mut DigitsTrainer, String> {
        self.trainer.as_mut().ok_or_else(|| "the worker has no run yet".to_string())
    }

    fn build(&mut self, message: &JsValue) -> Result<DigitsTrainer, String> {
        let data = self.data.clone().ok_or("the worker has no digits yet")?;
        // the CPU backend: the grid and the walk are read back on full frames only
        DigitsTrainer::new(&settings_of(message, DIGITS_SETTINGS), data, &backend::cpu_device().0, false, read_bytes(message, "pretrained").ok().as_deref())
    }
}

impl WorkerHost for DigitsHost {
    fn train_step(&mut self) -> bool {
        self.trainer.as_mut().map(Trainer::train_step).is_some()
    }

    fn step_count(&self) -> u64 {
        self.trainer.as_ref().map_or(0, Trainer::step_count)
    }

    fn handle(&mut self, kind: &str, message: &JsValue) -> Handled {
        match kind {
            "data" => {
                let parts = (read_bytes(message, "images"), read_bytes(message, "labels"), read_bytes(message, "classifier"));
                let (Ok(images), Ok(labels), Ok(classifier)) = parts else { return Handled::now(Err("the digits message is incomplete".into())) };
                Handled::now(TrainData::from_raw(images, labels, classifier).map(|data| {
                    self.data = Some(std::rc::Rc::new(data));
                    JsValue::NULL
                }))
            }
            // a model that cannot be built leaves the current run as it was
            "new" => match self.build(message) {
                Ok(trainer) => {
                    self.trainer = Some(trainer);
                    Handled { reply: Box::pin(async { Ok(JsValue::NULL) }), new_run: true }
                }
                Err(e) => Handled::now(Err(e)),
            },
            "snapshot" => match self.trainer() {
                Ok(t) => {
                    let pending = t.snapshot(flag(message, "full"));
                    Handled { reply: Box::pin(async move { pending.await.map(|r| encode(&r)) }), new_run: false }
                }
                Err(e) => Handled::now(Err(e)),
            },
            "walk" => {
                let end = |key| js::get(message, key).as_f64().unwrap_or(0.0) as usize;
                let ends = (end("from"), end("to"));
                Handled::now(self.trainer().map(|t| {
                    t.walk.set(ends);
                    JsValue::NULL
                }))
            }
            "save" => match self.trainer() {
                Ok(t) => {
                    let (name, pending) = t.model_file();
                    Handled {
                        reply: Box::pin(async move {
                            let file = pending.await?;
                            Ok(js::object(vec![("bytes", bytes(&file)), ("name", name.into())]))
                        }),
                        new_run: false,
                    }
                }
                Err(e) => Handled::now(Err(e)),
            },
            "load" => {
                let file = read_bytes(message, "bytes").unwrap_or_default();
                Handled::now(self.trainer().and_then(|t| t.gan.load_bytes(&file)).map(|()| JsValue::NULL))
            }
            other => Handled::now(Err(format!("the digits worker does not know “{other}”"))),
        }
    }
}

/// A readback as the worker sends it: the values and their layout.
fn encode(r: &DigitsReadback) -> JsValue {
    js::object(vec![
        ("values", floats(&r.values)),
        ("step", JsValue::from_f64(r.step as f64)),
        ("images", r.images.into()),
        ("losses", r.losses.into()),
        ("measured", r.measured.into()),
        ("conditional", r.conditional.into()),
        ("probabilities", r.probabilities.into()),
    ])
}

/// The page's side of `encode` (`RemoteRunner`'s decode).
pub fn decode(reply: &JsValue) -> Result<(DigitsReadback, u64), String> {
    let values = read_floats(reply, "values")?;
    let step = js::get(reply, "step").as_f64().ok_or("the worker's reply lacks its step")? as u64;
    let r = DigitsReadback {
        step,
        values,
        images: flag(reply, "images"),
        losses: flag(reply, "losses"),
        measured: flag(reply, "measured"),
        conditional: flag(reply, "conditional"),
        probabilities: flag(reply, "probabilities"),
    };
    Ok((r, step))
}
