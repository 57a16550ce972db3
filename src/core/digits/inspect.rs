//! What the page shows beside the sample grid to explain a trained generator: a walk through
//! latent space between two grid samples (spherical interpolation), the training digits
//! closest to a sample (is G copying?), and a histogram of D's outputs on real and generated
//! images. Pure functions on CPU values plus one batched generator call; nothing here knows
//! the web.

use super::data::{MnistSet, CLASSES, IMAGE_PIXELS};
use super::dcgan::{FixedNoise, Generator, LABEL_EMBEDDING};
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};

/// Weights (a, b) with slerp(z_a, z_b, t) = a·z_a + b·z_b: the great-circle path of White
/// (2016, "Sampling generative networks"), which keeps a Gaussian z at a typical norm where
/// the straight line passes through the low-probability middle. Nearly parallel (or zero)
/// vectors fall back to the straight line, whose weights are then the same to rounding.
pub fn slerp_weights(z_a: &[f32], z_b: &[f32], t: f32) -> (f32, f32) {
    let dot: f64 = z_a.iter().zip(z_b).map(|(&a, &b)| a as f64 * b as f64).sum();
    let norms = (z_a.iter().map(|&a| (a as f64).powi(2)).sum::<f64>() * z_b.iter().map(|&b| (b as f64).powi(2)).sum::<f64>()).sqrt();
    let cos = if norms > 0.0 { (dot / norms).clamp(-1.0, 1.0) } else { 1.0 };
    let omega = cos.acos();
    let sin = omega.sin();
    if sin.abs() < 1e-6 {
        return (1.0 - t, t);
    }
    let t = t as f64;
    ((((1.0 - t) * omega).sin() / sin) as f32, ((t * omega).sin() / sin) as f32)
}

/// `steps` images along the path from grid sample `from` to grid sample `to` (both ends
/// included): z moves along the great circle; a conditional G's label embedding moves along
/// the straight line between the two samples' classes, so a strip can morph a 3 into an 8.
/// Runs `generator` in inference mode: returns `[steps, 1, 28, 28]`.
pub fn interpolate(generator: &Generator, grid: &FixedNoise, from: usize, to: usize, steps: usize, device: &Device) -> Tensor<4> {
    let (l, n) = (grid.latent_dim, grid.rows * grid.cols);
    let (from, to, steps) = (from.min(n - 1), to.min(n - 1), steps.max(2));
    let (z_a, z_b) = (&grid.z[from * l..(from + 1) * l], &grid.z[to * l..(to + 1) * l]);
    let ts: Vec<f32> = (0..steps).map(|i| i as f32 / (steps - 1) as f32).collect();
    // [steps, L]: the slerp weights applied on the CPU (z lives there)
    let z: Vec<f32> = ts.iter().flat_map(|&t| {
        let (a, b) = slerp_weights(z_a, z_b, t);
        z_a.iter().zip(z_b).map(move |(&x, &y)| a * x + b * y)
    }).collect();
    let z = Tensor::<2>::from_data(TensorData::new(z, [steps, l]), device); // [T, L]
    let generator = generator.valid();
    match &generator.label_embedding {
        None => generator.decode(z),
        Some(embedding) => {
            let pair = super::data::labels_tensor(&[grid.labels[from], grid.labels[to]], device); // [2]
            let e = embedding.forward(pair); // [2, E]
            let t = Tensor::<2>::from_data(TensorData::new(ts.clone(), [steps, 1]), device); // [T, 1]
            let e_a = e.clone().slice([0..1, 0..LABEL_EMBEDDING]); // [1, E]
            let e_b = e.slice([1..2, 0..LABEL_EMBEDDING]); // [1, E]
            let e_t = e_a.mul(t.clone().neg().add_scalar(1.0)) + e_b.mul(t); // [T, E]
            generator.decode(Tensor::cat(vec![z, e_t], 1)) // [T, 1, 28, 28]
        }
    }
}

/// One training digit near a sample, and how far (root-mean-square pixel difference on the
/// [−1, 1] scale: 0 is the same image, about 0.6 two different digits).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Neighbour {
    pub index: usize,
    pub distance: f32,
}

/// The `k` digits of `set` closest to `image` (784 values in [−1, 1]) in pixel space, nearest
/// first. A brute-force scan (60,000 × 784 multiply-adds, tens of milliseconds in wasm): the
/// question "is it copying?" is about pixels, and the scan is exact.
pub fn nearest_neighbours(set: &MnistSet, image: &[f32], k: usize) -> Vec<Neighbour> {
    assert_eq!(image.len(), IMAGE_PIXELS, "a query is one 28×28 image");
    // compare on the files' 0..255 scale; one subtraction per pixel
    let query: Vec<f32> = image.iter().map(|&v| (v.clamp(-1.0, 1.0) + 1.0) * 127.5).collect();
    let mut best: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
    for i in 0..set.len() {
        let worst = if best.len() == k { best[k - 1].0 } else { f32::INFINITY };
        let mut sum = 0.0f32;
        for (chunk_q, chunk_p) in query.chunks_exact(28).zip(set.image(i).chunks_exact(28)) {
            sum += chunk_q.iter().zip(chunk_p).map(|(&q, &p)| (q - p as f32) * (q - p as f32)).sum::<f32>();
            if sum >= worst {
                break; // cannot enter the list: skip the rest of this image
            }
        }
        if sum < worst {
            let at = best.partition_point(|&(d, _)| d <= sum);
            best.insert(at, (sum, i));
            best.truncate(k);
        }
    }
    best.into_iter().map(|(sum, index)| Neighbour { index, distance: (sum / IMAGE_PIXELS as f32).sqrt() / 127.5 }).collect()
}

/// Shares of `values` in `bins` equal bins over [lo, hi] (values outside go to the end bins;
/// non-finite ones are left out). Sums to 1 when any value is finite.
pub fn histogram(values: &[f32], lo: f32, hi: f32, bins: usize) -> Vec<f64> {
    let bins = bins.max(1);
    let mut counts = vec![0.0f64; bins];
    let finite: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let width = (hi - lo).max(f32::MIN_POSITIVE);
    for v in &finite {
        let b = (((v - lo) / width) * bins as f32).floor().clamp(0.0, (bins - 1) as f32) as usize;
        counts[b] += 1.0;
    }
    if !finite.is_empty() {
        counts.iter_mut().for_each(|c| *c /= finite.len() as f64);
    }
    counts
}

/// The share of rows of `outputs` (`Classifier::outputs` values, `[n, 74]`) whose most probable
/// class is the matching entry of `labels`: for a conditional grid, how often G drew the digit
/// its row asks for, as the classifier reads it.
pub fn label_agreement(outputs: &[f32], labels: &[u8]) -> Result<f64, String> {
    let (probs, _) = super::score::split_outputs(outputs)?;
    let rows = probs.len() / CLASSES;
    if rows != labels.len() || rows == 0 {
        return Err(format!("{rows} classified images for {} labels", labels.len()));
    }
    let argmax = |p: &[f32]| p.iter().enumerate().fold((0, f32::MIN), |best, (i, &v)| if v > best.1 { (i, v) } else { best }).0;
    let hits = probs.chunks_exact(CLASSES).zip(labels).filter(|(p, &l)| argmax(p) == l as usize).count();
    Ok(hits as f64 / rows as f64)
}
