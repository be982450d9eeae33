#!/usr/bin/env python3
"""A small external trainer for `visionmix` sweeps (docs/cluster.md, "External trainers").

What it computes, honestly: each of the six text sources is a synthetic language, a random
first-order Markov chain over a shared 64-token vocabulary (seeded by the source's name, so
the languages are fixed). Pre-training text is drawn from the mixture: every 32-token document
comes from one source, picked with the mixture's weights. The "model" is a bigram table with
add-one-half smoothing whose contexts are hashed into `--params` buckets, so a smaller model
confuses more contexts and fits worse. At each checkpoint budget it measures the model's
cross-entropy (nats per token) on 2,000 held-out tokens of every source, and the mean over
sources. Nothing is a formula of the mixture: the losses are measured on held-out text, and
they depend on the weights only through the data the model was trained on.

    python3 train_ngram.py --params 20000 --tokens 8000 --checkpoints 0,4000,8000 \\
        --weights weights.json --seed 1 --out result.json

`--weights` names a JSON object of source fractions ({"web_crawl": 0.4, ...}). The result is
the external-trainer result file: {"params": N, "checkpoints": [{"tokens": T, "scores": {...}}]}.
Standard library only.
"""
import argparse
import json
import math
import os
import random
import sys

SOURCES = ["web_crawl", "encyclopedia", "academia", "literature", "math", "code"]
VOCAB = 64
DOC = 32
HELD_OUT = 2000


def language(name):
    """A source's Markov chain: for each token, a skewed distribution over the next token."""
    rng = random.Random("language:" + name)
    rows = []
    for _ in range(VOCAB):
        weights = [rng.random() ** 6 for _ in range(VOCAB)]
        total = sum(weights)
        rows.append([w / total for w in weights])
    return rows


def sample(chain, n, rng, start=None):
    out = [start if start is not None else rng.randrange(VOCAB)]
    while len(out) < n:
        out.append(rng.choices(range(VOCAB), weights=chain[out[-1]])[0])
    return out


class HashedBigram:
    def __init__(self, buckets):
        self.buckets = max(1, buckets // VOCAB)  # each bucket holds a row of next-token counts
        self.counts = [[0] * VOCAB for _ in range(self.buckets)]
        self.totals = [0] * self.buckets

    def bucket(self, token):
        return (token * 2654435761) % self.buckets

    def train(self, tokens):
        for a, b in zip(tokens, tokens[1:]):
            h = self.bucket(a)
            self.counts[h][b] += 1
            self.totals[h] += 1

    def loss(self, tokens):
        nll = 0.0
        for a, b in zip(tokens, tokens[1:]):
            h = self.bucket(a)
            p = (self.counts[h][b] + 0.5) / (self.totals[h] + 0.5 * VOCAB)
            nll -= math.log(p)
        return nll / (len(tokens) - 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--params", type=float, required=True)
    ap.add_argument("--tokens", type=float, required=True)
    ap.add_argument("--checkpoints", required=True, help="comma-separated token budgets")
    ap.add_argument("--weights", required=True, help="JSON file of source fractions")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    with open(args.weights) as f:
        weights = json.load(f)
    budgets = sorted(int(float(c)) for c in args.checkpoints.split(",") if c)
    chains = {s: language(s) for s in SOURCES}
    held = {s: sample(chains[s], HELD_OUT, random.Random(f"held-out:{s}")) for s in SOURCES}
    rng = random.Random(args.seed)
    model = HashedBigram(int(args.params))
    mix = [weights.get(s, 0.0) for s in SOURCES]

    results, trained = [], 0
    for budget in budgets:
        while trained < budget:
            source = rng.choices(SOURCES, weights=mix)[0]
            doc = sample(chains[source], min(DOC, budget - trained + 1), rng)
            model.train(doc)
            trained += len(doc) - 1
        scores = {f"loss_{s}": model.loss(held[s]) for s in SOURCES}
        scores["loss_mean"] = sum(scores.values()) / len(SOURCES)
        results.append({"tokens": budget, "scores": scores})
        print(f"checkpoint {budget}: mean held-out loss {scores['loss_mean']:.4f}", flush=True)

    # Written whole or not at all: the worker reads the file only after this process exits.
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"params": model.buckets * VOCAB, "checkpoints": results}, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, args.out)


if __name__ == "__main__":
    sys.exit(main())
