//! The header's presenting tools and their dialogs: Share (the link), Embed (an iframe
//! snippet with controls to hide), Export (PNG of a view, CSV of the metrics, the link),
//! the theme picker and the keyboard shortcuts. Native `<dialog>`s opened modally: they trap
//! focus, close on Esc and give focus back, with no code of ours.

use super::{export, shown};
use crate::core::presentation::{Theme, UI_PARTS};
use crate::web::{api, js, present};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use std::collections::BTreeSet;
use wasm_bindgen::prelude::*;

pub const SHARE: &str = "share-dialog";
pub const EMBED: &str = "embed-dialog";
pub const EXPORT: &str = "export-dialog";
pub const SHORTCUTS: &str = "shortcuts-dialog";

/// The keyboard shortcuts (key as shown, what it does); `keys.rs` implements them.
pub const SHORTCUT_LIST: &[(&str, &str)] = &[
    ("Space", "play / pause"),
    ("→", "one training step"),
    ("r", "reset the run"),
    ("f", "fullscreen on / off"),
    ("h", "hide / show the settings panels"),
    ("?", "this list"),
    ("Esc", "close a dialog"),
];

thread_local! {
    /// The dialog last opened and how many times dialogs were opened: each dialog refreshes
    /// its contents from the current demo when this names it.
    static OPENED: std::cell::Cell<Option<RwSignal<(&'static str, u32)>>> = const { std::cell::Cell::new(None) };
}

fn opened() -> RwSignal<(&'static str, u32)> {
    OPENED.with(|o| {
        o.get().unwrap_or_else(|| {
            let s = RwSignal::new(("", 0));
            o.set(Some(s));
            s
        })
    })
}

/// Opens dialog `id` after having it refresh from the page as it is now.
pub fn open(id: &'static str) {
    opened().update(|(which, n)| {
        *which = id;
        *n += 1;
    });
    present::open_dialog(id);
}

/// Runs `refresh` each time dialog `id` opens.
fn on_open(id: &'static str, refresh: impl Fn() + 'static) {
    let opened = opened();
    Effect::new(move |_| {
        if opened.get().0 == id {
            refresh();
        }
    });
}

/// Copies `text` to the clipboard; says how it went (clipboard access can be refused, e.g.
/// in an iframe without permission: then the text is selected for a manual copy).
fn copy_text(text: String, field_id: &'static str, feedback: RwSignal<String>) {
    let clipboard = js::get(&js::window().navigator(), "clipboard");
    let write: Option<js_sys::Function> = js::get(&clipboard, "writeText").dyn_into().ok();
    let select_field = move || {
        if let Some(el) = js::window().document().and_then(|d| d.get_element_by_id(field_id)) {
            let _ = js::call0(&el, "select");
        }
    };
    let Some(promise) = write.and_then(|w| w.call1(&clipboard, &JsValue::from_str(&text)).ok()) else {
        select_field();
        feedback.set("Selected: press Ctrl+C (⌘C) to copy.".into());
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await {
            Ok(_) => feedback.set("Copied.".into()),
            Err(_) => {
                select_field();
                feedback.set("The browser refused the clipboard: press Ctrl+C (⌘C) to copy.".into());
            }
        }
    });
}

fn is_demo_route(path: &str) -> bool {
    let route = path.strip_prefix(&present::base()).unwrap_or(path);
    crate::web::app::DEMOS.iter().any(|d| d.ready && d.route == route)
}

/// Share, Embed, Export, theme and shortcuts, in the site header.
#[component]
pub fn PageTools() -> impl IntoView {
    let location = use_location();
    let on_demo = Memo::new(move |_| is_demo_route(&location.pathname.get()));
    let theme = RwSignal::new(present::theme());
    let choose_theme = move |ev: leptos::ev::Event| {
        if let Some(t) = Theme::parse(&event_target_value(&ev)) {
            present::set_theme(t);
            theme.set(t);
        }
    };
    view! {
        <div class="page-tools">
            <button id="open-share" disabled=move || !on_demo.get() on:click=|_| open(SHARE)>"Share"</button>
            <button id="open-embed" disabled=move || !on_demo.get() on:click=|_| open(EMBED)>"Embed"</button>
            <button id="open-export" disabled=move || !on_demo.get() on:click=|_| open(EXPORT)>"Export"</button>
            <label class="theme-pick">
                <span class="sr-only">"Theme"</span>
                <select id="theme" prop:value=move || theme.get().key() on:change=choose_theme>
                    {Theme::ALL.iter().map(|t| view! { <option value=t.key()>{t.label()}</option> }).collect_view()}
                </select>
            </label>
            <button id="open-shortcuts" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" on:click=|_| open(SHORTCUTS)>"?"</button>
        </div>
    }
}

