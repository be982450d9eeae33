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
# The Swift fit on one thread (like scipy) and on two (its default: the starts are split
# over the cores), the scipy fit in between, so load changes hit both sides alike.
swift_fit() {
    "$BIN" bench-fit --csv data/reference/paper-scaling.csv --category "$CATEGORY" --family "$FAMILY" \
        --repeats 500 --threads "$1" --problem-out "$OUT/fit-problem.json" > "$2"
}
swift_fit 1 "$OUT/swift.json"
python3 bench/fit/scipy_fit.py "$OUT/fit-problem.json" 30 2>/dev/null > "$OUT/scipy.json"
swift_fit 2 "$OUT/swift-2threads.json"
python3 - "$OUT/swift.json" "$OUT/scipy.json" "$OUT/swift-2threads.json" <<'PY'
import json, sys
s, p, s2 = (json.load(open(f)) for f in sys.argv[1:4])
print(f"problem: {s['starts']} starts, same data and starts for both")
print(f"swift+GSL (release), 1 thread:  {s['secondsPerFit']*1e3:8.3f} ms per multi-start fit, best SSR {s['bestSSR']:.6f}")
print(f"swift+GSL (release), 2 threads: {s2['secondsPerFit']*1e3:8.3f} ms per multi-start fit, best SSR {s2['bestSSR']:.6f}")
print(f"scipy least_squares (1 thread): {p['secondsPerFit']*1e3:8.3f} ms per multi-start fit, best SSR {p['bestSSR']:.6f}")
print(f"ratio (scipy / swift), 1 thread each: {p['secondsPerFit']/s['secondsPerFit']:.1f}x")
print(f"ratio (scipy / swift on 2 threads):   {p['secondsPerFit']/s2['secondsPerFit']:.1f}x")
PY
