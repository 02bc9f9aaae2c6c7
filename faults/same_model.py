#!/usr/bin/env python3
"""Compares two transfer4j bundles (or run directories) as the fault suite needs: manifest.json and
history.json equal except for wall-clock fields, graph.zip entries (configuration, parameters, updater state)
byte for byte. Prints the first differences; exit 0 when equal, 1 when not, 2 on unreadable input."""
import json, sys, zipfile

VOLATILE = {"created", "seconds", "imagesPerSecond", "trainSeconds", "wallSeconds", "elapsedSeconds"}


def scrub(v):
    if isinstance(v, dict):
        return {k: scrub(x) for k, x in v.items() if k not in VOLATILE and not k.lower().endswith("seconds")}
    if isinstance(v, list):
        return [scrub(x) for x in v]
    return v


def diff(a, b, path, out):
    if len(out) >= 8:
        return
    if type(a) is not type(b):
        out.append(f"{path}: {a!r:.80} != {b!r:.80}")
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'second' if k not in a else 'first'}")
            else:
                diff(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items != {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: {a!r:.80} != {b!r:.80}")


def bundle(p):
    p = p.rstrip("/")
    return p if p.endswith(".t4j") else p + "/model.t4j"


def main(a, b):
    try:
        za, zb = zipfile.ZipFile(bundle(a)), zipfile.ZipFile(bundle(b))
    except Exception as e:  # noqa: BLE001 - any unreadable bundle is a finding, reported as such
        print(f"unreadable bundle: {e}")
        return 2
    out = []
    for name in ("manifest.json", "history.json"):
        diff(scrub(json.loads(za.read(name))), scrub(json.loads(zb.read(name))), name, out)
    ga = zipfile.ZipFile(za.open("graph.zip"))
    gb = zipfile.ZipFile(zb.open("graph.zip"))
    na, nb = sorted(ga.namelist()), sorted(gb.namelist())
    if na != nb:
        out.append(f"graph.zip entries {na} != {nb}")
    for n in set(na) & set(nb):
        if ga.read(n) != gb.read(n):
            out.append(f"graph.zip/{n} differs")
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
