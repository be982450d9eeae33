#!/usr/bin/env bash
# Public results nobody on this project produced (../shared/reference/public), fitted by
# VisionMix and, side by side in one run, by the reference implementation people use.
# Usage: bench/public/run.sh   (VISIONMIX_BIN=path to use another build)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${VISIONMIX_BIN:-}" ]; then
    bash scripts/build-release.sh >&2
    VISIONMIX_BIN=$(swift build -c release --show-bin-path)/visionmix
fi
python3 -c "import scipy, numpy" 2>/dev/null || pip install -q scipy numpy
python3 -c "import lightgbm" 2>/dev/null || pip install -q lightgbm
python3 bench/public/porian.py "$VISIONMIX_BIN" bench/out/public
python3 bench/public/regmix.py "$VISIONMIX_BIN" bench/out/public
python3 bench/public/marin.py "$VISIONMIX_BIN" bench/out/public
