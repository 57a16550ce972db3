//! Form controls generated from a demo's settings table: one labelled control per key, each
//! change routed through the API's `set`, so the UI, links and scripts share one path.

use crate::core::settings::{Kind, Settings, Spec};
use crate::web::api;
use leptos::prelude::*;

/// Controls for the given keys of `settings`; `notices` receives refused values.
#[component]
pub fn SettingsForm(settings: RwSignal<Settings>, keys: &'static [&'static str], notices: RwSignal<Vec<String>>) -> impl IntoView {
    let table = settings.with_untracked(|s| s.table());
    keys.iter()
        .filter_map(|key| table.iter().find(|s| s.key == *key))
        .map(|spec| view! { <SettingControl spec=*spec settings=settings notices=notices/> })
        .collect_view()
}

#[component]
fn SettingControl(spec: Spec, settings: RwSignal<Settings>, notices: RwSignal<Vec<String>>) -> impl IntoView {
    let key = spec.key;
    let id = format!("set-{key}");
    let value = move || settings.with(|s| s.text(key));
    let on_change = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        if let Some(Err(e)) = api::with_demo(|d| d.set(key, &raw)) {
            notices.update(|n| n.push(e));
            // put the control back to the value in force
            settings.update(|_| {});
        }
    };
    let input = match spec.kind {
        Kind::Choice(options) => view! {
            <select id=id.clone() name=key prop:value=value on:change=on_change>
                {options.iter().map(|o| view! { <option value=*o>{*o}</option> }).collect_view()}
            </select>
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
}
