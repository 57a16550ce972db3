#!/usr/bin/env bash
# Benchmark (not a test): /digits' training steps/s in headless chromium (CPU and WebGPU
# backends) beside the same DCGAN, batch and loss in PyTorch on the CPU (bench/torch_digits.py,
# default threads and one thread), measured one after another in one run, with the ratios.
# Installs PyTorch from bench/requirements-torch.txt into bench/.venv-torch the first time.
#   bench/digits_vs_torch.sh [width 0.125] [batch 32] [seconds 15]
# Needs a release build in dist/ (trunk build --release) and www/data (scripts/tools.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
WIDTH="${1:-0.125}"; BATCH="${2:-32}"; SECONDS_EACH="${3:-15}"
VENV="$ROOT/bench/.venv-torch"
if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  echo "installing PyTorch into bench/.venv-torch (once; about 3 GB)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --progress-bar off -r bench/requirements-torch.txt
fi
torch_all="$("$VENV/bin/python" bench/torch_digits.py --width "$WIDTH" --batch "$BATCH" --seconds "$SECONDS_EACH")"
torch_one="$("$VENV/bin/python" bench/torch_digits.py --width "$WIDTH" --batch "$BATCH" --seconds "$SECONDS_EACH" --threads 1)"
browser="$(node bench/bench.mjs --route /digits --backends cpu,webgpu --query "width=$WIDTH&batch=$BATCH" --seconds "$SECONDS_EACH" --json)"
python3 - "$torch_all" "$torch_one" "$browser" <<'PY'
import json, sys
torch_all, torch_one, browser = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3].strip().splitlines()[-1])
print(f"/digits DCGAN, width {torch_all['width']}, batch {torch_all['batch']}, ns loss, Adam")
print(f"{'where':44} {'steps/s':>8} {'÷ PyTorch':>10} {'÷ PyTorch 1 thread':>19}")
rows = [(f"PyTorch {torch_all['torch']} CPU, {torch_all['threads']} threads", torch_all['stepsPerSec']),
        (f"PyTorch {torch_one['torch']} CPU, 1 thread", torch_one['stepsPerSec'])]
rows += [(f"browser, {r['backend']} ({r['adapter'][:24]})", r['stepsPerSec']) for r in browser]
for name, v in rows:
    print(f"{name:44} {v:8.2f} {v / torch_all['stepsPerSec']:10.3f} {v / torch_one['stepsPerSec']:19.3f}")
PY
