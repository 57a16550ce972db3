//! Sample-quality numbers for generated digits, as pure functions on the classifier's outputs
//! (so the page computes them on the CPU after one async readback).
//!
//! MNIST score: the Inception Score (Salimans et al. 2016) with the MNIST classifier,
//! exp(E_x KL(p(y|x) ‖ p(y))): 1 when every image looks alike to the classifier or none is
//! classifiable, 10 (the class count) when each is confidently one digit and the digits are
//! balanced. Fréchet distance (Heusel et al. 2017, "FID" with Inception features): between
//! Gaussian fits of the classifier's penultimate features of real and generated images,
//! ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½, the square roots taken through a
//! symmetric eigen-decomposition (Jacobi rotations: exact for symmetric matrices, small code).

/// exp(mean_i KL(p_i ‖ p̄)) of `probs`, row-major `[n, classes]` (rows sum to 1).
pub fn mnist_score(probs: &[f32], classes: usize) -> Result<f64, String> {
    if classes == 0 || probs.is_empty() || !probs.len().is_multiple_of(classes) {
        return Err(format!("{} probabilities are not whole rows of {classes}", probs.len()));
    }
    let n = probs.len() / classes;
    let mut marginal = vec![0.0f64; classes];
    for row in probs.chunks_exact(classes) {
        for (m, &p) in marginal.iter_mut().zip(row) {
            *m += p as f64 / n as f64;
        }
    }
    let mut kl_sum = 0.0;
    for row in probs.chunks_exact(classes) {
        for (&p, &m) in row.iter().zip(&marginal) {
            let p = p as f64;
            if p > 0.0 {
                kl_sum += p * (p / m).ln(); // 0 · log 0 = 0
            }
        }
    }
    Ok((kl_sum / n as f64).exp())
}

/// A Gaussian fit: mean `[dim]` and covariance `[dim, dim]` row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianFit {
    pub dim: usize,
    pub mean: Vec<f64>,
    pub cov: Vec<f64>,
}

/// Mean and unbiased covariance of `samples`, row-major `[n, dim]`, n ≥ 2.
pub fn fit_gaussian(samples: &[f32], dim: usize) -> Result<GaussianFit, String> {
    if dim == 0 || !samples.len().is_multiple_of(dim) || samples.len() / dim < 2 {
        return Err(format!("{} values are not at least two rows of {dim}", samples.len()));
    }
    let n = samples.len() / dim;
    let mut mean = vec![0.0f64; dim];
    for row in samples.chunks_exact(dim) {
        for (m, &x) in mean.iter_mut().zip(row) {
            *m += x as f64;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    let mut cov = vec![0.0f64; dim * dim];
    let mut centred = vec![0.0f64; dim];
    for row in samples.chunks_exact(dim) {
        for ((c, &x), m) in centred.iter_mut().zip(row).zip(&mean) {
            *c = x as f64 - m;
        }
        for i in 0..dim {
            for j in i..dim {
                cov[i * dim + j] += centred[i] * centred[j];
            }
        }
    }
    for i in 0..dim {
        for j in i..dim {
            let v = cov[i * dim + j] / (n - 1) as f64;
            cov[i * dim + j] = v;
            cov[j * dim + i] = v;
        }
    }
    Ok(GaussianFit { dim, mean, cov })
}

/// The Fréchet (2-Wasserstein) distance between two Gaussians.
pub fn frechet_distance(a: &GaussianFit, b: &GaussianFit) -> Result<f64, String> {
    let d = a.dim;
    if b.dim != d || a.mean.len() != d || b.mean.len() != d || a.cov.len() != d * d || b.cov.len() != d * d {
        return Err(format!("the fits have dimensions {} and {}", a.dim, b.dim));
    }
    let mean_term: f64 = a.mean.iter().zip(&b.mean).map(|(x, y)| (x - y).powi(2)).sum();
    let trace = |m: &[f64]| (0..d).map(|i| m[i * d + i]).sum::<f64>();
    let root_a = psd_sqrt(&a.cov, d);
    let m = matmul(&matmul(&root_a, &b.cov, d), &root_a, d);
    let (eigenvalues, _) = symmetric_eigen(&symmetrised(&m, d), d);
    let trace_sqrt: f64 = eigenvalues.iter().map(|&l| l.max(0.0).sqrt()).sum();
    // Rounding can push a distance of zero a hair below it.
    Ok((mean_term + trace(&a.cov) + trace(&b.cov) - 2.0 * trace_sqrt).max(0.0))
}

/// What the page shows for a batch of generated images, from `Classifier::outputs` values
/// (`[n, 10 + 64]` row-major): the MNIST score and the Fréchet distance to `reference` (the
/// fit of real test digits' features).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleScores {
    pub mnist_score: f64,
    pub frechet: f64,
}

pub fn score_outputs(outputs: &[f32], reference: &GaussianFit) -> Result<SampleScores, String> {
    let (probs, features) = split_outputs(outputs)?;
    Ok(SampleScores { mnist_score: mnist_score(&probs, super::data::CLASSES)?, frechet: frechet_distance(&fit_gaussian(&features, reference.dim)?, reference)? })
}

/// Splits `Classifier::outputs` rows into probabilities `[n, 10]` and features `[n, 64]`.
pub fn split_outputs(outputs: &[f32]) -> Result<(Vec<f32>, Vec<f32>), String> {
    use super::classifier::OUTPUTS;
    use super::data::CLASSES;
    if outputs.is_empty() || !outputs.len().is_multiple_of(OUTPUTS) {
        return Err(format!("{} values are not whole rows of {OUTPUTS} classifier outputs", outputs.len()));
    }
    let mut probs = Vec::with_capacity(outputs.len() / OUTPUTS * CLASSES);
    let mut features = Vec::with_capacity(outputs.len() / OUTPUTS * (OUTPUTS - CLASSES));
    for row in outputs.chunks_exact(OUTPUTS) {
        probs.extend_from_slice(&row[..CLASSES]);
        features.extend_from_slice(&row[CLASSES..]);
    }
    Ok((probs, features))
}

fn matmul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            for j in 0..n {
                out[i * n + j] += aik * b[k * n + j];
            }
        }
    }
    out
}

