//! `/saddle`: the saddle-point lab. The xy game and the Dirac-GAN in the plane: the vector
//! field, every selected update rule's trajectory from a start point you drag, the distance to
//! the equilibrium (log scale), the eigenvalues of each rule's one-step map against the unit
//! circle, the closed forms, and a burn-trained Dirac-GAN drawn over the analytic one.
//!
//! Read top to bottom: colours, the controller (recompute on every change; drag; animation;
//! the burn overlay run in time-sliced chunks), the three drawings, the API, then the view.
//! Everything analytic is recomputed whole on each change (plain f64, `core::saddle`), so
//! there is no training scheduler here.

use crate::core::saddle::learned::{self, LearnedRun};
use crate::core::saddle::method::Method;
use crate::core::saddle::{analyse, field_eigenvalues, GameKind, MethodResult, SaddleConfig, SADDLE_SETTINGS};
use crate::core::presentation::csv_table;
use crate::core::settings::Settings;
use crate::web::api::{self, Demo, Status};
use crate::web::backend;
use crate::web::chart::{compact, log_line_chart, Series};
use crate::web::controls::{commit_setting, write_link, NoticeList, SettingsForm, Transport};
use crate::web::js;
use crate::web::present::dialogs::{hidden_part, EmbedBar};
use leptos::prelude::*;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};

/// One colour per rule (Okabe–Ito, distinguishable with colour-blindness).
pub fn method_color(m: Method) -> RGBColor {
    match m {
        Method::Flow => RGBColor(60, 60, 60),
        Method::Simultaneous => RGBColor(213, 94, 0),
        Method::Alternating => RGBColor(0, 114, 178),
        Method::Optimistic => RGBColor(0, 158, 115),
        Method::Extragradient => RGBColor(204, 121, 167),
        Method::Consensus => RGBColor(230, 159, 0),
        Method::Momentum => RGBColor(86, 180, 233),
        Method::Adam => RGBColor(120, 94, 0),
    }
}

fn css(c: RGBColor) -> String {
    format!("rgb({},{},{})", c.0, c.1, c.2)
}

/// A row of the rules table (plain strings: it lives in a signal).
#[derive(Clone, Debug, PartialEq)]
struct Row {
    name: &'static str,
    title: &'static str,
    color: String,
    closed_form: String,
    radius: String,
    verdict: &'static str,
    growth: String,
    learned: String,
}

/// The burn-trained trajectory of one rule, and how far it strays from the analytic one.
struct Learned {
    method: Method,
    points: Vec<[f64; 2]>,
    max_deviation: f64,
}

/// Where the plane's plotting area is on the canvas (device pixels) and what it shows.
#[derive(Clone, Copy)]
struct PlaneGeom {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    range: f64,
    dpr: f64,
}

/// Most points drawn per trajectory: beyond this, every k-th point (a long run is a dense
/// spiral; drawing all of it costs frames and shows nothing more).
const MAX_DRAWN_POINTS: usize = 1500;
/// Burn steps per slice before yielding a frame, so the page stays responsive.
const LEARNED_SLICE_MS: f64 = 8.0;

pub struct SaddleController {
    settings: RwSignal<Settings>,
    notices: RwSignal<Vec<String>>,
    status: RwSignal<Status>,
    rows: RwSignal<Vec<Row>>,
    learned_note: RwSignal<String>,
    config: RefCell<SaddleConfig>,
    results: RefCell<Vec<MethodResult>>,
    learned: RefCell<Vec<Learned>>,
    /// Steps drawn (None: all). Play animates it from 0.
    shown: Cell<Option<usize>>,
    animating: Cell<bool>,
    /// Bumped by every change, so a stale burn run or animation stops.
    generation: Cell<u64>,
    geom: Cell<Option<PlaneGeom>>,
    /// Half-width of the plane's view; kept while dragging, so the view does not rescale
    /// under the pointer.
    range: Cell<f64>,
    dragging: Cell<bool>,
    /// A drag position waiting for the next frame (pointer events outpace frames).
    pending_drag: Cell<Option<[f64; 2]>>,
    this: Weak<SaddleController>,
}

impl SaddleController {
    fn new(settings: RwSignal<Settings>, notices: RwSignal<Vec<String>>, status: RwSignal<Status>) -> Rc<Self> {
        let config = SaddleConfig::from_settings(&settings.get_untracked());
        Rc::new_cyclic(|this| Self {
            settings,
            notices,
            status,
            rows: RwSignal::new(Vec::new()),
            learned_note: RwSignal::new(String::new()),
            config: RefCell::new(config),
            results: RefCell::new(Vec::new()),
            learned: RefCell::new(Vec::new()),
            shown: Cell::new(None),
            animating: Cell::new(false),
            generation: Cell::new(0),
            geom: Cell::new(None),
            range: Cell::new(2.0),
            dragging: Cell::new(false),
            pending_drag: Cell::new(None),
            this: this.clone(),
        })
    }