/// In embed mode only: the settings drawer's toggle and a link out to the full page.
#[component]
pub fn EmbedBar() -> impl IntoView {
    let open = RwSignal::new(false);
    let toggle = move |_| {
        let next = !open.get_untracked();
        open.set(next);
        present::toggle_body_class("settings-open", next);
    };
    present::options().embed.then(|| {
        view! {
            <span class="embed-bar">
                <button id="embed-settings" aria-expanded=move || open.get().to_string() on:click=toggle>"⚙ Settings"</button>
                // the href is refreshed on click: the settings change after the page is drawn
                <a id="embed-full" href=present::full_page_link target="_blank" rel="noopener" on:click=|ev: leptos::ev::MouseEvent| {
                    if let Some(a) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                        let _ = a.set_attribute("href", &present::full_page_link());
                    }
                }>"Open full page ↗"</a>
            </span>
        }
    })
}

/// Every dialog; they are in the page once and filled from the current demo when opened.
#[component]
pub fn Dialogs() -> impl IntoView {
    view! {
        <ShareDialog/>
        <EmbedDialog/>
        <ExportDialog/>
        <ShortcutsDialog/>
    }
}

#[component]
fn CloseButton() -> impl IntoView {
    view! { <form method="dialog" class="dialog-close"><button>"Close"</button></form> }
}

#[component]
fn ShareDialog() -> impl IntoView {
    let autoplay = RwSignal::new(false);
    let feedback = RwSignal::new(String::new());
    let link = RwSignal::new(String::new());
    let refresh = move || link.set(present::link_with(|o| o.autoplay = autoplay.get_untracked()));
    // filled each time it opens (the link changes with every setting)
    on_open(SHARE, move || {
        feedback.set(String::new());
        refresh();
    });
    view! {
        <dialog id=SHARE aria-labelledby="share-title">
            <h2 id="share-title">"Share this setting"</h2>
            <p>"The link holds every setting and the seed: opening it reproduces this run."</p>
            <label class="check"><input type="checkbox" id="share-autoplay" prop:checked=move || autoplay.get()
                on:change=move |ev| { autoplay.set(event_target_checked(&ev)); refresh(); }/>"Start training when the link opens"</label>
            <label for="share-link" class="field-label">"Link"</label>
            <input id="share-link" class="wide" type="text" readonly prop:value=move || link.get()/>
            <div class="dialog-actions">
                <button id="share-copy" class="primary" on:click=move |_| copy_text(link.get_untracked(), "share-link", feedback)>"Copy link"</button>
                <span class="feedback" role="status">{move || feedback.get()}</span>
                <CloseButton/>
            </div>
        </dialog>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum EmbedSize {
    Hd540,
    Hd720,
    Fluid,
}

impl EmbedSize {
    const ALL: [EmbedSize; 3] = [EmbedSize::Hd540, EmbedSize::Hd720, EmbedSize::Fluid];

    fn key(self) -> &'static str {
        match self {
            EmbedSize::Hd540 => "960x540",
            EmbedSize::Hd720 => "1280x720",
            EmbedSize::Fluid => "fluid",
        }
    }

    fn label(self) -> &'static str {
        match self {
            EmbedSize::Hd540 => "960 × 540",
            EmbedSize::Hd720 => "1280 × 720",
            EmbedSize::Fluid => "Full width, 16:9",
        }
    }
}

/// The iframe snippet for `src` at `size`.
fn snippet(src: &str, size: EmbedSize, title: &str) -> String {
    let src = src.replace('&', "&amp;").replace('"', "&quot;");
    let attrs = format!("src=\"{src}\" title=\"{title}\" allow=\"fullscreen\" loading=\"lazy\"");
    match size {
        EmbedSize::Hd540 => format!("<iframe {attrs} width=\"960\" height=\"540\" style=\"border:0\"></iframe>"),
        EmbedSize::Hd720 => format!("<iframe {attrs} width=\"1280\" height=\"720\" style=\"border:0\"></iframe>"),
        EmbedSize::Fluid => format!(
            "<div style=\"position:relative;aspect-ratio:16/9\"><iframe {attrs} style=\"position:absolute;inset:0;width:100%;height:100%;border:0\"></iframe></div>"
        ),
    }
}

