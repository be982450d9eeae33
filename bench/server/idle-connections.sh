#!/usr/bin/env bash
# A flood of idle connections against `visionmix serve`: CONNECTIONS connections (from
# CLIENTS processes, as one process may hold fewer descriptors than that) open, send nothing
# and stay HOLD seconds, then close. Meanwhile a prober asks GET /v1/health on a fresh
# connection every 20 ms. Prints the health latency percentiles before, during and after the
# flood, what the flood's connections saw, and the server's resident memory (RSS) and open
# descriptors at the start, at their peak and after the connections closed.
#
#   bench/server/idle-connections.sh             CONNECTIONS=20000 CLIENTS=4 HOLD=20 AFTER=10, release build
#   SERVE_ARGS="--max-connections 64" bench/server/idle-connections.sh
#   HEALTH_PORT=1 bench/server/idle-connections.sh   the prober asks the health port (serve --health-port)
set -euo pipefail
cd "$(dirname "$0")/../.."
CONNECTIONS=${CONNECTIONS:-20000}
CLIENTS=${CLIENTS:-4}
HOLD=${HOLD:-20}
AFTER=${AFTER:-10}
VISIONMIX_BIN=${VISIONMIX_BIN:-.build/release/visionmix}
if [ ! -x "$VISIONMIX_BIN" ]; then bash scripts/build-release.sh >&2; fi
. bench/server/common.sh
HELPER=bench/server/idle-connections.py
if [ -n "${HEALTH_PORT:-}" ]; then SERVE_ARGS="${SERVE_ARGS:-} --health-port 0"; fi

WORK=$(mktemp -d)
SERVER_PID="" PROBE_PID="" SAMPLER_PID=""
cleanup() {
    for p in $PROBE_PID $SAMPLER_PID; do kill "$p" 2>/dev/null || true; done
    stop_server
}
trap cleanup EXIT
DB="$WORK/visionmix.sqlite"
"$BIN" runs import data/reference/paper-mixtures.csv --source paper --db "$DB" >/dev/null
launch_server "$WORK"
PROBED=$BASE/v1/health
if [ -n "${HEALTH_PORT:-}" ]; then
    for _ in $(seq 1 50); do
        HPORT=$(sed -n 's/.*health on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.log" | head -1)
        [ -n "$HPORT" ] && break
        sleep 0.1
    done
    PROBED=http://127.0.0.1:$HPORT/v1/health
fi
now() { python3 -c 'import time; print(f"{time.monotonic():.3f}")'; }
rss_mb() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status"; }
fds() { ls "/proc/$SERVER_PID/fd" | wc -l; }
# Connections the kernel holds for the server before it accepts them: the listen queue, and
# handshakes still in SYN-RECV (their final ACK dropped while the queue was full).
queued() { echo "$(ss -ltnH "sport = :$PORT" | awk '{print $2}') $(ss -tnH state syn-recv "sport = :$PORT" | wc -l)"; }

# Warm up, so the starting RSS already holds what serving any request allocates.
for _ in $(seq 1 200); do curl -s -o /dev/null "$PROBED"; done
sleep 1
RSS_START=$(rss_mb) FDS_START=$(fds)
( while true; do echo "$(now) $(rss_mb) $(fds) $(queued)"; sleep 0.5; done ) > "$WORK/samples" 2>/dev/null &
SAMPLER_PID=$!
python3 -u "$HELPER" health "$PROBED" "$WORK/health" &
PROBE_PID=$!
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)" >&2
sleep 3
FLOOD_START=$(now)
CLIENT_PIDS=()
for i in $(seq 1 "$CLIENTS"); do
    python3 -u "$HELPER" flood 127.0.0.1 "$PORT" $((CONNECTIONS / CLIENTS)) "$HOLD" > "$WORK/flood.$i" 2>&1 &
    CLIENT_PIDS+=($!)
done
wait "${CLIENT_PIDS[@]}"
FLOOD_END=$(now)
sleep "$AFTER"
AFTER_END=$(now)
kill "$PROBE_PID" "$SAMPLER_PID" 2>/dev/null || true; PROBE_PID="" SAMPLER_PID=""
RSS_AFTER=$(rss_mb) FDS_AFTER=$(fds)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

echo "$CONNECTIONS idle connections from $CLIENTS processes, held ${HOLD} s; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); health asked at $PROBED"
for i in $(seq 1 "$CLIENTS"); do sed "s/^/  client $i: /" "$WORK/flood.$i"; done
# The flood in windows of 5 s: opening the connections, then holding them.
PHASES=("before:0:$FLOOD_START")
t=$FLOOD_START
while awk -v t="$t" -v e="$FLOOD_END" 'BEGIN {exit !(t < e)}'; do
    next=$(awk -v t="$t" -v e="$FLOOD_END" 'BEGIN {n = t + 5; print (n < e ? n : e)}')
    PHASES+=("$(awk -v t="$t" -v s="$FLOOD_START" 'BEGIN {printf "%.0f-%.0fs", t - s, t - s + 5}'):$t:$next")
    t=$next
done
PHASES+=("after:$FLOOD_END:$AFTER_END")
python3 "$HELPER" summary "$WORK/health" "${PHASES[@]}"
RSS_PEAK=$(sort -k2,2 -g "$WORK/samples" | tail -1 | cut -d' ' -f2)
FDS_PEAK=$(sort -k3,3 -g "$WORK/samples" | tail -1 | cut -d' ' -f3)
printf 'kernel queue for the server (listen queue + SYN-RECV) at its largest: %s; empty again %s s into the flood\n' \
    "$(awk '{print $4 + $5}' "$WORK/samples" | sort -g | tail -1)" \
    "$(awk -v s="$FLOOD_START" '$1 > s && $4 + $5 > 0 {last = $1} END {printf "%.0f", (last ? last - s : 0)}' "$WORK/samples")"
printf 'server RSS: start %s MB, peak %s MB, %s s after the flood %s MB (%+.0f%% of the start)\n' \
    "$RSS_START" "$RSS_PEAK" "$AFTER" "$RSS_AFTER" "$(awk -v a="$RSS_AFTER" -v s="$RSS_START" 'BEGIN {print 100 * (a - s) / s}')"
printf 'server descriptors: start %s, peak %s, after %s\n' "$FDS_START" "$FDS_PEAK" "$FDS_AFTER"
