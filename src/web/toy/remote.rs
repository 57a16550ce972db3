//! The toy lab's run in a training worker (`web::worker`), used on the CPU backend: the worker
//! side (`ToyHost`, which owns the `ToyGan`) and the snapshot's encoding both ways. Settings
//! travel as the page's own query string, so the worker builds exactly the run a link would.

use crate::core::checkpoint::Checkpoint;
use crate::core::toy::{FullView, ToyConfig, ToyGan, ToySnapshot, TOY_SETTINGS};
use crate::web::backend;
use crate::web::js;
use crate::web::worker::{bytes, floats, read_bytes, read_floats, settings_of, Handled, WorkerHost};
use wasm_bindgen::JsValue;

/// The run in the worker, and the copy kept for Undo.
#[derive(Default)]
pub struct ToyHost {
    gan: Option<ToyGan>,
    saved: Option<ToyGan>,
}

fn number(message: &JsValue, key: &str) -> f64 {
    js::get(message, key).as_f64().unwrap_or(f64::NAN)
}

fn config_of(message: &JsValue) -> ToyConfig {
    ToyConfig::from_settings(&settings_of(message, TOY_SETTINGS))
}

/// What the page needs of a new run: its fixed real samples (for the analysis) and step.
fn installed(gan: &ToyGan) -> JsValue {
    js::object(vec![("realView", floats(&gan.real_view)), ("step", JsValue::from_f64(gan.step as f64))])
}

impl ToyHost {
    fn gan(&mut self) -> Result<&mut ToyGan, String> {
        self.gan.as_mut().ok_or_else(|| "the worker has no run yet".to_string())
    }

    /// Puts `built` in place of the run; `keep_old` keeps the old one for Undo (a loaded file
    /// replaces the run before the page hears of it, so the page cannot ask to remember first).
    fn replace(&mut self, built: Result<ToyGan, String>, keep_old: bool) -> Handled {
        match built {
            Ok(gan) => {
                let reply = installed(&gan);
                let old = self.gan.replace(gan);
                if keep_old {
                    self.saved = old;
                }
                Handled { reply: Box::pin(async move { Ok(reply) }), new_run: true }
            }
            Err(e) => Handled::now(Err(e)), // the current run stays
        }
    }
}

impl WorkerHost for ToyHost {
    fn train_step(&mut self) -> bool {
        self.gan.as_mut().map(|gan| gan.train_step()).is_some()
    }

    fn step_count(&self) -> u64 {
        self.gan.as_ref().map_or(0, |g| g.step)
    }

    fn handle(&mut self, kind: &str, message: &JsValue) -> Handled {
        let device = backend::cpu_device().0;
        match kind {
            "new" => self.replace(ToyGan::new(config_of(message), &device), false),
            "load" => {
                let file = read_bytes(message, "bytes").unwrap_or_default();
                let built = Checkpoint::from_bytes(&file).and_then(|c| ToyGan::from_checkpoint(config_of(message), &device, &c));
                self.replace(built, true)
            }
            "remember" => {
                self.saved = self.gan.clone();
                Handled::now(Ok(JsValue::NULL))
            }
            "restore" => {
                let saved = self.saved.take().ok_or_else(|| "there is no remembered run".to_string());
                self.replace(saved, false)
            }
            "stepD" | "stepG" => Handled::now(self.gan().map(|g| {
                if kind == "stepD" {
                    g.step_d_only();
                } else {
                    g.step_g_only();
                }
                JsValue::NULL
            })),
            "applyLive" => {
                let config = config_of(message);
                Handled::now(self.gan().map(|g| JsValue::from_bool(g.apply_live(&config).is_some())))
            }
            "snapshot" => {
                let full = js::get(message, "full").is_truthy();
                match self.gan() {
                    Ok(g) => {
                        let pending = g.snapshot(full);
                        Handled { reply: Box::pin(async move { pending.await.map(|s| encode(&s)) }), new_run: false }
                    }
                    Err(e) => Handled::now(Err(e)),
                }
            }
            "checkpoint" => {
                let query = js::get(message, "query").as_string().unwrap_or_default();
                match self.gan() {
                    Ok(g) => {
                        let pending = g.checkpoint(super::DEMO, query);
                        Handled {
                            reply: Box::pin(async move {
                                let c = pending.await?;
                                Ok(js::object(vec![("bytes", bytes(&c.to_bytes())), ("step", JsValue::from_f64(c.step as f64))]))
                            }),
                            new_run: false,
                        }
                    }
                    Err(e) => Handled::now(Err(e)),
                }
            }
            "samples" => match self.gan() {
                Ok(g) => samples_reply(g, message),
                Err(e) => Handled::now(Err(e)),
            },
            other => Handled::now(Err(format!("the toy worker has no request “{other}”"))),
        }
    }
}

