#!/usr/bin/env python3
"""PyTorch peer of `transfer4j bench`: the same workloads, sizes and JSON schema, for bench/compare.py.

Run with Debian's python3-torch (apt-get install python3-torch python3-torchvision libopenblas0-pthread):
    /usr/bin/python3 bench/pytorch_peer.py --output target/bench/pytorch.json

Workloads (ids shared with the Java side, see cli-examples/.../bench/Workload.java):
  sgemm          torch.mm 2048x2048 fp32, best of 10
  infer          model.eval(), torch.no_grad(), batch of random images ("PyTorch as users write it")
  infer-tuned    the same through torch.jit.freeze + torch.jit.optimize_for_inference (folds BN into the
                 convolutions), model and input channels-last ("PyTorch as experts deploy it"; no Java twin)
  head           frozen body (requires_grad False, eval mode) + trainable 10-class head, one SGD step per batch
  head-cached    body features computed once for --cache-batches batches; one epoch of head training over them
  top            the recipe's phase 2 uncached: everything before the top group (layer4 = res5, features[24:] =
                 block5) frozen with requires_grad False and in eval mode; top group + classifier trained, one SGD
                 step per batch
  finetune       model.train(), every parameter trainable, one SGD step per batch
  recipe-plain, recipe-aug (or recipe for both)
                 time to model: bench/recipe_torch.py on the split transfer4j wrote (--split)
  pipeline-jpeg  PIL decode + bilinear resize + RandomAffine(20 deg, 0.1 shift, 0.9-1.1 zoom, 10 deg shear,
                 bilinear like Keras's order-1 transform that transfer4j applies; torchvision's default is nearest)
                 + horizontal flip + normalise, one thread, no DataLoader workers; 3 warm-up epochs, 5 timed
                 (the same on both sides: a training run's data pipeline is long-running)
  pipeline-png   the same on the PNG copies that `transfer4j bench` wrote (made here with PIL if missing)
Models: torchvision resnet50 (v1.5: stride in the 3x3 conv; Keras' v1 has it in the first 1x1 conv, ~5 % fewer
FLOPs), vgg16 and mobilenet_v2 (symmetric padding where Keras pads bottom/right only: the same FLOPs), random weights, classifier replaced by Linear(features, 10). Plain SGD, lr 1e-3.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torchvision
from PIL import Image
from torchvision import transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recipe_torch  # noqa: E402  (bench/recipe_torch.py, the time-to-model twin)
from recipe_torch import peak_rss, reset_peak_rss  # noqa: E402

CLASSES = 10
SEED = 12345


def median_ms(step, warmup, iterations):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def flops_per_image(model, size):
    """Multiply-add FLOPs (x2) of Conv2d and Linear layers for one image, via forward hooks."""
    total = [0.0]

    def conv_hook(m, inp, out):
        kh, kw = m.kernel_size
        total[0] += 2.0 * kh * kw * (m.in_channels // m.groups) * m.out_channels * out.shape[2] * out.shape[3]

    def linear_hook(m, inp, out):
        total[0] += 2.0 * m.in_features * m.out_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    model.train(was_training)
    for h in hooks:
        h.remove()
    return total[0]


def build(name):
    torch.manual_seed(SEED)
    if name == "resnet50":
        m = torchvision.models.resnet50(weights=None)
        m.fc = nn.Linear(2048, CLASSES)
        head = m.fc
    elif name == "vgg16":
        m = torchvision.models.vgg16(weights=None)
        m.classifier[6] = nn.Linear(4096, CLASSES)
        head = m.classifier[6]
    elif name == "mobilenetv2":
        m = torchvision.models.mobilenet_v2(weights=None)
        m.classifier[1] = nn.Linear(1280, CLASSES)
        head = m.classifier[1]
    else:
        raise SystemExit(f"unknown model '{name}'; valid: resnet50, vgg16, mobilenetv2")
    return m, head


def top_of(model, name):
    """The top group and everything after it: what the recipe's phase 2 trains."""
    if name == "resnet50":
        return [model.layer4, model.fc]
    if name == "vgg16":
        return [model.features[24:], model.classifier]
    raise SystemExit(f"workload top: no top group defined for '{name}' here; valid: resnet50, vgg16")


