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
# MIXES, BUDGETS, SEEDS and QUESTIONS (questions a family) choose other mixtures, token
# budgets, seeds and evaluation sizes, e.g. the xl reasoning-share line:
#   MIXES="reasoning=0,visual=20 reasoning=50,visual=10" BUDGETS=1M scripts/xl-noise-study.sh
set -euo pipefail
if [ "${1:-}" = "--job" ]; then   # --job BIN OUT MIX SEED TOKENS: one LM, scored twice
    bin=$2 out=$3 mix=$4 seed=$5 tokens=$6 dir="$3/ck-$4-$6"
    mkdir -p "$dir"
    [ -n "$(ls "$dir"/xl-seed"$seed"-*.vmxckpt 2>/dev/null)" ] ||
        "$bin" train --size xl --mix "$mix" --tokens "$tokens" --seed "$seed" --threads 1 --eval-at "$tokens" \
            --checkpoint-dir "$dir" > "$out/train-$mix-$seed-$tokens.log" 2>&1
    ck=$(ls "$dir"/xl-seed"$seed"-*.vmxckpt | tail -1)
    for n in ${QUESTIONS:-40 160}; do
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
seeds=${SEEDS:-1 2}
echo "xl at $budgets tokens: $mixes; seeds $seeds; two jobs side by side (finished jobs are kept)"
for tokens in $budgets; do for seed in $seeds; do for mix in $mixes; do
    echo "$mix $seed $tokens"
done; done; done | xargs -P 2 -L 1 bash "$0" --job "$bin" "$out"

python3 - "$out" "$mixes" "$budgets" <<'EOF'
import json, sys, glob, math, os, statistics
out, mixes, budgets = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
rows = {}
for f in glob.glob(os.path.join(out, "*.json")):
    mix, seed, tokens, n = os.path.basename(f)[:-5].rsplit("-", 3)
    rows.setdefault((tokens, int(n), mix), {})[int(seed)] = json.load(open(f))["scores"]
for metric in ("reasoning", "reasoning_curve"):
    print(f"\n{metric} at xl (every seed scored; the SD pools each mixture's variance over its seeds)")
    print(f"{'tokens':>6} {'questions':>9}  {'mixture':<24} {'seeds':<22} {'mean':>6}")
    for tokens in budgets:
        for n in sorted({k[1] for k in rows}):
            means, var = [], []
            for mix in mixes:
                by_seed = rows.get((tokens, n, mix), {})
                if len(by_seed) < 2: continue
                v = [by_seed[k][metric] for k in sorted(by_seed)]
                means.append(statistics.mean(v)); var.append(statistics.variance(v))
                print(f"{tokens:>6} {n:>9}  {mix:<24} {', '.join(f'{x:.1f}' for x in v):<22} {means[-1]:6.1f}")
            if len(means) > 1:
                sd = math.sqrt(sum(var) / len(var)); spread = max(means) - min(means)
                print(f"{'':>6} {'':>9}  spread {spread:.1f}, pooled seed SD {sd:.2f}: {spread / sd:.1f}x")
EOF
