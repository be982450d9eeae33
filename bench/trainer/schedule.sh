#!/usr/bin/env bash
# Sweep scheduling at one model size: two runs side by side on one thread each (`sweep run
# --jobs 2 --threads 1`, the default) against the same two runs one after the other on two
# threads (`--jobs 1 --threads 2`). Pre-training only, which is most of an xl run's time.
# Prints the wall time of each schedule and their ratio. SIZE=xl TOKENS=200K by default.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE=${SIZE:-xl}
TOKENS=${TOKENS:-200K}
bash scripts/build-release.sh >&2
BIN=.build/release/visionmix
run() { "$BIN" train --size "$SIZE" --mix balanced --tokens "$TOKENS" --seed "$1" --threads "$2" --eval-at "$TOKENS" --json > /dev/null 2>&1; }
now() { date +%s.%N; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(now); run 1 2; run 2 2; t1=$(now)
run 1 1 & run 2 1 & wait; t2=$(now)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$SIZE" "$TOKENS" "$t0" "$t1" "$t2" <<'PY'
import sys
size, tokens, t0, t1, t2 = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
seq, par = t1 - t0, t2 - t1
print(f"{size}, two runs of {tokens} tokens each:")
print(f"  one after the other, 2 threads each (--jobs 1 --threads 2): {seq:7.1f} s")
print(f"  side by side, 1 thread each        (--jobs 2 --threads 1): {par:7.1f} s")
print(f"  side by side is {seq / par:.2f}x as fast")
PY