def body_of(model, name):
    """The model up to the head's input (what the feature cache stores)."""
    if name == "resnet50":
        return nn.Sequential(*list(model.children())[:-1], nn.Flatten())
    if name == "mobilenetv2":
        return nn.Sequential(model.features, nn.AdaptiveAvgPool2d(1), nn.Flatten())
    return nn.Sequential(model.features, model.avgpool, nn.Flatten(), *list(model.classifier.children())[:-1])


def batch(size, n, offset=0):
    g = torch.Generator().manual_seed(SEED + offset)
    x = torch.rand(n, 3, size, size, generator=g) * 2 - 1
    y = torch.tensor([(i * 7 + offset) % CLASSES for i in range(n)])
    return x, y


def result(workload, model, batch_size, size, ips, ms, gflops, note):
    return {"workload": workload, "model": model, "batch": batch_size, "size": size, "images_per_second": ips,
            "ms_per_step": ms, "gflops": gflops, "peak_rss_bytes": peak_rss(), "note": note}


def run_model(workload, name, a):
    reset_peak_rss()
    model, head = build(name)
    loss_fn = nn.CrossEntropyLoss()
    x, y = batch(a.size, a.batch)
    fwd = flops_per_image(model, a.size)
    if workload == "infer":
        model.eval()

        def step():
            with torch.no_grad():
                model(x)
        ms = median_ms(step, a.warmup, a.iterations)
        ips = a.batch / (ms / 1000)
        return result(workload, name, a.batch, a.size, ips, ms, fwd * ips / 1e9, a.note)
    if workload == "infer-tuned":
        model.eval()
        mc = model.to(memory_format=torch.channels_last)
        xc = x.contiguous(memory_format=torch.channels_last)
        with torch.no_grad():
            tuned = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(mc)))

        def step():
            with torch.no_grad():
                tuned(xc)
        ms = median_ms(step, a.warmup, a.iterations)
        ips = a.batch / (ms / 1000)
        return result(workload, name, a.batch, a.size, ips, ms, fwd * ips / 1e9,
                      join(a.note, "torch.jit.freeze + optimize_for_inference, channels-last"))
    if workload in ("finetune", "head", "top"):
        if workload in ("head", "top"):
            trained = [head] if workload == "head" else top_of(model, name)
            for p in model.parameters():
                p.requires_grad = False
            for mod in trained:
                for p in mod.parameters():
                    p.requires_grad = True
            model.eval()   # frozen body: BN uses running statistics, dropout off (as DL4J's FrozenLayer)
            for mod in trained:
                mod.train()
            flops = fwd
        else:
            model.train()
            flops = 3 * fwd
        opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-3)

        def step():
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            opt.step()
        ms = median_ms(step, a.warmup, a.iterations)
        ips = a.batch / (ms / 1000)
        note = {"head": "frozen body forward in inference mode + head step",
                "top": "prefix frozen (eval mode), top group + classifier trained, uncached; GFLOP/s counts the "
                       "forward pass only"}.get(workload, "")
        return result(workload, name, a.batch, a.size, ips, ms, flops * ips / 1e9, join(a.note, note))
    if workload == "head-cached":
        body = body_of(model, name).eval()
        t0 = time.perf_counter()
        feats, labels = [], []
        with torch.no_grad():
            for i in range(a.cache_batches):
                xb, yb = batch(a.size, a.batch, i)
                feats.append(body(xb))
                labels.append(yb)
        build_ms = (time.perf_counter() - t0) * 1000
        f = torch.cat(feats)
        lab = torch.cat(labels)
        opt = torch.optim.SGD(head.parameters(), lr=1e-3)
        epoch = [0]

        def step():
            g = torch.Generator().manual_seed(SEED + epoch[0])
            epoch[0] += 1
            order = torch.randperm(f.shape[0], generator=g)
            for s in range(0, f.shape[0], a.batch):
                idx = order[s:s + a.batch]
                opt.zero_grad(set_to_none=True)
                loss_fn(head(f[idx]), lab[idx]).backward()
                opt.step()
        ms = median_ms(step, a.warmup, a.iterations)
        images = a.cache_batches * a.batch
        return result(workload, name, a.batch, a.size, images / (ms / 1000), ms, 0.0,
                      join(a.note, f"epoch of {images} cached images; building the cache took {build_ms:.0f} ms"))
    raise SystemExit(f"unknown workload {workload}")


