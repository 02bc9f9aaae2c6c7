#!/usr/bin/env python3
"""PyTorch twin of `transfer4j bench --workloads recipe`: the seed tutorials' Keras transfer recipe, written the way
PyTorch's transfer-learning tutorial writes it (torchvision ImageFolder + DataLoader, requires_grad=False on the
frozen layers, their BatchNorm in eval mode, a fresh optimiser per phase).

    /usr/bin/python3 bench/recipe_torch.py --split target/bench/work/recipe-split.json --models resnet50 \
        --variants plain,aug --output recipe-torch.json

Same as the transfer4j side (cli-examples/.../bench/RecipeBench.java):
  * the same train/validation files: the split transfer4j wrote (--split, DataSplit's JSON manifest);
  * 224 px (--size), batch 16 (--batch), DataLoader workers min(4, cores) as transfer4j's flow workers;
  * model: backbone with random weights cut at its last feature map, global average pooling, Linear(n_classes)
    (ResNet50: torchvision's v1.5, stride in the 3x3 conv - Keras' v1 has it in the 1x1, ~5 % fewer FLOPs;
    VGG16: features + GAP + Linear(512, n), as transfer4j cuts at block5_pool). Both sides start from random
    weights, NOT the same ones (none can be downloaded here);
  * phase 1: --recipe-epochs[0] epochs, head only, Adam lr 1e-3 (eps 1e-7, Keras'); phase 2: --recipe-epochs[1]
    epochs, top group (layer4 = res5 / features[24:] = block5) + head, Adam 1e-5; no early stopping;
    validation after every epoch; cross-entropy loss;
  * augmentation (variant aug): the seeds' ImageDataGenerator(rotation_range=20, width_shift_range=0.2,
    height_shift_range=0.2, horizontal_flip=True) as RandomAffine(20, translate=(0.2, 0.2), bilinear) +
    RandomHorizontalFlip; preprocessing Resize + ToTensor + Normalize (ImageNet mean/std, as the tutorial).
No feature caching: the tutorial recomputes the frozen layers every batch.
Reports wall time to the trained model (from reading the split to the end of the last epoch), per-phase time,
final validation loss/accuracy and peak RSS (this process; DataLoader workers are separate processes, their
largest RSS is in the note).
"""
import argparse
import json
import os
import resource
import time
from pathlib import Path

import torch
import torch.nn as nn
import torchvision
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

SEED = 42


def peak_rss():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return -1


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def build(name, classes):
    """(model, head, top group) with random weights."""
    if name == "resnet50":
        m = torchvision.models.resnet50(weights=None)
        m.fc = nn.Linear(2048, classes)
        return m, m.fc, m.layer4
    if name == "vgg16":
        v = torchvision.models.vgg16(weights=None)
        head = nn.Linear(512, classes)
        m = nn.Sequential(v.features, nn.AdaptiveAvgPool2d(1), nn.Flatten(), head)
        return m, head, v.features[24:]
    raise SystemExit(f"recipe_torch: unknown model '{name}'; valid: resnet50, vgg16")


def datasets_from_split(split_file, size, augmented):
    split = json.loads(Path(split_file).read_text())
    root = Path(split["root"])
    norm = [transforms.ToTensor(), transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]
    resize = transforms.Resize((size, size), interpolation=transforms.InterpolationMode.BILINEAR)
    aug = [transforms.RandomAffine(degrees=20, translate=(0.2, 0.2),
                                   interpolation=transforms.InterpolationMode.BILINEAR),
           transforms.RandomHorizontalFlip()] if augmented else []
    train_full = datasets.ImageFolder(str(root), transform=transforms.Compose([resize, *aug, *norm]))
    val_full = datasets.ImageFolder(str(root), transform=transforms.Compose([resize, *norm]))
    if train_full.classes != split["classes"]:
        raise SystemExit(f"recipe_torch: {root} has class folders {train_full.classes} but the split lists "
                         f"{split['classes']}; re-run the transfer4j side to rewrite {split_file}")
    index = {os.path.relpath(p, root).replace(os.sep, "/"): i for i, (p, _) in enumerate(train_full.samples)}

    def subset(ds, items):
        missing = [it["file"] for it in items if it["file"] not in index]
        if missing:
            raise SystemExit(f"recipe_torch: {len(missing)} split file(s) not found by ImageFolder under {root}, "
                             f"e.g. {missing[:3]}")
        return Subset(ds, [index[it["file"]] for it in items])
    return subset(train_full, split["train"]), subset(val_full, split["validation"]), split["classes"]


def set_trainable(model, head, top, phase):
    for p in model.parameters():
        p.requires_grad = False
    trainable = [head] if phase == "head" else [top, head]
    for mod in trainable:
        for p in mod.parameters():
            p.requires_grad = True
    model.eval()  # frozen layers (and their BatchNorm) in inference mode
    for mod in trainable:
        mod.train()
    return [p for p in model.parameters() if p.requires_grad]


