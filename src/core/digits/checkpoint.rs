//! Weight files for the digits models: a small header we check first, then burn's own record
//! bytes (burnpack, `ModuleRecord::into_bytes` / `from_bytes`) per network.
//!
//! Why a header: a file picked by a user, or fetched, is untrusted. The header says what
//! architecture the weights are for (so a width-0.25 file offered to a width-1 run is refused
//! with a sentence, before any decoding), and carries the sections' lengths and a sha256 of
//! them, so a truncated or corrupted file never reaches burn's decoder. Loading goes into a
//! freshly built module and only replaces the running one once every tensor fitted.
//!
//! Layout (little-endian): `GPDIGITS`, u32 version, u8 kind (1 DCGAN, 2 classifier), u8
//! conditional, u16 zero, f32 width, u32 latent dim, u32 section count (≤ 4), u64 per section
//! length, 32-byte sha256 of the sections, then the sections.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Tensor, TensorData};
use sha2::{Digest, Sha256};
use std::fmt;

const MAGIC: &[u8; 8] = b"GPDIGITS";
pub const VERSION: u32 = 1;
const MAX_SECTIONS: usize = 4;
/// Larger files are refused before they are read (width 4 is ≈ 40 MB).
pub const MAX_FILE_BYTES: usize = 64 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    Dcgan = 1,
    Classifier = 2,
}

/// What the weights are for; a file loads only into the same architecture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Architecture {
    pub kind: ModelKind,
    pub width: f32,
    pub latent_dim: u32,
    pub conditional: bool,
}

impl Architecture {
    pub fn dcgan(model: &super::dcgan::DcganConfig) -> Self {
        Self { kind: ModelKind::Dcgan, width: model.width, latent_dim: model.latent_dim as u32, conditional: model.conditional }
    }

    pub fn classifier() -> Self {
        Self { kind: ModelKind::Classifier, width: 1.0, latent_dim: 0, conditional: false }
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ModelKind::Classifier => write!(f, "the digit classifier"),
            ModelKind::Dcgan => write!(
                f,
                "a {}DCGAN of width {} with {} latent dimensions",
                if self.conditional { "conditional " } else { "" },
                self.width,
                self.latent_dim
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum CheckpointError {
    Empty,
    TooLarge(usize),
    NotAWeightFile,
    UnsupportedVersion(u32),
    Truncated { have: usize, need: usize },
    Malformed(String),
    WrongArchitecture { file: String, expected: String },
    Corrupted,
    TrailingBytes(usize),
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "the file is empty"),
            Self::TooLarge(n) => write!(f, "the file is {} MB, more than a digits model can be ({} MB)", n >> 20, MAX_FILE_BYTES >> 20),
            Self::NotAWeightFile => write!(f, "this is not a GAN Playground digits weight file (it does not start with GPDIGITS)"),
            Self::UnsupportedVersion(v) => write!(f, "the file has format version {v}; this build reads version {VERSION}"),
            Self::Truncated { have, need } => write!(f, "the file ends early ({have} bytes where {need} are needed; it may be truncated)"),
            Self::Malformed(e) => write!(f, "the file's header is malformed: {e}"),
            Self::WrongArchitecture { file, expected } => write!(f, "the file holds {file}, but this model is {expected}"),
            Self::Corrupted => write!(f, "the file's weights do not match its checksum (the file is corrupted)"),
            Self::TrailingBytes(n) => write!(f, "the file has {n} bytes after its last section"),
        }
    }
}

impl std::error::Error for CheckpointError {}

/// The file for `arch` holding `sections` (burn record bytes, one per network).
pub fn encode(arch: &Architecture, sections: &[&[u8]]) -> Vec<u8> {
    assert!(sections.len() <= MAX_SECTIONS, "at most {MAX_SECTIONS} sections");
    let mut out = MAGIC.to_vec();
    out.extend(VERSION.to_le_bytes());
    out.push(arch.kind as u8);
    out.push(arch.conditional as u8);
    out.extend(0u16.to_le_bytes());
    out.extend(arch.width.to_le_bytes());
    out.extend(arch.latent_dim.to_le_bytes());
    out.extend((sections.len() as u32).to_le_bytes());
    let mut hash = Sha256::new();
    for s in sections {
        out.extend((s.len() as u64).to_le_bytes());
        hash.update(s);
    }
    out.extend(hash.finalize());
    for s in sections {
        out.extend_from_slice(s);
    }
    out
}

