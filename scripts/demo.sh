#!/usr/bin/env bash
# The main job on embedded defaults: a quick calibration sweep on the miniature world (real
# training, adaptation and evaluation), laws fitted to it, a recommended recipe and a report;
# then the same planning machinery on the paper's published results.
set -euo pipefail
bin=${1:-.build/release/visionmix}
db=${2:-data/demo.sqlite}
out=${3:-report/demo}
export VISIONMIX_DB=$db
step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
start=$(date +%s)
mkdir -p "$out"

step "1. quick calibration sweep: 2 sizes x 3 mixtures x 3 budgets, plus reasoning and visual share lines"
"$bin" sweep run --preset quick --report-dir "$out/quick"

step "2. the paper's published results: import, fit, predict, recommend"
"$bin" runs import data/reference/paper-mixtures.csv --source paper
"$bin" fit --source paper --all --fits-dir "$out/fits" > "$out/paper-fits.txt"
echo "(fits of the paper's mixtures: $out/paper-fits.txt)"
"$bin" predict --source paper --mix balanced
"$bin" recommend --source paper --objective vqa_avg --constraint "text_acc>=52.5" --baseline language_favorable \
    --plot "$out/paper-pareto.svg"
"$bin" report --source paper --out "$out/paper"

echo
echo "demo finished in $(( $(date +%s) - start )) s"
echo "reports: $out/quick/report.html (calibration) and $out/paper/report.html (paper)"
