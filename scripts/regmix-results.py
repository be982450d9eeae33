#!/usr/bin/env python3
"""RegMix's published runs (sail-sg/regmix, data/*.csv, MIT) as one VisionMix results file.

RegMix keeps each set of runs in two files that join on `index`: the mixture weights over 17
Pile domains (`train_the_pile_<domain>`) and the validation losses on 13 of them
(`metric/the_pile_<domain>_val_loss`). This writes one wide CSV that `visionmix runs import`
reads: `run, params, tokens, weight_<domain>..., <domain>_loss...`, and with --sources the
catalogue of the 17 domains (examples/regmix/pile-sources.csv is its output).

  scripts/regmix-results.py MIXTURES.csv LOSSES.csv --params 1M --tokens 1B --name train_1m > runs.csv
  scripts/regmix-results.py MIXTURES.csv --sources > pile-sources.csv

Model sizes and token counts are not in the files; give them as RegMix's README states them
(1M and 60M models: about 1B tokens; 1B models: about 25B tokens).
"""
import argparse
import csv
import sys

WEIGHT_PREFIX = "train_the_pile_"
LOSS_PREFIX, LOSS_SUFFIX = "metric/the_pile_", "_val_loss"


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def domains(header):
    names = [h[len(WEIGHT_PREFIX):] for h in header if h.startswith(WEIGHT_PREFIX)]
    if not names:
        sys.exit(f"no {WEIGHT_PREFIX}<domain> columns in the mixture file")
    return names


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mixtures")
    p.add_argument("losses", nargs="?")
    p.add_argument("--params", help="model size, e.g. 1M")
    p.add_argument("--tokens", help="training tokens, e.g. 1B")
    p.add_argument("--name", default="regmix", help="run name prefix (the RegMix index follows)")
    p.add_argument("--rows", type=int, help="only the first ROWS runs (a slice for tests)")
    p.add_argument("--sources", action="store_true", help="write the catalogue of the domains instead")
    a = p.parse_args()

    mix_header, mix_rows = read(a.mixtures)
    names = domains(mix_header)
    out = csv.writer(sys.stdout, lineterminator="\n")
    if a.sources:
        out.writerow(["name"])
        for n in names:
            out.writerow([n])
        return
    if not (a.losses and a.params and a.tokens):
        sys.exit("give the losses file, --params and --tokens (or --sources)")
    loss_header, loss_rows = read(a.losses)
    loss_cols = [i for i, h in enumerate(loss_header) if h.startswith(LOSS_PREFIX) and h.endswith(LOSS_SUFFIX)]
    losses = {r[0]: r for r in loss_rows}
    weight_cols = [i for i, h in enumerate(mix_header) if h.startswith(WEIGHT_PREFIX)]

    print(f"# RegMix (Liu et al. 2024, sail-sg/regmix, MIT): {a.mixtures.split('/')[-1]} joined with "
          f"{a.losses.split('/')[-1]} on index; params and tokens as RegMix's README states them")
    out.writerow(["run", "params", "tokens"] + ["weight_" + n for n in names]
                 + [loss_header[i][len(LOSS_PREFIX):-len(LOSS_SUFFIX)] + "_loss" for i in loss_cols])
    rows = mix_rows[: a.rows] if a.rows else mix_rows
    for r in rows:
        index = r[0]
        if index not in losses:
            sys.exit(f"index {index} of the mixture file has no row in the losses file")
        out.writerow([f"{a.name}_{index}", a.params, a.tokens] + [r[i] for i in weight_cols]
                     + [losses[index][i] for i in loss_cols])


if __name__ == "__main__":
    main()
