//! Line, bar and histogram charts drawn with plotters on a canvas (axes, ticks, labels, legend).

use plotters::chart::MeshStyle;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use crate::draw::{along, Corner};

/// `(x, y)` in `x` × `y` as fractions of the plot (y up), for legend placement.
fn fraction(x: &std::ops::Range<f64>, y: &std::ops::Range<f64>) -> impl Fn((f64, f64)) -> (f64, f64) + use<> {
    let (x0, xw, y0, yh) = (x.start, (x.end - x.start).max(1e-12), y.start, (y.end - y.start).max(1e-12));
    move |(px, py)| ((px - x0) / xw, (py - y0) / yh)
}

/// A bar's ink: its two sides, from the base to its top.
fn bar_ink(to: &impl Fn((f64, f64)) -> (f64, f64), left: f64, right: f64, top: f64) -> impl Iterator<Item = (f64, f64)> {
    along(to((left, 0.0)), to((left, top)), 20).chain(along(to((right, 0.0)), to((right, top)), 20))
}

/// Chart colours from the page theme (CSS variables `--chart-bg`, `--chart-fg`,
/// `--chart-grid`), read at each draw so a theme switch shows at the next redraw.
#[derive(Clone, Copy)]
struct Palette {
    bg: RGBColor,
    fg: RGBColor,
    grid: RGBColor,
    /// Line width and text size factor (`--chart-weight`: 1, heavier for projectors).
    weight: f64,
}

fn hex_color(text: &str) -> Option<RGBColor> {
    let h = text.trim().strip_prefix('#')?;
    let v = u32::from_str_radix(h, 16).ok().filter(|_| h.len() == 6)?;
    Some(RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

fn palette() -> Palette {
    let style = web_sys::window()
        .and_then(|w| w.document().and_then(|d| d.document_element()).and_then(|e| w.get_computed_style(&e).ok().flatten()));
    let var = |name: &str, fallback: RGBColor| style.as_ref().and_then(|s| s.get_property_value(name).ok()).and_then(|v| hex_color(&v)).unwrap_or(fallback);
    let weight = style.as_ref().and_then(|s| s.get_property_value("--chart-weight").ok()).and_then(|v| v.trim().parse::<f64>().ok());
    Palette {
        bg: var("--chart-bg", WHITE),
        fg: var("--chart-fg", BLACK),
        grid: var("--chart-grid", RGBColor(235, 235, 235)),
        weight: weight.filter(|w| (0.5..=4.0).contains(w)).unwrap_or(1.0),
    }
}

pub struct Series<'a> {
    /// Legend text; empty leaves the series out of the legend (no legend if all are empty).
    pub name: &'a str,
    pub color: RGBColor,
    /// (x, y) points, x increasing.
    pub points: &'a [(f64, f64)],
}

/// Draws `series` on `canvas`, sized to its CSS box at device resolution.
pub fn line_chart(canvas: &web_sys::HtmlCanvasElement, x_label: &str, series: &[Series]) -> Result<(), String> {
    draw_lines(canvas, x_label, series, false)
}

/// As `line_chart`, with a logarithmic y axis (non-positive values are left out). Plotted as
/// log₁₀ y on a linear axis whose ticks are labelled with the values themselves.
pub fn log_line_chart(canvas: &web_sys::HtmlCanvasElement, x_label: &str, series: &[Series]) -> Result<(), String> {
    let logged: Vec<Vec<(f64, f64)>> =
        series.iter().map(|s| s.points.iter().map(|&(x, y)| (x, if y > 0.0 { y.log10() } else { f64::NAN })).collect()).collect();
    let series: Vec<Series> = series.iter().zip(&logged).map(|(s, p)| Series { name: s.name, color: s.color, points: p }).collect();
    draw_lines(canvas, x_label, &series, true)
}

/// A chart's canvas at device resolution, cleared to the theme's background, with the theme
/// and the scale every chart here draws with.
struct Frame {
    root: DrawingArea<CanvasBackend, Shift>,
    colors: Palette,
    dpr: f64,
    /// Label text size in device pixels.
    font: u32,
}

type Plot<'a> = ChartContext<'a, CanvasBackend, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

impl Frame {
    fn new(canvas: &web_sys::HtmlCanvasElement) -> Result<Self, String> {
        let (_, _, dpr) = crate::web::js::fit_canvas(canvas);
        let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("canvas has no 2-D context")?;
        let root = backend.into_drawing_area();
        let colors = palette();
        root.fill(&colors.bg).map_err(|e| e.to_string())?;
        Ok(Self { root, colors, dpr, font: (12.0 * dpr * colors.weight) as u32 })
    }

    /// Axes over `x` × `y`, with room for tick labels scaled like the text.
    fn plot(&self, x: std::ops::Range<f64>, y: std::ops::Range<f64>) -> Result<Plot<'_>, String> {
        ChartBuilder::on(&self.root)
            .margin((6.0 * self.dpr) as u32)
            // the last x tick label is centred on the plot's right end: leave room for its half
            .margin_right((6.0 * self.dpr) as u32 + self.font)
            .x_label_area_size((34.0 * self.dpr * self.colors.weight) as u32)
            .y_label_area_size((48.0 * self.dpr * self.colors.weight) as u32)
            .build_cartesian_2d(x, y)
            .map_err(|e| e.to_string())
    }

    /// Draws `mesh` (ticks and formatters set by the caller) in the theme's text and lines.
    fn draw_mesh(&self, mesh: &mut MeshStyle<'_, '_, RangedCoordf64, RangedCoordf64, CanvasBackend>) -> Result<(), String> {
        mesh.label_style(("sans-serif", self.font).into_font().color(&self.colors.fg))
            .axis_style(self.colors.fg)
            .bold_line_style(self.colors.grid)
            .light_line_style(self.colors.grid.mix(0.5))
            .draw()
            .map_err(|e| e.to_string())
    }

    /// The legend (when `labels` has any) in the corner where it hides the least of `ink`
    /// (what was drawn, as plot fractions with y up: `draw::least_covered_corner`), and the
    /// finished picture.
    fn finish(&self, chart: &mut Plot<'_>, labels: &[&str], ink: &[(f64, f64)]) -> Result<(), String> {
        if !labels.is_empty() {
            let (w, h) = chart.plotting_area().dim_in_pixel();
            let (font, chars) = (self.font as f64, labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64);
            // plotters' box: a 30-pixel sample, the text, padding; a row per label
            let size = ((0.6 * font * chars + 46.0 * self.dpr) / w.max(1) as f64, (labels.len() as f64 * 1.4 * font + 12.0 * self.dpr) / h.max(1) as f64);
            let corner = match crate::draw::least_covered_corner(ink.iter().copied(), size) {
                Corner::UpperRight => SeriesLabelPosition::UpperRight,
                Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
                Corner::LowerRight => SeriesLabelPosition::LowerRight,
                Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
            };
            legend(chart, self.font, self.colors, corner)?;
        }
        self.root.present().map_err(|e| e.to_string())
    }
}

