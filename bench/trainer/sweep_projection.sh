#!/usr/bin/env bash
# The standard preset's projected wall time on two cores, from costs measured here: for every
# size, one `visionmix run` (single-threaded, as sweep workers run) pre-trains TOKENS tokens and
# adapts and evaluates one checkpoint; two sizes run side by side, as two sweep workers do.
# PRESET=standard, TOKENS=100K, WORKERS=2.
set -euo pipefail
cd "$(dirname "$0")/../.."
PRESET=${PRESET:-standard}
TOKENS=${TOKENS:-100K}
WORKERS=${WORKERS:-2}
BIN=${BIN:-.build/release/visionmix}
[ -x "$BIN" ] || bash scripts/build-release.sh >&2
OUT=bench/out/sweep-projection
rm -rf "$OUT"; mkdir -p "$OUT"
"$BIN" sweep show --preset "$PRESET" --runs --json > "$OUT/runs.json"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# Largest first, so the pairs side by side end about together.
printf '%s\n' xl l m s xs | xargs -P "$WORKERS" -I{} sh -c \
  "'$BIN' run --size {} --tokens '$TOKENS' --checkpoints '$TOKENS' --threads 1 --dry-run --json > '$OUT/cost-{}.json' 2>/dev/null"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "preset $PRESET, per-size costs measured on one thread each, $WORKERS side by side:"
python3 bench/trainer/sweep_projection.py "$OUT/runs.json" "$OUT" "$WORKERS"
