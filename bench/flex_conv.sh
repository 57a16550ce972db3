#!/usr/bin/env bash
# Benchmark (not a test): burn-flex 0.22.1's 2-D convolution passes as released and with
# bench/flex_conv/conv2d-gemm.patch (each pass as one im2col/col2im and one GEMM over the whole
# batch), natively, for the four stride-2 layers of /digits. Checks that both builds compute the
# same numbers, then prints the median milliseconds of each, alternating builds for N rounds.
#   bench/flex_conv.sh [rounds 2] [batch 32] [C 8]
# The patch is an experiment that did not speed the page up (docs/digits.md); nothing ships it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS="${1:-2}"; BATCH="${2:-32}"; C="${3:-8}"
WORK="$ROOT/target/flex-conv"
REGISTRY="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/burn-flex-0.22.1 | head -1)"
rm -rf "$WORK"; mkdir -p "$WORK"
cp -r "$ROOT/bench/flex_conv" "$WORK/bench"
cp "$ROOT/bench/digits_layers.rs" "$WORK/"   # the layer table, at the same relative path
cp "$ROOT/Cargo.lock" "$WORK/bench/"   # the page's exact versions
cp -r "$REGISTRY" "$WORK/burn-flex"
patch --quiet -d "$WORK/burn-flex" -p1 < "$ROOT/bench/flex_conv/conv2d-gemm.patch"
cd "$WORK/bench"
echo "building released and patched burn-flex (a few minutes)" >&2
cargo build --quiet --release --offline --target-dir "$WORK/released"
cargo build --quiet --release --offline --target-dir "$WORK/patched" \
  --config "patch.crates-io.burn-flex.path=\"$WORK/burn-flex\""
for round in $(seq 1 "$ROUNDS"); do
  for build in released patched; do
    echo "== round $round, $build burn-flex"
    "$WORK/$build/release/flex-conv-bench" "$WORK/$build.f32" "$BATCH" "$C"
  done
done
python3 - "$WORK/released.f32" "$WORK/patched.f32" <<'PY'
import struct, sys
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
assert len(a) == len(b), f"different output sizes: {len(a)} and {len(b)} bytes"
n = len(a) // 4
x, y = struct.unpack(f"<{n}f", a), struct.unpack(f"<{n}f", b)
worst = max(abs(p - q) / max(1.0, abs(p)) for p, q in zip(x, y))
print(f"released vs patched: {n} values, largest difference {worst:.2e} (relative above 1)")
sys.exit(0 if worst < 1e-4 else 1)
PY