fn draw_lines(canvas: &web_sys::HtmlCanvasElement, x_label: &str, series: &[Series], y_log: bool) -> Result<(), String> {
    let frame = Frame::new(canvas)?;
    let finite = || series.iter().flat_map(|s| s.points.iter()).filter(|p| p.1.is_finite());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in finite() {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if x1 - x0 < 1e-9 {
        x1 = x0 + 1.0;
    }
    // a flat line still gets an axis a few percent wide (not ticks that all read the same)
    let pad = ((y1 - y0) * 0.08).max(if y_log { 0.1 } else { 1e-3f64.max(0.02 * y0.abs().max(y1.abs())) });
    let (xs, ys) = (x0..x1, (y0 - pad)..(y1 + pad));
    let to = fraction(&xs, &ys);
    let ink: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| s.points.windows(2).filter(|w| w[0].1.is_finite() && w[1].1.is_finite()).flat_map(|w| along(to(w[0]), to(w[1]), 8)))
        .collect();
    let mut chart = frame.plot(xs, ys)?;
    // steps are whole numbers: leave fractional ticks (short runs) unlabelled
    let x_ticks = |x: &f64| if x.fract() == 0.0 { format!("{x:.0}") } else { String::new() };
    let y_ticks = |y: &f64| compact(if y_log { 10f64.powf(*y) } else { *y });
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(5).y_labels(5).x_desc(x_label).x_label_formatter(&x_ticks).y_label_formatter(&y_ticks);
    frame.draw_mesh(&mut mesh)?;
    for s in series {
        let color = s.color;
        let drawn = chart
            .draw_series(LineSeries::new(s.points.iter().copied().filter(|p| p.1.is_finite()), color.stroke_width((1.5 * frame.dpr * frame.colors.weight) as u32)))
            .map_err(|e| e.to_string())?;
        if !s.name.is_empty() {
            drawn.label(s.name).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2)));
        }
    }
    let labels: Vec<&str> = series.iter().map(|s| s.name).filter(|n| !n.is_empty()).collect();
    frame.finish(&mut chart, &labels, &ink)
}

/// One group of bars: a value per category (mode), drawn side by side with the other groups.
pub struct Bars<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    pub values: &'a [f64],
}

