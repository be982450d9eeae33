#!/usr/bin/env bash
# A long import beside the three other writers of one database: while `visionmix runs import`
# stores ROWS rows (holding SQLite's write lock), a second `runs import`, a tiny `sweep run`
# and `POST /v1/runs` to `visionmix serve` start together. Each must wait, or answer 503 with
# Retry-After (the API client then retries after it); none may fail with "database is locked"
# or a 500, and the sweep must finish. Prints how long the import held the write lock (from a
# probe beside it), then each contender's outcome and wait; exits non-zero if any failed.
#
#   bench/server/contention.sh                  ROWS=1100000, release build
#   ROWS=200000 bench/server/contention.sh
#   VISIONMIX_BIN=.build/debug/visionmix bench/server/contention.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-1100000}
VISIONMIX_BIN=${VISIONMIX_BIN:-.build/release/visionmix}
if [ ! -x "$VISIONMIX_BIN" ]; then bash scripts/build-release.sh >&2; fi
. bench/server/common.sh
HELPER=bench/server/contention.py

WORK=$(mktemp -d)
SERVER_PID="" PROBE_PID=""
cleanup() {
    [ -n "$PROBE_PID" ] && kill "$PROBE_PID" 2>/dev/null || true
    stop_server
}
trap cleanup EXIT
DB="$WORK/visionmix.sqlite"
"$BIN" runs import data/reference/paper-mixtures.csv --source paper --db "$DB" >/dev/null
echo "writing a CSV of $ROWS runs" >&2
python3 "$HELPER" csv "$ROWS" big > "$WORK/big.csv"
python3 "$HELPER" csv 1000 second > "$WORK/second.csv"
cat > "$WORK/api.json" <<'JSON'
[{"name": "api", "params": "3B", "tokens": "50B", "mixture": {"web_crawl": 100}, "scores": {"vqa_avg": 30}}]
JSON
cat > "$WORK/sweep.json" <<'JSON'
{"name": "beside", "label": "beside", "encoder": "object", "seeds": [1], "profile": "tiny",
 "designs": [{"name": "d", "sizes": ["xs"], "mixtures": ["balanced"], "tokens": "8K", "checkpoints": ["8K"]}]}
JSON
launch_server "$WORK"

now() { python3 -c 'import time; print(f"{time.monotonic():.2f}")'; }
python3 -u "$HELPER" probe "$DB" > "$WORK/probe.log" &
PROBE_PID=$!
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)" >&2
T0=$(now)
( "$BIN" runs import "$WORK/big.csv" --source big --db "$DB" > "$WORK/big.out" 2> "$WORK/big.err"; echo $? > "$WORK/big.rc"; now > "$WORK/big.end" ) &
BIG_PID=$!
# The contenders start once the import holds the lock (it parses the whole file first).
until grep -q '^taken' "$WORK/probe.log"; do
    kill -0 "$BIG_PID" 2>/dev/null || { echo "the import ended before it held the lock" >&2; cat "$WORK/big.err" >&2; exit 1; }
    sleep 0.1
done
TAKEN=$(awk '/^taken/ {print $2; exit}' "$WORK/probe.log")
sleep 2
START=$(now)
echo "import holds the write lock; contenders start $(awk -v a="$START" -v b="$TAKEN" 'BEGIN {printf "%.1f", a - b}') s into it" >&2
CONTENDERS=()
run_timed() {  # name, command...: stdout/stderr/rc/end into $WORK/name.*
    local name=$1; shift
    ( "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"; echo $? > "$WORK/$name.rc"; now > "$WORK/$name.end" ) &
    CONTENDERS+=($!)
}
run_timed second "$BIN" runs import "$WORK/second.csv" --source second --db "$DB"
run_timed sweep "$BIN" sweep run --spec "$WORK/sweep.json" --jobs 1 --threads 1 --no-fit --db "$DB"
run_timed api python3 -u "$HELPER" post "$BASE/v1/runs?source=api" "$WORK/api.json"
wait "${CONTENDERS[@]}" "$BIG_PID"
sleep 0.3
kill "$PROBE_PID" 2>/dev/null || true; PROBE_PID=""
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

HELD=$(awk -v t="$TAKEN" '/^held/ && $2 == t {print $4}' "$WORK/probe.log")
RELEASED=$(awk -v t="$TAKEN" '/^held/ && $2 == t {print $3}' "$WORK/probe.log")
printf 'import of %s rows: exit %s, %.1f s in all, write lock held %s s\n' "$ROWS" "$(cat "$WORK/big.rc")" \
    "$(awk -v a="$(cat "$WORK/big.end")" -v b="$T0" 'BEGIN {print a - b}')" "${HELD:-?}"
failed=0
printf '%-14s %-6s %-9s %-10s %s\n' contender exit "done (s)" "after lock" "what it saw"
for name in second sweep api; do
    rc=$(cat "$WORK/$name.rc")
    end=$(cat "$WORK/$name.end")
    took=$(awk -v a="$end" -v b="$START" 'BEGIN {printf "%.1f", a - b}')
    after=$(awk -v a="$end" -v b="${RELEASED:-$end}" 'BEGIN {printf "%+.1f", a - b}')
    case $name in
        second) saw=$( (grep -h 'waiting' "$WORK/second.err" | cut -d';' -f1; tail -1 "$WORK/second.out"; [ "$rc" = 0 ] || tail -1 "$WORK/second.err") | paste -sd'|' | sed 's/|/; then /g') ;;
        sweep) saw=$( (grep -h 'waiting' "$WORK/sweep.err" | cut -d';' -f1; grep -hE 'complete|failed|rror' "$WORK/sweep.out" "$WORK/sweep.err" | tail -1) | paste -sd'|' | sed 's/|/; then /g') ;;
        api) saw=$(awk '$1 ~ /^[0-9]+$/ {printf "%s%s in %ss%s", sep, $1, $2, ($3 != "-" ? " (Retry-After " $3 ")" : ""); sep=", "}' "$WORK/api.out") ;;
    esac
    printf '%-14s %-6s %-9s %-10s %s\n' "$name" "$rc" "$took" "$after" "$saw"
    [ "$rc" = 0 ] || failed=1
    if grep -qi 'database is locked' "$WORK/$name.out" "$WORK/$name.err"; then echo "  $name saw 'database is locked'" >&2; failed=1; fi
done
if grep -q '^500 ' "$WORK/api.out"; then echo "  the API answered 500" >&2; failed=1; fi
[ "$(cat "$WORK/big.rc")" = 0 ] || { echo "  the long import failed: $(tail -1 "$WORK/big.err")" >&2; failed=1; }
grep -q 'complete' "$WORK/sweep.out" || { echo "  the sweep did not finish" >&2; failed=1; }
exit "$failed"