    /// Recomputes every trajectory and redraws. `full` also redraws the eigenvalue chart and
    /// restarts the burn overlay (skipped while dragging: neither depends on the start point
    /// — the overlay does, but it catches up when the drag ends).
    fn recompute(&self, full: bool) {
        let t0 = js::now_ms();
        let config = SaddleConfig::from_settings(&self.settings.get_untracked());
        let results = analyse(&config);
        let compute_ms = js::now_ms() - t0;
        *self.config.borrow_mut() = config;
        *self.results.borrow_mut() = results;
        if full {
            self.generation.set(self.generation.get() + 1);
            self.learned.borrow_mut().clear();
        }
        let dragging = self.dragging.get();
        // the table re-renders as DOM: while dragging it waits for the release
        if !dragging {
            self.update_rows();
        }
        let t1 = js::now_ms();
        self.draw_plane();
        self.draw_distances();
        if full {
            self.draw_eigenvalues();
            self.start_learned();
        }
        let draw_ms = js::now_ms() - t1;
        self.status.update(|s| {
            // the slowest drag frame since the drag began (the browser test's figure)
            let worst = s.metrics.iter().find(|(k, _)| *k == "dragFrameMaxMs").map_or(0.0, |m| m.1);
            s.metrics.retain(|(k, _)| !matches!(*k, "computeMs" | "drawMs" | "dragFrameMaxMs"));
            s.metrics.push(("computeMs", compute_ms));
            s.metrics.push(("drawMs", draw_ms));
            s.metrics.push(("dragFrameMaxMs", if dragging { worst.max(compute_ms + draw_ms) } else { worst }));
            s.step = self.shown.get().unwrap_or(self.config.borrow().steps) as u64;
        });
    }

    fn update_rows(&self) {
        let results = self.results.borrow();
        let learned = self.learned.borrow();
        let config = self.config.borrow();
        let dirac = matches!(config.game, GameKind::Dirac(_));
        let rows = results
            .iter()
            .map(|r| {
                let burn = learned.iter().find(|l| l.method == r.method);
                Row {
                    name: r.method.name(),
                    title: r.method.title(),
                    color: css(method_color(r.method)),
                    closed_form: match (&r.closed_form, &r.eigenvalues) {
                        (Some(cf), _) => cf.text.clone(),
                        (None, _) if r.method == Method::Adam => "Adam rescales each coordinate by its gradient history: no fixed linear map".into(),
                        (None, None) => "The field has a kink at the equilibrium (|ψ| in the penalty): no linear map".into(),
                        (None, Some(_)) => "numeric (no closed form for this game)".into(),
                    },
                    radius: r.spectral_radius().map_or("–".into(), |v| format!("{v:.6}")),
                    verdict: r.verdict.name(),
                    growth: if r.growth.is_finite() { format!("×{}", compact(r.growth)) } else { "non-finite".into() },
                    learned: match burn {
                        Some(l) => format!("max |Δ| = {}", sci(l.max_deviation)),
                        None if !dirac || !config.learned => "–".into(),
                        None if learned::supports(r.method) => "training…".into(),
                        None => "analytic only".into(),
                    },
                }
            })
            .collect();
        self.rows.set(rows);
    }

    /// How many of `len` points (a step-0 start plus one per step) the view shows now.
    fn visible(&self, len: usize) -> usize {
        self.shown.get().map_or(len, |s| (s + 1).min(len))
    }

    /// Data range shown in the plane: the square [−R, R]², large enough for the start point
    /// (fixed during a drag).
    fn view_range(&self) -> f64 {
        if !self.dragging.get() {
            let z0 = self.config.borrow().z0;
            let r = (z0[0].abs().max(z0[1].abs()) * 1.3).max(2.0);
            self.range.set((r * 2.0).ceil() / 2.0);
        }
        self.range.get()
    }

    fn draw_plane(&self) {
        if let Err(e) = self.try_draw_plane() {
            web_sys::console::warn_1(&format!("phase plane: {e}").into());
        }
    }

    fn try_draw_plane(&self) -> Result<(), String> {
        let config = self.config.borrow();
        let (x_name, y_name) = match config.game {
            GameKind::Xy(_) => ("x (descends)", "y (ascends)"),
            GameKind::Dirac(_) => ("θ (generator)", "ψ (discriminator)"),
        };
        let axes = Axes { x: x_name, y: y_name, labels: 7, font_px: 12.0, x_area_px: 36.0, y_area_px: 44.0, right_px: 18.0 };
        square_chart("saddle-plane", self.view_range(), axes, |chart, canvas, dpr| self.draw_plane_contents(chart, canvas, dpr))
    }

