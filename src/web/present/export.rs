//! Export: a PNG of any view at the screen's device resolution (a view's stacked canvases
//! composited into one picture), and the demo's metric history as CSV.

use crate::web::{api, js, present};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function view_png(el) {
  const box = el.getBoundingClientRect();
  const dpr = Math.max(1, window.devicePixelRatio || 1);
  const out = document.createElement('canvas');
  out.width = Math.max(1, Math.round(box.width * dpr));
  out.height = Math.max(1, Math.round(box.height * dpr));
  const g = out.getContext('2d');
  const bg = getComputedStyle(el).backgroundColor;
  g.fillStyle = !bg || bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent' ? '#ffffff' : bg;
  g.fillRect(0, 0, out.width, out.height);
  const layers = el.tagName === 'CANVAS' ? [el] : Array.from(el.querySelectorAll('canvas'));
  for (const c of layers) {
    const r = c.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(c).display === 'none') continue;
    g.drawImage(c, (r.left - box.left) * dpr, (r.top - box.top) * dpr, r.width * dpr, r.height * dpr);
  }
  return out.toDataURL('image/png');
}
"#)]
extern "C" {
    fn view_png(el: &web_sys::Element) -> String;
}

/// One exportable view of the page (an element marked `data-view`).
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub name: String,
    pub label: String,
}

fn visible_views() -> Vec<web_sys::Element> {
    let Some(list) = js::window().document().and_then(|d| d.query_selector_all("main [data-view]").ok()) else { return Vec::new() };
    (0..list.length())
        .filter_map(|i| list.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()))
        .filter(|e| e.get_client_rects().length() > 0)
        .collect()
}

/// The views shown now, in page order.
pub fn views() -> Vec<View> {
    visible_views()
        .iter()
        .map(|e| {
            let name = e.get_attribute("data-view").unwrap_or_default();
            let label = e.get_attribute("data-view-label").unwrap_or_else(|| name.clone());
            View { name, label }
        })
        .collect()
}

fn file_stem() -> String {
    let route = present::route().trim_matches('/').replace('/', "-");
    let step = api::with_demo(|d| d.status().step).unwrap_or(0);
    format!("gan-playground-{}-step{step}", if route.is_empty() { "home" } else { &route })
}

/// Saves view `name` as a PNG; returns the file name.
pub fn save_png(_index: usize, name: &str) -> Result<String, String> {
    let el = visible_views()
        .into_iter()
        .find(|e| e.get_attribute("data-view").as_deref() == Some(name))
        .ok_or_else(|| format!("The view “{name}” is not shown now."))?;
    let file = format!("{}-{name}.png", file_stem());
    js::download_url(&file, &view_png(&el))?;
    Ok(file)
}

/// Saves the demo's metric history as CSV; returns the file name.
pub fn history_csv() -> Result<String, String> {
    let csv = api::with_demo(|d| d.history_csv()).flatten().ok_or("This page has no metric history yet.")?;
    let file = format!("{}.csv", file_stem());
    js::download(&file, csv.as_bytes(), "text/csv")?;
    Ok(file)
}
