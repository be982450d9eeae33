#!/usr/bin/env bash
# Times predict (all categories, one call) and recommend (six source weights, 10,000 Dirichlet
# candidates, a language floor) in-process in a release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build-release.sh >&2
BIN=$(swift build -c release --show-bin-path)/visionmix
mkdir -p bench/out
"$BIN" bench-plan > bench/out/planner.json
python3 - bench/out/planner.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("predict:   %.3f ms per call (target < 10 ms), %d bootstrap replicates per law" % (r["predict_ms"], r["bootstrap_replicates"]))
print("recommend: %.3f s for %d candidates over %d sources (target < 2 s); %.3f s searching only inside the fitted hull" % (r["recommend_s"], r["candidates"], r["sources"], r["recommend_in_range_s"]))
PY
