#!/usr/bin/env python3
"""How far two seeds of one size agree on the order of mixtures: the ceiling of `visionmix transfer`.

    python3 scripts/seed-agreement.py [--profile precise] CATEGORY FILE.csv [MORE.csv ...]

For each size at its largest budget, under one evaluation profile (`standard` unless given;
runs of other profiles are left out, as `transfer` keeps profiles apart within a scale), the
mixtures measured with seeds 1 and 2: Spearman's rho and the decision accuracy of seed 1's
order against seed 2's, ties treated as `transfer` treats them. No smaller size can order mixtures as a larger one does
more reliably than two seeds of the larger one agree with each other.
"""
import csv, itertools, sys
from collections import defaultdict
from scipy import stats

SIZE_OF_PARAMS = {20560: "xs", 53408: "s", 205248: "m", 529248: "l", 1373600: "xl"}
MIX_COLUMNS = ["web_crawl", "encyclopedia", "academia", "literature", "math", "code", "reasoning_pct", "visual_pct"]

def decision_accuracy(smaller, larger):
    credit = counted = 0
    for i, j in itertools.combinations(range(len(smaller)), 2):
        target = (larger[i] > larger[j]) - (larger[i] < larger[j])
        if target == 0:
            continue
        guess = (smaller[i] > smaller[j]) - (smaller[i] < smaller[j])
        counted += 1
        credit += 1 if guess == target else (0.5 if guess == 0 else 0)
    return credit / counted

def main(category, files, profile):
    scores = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))   # (params, tokens) -> mixture -> seed -> values
    for f in files:
        for r in csv.DictReader(open(f)):
            fields = r.get("run", "").split("|")
            if (fields[6] if len(fields) > 6 else "standard") != profile or not r.get(category):
                continue
            mixture = tuple(float(r[c]) if r.get(c) else None for c in MIX_COLUMNS)
            scores[(int(r["params"]), int(r["tokens"]))][mixture][r["seed"]].append(float(r[category]))
    largest = defaultdict(int)
    for params, tokens in scores:
        largest[params] = max(largest[params], tokens)
    print(f"{'size':<5} {'tokens':>8} {'mixtures':>8} {'spearman':>9} {'decision acc.':>14}")
    for params in sorted(largest):
        mixtures = scores[(params, largest[params])]
        both = [m for m in mixtures if "1" in mixtures[m] and "2" in mixtures[m]]
        if len(both) < 3:
            continue
        one = [sum(mixtures[m]["1"]) / len(mixtures[m]["1"]) for m in both]
        two = [sum(mixtures[m]["2"]) / len(mixtures[m]["2"]) for m in both]
        print(f"{SIZE_OF_PARAMS.get(params, params):<5} {largest[params]:>8} {len(both):>8} "
              f"{stats.spearmanr(one, two).statistic:>9.2f} {decision_accuracy(one, two):>14.2f}")

if __name__ == "__main__":
    args = sys.argv[1:]
    profile = "standard"
    if args[:1] == ["--profile"] and len(args) > 1:
        profile, args = args[1], args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    main(args[0], args[1:], profile)
