#!/usr/bin/env bash
# How much of the xl reasoning line's separation is the adaptation's luck, and what a larger
# instruction budget changes (docs/findings.md, "Where the xl noise comes from" and "The
# instruction budget at xl"). Pre-trains the standard sweep's reasoning-share line at xl
# (five mixtures, three seeds, 1M tokens, exactly as the sweep does; LMs already in OUT are
# kept, and scripts/xl-noise-study.sh writes the same layout), then adapts every LM several
# ways and scores it like the sweep's `precise` profile:
#   - adaptation seed = LM seed (what the sweep does) and LM seed + 10 (a second adaptation);
#   - 480 instruction steps (the standard budget) and 1920 (four times).
# Also adapts the untrained xl LM (seed 1, 0 tokens) with adaptation seeds 1 and 2 at each
# instruction budget, to show what pre-training adds there.
# Prints spread, pooled seed SD and their ratio per way, and per-family means.
#
#   scripts/xl-adaptation-study.sh [BIN] [OUT]      about 1 h 40 min on 2 cores, estimated from
#                                                   its parts (it was run in pieces): 25 min of
#                                                   pre-training (LMs in OUT are reused), about
#                                                   90 s a scoring at 480 steps, 200 s at 1920
#
# OFFSETS (adaptation seed offsets, default "0 10"), STEPS (default "480 1920") and UNTRAINED=0
# (no untrained control) choose less. EXTRA adds options to every scoring (e.g.
# EXTRA="--lm-lr-scale 0.025"); give such a study an OUT of its own.
set -euo pipefail
if [ "${1:-}" = "--job" ]; then   # --job BIN OUT MIX SEED OFFSET STEPS
    bin=$2 out=$3 mix=$4 seed=$5 offset=$6 steps=$7 dir="$3/ck-$4-1M"
    if [ "$mix" = untrained ]; then   # one LM (seed 1, 0 tokens); SEED is the adaptation's
        dir="$3/ck-untrained"; mkdir -p "$dir"
        (flock 9; [ -s "$dir/xl-seed1-0.vmxckpt" ] || "$bin" train --size xl --mix balanced --tokens 2048 \
            --eval-at 0 --seed 1 --threads 1 --checkpoint-dir "$dir" > "$out/train-untrained.log" 2>&1) 9> "$dir/.lock"
        ck="$dir/xl-seed1-0.vmxckpt"
    else
        mkdir -p "$dir"
        # flock: two jobs of one LM must not both train it
        (flock 9
         [ -n "$(ls "$dir"/xl-seed"$seed"-*.vmxckpt 2>/dev/null)" ] ||
            "$bin" train --size xl --mix "$mix" --tokens 1M --seed "$seed" --threads 1 --eval-at 1M \
                --checkpoint-dir "$dir" > "$out/train-$mix-$seed.log" 2>&1) 9> "$dir/.lock-$seed"
        ck=$(ls "$dir"/xl-seed"$seed"-*.vmxckpt | tail -1)
    fi
    f="$out/adapt-$mix-$seed-$offset-$steps.json"
    # written aside and moved, so a killed job leaves no half file for the summary to trust
    what="$mix seed $seed, adaptation seed $((seed + offset)), $steps instruction steps"
    # A failed scoring is said and left out; the other jobs and the summary go on.
    [ -s "$f" ] || { "$bin" evaluate --weights "$ck" --seed $((seed + offset)) --threads 1 --json \
        --reasoning-multiplier 4 --instruct-steps "$steps" ${EXTRA:-} > "$f.part" 2> "$f.err" && mv "$f.part" "$f" && rm -f "$f.err"; } ||
        { echo "  FAILED: $what (see $f.err)"; exit 0; }
    echo "  done: $what"
    exit 0
fi
bin=${1:-.build/release/visionmix}
out=${2:-report/xl-noise}
mkdir -p "$out"
mixes="reasoning=0,visual=20 reasoning=25,visual=15 reasoning=50,visual=10 reasoning=75,visual=5 reasoning=100,visual=0"
echo "xl reasoning line: adaptation offsets ${OFFSETS:-0 10}, instruction steps ${STEPS:-480 1920}; two jobs side by side"
for steps in ${STEPS:-480 1920}; do for offset in ${OFFSETS:-0 10}; do for seed in 1 2 3; do for mix in $mixes; do
    echo "$mix $seed $offset $steps"
done; done; done
    if [ "${UNTRAINED:-1}" = 1 ]; then echo "untrained 1 0 $steps"; echo "untrained 2 0 $steps"; fi
done | xargs -P 2 -L 1 bash "$0" --job "$bin" "$out"

python3 - "$out" <<'EOF'
import json, sys, glob, math, os, statistics
out = sys.argv[1]
runs, untrained = {}, {}
for f in glob.glob(os.path.join(out, "adapt-*.json")):
    mix, seed, offset, steps = os.path.basename(f)[len("adapt-"):-5].rsplit("-", 3)
    try: result = json.load(open(f))
    except ValueError: print(f"skipped {f}: not a finished result"); continue
    if mix == "untrained": untrained.setdefault(int(steps), {})[int(seed)] = result; continue
    runs.setdefault((int(steps), int(offset)), {}).setdefault(mix, {})[int(seed)] = result
def share(mix): return int(mix.split(",")[0].split("=")[1])
def pooled(groups): v = [statistics.variance(g) for g in groups if len(g) > 1]; return math.sqrt(sum(v) / len(v)) if v else float("nan")
for metric in ("reasoning", "reasoning_curve", "vqa_avg", "perception"):
    print(f"\n{metric} at xl along the reasoning line (means over seeds; spread / pooled seed SD)")
    for steps in sorted({k[0] for k in runs}):
        offsets = sorted({k[1] for k in runs if k[0] == steps})
        ways = [([o], f"adaptation seed + {o}") for o in offsets]
        if len(offsets) > 1: ways.append((offsets, "mean of both adaptations"))
        for chosen, name in ways:
            first = runs[(steps, chosen[0])]
            try:   # a mixture or seed missing under one of the chosen offsets: no row
                groups = [[statistics.mean(runs[(steps, o)][m][s]["scores"][metric] for o in chosen) for s in sorted(first[m])]
                          for m in sorted(first, key=share)]
            except KeyError:
                continue
            means = [statistics.mean(g) for g in groups]; sd = pooled(groups); spread = max(means) - min(means)
            print(f"  {steps:>5} steps, {name:<24} " + " ".join(f"{x:5.1f}" for x in means) + f"   {spread:.2f} / {sd:.2f} = {spread / sd:.1f}x")
print("\nthe untrained xl LM (seed 1, 0 tokens), by adaptation seed")
for steps in sorted(untrained):
    for seed, r in sorted(untrained[steps].items()):
        print(f"  {steps:>5} steps, adaptation seed {seed}: " + ", ".join(f"{m} {r['scores'][m]:.1f}" for m in ("reasoning", "reasoning_curve", "vqa_avg", "perception")))
print("\nper-family means at adaptation seed + 0 (reasoning share 0 → 100%)")
for steps in sorted({k[0] for k in runs if k[1] == 0}):
    by = runs[(steps, 0)]; mixes = sorted(by, key=share)
    fams = sorted(next(iter(by[mixes[0]].values()))["families"])
    print(f"  {steps} steps")
    for fam in fams:
        print(f"    {fam:<17} " + " ".join(f"{statistics.mean(by[m][s]['families'][fam] for s in by[m]):5.1f}" for m in mixes))
EOF