fn symmetrised(m: &[f64], n: usize) -> Vec<f64> {
    let mut out = m.to_vec();
    for i in 0..n {
        for j in 0..n {
            out[i * n + j] = 0.5 * (m[i * n + j] + m[j * n + i]);
        }
    }
    out
}

/// The symmetric square root V diag(√max(λ, 0)) Vᵀ of a positive semi-definite matrix.
pub fn psd_sqrt(m: &[f64], n: usize) -> Vec<f64> {
    let (values, vectors) = symmetric_eigen(&symmetrised(m, n), n);
    let mut out = vec![0.0; n * n];
    for (k, &l) in values.iter().enumerate() {
        let s = l.max(0.0).sqrt();
        for i in 0..n {
            let vik = vectors[i * n + k] * s;
            for j in 0..n {
                out[i * n + j] += vik * vectors[j * n + k];
            }
        }
    }
    out
}

/// Eigenvalues and eigenvectors (column k of the row-major `[n, n]` result belongs to value
/// k) of a symmetric matrix, by cyclic Jacobi rotations until the off-diagonal part vanishes
/// relative to the matrix's size.
pub fn symmetric_eigen(m: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(m.len(), n * n, "symmetric_eigen needs an n×n matrix");
    let mut a = m.to_vec();
    let mut v = vec![0.0; n * n];
    (0..n).for_each(|i| v[i * n + i] = 1.0);
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let off: f64 = (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| a[i * n + j].powi(2)).sum::<f64>().sqrt();
        if off <= 1e-14 * scale || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                // The rotation that zeroes a[p][q] (Golub & Van Loan, Algorithm 8.4.1).
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_reconstructs_a_symmetric_matrix() {
        let n = 4;
        let m = [4.0, 1.0, -2.0, 0.5, 1.0, 3.0, 0.0, 1.5, -2.0, 0.0, 5.0, -1.0, 0.5, 1.5, -1.0, 2.0];
        let (values, vectors) = symmetric_eigen(&m, n);
        for i in 0..n {
            for j in 0..n {
                let r: f64 = (0..n).map(|k| vectors[i * n + k] * values[k] * vectors[j * n + k]).sum();
                assert!((r - m[i * n + j]).abs() < 1e-10, "V Λ Vᵀ [{i}][{j}] = {r}, want {}", m[i * n + j]);
                let o: f64 = (0..n).map(|k| vectors[k * n + i] * vectors[k * n + j]).sum();
                assert!((o - (i == j) as u8 as f64).abs() < 1e-10, "VᵀV not identity");
            }
        }
        // the trace is the sum of the eigenvalues
        assert!((values.iter().sum::<f64>() - 14.0).abs() < 1e-10);
        let root = psd_sqrt(&[9.0, 0.0, 0.0, 4.0], 2);
        assert!((root[0] - 3.0).abs() < 1e-12 && (root[3] - 2.0).abs() < 1e-12 && root[1].abs() < 1e-12);
    }
}
