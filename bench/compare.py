#!/usr/bin/env python3
"""Side-by-side table of `transfer4j bench --output dl4j.json` and `pytorch_peer.py --output pytorch.json`.

    python3 bench/compare.py DL4J.json PYTORCH.json > results.md

Ratios are DL4J / PyTorch throughput (> 1: transfer4j is faster). "% peak" is achieved model GFLOP/s over the
same runtime's measured SGEMM GFLOP/s. The targets from issue 8 are checked at the end.
"""
import json
import sys

TARGETS = [  # (workload, model, minimum DL4J/PyTorch ratio)
    ("infer", "resnet50", 1.5), ("finetune", "resnet50", 1.5),
    ("infer", "vgg16", 1.0), ("finetune", "vgg16", 1.0),
]


def load(path):
    with open(path) as f:
        doc = json.load(f)
    return doc, {(r["workload"], r["model"]): r for r in doc["results"]}


def mib(b):
    return "-" if b is None or b < 0 else f"{b / 2**20:,.0f} MiB"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare.py DL4J.json PYTORCH.json")
    jd, j = load(sys.argv[1])
    td, t = load(sys.argv[2])
    jpeak, tpeak = jd.get("sgemm_gflops") or 0, td.get("sgemm_gflops") or 0
    print(f"DL4J side: {jd['runtime']}, {jd['threads']} threads; PyTorch side: {td['runtime']}, {td['threads']} threads")
    print()
    print("| workload | model | transfer4j img/s | PyTorch img/s | ratio | transfer4j % SGEMM peak | PyTorch % SGEMM peak "
          "| transfer4j peak RSS | PyTorch peak RSS |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    keys = [k for k in j if k in t] + [k for k in j if k not in t] + [k for k in t if k not in j]
    for k in keys:
        a, b = j.get(k), t.get(k)
        if k[0] == "sgemm":
            ratio = f"{a['gflops'] / b['gflops']:.2f}" if a and b and b["gflops"] else "-"
            print(f"| sgemm (GFLOP/s) | - | {a['gflops'] if a else 0:.1f} | {b['gflops'] if b else 0:.1f} | {ratio} "
                  f"| 100 % | 100 % | {mib(a and a['peak_rss_bytes'])} | {mib(b and b['peak_rss_bytes'])} |")
            continue
        ai = a["images_per_second"] if a else None
        bi = b["images_per_second"] if b else None
        ratio = f"**{ai / bi:.2f}**" if ai and bi else "-"
        ap = f"{100 * a['gflops'] / jpeak:.0f} %" if a and a["gflops"] and jpeak else "-"
        bp = f"{100 * b['gflops'] / tpeak:.0f} %" if b and b["gflops"] and tpeak else "-"
        print(f"| {k[0]} | {k[1]} | {ai if ai is not None else float('nan'):.2f} | "
              f"{bi if bi is not None else float('nan'):.2f} | {ratio} | {ap} | {bp} | "
              f"{mib(a and a['peak_rss_bytes'])} | {mib(b and b['peak_rss_bytes'])} |")
    print()
    for model in sorted({k[1] for k in j if k[1] != "-"}):
        for side, d in (("transfer4j", j), ("PyTorch", t)):
            c, u = d.get(("head-cached", model)), d.get(("head", model))
            if c and u:
                print(f"- {side} {model}: a feature-cached head epoch is {c['images_per_second'] / u['images_per_second']:.0f}x "
                      f"faster than an uncached one ({c['images_per_second']:.0f} vs {u['images_per_second']:.2f} img/s)")
    print()
    print("Targets (issue 8):")
    for w, m, need in TARGETS:
        a, b = j.get((w, m)), t.get((w, m))
        if a and b:
            r = a["images_per_second"] / b["images_per_second"]
            print(f"- {w} {m}: {r:.2f}x PyTorch, target >= {need}x: {'MET' if r >= need else 'NOT MET'}")
    for model in sorted({k[1] for k in j if k[1] != "-"}):
        c, u = j.get(("head-cached", model)), j.get(("head", model))
        if c and u:
            r = c["images_per_second"] / u["images_per_second"]
            print(f"- head-cached vs head {model}: {r:.0f}x, target >= 20x: {'MET' if r >= 20 else 'NOT MET'}")
    a, b = j.get(("finetune", "vgg16")), t.get(("finetune", "vgg16"))
    if a and b and a["peak_rss_bytes"] > 0 and b["peak_rss_bytes"] > 0:
        ok = a["peak_rss_bytes"] <= b["peak_rss_bytes"]
        print(f"- peak RSS VGG16 full fine-tune: {mib(a['peak_rss_bytes'])} vs {mib(b['peak_rss_bytes'])}: "
              f"{'MET' if ok else 'NOT MET'} (JVM RSS includes the heap the JVM has grown to)")


if __name__ == "__main__":
    main()
