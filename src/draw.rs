//! Pixel drawing shared by the demos: points and heatmaps written straight into RGBA buffers,
//! which the web layer hands to `putImageData` in one call each. (plotters draws one JS call
//! per primitive: fine for axes and charts, far too slow for thousands of dots or a heatmap.)
//!
//! A heatmap is one pixel per grid cell; the page scales that small image up with the
//! browser's smoothing (CSS), which costs nothing per frame. Points go on a transparent,
//! full-resolution layer above it. Plain Rust, so it is tested natively.

pub type Rgb = [u8; 3];

pub const REAL: Rgb = [0x1b, 0x9e, 0x77];
pub const FAKE: Rgb = [0x75, 0x3a, 0xa8];
pub const HEAT_REAL: Rgb = [0x8f, 0xd6, 0xb8];
pub const HEAT_FAKE: Rgb = [0xcd, 0xb0, 0xe6];
pub const WHITE: Rgb = [0xff, 0xff, 0xff];

/// A straight-alpha RGBA image, row-major from the top-left.
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
}

/// Maps the data square [-r, r]² onto a raster (y up).
#[derive(Clone, Copy)]
pub struct Frame {
    pub radius: f32,
}

fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    std::array::from_fn(|k| (a[k] as f32 + (b[k] as f32 - a[k] as f32) * t).round() as u8)
}

/// Colour of a discriminator output: 0.5 is white; towards 1 the "real" tint, towards 0 the
/// "fake" tint. `probability` outputs are in [0, 1]; others are squashed with tanh.
pub fn heat_color(v: f32, probability: bool) -> Rgb {
    let p = if probability { v } else { 0.5 + 0.5 * v.tanh() }.clamp(0.0, 1.0);
    if p >= 0.5 {
        mix(WHITE, HEAT_REAL, 2.0 * (p - 0.5))
    } else {
        mix(WHITE, HEAT_FAKE, 2.0 * (0.5 - p))
    }
}

impl Raster {
    /// Fully transparent.
    pub fn transparent(width: usize, height: usize) -> Self {
        Self { width, height, rgba: vec![0; width * height * 4] }
    }

    /// One opaque pixel per cell of a `res × res` grid (row 0 at the top). A non-finite value
    /// (a diverged D) has nothing meaningful to shade: the whole map is then white.
    pub fn heatmap(values: &[f32], res: usize, probability: bool) -> Self {
        let mut r = Self { width: res, height: res, rgba: vec![255; res * res * 4] };
        if values.len() == res * res && values.iter().all(|v| v.is_finite()) {
            for (px, v) in r.rgba.chunks_exact_mut(4).zip(values) {
                px[..3].copy_from_slice(&heat_color(*v, probability));
            }
        }
        r
    }

    /// Pixel position of a data point.
    pub fn to_pixel(&self, f: Frame, x: f32, y: f32) -> (f32, f32) {
        let px = (x + f.radius) / (2.0 * f.radius) * self.width as f32;
        let py = (f.radius - y) / (2.0 * f.radius) * self.height as f32;
        (px, py)
    }

    /// Composites `color` at opacity `alpha` over pixel (x, y).
    fn over(&mut self, x: usize, y: usize, color: Rgb, alpha: f32) {
        let i = 4 * (y * self.width + x);
        let dst_a = self.rgba[i + 3] as f32 / 255.0;
        let out_a = alpha + dst_a * (1.0 - alpha);
        if out_a <= 0.0 {
            return;
        }
        for k in 0..3 {
            let c = color[k] as f32 * alpha + self.rgba[i + k] as f32 * dst_a * (1.0 - alpha);
            self.rgba[i + k] = (c / out_a).round() as u8;
        }
        self.rgba[i + 3] = (out_a * 255.0).round() as u8;
    }

