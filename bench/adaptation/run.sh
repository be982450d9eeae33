#!/usr/bin/env bash
# Adapting and evaluating one checkpoint of the largest size, in a
# release build. Pre-training is two steps so the time is the adaptation's; the per-phase wall
# times (align, instruct, evaluate) come from the run's provenance.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build-release.sh >/dev/null
BIN=${BIN:-.build/release/visionmix}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for enc in ${ENCODERS:-object patch}; do
  /usr/bin/time -f "%e s wall, %M KB max RSS" "$BIN" run --size "${SIZE:-xl}" --tokens 4096 --checkpoints 4096 \
    --encoder "$enc" --dry-run --json --threads "${THREADS:-2}" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["runs"][0]; print("'"$enc"'", "checkpoint:", json.dumps(r["wall_seconds"]), "vqa_avg %.1f" % r["scores"]["vqa_avg"])'
done
