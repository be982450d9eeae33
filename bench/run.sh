#!/usr/bin/env bash
# `make bench`: every benchmark under bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/trainer/run.sh
