#!/usr/bin/env bash
# Benchmark (not a test): the same bench/bench.mjs run on several builds, alternating them, so
# that the machine's drift hits every build alike (runs of one build spread by ±20–40 % here).
#   bench/ab.sh [--rounds 2] DIST_A DIST_B ... -- <bench.mjs arguments>
# Each DIST is a `trunk build --release` output folder (copy dist/ away between builds).
# Prints one line per run: round, build, and bench.mjs's JSON row(s).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=2
if [ "${1:-}" = "--rounds" ]; then rounds="$2"; shift 2; fi
dists=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do dists+=("$(realpath "$1")"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#dists[@]} -gt 0 ] || { echo "usage: bench/ab.sh [--rounds N] DIST... -- <bench.mjs args>" >&2; exit 2; }
for round in $(seq 1 "$rounds"); do
  for dist in "${dists[@]}"; do
    printf '%s\t%s\t%s\n' "$round" "$dist" "$(DIST="$dist" node "$ROOT/bench/bench.mjs" --json "$@")"
  done
done
