"""Summarizes a dedup benchmark run (JSON lines) into a table with ratios."""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
big = {r["tool"]: r for r in rows if r.get("case") == "large_100k" and "error" not in r}
print("\n100k contacts (same file, equivalent blocking)")
print("(seconds: from parsed CSV rows, field normalization included on every side; "
      "engine: the anchor without its pandas normalization)")
print(f"{'tool':15} {'seconds':>8} {'engine':>8} {'CPU s':>6} {'peak MB':>8} {'pw F1':>7} {'B3 F1':>7}")
for tool, r in big.items():
    engine = r.get("engine_seconds", r["seconds"])
    cpu = r.get("cpu_seconds")
    cpu = f"{cpu:6.2f}" if cpu is not None else f"{'':6}"
    print(f"{tool:15} {r['seconds']:8.2f} {engine:8.2f} {cpu} {r['peak_mb']:8.0f} {r['pairwise_f1']:7.4f} {r['bcubed_f1']:7.4f}")
for r in rows:
    if "error" in r:
        print(f"{r['tool']:15} {r['error']}")
ours = big.get("leadgen")
if ours:
    for tool in ("splink", "recordlinkage"):
        if tool in big:
            t = big[tool]
            print(f"leadgen vs {tool}: {t['seconds'] / ours['seconds']:.1f}x faster like-for-like "
                  f"({t.get('engine_seconds', t['seconds']) / ours['seconds']:.1f}x against its engine alone), "
                  f"F1 {ours['pairwise_f1']:.4f} vs {t['pairwise_f1']:.4f}")
kern = {(r["tool"], r["case"]): r for r in rows if r.get("case", "").startswith("kernel_")}
print("\nkernels (comparisons/s, one thread)")
for name in ("jaro_winkler", "levenshtein", "token_set"):
    a, b = kern.get(("leadgen", f"kernel_{name}")), kern.get(("rapidfuzz", f"kernel_{name}"))
    if a and b:
        print(f"{name:13} leadgen {a['per_second']:>12,.0f}  rapidfuzz cdist {b['per_second']:>12,.0f}  ratio {a['per_second'] / b['per_second']:.2f}")
loop = kern.get(("rapidfuzz", "kernel_jaro_winkler_python_loop"))
if loop:
    print(f"rapidfuzz called per pair from Python: {loop['per_second']:,.0f}/s")
for r in rows:
    if r.get("case") == "synthetic":
        print(f"\n1M synthetic: {r['seconds']:.1f} s (read {r['read_seconds']:.1f} s + dedup {r['dedup_seconds']:.1f} s, "
              f"dedup CPU {r.get('cpu_seconds', 0):.1f} s), "
              f"peak {r['peak_mb']:.0f} MB, pairwise F1 {r['pairwise_f1']:.4f}, B-cubed F1 {r['bcubed_f1']:.4f}")

import os
print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
