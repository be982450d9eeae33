#!/usr/bin/env bash
# Done-when 2: every size on the same fixed stream and validation set, validation loss at
# 125K/250K/500K/1M tokens. Writes bench/out/scaling-SIZE.json and prints a table.
set -euo pipefail
BIN=${1:-.build/release/visionmix}
TOKENS=${TOKENS:-1M}
EVAL=${EVAL:-125K,250K,500K,1M}
mkdir -p bench/out
for s in xs s m l xl; do
  "$BIN" train --size "$s" --tokens "$TOKENS" --eval-at "$EVAL" --seed 1 --threads 2 --json > "bench/out/scaling-$s.json" 2>/dev/null
done
python3 - <<'PY'
import json
sizes = ["xs", "s", "m", "l", "xl"]
runs = {s: json.load(open(f"bench/out/scaling-{s}.json")) for s in sizes}
budgets = [e["tokens"] for e in runs["xs"]["evaluations"]]
print("| size | params | " + " | ".join(f"val loss @ {b/1e3:.0f}K" for b in budgets) + " | tokens/s | peak RSS MiB |")
print("|---" * (len(budgets) + 4) + "|")
for s in sizes:
    r = runs[s]
    ev = {e["tokens"]: e["validation_loss"] for e in r["evaluations"]}
    print(f"| {s} | {r['parameters']} | " + " | ".join(f"{ev.get(b, float('nan')):.4f}" for b in budgets)
          + f" | {r['tokens_per_second']:.0f} | {r['peak_rss_mib']:.0f} |")
PY
