#!/usr/bin/env bash
# Trainer benchmark: training tokens/s of every size in a release build, OpenBLAS's measured peak
# sgemm and the model FLOP utilisation against it, and PyTorch (CPU) training the same
# architecture with the same batch, context and thread count, side by side.
# Sizes are interleaved (Swift, PyTorch, Swift, PyTorch) and the best of REPEATS is kept, because
# the 2 cores are shared. Results: bench/out/trainer-*.json and a table on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
THREADS=${THREADS:-2}
STEPS=${STEPS:-10}
REPEATS=${REPEATS:-2}
OUT=bench/out
mkdir -p "$OUT"
bash scripts/build-release.sh >&2
BIN=.build/release/visionmix
"$BIN" train --list-sizes --json > "$OUT/sizes.json"

# PyTorch into bench/.venv (git-ignored). Offline machines: the wheel comes from pip's
# find-links (/opt/wheels) and torch's pure-Python dependencies from the system site-packages.
PY=bench/.venv/bin/python
TORCH_OK=1
if ! "$PY" -c "import torch" 2>/dev/null; then
  python3 -m venv --system-site-packages bench/.venv >&2 || true
  bench/.venv/bin/pip install -q torch==2.13.0+cpu >&2 \
    || bench/.venv/bin/pip install -q --no-deps torch==2.13.0+cpu >&2 \
    || { echo "PyTorch could not be installed (pip install torch==2.13.0+cpu failed); comparing Swift only" >&2; TORCH_OK=0; }
  "$PY" -c "import torch" 2>/dev/null || { echo "import torch fails in bench/.venv; comparing Swift only" >&2; TORCH_OK=0; }
fi

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for s in xs s m l xl; do
  for r in $(seq "$REPEATS"); do
    "$BIN" train --benchmark --size "$s" --threads "$THREADS" --bench-steps "$STEPS" --json > "$OUT/trainer-swift-$s-$r.json" 2>/dev/null
    if [ "$TORCH_OK" = 1 ]; then
      "$PY" bench/trainer/torch_bench.py "$OUT/sizes.json" --size "$s" --threads "$THREADS" --steps "$STEPS" > "$OUT/trainer-torch-$s-$r.json" 2>/dev/null
    fi
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# Peak RSS of the largest size over a real run.
"$BIN" train --size xl --tokens 300K --threads "$THREADS" --json > "$OUT/trainer-rss-xl.json" 2>/dev/null

python3 bench/trainer/report.py "$OUT" "$REPEATS" "$THREADS"

# The trainer's own products against OpenBLAS's, same build (where it computes them).
echo
bash bench/trainer/own_products.sh

# How a sweep should use the two cores at the size that dominates its time.
echo
bash bench/trainer/schedule.sh

# The standard preset's wall time on two cores, projected from per-size costs measured here.
echo
bash bench/trainer/sweep_projection.sh
