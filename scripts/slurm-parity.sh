#!/usr/bin/env bash
# A preset through the local backend and through Slurm + `sweep collect`, into two databases,
# then `runs export` of both compared: the backends must store the same rows, every cell equal.
# Needs the local cluster (scripts/slurm-local.sh start).
#
#   scripts/slurm-parity.sh [PRESET] [VISIONMIX]     # default quick and .build/release/visionmix
set -euo pipefail
preset=${1:-quick}
bin=$(realpath "${2:-.build/release/visionmix}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)
"$bin" sweep run --preset "$preset" --db "$tmp/local.sqlite" --no-fit >"$tmp/local.log" 2>&1 || { cat "$tmp/local.log"; exit 1; }
t1=$(date +%s)
"$bin" sweep run --preset "$preset" --backend slurm --workdir "$tmp/work" --db "$tmp/slurm.sqlite" >/dev/null
# Wait until no unit is pending or running (other jobs on the cluster do not matter).
until "$bin" sweep status --workdir "$tmp/work" --db "$tmp/slurm.sqlite" --json |
      python3 -c 'import json,sys; s=json.load(sys.stdin); c=s.get("counts", s); sys.exit(0 if c.get("pending",0)+c.get("running",0)==0 else 1)'; do
    sleep 5
done
t2=$(date +%s)
"$bin" sweep collect --workdir "$tmp/work" --db "$tmp/slurm.sqlite"
"$bin" runs export --db "$tmp/local.sqlite" --out "$tmp/local.csv" >/dev/null
"$bin" runs export --db "$tmp/slurm.sqlite" --out "$tmp/slurm.csv" >/dev/null
echo "local backend: $((t1 - t0)) s; slurm backend: $((t2 - t1)) s"
echo "integrity_check: $(sqlite3 "$tmp/slurm.sqlite" 'PRAGMA integrity_check')"
# Row order follows the order runs were stored, which differs between the backends.
if cmp -s <(sort "$tmp/local.csv") <(sort "$tmp/slurm.csv"); then
    echo "runs export: $(($(wc -l <"$tmp/local.csv") - 1)) rows, identical"
else
    echo "runs export differs:"; diff <(sort "$tmp/local.csv") <(sort "$tmp/slurm.csv") | head -20; exit 1
fi
