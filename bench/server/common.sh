# Shared by the bench/server scripts: build the binary if needed and start `visionmix serve`
# on a free loopback port over a temporary database seeded with the paper's mixtures.
# Sets BIN, WORK, DB, PORT, BASE and SERVER_PID; the caller's EXIT trap calls stop_server.

BIN=${VISIONMIX_BIN:-.build/debug/visionmix}
if [ ! -x "$BIN" ]; then swift build --product visionmix >&2; fi

start_server() {
    WORK=$(mktemp -d)
    DB="$WORK/visionmix.sqlite"
    "$BIN" runs import data/reference/paper-mixtures.csv --source paper --db "$DB" >&2
    "$BIN" runs import data/reference/paper-scaling.csv --source paper_scaling --db "$DB" >&2
    # Fitted, so that predict and recommend reach the planner instead of answering 404.
    "$BIN" fit --source paper --all --fits-dir "$WORK/fits" --db "$DB" >/dev/null 2>&1
    launch_server "$PWD"
}

# Starts `visionmix serve` over $DB from directory $1 and waits for the port it announces.
# Port 0: the kernel picks a free port and the server prints it on its first stderr line.
# SERVER_TOKEN, when set, becomes the server's VISIONMIX_TOKEN; otherwise none is passed on.
# SERVE_ARGS, when set, are added to `serve`'s arguments.
launch_server() {
    local dir=$1 bin_abs
    bin_abs=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
    if [ -n "${SERVER_TOKEN:-}" ]; then
        (cd "$dir" && exec env VISIONMIX_TOKEN="$SERVER_TOKEN" "$bin_abs" serve --host 127.0.0.1 --port 0 --db "$DB" ${SERVE_ARGS:-} 2> "$WORK/serve.log") &
    else
        (cd "$dir" && exec env -u VISIONMIX_TOKEN "$bin_abs" serve --host 127.0.0.1 --port 0 --db "$DB" ${SERVE_ARGS:-} 2> "$WORK/serve.log") &
    fi
    SERVER_PID=$!
    PORT=""
    for _ in $(seq 1 100); do
        PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.log" | head -1)
        [ -n "$PORT" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; echo "the server exited" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$PORT" ] || { echo "the server did not announce a port" >&2; exit 1; }
    BASE="http://127.0.0.1:$PORT"
    echo "server on $BASE (pid $SERVER_PID, db $DB)" >&2
}

stop_server() {
    if [ -n "${SERVER_PID:-}" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    # Sweeps the fuzzer started outlive the server by design; these must not outlive the bench.
    if [ -n "${DB:-}" ]; then pkill -f -- "--db $DB" 2>/dev/null || true; fi
    if [ -n "${WORK:-}" ]; then rm -rf "$WORK"; fi
}
