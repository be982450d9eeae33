#!/usr/bin/env bash
# The main job on the embedded default data: import the paper's published results and show them.
set -euo pipefail
bin=${1:-.build/release/visionmix}
db=${2:-data/demo.sqlite}
export VISIONMIX_DB=$db
echo "== importing the paper's published results into $db"
"$bin" runs import data/reference/paper-mixtures.csv --source paper
"$bin" runs import data/reference/paper-scaling.csv --source paper_scaling --mix web_crawl
echo
echo "== the eleven interpolation mixtures and the two 7B runs"
"$bin" runs list --source paper
