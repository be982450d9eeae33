#!/usr/bin/env bash
# Compares the time of one complete multi-start fit (saturating_interaction on the paper's
# scaling figure, general, 40 points, the same 17 starts and reparametrisation) between the
# release build's GSL trust-region fit and scipy.optimize.least_squares (MINPACK LM with the
# same analytic Jacobian), and prints the ratio. Usage: bench/fit/run.sh [category] [family]
set -euo pipefail
cd "$(dirname "$0")/../.."
CATEGORY=${1:-general}
FAMILY=${2:-saturating_interaction}
OUT=bench/out
mkdir -p "$OUT"
bash scripts/build-release.sh >&2
BIN=$(swift build -c release --show-bin-path)/visionmix
"$BIN" bench-fit --csv data/reference/paper-scaling.csv --category "$CATEGORY" --family "$FAMILY" \
    --repeats 500 --problem-out "$OUT/fit-problem.json" > "$OUT/swift.json"
python3 bench/fit/scipy_fit.py "$OUT/fit-problem.json" 30 2>/dev/null > "$OUT/scipy.json"
python3 - "$OUT/swift.json" "$OUT/scipy.json" <<'PY'
import json, sys
s, p = (json.load(open(f)) for f in sys.argv[1:3])
print(f"problem: {s['starts']} starts, same data and starts for both")
print(f"swift+GSL (release): {s['secondsPerFit']*1e3:8.3f} ms per multi-start fit, best SSR {s['bestSSR']:.6f}")
print(f"scipy least_squares: {p['secondsPerFit']*1e3:8.3f} ms per multi-start fit, best SSR {p['bestSSR']:.6f}")
print(f"ratio (scipy / swift): {p['secondsPerFit']/s['secondsPerFit']:.1f}x")
PY
