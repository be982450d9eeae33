"""Marin's isoFLOP ladder on three datasets (comma, dclm, nemotron; Paloma macro loss): from
which budget on do the datasets come out in the order they have at the largest budget?

Two readings per budget b, for the budgets all three datasets share:
- measured: the order of the three isoFLOP minima at b (what a team would read off runs at b);
- VisionMix: `chinchilla_loss` fitted to each dataset's runs at budgets up to b, and the order
  of the three laws' compute-optimal losses at the largest budget (C = 6ND) - the prediction a
  team would make from runs up to b.
Both are compared with the measured order at the largest budget.

usage: marin.py VISIONMIX_BINARY WORKDIR
"""
import csv, json, math, os, re, subprocess, sys

import numpy as np

BIN, WORK = sys.argv[1], sys.argv[2]
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/reference/public/marin-isoflop")
DATASETS = ["comma", "dclm", "nemotron"]
os.makedirs(WORK, exist_ok=True)

runs = {}
for ds in DATASETS:
    rows = []
    for r in csv.DictReader(open(os.path.join(DATA, f"isoflop-{ds}.csv"))):
        m = re.match(r"isoflop-([0-9.e+]+)-", r["Name"])
        if not m:
            continue  # the ladder's separate runs at its predicted optimum, not isoFLOP points
        rows.append((float(m.group(1)), float(r["parameter_count"]), float(r["throughput/total_tokens"]),
                     float(r["eval/paloma/macro_loss"]), r["Name"]))
    runs[ds] = rows
budgets = sorted(set.intersection(*[{b for b, *_ in runs[ds]} for ds in DATASETS]))
largest = budgets[-1]


def order(values):
    return " < ".join(sorted(values, key=values.get))


def measured_minima(b):
    return {ds: min(l for bb, _, _, l, _ in runs[ds] if bb == b) for ds in DATASETS}


def law_optimum(ds, upto):
    """chinchilla_loss fitted by VisionMix on ds's runs at budgets <= upto; its loss at the
    compute-optimal split of the largest budget."""
    label = f"marin_{ds}_{upto:g}".replace("+", "").replace(".", "_")
    path = os.path.join(WORK, f"{label}.csv")
    with open(path, "w") as f:
        f.write("run,params,tokens,paloma_loss\n")
        for b, n, d, l, name in runs[ds]:
            if b <= upto:
                f.write(f"{name},{n!r},{d!r},{l!r}\n")
    db = os.path.join(WORK, "marin.sqlite")
    def vm(*args):
        return subprocess.run([BIN, *args, "--db", db], check=True, capture_output=True, text=True).stdout
    vm("runs", "import", path, "--source", label)
    fit = json.loads(vm("fit", "--source", label, "--category", "paloma_loss", "--family", "chinchilla_loss", "--bootstrap", "0", "--json"))
    fit = fit[0] if isinstance(fit, list) else fit
    E, A, al, B, be = fit["law"]["parameters"]
    ns, ds_ = fit["law"]["shape"]["n_scale"], fit["law"]["shape"]["d_scale"]
    N = np.logspace(6, 13, 4000)
    L = E + A * (N / ns) ** -al + B * (largest / (6 * N) / ds_) ** -be
    return float(L.min())


if os.path.exists(os.path.join(WORK, "marin.sqlite")):
    os.remove(os.path.join(WORK, "marin.sqlite"))
truth = order(measured_minima(largest))
print(f"Marin isoFLOP ladder: {', '.join(f'{ds} {len(runs[ds])} runs' for ds in DATASETS)}; "
      f"budgets shared {budgets[0]:g} to {largest:g} FLOPs; at {largest:g}: {truth}")
print(f"{'budget':>8}  {'measured order at the budget':<32} {'same':>4}  {'VisionMix: order at ' + format(largest, 'g') + ' from runs up to the budget':<52} {'same':>4}")
for b in budgets:
    seen = order(measured_minima(b))
    try:
        predicted = order({ds: law_optimum(ds, b) for ds in DATASETS})
        same = "yes" if predicted == truth else "no"
    except subprocess.CalledProcessError as e:
        predicted, same = "refused: " + (e.stderr.strip().splitlines() or ["?"])[-1].replace("Error: family chinchilla_loss ", ""), ""
    print(f"{b:>8g}  {seen:<32} {'yes' if seen == truth else 'no':>4}  {predicted:<52} {same:>4}")
