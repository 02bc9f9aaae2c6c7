#!/usr/bin/env python3
"""Side-by-side table of `transfer4j bench --output dl4j.json` and `pytorch_peer.py --output pytorch.json`.

    python3 bench/compare.py DL4J.json PYTORCH.json > results.md

Ratios are DL4J / PyTorch throughput (> 1: transfer4j is faster). "% peak" is achieved model GFLOP/s over the
same runtime's measured SGEMM GFLOP/s. Inference rows also compare with tuned PyTorch (`infer-tuned`:
torch.jit.freeze + optimize_for_inference, channels-last). The recipe (time-to-model) rows get their own table:
wall time to the trained model, per phase, final validation loss/accuracy, peak RSS; speed-up = PyTorch wall /
transfer4j wall. The targets from issues 8 and 12 are checked at the end (MET / NOT MET).
"""
import json
import sys

TARGETS = [  # issue 8: (workload, model, minimum DL4J/PyTorch ratio)
    ("infer", "resnet50", 1.5), ("finetune", "resnet50", 1.5),
    ("infer", "vgg16", 1.0), ("finetune", "vgg16", 1.0),
]
RECIPE_TARGETS = {"recipe-plain": 2.0, "recipe-aug": 1.0}  # issue 12: minimum PyTorch wall / transfer4j wall
INFER_TARGETS = (1.2, 1.0)  # issue 12: inference vs PyTorch eager, vs tuned PyTorch
RSS_TARGETS = (("head", "resnet50", 1.5), ("finetune", "vgg16", 1.3))  # issue 12: max transfer4j / PyTorch peak RSS


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
    print("| workload | model | transfer4j img/s | PyTorch img/s | ratio | tuned PyTorch img/s | ratio vs tuned "
          "| transfer4j % SGEMM peak | PyTorch % SGEMM peak | transfer4j peak RSS | PyTorch peak RSS |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    kernel = lambda k: not k[0].startswith("recipe") and k[0] != "infer-tuned"
    keys = [k for k in j if k in t and kernel(k)] + [k for k in j if k not in t and kernel(k)] \
        + [k for k in t if k not in j and kernel(k)]
    for k in keys:
        a, b = j.get(k), t.get(k)
        if k[0] == "sgemm":
            ratio = f"{a['gflops'] / b['gflops']:.2f}" if a and b and b["gflops"] else "-"
            print(f"| sgemm (GFLOP/s) | - | {a['gflops'] if a else 0:.1f} | {b['gflops'] if b else 0:.1f} | {ratio} "
                  f"| - | - | 100 % | 100 % | {mib(a and a['peak_rss_bytes'])} | {mib(b and b['peak_rss_bytes'])} |")
            continue
        ai = a["images_per_second"] if a else None
        bi = b["images_per_second"] if b else None
        ratio = f"**{ai / bi:.2f}**" if ai and bi else "-"
        tu = t.get(("infer-tuned", k[1])) if k[0] == "infer" else None
        ti = tu["images_per_second"] if tu else None
        tuned = f"{ti:.2f}" if ti else "-"
        tratio = f"**{ai / ti:.2f}**" if ai and ti else "-"
        ap = f"{100 * a['gflops'] / jpeak:.0f} %" if a and a["gflops"] and jpeak else "-"
        bp = f"{100 * b['gflops'] / tpeak:.0f} %" if b and b["gflops"] and tpeak else "-"
        print(f"| {k[0]} | {k[1]} | {ai if ai is not None else float('nan'):.2f} | "
              f"{bi if bi is not None else float('nan'):.2f} | {ratio} | {tuned} | {tratio} | {ap} | {bp} | "
              f"{mib(a and a['peak_rss_bytes'])} | {mib(b and b['peak_rss_bytes'])} |")
    recipe(j, t)
    print()
    for model in sorted({k[1] for k in j if k[1] != "-"}):
        for side, d in (("transfer4j", j), ("PyTorch", t)):
            c, u = d.get(("head-cached", model)), d.get(("head", model))
            if c and u:
                print(f"- {side} {model}: a feature-cached head epoch is {c['images_per_second'] / u['images_per_second']:.0f}x "
                      f"faster than an uncached one ({c['images_per_second']:.0f} vs {u['images_per_second']:.2f} img/s)")
    lines = []  # a section is printed only when it has a line (a run without issue 8's workloads)
    for w, m, need in TARGETS:
        a, b = j.get((w, m)), t.get((w, m))
        if a and b:
            r = a["images_per_second"] / b["images_per_second"]
            lines.append(f"- {w} {m}: {r:.2f}x PyTorch, target >= {need}x: {'MET' if r >= need else 'NOT MET'}")
    for model in sorted({k[1] for k in j if k[1] != "-"}):
        c, u = j.get(("head-cached", model)), j.get(("head", model))
        if c and u:
            r = c["images_per_second"] / u["images_per_second"]
            lines.append(f"- head-cached vs head {model}: {r:.0f}x, target >= 20x: {'MET' if r >= 20 else 'NOT MET'}")
    a, b = j.get(("finetune", "vgg16")), t.get(("finetune", "vgg16"))
    if a and b and a["peak_rss_bytes"] > 0 and b["peak_rss_bytes"] > 0:
        ok = a["peak_rss_bytes"] <= b["peak_rss_bytes"]
        lines.append(f"- peak RSS VGG16 full fine-tune: {mib(a['peak_rss_bytes'])} vs {mib(b['peak_rss_bytes'])}: "
                     f"{'MET' if ok else 'NOT MET'} (JVM RSS includes the heap the JVM has grown to)")
    section("Targets (issue 8):", lines)
    lines = []
    for (w, m), a in sorted(j.items()):
        b = t.get((w, m))
        if w in RECIPE_TARGETS and b and a.get("extra") and b.get("extra"):
            r = b["extra"]["wall_s"] / a["extra"]["wall_s"]
            need = RECIPE_TARGETS[w]
            lines.append(f"- {w} {m}: {r:.2f}x faster to the trained model than PyTorch, target >= {need}x: "
                         f"{'MET' if r >= need else 'NOT MET'}")
    for m in sorted({k[1] for k in j if k[0] == "infer"}):
        a, b, tu = j.get(("infer", m)), t.get(("infer", m)), t.get(("infer-tuned", m))
        for other, need, label in ((b, INFER_TARGETS[0], "PyTorch eager"), (tu, INFER_TARGETS[1], "tuned PyTorch")):
            if a and other:
                r = a["images_per_second"] / other["images_per_second"]
                lines.append(f"- infer {m}: {r:.2f}x {label}, target >= {need}x: {'MET' if r >= need else 'NOT MET'}")
        h = j.get(("head", m))
        if a and h:
            ok = a["images_per_second"] >= h["images_per_second"]
            lines.append(f"- infer {m} vs transfer4j's own frozen-body step: {a['images_per_second']:.2f} vs "
                         f"{h['images_per_second']:.2f} img/s, target no slower: {'MET' if ok else 'NOT MET'}")
    for w, m, limit in RSS_TARGETS:
        a, b = j.get((w, m)), t.get((w, m))
        if a and b and a["peak_rss_bytes"] > 0 and b["peak_rss_bytes"] > 0:
            r = a["peak_rss_bytes"] / b["peak_rss_bytes"]
            lines.append(f"- peak RSS {w} {m}: {mib(a['peak_rss_bytes'])} vs {mib(b['peak_rss_bytes'])} = {r:.2f}x, "
                         f"target <= {limit}x: {'MET' if r <= limit else 'NOT MET'}")
    section("Targets (issue 12):", lines)


def section(title, lines):
    """Prints a titled list of target lines, or nothing when the run measured none of them."""
    if lines:
        print()
        print(title)
        print("\n".join(lines))


def recipe(j, t):
    """The time-to-model table: one row per (model, variant) measured on either side."""
    keys = sorted({k for k in list(j) + list(t) if k[0].startswith("recipe")}, key=lambda k: (k[1], k[0]))
    if not keys:
        return
    print()
    print("Time to model (the Keras recipe: head epochs, then top group + head; same split, same batch and size):")
    print()
    print("| model | variant | epochs | transfer4j wall (setup + head + top) | PyTorch wall (setup + head + top) | speed-up "
          "| transfer4j val loss / acc | PyTorch val loss / acc | transfer4j peak RSS | PyTorch peak RSS |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")

    def cell(r):
        if not r or not r.get("extra"):
            return "-", "-"
        e = r["extra"]
        return (f"{e['wall_s']:.1f} s ({e.get('setup_s', 0):.1f} + {e['head_s']:.1f} + {e['finetune_s']:.1f})",
                f"{e['val_loss']:.3f} / {100 * e['val_accuracy']:.0f} %")
    for k in keys:
        a, b = j.get(k), t.get(k)
        (aw, av), (bw, bv) = cell(a), cell(b)
        sp = (f"**{b['extra']['wall_s'] / a['extra']['wall_s']:.2f}**"
              if a and b and a.get("extra") and b.get("extra") else "-")
        ep = (a or b).get("extra", {}).get("epochs", "-")
        variant = "seeds' augmentation" if k[0] == "recipe-aug" else "no augmentation"
        print(f"| {k[1]} | {variant} | {ep} | {aw} | {bw} | {sp} | {av} | {bv} | {mib(a and a['peak_rss_bytes'])} "
              f"| {mib(b and b['peak_rss_bytes'])} |")
    print()
    print("Speed-up = PyTorch wall / transfer4j wall (> 1: transfer4j reaches the trained model sooner). Wall time "
          "runs from reading the split to the end of the last epoch: setup (split, model, data loaders), then each "
          "phase from its start (feature/boundary cache build included) to its end (validation after every epoch "
          "included); "
          "both sides start from random weights, so the accuracies say nothing about either framework.")


if __name__ == "__main__":
    main()
