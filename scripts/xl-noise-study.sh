#!/usr/bin/env bash
# Where the seed noise of xl reasoning comes from (docs/findings.md, "Where the xl noise comes
# from"). Pre-trains the scaling design's three mixtures at xl for two seeds, exactly as the
# standard sweep does (`train` and `sweep` share the pipeline: same seed, same LM), and scores
# every LM twice: with the standard evaluation (40 questions a family) and with four times as
# many (160). If question sampling made the noise, the larger set would shrink the seed SD;
# if the LMs themselves differ, it would not. Then the same at 2M tokens.
#
#   scripts/xl-noise-study.sh [BIN] [OUT]      about 45 min on 2 cores
#
# MIXES and BUDGETS choose other mixtures and token budgets, e.g. the xl reasoning-share line:
#   MIXES="reasoning=0,visual=20 reasoning=50,visual=10" BUDGETS=1M scripts/xl-noise-study.sh
set -euo pipefail
if [ "${1:-}" = "--job" ]; then   # --job BIN OUT MIX SEED TOKENS: one LM, scored twice
    bin=$2 out=$3 mix=$4 seed=$5 tokens=$6 dir="$3/ck-$4-$6"
    mkdir -p "$dir"
    [ -n "$(ls "$dir"/xl-seed"$seed"-*.vmxckpt 2>/dev/null)" ] ||
        "$bin" train --size xl --mix "$mix" --tokens "$tokens" --seed "$seed" --threads 1 --eval-at "$tokens" \
            --checkpoint-dir "$dir" > "$out/train-$mix-$seed-$tokens.log" 2>&1
    ck=$(ls "$dir"/xl-seed"$seed"-*.vmxckpt | tail -1)
    for n in 40 160; do
        f="$out/$mix-$seed-$tokens-$n.json"
        [ -s "$f" ] || "$bin" evaluate --weights "$ck" --seed "$seed" --threads 1 --json --per-family "$n" > "$f" 2>/dev/null
    done
    echo "  done: xl $mix seed $seed, $tokens tokens"
    exit 0
fi
bin=${1:-.build/release/visionmix}
out=${2:-report/xl-noise}
mkdir -p "$out"
mixes=${MIXES:-web_crawl language_favorable balanced}
budgets=${BUDGETS:-1M 2M}
echo "xl at $budgets tokens: $mixes; two seeds; two jobs side by side (finished jobs are kept)"
for tokens in $budgets; do for seed in 1 2; do for mix in $mixes; do
    echo "$mix $seed $tokens"
done; done; done | xargs -P 2 -L 1 bash "$0" --job "$bin" "$out"

python3 - "$out" "$mixes" "$budgets" <<'EOF'
import json, sys, glob, math, os
out, mixes, budgets = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
rows = {}
for f in glob.glob(os.path.join(out, "*.json")):
    mix, seed, tokens, n = os.path.basename(f)[:-5].rsplit("-", 3)
    rows[(tokens, int(n), mix, int(seed))] = json.load(open(f))["scores"]
for metric in ("reasoning", "reasoning_curve"):
    print(f"\n{metric} at xl")
    print(f"{'tokens':>6} {'questions':>9}  {'mixture':<24} {'seed 1':>6} {'seed 2':>6} {'mean':>6}")
    for tokens in budgets:
        for n in (40, 160):
            means, var = [], []
            for mix in mixes:
                a, b = rows.get((tokens, n, mix, 1)), rows.get((tokens, n, mix, 2))
                if a is None or b is None: continue
                a, b = a[metric], b[metric]
                means.append((a + b) / 2); var.append((a - b) ** 2 / 2)
                print(f"{tokens:>6} {n:>9}  {mix:<24} {a:6.1f} {b:6.1f} {(a + b) / 2:6.1f}")
            if len(means) > 1:
                sd = math.sqrt(sum(var) / len(var)); spread = max(means) - min(means)
                print(f"{'':>6} {'':>9}  spread {spread:.1f}, pooled seed SD {sd:.2f}: {spread / sd:.1f}x")
EOF