    fn draw_plane_contents(&self, chart: &mut SquareChart, canvas: &web_sys::HtmlCanvasElement, dpr: f64) -> Result<(), String> {
        let config = self.config.borrow();
        let results = self.results.borrow();
        let r = self.range.get();
        // the vector field: direction arrows, length growing with the field's magnitude
        let game = config.game();
        let n = 15;
        let cell = 2.0 * r / n as f64;
        let grid: Vec<([f64; 2], [f64; 2])> = (0..n * n)
            .map(|k| {
                let p = [-r + (k % n) as f64 * cell + cell / 2.0, -r + (k / n) as f64 * cell + cell / 2.0];
                (p, game.field(p))
            })
            .collect();
        let max_len = grid.iter().map(|(_, v)| v[0].hypot(v[1])).fold(0.0, f64::max).max(1e-12);
        let grey = RGBColor(175, 175, 175);
        chart
            .draw_series(grid.iter().filter_map(|&(p, v)| {
                let len = v[0].hypot(v[1]);
                (len > 1e-12).then(|| arrow(p, [v[0] / len, v[1] / len], 0.8 * cell * (len / max_len).sqrt().max(0.25), grey, dpr))
            }))
            .map_err(|e| e.to_string())?;

        let ctx: web_sys::CanvasRenderingContext2d =
            canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into().ok()).ok_or("no 2-D context")?;
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        self.geom.set(Some(PlaneGeom { left: xr.start as f64, right: xr.end as f64, top: yr.start as f64, bottom: yr.end as f64, range: r, dpr }));
        // trajectories leave the view when they diverge: clip them to the plotting area
        ctx.save();
        ctx.begin_path();
        ctx.rect(xr.start as f64, yr.start as f64, (xr.end - xr.start) as f64, (yr.end - yr.start) as f64);
        ctx.clip();
        for res in results.iter() {
            let end = self.visible(res.points.len());
            let stride = end.div_ceil(MAX_DRAWN_POINTS).max(1);
            let pts = res.points[..end].iter().step_by(stride).chain(res.points[..end].last()).map(|p| (p[0], p[1]));
            let color = method_color(res.method);
            chart.draw_series(LineSeries::new(pts, color.stroke_width((1.8 * dpr) as u32))).map_err(|e| e.to_string())?;
            if let Some(last) = res.points[..end].last() {
                chart.draw_series(std::iter::once(Circle::new((last[0], last[1]), (3.5 * dpr) as i32, color.filled()))).map_err(|e| e.to_string())?;
            }
        }
        // burn's trajectory: hollow rings on the analytic line
        for l in self.learned.borrow().iter() {
            let end = self.visible(l.points.len());
            let stride = (end / 40).max(1);
            let color = method_color(l.method);
            chart
                .draw_series(l.points[..end].iter().step_by(stride).map(|p| Circle::new((p[0], p[1]), (5.0 * dpr) as i32, color.stroke_width((1.2 * dpr) as u32))))
                .map_err(|e| e.to_string())?;
        }
        ctx.restore();
        // equilibrium and the (draggable) start point
        let black = RGBColor(20, 20, 20);
        let s = (6.0 * dpr) as i32;
        chart.draw_series(std::iter::once(Cross::new((0.0, 0.0), s, black.stroke_width((2.0 * dpr) as u32)))).map_err(|e| e.to_string())?;
        let z0 = config.z0;
        chart.draw_series([Circle::new((z0[0], z0[1]), (7.0 * dpr) as i32, WHITE.filled()), Circle::new((z0[0], z0[1]), (5.0 * dpr) as i32, black.filled())]).map_err(|e| e.to_string())?;
        Ok(())
    }

    fn draw_distances(&self) {
        let Some(canvas) = js::canvas_by_id("saddle-dist") else { return };
        js::prefer_cpu_raster(&canvas);
        let results = self.results.borrow();
        let curves: Vec<Vec<(f64, f64)>> = results
            .iter()
            .map(|r| {
                r.distances[..self.visible(r.distances.len())].iter().enumerate().map(|(k, d)| (k as f64, *d)).collect()
            })
            .collect();
        let series: Vec<Series> =
            // no legend: the rules table is the key, and a legend would hide the curves
            results.iter().zip(&curves).map(|(r, c)| Series { name: "", color: method_color(r.method), points: c }).collect();
        if let Err(e) = log_line_chart(&canvas, "step", &series) {
            web_sys::console::warn_1(&format!("distance chart: {e}").into());
        }
    }

    /// Eigenvalues of each rule's one-step map in the complex plane, with the unit circle:
    /// filled dots are computed from the code, rings are the closed forms.
    fn draw_eigenvalues(&self) {
        if let Err(e) = self.try_draw_eigenvalues() {
            web_sys::console::warn_1(&format!("eigenvalue chart: {e}").into());
        }
    }

    fn try_draw_eigenvalues(&self) -> Result<(), String> {
        let results = self.results.borrow();
        let biggest = results.iter().filter_map(|r| r.spectral_radius()).fold(1.0, f64::max);
        let axes = Axes { x: "Re λ", y: "Im λ", labels: 5, font_px: 11.0, x_area_px: 40.0, y_area_px: 40.0, right_px: 8.0 };
        square_chart("saddle-eig", (biggest * 1.15).min(50.0), axes, |chart, _, dpr| {
            let circle = (0..=128).map(|k| {
                let a = k as f64 / 128.0 * std::f64::consts::TAU;
                (a.cos(), a.sin())
            });
            chart.draw_series(LineSeries::new(circle, RGBColor(120, 120, 120).stroke_width((1.2 * dpr) as u32))).map_err(|e| e.to_string())?;
            for res in results.iter() {
                let color = method_color(res.method);
                if let Some(cf) = &res.closed_form {
                    chart
                        .draw_series(cf.eigenvalues.iter().map(|l| Circle::new((l.re, l.im), (7.0 * dpr) as i32, color.stroke_width((1.2 * dpr) as u32))))
                        .map_err(|e| e.to_string())?;
                }
                if let Some(eigs) = &res.eigenvalues {
                    chart.draw_series(eigs.iter().map(|l| Circle::new((l.re, l.im), (3.5 * dpr) as i32, color.filled()))).map_err(|e| e.to_string())?;
                }
            }
            Ok(())
        })
    }

    /// Trains the burn Dirac-GAN for each rule burn can run, a few milliseconds per frame.
    fn start_learned(&self) {
        let config = self.config.borrow().clone();
        let GameKind::Dirac(game) = config.game.clone() else {
            self.learned_note.set(String::new());
            return;
        };
        if !config.learned {
            self.learned_note.set("The burn-trained overlay is off.".into());
            return;
        }
        let methods: Vec<Method> = config.methods.iter().copied().filter(|m| learned::supports(*m)).collect();
        if methods.is_empty() {
            self.learned_note.set("burn can train this game with sim, alt, momentum or adam: select one to compare.".into());
            return;
        }
        self.learned_note.set("burn is training the same game on the CPU…".into());
        let generation = self.generation.get();
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let (device, _) = backend::cpu_device();
            for method in methods {
                js::next_frame().await;
                let Some(me) = this.upgrade() else { return };
                if me.generation.get() != generation {
                    return;
                }
                drop(me);
                let mut run = match LearnedRun::new(&game, method, &config.hyper, config.z0, &device) {
                    Ok(r) => r,
                    Err(e) => {
                        if let Some(me) = this.upgrade() {
                            me.learned_note.set(e);
                        }
                        return;
                    }
                };
                while run.done() < config.steps {
                    let t0 = js::now_ms();
                    while run.done() < config.steps && js::now_ms() - t0 < LEARNED_SLICE_MS {
                        run.step();
                    }
                    js::next_frame().await;
                    match this.upgrade() {
                        Some(me) if me.generation.get() == generation => {}
                        _ => return,
                    }
                }
                let result = run.trajectory().await;
                let Some(me) = this.upgrade() else { return };
                if me.generation.get() != generation {
                    return;
                }
                match result {
                    Ok(points) => {
                        let max_deviation = me
                            .results
                            .borrow()
                            .iter()
                            .find(|r| r.method == method)
                            .map(|r| r.points.iter().zip(&points).map(|(a, b)| (a[0] - b[0]).abs().max((a[1] - b[1]).abs())).fold(0.0, f64::max))
                            .unwrap_or(f64::NAN);
                        me.learned.borrow_mut().push(Learned { method, points, max_deviation });
                        me.update_rows();
                        me.draw_plane();
                    }
                    Err(e) => me.notices.update(|v| v.push(format!("The burn-trained overlay failed: {e}"))),
                }
            }
            if let Some(me) = this.upgrade() {
                if me.generation.get() == generation {
                    let worst = me.learned.borrow().iter().map(|l| l.max_deviation).fold(0.0, f64::max);
                    me.learned_note.set(format!(
                        "Rings: θ and ψ trained by burn (autodiff, burn's optimisers, f32, CPU). Largest gap to the formula: {} over {} steps.",
                        sci(worst),
                        config.steps
                    ));
                }
            }
        });
    }

    /// Moves the start point to a canvas position (CSS pixels from the canvas's corner).
    fn drag_to(&self, css_x: f64, css_y: f64) {
        let Some(g) = self.geom.get() else { return };
        let (px, py) = (css_x * g.dpr, css_y * g.dpr);
        let x = -g.range + (px - g.left) / (g.right - g.left) * 2.0 * g.range;
        let y = g.range - (py - g.top) / (g.bottom - g.top) * 2.0 * g.range;
        // one recompute per frame: a task already waiting picks up the newest position
        if self.pending_drag.replace(Some([x, y])).is_some() {
            return;
        }
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            js::next_frame().await;
            let Some(me) = this.upgrade() else { return };
            if let Some([x, y]) = me.pending_drag.take() {
                // the link is written when the drag ends (browsers throttle replaceState storms)
                me.move_start(x, y, !me.dragging.get());
            }
        });
    }

    /// Puts the start point at (x, y) (rounded to 0.001, kept in the settings' range) and
    /// recomputes; `full` also writes the link and restarts the burn overlay.
    fn move_start(&self, x: f64, y: f64, full: bool) {
        let round = |v: f64| (v.clamp(-5.0, 5.0) * 1000.0).round() / 1000.0;
        let mut s = self.settings.get_untracked();
        if s.set("x0", &round(x).to_string()).is_ok() && s.set("y0", &round(y).to_string()).is_ok() {
            self.settings.set(s);
            if full {
                write_link(self.settings);
            }
            self.recompute(full);
        }
    }

    /// Arrow keys move the start point (Shift: five times further), for keyboard users.
    fn nudge(&self, key: &str, far: bool) -> bool {
        let d = if far { 0.25 } else { 0.05 };
        let (dx, dy) = match key {
            "ArrowLeft" => (-d, 0.0),
            "ArrowRight" => (d, 0.0),
            "ArrowUp" => (0.0, d),
            "ArrowDown" => (0.0, -d),
            _ => return false,
        };
        let z0 = self.config.borrow().z0;
        self.move_start(z0[0] + dx, z0[1] + dy, true);
        true
    }

    fn end_drag(&self) {
        if self.dragging.replace(false) {
            write_link(self.settings);
            self.recompute(true);
        }
    }

    /// Animates the trajectories being drawn, from step `shown` to the end over ~3 s.
    fn animate(&self) {
        self.animating.set(true);
        self.status.update(|s| s.running = true);
        let generation = self.generation.get();
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                js::next_frame().await;
                let Some(me) = this.upgrade() else { return };
                if !me.animating.get() || me.generation.get() != generation {
                    return;
                }
                let steps = me.config.borrow().steps;
                let next = me.shown.get().unwrap_or(0) + steps.div_ceil(180);
                if next >= steps {
                    me.shown.set(None);
                    me.animating.set(false);
                    me.status.update(|s| s.running = false);
                } else {
                    me.shown.set(Some(next));
                }
                me.draw_plane();
                me.draw_distances();
                me.status.update(|s| s.step = next.min(steps) as u64);
                if !me.animating.get() {
                    return;
                }
            }
        });
    }
}

