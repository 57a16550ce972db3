//! MNIST from bytes: the page fetches the shared files and hands their bytes here, the native
//! commands read them from disk. Everything a file can get wrong (length, count, gzip, labels
//! out of range, checksum) is a `DataError`, never a panic: the bytes come from a network.
//!
//! Format (data/README.md): headerless uint8, images row-major 28×28 (gzipped, or already
//! inflated by a server that sent `Content-Encoding: gzip`), labels one byte 0..9 per image.
//!
//! Inflating is native-only (`from_bytes`, flate2): the page inflates with the browser's own
//! `DecompressionStream` and hands the result to `from_raw_checked`, so the wasm carries no
//! inflater (docs/build.md, "Ops the page does not need").

use crate::core::rng::SeededRng;
use burn::tensor::{Device, Tensor, TensorData};
use std::fmt;

pub const IMAGE_SIDE: usize = 28;
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
pub const CLASSES: usize = 10;
pub const TRAIN_COUNT: usize = 60_000;
pub const TEST_COUNT: usize = 10_000;

/// Which MNIST file pair, and so how many images it must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

impl Split {
    pub fn count(self) -> usize {
        match self {
            Split::Train => TRAIN_COUNT,
            Split::Test => TEST_COUNT,
        }
    }

    /// File names in the shared data folder: (images, labels).
    pub fn file_names(self) -> (&'static str, &'static str) {
        match self {
            Split::Train => ("mnist-train-images.u8.gz", "mnist-train-labels.u8"),
            Split::Test => ("mnist-test-images.u8.gz", "mnist-test-labels.u8"),
        }
    }

