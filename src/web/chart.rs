//! Line, bar and histogram charts drawn with plotters on a canvas (axes, ticks, labels, legend).

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

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

fn draw_lines(canvas: &web_sys::HtmlCanvasElement, x_label: &str, series: &[Series], y_log: bool) -> Result<(), String> {
    let (_, _, dpr) = crate::web::js::fit_canvas(canvas);
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("canvas has no 2-D context")?;
    let root = backend.into_drawing_area();
    let colors = palette();
    root.fill(&colors.bg).map_err(|e| e.to_string())?;
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
    let font = (12.0 * dpr * colors.weight) as u32;
    let mut chart = ChartBuilder::on(&root)
        .margin((6.0 * dpr) as u32)
        .x_label_area_size((34.0 * dpr * colors.weight) as u32)
        .y_label_area_size((48.0 * dpr * colors.weight) as u32)
        .build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_labels(5)
        .y_labels(5)
        .x_desc(x_label)
        // steps are whole numbers: leave fractional ticks (short runs) unlabelled
        .x_label_formatter(&|x| if x.fract() == 0.0 { format!("{x:.0}") } else { String::new() })
        .y_label_formatter(&|y| compact(if y_log { 10f64.powf(*y) } else { *y }))
        .label_style(("sans-serif", font).into_font().color(&colors.fg))
        .axis_style(colors.fg)
        .bold_line_style(colors.grid)
        .light_line_style(colors.grid.mix(0.5))
        .draw()
        .map_err(|e| e.to_string())?;
    for s in series {
        let color = s.color;
        let drawn = chart
            .draw_series(LineSeries::new(s.points.iter().copied().filter(|p| p.1.is_finite()), color.stroke_width((1.5 * dpr * colors.weight) as u32)))
            .map_err(|e| e.to_string())?;
        if !s.name.is_empty() {
            drawn.label(s.name).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2)));
        }
    }
    if series.iter().all(|s| s.name.is_empty()) {
        return root.present().map_err(|e| e.to_string());
    }
    legend(&mut chart, font, colors)?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
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
    let (_, _, dpr) = crate::web::js::fit_canvas(canvas);
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("canvas has no 2-D context")?;
    let root = backend.into_drawing_area();
    let colors = palette();
    root.fill(&colors.bg).map_err(|e| e.to_string())?;
    let k = groups.iter().map(|g| g.values.len()).max().unwrap_or(0).max(1);
    let top = groups.iter().flat_map(|g| g.values.iter().copied()).chain(reference).filter(|v| v.is_finite()).fold(1.0f64, f64::max) * 1.1;
    let font = (12.0 * dpr * colors.weight) as u32;
    let mut chart = ChartBuilder::on(&root)
        .margin((6.0 * dpr) as u32)
        .x_label_area_size((34.0 * dpr * colors.weight) as u32)
        .y_label_area_size((48.0 * dpr * colors.weight) as u32)
        .build_cartesian_2d(0.5f64..k as f64 + 0.5, 0f64..top)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(k.min(10)) // 25 numbered modes would overlap
        .y_labels(5)
        .x_desc(x_label)
        .x_label_formatter(&|x| if x.fract() == 0.0 { format!("{x:.0}") } else { String::new() })
        .y_label_formatter(&|y| compact(*y))
        .label_style(("sans-serif", font).into_font().color(&colors.fg))
        .axis_style(colors.fg)
        .bold_line_style(colors.grid)
        .light_line_style(colors.grid.mix(0.5))
        .draw()
        .map_err(|e| e.to_string())?;
    let width = 0.8 / groups.len().max(1) as f64;
    for (gi, g) in groups.iter().enumerate() {
        let color = g.color;
        let left = |i: usize| i as f64 + 1.0 - 0.4 + gi as f64 * width;
        let drawn = chart
            .draw_series(g.values.iter().enumerate().map(|(i, v)| Rectangle::new([(left(i), 0.0), (left(i) + width, v.max(0.0))], color.filled())))
            .map_err(|e| e.to_string())?;
        if !g.name.is_empty() {
            drawn.label(g.name).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        }
    }
    if let Some(r) = reference {
        let grey = colors.fg.mix(0.7);
        chart
            .draw_series(DashedLineSeries::new(vec![(0.5, r), (k as f64 + 0.5, r)], (5.0 * dpr) as u32, (4.0 * dpr) as u32, grey.stroke_width(dpr.max(1.0) as u32)))
            .map_err(|e| e.to_string())?
            .label("equal share")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], grey.stroke_width(2)));
    }
    legend(&mut chart, font, colors)?;
    root.present().map_err(|e| e.to_string())
}

/// Overlaid histograms: each group's `values` are the shares of equal bins spanning
/// `lo..hi`, drawn as translucent bars so overlapping distributions stay visible.
pub fn histogram_chart(canvas: &web_sys::HtmlCanvasElement, x_label: &str, lo: f64, hi: f64, groups: &[Bars]) -> Result<(), String> {
    let (_, _, dpr) = crate::web::js::fit_canvas(canvas);
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("canvas has no 2-D context")?;
    let root = backend.into_drawing_area();
    let colors = palette();
    root.fill(&colors.bg).map_err(|e| e.to_string())?;
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let top = groups.iter().flat_map(|g| g.values.iter().copied()).filter(|v| v.is_finite()).fold(0.05f64, f64::max) * 1.15;
    let font = (12.0 * dpr * colors.weight) as u32;
    let mut chart = ChartBuilder::on(&root)
        .margin((6.0 * dpr) as u32)
        .x_label_area_size((34.0 * dpr * colors.weight) as u32)
        .y_label_area_size((48.0 * dpr * colors.weight) as u32)
        .build_cartesian_2d(lo..hi, 0f64..top)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_desc(x_label)
        .x_label_formatter(&|x| compact(*x))
        .y_label_formatter(&|y| compact(*y))
        .label_style(("sans-serif", font).into_font().color(&colors.fg))
        .axis_style(colors.fg)
        .bold_line_style(colors.grid)
        .light_line_style(colors.grid.mix(0.5))
        .draw()
        .map_err(|e| e.to_string())?;
    for g in groups {
        let color = g.color;
        let width = (hi - lo) / g.values.len().max(1) as f64;
        let drawn = chart
            .draw_series(g.values.iter().enumerate().map(|(i, v)| {
                let left = lo + i as f64 * width;
                Rectangle::new([(left, 0.0), (left + width, v.max(0.0))], color.mix(0.55).filled())
            }))
            .map_err(|e| e.to_string())?;
        if !g.name.is_empty() {
            drawn.label(g.name).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.mix(0.55).filled()));
        }
    }
    legend(&mut chart, font, colors)?;
    root.present().map_err(|e| e.to_string())
}

/// The series' names in a box at the upper right.
fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(chart: &mut ChartContext<'a, DB, CT>, font: u32, colors: Palette) -> Result<(), String> {
    chart
        .configure_series_labels()
        .label_font(("sans-serif", font).into_font().color(&colors.fg))
        .background_style(colors.bg.mix(0.8))
        .border_style(colors.grid)
        .position(SeriesLabelPosition::UpperRight)
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
