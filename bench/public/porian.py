"""Porian et al.'s isoFLOP points: fit L = E + A/N^a + B/D^b on the budgets up to 1e19 FLOPs
and predict the larger ones, with VisionMix's chinchilla_loss family and with scipy fitting
the same form as Epoch and Hoffmann et al. do (Huber, delta 1e-3, on log loss; L-BFGS-B from
a grid of starts). Prints each one's error on the held-out budgets and the compute-optimal
model size at each budget against the isoFLOP minimum.

usage: porian.py VISIONMIX_BINARY WORKDIR
"""
import csv, json, math, os, subprocess, sys

import numpy as np
from scipy.optimize import minimize
from scipy.special import huber, logsumexp

BIN, WORK = sys.argv[1], sys.argv[2]
DATA = os.path.join(os.path.dirname(__file__), "../../../shared/reference/public/porian-isoflop/summary_df_isoflop_points.csv")
CONFIG = "4"          # tuned hyperparameters, short warmup, constant schedule: Porian's final configuration
SPLIT = 1e19

rows = [r for r in csv.DictReader(open(DATA)) if r["config_idx"] == CONFIG]
pts = [(float(r["n_params"]), float(r["tokens"]), float(r["loss"]), float(r["flops"])) for r in rows]
train = [p for p in pts if p[3] <= SPLIT]
test = [p for p in pts if p[3] > SPLIT]
os.makedirs(WORK, exist_ok=True)
train_csv = os.path.join(WORK, "porian-train.csv")
with open(train_csv, "w") as f:
    f.write("run,params,tokens,loss\n")
    for i, (n, d, l, c) in enumerate(train):
        f.write(f"p{i},{n!r},{d!r},{l!r}\n")

# VisionMix: import, fit, read the fitted law back.
db = os.path.join(WORK, "porian.sqlite")
if os.path.exists(db):
    os.remove(db)
def vm(*args):
    return subprocess.run([BIN, *args, "--db", db], check=True, capture_output=True, text=True).stdout
vm("runs", "import", train_csv, "--source", "porian")
fit = json.loads(vm("fit", "--source", "porian", "--category", "loss", "--family", "chinchilla_loss", "--bootstrap", "0", "--json"))
law = fit["law"]
E, A, al, B, be = law["parameters"]
ns, ds = law["shape"]["n_scale"], law["shape"]["d_scale"]
def vm_loss(n, d):
    return E + A * (n / ns) ** -al + B * (d / ds) ** -be

# scipy, as Epoch fits it: parameters (a, b, e, alpha, beta) with A = e^a, B = e^b, E = e^e.
N = np.array([p[0] for p in train]); D = np.array([p[1] for p in train]); L = np.array([p[2] for p in train])
def objective(x):
    a, b, e, alpha, beta = x
    pred = logsumexp([a - alpha * np.log(N), b - beta * np.log(D), e * np.ones_like(N)], axis=0)
    return np.sum(huber(1e-3, pred - np.log(L)))
best = None
for alpha in [0.0, 0.5, 1.0, 1.5, 2.0]:
    for beta in [0.0, 0.5, 1.0, 1.5, 2.0]:
        for e in [-1.0, -0.5, 0.0, 0.5, 1.0]:
            for a in [0.0, 5.0, 10.0, 15.0, 20.0, 25.0]:
                for b in [0.0, 5.0, 10.0, 15.0, 20.0, 25.0]:
                    r = minimize(objective, [a, b, e, alpha, beta], method="L-BFGS-B")
                    if best is None or r.fun < best.fun:
                        best = r
a, b, e, alpha, beta = best.x
def sp_loss(n, d):
    return math.exp(e) + math.exp(a) * n ** -alpha + math.exp(b) * d ** -beta

def errors(f):
    res = [f(n, d) - l for n, d, l, _ in test]
    return np.mean(np.abs(res)), math.sqrt(np.mean(np.square(res)))
def optimal_n(f, c):
    # the size that minimises the law's loss at compute c (D = C / 6N), on a fine log grid
    grid = np.exp(np.linspace(math.log(1e5), math.log(1e11), 4000))
    return grid[np.argmin([f(n, c / (6 * n)) for n in grid])]

print(f"Porian et al. isoFLOP points, config {CONFIG}: {len(train)} points at <= {SPLIT:g} FLOPs fitted, {len(test)} held out above")
def huber_objective(f):
    # the objective both fits minimise, on the fitted points
    r = np.array([math.log(f(n, d)) - math.log(l) for n, d, l, _ in train])
    return float(np.sum(huber(1e-3, r)))
print(f"{'fit':<28}{'E':>8}{'alpha':>8}{'beta':>8}{'Huber objective':>17}{'held-out MAE':>15}{'RMSE':>10}")
for name, f, pe, pa, pb in [("visionmix chinchilla_loss", vm_loss, E, al, be), ("scipy (Huber on log loss)", sp_loss, math.exp(e), alpha, beta)]:
    mae, rmse = errors(f)
    print(f"{name:<28}{pe:8.3f}{pa:8.3f}{pb:8.3f}{huber_objective(f):17.9g}{mae:15.5f}{rmse:10.5f}")
print(f"ratio of held-out MAE (visionmix / scipy): {errors(vm_loss)[0] / errors(sp_loss)[0]:.4f}")
print(f"\n{'budget (FLOPs)':>16}{'isoFLOP min N':>16}{'visionmix N*':>15}{'scipy N*':>12}")
for c in sorted(set(p[3] for p in pts)):
    at = [p for p in pts if p[3] == c]
    n_min = min(at, key=lambda p: p[2])[0]
    print(f"{c:16.3g}{n_min:16.3g}{optimal_n(vm_loss, c):15.3g}{optimal_n(sp_loss, c):12.3g}")