    /// sha256 of the decompressed images and of the labels (data/manifest.json).
    pub fn payload_sha256(self) -> (&'static str, &'static str) {
        match self {
            Split::Train => (
                "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
                "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
            ),
            Split::Test => (
                "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
                "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataError {
    /// The gzip stream is malformed or truncated.
    Gzip(String),
    /// The image bytes are not a whole number of 28×28 images, or not the expected count.
    ImageLength { bytes: usize, expected_images: Option<usize> },
    /// The label file's length differs from the image count.
    LabelCount { labels: usize, images: usize },
    /// A label byte outside 0..9.
    LabelValue { index: usize, value: u8 },
    /// A payload's sha256 differs from the manifest's.
    Checksum { what: &'static str, expected: String, found: String },
    /// Reading a file (native only).
    Io(String),
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Gzip(e) => write!(f, "the image file is not valid gzip ({e})"),
            DataError::ImageLength { bytes, expected_images: Some(n) } => {
                write!(f, "the image data has {bytes} bytes; {n} images of 28×28 need {}", n * IMAGE_PIXELS)
            }
            DataError::ImageLength { bytes, expected_images: None } => {
                write!(f, "the image data has {bytes} bytes, not a whole number of 28×28 images")
            }
            DataError::LabelCount { labels, images } => write!(f, "there are {labels} labels for {images} images"),
            DataError::LabelValue { index, value } => write!(f, "label {index} is {value}, not a digit 0..9"),
            DataError::Checksum { what, expected, found } => write!(f, "the {what} have sha256 {found}, expected {expected}"),
            DataError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for DataError {}

/// Images (uint8, 0 = background) and their labels, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct MnistSet {
    images: Vec<u8>,
    labels: Vec<u8>,
}

/// A batch on the device: images scaled to [−1, 1] and their labels.
#[derive(Clone, Debug)]
pub struct DigitBatch {
    /// `[B, 1, 28, 28]`, x / 127.5 − 1.
    pub images: Tensor<4>,
    /// `[B]` class indices as floats (what the conditional models look up; see `labels_tensor`).
    pub labels: Tensor<1>,
    /// The same labels on the CPU.
    pub classes: Vec<u8>,
}

impl MnistSet {
    /// Parses an image file (gzipped or plain) and its label file. `expected` is the image
    /// count the split must have (None: any count, e.g. a test subset).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_bytes(image_file: &[u8], label_file: &[u8], expected: Option<usize>) -> Result<Self, DataError> {
        // Never inflate more than the expected payload (+1 byte to see an overlong file), so
        // a hostile gzip cannot make us allocate without bound.
        let limit = expected.map_or(TRAIN_COUNT * IMAGE_PIXELS, |n| n * IMAGE_PIXELS) + 1;
        let images = if image_file.starts_with(&[0x1f, 0x8b]) {
            use std::io::Read;
            let mut out = Vec::with_capacity(limit.min(64 << 20));
            flate2::read::GzDecoder::new(image_file).take(limit as u64).read_to_end(&mut out).map_err(|e| DataError::Gzip(e.to_string()))?;
            out
        } else {
            image_file.to_vec()
        };
        Self::from_raw(images, label_file.to_vec(), expected)
    }

    /// The same from already decompressed image bytes.
    pub fn from_raw(images: Vec<u8>, labels: Vec<u8>, expected: Option<usize>) -> Result<Self, DataError> {
        let whole = images.len().is_multiple_of(IMAGE_PIXELS) && !images.is_empty();
        if !whole || expected.is_some_and(|n| images.len() != n * IMAGE_PIXELS) {
            return Err(DataError::ImageLength { bytes: images.len(), expected_images: expected });
        }
        let count = images.len() / IMAGE_PIXELS;
        if labels.len() != count {
            return Err(DataError::LabelCount { labels: labels.len(), images: count });
        }
        if let Some((index, &value)) = labels.iter().enumerate().find(|(_, &l)| l as usize >= CLASSES) {
            return Err(DataError::LabelValue { index, value });
        }
        Ok(Self { images, labels })
    }

    /// Parses and checks both payloads against the manifest's sha256 for `split`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_bytes_checked(image_file: &[u8], label_file: &[u8], split: Split) -> Result<Self, DataError> {
        Self::from_bytes(image_file, label_file, Some(split.count()))?.checked(split)
    }

    /// The same from the inflated image bytes (what the page has after `DecompressionStream`).
    pub fn from_raw_checked(images: Vec<u8>, labels: Vec<u8>, split: Split) -> Result<Self, DataError> {
        Self::from_raw(images, labels, Some(split.count()))?.checked(split)
    }

    fn checked(self, split: Split) -> Result<Self, DataError> {
        let (images_sha, labels_sha) = split.payload_sha256();
        check_sha256("images", &self.images, images_sha)?;
        check_sha256("labels", &self.labels, labels_sha)?;
        Ok(self)
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Image `i`'s 784 bytes.
    pub fn image(&self, i: usize) -> &[u8] {
        &self.images[i * IMAGE_PIXELS..(i + 1) * IMAGE_PIXELS]
    }

    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// All images' bytes, image after image (what `from_raw` takes back).
    pub fn pixels(&self) -> &[u8] {
        &self.images
    }

    /// The first `n` images (the README's deterministic subset).
    pub fn first(&self, n: usize) -> Self {
        let n = n.min(self.len());
        Self { images: self.images[..n * IMAGE_PIXELS].to_vec(), labels: self.labels[..n].to_vec() }
    }

    /// Images `indices`, 784 values each on the [−1, 1] scale G draws on (x / 127.5 − 1).
    pub fn values(&self, indices: impl IntoIterator<Item = usize>) -> Vec<f32> {
        indices.into_iter().flat_map(|i| self.image(i).iter().map(|&p| p as f32 / 127.5 - 1.0)).collect()
    }

    /// Images `indices` as a batch on `device`.
    pub fn batch(&self, indices: &[usize], device: &Device) -> DigitBatch {
        let pixels = self.values(indices.iter().copied());
        let classes: Vec<u8> = indices.iter().map(|&i| self.labels[i]).collect();
        DigitBatch {
            images: Tensor::from_data(TensorData::new(pixels, [indices.len(), 1, IMAGE_SIDE, IMAGE_SIDE]), device),
            labels: labels_tensor(&classes, device),
            classes,
        }
    }
}

/// `[n]` class indices on `device`, as floats (0.0 … 9.0, exact): the label lookup
/// (`LabelTable`) compares them with float ops, so the page links no int-to-float kernels.
pub fn labels_tensor(classes: &[u8], device: &Device) -> Tensor<1> {
    let v: Vec<f32> = classes.iter().map(|&c| c as f32).collect();
    Tensor::from_data(TensorData::new(v, [classes.len()]), device)
}

fn check_sha256(what: &'static str, bytes: &[u8], expected: &str) -> Result<(), DataError> {
    let found = sha256_hex(bytes);
    if found == expected {
        Ok(())
    } else {
        Err(DataError::Checksum { what, expected: expected.into(), found })
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Epochs of seeded shuffles: each epoch visits every image once, in an order drawn from the
/// project's `SeededRng` (Fisher–Yates), so a seed gives the same batches on every backend.
#[derive(Clone)]
pub struct Shuffler {
    order: Vec<usize>,
    at: usize,
    epoch: u64,
    rng: SeededRng,
}

impl Shuffler {
    pub fn new(len: usize, seed: u64) -> Self {
        let mut s = Self { order: (0..len).collect(), at: 0, epoch: 0, rng: SeededRng::new(seed) };
        s.shuffle();
        s
    }

    fn shuffle(&mut self) {
        for i in (1..self.order.len()).rev() {
            let j = self.rng.below(i + 1);
            self.order.swap(i, j);
        }
    }

    /// The next `n` indices; a batch never straddles two epochs (the rest of an epoch that
    /// cannot fill a batch is skipped, as a dataloader with drop_last does).
    pub fn next_indices(&mut self, n: usize) -> Vec<usize> {
        assert!(n > 0 && n <= self.order.len(), "batch size {n} for {} images", self.order.len());
        if self.at + n > self.order.len() {
            self.shuffle();
            self.at = 0;
            self.epoch += 1;
        }
        let out = self.order[self.at..self.at + n].to_vec();
        self.at += n;
        out
    }

    /// Completed passes over the data.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
}

/// Native only: the folder holding the MNIST files. `GAN_DIGITS_DATA` overrides (None when
/// that folder lacks them); otherwise `../shared/data` next to the crate (the project's shared
/// data) or `www/data` (where the page's build copies it).
#[cfg(not(target_arch = "wasm32"))]
pub fn find_data_dir() -> Option<std::path::PathBuf> {
    let (images, _) = Split::Test.file_names();
    if let Some(dir) = std::env::var_os("GAN_DIGITS_DATA") {
        let dir = std::path::PathBuf::from(dir);
        return dir.join(images).is_file().then_some(dir);
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    [root.join("../shared/data"), root.join("www/data")].into_iter().find(|d| d.join(images).is_file())
}

/// Native only: reads and checks one split from `dir`.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_split(dir: &std::path::Path, split: Split) -> Result<MnistSet, DataError> {
    let (images, labels) = split.file_names();
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| DataError::Io(format!("{}: {e}", dir.join(name).display())));
    MnistSet::from_bytes(&read(images)?, &read(labels)?, Some(split.count()))
}
