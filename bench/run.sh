#!/usr/bin/env bash
# `make bench`: every benchmark, each printing its ratios measured side by side in one run.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for b in trainer fit planner design world adaptation public; do
    [ -x "bench/$b/run.sh" ] || continue
    printf '\n== bench/%s\n' "$b"
    bash "bench/$b/run.sh" || { echo "bench/$b failed"; status=1; }
done
exit $status