def evaluate(model, loader, loss_fn):
    model.eval()
    loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss += loss_fn(out, y).item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            n += len(y)
    return loss / n, correct / n


def run(name, augmented, a):
    reset_peak_rss()
    torch.manual_seed(SEED)
    t0 = time.perf_counter()
    train_ds, val_ds, classes = datasets_from_split(a.split, a.size, augmented)
    workers = a.workers if a.workers >= 0 else min(4, os.cpu_count() or 1)
    train_dl = DataLoader(train_ds, batch_size=a.batch, shuffle=True, num_workers=workers)
    val_dl = DataLoader(val_ds, batch_size=a.batch, shuffle=False, num_workers=workers)
    model, head, top = build(name, len(classes))
    loss_fn = nn.CrossEntropyLoss()
    phase_s = {}
    setup = time.perf_counter() - t0
    val_loss = val_acc = float("nan")
    for phase, epochs, lr in (("head", a.recipe_epochs[0], 1e-3), ("fine-tune", a.recipe_epochs[1], 1e-5)):
        p0 = time.perf_counter()
        params = set_trainable(model, head, top, phase)
        opt = torch.optim.Adam(params, lr=lr, eps=1e-7)
        for _ in range(epochs):
            set_trainable(model, head, top, phase)  # evaluate() switched everything to eval
            for x, y in train_dl:
                opt.zero_grad(set_to_none=True)
                loss_fn(model(x), y).backward()
                opt.step()
            val_loss, val_acc = evaluate(model, val_dl, loss_fn)
        phase_s[phase] = time.perf_counter() - p0
    wall = time.perf_counter() - t0
    epochs = sum(a.recipe_epochs)
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    note = (f"{'seeds augmentation' if augmented else 'no augmentation'}; {len(train_ds)} train / {len(val_ds)} "
            f"val images; {workers} DataLoader workers (largest worker RSS {child_rss / 2**20:.0f} MiB); wall "
            f"{wall:.1f} s (setup: split, model, loaders {setup:.1f} s; head {phase_s['head']:.1f} s, fine-tune {phase_s['fine-tune']:.1f} s); final val_loss "
            f"{val_loss:.4f} val_acc {val_acc:.3f}; random weights")
    extra = {"wall_s": wall, "setup_s": setup, "head_s": phase_s["head"], "finetune_s": phase_s["fine-tune"], "val_loss": val_loss,
             "val_accuracy": val_acc, "train_images": len(train_ds), "val_images": len(val_ds),
             "epochs": f"{a.recipe_epochs[0]}+{a.recipe_epochs[1]}",
             "top_group": "layer4 (res5)" if name == "resnet50" else "features[24:] (block5)"}
    return {"workload": "recipe-aug" if augmented else "recipe-plain", "model": name, "batch": a.batch,
            "size": a.size, "images_per_second": len(train_ds) * epochs / wall, "ms_per_step": wall * 1000,
            "gflops": 0.0, "peak_rss_bytes": peak_rss(), "note": note, "extra": extra}


def add_args(ap):
    ap.add_argument("--split", help="the split transfer4j wrote: <bench work dir>/recipe-split.json")
    ap.add_argument("--recipe-epochs", default="5,5", help="head,top-group epochs (default 5,5)")
    ap.add_argument("--workers", type=int, default=-1, help="DataLoader workers (default min(4, cores))")


def parse_epochs(a):
    try:
        e = [int(v) for v in str(a.recipe_epochs).split(",")]
    except ValueError:
        e = []
    if len(e) != 2 or min(e) < 1:
        raise SystemExit(f"--recipe-epochs takes two epoch counts >= 1, head then top group, e.g. 5,5; received "
                         f"{a.recipe_epochs}")
    a.recipe_epochs = e
    if not a.split or not Path(a.split).is_file():
        raise SystemExit(f"recipe_torch: no split file at {a.split}: run the transfer4j side first "
                         "(transfer4j bench --workloads recipe writes <work-dir>/recipe-split.json) and pass it "
                         "with --split")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="resnet50,vgg16")
    ap.add_argument("--variants", default="plain,aug", help="plain, aug or both")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--output")
    add_args(ap)
    a = ap.parse_args()
    parse_epochs(a)
    torch.set_num_threads(a.threads)
    results = []
    for name in [m.strip() for m in a.models.split(",") if m.strip()]:
        for v in [v.strip() for v in a.variants.split(",") if v.strip()]:
            if v not in ("plain", "aug"):
                raise SystemExit(f"unknown variant '{v}'; valid: plain, aug")
            r = run(name, v == "aug", a)
            print(f"{r['workload']:<14} {name:<9} {r['peak_rss_bytes'] / 2**20:6.0f} MiB  {r['note']}", flush=True)
            results.append(r)
    if a.output:
        doc = {"runtime": f"PyTorch {torch.__version__}", "threads": a.threads, "sgemm_gflops": 0.0,
               "results": results}
        Path(a.output).write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
