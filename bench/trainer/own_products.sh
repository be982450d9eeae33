#!/usr/bin/env bash
# The trainer's own products against OpenBLAS's, side by side: `train --benchmark` alternated with
# VISIONMIX_OWN_SGEMM unset (the trainer computes its large products in OpenBLAS's blocked order)
# and set to 0 (every product through cblas_sgemm), same build, same bits. Medians of REPEATS.
# Where the trainer computes no products itself (`visionmix blas` says which), says so and stops.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${SIZES:-"l xl"}
THREADS_LIST=${THREADS_LIST:-"1 2"}
REPEATS=${REPEATS:-3}
STEPS=${STEPS:-30}
bash scripts/build-release.sh >&2
BIN=.build/release/visionmix
if [ "$("$BIN" blas --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["own_products"])')" != True ]; then
  echo "own products: not computed on this machine ($("$BIN" blas | grep -E '^(kernels|built for)' | tr -s ' ' | paste -sd ';')); every product is OpenBLAS's"
  exit 0
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for s in $SIZES; do for t in $THREADS_LIST; do for r in $(seq "$REPEATS"); do
  "$BIN" train --benchmark --size "$s" --threads "$t" --bench-steps "$STEPS" --json > "$OUT/own-$s-$t-$r.json" 2>/dev/null
  VISIONMIX_OWN_SGEMM=0 "$BIN" train --benchmark --size "$s" --threads "$t" --bench-steps "$STEPS" --json > "$OUT/openblas-$s-$t-$r.json" 2>/dev/null
done; done; done
python3 - "$OUT" "$SIZES" "$THREADS_LIST" "$REPEATS" <<'PY'
import json, statistics, sys
out, sizes, threads, repeats = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), int(sys.argv[4])
def runs(kind, s, t):
    return [json.load(open(f"{out}/{kind}-{s}-{t}-{r}.json"))["sizes"][0] for r in range(1, repeats + 1)]
print(f"own products against OpenBLAS's (train --benchmark, medians of {repeats}, alternated)")
print(f"{'size':<5} {'threads':>7} {'own tokens/s':>13} {'OpenBLAS tokens/s':>18} {'own MFU':>8} {'OpenBLAS MFU':>13} {'own / OpenBLAS':>15}")
for s in sizes:
    for t in threads:
        own, blas = runs("own", s, t), runs("openblas", s, t)
        o = statistics.median(r["tokens_per_second"] for r in own); b = statistics.median(r["tokens_per_second"] for r in blas)
        om = statistics.median(r["mfu"] for r in own); bm = statistics.median(r["mfu"] for r in blas)
        print(f"{s:<5} {t:>7} {o:>13,.0f} {b:>18,.0f} {om:>7.1%} {bm:>12.1%} {o / b:>14.3f}×")
PY
