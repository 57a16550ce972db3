//! Pixel drawing shared by the demos: points and heatmaps written straight into an RGBA
//! buffer, which the web layer hands to `putImageData` in one call. (plotters draws one JS call
//! per primitive: fine for axes and charts, far too slow for thousands of dots or a heatmap.)
//! Plain Rust, so it is tested natively.

pub type Rgb = [u8; 3];

pub const REAL: Rgb = [0x1b, 0x9e, 0x77];
pub const FAKE: Rgb = [0x75, 0x3a, 0xa8];
const HEAT_REAL: Rgb = [0x8f, 0xd6, 0xb8];
const HEAT_FAKE: Rgb = [0xcd, 0xb0, 0xe6];
const BACKGROUND: Rgb = [0xff, 0xff, 0xff];

/// An RGBA image, row-major from the top-left.
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
}

/// Maps the data square [-r, r]² onto the raster (y up).
#[derive(Clone, Copy)]
pub struct Frame {
    pub radius: f32,
}

impl Raster {
    pub fn new(width: usize, height: usize) -> Self {
        let mut rgba = vec![255u8; width * height * 4];
        for px in rgba.chunks_mut(4) {
            px[..3].copy_from_slice(&BACKGROUND);
        }
        Self { width, height, rgba }
    }

    fn blend(&mut self, x: usize, y: usize, c: Rgb, alpha: f32) {
        let i = 4 * (y * self.width + x);
        for k in 0..3 {
            let old = self.rgba[i + k] as f32;
            self.rgba[i + k] = (old + (c[k] as f32 - old) * alpha).round() as u8;
        }
    }

    /// Pixel position of a data point.
    pub fn to_pixel(&self, f: Frame, x: f32, y: f32) -> (f32, f32) {
        let px = (x + f.radius) / (2.0 * f.radius) * self.width as f32;
        let py = (f.radius - y) / (2.0 * f.radius) * self.height as f32;
        (px, py)
    }

    /// A `res × res` grid of values (row 0 at the top), bilinearly upsampled to the raster.
    /// `values` are in [0, 1] when `probability`, else any real (squashed with tanh for colour).
    pub fn heatmap(&mut self, values: &[f32], res: usize, probability: bool) {
        if res == 0 || values.len() != res * res {
            return;
        }
        let level = |v: f32| if probability { v } else { 0.5 + 0.5 * v.tanh() };
        for y in 0..self.height {
            let gy = ((y as f32 + 0.5) / self.height as f32 * res as f32 - 0.5).clamp(0.0, (res - 1) as f32);
            let (y0, ty) = (gy.floor() as usize, gy.fract());
            let y1 = (y0 + 1).min(res - 1);
            for x in 0..self.width {
                let gx = ((x as f32 + 0.5) / self.width as f32 * res as f32 - 0.5).clamp(0.0, (res - 1) as f32);
                let (x0, tx) = (gx.floor() as usize, gx.fract());
                let x1 = (x0 + 1).min(res - 1);
                let v = |r: usize, c: usize| level(values[r * res + c]);
                let top = v(y0, x0) * (1.0 - tx) + v(y0, x1) * tx;
                let bottom = v(y1, x0) * (1.0 - tx) + v(y1, x1) * tx;
                let p = (top * (1.0 - ty) + bottom * ty).clamp(0.0, 1.0);
                // 0.5 is white; towards 1 the "real" tint, towards 0 the "fake" tint
                let (c, a) = if p >= 0.5 { (HEAT_REAL, 2.0 * (p - 0.5)) } else { (HEAT_FAKE, 2.0 * (0.5 - p)) };
                self.blend(x, y, c, a);
            }
        }
    }

    /// Round dots of `radius_px` at each point of a flat `[n, 2]` buffer.
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
                    // anti-aliased edge: full inside, fading over the last pixel
                    let cover = (r + 0.5 - d).clamp(0.0, 1.0);
                    if cover > 0.0 {
                        self.blend(x as usize, y as usize, color, alpha * cover);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn px(r: &Raster, x: usize, y: usize) -> [u8; 3] {
        let i = 4 * (y * r.width + x);
        [r.rgba[i], r.rgba[i + 1], r.rgba[i + 2]]
    }

    #[test]
    fn points_land_where_the_frame_maps_them() {
        let mut r = Raster::new(100, 100);
        let f = Frame { radius: 1.0 };
        r.points(f, &[0.5, 0.5, f32::NAN, 0.0], REAL, 2.0, 1.0);
        // (0.5, 0.5) is three quarters across, one quarter down
        assert_eq!(px(&r, 75, 25), REAL);
        assert_eq!(px(&r, 25, 75), BACKGROUND);
        assert_eq!(px(&r, 50, 50), BACKGROUND);
    }

    #[test]
    fn heatmap_tints_by_probability() {
        let mut r = Raster::new(40, 40);
        // left column says "real" (1), right column says "fake" (0)
        r.heatmap(&[1.0, 0.0, 1.0, 0.0], 2, true);
        assert_eq!(px(&r, 0, 20), HEAT_REAL);
        assert_eq!(px(&r, 39, 20), HEAT_FAKE);
        let mid = px(&r, 20, 20);
        assert!(mid.iter().all(|&c| c > 0xe0), "middle should be near white: {mid:?}");
    }
}