type SquareChart<'a> = ChartContext<'a, CanvasBackend, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Axis names and sizes (CSS pixels) of a square chart.
struct Axes {
    x: &'static str,
    y: &'static str,
    labels: usize,
    font_px: f64,
    x_area_px: f64,
    y_area_px: f64,
    right_px: f64,
}

/// Draws a chart of [−r, r]² with axes and a light grid on the canvas `id` (CPU raster, sized
/// to its CSS box at device resolution), then hands it to `draw` with the canvas and the pixel
/// ratio. The phase plane and the eigenvalue plane share this.
fn square_chart(
    id: &str,
    r: f64,
    axes: Axes,
    draw: impl FnOnce(&mut SquareChart, &web_sys::HtmlCanvasElement, f64) -> Result<(), String>,
) -> Result<(), String> {
    let canvas = js::canvas_by_id(id).ok_or("no canvas")?;
    js::prefer_cpu_raster(&canvas);
    let (_, _, dpr) = js::fit_canvas(&canvas);
    let px = |v: f64| (v * dpr) as u32;
    let root = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2-D context")?.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .margin(px(8.0))
        .margin_right(px(axes.right_px))
        .x_label_area_size(px(axes.x_area_px))
        .y_label_area_size(px(axes.y_area_px))
        .build_cartesian_2d(-r..r, -r..r)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(axes.x)
        .y_desc(axes.y)
        .x_labels(axes.labels)
        .y_labels(axes.labels)
        .label_style(("sans-serif", px(axes.font_px)))
        .light_line_style(RGBColor(242, 242, 242))
        .draw()
        .map_err(|e| e.to_string())?;
    draw(&mut chart, &canvas, dpr)?;
    root.present().map_err(|e| e.to_string())
}