/// Grouped bars, one group per category `1..=k`, with an optional dashed reference level
/// (the share every category would get if all were equal).
pub fn bar_chart(canvas: &web_sys::HtmlCanvasElement, x_label: &str, groups: &[Bars], reference: Option<f64>) -> Result<(), String> {
    let frame = Frame::new(canvas)?;
    let k = groups.iter().map(|g| g.values.len()).max().unwrap_or(0).max(1);
    let top = groups.iter().flat_map(|g| g.values.iter().copied()).chain(reference).filter(|v| v.is_finite()).fold(1.0f64, f64::max) * 1.1;
    let (xs, ys) = (0.5f64..k as f64 + 0.5, 0f64..top);
    let to = fraction(&xs, &ys);
    // group gi's bar for category i + 1 spans left(gi, i) .. + width
    let width = 0.8 / groups.len().max(1) as f64;
    let left = |gi: usize, i: usize| i as f64 + 1.0 - 0.4 + gi as f64 * width;
    let mut ink: Vec<(f64, f64)> = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        for (i, v) in g.values.iter().enumerate() {
            ink.extend(bar_ink(&to, left(gi, i), left(gi, i) + width, v.max(0.0)));
        }
    }
    if let Some(r) = reference {
        ink.extend(along(to((0.5, r)), to((k as f64 + 0.5, r)), 40));
    }
    let mut chart = frame.plot(xs, ys)?;
    let x_ticks = |x: &f64| if x.fract() == 0.0 { format!("{x:.0}") } else { String::new() };
    let y_ticks = |y: &f64| compact(*y);
    let mut mesh = chart.configure_mesh();
    // 25 numbered modes would overlap: at most 10 x labels
    mesh.disable_x_mesh().x_labels(k.min(10)).y_labels(5).x_desc(x_label).x_label_formatter(&x_ticks).y_label_formatter(&y_ticks);
    frame.draw_mesh(&mut mesh)?;
    for (gi, g) in groups.iter().enumerate() {
        let color = g.color;
        let drawn = chart
            .draw_series(g.values.iter().enumerate().map(|(i, v)| Rectangle::new([(left(gi, i), 0.0), (left(gi, i) + width, v.max(0.0))], color.filled())))
            .map_err(|e| e.to_string())?;
        if !g.name.is_empty() {
            drawn.label(g.name).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        }
    }
    if let Some(r) = reference {
        let (dpr, grey) = (frame.dpr, frame.colors.fg.mix(0.7));
        chart
            .draw_series(DashedLineSeries::new(vec![(0.5, r), (k as f64 + 0.5, r)], (5.0 * dpr) as u32, (4.0 * dpr) as u32, grey.stroke_width(dpr.max(1.0) as u32)))
            .map_err(|e| e.to_string())?
            .label("equal share")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], grey.stroke_width(2)));
    }
    let labels: Vec<&str> = groups.iter().map(|g| g.name).filter(|n| !n.is_empty()).chain(reference.map(|_| "equal share")).collect();
    frame.finish(&mut chart, &labels, &ink)
}

/// Overlaid histograms: each group's `values` are the shares of equal bins spanning
/// `lo..hi`, drawn as translucent bars so overlapping distributions stay visible.
pub fn histogram_chart(canvas: &web_sys::HtmlCanvasElement, x_label: &str, lo: f64, hi: f64, groups: &[Bars]) -> Result<(), String> {
    let frame = Frame::new(canvas)?;
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let top = groups.iter().flat_map(|g| g.values.iter().copied()).filter(|v| v.is_finite()).fold(0.05f64, f64::max) * 1.15;
    let (xs, ys) = (lo..hi, 0f64..top);
    let to = fraction(&xs, &ys);
    let mut ink: Vec<(f64, f64)> = Vec::new();
    let mut chart = frame.plot(xs, ys)?;
    let ticks = |v: &f64| compact(*v);
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh().x_labels(6).y_labels(5).x_desc(x_label).x_label_formatter(&ticks).y_label_formatter(&ticks);
    frame.draw_mesh(&mut mesh)?;
    for g in groups {
        let color = g.color;
        let width = (hi - lo) / g.values.len().max(1) as f64;
        // each bin: its left and right edges and its height
        let bins: Vec<(f64, f64, f64)> = g.values.iter().enumerate().map(|(i, v)| (lo + i as f64 * width, lo + (i + 1) as f64 * width, v.max(0.0))).collect();
        ink.extend(bins.iter().flat_map(|&(left, right, top)| bar_ink(&to, left, right, top)));
        let drawn = chart
            .draw_series(bins.iter().map(|&(left, right, top)| Rectangle::new([(left, 0.0), (right, top)], color.mix(0.55).filled())))
            .map_err(|e| e.to_string())?;
        if !g.name.is_empty() {
            drawn.label(g.name).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.mix(0.55).filled()));
        }
    }
    let labels: Vec<&str> = groups.iter().map(|g| g.name).filter(|n| !n.is_empty()).collect();
    frame.finish(&mut chart, &labels, &ink)
}

/// The series' names in a box at `corner`.
fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(chart: &mut ChartContext<'a, DB, CT>, font: u32, colors: Palette, corner: SeriesLabelPosition) -> Result<(), String> {
    chart
        .configure_series_labels()
        .label_font(("sans-serif", font).into_font().color(&colors.fg))
        .background_style(colors.bg.mix(0.8))
        .border_style(colors.grid)
        .position(corner)
        .draw()
        .map_err(|e| e.to_string())
}

/// Short tick labels: 3 significant digits, scientific notation outside [0.01, 10⁴).
pub fn compact(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if !(0.01..1e4).contains(&a) {
        format!("{v:.1e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}
