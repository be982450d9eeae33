#!/usr/bin/env bash
# The main job on embedded defaults: a quick calibration sweep on the miniature world (real
# pre-training, adaptation and evaluation) that shows what pre-training adds against the seeds'
# noise, laws fitted to it and a report; then the planning machinery on the paper's results.
set -euo pipefail
bin=${1:-.build/release/visionmix}
db=${2:-data/demo.sqlite}
out=${3:-report/demo}
export VISIONMIX_DB=$db
step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
start=$(date +%s)
mkdir -p "$out"

step "1. quick calibration sweep: untrained against 500K tokens of pre-training, at m and xs, three seeds each"
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
step "what you are looking at"
headline=$(sed -n 's/^Headline: //p' "$out/quick/report.md")
headline=${headline%.}
echo "$out/quick/report.html opens on what pre-training adds, measured on this machine: ${headline:-no vision score rose, see the table of lifts};"
echo "next, the shipped 119-run standard calibration (five sizes and the mixture designs, docs/findings.md):"
echo "  $bin runs import data/calibration/standard.csv --source calibration && $bin report --source calibration"
echo "and the dashboard to plan with: $bin serve, then http://127.0.0.1:8080/ (the paper's report is $out/paper/report.html)."