/// The reply to `samples` (`n` generated points from fresh noise), read from `gan`.
pub(crate) fn samples_reply(gan: &mut ToyGan, message: &JsValue) -> Handled {
    let pending = gan.samples(js::get(message, "n").as_f64().unwrap_or(1.0) as usize);
    Handled { reply: Box::pin(async move { pending.await.map(|v| js::object(vec![("points", floats(&v))])) }), new_run: false }
}

/// A snapshot as a message: numbers as they are, arrays as Float32Arrays (transferred).
pub(crate) fn encode(s: &ToySnapshot) -> JsValue {
    let n = |v: f64| JsValue::from_f64(v);
    let mut fields = vec![
        ("step", n(s.step as f64)),
        ("dUpdates", n(s.d_updates as f64)),
        ("gUpdates", n(s.g_updates as f64)),
        ("lossD", n(s.loss_d as f64)),
        ("lossG", n(s.loss_g as f64)),
        ("largest", n(s.largest_weight as f64)),
        ("fake", floats(&s.fake)),
    ];
    if let Some(f) = &s.full {
        fields.extend([
            ("dGrid", floats(&f.d_grid)),
            ("dReal", floats(&f.d_real)),
            ("dFake", floats(&f.d_fake)),
            ("pull", floats(&f.pull)),
            ("manifold", floats(&f.manifold)),
            ("manifoldRows", n(f.manifold_shape.0 as f64)),
            ("manifoldCols", n(f.manifold_shape.1 as f64)),
        ]);
    }
    js::object(fields)
}

/// The page's side of `encode`, with the snapshot's step.
pub fn decode(m: &JsValue) -> Result<(ToySnapshot, u64), String> {
    let full = if js::get(m, "dGrid").is_undefined() {
        None
    } else {
        Some(FullView {
            d_grid: read_floats(m, "dGrid")?,
            d_real: read_floats(m, "dReal")?,
            d_fake: read_floats(m, "dFake")?,
            pull: read_floats(m, "pull")?,
            manifold: read_floats(m, "manifold")?,
            manifold_shape: (number(m, "manifoldRows") as usize, number(m, "manifoldCols") as usize),
        })
    };
    let snap = ToySnapshot {
        step: number(m, "step") as u64,
        d_updates: number(m, "dUpdates") as u64,
        g_updates: number(m, "gUpdates") as u64,
        loss_d: number(m, "lossD") as f32,
        loss_g: number(m, "lossG") as f32,
        largest_weight: number(m, "largest") as f32,
        fake: read_floats(m, "fake")?,
        full,
    };
    let step = snap.step;
    Ok((snap, step))
}

/// The fixed real samples in a `new`, `load` or `restore` reply.
pub fn real_view(reply: &JsValue) -> Result<Vec<f32>, String> {
    read_floats(reply, "realView")
}

/// The generated points in a `samples` reply.
pub fn points(reply: &JsValue) -> Result<Vec<f32>, String> {
    read_floats(reply, "points")
}

/// The saved file in a `checkpoint` reply, and its step.
pub fn saved_file(reply: &JsValue) -> Result<(Vec<u8>, u64), String> {
    Ok((read_bytes(reply, "bytes")?, number(reply, "step") as u64))
}