#[component]
fn EmbedDialog() -> impl IntoView {
    let size = RwSignal::new(EmbedSize::Hd540);
    let autoplay = RwSignal::new(false);
    let theme = RwSignal::new(Theme::Auto);
    let hidden = RwSignal::new(BTreeSet::<String>::new());
    let controls = RwSignal::new(Vec::<(&'static str, &'static str)>::new());
    let feedback = RwSignal::new(String::new());
    let code = Memo::new(move |_| {
        let src = present::link_with(|o| {
            o.embed = true;
            o.autoplay = autoplay.get();
            o.theme = theme.get();
            o.hidden = hidden.get();
        });
        let title = js::window().document().map(|d| d.title()).unwrap_or_default();
        // the controls list changes when the dialog opens on another demo
        controls.track();
        snippet(&src, size.get(), &title)
    });
    on_open(EMBED, move || {
        feedback.set(String::new());
        let table = api::with_demo(|d| d.settings().table()).unwrap_or(&[]);
        let mut list: Vec<(&'static str, &'static str)> = UI_PARTS.to_vec();
        list.extend(table.iter().map(|s| (s.key, s.label)));
        hidden.set(present::options().hidden);
        theme.set(present::theme());
        controls.set(list);
    });
    let toggle_hidden = move |name: &'static str, on: bool| {
        hidden.update(|h| {
            if on {
                h.insert(name.to_string());
            } else {
                h.remove(name);
            }
        })
    };
    view! {
        <dialog id=EMBED aria-labelledby="embed-title" class="wide-dialog">
            <h2 id="embed-title">"Embed in slides or a web page"</h2>
            <div class="embed-options">
                <label class="field-label" for="embed-size">"Size"</label>
                <select id="embed-size" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(s) = EmbedSize::ALL.into_iter().find(|s| s.key() == v) { size.set(s) }
                }>
                    {EmbedSize::ALL.iter().map(|s| view! { <option value=s.key()>{s.label()}</option> }).collect_view()}
                </select>
                <label class="field-label" for="embed-theme">"Theme"</label>
                <select id="embed-theme" prop:value=move || theme.get().key() on:change=move |ev| {
                    if let Some(t) = Theme::parse(&event_target_value(&ev)) { theme.set(t) }
                }>
                    {Theme::ALL.iter().map(|t| view! { <option value=t.key()>{t.label()}</option> }).collect_view()}
                </select>
                <label class="check"><input type="checkbox" id="embed-autoplay" prop:checked=move || autoplay.get()
                    on:change=move |ev| autoplay.set(event_target_checked(&ev))/>"Start training on load"</label>
            </div>
            <fieldset class="hide-list">
                <legend>"Hide these controls"</legend>
                {move || controls.get().into_iter().map(|(name, label)| view! {
                    <label class="check">
                        <input type="checkbox" name="embed-hide" value=name prop:checked=move || hidden.with(|h| h.contains(name))
                            on:change=move |ev| toggle_hidden(name, event_target_checked(&ev))/>
                        {label}
                    </label>
                }).collect_view()}
            </fieldset>
            <label for="embed-code" class="field-label">"Code to paste"</label>
            <textarea id="embed-code" class="wide" rows="4" readonly prop:value=move || code.get()></textarea>
            <div class="dialog-actions">
                <button id="embed-copy" class="primary" on:click=move |_| copy_text(code.get_untracked(), "embed-code", feedback)>"Copy code"</button>
                <span class="feedback" role="status">{move || feedback.get()}</span>
                <CloseButton/>
            </div>
        </dialog>
    }
}

#[component]
fn ExportDialog() -> impl IntoView {
    let views = RwSignal::new(Vec::<export::View>::new());
    let feedback = RwSignal::new(String::new());
    on_open(EXPORT, move || {
        feedback.set(String::new());
        views.set(export::views());
    });
    let csv = move |_| match export::history_csv() {
        Ok(name) => feedback.set(format!("Saved {name}.")),
        Err(e) => feedback.set(e),
    };
    view! {
        <dialog id=EXPORT aria-labelledby="export-title">
            <h2 id="export-title">"Export"</h2>
            <h3>"Pictures (PNG at this screen's resolution)"</h3>
            <ul class="export-list">
                {move || views.get().into_iter().enumerate().map(|(i, v)| {
                    let name = v.name.clone();
                    view! {
                        <li><button class="export-png" data-view=v.name.clone() on:click=move |_| match export::save_png(i, &name) {
                            Ok(file) => feedback.set(format!("Saved {file}.")),
                            Err(e) => feedback.set(e),
                        }>{format!("PNG: {}", v.label)}</button></li>
                    }
                }).collect_view()}
            </ul>
            <h3>"Data and settings"</h3>
            <div class="dialog-actions">
                <button id="export-csv" on:click=csv>"CSV of the metric history"</button>
                <button id="export-link" on:click=move |_| {
                    let link = present::link_with(|_| {});
                    copy_text(link, "export-link", feedback)
                }>"Copy the settings as a link"</button>
            </div>
            <div class="dialog-actions">
                <span class="feedback" role="status" id="export-feedback">{move || feedback.get()}</span>
                <CloseButton/>
            </div>
        </dialog>
    }
}

#[component]
fn ShortcutsDialog() -> impl IntoView {
    view! {
        <dialog id=SHORTCUTS aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
            <table class="shortcuts">
                <tbody>
                    {SHORTCUT_LIST.iter().map(|(k, what)| view! { <tr><th scope="row"><kbd>{*k}</kbd></th><td>{*what}</td></tr> }).collect_view()}
                </tbody>
            </table>
            <p class="hint">"Shortcuts are off while you type in a field."</p>
            <CloseButton/>
        </dialog>
    }
}

/// Whether part `name` of a demo page is shown: use as `hidden=hidden_part("presets")`.
pub fn hidden_part(name: &'static str) -> bool {
    !shown(name)
}
