#!/usr/bin/env bash
# Load on POST /v1/predict with wrk: `visionmix serve` (release build) on a free loopback port
# over a temporary database holding the paper's mixture results imported as `paper` and fitted.
# Prints requests/s, p99 latency and the error count (socket errors + non-2xx answers).
#
#   bench/server/wrk.sh                 2 threads, 8 connections, 10 s
#   bench/server/wrk.sh --with-sweep    the same while a `quick` sweep runs in the background
#                                       (POST /v1/sweeps), to see what a sweep costs the API
#   VISIONMIX_BIN=.build/debug/visionmix bench/server/wrk.sh    another binary
#   DURATION=30s CONNECTIONS=16 bench/server/wrk.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
WITH_SWEEP=0
for a in "$@"; do
    case "$a" in
        --with-sweep) WITH_SWEEP=1 ;;
        *) echo "usage: $0 [--with-sweep]" >&2; exit 2 ;;
    esac
done

if ! command -v wrk >/dev/null; then
    apt-get install -y -q wrk >&2 || { apt-get update -q >&2 && apt-get install -y -q wrk >&2; }
fi
# Release: the numbers are about the server, not about a debug build's bounds checks.
VISIONMIX_BIN=${VISIONMIX_BIN:-.build/release/visionmix}
if [ ! -x "$VISIONMIX_BIN" ]; then bash scripts/build-release.sh >&2; fi
. bench/server/common.sh

WORK=$(mktemp -d)
SERVER_PID=""
SWEEP_ID=""
cleanup() {
    # A sweep outlives the server by design; this one must not outlive the script.
    if [ -n "$SWEEP_ID" ] && [ -n "${BASE:-}" ]; then curl -s -X DELETE "$BASE/v1/sweeps/$SWEEP_ID" >/dev/null || true; fi
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
DB="$WORK/visionmix.sqlite"
"$BIN" runs import data/reference/paper-mixtures.csv --source paper --db "$DB" >&2
# Fit files go to the temporary directory, never the committed fits/.
"$BIN" fit --source paper --all --fits-dir "$WORK/fits" --db "$DB" >/dev/null

# The server is started from the temporary directory so that LawSet.load's fits/ fallback can
# only see this run's files; its laws come from the database anyway.
launch_server "$WORK"
BODY='{"source": "paper", "mix": "balanced", "params": "3B", "tokens": "50B"}'
check=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$BODY" "$BASE/v1/predict")
[ "$check" = 200 ] || { echo "POST /v1/predict answers $check before the load; refusing to measure errors" >&2; exit 1; }

if [ "$WITH_SWEEP" = 1 ]; then
    echo "starting a quick sweep in the background:" >&2
    SWEEP=$(curl -s -H 'Content-Type: application/json' -d '{"preset": "quick"}' "$BASE/v1/sweeps")
    echo "$SWEEP" >&2
    SWEEP_ID=$(echo "$SWEEP" | sed -n 's/.*"sweep_id":\([0-9]*\).*/\1/p')
fi

# The summary comes from wrk's own statistics (done() below), not from parsing its text.
cat > "$WORK/predict.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
function done(summary, latency, requests)
    local e = summary.errors
    local errors = e.connect + e.read + e.write + e.timeout + e.status
    io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d (connect %d, read %d, write %d, timeout %d, non-2xx %d)\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors, e.connect, e.read, e.write, e.timeout, e.status))
end
LUA
echo "load: wrk -t2 -c${CONNECTIONS:-8} -d${DURATION:-10s} --latency POST $BASE/v1/predict ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
wrk -t2 -c"${CONNECTIONS:-8}" -d"${DURATION:-10s}" --latency -s "$WORK/predict.lua" "$BASE/v1/predict" | tee "$WORK/wrk.out" >&2
if [ "$WITH_SWEEP" = 1 ]; then
    echo "sweep after the load: $(curl -s "$BASE/v1/sweeps/$SWEEP_ID")" >&2
fi
grep '^RESULT' "$WORK/wrk.out" | sed 's/^RESULT /predict: /'
