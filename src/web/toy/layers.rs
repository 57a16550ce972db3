//! The toy lab's plot: stacked canvases, one per view, so each toggles on its own and a test
//! can check each for pixels. Bottom to top: D(x) heatmap, G's manifold, samples, G's pull
//! arrows. Everything is an RGBA buffer written in Rust and put with one `putImageData`.

use crate::core::toy::{d_probability, FullView, HEATMAP_RES};
use crate::core::loss::GanLoss;
use crate::draw::{Frame, Raster, Rgb, FAKE, REAL};
use crate::web::js;

pub const HEAT: &str = "toy-heat";
pub const MANIFOLD: &str = "toy-manifold";
pub const POINTS: &str = "toy-points";
pub const GRADS: &str = "toy-grads";
pub const DSTAR: &str = "toy-dstar";

const MANIFOLD_COLOR: Rgb = [0x5a, 0x4a, 0x78];
const ARROW_COLOR: Rgb = [0x3d, 0x1f, 0x5c];
const STROKE_COLOR: Rgb = [0x22, 0x22, 0x22];

pub fn put_raster(canvas: &web_sys::HtmlCanvasElement, raster: &Raster) {
    use wasm_bindgen::{Clamped, JsCast};
    let Ok(Some(ctx)) = canvas.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else { return };
    if let Ok(img) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&raster.rgba), raster.width as u32, raster.height as u32) {
        let _ = ctx.put_image_data(&img, 0.0, 0.0);
    }
}

/// A transparent raster the size of the canvas `id` (at device resolution), drawn by `paint`.
pub fn paint_layer(id: &str, paint: impl FnOnce(&mut Raster, f32)) {
    if let Some(canvas) = js::canvas_by_id(id) {
        let (w, h, dpr) = js::fit_canvas(&canvas);
        let mut raster = Raster::transparent(w as usize, h as usize);
        paint(&mut raster, dpr as f32);
        put_raster(&canvas, &raster);
    }
}

/// Blanks a layer (its view is off), keeping its size: the heatmap's backing store stays
/// one pixel per grid cell.
pub fn clear(id: &str) {
    use wasm_bindgen::JsCast;
    let Some(canvas) = js::canvas_by_id(id) else { return };
    let Ok(Some(ctx)) = canvas.get_context("2d") else { return };
    if let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() {
        ctx.clear_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    }
}

/// D(x) on the grid, as a probability where D has one (log losses, LSGAN), else squashed.
pub fn heat(id: &str, values: &[f32], loss: GanLoss) {
    if let Some(canvas) = js::canvas_by_id(id) {
        let raster = match d_probability(loss, values) {
            Some(p) => Raster::heatmap(&p, HEATMAP_RES, true),
            None => Raster::heatmap(values, HEATMAP_RES, false),
        };
        put_raster(&canvas, &raster);
    }
}

/// D* (already a probability) on the same grid.
pub fn d_star(values: &[f32]) {
    if let Some(canvas) = js::canvas_by_id(DSTAR) {
        put_raster(&canvas, &Raster::heatmap(values, HEATMAP_RES, true));
    }
}

pub fn points(frame: Frame, real: Option<&[f32]>, fake: Option<&[f32]>) {
    paint_layer(POINTS, |r, dpr| {
        if let Some(real) = real {
            r.points(frame, real, REAL, 2.0 * dpr, 0.7);
        }
        if let Some(fake) = fake {
            r.points(frame, fake, FAKE, 2.0 * dpr, 0.85);
        }
    });
}

/// The latent lattice through G: its rows and columns as polylines (a warped grid).
pub fn manifold(frame: Frame, full: &FullView) {
    let (rows, cols) = full.manifold_shape;
    let m = &full.manifold;
    paint_layer(MANIFOLD, |r, _| {
        let at = |i: usize, j: usize| -> (f32, f32) {
            let k = 2 * (i * cols + j);
            r.to_pixel(frame, m[k], m[k + 1])
        };
        let mut segments = Vec::new();
        for i in 0..rows {
            for j in 0..cols {
                if j + 1 < cols {
                    segments.push((at(i, j), at(i, j + 1)));
                }
                if i + 1 < rows {
                    segments.push((at(i, j), at(i + 1, j)));
                }
            }
        }
        for (a, b) in segments {
            r.line_px(a, b, MANIFOLD_COLOR, 0.55);
        }
    });
}

/// An arrow at each generated point along G's pull, scaled so the 95th-percentile arrow is
/// 7 % of the plot: directions and relative sizes show, absolute size is in the caption.
pub fn pull_arrows(frame: Frame, fake: &[f32], pull: &[f32]) {
    let mut lengths: Vec<f32> = pull.chunks_exact(2).map(|v| v[0].hypot(v[1])).filter(|l| l.is_finite()).collect();
    lengths.sort_by(f32::total_cmp);
    let p95 = lengths.get(lengths.len() * 95 / 100).copied().unwrap_or(0.0);
    paint_layer(GRADS, |r, _| {
        if p95 <= 0.0 {
            return;
        }
        let scale = 0.07 * r.width as f32 / p95;
        // every other arrow: 512 arrows read better than 1024
        for (p, v) in fake.chunks_exact(2).zip(pull.chunks_exact(2)).step_by(2) {
            // pixels: x right, y down
            let d = ((v[0] * scale).clamp(-200.0, 200.0), (-v[1] * scale).clamp(-200.0, 200.0));
            r.arrow(frame, [p[0], p[1]], d, ARROW_COLOR, 0.8);
        }
    });
}

/// The strokes being drawn (draw mode), on the samples layer.
pub fn strokes(frame: Frame, strokes: &[Vec<[f32; 2]>]) {
    paint_layer(POINTS, |r, dpr| {
        for s in strokes {
            for w in s.windows(2) {
                let (a, b) = (r.to_pixel(frame, w[0][0], w[0][1]), r.to_pixel(frame, w[1][0], w[1][1]));
                for o in [-0.5f32, 0.5] {
                    r.line_px((a.0 + o, a.1), (b.0 + o, b.1), STROKE_COLOR, 0.9);
                    r.line_px((a.0, a.1 + o), (b.0, b.1 + o), STROKE_COLOR, 0.9);
                }
            }
            let flat: Vec<f32> = s.iter().flat_map(|p| [p[0], p[1]]).collect();
            r.points(frame, &flat, STROKE_COLOR, 1.5 * dpr, 0.9);
        }
    });
}
