#!/usr/bin/env bash
# Compares burn's CPU backends in the browser: flex (the page's, with burn's `simd` feature) vs
# ndarray, each with and without wasm simd128, on /toy's default model. Builds four release
# variants (the no-simd ones in their own target dir, so the first run takes a while), then
# benchmarks them one after another.
# Usage: bench/cpu_backends.sh [seconds per variant, default 15]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/tools.sh"
cd "$ROOT"
SECONDS_PER=${1:-15}
# name | cargo features | RUSTFLAGS (empty: .cargo/config.toml's, i.e. +simd128) | target dir
variants=("flex-simd|||target" "ndarray-simd|ndarray-cpu||target" \
          "flex-nosimd||-C target-feature=-simd128|target/bench-nosimd" \
          "ndarray-nosimd|ndarray-cpu|-C target-feature=-simd128|target/bench-nosimd")
for v in "${variants[@]}"; do
  IFS='|' read -r name features flags dir <<<"$v"
  echo "== building $name" >&2
  if [ -n "$flags" ]; then export RUSTFLAGS="$flags"; else unset RUSTFLAGS; fi
  CARGO_TARGET_DIR="$dir" trunk build --release --dist "target/dist-$name" ${features:+--features "$features"} >/dev/null
done
unset RUSTFLAGS
for v in "${variants[@]}"; do
  IFS='|' read -r name _ _ _ <<<"$v"
  echo "== $name"
  DIST="target/dist-$name" node bench/bench.mjs --backends cpu --seconds "$SECONDS_PER" | tail -n +2
done
