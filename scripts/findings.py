#!/usr/bin/env python3
"""Tables for docs/findings.md from an exported calibration sweep (`visionmix runs export`).

    python3 scripts/findings.py FILE.csv [MORE.csv ...]            the sweep's tables (docs/findings.md)
    python3 scripts/findings.py --vision FILE.csv [MORE.csv ...]   balanced-mixture tables (docs/vision.md)

Every number is a mean over seeds of scores the trainer measured; `±` is the standard deviation
over seeds. Run names carry the run's identity: size|mixture|tokens|seed|encoder|checkpoints[|profile]; runs
under another evaluation profile than `standard` (`precise`) are tabled apart, since their
scores come from other questions.
"""
import csv, math, os, sys, statistics
from collections import defaultdict

# Parameter counts of the five sizes (World vocabulary), for runs stored without a name.
SIZE_OF_PARAMS = {20560: "xs", 53408: "s", 205248: "m", 529248: "l", 1373600: "xl"}
BALANCED = {"web_crawl": 0.4, "encyclopedia": 0.08, "academia": 0.05, "literature": 0.02, "math": 0.1, "code": 0.35}

def profile(r):
    parts = r["run"].split("|")
    return parts[6] if len(parts) > 6 else "standard"

def identity(r):
    """size, mixture, seed and encoder of a row: from the run's name (sweep runs), else from its
    columns (`visionmix run` before runs carried names; those were all object-encoder runs)."""
    if r["run"].count("|") >= 5:
        size, mix, _, seed, encoder = r["run"].split("|")[:5]
        return size, mix, seed, encoder
    weights = {k: float(r[k]) for k in BALANCED if r.get(k)}
    total = sum(weights.values()) or 1
    weights = {k: v / total for k, v in weights.items()}
    mix = "balanced" if weights and all(abs(weights[k] - v) < 1e-6 for k, v in BALANCED.items()) else \
        ",".join(f"{k}={v:g}" for k, v in weights.items())
    return SIZE_OF_PARAMS.get(int(float(r["params"])), r["params"]), mix, f"seed {r['seed']}", "object"

# Reasoning and visual shares of each source (the paper's classifier, Table 4), as VisionMix uses them.
TAGS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "reference", "paper-source-tags.csv")
TAGS = {t["source"]: (float(t["reasoning_pct"]), float(t["visual_pct"]))
        for t in csv.DictReader(l for l in open(TAGS_FILE) if not l.startswith("#"))}

def shares(r):
    """A row's reasoning and visual shares in percent: from its source weights, or, for a
    mixture given only by its shares, from the reasoning_pct/visual_pct columns the export writes."""
    w = {k: float(r[k]) for k in TAGS if r.get(k)}
    total = sum(w.values())
    if total:
        return (sum(w[k] * TAGS[k][0] for k in w) / total, sum(w[k] * TAGS[k][1] for k in w) / total)
    if r.get("reasoning_pct") and r.get("visual_pct"):
        return float(r["reasoning_pct"]), float(r["visual_pct"])
    return None, None

def load(path):
    rows = []
    for r in csv.DictReader(open(path)):
        size, mix, seed, encoder = identity(r)
        reasoning_pct, visual_pct = shares(r)
        rec = {"size": size, "mix": mix, "seed": seed, "encoder": encoder, "profile": profile(r),
               "params": float(r["params"]), "tokens": float(r["tokens"]),
               "reasoning_pct": reasoning_pct, "visual_pct": visual_pct}
        for k, v in r.items():
            if k not in rec and k != "run":
                try: rec[k] = float(v) if v != "" else None
                except ValueError: rec[k] = v
        rows.append(rec)
    return rows

def stats(xs):
    xs = [x for x in xs if x is not None]
    if not xs: return (float("nan"), float("nan"), 0)
    return (statistics.mean(xs), statistics.stdev(xs) if len(xs) > 1 else float("nan"), len(xs))

def cell(xs, digits=1):
    m, s, n = stats(xs)
    if math.isnan(m): return ""
    return f"{m:.{digits}f}" + (f" ± {s:.{digits}f}" if n > 1 else "")

def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)

def group(rows, key):
    g = defaultdict(list)
    for r in rows: g[key(r)].append(r)
    return g

