//! Keyboard shortcuts for presenting (the list the "?" dialog shows is
//! `dialogs::SHORTCUT_LIST`). They are off while focus is in a field (typing a number must
//! not pause the run), while a dialog is open (Esc closes it, natively), and with Ctrl, Alt
//! or ⌘ held (the browser's own shortcuts).

use super::dialogs::{self, SHORTCUTS};
use crate::web::{api, js, present};
use wasm_bindgen::prelude::*;

/// Whether keys typed at `target` belong to it: text fields, selects, sliders, editable text.
fn owns_keys(target: &web_sys::Element) -> bool {
    let tag = target.tag_name().to_ascii_lowercase();
    matches!(tag.as_str(), "input" | "select" | "textarea") || target.dyn_ref::<web_sys::HtmlElement>().is_some_and(|e| e.is_content_editable())
}

/// Whether Space at `target` activates it (a focused button or link keeps its own Space).
fn activates_on_space(target: &web_sys::Element) -> bool {
    let tag = target.tag_name().to_ascii_lowercase();
    matches!(tag.as_str(), "button" | "a" | "summary") || target.get_attribute("role").as_deref() == Some("button")
}

fn on_key(ev: &web_sys::KeyboardEvent) {
    if ev.default_prevented() || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || present::dialog_open() {
        return;
    }
    let target: Option<web_sys::Element> = ev.target().and_then(|t| t.dyn_into().ok());
    if target.as_ref().is_some_and(owns_keys) {
        return;
    }
    let key = ev.key();
    // a focused plot that moves its point with the arrow keys keeps them
    if key.starts_with("Arrow") && target.as_ref().is_some_and(|t| t.has_attribute("data-own-keys")) {
        return;
    }
    let handled = match key.as_str() {
        " " if target.as_ref().is_some_and(activates_on_space) => false,
        " " => api::with_demo(|d| if d.status().running { d.pause() } else { d.play() }).is_some(),
        "ArrowRight" => api::with_demo(|d| {
            if d.status().running {
                d.pause();
            }
            let _ = d.step(1);
        })
        .is_some(),
        "r" | "R" => api::with_demo(|d| {
            let _ = d.reset();
        })
        .is_some(),
        "f" | "F" => {
            if let Err(e) = present::toggle_fullscreen() {
                web_sys::console::warn_1(&e.into());
            }
            true
        }
        "h" | "H" => {
            present::toggle_body_class("controls-hidden", !present::body_has_class("controls-hidden"));
            true
        }
        "?" => {
            dialogs::open(SHORTCUTS);
            true
        }
        _ => false,
    };
    if handled {
        ev.prevent_default();
    }
}

pub fn install() {
    let Some(document) = js::window().document() else { return };
    let listener = Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(|ev: web_sys::KeyboardEvent| on_key(&ev));
    let _ = document.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
    listener.forget(); // lives as long as the page
}
