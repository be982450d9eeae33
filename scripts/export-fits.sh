#!/usr/bin/env bash
# The fits of the shipped data, exported as fits/ holds them: each source imported into a
# fresh database, every category fitted (family chosen by held-out error), then, for the
# calibration sweep, the mixture laws at its largest size with 6+ mixtures, which replace the
# size laws of the categories they cover (the laws planning prefers).
#   scripts/export-fits.sh [BINARY] [OUT]      (default: .build/debug/visionmix, fits)
# A test runs this into a scratch folder and compares every file with fits/.
# The fitter's own solver sums in a fixed order, so the export is the same byte for byte on
# OpenBLAS's Cooperlake kernels as on Haswell's (checked on an AVX-512 EPYC); GSL's routines
# that still run on OpenBLAS (the covariance's QR, kernel ridge's Cholesky) could differ in
# their last digits on another CPU's kernels, so the export pins Haswell's, which every x86
# CPU with AVX2 has, and fits/ is the same whichever machine exports it.
set -euo pipefail
export OPENBLAS_CORETYPE=Haswell
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/visionmix}
out=${2:-fits}
db=$(mktemp -d)/export.sqlite
trap 'rm -rf "$(dirname "$db")"' EXIT
vm() { "$bin" "$@" --db "$db" >/dev/null; }
vm runs import data/reference/paper-mixtures.csv --source paper
vm runs import data/reference/paper-scaling.csv --source paper_scaling --mix web_crawl
vm runs import data/calibration/standard.csv --source calibration
rm -rf "$out/paper" "$out/paper_scaling" "$out/calibration"
for source in paper paper_scaling calibration; do
    vm fit --source "$source" --all --fits-dir "$out" 2>/dev/null
done
vm fit --source calibration --all --family auto-mixture --fits-dir "$out" 2>/dev/null
