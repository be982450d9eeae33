#!/usr/bin/env bash
# Slurm's own cost per unit of a sweep, apart from the training: submit → the task starts, and
# the result written → stored by `sweep collect`. Runs N one-unit sweeps of a trainer that does
# almost nothing (examples/train_ngram.py at 1K tokens), one after another on an idle cluster.
#
#   scripts/slurm-overhead.sh [N] [VISIONMIX]     # default 5 and .build/debug/visionmix
set -euo pipefail
n=${1:-5}
bin=$(realpath "${2:-.build/debug/visionmix}")
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
printf "%-4s %12s %12s %12s\n" run "submit→start" "unit" "end→stored"
for i in $(seq 1 "$n"); do
    cat >"$tmp/spec.json" <<SPEC
{"name": "overhead-$i", "label": "overhead", "encoder": "object", "seeds": [$i],
 "trainer": {"command": ["python3", "$root/examples/train_ngram.py", "--params", "{params}", "--tokens", "{tokens}",
             "--checkpoints", "{checkpoints}", "--weights", "{weights_file}", "--seed", "{seed}", "--out", "{result}"]},
 "designs": [{"name": "d", "sizes": ["2K"], "mixtures": ["balanced"], "tokens": "1K", "checkpoints": ["1K"]}]}
SPEC
    work="$tmp/w$i"
    t0=$(now)
    "$bin" sweep run --spec "$tmp/spec.json" --backend slurm --workdir "$work" >/dev/null
    while [ ! -f "$work/results/0.json" ]; do sleep 0.05; done
    start=$(sed -n 's/.* at \([0-9T:.-]*\)Z, restart.*/\1/p' "$work/logs/0.log" | head -1)
    t1=$(date -d "$start" +%s.%N)
    t2=$(stat -c %.9Y "$work/results/0.json")
    "$bin" sweep collect --workdir "$work" --db "$tmp/o.sqlite" >/dev/null
    t3=$(now)
    awk -v i="$i" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { printf "%-4s %11.2fs %11.2fs %11.2fs\n", i, b - a, c - b, d - c }' 
done