    /// A one-pixel line between two pixel positions (arrows, lattice lines). Not
    /// anti-aliased: these are thin overlays redrawn every frame.
    pub fn line_px(&mut self, a: (f32, f32), b: (f32, f32), color: Rgb, alpha: f32) {
        if ![a.0, a.1, b.0, b.1].iter().all(|v| v.is_finite()) {
            return;
        }
        let steps = (b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil();
        // a line far off the raster (a diverging G) is not worth walking
        if steps > 4.0 * (self.width + self.height) as f32 {
            return;
        }
        let steps = steps.max(1.0) as usize;
        for i in 0..=steps {
            let t = i as f32 / steps as f32;
            let (x, y) = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
            if x >= 0.0 && y >= 0.0 && (x as usize) < self.width && (y as usize) < self.height {
                self.over(x as usize, y as usize, color, alpha);
            }
        }
    }

    /// An arrow from data point `p` along the pixel vector `d`, with a two-stroke head.
    pub fn arrow(&mut self, f: Frame, p: [f32; 2], d: (f32, f32), color: Rgb, alpha: f32) {
        let a = self.to_pixel(f, p[0], p[1]);
        let b = (a.0 + d.0, a.1 + d.1);
        self.line_px(a, b, color, alpha);
        let len = d.0.hypot(d.1);
        if len >= 3.0 {
            let (ux, uy) = (d.0 / len, d.1 / len);
            let head = (len * 0.35).min(5.0);
            for s in [-1.0f32, 1.0] {
                // back along the shaft, turned ±30°
                let (hx, hy) = (-ux * 0.866 - s * uy * 0.5, -uy * 0.866 + s * ux * 0.5);
                self.line_px(b, (b.0 + head * hx, b.1 + head * hy), color, alpha);
            }
        }
    }

    /// A circle outline of `radius_px` (about 1.5 px wide) around data point `c`: the mode
    /// markers of the collapse lab.
    pub fn circle(&mut self, f: Frame, c: [f32; 2], radius_px: f32, color: Rgb, alpha: f32) {
        let (cx, cy) = self.to_pixel(f, c[0], c[1]);
        if !(cx.is_finite() && cy.is_finite()) {
            return;
        }
        let r = radius_px.max(1.0);
        let (x0, x1) = ((cx - r - 2.0).floor().max(0.0) as i64, (cx + r + 2.0).ceil().min(self.width as f32 - 1.0) as i64);
        let (y0, y1) = ((cy - r - 2.0).floor().max(0.0) as i64, (cy + r + 2.0).ceil().min(self.height as f32 - 1.0) as i64);
        for y in y0..=y1 {
            for x in x0..=x1 {
                let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
                let cover = (1.25 - (d - r).abs()).clamp(0.0, 1.0);
                if cover > 0.0 {
                    self.over(x as usize, y as usize, color, alpha * cover);
                }
            }
        }
    }

    /// A strip of cells, one column per time, one row per mode (row 0 at the top): `on` cells
    /// in `color`, the others pale grey. `columns[t][m]`. Opaque, one pixel per cell.
    pub fn strip(columns: &[Vec<bool>], rows: usize, color: Rgb) -> Self {
        let width = columns.len().max(1);
        let mut r = Self { width, height: rows.max(1), rgba: vec![255; width * rows.max(1) * 4] };
        for (t, col) in columns.iter().enumerate() {
            for m in 0..rows {
                let on = col.get(m).copied().unwrap_or(false);
                let c = if on { color } else { [0xee, 0xee, 0xee] };
                let i = 4 * (m * width + t);
                r.rgba[i..i + 3].copy_from_slice(&c);
            }
        }
        r
    }

    /// Round, anti-aliased dots of `radius_px` at each point of a flat `[n, 2]` buffer.
    pub fn points(&mut self, f: Frame, xy: &[f32], color: Rgb, radius_px: f32, alpha: f32) {
        let r = radius_px.max(0.5);
        for p in xy.chunks_exact(2) {
            if !(p[0].is_finite() && p[1].is_finite()) {
                continue;
            }
            let (cx, cy) = self.to_pixel(f, p[0], p[1]);
            let (x0, x1) = ((cx - r).floor().max(0.0) as i64, (cx + r).ceil().min(self.width as f32 - 1.0) as i64);
            let (y0, y1) = ((cy - r).floor().max(0.0) as i64, (cy + r).ceil().min(self.height as f32 - 1.0) as i64);
            for y in y0..=y1 {
                for x in x0..=x1 {
                    let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
                    // full inside, fading over the last pixel
                    let cover = (r + 0.5 - d).clamp(0.0, 1.0);
                    if cover > 0.0 {
                        self.over(x as usize, y as usize, color, alpha * cover);
                    }
                }
            }
        }
    }
}

/// A corner of a chart's plot area, where its legend box can go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corner {
    UpperRight,
    UpperLeft,
    LowerRight,
    LowerLeft,
}

