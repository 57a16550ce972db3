//! A saved run: the demo it belongs to, its settings (the link's query), its step counts and
//! every weight of G and D, in a small explicit binary format.
//!
//! Why not burn's recorder: saving needs the weights' values, and burn's recorders read
//! tensors synchronously, which panics on WebGPU in a browser (burn issues #4487, #5110); the
//! page reads the weights with one async readback instead. And a file from a user is untrusted
//! input: this parser checks every length against the bytes present before it allocates, so a
//! truncated, random, empty or huge file is an `Err` with a sentence, never a panic (fuzzed in
//! tests/checkpoint.rs). What is not saved: the optimisers' running averages, spectral norm's
//! power-iteration vectors and the data and noise streams' positions, so a loaded run continues from the saved weights, not bit for bit
//! as the saved run would have (docs/robustness.md).
//!
//! Layout (little-endian): `GANPLAY1`, then u32 length + UTF-8 demo name, u32 length + UTF-8
//! query, u64 step, u64 D updates, u64 G updates, u32 tensor count, and per tensor a u32 rank,
//! rank × u32 dimensions and the f32 values.

/// Files larger than this are refused before they are read (a toy run at the largest sizes
/// the CPU backend accepts is a few MB).
pub const MAX_CHECKPOINT_BYTES: usize = 64 << 20;
const MAGIC: &[u8; 8] = b"GANPLAY1";
const MAX_TEXT: usize = 1 << 16;
const MAX_TENSORS: usize = 1024;
const MAX_RANK: usize = 4;

/// One tensor: its shape and its values in row-major order.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    pub demo: String,
    pub query: String,
    pub step: u64,
    pub d_updates: u64,
    pub g_updates: u64,
    pub tensors: Vec<Weights>,
}

impl Checkpoint {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        for text in [&self.demo, &self.query] {
            out.extend((text.len() as u32).to_le_bytes());
            out.extend(text.as_bytes());
        }
        for n in [self.step, self.d_updates, self.g_updates] {
            out.extend(n.to_le_bytes());
        }
        out.extend((self.tensors.len() as u32).to_le_bytes());
        for t in &self.tensors {
            out.extend((t.shape.len() as u32).to_le_bytes());
            for &d in &t.shape {
                out.extend((d as u32).to_le_bytes());
            }
            for v in &t.values {
                out.extend(v.to_le_bytes());
            }
        }
        out
    }

    /// Parses a file's bytes; every malformed input is an `Err` saying what is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        if bytes.is_empty() {
            return Err("the file is empty".into());
        }
        if bytes.len() > MAX_CHECKPOINT_BYTES {
            return Err(format!("the file is {} MB, more than a saved run can be ({} MB)", bytes.len() >> 20, MAX_CHECKPOINT_BYTES >> 20));
        }
        let mut r = Reader { bytes, at: 0 };
        if r.take(MAGIC.len()).ok() != Some(&MAGIC[..]) {
            return Err("this is not a GAN Playground saved run (it does not start with GANPLAY1)".into());
        }
        let demo = r.text("demo name")?;
        let query = r.text("settings")?;
        let (step, d_updates, g_updates) = (r.u64()?, r.u64()?, r.u64()?);
        let count = r.u32()? as usize;
        if count > MAX_TENSORS {
            return Err(format!("the file claims {count} weight tensors; a saved run has far fewer"));
        }
        let mut tensors = Vec::with_capacity(count);
        for i in 0..count {
            let rank = r.u32()? as usize;
            if rank == 0 || rank > MAX_RANK {
                return Err(format!("weight tensor {i} has rank {rank}"));
            }
            let shape = (0..rank).map(|_| r.u32().map(|d| d as usize)).collect::<Result<Vec<_>, _>>()?;
            let len = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d)).filter(|&n| n <= bytes.len() / 4);
            let len = len.ok_or_else(|| format!("weight tensor {i}'s shape {shape:?} is larger than the file"))?;
            let raw = r.take(4 * len)?;
            let values: Vec<f32> = raw.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            if values.iter().any(|v| !v.is_finite()) {
                return Err(format!("weight tensor {i} holds NaN or infinite values (a diverged run?)"));
            }
            tensors.push(Weights { shape, values });
        }
        if r.at != bytes.len() {
            return Err(format!("the file has {} bytes after the last weight", bytes.len() - r.at));
        }
        Ok(Self { demo, query, step, d_updates, g_updates, tensors })
    }
}

/// A cursor over the file that reports, rather than panics, when the file ends early.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("the file ends early ({} bytes where at least {} are needed; it may be truncated)", self.bytes.len(), self.at.saturating_add(n)))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }

    fn text(&mut self, what: &str) -> Result<String, String> {
        let len = self.u32()? as usize;
        if len > MAX_TEXT {
            return Err(format!("the {what} field claims {len} bytes"));
        }
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| format!("the {what} field is not text"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Checkpoint {
        Checkpoint {
            demo: "toy".into(),
            query: "seed=3&gWidth=4".into(),
            step: 12,
            d_updates: 12,
            g_updates: 12,
            tensors: vec![Weights { shape: vec![2, 3], values: vec![0.5, -1.0, 2.0, 0.0, 1e-3, -7.25] }, Weights { shape: vec![3], values: vec![1.0, 2.0, 3.0] }],
        }
    }

    #[test]
    fn round_trip() {
        let c = sample();
        assert_eq!(Checkpoint::from_bytes(&c.to_bytes()), Ok(c));
    }

    #[test]
    fn every_truncation_and_extension_is_refused_with_a_sentence() {
        let bytes = sample().to_bytes();
        for cut in 0..bytes.len() {
            let e = Checkpoint::from_bytes(&bytes[..cut]).unwrap_err();
            assert!(e.len() > 10, "{cut}: {e}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Checkpoint::from_bytes(&longer).unwrap_err().contains("after the last weight"));
    }

    #[test]
    fn lying_lengths_and_non_finite_weights_are_refused() {
        let mut c = sample();
        c.tensors[0].values[1] = f32::NAN;
        assert!(Checkpoint::from_bytes(&c.to_bytes()).unwrap_err().contains("NaN"));
        // a shape of 2³² × 2³² elements must not allocate
        let mut huge = MAGIC.to_vec();
        for t in ["toy", ""] {
            huge.extend((t.len() as u32).to_le_bytes());
            huge.extend(t.as_bytes());
        }
        huge.extend([0u8; 24]);
        huge.extend(1u32.to_le_bytes());
        huge.extend(2u32.to_le_bytes());
        huge.extend(u32::MAX.to_le_bytes());
        huge.extend(u32::MAX.to_le_bytes());
        assert!(Checkpoint::from_bytes(&huge).unwrap_err().contains("larger than the file"));
        assert!(Checkpoint::from_bytes(b"PK\x03\x04 a zip file").unwrap_err().contains("not a GAN Playground"));
    }
}
