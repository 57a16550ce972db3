//! The four stride-2 4×4 convolutions of /digits' DCGAN (src/core/digits/dcgan.rs), for the
//! convolution benchmarks (examples/conv_matmul.rs, bench/flex_conv): name, whether it is
//! transposed, input shape [B, C_in, H, W] and weight shape (conv: [C_out, C_in, 4, 4];
//! transposed: [C_in, C_out, 4, 4]). Both use stride 2 and padding 1.
pub type Layer = (&'static str, bool, [usize; 4], [usize; 4]);

/// At batch `batch` and C = `c` channels in the 14×14 layers (/digits' defaults: 32 and 8).
pub fn digits_layers(batch: usize, c: usize) -> [Layer; 4] {
    [
        ("D down1 1→C, 28→14", false, [batch, 1, 28, 28], [c, 1, 4, 4]),
        ("D down2 C→2C, 14→7", false, [batch, c, 14, 14], [2 * c, c, 4, 4]),
        ("G up1 2C→C, 7→14", true, [batch, 2 * c, 7, 7], [2 * c, c, 4, 4]),
        ("G up2 C→1, 14→28", true, [batch, c, 14, 14], [c, 1, 4, 4]),
    ]
}
