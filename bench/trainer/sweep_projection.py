"""Projects a preset's wall time on two cores from per-size costs measured in this run.

usage: sweep_projection.py RUNS.json MEASURED_DIR [WORKERS]

RUNS.json is `visionmix sweep show --preset P --runs --json` (each run with its unit of work and
its checkpoints' cost relative to the standard profile, both the runner's own); MEASURED_DIR
holds one `visionmix run ... --dry-run --json` result per size (cost-<size>.json: pre-training
of a known number of tokens, then one checkpoint adapted and evaluated under `standard`). The
units are handed, in spec order, to whichever worker is free first, as `sweep run --jobs
WORKERS` does."""
import glob, json, os, sys

runs = json.load(open(sys.argv[1]))
workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
cost = {}
for f in glob.glob(os.path.join(sys.argv[2], "cost-*.json")):
    size = os.path.basename(f)[5:-5]
    r = json.load(open(f))["runs"][0]
    w = r["wall_seconds"]
    cost[size] = {"pretrain_per_token": w["pretrain_so_far"] / r["tokens"], "checkpoint": w["checkpoint_total"]}

groups, index = [], {}
for run in runs:
    key = run["unit"]
    if key not in index:
        index[key] = len(groups)
        groups.append({"size": run["size"], "pretrain": cost[run["size"]]["pretrain_per_token"] * run["tokens"], "adapt": 0.0})
    g = groups[index[key]]
    g["adapt"] += len(run["checkpoints"]) * run["checkpoint_cost_scale"] * cost[run["size"]]["checkpoint"]

free = [0.0] * workers
for g in groups:
    i = free.index(min(free))
    free[i] += g["pretrain"] + g["adapt"]
total = sum(g["pretrain"] + g["adapt"] for g in groups)
by_size = {}
for g in groups:
    by_size[g["size"]] = by_size.get(g["size"], 0.0) + g["pretrain"] + g["adapt"]

print(f"{'size':<5} {'pre-training s/M tokens':>24} {'checkpoint s':>13} {'share of the sweep':>19}")
for s in ("xs", "s", "m", "l", "xl"):
    if s in cost:
        print(f"{s:<5} {cost[s]['pretrain_per_token'] * 1e6:>24.1f} {cost[s]['checkpoint']:>13.1f} {100 * by_size.get(s, 0) / total:>18.0f}%")
wall = max(free)
print(f"{len(runs)} runs in {len(groups)} pre-trainings: {total:,.0f} core-seconds; on {workers} workers "
      f"{wall:,.0f} s = {wall / 60:.1f} min projected ({100 * total / (workers * wall):.0f}% of the cores busy)")
json.dump({"runs": len(runs), "pretrainings": len(groups), "core_seconds": total, "workers": workers,
           "projected_wall_seconds": wall, "per_size": cost}, open(os.path.join(sys.argv[2], "projection.json"), "w"), indent=1)