/// An arrow centred on `p` pointing along the unit vector `d`, `len` long (data units).
fn arrow(p: [f64; 2], d: [f64; 2], len: f64, color: RGBColor, dpr: f64) -> PathElement<(f64, f64)> {
    let (h, w) = (len * 0.35, len * 0.2);
    let tip = (p[0] + d[0] * len / 2.0, p[1] + d[1] * len / 2.0);
    let tail = (p[0] - d[0] * len / 2.0, p[1] - d[1] * len / 2.0);
    let base = (tip.0 - d[0] * h, tip.1 - d[1] * h);
    let left = (base.0 - d[1] * w, base.1 + d[0] * w);
    let right = (base.0 + d[1] * w, base.1 - d[0] * w);
    PathElement::new(vec![tail, tip, left, tip, right], color.stroke_width(dpr.max(1.0) as u32))
}

/// Small magnitudes in scientific notation, e.g. 3.1e-6.
fn sci(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else {
        format!("{v:.1e}")
    }
}

impl Demo for SaddleController {
    fn redraw(&self) {
        self.draw_distances();
        self.draw_eigenvalues();
    }

    /// Each rule's distance to the equilibrium per step (the distance chart's data).
    fn history_csv(&self) -> Option<String> {
        let results = self.results.borrow();
        let steps = results.iter().map(|r| r.distances.len()).max().filter(|n| *n > 0)?;
        let step: Vec<f64> = (0..steps).map(|k| k as f64).collect();
        let padded: Vec<Vec<f64>> =
            results.iter().map(|r| (0..steps).map(|k| r.distances.get(k).copied().unwrap_or(f64::NAN)).collect()).collect();
        let mut header = vec!["step".to_string()];
        header.extend(results.iter().map(|r| format!("distance_{}", r.method.name())));
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let columns: Vec<&[f64]> = std::iter::once(&step[..]).chain(padded.iter().map(|c| &c[..])).collect();
        Some(csv_table(&header, &columns))
    }

