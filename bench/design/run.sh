#!/usr/bin/env bash
# Compares run designs on planted problems (a known law with a random optimum over the six
# sources, noise at the calibration's seed SD): the adaptive designs of `design next` (from a
# maximin start; --strategy regret as "adaptive", --strategy space-filling as "space_filling")
# against RegMix's Dirichlet sampling and a simplex-lattice grid at equal numbers of runs, for a law
# quadratic in the shares, one saturating in them, and one of the per-source weights. Release build;
# PROBLEMS=50 by default (two to five minutes a space on two cores); GAP=10-30 for a larger
# optimum, START=grid|dirichlet|central for another adaptive start (CENTRAL_SHARE=0.1: the share of
# the draws nearest the uniform mixture a central start spreads over), EXPLORE=1 for one flat Dirichlet run
# in each adaptive round, LOCAL_BANDWIDTH=H for the bandwidth the adaptive designs refit a law of the shares
# near its recipe with (0: none; `sweep run --adaptive --local-bandwidth`), LOCAL_FIXED=1 to refit the
# Dirichlet and grid designs' laws so too.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build-release.sh >&2
BIN=$(swift build -c release --show-bin-path)/visionmix
mkdir -p bench/out
for space in ${SPACES:-shares saturating-shares weights}; do
"$BIN" bench-design --problems "${PROBLEMS:-50}" --space "$space" --gap "${GAP:-2-6}" --start "${START:-maximin}" \
    --central-share "${CENTRAL_SHARE:-0.1}" --explore "${EXPLORE:-0}" --local-bandwidth "${LOCAL_BANDWIDTH:-0.15}" ${LOCAL_FIXED:+--local-fixed} \
    --plot "bench/out/design-$space-${GAP:-2-6}.svg" > "bench/out/design-$space-${GAP:-2-6}.json"
python3 - "bench/out/design-$space-${GAP:-2-6}.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("\nplanted %s; optimum %s seed SDs above the uniform mixture (plot: bench/out/design-%s-%s.svg)" % (r["law"], r["gap"], r["space"], r["gap"]))
print("seed SD %.3f (%s at the largest size of %s, pooled over %d groups of seeds); %d planted problems; adaptive: %s start, %d runs a round, %d bootstrap refits"
      % (r["seed_sd"], r["category"], r["calibration"], r["seed_sd_groups"], r["problems"], r["start"], r["per_round"], r["bootstrap"]))
h = r.get("local_bandwidth")
print("a law of the shares refitted near its recipe (bandwidth %.2f) by the adaptive designs%s" % (h, " and the Dirichlet and grid designs" if r.get("local_fixed") else "")
      if h else "every law fitted to every run alike")
print("median regret of the recipe in seed SDs [quartiles], by runs:")
print("%-13s " % "runs" + " ".join("%17d" % t for t in r["schedule"]))
methods = ("adaptive", "space_filling", "dirichlet", "grid")
for k in methods:
    m = r["methods"][k]
    print("%-13s " % k + " ".join("%5.2f [%4.2f-%4.2f]" % x for x in zip(m["regret_median"], m["regret_q25"], m["regret_q75"])))
last = r["schedule"][-1]
fmt = lambda v: ">%d" % last if v is None else str(v)
print("runs to a regret under one seed SD: median [quartiles], problems reaching it within %d runs; runs from which it stays under one SD, the same; seconds" % last)
for k in methods:
    m = r["methods"][k]
    print("  %-13s %4s [%s-%s]  %d/%d   stays: %4s [%s-%s]  %d/%d  %.0f s" % (k, fmt(m.get("runs_median")), fmt(m.get("runs_q25")), fmt(m.get("runs_q75")), m["reached"], r["problems"],
          fmt(m.get("stay_median")), fmt(m.get("stay_q25")), fmt(m.get("stay_q75")), m["stayed"], r["problems"], m["seconds"]))
n, d = r["problems"], r["methods"]["dirichlet"].get("runs_median")
for k in ("adaptive", "space_filling"):
    m = r["methods"][k]
    a = m.get("runs_median")
    half = a is not None and (d is None or 2 * a <= d)
    # A design cannot reach before its first fit: below twice that, "half" is out of any design's reach.
    floor = "" if half or d is None or d >= 2 * r["schedule"][0] else " (out of reach: the first fit takes %d runs)" % r["schedule"][0]
    print("%s: median runs %s, half of Dirichlet's %s or fewer: %s%s; needs more runs than the grid on %d/%d problems (%.0f%%; ≤ 10%%: %s), to stay under one SD on %d/%d; final regret above the grid's by > 0.1 SD on %d/%d"
          % (k, fmt(a), fmt(d), "yes" if half else "no", floor, m["later_than_grid"], n, 100.0 * m["later_than_grid"] / n,
             "yes" if m["later_than_grid"] <= 0.1 * n else "no", m["later_than_grid_to_stay"], n, m["worse_than_grid_at_end"], n))
PY
done
