"""Merges bench/out/blas-<config>-<size>-<repeat>.json.part (from blas_alternatives.sh) into one
table, best of the repeats, each library's tokens/s against Debian's OpenBLAS measured in the
same run; writes bench/out/blas-alternatives.json.

usage: blas_report.py OUT "SIZES" REPEATS BLIS_ARCH CONFIG..."""
import json, os, sys

out, sizes, repeats, blis_arch, configs = sys.argv[1], sys.argv[2].split(), int(sys.argv[3]), sys.argv[4], sys.argv[5:]
names = {"debian-openblas": "OpenBLAS (Debian's, linked)", "blis": f"BLIS 0.9 ({blis_arch or 'its choice'})",
         "blis-skx": "BLIS 0.9 (skx, forced)", "pypi-openblas": "OpenBLAS (PyPI scipy-openblas32)"}


def load(path):
    try:
        return json.load(open(path)) if os.path.getsize(path) > 0 else None
    except (OSError, ValueError):
        return None


rows = []
for s in sizes:
    best = {}
    for c in configs:
        runs = [j for j in (load(f"{out}/blas-{c}-{s}-{r}.json.part") for r in range(1, repeats + 1)) if j]
        tps = [j["sizes"][0]["tokens_per_second"] for j in runs]
        best[c] = {"tokens_per_second": max(tps) if tps else None, "all": tps,
                   "kernels": runs[0]["blas"] if runs else None}
    base = best["debian-openblas"]["tokens_per_second"]
    for c in configs:
        t = best[c]["tokens_per_second"]
        best[c]["vs_debian_openblas"] = t / base if t and base else None
    rows.append({"size": s, "libraries": best})

json.dump({"repeats": repeats, "blis_arch": blis_arch, "rows": rows}, open(f"{out}/blas-alternatives.json", "w"), indent=1)
width = max(len(names[c]) for c in configs)
print(f"trainer tokens/s by BLAS library, best of {repeats} (all repeats in brackets)")
print(f"{'size':<5} {'library':<{width}} {'tokens/s':>9} {'vs Debian':>9}  repeats")
for row in rows:
    for c in configs:
        b = row["libraries"][c]
        t, v = b["tokens_per_second"], b["vs_debian_openblas"]
        print(f"{row['size']:<5} {names[c]:<{width}} {t or 0:>9.0f} {(f'{v:.2f}×' if v else '—'):>9}  "
              + " ".join(f"{x:.0f}" for x in b["all"]))
