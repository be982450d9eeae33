"""Merges bench/out/trainer-*.json into one table (best of the repeats) and writes
bench/out/trainer-summary.json."""
import glob, json, os, sys

out, repeats, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sizes = ["xs", "s", "m", "l", "xl"]
rows, peak = [], 0.0
for s in sizes:
    sw = [json.load(open(f)) for f in sorted(glob.glob(f"{out}/trainer-swift-{s}-*.json"))]
    th = [json.load(open(f))[0] for f in sorted(glob.glob(f"{out}/trainer-torch-{s}-*.json")) if os.path.getsize(f) > 0]
    best = max(sw, key=lambda j: j["sizes"][0]["tokens_per_second"])
    row = dict(best["sizes"][0])
    peak = max(peak, max(j["peak_sgemm_gflops"] for j in sw))
    row["torch_tokens_per_second"] = max((t["tokens_per_second"] for t in th), default=None)
    rows.append(row)
for r in rows:  # MFU against the best peak measured in the whole run
    r["mfu"] = r["model_gflops"] / peak
    t = r["torch_tokens_per_second"]
    r["ratio_vs_torch"] = r["tokens_per_second"] / t if t else None
rss = json.load(open(f"{out}/trainer-rss-xl.json"))["peak_rss_mib"]
summary = {"threads": threads, "peak_sgemm_gflops": peak, "sizes": rows, "xl_peak_rss_mib": rss}
json.dump(summary, open(f"{out}/trainer-summary.json", "w"), indent=1)
print(f"OpenBLAS peak sgemm: {peak:.1f} GFLOP/s on {threads} thread(s) (best of the run)")
print("| size | params | B×T | Swift tokens/s | model GFLOP/s | MFU | PyTorch tokens/s | Swift / PyTorch |")
print("|---|---:|---|---:|---:|---:|---:|---:|")
for r in rows:
    t = r["torch_tokens_per_second"]
    print(f"| {r['name']} | {r['parameters']} | {r['batch']}×{r['context']} | {r['tokens_per_second']:.0f} | "
          f"{r['model_gflops']:.1f} | {100*r['mfu']:.1f}% | " + (f"{t:.0f} | {r['tokens_per_second']/t:.2f}× |" if t else "— | — |"))
print(f"xl peak resident memory over a 300K-token run: {rss:.0f} MiB")