def join(a, b):
    return b if not a else a if not b else a + "; " + b


def sgemm(a):
    reset_peak_rss()
    n = 2048
    torch.manual_seed(SEED)
    x = torch.rand(n, n)
    y = torch.rand(n, n)
    torch.mm(x, y)
    best = min(timed(lambda: torch.mm(x, y)) for _ in range(10))
    return result("sgemm", "-", 0, n, 0.0, best, 2.0 * n ** 3 / (best / 1000) / 1e9, join(a.note, f"best of 10, torch.mm {n}x{n}"))


def timed(f):
    t0 = time.perf_counter()
    f()
    return (time.perf_counter() - t0) * 1000


def images_in(folder):
    exts = (".jpg", ".jpeg", ".png")
    return sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in exts)


def png_copies(src, dst):
    for jpeg in images_in(src):
        if jpeg.suffix.lower() == ".png":
            continue
        out = Path(dst) / jpeg.relative_to(src).with_suffix(".png")
        if out.exists():
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        Image.open(jpeg).convert("RGB").save(tmp, format="PNG")
        os.replace(tmp, out)
    return Path(dst)


def pipeline(workload, a):
    folder = Path(a.images) if workload == "pipeline-jpeg" else png_copies(a.images, a.png_dir)
    files = images_in(folder)
    if not files:
        return None
    reset_peak_rss()
    torch.set_num_threads(1)
    torch.manual_seed(7)
    tf = transforms.Compose([
        transforms.Resize((a.size, a.size), interpolation=transforms.InterpolationMode.BILINEAR),
        transforms.RandomAffine(degrees=20, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=10,
                                interpolation=transforms.InterpolationMode.BILINEAR),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])

    def epoch():
        out = []
        for p in files:
            with Image.open(p) as im:
                out.append(tf(im.convert("RGB")))
                if len(out) == a.batch:
                    torch.stack(out)
                    out = []
        if out:
            torch.stack(out)
    for _ in range(3):
        epoch()  # warm-up, as the Java side (which needs it for the JIT)
    epochs = 5
    t0 = time.perf_counter()
    for _ in range(epochs):
        epoch()
    ms = (time.perf_counter() - t0) * 1000
    n = len(files) * epochs
    torch.set_num_threads(a.threads)
    return result(workload, "-", a.batch, a.size, n / (ms / 1000), ms / n * a.batch, 0.0,
                  join(a.note, f"{len(files)} images x {epochs} epochs from {folder}"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="resnet50,vgg16")
    ap.add_argument("--workloads",
                    default="sgemm,infer,head,head-cached,top,finetune,pipeline-jpeg,pipeline-png")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--cache-batches", type=int, default=8)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--images", default="../shared/datasets/dl4j-animals")
    ap.add_argument("--png-dir", default="target/bench/png")
    ap.add_argument("--output", help="write the results as JSON here")
    ap.add_argument("--note", default="")
    recipe_torch.add_args(ap)
    ap.add_argument("--in-process", action="store_true",
                    help="run every workload in this process (peak RSS then includes memory kept from earlier "
                         "workloads); default: one child process per workload and model")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    workloads = [x for w in a.workloads.split(",") if w.strip()
                 for x in (("recipe-plain", "recipe-aug") if w.strip() == "recipe" else (w.strip(),))]
    valid = {"sgemm", "infer", "infer-tuned", "head", "head-cached", "top", "finetune", "pipeline-jpeg",
             "pipeline-png", "recipe-plain", "recipe-aug"}
    if "infer" in workloads and "infer-tuned" not in workloads:
        # the tuned column belongs to the infer row (the Java side has no infer-tuned id, and run.sh passes the
        # same --workloads to both sides)
        workloads.insert(workloads.index("infer") + 1, "infer-tuned")
    bad = [w for w in workloads if w not in valid]
    if bad:
        raise SystemExit(f"unknown workload(s) {bad}; valid: {sorted(valid)}")
    print(f"pytorch peer: torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{torch.__config__.parallel_info().splitlines()[0] if hasattr(torch, '__config__') else ''}", flush=True)
    results = []

    def emit(r):
        if r is None:
            return
        results.append(r)
        print(f"{r['workload']:<14} {r['model']:<9} {r['batch']:5d} {r['images_per_second']:8.2f} "
              f"{r['ms_per_step']:10.1f} {r['gflops']:8.1f} {r['peak_rss_bytes'] / 2**20:8.0f} MiB  {r['note']}",
              flush=True)

    models = [m.strip() for m in a.models.split(",") if m.strip()]
    if "sgemm" in workloads:
        emit(sgemm(a))
    if any(w.startswith("recipe") for w in workloads):
        recipe_torch.parse_epochs(a)
    model_workloads = ("infer", "infer-tuned", "head", "head-cached", "top", "finetune", "recipe-plain", "recipe-aug")
    jobs = [(w, name) for name in models for w in model_workloads if w in workloads]
    jobs += [(w, "-") for w in ("pipeline-jpeg", "pipeline-png") if w in workloads]
    for w, name in jobs:
        if w.startswith("pipeline") and not Path(a.images).is_dir():
            print(f"{w} skipped: no image folder at {a.images}", file=sys.stderr)
            continue
        if a.in_process:
            emit(recipe_torch.run(name, w == "recipe-aug", a) if w.startswith("recipe")
                 else run_model(w, name, a) if not w.startswith("pipeline") else pipeline(w, a))
            continue
        out = Path(a.png_dir).parent / f"torch-child-{w}-{name}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, os.path.abspath(__file__), "--in-process", "--workloads", w,
               "--models", name if name != "-" else "resnet50", "--output", str(out), "--size", str(a.size),
               "--batch", str(a.batch), "--warmup", str(a.warmup), "--iterations", str(a.iterations),
               "--cache-batches", str(a.cache_batches), "--threads", str(a.threads), "--images", a.images,
               "--png-dir", a.png_dir, "--note", a.note, "--workers", str(a.workers),
               "--recipe-epochs", ",".join(str(e) for e in a.recipe_epochs) if isinstance(a.recipe_epochs, list)
               else a.recipe_epochs] + (["--split", a.split] if a.split else [])
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0 or not out.exists():
            print(f"{w} {name}: child failed ({done.returncode}): {done.stderr.strip()[-500:]}", file=sys.stderr)
            continue
        for r in json.loads(out.read_text())["results"]:
            emit(r)
    sg = next((r["gflops"] for r in results if r["workload"] == "sgemm"), 0.0)
    doc = {"runtime": f"PyTorch {torch.__version__}", "threads": a.threads, "sgemm_gflops": sg, "results": results}
    if a.output:
        out = Path(a.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(out.suffix + ".tmp")
        tmp.write_text(json.dumps(doc, indent=1) + "\n")
        os.replace(tmp, out)


if __name__ == "__main__":
    main()