    fn shutdown(&self) {
        self.generation.set(self.generation.get() + 1);
        self.animating.set(false);
    }

    fn status(&self) -> Status {
        self.status.get_untracked()
    }

    fn play(&self) {
        if self.animating.get() {
            return;
        }
        if self.shown.get().is_none() {
            self.shown.set(Some(0));
        }
        self.animate();
    }

    fn pause(&self) {
        self.animating.set(false);
        self.status.update(|s| s.running = false);
    }

    /// Shows `n` more steps of every trajectory (from a rewound or paused animation).
    fn step(&self, n: u64) -> js_sys::Promise {
        self.pause();
        let steps = self.config.borrow().steps;
        let next = (self.shown.get().unwrap_or(steps) as u64 + n).min(steps as u64) as usize;
        self.shown.set(if next >= steps { None } else { Some(next) });
        self.draw_plane();
        self.draw_distances();
        self.status.update(|s| s.step = next as u64);
        js_sys::Promise::resolve(&JsValue::TRUE)
    }

    /// Rewinds the drawing to the start point (Play then animates the runs).
    fn reset(&self) -> js_sys::Promise {
        self.pause();
        self.shown.set(Some(0));
        self.draw_plane();
        self.draw_distances();
        self.status.update(|s| s.step = 0);
        js_sys::Promise::resolve(&JsValue::TRUE)
    }

    fn settings(&self) -> Settings {
        self.settings.get_untracked()
    }

    fn set(&self, key: &str, raw: &str) -> Result<(), String> {
        if commit_setting(self.settings, key, raw, |_, _| Ok(()))?.is_none() {
            return Ok(());
        }
        self.pause();
        self.shown.set(None);
        self.recompute(true);
        Ok(())
    }

    fn samples(&self, _n: usize) -> js_sys::Promise {
        js_sys::Promise::resolve(&js::object(vec![("ok", false.into()), ("error", "the saddle lab has no samples; see report()".into())]))
    }

    fn report(&self) -> JsValue {
        let pair = |a: f64, b: f64| JsValue::from(js_sys::Array::of2(&a.into(), &b.into()));
        let learned = self.learned.borrow();
        let methods = js_sys::Array::new();
        for r in self.results.borrow().iter() {
            let eigs = r.eigenvalues.as_ref().map(|e| JsValue::from(e.iter().map(|l| pair(l.re, l.im)).collect::<js_sys::Array>()));
            let end = r.points.last().copied().unwrap_or([f64::NAN; 2]);
            let burn = learned.iter().find(|l| l.method == r.method);
            methods.push(&js::object(vec![
                ("method", r.method.name().into()),
                ("verdict", r.verdict.name().into()),
                ("growth", r.growth.into()),
                ("spectralRadius", r.spectral_radius().map_or(JsValue::NULL, JsValue::from)),
                ("eigenvalues", eigs.unwrap_or(JsValue::NULL)),
                ("closedForm", r.closed_form.as_ref().map_or(JsValue::NULL, |c| c.text.clone().into())),
                ("points", JsValue::from(r.points.len() as f64)),
                ("end", pair(end[0], end[1])),
                ("learnedMaxDeviation", burn.map_or(JsValue::NULL, |l| l.max_deviation.into())),
            ]));
        }
        let z0 = self.config.borrow().z0;
        js::object(vec![("start", pair(z0[0], z0[1])), ("methods", methods.into()), ("learnedNote", self.learned_note.get_untracked().into())])
    }
}

