#!/usr/bin/env bash
# Compares run designs on planted problems (a known law with a random optimum over the six
# sources, noise at the calibration's seed SD): the adaptive design of `design next` (from a
# maximin start) against RegMix's Dirichlet sampling and a simplex-lattice grid at equal numbers
# of runs, for a law of the shares and for a law of the per-source weights. Release build;
# PROBLEMS=50 by default (two to five minutes a space on two cores); GAP=10-30 for a larger
# optimum, START=grid|dirichlet for another adaptive start, EXPLORE=1 for one flat Dirichlet run
# in each adaptive round.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build-release.sh >&2
BIN=$(swift build -c release --show-bin-path)/visionmix
mkdir -p bench/out
for space in ${SPACES:-shares weights}; do
"$BIN" bench-design --problems "${PROBLEMS:-50}" --space "$space" --gap "${GAP:-2-6}" --start "${START:-maximin}" \
    --explore "${EXPLORE:-0}" > "bench/out/design-$space.json"
python3 - "bench/out/design-$space.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("\nplanted law of the %s; optimum %s seed SDs above the uniform mixture" % (r["space"], r["gap"]))
print("seed SD %.3f (%s at the largest size of %s, pooled over %d groups of seeds); %d planted problems; adaptive: %s start, %d runs a round, %d bootstrap refits"
      % (r["seed_sd"], r["category"], r["calibration"], r["seed_sd_groups"], r["problems"], r["start"], r["per_round"], r["bootstrap"]))
print("median regret of the recipe in seed SDs [quartiles], by runs:")
print("%-9s " % "runs" + " ".join("%17d" % t for t in r["schedule"]))
for k in ("adaptive", "dirichlet", "grid"):
    m = r["methods"][k]
    print("%-9s " % k + " ".join("%5.2f [%4.2f-%4.2f]" % x for x in zip(m["regret_median"], m["regret_q25"], m["regret_q75"])))
last = r["schedule"][-1]
fmt = lambda v: ">%d" % last if v is None else str(v)
print("runs to a regret under one seed SD: median [quartiles], problems reaching it within %d runs; runs from which it stays under one SD, the same; seconds" % last)
for k in ("adaptive", "dirichlet", "grid"):
    m = r["methods"][k]
    print("  %-9s %4s [%s-%s]  %d/%d   stays: %4s [%s-%s]  %d/%d  %.0f s" % (k, fmt(m.get("runs_median")), fmt(m.get("runs_q25")), fmt(m.get("runs_q75")), m["reached"], r["problems"],
          fmt(m.get("stay_median")), fmt(m.get("stay_q25")), fmt(m.get("stay_q75")), m["stayed"], r["problems"], m["seconds"]))
a, d = r["methods"]["adaptive"].get("runs_median"), r["methods"]["dirichlet"].get("runs_median")
half = a is not None and (d is None or 2 * a <= d)
print("half the runs of Dirichlet sampling: adaptive median %s ≤ half of Dirichlet's %s: %s" % (fmt(a), fmt(d), "yes" if half else "no"))
n = r["problems"]
print("against the grid: adaptive needs more runs than the grid on %d/%d problems (%.0f%%; ≤ 10%%: %s), to stay under one SD on %d/%d; its final regret exceeds the grid's by > 0.1 SD on %d/%d"
      % (r["adaptive_later_than_grid"], n, 100.0 * r["adaptive_later_than_grid"] / n, "yes" if r["adaptive_later_than_grid"] <= 0.1 * n else "no",
         r["adaptive_later_than_grid_to_stay"], n, r["adaptive_worse_than_grid_at_end"], n))
PY
done
