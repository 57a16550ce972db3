//! Presenting a demo: the page options read from the link (embed mode, autoplay, theme,
//! hidden controls; `core::presentation`), the deployment base path, keyboard shortcuts and
//! the Share / Embed / Export / shortcuts dialogs. Demos only ask `shown(name)` and use
//! `write_link`; everything else happens here. See docs/embedding.md.

pub mod dialogs;
pub mod export;
pub mod keys;

use crate::core::presentation::{PageOptions, Theme};
use crate::core::settings::{join_query, Settings, Spec};
use crate::web::{api, js};
use std::cell::RefCell;
use wasm_bindgen::JsCast;

thread_local! {
    static OPTIONS: RefCell<PageOptions> = RefCell::new(PageOptions::default());
    /// Path the app is served under, without a trailing slash ("" at a site's root).
    static BASE: RefCell<String> = const { RefCell::new(String::new()) };
    /// Refused page options from the opening link, shown once by the app shell.
    static NOTICES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

const THEME_STORE: &str = "ganPlayground.theme";

/// Reads the base path and the page options of the opening link; applies theme and embed mode.
pub fn init() {
    let base = base_from_document();
    BASE.with(|b| *b.borrow_mut() = base);
    let search = js::window().location().search().unwrap_or_default();
    let (mut options, notices) = PageOptions::from_query(&search);
    if options.theme == Theme::Auto {
        // a theme chosen on an earlier visit, when the link names none
        options.theme = stored_theme().unwrap_or(Theme::Auto);
    }
    NOTICES.with(|n| *n.borrow_mut() = notices);
    apply_theme(options.theme);
    toggle_body_class("embed", options.embed);
    OPTIONS.with(|o| *o.borrow_mut() = options);
    keys::install();
}

/// `<base href>` (trunk writes the public URL there) as a path without trailing slash.
fn base_from_document() -> String {
    let document = js::window().document();
    let href = document.and_then(|d| d.base_uri().ok().flatten()).unwrap_or_default();
    let path = web_sys::Url::new(&href).map(|u| u.pathname()).unwrap_or_default();
    path.trim_end_matches('/').to_string()
}

pub fn base() -> String {
    BASE.with(|b| b.borrow().clone())
}

/// An app path ("/toy?seed=3") as a link under the deployment base.
pub fn href(path: &str) -> String {
    format!("{}{path}", base())
}

/// The current route without the deployment base ("/toy").
pub fn route() -> String {
    let path = js::window().location().pathname().unwrap_or_default();
    let base = base();
    match path.strip_prefix(&base) {
        Some(rest) if rest.is_empty() => "/".to_string(),
        Some(rest) if rest.starts_with('/') => rest.to_string(),
        _ => path,
    }
}

pub fn options() -> PageOptions {
    OPTIONS.with(|o| o.borrow().clone())
}

/// Whether a control or page part should be drawn (`<name>_hide=true` hides it).
pub fn shown(name: &str) -> bool {
    !OPTIONS.with(|o| o.borrow().is_hidden(name))
}

pub fn take_notices() -> Vec<String> {
    NOTICES.with(|n| std::mem::take(&mut *n.borrow_mut()))
}

/// The query a link to this page carries: every setting, then the page options.
pub fn link_query(settings: &Settings) -> String {
    let mut query = settings.to_query();
    let extra = page_query(settings.table());
    if !extra.is_empty() {
        query = if query.is_empty() { extra } else { format!("{query}&{extra}") };
    }
    query
}

fn page_query(table: &[Spec]) -> String {
    join_query(&options().to_pairs(table))
}

/// Rewrites the address bar from the current demo's settings and the page options.
pub fn refresh_link() {
    let query = api::with_demo(|d| link_query(&d.settings())).unwrap_or_else(|| page_query(&[]));
    js::replace_query(&query);
}

/// A full link to this page with page options changed by `edit` (the Share and Embed
/// dialogs' links); the address bar is left as it is.
pub fn link_with(edit: impl FnOnce(&mut PageOptions)) -> String {
    let mut opts = options();
    edit(&mut opts);
    let query = api::with_demo(|d| {
        let s = d.settings();
        let mut pairs: Vec<(String, String)> = s.to_pairs().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        pairs.extend(opts.to_pairs(s.table()));
        join_query(&pairs)
    })
    .unwrap_or_else(|| join_query(&opts.to_pairs(&[])));
    let location = js::window().location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    if query.is_empty() { format!("{origin}{path}") } else { format!("{origin}{path}?{query}") }
}

/// The page's current link with the page options of the opening link's own query dropped
/// (for "open the full page" from an embed).
pub fn full_page_link() -> String {
    link_with(|o| {
        o.embed = false;
        o.hidden.clear();
    })
}

pub fn theme() -> Theme {
    OPTIONS.with(|o| o.borrow().theme)
}

/// Switches theme, remembers it for later visits and puts it in the link.
pub fn set_theme(theme: Theme) {
    OPTIONS.with(|o| o.borrow_mut().theme = theme);
    apply_theme(theme);
    if let Some(storage) = js::window().local_storage().ok().flatten() {
        let _ = storage.set_item(THEME_STORE, theme.key());
    }
    refresh_link();
    // charts read their colours from the theme: redraw them now, even when paused
    api::with_demo(|d| d.redraw());
}

fn stored_theme() -> Option<Theme> {
    let storage = js::window().local_storage().ok().flatten()?;
    Theme::parse(&storage.get_item(THEME_STORE).ok().flatten()?)
}

fn apply_theme(theme: Theme) {
    let Some(root) = js::window().document().and_then(|d| d.document_element()) else { return };
    let _ = match theme {
        Theme::Auto => root.remove_attribute("data-theme"),
        t => root.set_attribute("data-theme", t.key()),
    };
}

pub fn toggle_body_class(class: &str, on: bool) {
    if let Some(body) = js::window().document().and_then(|d| d.body()) {
        let _ = body.class_list().toggle_with_force(class, on);
    }
}

pub fn body_has_class(class: &str) -> bool {
    js::window().document().and_then(|d| d.body()).is_some_and(|b| b.class_list().contains(class))
}

/// Opens the `<dialog>` with this id as a modal (focus moves into it; Esc closes it).
pub fn open_dialog(id: &str) {
    let dialog = js::window().document().and_then(|d| d.get_element_by_id(id)).and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok());
    if let Some(dialog) = dialog {
        if !dialog.open() {
            let _ = dialog.show_modal();
        }
    }
}

pub fn close_dialog(id: &str) {
    let dialog = js::window().document().and_then(|d| d.get_element_by_id(id)).and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok());
    if let Some(dialog) = dialog {
        dialog.close();
    }
}

/// Whether a modal dialog is open (shortcuts are off then).
pub fn dialog_open() -> bool {
    js::window().document().and_then(|d| d.query_selector("dialog[open]").ok().flatten()).is_some()
}

/// Fullscreen on, or off when on. In an iframe this needs the host's `allow="fullscreen"`.
pub fn toggle_fullscreen() -> Result<(), String> {
    let document = js::window().document().ok_or("no document")?;
    if document.fullscreen_element().is_some() {
        document.exit_fullscreen();
        return Ok(());
    }
    let root = document.document_element().ok_or("no document element")?;
    root.request_fullscreen().map_err(|_| "This page cannot go fullscreen here (an embedding page must allow it).".to_string())
}
