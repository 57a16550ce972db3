//! Form controls generated from a demo's settings table: one labelled control per key, each
//! change routed through the API's `set`, so the UI, links and scripts share one path.

use crate::core::settings::{Kind, Settings, Spec};
use crate::web::api::{self, Status};
use crate::web::present::{self, dialogs::hidden_part};
use crate::web::js;
use leptos::prelude::*;
use std::cell::RefCell;

/// Controls for the given keys of `settings`; `notices` receives refused values.
/// Number settings listed in `sliders` become range sliders that apply while dragged.
#[component]
pub fn SettingsForm(
    settings: RwSignal<Settings>,
    keys: &'static [&'static str],
    notices: RwSignal<Vec<String>>,
    #[prop(optional)] sliders: &'static [&'static str],
) -> impl IntoView {
    let table = settings.with_untracked(|s| s.table());
    keys.iter()
        .filter_map(|key| table.iter().find(|s| s.key == *key))
        .map(|spec| view! { <SettingControl spec=*spec settings=settings notices=notices slider=sliders.contains(&spec.key)/> })
        .collect_view()
}

/// Writes every current setting into the address bar, so the link reproduces the page.
pub fn write_link(settings: RwSignal<Settings>) {
    js::replace_query(&settings.with_untracked(present::link_query));
}

/// The one way a demo applies `key = raw` (controls, links and the API all end here): a refused
/// value, or one `check(before, after)` refuses, is an `Err` and changes nothing; an unchanged
/// value is `Ok(None)`; a change updates the signal and the link and is `Ok(Some(before))`.
pub fn commit_setting(
    settings: RwSignal<Settings>,
    key: &str,
    raw: &str,
    check: impl FnOnce(&Settings, &Settings) -> Result<(), String>,
) -> Result<Option<Settings>, String> {
    let before = settings.get_untracked();
    let mut next = before.clone();
    next.set(key, raw)?;
    if next == before {
        return Ok(None);
    }
    check(&before, &next)?;
    settings.set(next);
    write_link(settings);
    Ok(Some(before))
}

/// One level of undo: the settings before the last change and, where it could be kept, the
/// run at that moment (cloning a run is cheap: burn tensors are shared handles).
pub struct UndoSlot<T> {
    slot: RefCell<Option<(Settings, Option<T>)>>,
    pub can_undo: RwSignal<bool>,
}

impl<T> UndoSlot<T> {
    pub fn new() -> Self {
        Self { slot: RefCell::new(None), can_undo: RwSignal::new(false) }
    }

    pub fn remember(&self, before: Settings, run: Option<T>) {
        *self.slot.borrow_mut() = Some((before, run));
        self.can_undo.set(true);
    }

    /// Keeps the settings but drops the run (it lives on a device no longer in use).
    pub fn forget_run(&self) {
        if let Some(undo) = self.slot.borrow_mut().as_mut() {
            undo.1 = None;
        }
    }

    pub fn take(&self) -> Result<(Settings, Option<T>), String> {
        let taken = self.slot.borrow_mut().take().ok_or("There is no change to undo.")?;
        self.can_undo.set(false);
        Ok(taken)
    }
}

/// Routes a control's new value through the API; a refused value becomes a notice and the
/// control is put back to the value in force.
fn apply(key: &'static str, raw: &str, settings: RwSignal<Settings>, notices: RwSignal<Vec<String>>) {
    if let Some(Err(e)) = api::with_demo(|d| d.set(key, raw)) {
        notices.update(|n| n.push(e));
        settings.update(|_| {});
    }
}