const RULE_KEYS: &[&str] = &["methods"];
const STEP_KEYS: &[&str] = &["eta", "steps", "gamma", "beta", "x0", "y0"];
const XY_KEYS: &[&str] = &["a", "b"];
const DIRAC_KEYS: &[&str] = &["loss", "r1", "noise", "clip", "gp", "learned"];
const SLIDERS: &[&str] = &["eta", "gamma", "beta", "a", "b", "r1", "noise", "clip", "gp"];

#[component]
pub fn SaddlePage() -> impl IntoView {
    let search = js::window().location().search().unwrap_or_default();
    let (initial, url_notices) = Settings::from_query(SADDLE_SETTINGS, &search);
    let settings = RwSignal::new(initial);
    let notices = RwSignal::new(url_notices);
    let status = RwSignal::new(Status { backend: Some("cpu"), adapter: "f64 on the CPU; burn overlay on burn's CPU backend".into(), ..Status::default() });

    let controller = SaddleController::new(settings, notices, status);
    let learned_note = controller.learned_note;
    write_link(settings);
    let token = api::register(controller.clone());
    on_cleanup(move || api::unregister(token));
    // draw once the canvases are in the document
    let first = controller.clone();
    request_animation_frame(move || first.recompute(true));

    let (c1, c2, c3, c4) = (controller.clone(), controller.clone(), controller.clone(), controller.clone());
    let offset = |ev: &web_sys::PointerEvent| (ev.offset_x() as f64, ev.offset_y() as f64);
    let on_down = move |ev: web_sys::PointerEvent| {
        if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = t.set_pointer_capture(ev.pointer_id());
        }
        c1.dragging.set(true);
        c1.status.update(|s| s.metrics.retain(|(k, _)| *k != "dragFrameMaxMs"));
        let (x, y) = offset(&ev);
        c1.drag_to(x, y);
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        if c2.dragging.get() {
            let (x, y) = offset(&ev);
            c2.drag_to(x, y);
        }
    };
    let on_up = move |_: web_sys::PointerEvent| c3.end_drag();
    let on_cancel = move |_: web_sys::PointerEvent| c4.end_drag();
    let c5 = controller.clone();
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if c5.nudge(&ev.key(), ev.shift_key()) {
            ev.prevent_default(); // keep the page from scrolling
        }
    };

    let game = move || settings.with(|s| s.choice("game"));
    let choose_game = move |g: &'static str| {
        move |_| {
            api::with_demo(|d| d.set("game", g));
        }
    };
    let shows = move |which: &'static str| move || if game() == which { "" } else { "none" };

    view! {
        <section class="demo saddle">
            <header class="demo-head">
                <h1>"Saddle-point lab"</h1>
                <p>
                    "GAN training is a game, not a minimisation. Each rule below plays it from the black start point "
                    "(drag it): x (or the generator θ) descends, y (or the discriminator ψ) ascends, and the equilibrium is the "
                    "cross. Gradient play orbits it, simultaneous steps spiral away, and some rules converge — the eigenvalues "
                    "of each rule's one-step map say which."
                </p>
            </header>
            <NoticeList notices=notices/>
            <div class="toolbar">
                <div class="segmented" role="group" aria-label="Game">
                    <button id="game-xy" aria-pressed=move || (game() == "xy").to_string() on:click=choose_game("xy")>"V(x, y) = xy"</button>
                    <button id="game-dirac" aria-pressed=move || (game() == "dirac").to_string() on:click=choose_game("dirac")>"Dirac-GAN"</button>
                </div>
                <Transport status=status reset_label="Rewind"/>
                <span class="stats" hidden=hidden_part("stats")>
                    <span>"step " <b id="stat-step">{move || status.with(|s| s.step)}</b></span>
                </span>
                <EmbedBar/>
            </div>
            <MathNote settings=settings/>
            <div class="demo-body">
                <figure class="field">
                    <div class="plane-box" data-view="plane" data-view-label="Game plane and trajectories">
                        <canvas id="saddle-plane" role="img" tabindex="0" data-own-keys="arrows" aria-label="Vector field of the game with each update rule's trajectory from the start point; drag, or use the arrow keys, to move the start point"
                            on:keydown=on_key on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_cancel></canvas>
                    </div>
                    <figcaption>
                        <span>"Arrows: the field (x descends, y ascends). "</span>
                        <span>"Drag anywhere, or focus the plot and use the arrow keys (Shift: bigger steps), to move the start point. "</span>
                        {move || (game() == "dirac").then(|| view! { <span id="learned-note">{move || learned_note.get()}</span> })}
                    </figcaption>
                </figure>
                <div class="side">
                    <RulesTable controller=controller.clone()/>
                    <div class="chart-pair">
                        <figure class="chart" data-view="distance" data-view-label="Distance chart">
                            <canvas id="saddle-dist" role="img" aria-label="Distance to the equilibrium per step, log scale, one line per rule"></canvas>
                            <figcaption>"Distance to the equilibrium (log scale)"</figcaption>
                        </figure>
                        <figure class="chart eig" data-view="eigenvalues" data-view-label="Eigenvalue chart">
                            <canvas id="saddle-eig" role="img" aria-label="Eigenvalues of each rule's one-step map with the unit circle"></canvas>
                            <figcaption>"Eigenvalues λ of one step: dots computed, rings the closed form. Outside the circle spirals out."</figcaption>
                        </figure>
                    </div>
                    <div class="settings-panel">
                        <fieldset><legend>"Update rules"</legend><SettingsForm settings=settings keys=RULE_KEYS notices=notices/></fieldset>
                        <fieldset><legend>"Steps"</legend><SettingsForm settings=settings keys=STEP_KEYS notices=notices sliders=SLIDERS/></fieldset>
                        <fieldset style:display=shows("xy")><legend>"V(x, y) = xy + (a/2)x² − (b/2)y²"</legend><SettingsForm settings=settings keys=XY_KEYS notices=notices sliders=SLIDERS/></fieldset>
                        <fieldset style:display=shows("dirac")><legend>"Dirac-GAN"</legend><SettingsForm settings=settings keys=DIRAC_KEYS notices=notices sliders=SLIDERS/></fieldset>
                    </div>
                </div>
            </div>
        </section>
    }
}