SIZES = ["xs", "s", "m", "l", "xl"]
METRICS = ["vqa_avg", "vqa_avg_curve", "perception", "reasoning", "general", "knowledge", "ocr_chart", "vision_centric", "text_acc", "ppl"]

def spread_vs_noise(rows, metric):
    """Spread (max − min) of the per-mixture means against the pooled seed SD."""
    by = group(rows, lambda r: r["mix"])
    means, variances = [], []
    for mix, rs in by.items():
        xs = [r[metric] for r in rs if r.get(metric) is not None]
        if not xs: continue
        means.append((statistics.mean(xs), mix))
        if len(xs) > 1: variances.append(statistics.variance(xs))
    if len(means) < 2 or not variances: return None
    pooled = math.sqrt(statistics.mean(variances))
    hi, lo = max(means), min(means)
    return hi[0] - lo[0], pooled, hi, lo, len(means)

def anova(rows, metric):
    """One-way ANOVA of a score over mixtures: F and its p-value (scipy, if installed). The
    spread of many means grows with their number even when the mixtures do nothing; F does not."""
    groups = [[r[metric] for r in rs if r.get(metric) is not None] for rs in group(rows, lambda r: r["mix"]).values()]
    groups = [g for g in groups if g]
    n, k = sum(len(g) for g in groups), len(groups)
    if k < 2 or n <= k: return None
    grand = statistics.mean([x for g in groups for x in g])
    ssb = sum(len(g) * (statistics.mean(g) - grand) ** 2 for g in groups)
    ssw = sum((x - statistics.mean(g)) ** 2 for g in groups for x in g)
    if ssw == 0: return None
    f = (ssb / (k - 1)) / (ssw / (n - k))
    try:
        from scipy.stats import f as fdist
        p = float(fdist.sf(f, k - 1, n - k))
    except ImportError:
        p = float("nan")
    return f, k - 1, n - k, p

GROUPS = ["general", "knowledge", "ocr_chart", "vision_centric", "vqa_avg", "perception", "reasoning", "text_acc", "text_reasoning"]

def fmt_tokens(t):
    return "0" if t == 0 else (f"{t/1e3:.0f}K" if t < 1e6 else f"{t/1e6:g}M")

def vision_tables(rows):
    bal = [r for r in rows if r["mix"] == "balanced" and r["encoder"] == "object" and r["profile"] == "standard"]
    print("### Balanced mixture, every size (mean ± SD over seeds)\n")
    cols = ["general", "knowledge", "ocr_chart", "vision_centric", "vqa_avg", "vqa_avg_curve", "blind_vqa_avg",
            "perception", "reasoning", "text_acc", "text_reasoning", "ppl"]
    out = []
    for size in SIZES:
        for t in sorted({r["tokens"] for r in bal if r["size"] == size}):
            rs = [r for r in bal if r["size"] == size and r["tokens"] == t]
            out.append([size, fmt_tokens(t), len(rs)] + [cell([r.get(c) for r in rs]) for c in cols])
    print(table(["size", "tokens", "seeds"] + cols, out) + "\n")

    print("### Pre-training's gain on vqa_avg: 1M minus 0 tokens, per seed\n")
    out = []
    for size in SIZES:
        by = group([r for r in bal if r["size"] == size], lambda r: r["seed"])
        for seed, rs in sorted(by.items()):
            d = {r["tokens"]: r for r in rs}
            if 0 in d and 1e6 in d:
                out.append([size, seed, f"{d[0]['vqa_avg']:.1f} → {d[1e6]['vqa_avg']:.1f}", f"{d[1e6]['vqa_avg'] - d[0]['vqa_avg']:+.1f}",
                            f"{d[0]['vqa_avg_curve']:.1f} → {d[1e6]['vqa_avg_curve']:.1f}", f"{d[1e6]['vqa_avg_curve'] - d[0]['vqa_avg_curve']:+.1f}"])
    print(table(["size", "seed", "vqa_avg", "Δ", "vqa_avg curve mean", "Δ curve"], out) + "\n")

    print("### Seed noise: SD over seeds (sizes with three seeds)\n")
    out = []
    for size in SIZES:
        for t in sorted({r["tokens"] for r in bal if r["size"] == size}):
            rs = [r for r in bal if r["size"] == size and r["tokens"] == t]
            if len(rs) < 3: continue
            out.append([size, fmt_tokens(t), "final", len(rs)] + [f"{stats([r.get(g) for r in rs])[1]:.1f}" for g in GROUPS])
            out.append([size, fmt_tokens(t), "curve", len(rs)] + [f"{stats([r.get(g + '_curve') for r in rs])[1]:.1f}" for g in GROUPS])
    print(table(["size", "tokens", "scores", "seeds"] + GROUPS, out) + "\n")

    print("### Knowledge of held-out entities at 0 tokens (2 families × 120 questions, chance 25, binomial SD 2.8)\n")
    out = []
    for r in sorted([r for r in rows if r["tokens"] == 0], key=lambda r: (SIZES.index(r["size"]), r["seed"], r["encoder"])):
        out.append([r["size"], r["seed"], r["encoder"], f"{r['knowledge']:.1f}", f"{r['knowledge_curve']:.1f}"])
    print(table(["size", "seed", "encoder", "knowledge", "knowledge curve mean"], out) + "\n")

