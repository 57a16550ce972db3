//! The mode-collapse lab's two runs in a training worker (`web::worker`), used on the CPU
//! backend: `CollapseHost` owns the `Pair` (and the copy kept for Undo). Settings travel as the
//! page's query string, each run's snapshot as the toy lab's encoding (`toy::remote`).

use crate::core::collapse::{collapse_settings, run_config, Pair, PairSnapshot, Run};
use crate::web::backend;
use crate::web::js;
use crate::web::toy::remote::{self as toy_remote, samples_reply};
use crate::web::worker::{floats, settings_of, Handled, WorkerHost};
use wasm_bindgen::JsValue;

/// Both runs in the worker, and the copy kept for Undo.
#[derive(Default)]
pub struct CollapseHost {
    pair: Option<Pair>,
    saved: Option<Pair>,
}

impl CollapseHost {
    fn pair(&mut self) -> Result<&mut Pair, String> {
        self.pair.as_mut().ok_or_else(|| "the worker has no runs yet".to_string())
    }

    /// Puts `built` in place of the runs (an error leaves them as they were); the reply has
    /// run A's fixed real samples, which the page draws and measures against.
    fn replace(&mut self, built: Result<Pair, String>) -> Handled {
        match built {
            Ok(pair) => {
                let reply = js::object(vec![("realView", floats(&pair.a.real_view))]);
                self.pair = Some(pair);
                Handled { reply: Box::pin(async move { Ok(reply) }), new_run: true }
            }
            Err(e) => Handled::now(Err(e)),
        }
    }
}

impl WorkerHost for CollapseHost {
    fn train_step(&mut self) -> bool {
        self.pair.as_mut().map(Pair::train_step).is_some()
    }

    fn step_count(&self) -> u64 {
        self.pair.as_ref().map_or(0, |p| p.a.step)
    }

    fn handle(&mut self, kind: &str, message: &JsValue) -> Handled {
        match kind {
            "new" => self.replace(Pair::new(&settings_of(message, collapse_settings()), &backend::cpu_device().0)),
            "remember" => {
                self.saved = self.pair.clone();
                Handled::now(Ok(JsValue::NULL))
            }
            "restore" => {
                let saved = self.saved.take().ok_or_else(|| "there is no remembered run".to_string());
                self.replace(saved)
            }
            // the page has already decided (with `live_change`) that the change applies live
            "applyLive" => {
                let settings = settings_of(message, collapse_settings());
                Handled::now(self.pair().map(|p| {
                    p.a.apply_live(&run_config(&settings, Run::A));
                    if let Some(b) = p.b.as_mut() {
                        b.apply_live(&run_config(&settings, Run::B));
                    }
                    JsValue::NULL
                }))
            }
            "snapshot" => match self.pair() {
                Ok(p) => {
                    let pending = p.snapshot(js::get(message, "full").is_truthy());
                    Handled { reply: Box::pin(async move { pending.await.map(|s| encode(&s)) }), new_run: false }
                }
                Err(e) => Handled::now(Err(e)),
            },
            "samples" => match self.pair() {
                Ok(p) => samples_reply(&mut p.a, message),
                Err(e) => Handled::now(Err(e)),
            },
            other => Handled::now(Err(format!("the mode-collapse worker has no request “{other}”"))),
        }
    }
}

fn encode(s: &PairSnapshot) -> JsValue {
    js::object(vec![("a", toy_remote::encode(&s.a)), ("b", s.b.as_ref().map_or(JsValue::NULL, toy_remote::encode))])
}

/// The page's side of `encode`, with the pair's step.
pub fn decode(m: &JsValue) -> Result<(PairSnapshot, u64), String> {
    let (a, step) = toy_remote::decode(&js::get(m, "a"))?;
    let b = js::get(m, "b");
    let b = if b.is_null() || b.is_undefined() { None } else { Some(toy_remote::decode(&b)?.0) };
    Ok((PairSnapshot { a, b }, step))
}
