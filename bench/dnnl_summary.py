#!/usr/bin/env python3
"""Sums oneDNN's own execution times (DNNL_VERBOSE=1 exec lines) between bench/ResNet50Profile.java's MARK lines.

    /usr/bin/python3 bench/dnnl_summary.py profile.txt [section]    # section: infer (default) or train

Per primitive kind and implementation: calls, total ms, share of oneDNN time. Reorders are split into activation
reorders (first dimension = the batch, 16) and weight reorders (anything else). The wall time between the marks minus
the oneDNN total is what ran outside oneDNN (DL4J/ND4J: element-wise ops, copies, workspace management, Java).
"""
import collections
import sys


def main():
    path = sys.argv[1]
    section = sys.argv[2] if len(sys.argv) > 2 else "infer"
    inside, wall = False, None
    rows = collections.defaultdict(lambda: [0, 0.0])
    for line in open(path, errors="replace"):
        if line.startswith(f"MARK {section}-start"):
            inside = True
            continue
        if line.startswith(f"MARK {section}-end"):
            wall = float(line.split()[-1])
            break
        if not inside or not line.startswith("dnnl_verbose,exec,"):
            continue
        f = line.rstrip("\n").split(",")
        kind, impl, ms = f[3], f[4], float(f[-1])
        if kind == "reorder":
            dims = f[-2]
            kind = "reorder (activations)" if dims.split("x")[0] == "16" else "reorder (weights)"
            fmts = " ".join(p.split(":")[3] if p.count(":") >= 3 else p for p in f[6].split())
            impl = f"{impl} {fmts}"
        elif kind in ("convolution",):
            impl = f"{impl} {f[5]}"
        rows[(kind, impl)][0] += 1
        rows[(kind, impl)][1] += ms
    total = sum(v[1] for v in rows.values())
    print(f"section {section}: wall {wall} ms, inside oneDNN {total:.0f} ms"
          + (f" ({100 * total / wall:.0f} %), outside {wall - total:.0f} ms" if wall else ""))
    by_kind = collections.defaultdict(lambda: [0, 0.0])
    for (kind, _), (n, ms) in rows.items():
        by_kind[kind][0] += n
        by_kind[kind][1] += ms
    print("| kind | calls | ms | % of oneDNN |")
    print("|---|---:|---:|---:|")
    for kind, (n, ms) in sorted(by_kind.items(), key=lambda kv: -kv[1][1]):
        print(f"| {kind} | {n} | {ms:.0f} | {100 * ms / total:.0f} % |")
    print()
    print("| kind | implementation | calls | ms |")
    print("|---|---|---:|---:|")
    for (kind, impl), (n, ms) in sorted(rows.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"| {kind} | {impl} | {n} | {ms:.1f} |")


if __name__ == "__main__":
    main()