#[component]
fn SettingControl(spec: Spec, settings: RwSignal<Settings>, notices: RwSignal<Vec<String>>, slider: bool) -> impl IntoView {
    let key = spec.key;
    if !present::shown(key) {
        return ().into_any(); // `<key>_hide=true` in the link
    }
    let id = format!("set-{key}");
    let value = move || settings.with(|s| s.text(key));
    let on_change = move |ev: leptos::ev::Event| apply(key, &event_target_value(&ev), settings, notices);
    let input = match spec.kind {
        Kind::Set(options) => {
            let boxes = options
                .iter()
                .map(|o| {
                    let option = *o;
                    let checked = move || settings.with(|s| s.set_of(key).contains(&option));
                    let toggle = move |ev: leptos::ev::Event| {
                        let on = event_target_checked(&ev);
                        let mut chosen: Vec<&str> = settings.with_untracked(|s| s.set_of(key));
                        chosen.retain(|c| *c != option);
                        if on {
                            chosen.push(option);
                        }
                        apply(key, &chosen.join(","), settings, notices);
                    };
                    view! {
                        <label class="check">
                            <input type="checkbox" name=key value=option prop:checked=checked on:change=toggle/>
                            {option}
                        </label>
                    }
                })
                .collect_view();
            return view! {
                <div class="control set" id=id role="group" aria-label=spec.label>
                    {boxes}
                </div>
            }
            .into_any();
        }
        Kind::Float { min, max } if slider => view! {
            <div class="slider">
                <input id=id.clone() name=key type="range" min=min max=max step=(max - min) / 1000.0 prop:value=value
                    on:input=move |ev| apply(key, &event_target_value(&ev), settings, notices)/>
                <output for=id.clone()>{value}</output>
            </div>
        }
        .into_any(),
        Kind::Choice(options) => view! {
            <select id=id.clone() name=key prop:value=value on:change=on_change>
                {options.iter().map(|o| view! { <option value=*o>{*o}</option> }).collect_view()}
            </select>
        }
        .into_any(),
        // Text settings (a drawing) have their own editors; a plain field for any other.
        Kind::Text { max_len } => view! {
            <input id=id.clone() name=key type="text" maxlength=max_len prop:value=value on:change=on_change/>
        }
        .into_any(),
        Kind::Int { min, max } => view! {
            <input id=id.clone() name=key type="number" step="1" min=min max=max prop:value=value on:change=on_change/>
        }
        .into_any(),
        Kind::Float { min, max } => view! {
            <input id=id.clone() name=key type="number" step="any" min=min max=max prop:value=value on:change=on_change/>
        }
        .into_any(),
    };
    view! {
        <div class="control">
            <label for=id>{spec.label}</label>
            {input}
        </div>
    }
    .into_any()
}

/// Notices (refused link values, fallbacks) with a dismiss button each.
#[component]
pub fn NoticeList(notices: RwSignal<Vec<String>>) -> impl IntoView {
    view! {
        <div class="notices" role="status">
            {move || notices.get().into_iter().enumerate().map(|(i, n)| view! {
                <p class="notice">{n}
                    <button class="dismiss" aria-label="Dismiss notice" on:click=move |_| notices.update(|v| { if i < v.len() { v.remove(i); } })>"×"</button>
                </p>
            }).collect_view()}
        </div>
    }
}

/// Play/Pause, Step and Reset buttons, driving the page's demo through the API.
#[component]
pub fn Transport(status: RwSignal<Status>, reset_label: &'static str) -> impl IntoView {
    let running = move || status.with(|s| s.running);
    let toggle = move |_| {
        api::with_demo(|d| if d.status().running { d.pause() } else { d.play() });
    };
    let step_once = move |_| {
        api::with_demo(|d| d.step(1));
    };
    let reset = move |_| {
        api::with_demo(|d| d.reset());
    };
    view! {
        <span class="transport" hidden=hidden_part("transport")>
            <button id="play" class="primary" on:click=toggle aria-label=move || if running() { "Pause" } else { "Play" }>
                {move || if running() { "❚❚ Pause" } else { "▶ Play" }}
            </button>
            <button id="step" on:click=step_once>"Step"</button>
            <button id="reset" on:click=reset>{reset_label}</button>
        </span>
    }
}

/// "Undo last change": puts back the settings, and the run, from before the last change.
#[component]
pub fn UndoButton(can_undo: RwSignal<bool>, notices: RwSignal<Vec<String>>) -> impl IntoView {
    let undo = move |_| {
        if let Some(Err(e)) = api::with_demo(|d| d.undo()) {
            notices.update(|n| n.push(e));
        }
    };
    view! {
        <button id="undo" on:click=undo disabled=move || !can_undo.get() hidden=hidden_part("undo") title="Put back the settings and the run from before the last change">
            "Undo last change"
        </button>
    }
}