#[component]
fn RulesTable(controller: Rc<SaddleController>) -> impl IntoView {
    let rows = controller.rows;
    view! {
        <div class="table-wrap">
        <table class="rules" id="rules">
            <thead><tr><th>"Rule"</th><th>"One step at the equilibrium"</th><th>"max |λ|"</th><th>"Verdict"</th><th>"burn-trained"</th></tr></thead>
            <tbody>
                {move || rows.get().into_iter().map(|r| view! {
                    <tr data-method=r.name>
                        <td><span class="chip" style:background=r.color.clone()></span>{r.title}</td>
                        <td class="formula">{r.closed_form.clone()}</td>
                        <td class="num">{r.radius.clone()}</td>
                        <td class=format!("verdict {}", r.verdict)>{r.verdict}" "<small>{r.growth.clone()}</small></td>
                        <td class="num">{r.learned.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

/// The game on screen, in formulas.
#[component]
fn MathNote(settings: RwSignal<Settings>) -> impl IntoView {
    // Memos: the settings change on every drag frame, these texts rarely do (no DOM writes then)
    let text = Memo::new(move |_| {
        settings.with(|s| match s.choice("game") {
            "dirac" => {
                let loss = match s.choice("loss") {
                    "gan" => "G: min E log(1 − σ(ψθ)), D: max log σ(0) + log(1 − σ(ψθ))",
                    "ns" => "G: max log σ(ψθ) (non-saturating), D as for the GAN",
                    "wgan" => "V = −ψθ, ψ clipped to [−c, c]",
                    _ => "V = −ψθ − (gp/2)(|ψ| − 1)²",
                };
                format!(
                    "Dirac-GAN: data δ₀, generator δ_θ, discriminator D_ψ(x) = ψx. {loss}. Regularisers: R1 subtracts (γ/2)ψ² from D's objective; \
                     instance noise adds N(0, σ²) to real and generated points. Equilibrium (θ, ψ) = (0, 0)."
                )
            }
            _ => "V(x, y) = xy + (a/2)x² − (b/2)y². x descends, y ascends: ẋ = −(y + ax), ẏ = x − by. Equilibrium (0, 0).".into(),
        })
    });
    let field = Memo::new(move |_| {
        settings.with(|s| match field_eigenvalues(&SaddleConfig::from_settings(s)) {
            Some(mu) => {
                let list = mu.iter().map(|m| format!("{} {} {}i", compact(m.re), if m.im < 0.0 { "−" } else { "+" }, compact(m.im.abs()))).collect::<Vec<_>>().join(", ");
                let re = mu.iter().map(|m| m.re).fold(f64::MIN, f64::max);
                let meaning = if re < -1e-12 {
                    "every Re μ < 0: continuous play converges, and small enough steps do too"
                } else if re > 1e-12 {
                    "some Re μ > 0: the equilibrium repels"
                } else {
                    "Re μ = 0: continuous play orbits; discrete steps depend on the rule"
                };
                format!("Jacobian of the field at the equilibrium: μ = {list} — {meaning}.")
            }
            None => "The field has a kink at the equilibrium, so no Jacobian describes it there.".into(),
        })
    });
    view! {
        <div class="math" id="math">
            <p>{text}</p>
            <p id="field-eigs">{field}</p>
        </div>
    }
}

