#!/usr/bin/env python3
"""Prepares the bad files faults/bad-inputs.txt refers to, in folder B: broken bundles, configs, image folders.
Usage: bad_files.py B IMG BUNDLE (IMG: a good class folder, BUNDLE: a good bundle)."""
import io, json, os, shutil, sys, zipfile

B, IMG, BUNDLE = sys.argv[1:4]
os.makedirs(B, exist_ok=True)
def w(name, data):
    p = os.path.join(B, name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "wb").write(data if isinstance(data, bytes) else data.encode())
    return p

# bundles
w("empty.t4j", b"")
w("text.t4j", "this is not a bundle\n")
good = zipfile.ZipFile(BUNDLE)
manifest = json.loads(good.read("manifest.json"))
def bundle(name, entries):
    with zipfile.ZipFile(os.path.join(B, name), "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in entries.items():
            z.writestr(k, v)
graph, history = good.read("graph.zip"), good.read("history.json")
bundle("newer.t4j", {"manifest.json": json.dumps(dict(manifest, formatVersion=99)), "graph.zip": graph, "history.json": history})
bundle("nomanifest.t4j", {"graph.zip": graph, "history.json": history})
bundle("nograph.t4j", {"manifest.json": json.dumps(manifest), "history.json": history})
bundle("badjson.t4j", {"manifest.json": "{not json", "graph.zip": graph, "history.json": history})
bundle("slip.t4j", {"manifest.json": json.dumps(manifest), "../../evil.txt": "x", "graph.zip": graph})
bundle("nolabels.t4j", {"manifest.json": json.dumps(dict(manifest, labels=[])), "graph.zip": graph, "history.json": history})
bundle("badgraph.t4j", {"manifest.json": json.dumps(manifest), "graph.zip": b"PK\x03\x04garbage", "history.json": history})
w("model.zip", b"PK\x05\x06" + b"\x00" * 18)  # an empty zip named like a DL4J model
# configs
w("dup.yaml", "data: %s\nbackbone: tiny\nimageSize: 32\nimageSize: 64\n" % IMG)
w("unknown.yaml", "data: %s\nbackbone: tiny\nlearningRat: 0.01\n" % IMG)
w("broken.yaml", "data: [unclosed\n  backbone: : tiny\n")
w("broken.json", '{"data": "%s", "backbone": ' % IMG)
w("types.yaml", "data: %s\nbackbone: tiny\nimageSize: large\n" % IMG)
w("list.yaml", "- data\n- backbone\n")
w("config.txt", "data=%s\n" % IMG)
w("empty.yaml", "")
# image folders
def copy_class(dst, cls):
    shutil.copytree(os.path.join(IMG, cls), os.path.join(B, dst, cls))
copy_class("oneclass", "cats")
os.makedirs(os.path.join(B, "emptydir"), exist_ok=True)
w("noimages/cats/readme.txt", "hello")
w("noimages/dogs/readme.txt", "hello")
os.makedirs(os.path.join(B, "emptyclasses/cats"), exist_ok=True)
os.makedirs(os.path.join(B, "emptyclasses/dogs"), exist_ok=True)
png = open(os.path.join(IMG, "cats", "0.png"), "rb").read()
w("truncated.png", png[:40])
w("notimage.png", "plain text, not a PNG\n")
w("empty.png", b"")
w("zero.jpg", b"\xff\xd8\xff")
w("afile", "not a directory\n")
w("catalogue.json", "{\"backbones\": 3}")
w("weights.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 100)
w("run0/notes.txt", "a directory that is not empty and not a run\n")
w("wrongclasses/birds/0.png", png)
w("wrongclasses/cats/0.png", png)
