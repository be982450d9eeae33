#!/usr/bin/env bash
# Compares the time of one complete multi-start fit (saturating_interaction on the paper's
# scaling figure, general, 40 points, the same 17 starts and reparametrisation) between the
# release build's fitter (its Levenberg–Marquardt, GSL's rules) and scipy.optimize.least_squares
# (MINPACK LM with the same analytic Jacobian), and prints the ratio; GSL's own trust region on
# the same problem is timed alongside for reference. Usage: bench/fit/run.sh [category] [family]
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
        --repeats 500 --threads "$1" --solver "$2" --problem-out "$OUT/fit-problem.json" > "$3"
}
swift_fit 1 lm "$OUT/swift.json"
python3 bench/fit/scipy_fit.py "$OUT/fit-problem.json" 30 2>/dev/null > "$OUT/scipy.json"
swift_fit 2 lm "$OUT/swift-2threads.json"
swift_fit 1 gsl "$OUT/swift-gsl.json"
python3 - "$OUT/swift.json" "$OUT/scipy.json" "$OUT/swift-2threads.json" "$OUT/swift-gsl.json" <<'PY'
import json, sys
s, p, s2, g = (json.load(open(f)) for f in sys.argv[1:5])
print(f"problem: {s['starts']} starts, same data and starts for all")
print(f"visionmix fitter (release), 1 thread:  {s['secondsPerFit']*1e3:8.3f} ms per multi-start fit, best SSR {s['bestSSR']:.6f}")
print(f"visionmix fitter (release), 2 threads: {s2['secondsPerFit']*1e3:8.3f} ms per multi-start fit, best SSR {s2['bestSSR']:.6f}")
print(f"GSL's trust region (release), 1 thread:{g['secondsPerFit']*1e3:8.3f} ms per multi-start fit, best SSR {g['bestSSR']:.6f}")
print(f"scipy least_squares (1 thread):        {p['secondsPerFit']*1e3:8.3f} ms per multi-start fit, best SSR {p['bestSSR']:.6f}")
print(f"ratio (scipy / visionmix), 1 thread each: {p['secondsPerFit']/s['secondsPerFit']:.1f}x")
print(f"ratio (scipy / visionmix on 2 threads):   {p['secondsPerFit']/s2['secondsPerFit']:.1f}x")
print(f"ratio (GSL / visionmix), 1 thread each:   {g['secondsPerFit']/s['secondsPerFit']:.1f}x")
PY