/// The corner where a legend box of `size` (fractions of the plot's width and height) covers
/// the fewest points of `ink` (what the chart draws, sampled densely, in plot fractions with y
/// up); ties go to the first of upper right, upper left, lower right, lower left. A legend
/// fixed at the upper right hid exactly the data that mattered when a series ended high there
/// (G's loss climbing; every generated sample on the last mode).
pub fn least_covered_corner(ink: impl IntoIterator<Item = (f64, f64)>, size: (f64, f64)) -> Corner {
    const CORNERS: [Corner; 4] = [Corner::UpperRight, Corner::UpperLeft, Corner::LowerRight, Corner::LowerLeft];
    let (w, h) = size;
    let mut covered = [0usize; 4];
    for (x, y) in ink {
        let (left, right, low, high) = (x <= w, x >= 1.0 - w, y <= h, y >= 1.0 - h);
        for (i, inside) in [right && high, left && high, right && low, left && low].into_iter().enumerate() {
            covered[i] += inside as usize;
        }
    }
    let best = (0..4).min_by_key(|&i| (covered[i], i)).unwrap_or(0);
    CORNERS[best]
}

/// Points along the segment from `a` to `b` (both ends included), `n` + 1 of them: a line's
/// ink between its data points, for `least_covered_corner`.
pub fn along(a: (f64, f64), b: (f64, f64), n: usize) -> impl Iterator<Item = (f64, f64)> {
    let n = n.max(1);
    (0..=n).map(move |i| {
        let t = i as f64 / n as f64;
        (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legend_goes_where_it_hides_least() {
        let size = (0.3, 0.2);
        // nothing drawn: upper right, as before
        assert_eq!(least_covered_corner([], size), Corner::UpperRight);
        // a line rising to the upper right (a loss that climbs)
        let rising: Vec<_> = along((0.0, 0.1), (1.0, 0.95), 50).collect();
        assert_eq!(least_covered_corner(rising.iter().copied(), size), Corner::UpperLeft);
        // a falling one leaves the upper right free
        let falling: Vec<_> = along((0.0, 0.9), (1.0, 0.05), 50).collect();
        assert_eq!(least_covered_corner(falling.iter().copied(), size), Corner::UpperRight);
        // bars stand on the bottom edge, covering both lower corners: a tall bar at the right
        // end and a short one at the left leave the upper left free
        let bar = |x: f64, top: f64| along((x, 0.0), (x, top), 40).collect::<Vec<_>>();
        let bars: Vec<_> = [bar(0.95, 1.0), bar(0.05, 0.3)].concat();
        assert_eq!(least_covered_corner(bars.iter().copied(), size), Corner::UpperLeft);
        // covered everywhere alike: the first in the order
        let everywhere = [(0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9)];
        assert_eq!(least_covered_corner(everywhere, size), Corner::UpperRight);
    }

    fn px(r: &Raster, x: usize, y: usize) -> [u8; 4] {
        let i = 4 * (y * r.width + x);
        [r.rgba[i], r.rgba[i + 1], r.rgba[i + 2], r.rgba[i + 3]]
    }

    #[test]
    fn points_land_where_the_frame_maps_them() {
        let mut r = Raster::transparent(100, 100);
        let f = Frame { radius: 1.0 };
        r.points(f, &[0.5, 0.5, f32::NAN, 0.0], REAL, 2.0, 1.0);
        // (0.5, 0.5) is three quarters across, one quarter down
        assert_eq!(px(&r, 75, 25), [REAL[0], REAL[1], REAL[2], 255]);
        assert_eq!(px(&r, 25, 75)[3], 0);
        assert_eq!(px(&r, 50, 50)[3], 0);
    }

    #[test]
    fn lines_and_arrows_cover_the_pixels_between_their_ends() {
        let mut r = Raster::transparent(20, 20);
        r.line_px((2.0, 2.0), (17.0, 2.0), FAKE, 1.0);
        assert!((2..=17).all(|x| px(&r, x, 2)[3] == 255));
        assert_eq!(px(&r, 10, 3)[3], 0);
        r.line_px((0.0, 0.0), (f32::NAN, 1.0), FAKE, 1.0); // ignored, no panic
        let mut r = Raster::transparent(40, 40);
        r.arrow(Frame { radius: 1.0 }, [0.0, 0.0], (10.0, 0.0), REAL, 1.0);
        assert_eq!(px(&r, 25, 20)[3], 255, "shaft");
        assert!(px(&r, 28, 18)[3] == 255 || px(&r, 27, 18)[3] == 255, "head");
    }

    #[test]
    fn half_transparent_dots_keep_their_colour_and_stack() {
        let mut r = Raster::transparent(10, 10);
        let f = Frame { radius: 1.0 };
        r.points(f, &[0.0, 0.0], FAKE, 2.0, 0.5);
        assert_eq!(px(&r, 5, 5), [FAKE[0], FAKE[1], FAKE[2], 128]);
        r.points(f, &[0.0, 0.0], FAKE, 2.0, 0.5);
        let a = px(&r, 5, 5)[3];
        assert!((191..=192).contains(&a), "alpha {a}"); // 1 − (1 − ½)² of 255
    }

    #[test]
    fn circles_are_rings_and_strips_mark_covered_cells() {
        let mut r = Raster::transparent(40, 40);
        r.circle(Frame { radius: 1.0 }, [0.0, 0.0], 10.0, FAKE, 1.0);
        // pixel centres 9.5 and 10.5 px from the centre: both on the 1.5 px wide outline
        assert!(px(&r, 29, 20)[3] > 180 && px(&r, 30, 20)[3] > 180, "on the ring");
        assert_eq!(px(&r, 20, 20)[3], 0, "hollow");
        assert_eq!(px(&r, 36, 20)[3], 0, "outside");
        let s = Raster::strip(&[vec![true, false], vec![false, true], vec![]], 2, REAL);
        assert_eq!((s.width, s.height), (3, 2));
        assert_eq!(px(&s, 0, 0)[..3], REAL);
        assert_eq!(px(&s, 0, 1)[..3], [0xee; 3]);
        assert_eq!(px(&s, 1, 1)[..3], REAL);
        assert_eq!(px(&s, 2, 0)[..3], [0xee; 3]);
    }

    #[test]
    fn heatmap_tints_by_probability_and_blanks_when_diverged() {
        let h = Raster::heatmap(&[1.0, 0.0, 0.5, 0.75], 2, true);
        assert_eq!(px(&h, 0, 0)[..3], HEAT_REAL);
        assert_eq!(px(&h, 1, 0)[..3], HEAT_FAKE);
        assert_eq!(px(&h, 0, 1)[..3], WHITE);
        assert_eq!(px(&h, 1, 1)[..3], mix(WHITE, HEAT_REAL, 0.5));
        let critic = Raster::heatmap(&[100.0, -100.0, 0.0, 0.0], 2, false);
        assert_eq!(px(&critic, 0, 0)[..3], HEAT_REAL);
        assert_eq!(px(&critic, 1, 0)[..3], HEAT_FAKE);
        let nan = Raster::heatmap(&[f32::NAN, 0.0, 1.0, 0.0], 2, true);
        assert!(nan.rgba.chunks(4).all(|p| p == [255, 255, 255, 255]));
    }
}
