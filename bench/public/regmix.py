"""RegMix's runs over the 17 Pile domains: fit the 512 training mixtures at 1M with VisionMix
(`fit` chooses among its mixture models by cross-validation) and with RegMix's own regressor,
LightGBM with RegMix's hyperparameters (gbdt, learning rate 0.01, 1,000 rounds, seed 42);
predict the 256 held-out mixtures, and rank them against their measured losses at 1M and at
60M (the same mixtures trained 60 times larger). Prints Spearman's rho and the pairwise
decision accuracy (the share of mixture pairs ordered as measured) of both.

Targets: Pile-CC's validation loss, and the mean of the 13 domain losses (a column this
bench adds to both files; RegMix reports the same average).

usage: regmix.py VISIONMIX_BINARY WORKDIR
"""
import csv, itertools, json, os, subprocess, sys

import numpy as np
import lightgbm as lgb
from scipy.stats import spearmanr

BIN, WORK = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "../..")
DATA = os.path.join(ROOT, "../shared/reference/public/regmix")
TARGETS = ["pile_cc_loss", "mean_loss"]
os.makedirs(WORK, exist_ok=True)


def results_file(split, size, params):
    """RegMix's paired files as one VisionMix results file, with the mean domain loss added."""
    out = subprocess.run([sys.executable, os.path.join(ROOT, "scripts/regmix-results.py"),
                          f"{DATA}/{split}_mixture_{size}.csv", f"{DATA}/{split}_pile_loss_{size}.csv",
                          "--params", params, "--tokens", "1B", "--name", f"{split}_{size}"],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    comment, rows = out[0], list(csv.reader(out[1:]))
    losses = [i for i, h in enumerate(rows[0]) if h.endswith("_loss")]
    path = os.path.join(WORK, f"regmix-{split}-{size}.csv")
    with open(path, "w", newline="") as f:
        f.write(comment + "; mean_loss is the mean of the domain losses\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(rows[0] + ["mean_loss"])
        for r in rows[1:]:
            w.writerow(r + [repr(float(np.mean([float(r[i]) for i in losses])))])
    return path


def read(path):
    rows = list(csv.DictReader(l for l in open(path) if not l.startswith("#")))
    weights = [k for k in rows[0] if k.startswith("weight_")]
    X = np.array([[float(r[k]) for k in weights] for r in rows])
    return rows, weights, X / X.sum(axis=1, keepdims=True)


def decision_accuracy(pred, measured):
    pairs = [(i, j) for i, j in itertools.combinations(range(len(pred)), 2) if measured[i] != measured[j]]
    return sum((pred[i] - pred[j]) * (measured[i] - measured[j]) > 0 for i, j in pairs) / len(pairs)


train = results_file("train", "1m", "1M")
tests = {"1M": results_file("test", "1m", "1M"), "60M": results_file("test", "60m", "60M")}
db = os.path.join(WORK, "regmix.sqlite")
if os.path.exists(db):
    os.remove(db)
def vm(*args):
    return subprocess.run([BIN, *args, "--db", db], check=True, capture_output=True, text=True).stdout
vm("runs", "import", train, "--source", "regmix", "--sources", os.path.join(ROOT, "examples/regmix/pile-sources.csv"))
chosen = {}
for t in TARGETS:
    fit = json.loads(vm("fit", "--source", "regmix", "--category", t, "--json"))
    fit = fit[0] if isinstance(fit, list) else fit
    chosen[t] = fit["family"]

test_rows, names, X_test = read(tests["1M"])
vm_pred = {t: [] for t in TARGETS}
for r in test_rows:
    mix = ",".join(f"{n[len('weight_'):]}={float(r[n]):.10g}" for n in names)
    scores = json.loads(vm("predict", "--source", "regmix", "--mix", mix, "--params", "1M", "--tokens", "1B", "--json"))["scores"]
    for t in TARGETS:
        vm_pred[t].append(scores[t]["value"])

train_rows, train_names, X_train = read(train)
assert train_names == names
print(f"RegMix: {len(train_rows)} training mixtures at 1M, {len(test_rows)} held out; LightGBM {lgb.__version__}")
print(f"{'target':<14} {'measured at':<11} {'VisionMix model':<16} {'rho VM':>7} {'rho LGBM':>8} {'acc VM':>7} {'acc LGBM':>8}")
for t in TARGETS:
    y = np.array([float(r[t]) for r in train_rows])
    booster = lgb.train(dict(boosting_type="gbdt", objective="regression", learning_rate=1e-2, seed=42, verbosity=-1),
                        lgb.Dataset(X_train, y), num_boost_round=1000)
    lgb_pred = booster.predict(X_test)
    for scale, path in tests.items():
        rows, test_names, _ = read(path)
        assert test_names == names and [r["run"].split("_")[-1] for r in rows] == [r["run"].split("_")[-1] for r in test_rows]
        measured = [float(r[t]) for r in rows]
        print(f"{t:<14} {scale:<11} {chosen[t]:<16} {spearmanr(vm_pred[t], measured).correlation:7.4f} "
              f"{spearmanr(lgb_pred, measured).correlation:8.4f} {decision_accuracy(vm_pred[t], measured):7.4f} "
              f"{decision_accuracy(lgb_pred, measured):8.4f}")