/// Checks the header against `expected` and the checksum, and returns the sections.
pub fn decode<'a>(bytes: &'a [u8], expected: &Architecture) -> Result<Vec<&'a [u8]>, CheckpointError> {
    if bytes.is_empty() {
        return Err(CheckpointError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(CheckpointError::TooLarge(bytes.len()));
    }
    let mut r = Reader { bytes, at: 0 };
    if r.take(MAGIC.len()).ok() != Some(&MAGIC[..]) {
        return Err(CheckpointError::NotAWeightFile);
    }
    let version = u32::from_le_bytes(r.array()?);
    if version != VERSION {
        return Err(CheckpointError::UnsupportedVersion(version));
    }
    let [kind, conditional] = r.array()?;
    let _reserved: [u8; 2] = r.array()?;
    let width = f32::from_le_bytes(r.array()?);
    let latent_dim = u32::from_le_bytes(r.array()?);
    let kind = match kind {
        1 => ModelKind::Dcgan,
        2 => ModelKind::Classifier,
        k => return Err(CheckpointError::Malformed(format!("unknown model kind {k}"))),
    };
    if conditional > 1 || !width.is_finite() {
        return Err(CheckpointError::Malformed("bad conditional flag or width".into()));
    }
    let file = Architecture { kind, width, latent_dim, conditional: conditional == 1 };
    if file != *expected {
        return Err(CheckpointError::WrongArchitecture { file: file.to_string(), expected: expected.to_string() });
    }
    let count = u32::from_le_bytes(r.array()?) as usize;
    if count > MAX_SECTIONS {
        return Err(CheckpointError::Malformed(format!("{count} sections")));
    }
    let mut lengths = Vec::with_capacity(count);
    for _ in 0..count {
        let len = u64::from_le_bytes(r.array()?);
        let fits = usize::try_from(len).ok().filter(|&l| l <= bytes.len());
        lengths.push(fits.ok_or(CheckpointError::Truncated { have: bytes.len(), need: usize::try_from(len).unwrap_or(usize::MAX) })?);
    }
    let checksum: [u8; 32] = r.array()?;
    let mut hash = Sha256::new();
    let mut sections = Vec::with_capacity(count);
    for len in lengths {
        let s = r.take(len)?;
        hash.update(s);
        sections.push(s);
    }
    if r.at != bytes.len() {
        return Err(CheckpointError::TrailingBytes(bytes.len() - r.at));
    }
    if hash.finalize()[..] != checksum[..] {
        return Err(CheckpointError::Corrupted);
    }
    Ok(sections)
}

/// `fresh` with the weights of one section (burn record bytes), or an error naming what did
/// not fit; `fresh` is consumed either way, so pass a module built for the purpose.
pub fn load_module<M: Module>(fresh: M, section: &[u8]) -> Result<M, String> {
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(section.to_vec())).map_err(|e| format!("the weights could not be decoded: {e}"))?;
    fresh.try_load_record(record).map_err(|e| format!("the weights do not fit the model: {e}"))
}

/// Every float tensor of `module` (weights and BN running statistics) in burn's visit order,
/// flattened into one `[total]` tensor (None for a module without any), with the parameter
/// ids: what an async save reads back in one transfer.
pub fn flat_weights<M: Module>(module: &M) -> (Option<Tensor<1>>, Vec<ParamId>) {
    struct Flatten(Vec<Tensor<1>>, Vec<ParamId>);
    impl ModuleVisitor for Flatten {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let t = param.val().detach().without_autodiff();
            let n = t.shape().num_elements();
            self.0.push(t.reshape([n])); // [n]
            self.1.push(param.id);
        }
    }
    let mut v = Flatten(Vec::new(), Vec::new());
    module.visit(&mut v);
    ((!v.0.is_empty()).then(|| Tensor::cat(v.0, 0)), v.1)
}

/// `template` (same architecture, on any device) holding `values` and `ids` as `flat_weights`
/// produced them; an error when the counts do not match.
pub fn with_flat_weights<M: Module>(template: M, values: &[f32], ids: &[ParamId]) -> Result<M, String> {
    struct Fill<'a> {
        values: &'a [f32],
        ids: &'a [ParamId],
        at: usize,
        index: usize,
        short: bool,
    }
    impl ModuleMapper for Fill<'_> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let (id, tensor, _) = param.consume();
            let shape = tensor.shape();
            let n = shape.num_elements();
            let (Some(part), Some(&saved_id)) = (self.values.get(self.at..self.at + n), self.ids.get(self.index)) else {
                self.short = true;
                return Param::initialized(id, tensor);
            };
            self.at += n;
            self.index += 1;
            Param::initialized(saved_id, Tensor::from_data(TensorData::new(part.to_vec(), shape), &tensor.device()))
        }
    }
    let mut fill = Fill { values, ids, at: 0, index: 0, short: false };
    let module = template.map(&mut fill);
    if fill.short || fill.at != values.len() || fill.index != ids.len() {
        return Err(format!("{} values for {} tensors do not fit the model", values.len(), ids.len()));
    }
    Ok(module)
}

/// A cursor that reports, rather than panics, when the file ends early.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CheckpointError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or(CheckpointError::Truncated { have: self.bytes.len(), need: self.at.saturating_add(n) })?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CheckpointError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
}