def main():
    args = sys.argv[1:]
    vision = "--vision" in args
    paths = [a for a in args if a != "--vision"]
    rows = [r for p in paths for r in load(p)]
    print(f"<!-- generated by scripts/findings.py from {', '.join(paths)}: {len(rows)} rows -->\n")
    if vision:
        vision_tables(rows)
        return
    top = max(r["tokens"] for r in rows)
    final = [r for r in rows if r["tokens"] == top]

    print("### Scaling design (mean ± SD over seeds)\n")
    hdr = ["size", "mixture", "tokens"] + METRICS
    out = []
    for size in SIZES:
        for mix in ["balanced", "language_favorable", "web_crawl"]:
            for t in sorted({r["tokens"] for r in rows if r["size"] == size and r["mix"] == mix}):
                rs = [r for r in rows if r["size"] == size and r["mix"] == mix and r["tokens"] == t and r["profile"] == "standard"]
                if not rs: continue
                out.append([size, mix, fmt_tokens(t)] + [cell([r.get(m) for r in rs]) for m in METRICS])
    print(table(hdr, out) + "\n")

    for size in SIZES:
        for encoder, prof in sorted({(r["encoder"], r["profile"]) for r in final}):
            sub = [r for r in final if r["size"] == size and r["encoder"] == encoder and r["profile"] == prof]
            if len({r["mix"] for r in sub}) < 2: continue
            print(f"### Mixtures at {size}, {encoder} encoder, {prof} evaluation ({len({r['mix'] for r in sub})} mixtures, {fmt_tokens(top)} tokens; best vqa_avg first)\n")
            by = group(sub, lambda r: r["mix"])
            order = sorted(by, key=lambda m: -statistics.mean([r["vqa_avg"] for r in by[m]]))
            hdr = ["mixture", "reasoning %", "visual %"] + METRICS
            out = []
            for mix in order:
                rs = by[mix]
                out.append([mix, f"{rs[0]['reasoning_pct']:.1f}" if rs[0].get("reasoning_pct") is not None else "",
                            f"{rs[0]['visual_pct']:.1f}" if rs[0].get("visual_pct") is not None else ""] + [cell([r.get(m) for r in rs]) for m in METRICS])
            print(table(hdr, out) + "\n")
            print("Spread of each score across these mixtures against its seed noise:\n")
            out = []
            for m in ["reasoning", "reasoning_curve", "perception", "perception_curve", "vqa_avg", "vqa_avg_curve", "text_acc"]:
                sp, av = spread_vs_noise(sub, m), anova(sub, m)
                if sp: out.append([m, f"{sp[0]:.1f}", f"{sp[1]:.2f}", f"{sp[0]/sp[1]:.1f}" if sp[1] > 0 else "∞",
                                   f"F({av[1]},{av[2]}) = {av[0]:.1f}, p = {av[3]:.2g}" if av else "",
                                   f"{sp[2][1]} ({sp[2][0]:.1f})", f"{sp[3][1]} ({sp[3][0]:.1f})"])
            print(table(["score", "spread (max − min of means)", "pooled seed SD", "spread / SD", "ANOVA over mixtures",
                         "highest", "lowest"], out) + "\n")

if __name__ == "__main__":
    main()
