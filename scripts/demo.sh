#!/usr/bin/env bash
# The main job on the embedded default data: the paper's published results imported, fitted,
# a recipe recommended and a report written.
set -euo pipefail
bin=${1:-.build/release/visionmix}
db=${2:-data/demo.sqlite}
out=${3:-report/demo}
export VISIONMIX_DB=$db
step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }

step "1. import the paper's published results into $db"
"$bin" runs import data/reference/paper-mixtures.csv --source paper
"$bin" runs import data/reference/paper-scaling.csv --source paper_scaling --mix web_crawl

step "2. fit scaling laws: size x data (held out: the largest model) and mixture laws"
"$bin" fit --source paper_scaling --all --hold-out-largest --fits-dir "$out/fits"
"$bin" fit --source paper --all --fits-dir "$out/fits"

step "3. predict: the balanced mixture at 3B parameters and 50B tokens"
"$bin" predict --source paper --mix balanced

step "4. recommend: maximise vqa_avg keeping text_acc >= 52.5"
"$bin" recommend --source paper --objective vqa_avg --constraint "text_acc>=52.5" --baseline language_favorable --plot "$out/pareto.svg"

step "5. report"
"$bin" report --source paper_scaling --out "$out/scaling"
"$bin" report --source paper --out "$out/mixtures"
echo
echo "Reports: $out/scaling/report.html and $out/mixtures/report.html"
