#!/usr/bin/env bash
# Fuzzes a live `visionmix serve` against docs/openapi.yaml with schemathesis (every check:
# no 5xx, documented statuses, content types, response schemas, negative-data rejection).
# The server runs on a free loopback port over a temporary database seeded with the paper's
# results. Prints the number of generated cases and failures; exits non-zero on failures.
#
#   bench/server/schemathesis.sh [extra schemathesis args]     (MAX_EXAMPLES=50, SEED=1 by default)
#   SERVER_TOKEN=t bench/server/schemathesis.sh                 (server requires a bearer token;
#                                                                schemathesis sends it and checks
#                                                                that requests without it get 401)
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=bench/.venv-server
if [ ! -x "$VENV/bin/schemathesis" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q schemathesis
fi
. bench/server/common.sh
trap stop_server EXIT
start_server
mkdir -p bench/out
REPORT=bench/out/schemathesis-junit.xml
AUTH=()
if [ -n "${SERVER_TOKEN:-}" ]; then AUTH=(-H "Authorization: Bearer $SERVER_TOKEN"); fi
set +e
# use_after_free is left out: DELETE /v1/sweeps/{id} cancels a sweep, whose record (and stored
# runs) stay readable by design, as after `visionmix sweep cancel`.
"$VENV/bin/schemathesis" --config-file bench/server/schemathesis.toml run "${AUTH[@]}" docs/openapi.yaml --url "$BASE" --checks all --exclude-checks use_after_free \
    --max-examples "${MAX_EXAMPLES:-50}" --seed "${SEED:-1}" --workers 2 --generation-database none \
    --request-timeout 30 --no-color --report junit --report-junit-path "$REPORT" "$@" | tee bench/out/schemathesis.log
status=${PIPESTATUS[0]}
set -e
echo "---"
grep -E "test cases|passed|failed|Failures|Errors" bench/out/schemathesis.log | tail -6
if [ -f "$REPORT" ]; then
    python3 - "$REPORT" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = sum(int(s.get("tests", 0)) for s in suites); f = sum(int(s.get("failures", 0)) for s in suites)
e = sum(int(s.get("errors", 0)) for s in suites)
print(f"schemathesis: {t} operations tested, {f} with failures, {e} with errors (junit: {sys.argv[1]})")
PY
fi
exit "$status"
