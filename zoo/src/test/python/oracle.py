#!/usr/bin/python3
"""An independent implementation of transfer4j's backbones, in PyTorch, for BackboneOracleIT.

For each backbone it builds the network in PyTorch with seeded random weights (VGG16: torchvision's vgg16, the
same network as Keras's; ResNet50: a module written here after Keras's resnet50.py / resnet.py, NOT torchvision's
v1.5; MobileNetV2: torchvision's mobilenet_v2 weights run with Keras's correct_pad padding), calibrates the
BatchNorm statistics on the test images (so activations have realistic scales), then writes

  * the weights in the exact layouts of the files Keras publishes (h5py, Keras 2 save_weights layout):
      vgg16_notop.h5 (Keras-1 flat names, block1_conv1_W_1:0), vgg16_top.h5 (block1_conv1/kernel:0; fc1's rows in
      Keras's (h, w, c) Flatten order), resnet50_{old,new}_{notop,top}.h5 (res2a_branch2a names with BN epsilon
      1e-3; conv2_block1_1_conv names with 1.001e-5), mobilenetv2_{notop,top}.h5;
  * the same weights in PyTorch's own layouts (<arch>_torch.json + .f32), from which the Java test writes DL4J
    zips without going through any Keras conversion;
  * seeded test images (PNG) at each size, and the chelsea photo (scikit-image, CC0) centre-cropped to 224;
  * the oracle's outputs for those images, computed in float64 from the uint8 pixels with the backbone's Keras
    preprocessing: cut-point features (NCHW) and pre-softmax logits (224 px), as raw little-endian float32 files
    listed in oracle.json.

Nothing here uses transfer4j's code. Usage: oracle.py OUT_DIR [--arch vgg16,resnet50,mobilenetv2]
[--sizes 224x224,200x152] [--seed 7]
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from PIL import Image

CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


# ---------------------------------------------------------------------------------------------------- images
def synthetic_image(rng, h, w):
    """A smooth, colourful, seeded RGB image (sinusoids + blobs), uint8 HWC."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    for c in range(3):
        for _ in range(4):
            fy, fx = rng.uniform(0.5, 6, size=2)
            phase = rng.uniform(0, 2 * np.pi)
            img[..., c] += rng.uniform(20, 50) * np.sin(2 * np.pi * (fy * yy / h + fx * xx / w) + phase)
        for _ in range(3):
            cy, cx = rng.uniform(0, h), rng.uniform(0, w)
            r = rng.uniform(0.05, 0.3) * min(h, w)
            img[..., c] += rng.uniform(-80, 80) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    img += 128 + rng.normal(0, 8, size=img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def chelsea_224():
    """scikit-image's chelsea.png (CC0), centre-cropped to a square and resized to 224 (PIL bicubic)."""
    import skimage.data
    img = Image.fromarray(skimage.data.chelsea())
    w, h = img.size
    s = min(w, h)
    img = img.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))
    return np.asarray(img.resize((224, 224), Image.BICUBIC).convert("RGB"))


def preprocess(batch_hwc_uint8, mode):
    """Keras's imagenet_utils.preprocess_input, in float64, returning NCHW."""
    x = batch_hwc_uint8.astype(np.float64)
    if mode == "caffe":
        x = x[..., ::-1] - np.array(CAFFE_MEAN_BGR)
    elif mode == "tf":
        x = x / 127.5 - 1.0
    else:
        raise ValueError(mode)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


# ---------------------------------------------------------------------------------------------------- networks
class KerasResNet50(nn.Module):
    """Keras's ResNet50 (v1): ZeroPadding2D(3) + valid 7x7/2 conv, ZeroPadding2D(1) + valid 3x3/2 max pool, the
    stride in the first 1x1 convolution of stages 3-5 (and of the shortcut), global average pooling, fc1000."""

    STAGES = [(2, "abc", 64, 1), (3, "abcd", 128, 2), (4, "abcdef", 256, 2), (5, "abc", 512, 2)]

    def __init__(self, eps):
        super().__init__()
        self.layers = nn.ModuleDict()
        self.layers["conv1"] = nn.Conv2d(3, 64, 7, stride=2, padding=0, bias=True)
        self.layers["bn_conv1"] = nn.BatchNorm2d(64, eps=eps)
        cin = 64
        self.blocks = []
        for stage, blocks, width, stride in self.STAGES:
            for i, b in enumerate(blocks):
                sid = f"{stage}{b}"
                s = stride if i == 0 else 1
                self.layers[f"res{sid}_branch2a"] = nn.Conv2d(cin, width, 1, stride=s, bias=True)
                self.layers[f"bn{sid}_branch2a"] = nn.BatchNorm2d(width, eps=eps)
                self.layers[f"res{sid}_branch2b"] = nn.Conv2d(width, width, 3, padding=1, bias=True)
                self.layers[f"bn{sid}_branch2b"] = nn.BatchNorm2d(width, eps=eps)
                self.layers[f"res{sid}_branch2c"] = nn.Conv2d(width, 4 * width, 1, bias=True)
                self.layers[f"bn{sid}_branch2c"] = nn.BatchNorm2d(4 * width, eps=eps)
                if i == 0:
                    self.layers[f"res{sid}_branch1"] = nn.Conv2d(cin, 4 * width, 1, stride=s, bias=True)
                    self.layers[f"bn{sid}_branch1"] = nn.BatchNorm2d(4 * width, eps=eps)
                self.blocks.append((sid, i == 0))
                cin = 4 * width
        self.layers["fc1000"] = nn.Linear(2048, 1000)

    def set_eps(self, eps):
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eps = eps

    def forward(self, x):
        L = self.layers
        x = F.pad(x, (3, 3, 3, 3))
        x = F.relu(L["bn_conv1"](L["conv1"](x)))
        x = F.max_pool2d(F.pad(x, (1, 1, 1, 1)), 3, stride=2)
        for sid, first in self.blocks:
            y = F.relu(L[f"bn{sid}_branch2a"](L[f"res{sid}_branch2a"](x)))
            y = F.relu(L[f"bn{sid}_branch2b"](L[f"res{sid}_branch2b"](y)))
            y = L[f"bn{sid}_branch2c"](L[f"res{sid}_branch2c"](y))
            shortcut = L[f"bn{sid}_branch1"](L[f"res{sid}_branch1"](x)) if first else x
            x = F.relu(y + shortcut)
        features = x
        pooled = features.mean(dim=(2, 3))
        return {"res5c_relu": features, "flatten_1": pooled, "logits": L["fc1000"](pooled)}


def correct_pad(h, w):
    """Keras's imagenet_utils.correct_pad(inputs, 3) as F.pad's (left, right, top, bottom)."""
    return (w % 2, 1, h % 2, 1)


class KerasMobileNetV2(nn.Module):
    """Keras's MobileNetV2 forward pass over torchvision's mobilenet_v2 modules (same layers and weights), with
    Keras's padding: every stride-2 3x3 layer pads correct_pad (bottom/right only for even sizes) instead of
    torchvision's symmetric padding=1. symmetric=True gives torchvision's padding (a self-check)."""

    def __init__(self, tv, symmetric=False):
        super().__init__()
        self.tv = tv
        self.symmetric = symmetric

    def _conv(self, conv, x):
        if conv.stride[0] == 2 and not self.symmetric:
            x = F.pad(x, correct_pad(x.shape[2], x.shape[3]))
            return F.conv2d(x, conv.weight, conv.bias, conv.stride, 0, conv.dilation, conv.groups)
        return conv(x)

    def _cna(self, seq, x):  # Conv2dNormActivation: conv, BN, ReLU6
        return F.relu6(seq[1](self._conv(seq[0], x)))

    def forward(self, x):
        f = self.tv.features
        x = self._cna(f[0], x)
        for block in f[1:18]:
            layers = list(block.conv)
            y = x
            for seq in layers[:-2]:
                y = self._cna(seq, y)
            y = layers[-1](self._conv(layers[-2], y))
            x = x + y if block.use_res_connect else y
        features = self._cna(f[18], x)
        pooled = features.mean(dim=(2, 3))
        return {"out_relu": features, "global_average_pooling2d": pooled,
                "logits": self.tv.classifier[1](pooled)}


class Vgg16(nn.Module):
    def __init__(self, tv):
        super().__init__()
        self.tv = tv

    def forward(self, x):
        features = self.tv.features(x)
        out = {"block5_pool": features}
        if features.shape[2:] == (7, 7):
            c = self.tv.classifier
            fc1 = F.relu(c[0](torch.flatten(features, 1)))
            fc2 = F.relu(c[3](fc1))
            out["fc2"] = fc2
            out["logits"] = c[6](fc2)
        return out


VGG_CONVS = [("block1_conv1", 0), ("block1_conv2", 2), ("block2_conv1", 5), ("block2_conv2", 7),
             ("block3_conv1", 10), ("block3_conv2", 12), ("block3_conv3", 14), ("block4_conv1", 17),
             ("block4_conv2", 19), ("block4_conv3", 21), ("block5_conv1", 24), ("block5_conv2", 26),
             ("block5_conv3", 28)]


def randomise(model, gen):
    """Non-zero biases and BN affine parameters, so a dropped bias or swapped gamma/beta would show."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)) and m.bias is not None:
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen, dtype=m.bias.dtype) * 0.05)
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen, dtype=m.weight.dtype) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen, dtype=m.bias.dtype) * 0.1)


def calibrate_bn(model, x, gen):
    """Running statistics from the images (a cumulative average over one pass), then perturbed."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    model.train()
    with torch.no_grad():
        model(x)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_var.mul_(torch.rand(m.running_var.shape, generator=gen, dtype=m.running_var.dtype) + 0.5)
                m.running_mean.add_(torch.randn(m.running_mean.shape, generator=gen, dtype=m.running_mean.dtype)
                                    * 0.1 * m.running_var.sqrt())
    model.eval()


# ---------------------------------------------------------------------------------------------------- files
def np32(t):
    return t.detach().to(torch.float32).cpu().numpy()


def conv_kernel(conv):  # torch [out, in, kh, kw] -> Keras [kh, kw, in, out]
    return np.ascontiguousarray(np32(conv.weight).transpose(2, 3, 1, 0))


def depthwise_kernel(conv):  # torch [c, 1, kh, kw] -> Keras [kh, kw, c, 1]
    return np.ascontiguousarray(np32(conv.weight).transpose(2, 3, 0, 1))


def dense_kernel(linear, chw=None):  # torch [out, in] -> Keras [in, out]; rows in (h, w, c) order after Flatten
    k = np32(linear.weight).T
    if chw is not None:
        c, h, w = chw
        k = k.reshape(c, h, w, -1).transpose(1, 2, 0, 3).reshape(c * h * w, -1)
    return np.ascontiguousarray(k)


def bn_arrays(bn):
    return [np32(bn.weight), np32(bn.bias), np32(bn.running_mean), np32(bn.running_var)]


def write_keras_h5(path, layers, keras1=False):
    """Keras 2 save_weights layout. layers: [(layer_name, kind, [arrays])] with kind in conv/conv_nobias/depthwise/
    dense/bn/none. keras1: the flat '<layer>_W_1:0' weight names of Keras-1-era files (VGG16 notop)."""
    keys = {"conv": ["kernel", "bias"], "conv_nobias": ["kernel"], "depthwise": ["depthwise_kernel"],
            "dense": ["kernel", "bias"], "bn": ["gamma", "beta", "moving_mean", "moving_variance"], "none": []}
    k1 = {"kernel": "W", "bias": "b"}
    tmp = path + ".tmp"
    with h5py.File(tmp, "w") as f:
        f.attrs["layer_names"] = np.array([n.encode("utf8") for n, _, _ in layers])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"1.2.2" if keras1 else b"2.2.4"
        for name, kind, arrays in layers:
            g = f.create_group(name)
            names = [f"{name}_{k1.get(k, k)}_1:0" if keras1 else f"{name}/{k}:0" for k in keys[kind]]
            assert len(names) == len(arrays), (name, kind)
            g.attrs["weight_names"] = (np.array([n.encode("utf8") for n in names]) if names
                                       else np.array([], dtype=np.float64))
            for n, a in zip(names, arrays):
                g.create_dataset(n, data=a.astype(np.float32))
    os.replace(tmp, path)


def write_torch_params(out, arch, params):
    """params: [(layer, key, array in PyTorch's layout)] -> <arch>_torch.f32 + <arch>_torch.json."""
    index = []
    offset = 0
    with open(os.path.join(out, f"{arch}_torch.f32"), "wb") as f:
        for layer, key, a in params:
            a = np.ascontiguousarray(a, dtype="<f4")
            f.write(a.tobytes())
            index.append({"layer": layer, "key": key, "shape": list(a.shape), "offset": offset})
            offset += a.size
    with open(os.path.join(out, f"{arch}_torch.json"), "w") as f:
        json.dump(index, f, indent=1)


def save_outputs(out, manifest, arch, variant, size, images, outputs):
    entry = {"images": images, "outputs": {}}
    for name, t in outputs.items():
        fname = f"{arch}_{variant}_{size}_{name}.f32"
        a = np.ascontiguousarray(t.detach().cpu().numpy(), dtype="<f4")
        a.tofile(os.path.join(out, fname))
        entry["outputs"][name] = {"file": fname, "shape": list(a.shape),
                                  "maxAbs": float(t.abs().max())}
    manifest.setdefault(arch, {}).setdefault(variant, {})[size] = entry


# ---------------------------------------------------------------------------------------------------- per arch
def vgg16(out, sets, manifest, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    tv = torchvision.models.vgg16(weights=None).double().eval()
    randomise(tv, gen)
    model = Vgg16(tv).eval()
    f, c = tv.features, tv.classifier
    convs = [(n, "conv", [conv_kernel(f[i]), np32(f[i].bias)]) for n, i in VGG_CONVS]
    body = [("input_1", "none", [])]
    for b in range(1, 6):
        body += [x for x in convs if x[0].startswith(f"block{b}_")] + [(f"block{b}_pool", "none", [])]
    top = [("flatten", "none", []), ("fc1", "dense", [dense_kernel(c[0], (512, 7, 7)), np32(c[0].bias)]),
           ("fc2", "dense", [dense_kernel(c[3]), np32(c[3].bias)]),
           ("predictions", "dense", [dense_kernel(c[6]), np32(c[6].bias)])]
    write_keras_h5(os.path.join(out, "vgg16_notop.h5"), body, keras1=True)
    write_keras_h5(os.path.join(out, "vgg16_top.h5"), body + top)
    params = []
    for n, i in VGG_CONVS:
        params += [(n, "W", np32(f[i].weight)), (n, "b", np32(f[i].bias))]
    for n, i in (("fc1", 0), ("fc2", 3), ("predictions", 6)):
        params += [(n, "W", np32(c[i].weight)), (n, "b", np32(c[i].bias))]
    write_torch_params(out, "vgg16", params)
    with torch.no_grad():
        for size, (files, batch) in sets.items():
            save_outputs(out, manifest, "vgg16", "all", size, files, model(preprocess(batch, "caffe")))


def resnet50(out, sets, manifest, seed, calibration):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    model = KerasResNet50(1e-3).double()
    randomise(model, gen)
    calibrate_bn(model, preprocess(calibration, "caffe"), gen)
    L = model.layers

    def kind(name):
        m = L[name]
        return ("bn", bn_arrays(m)) if isinstance(m, nn.BatchNorm2d) else \
            ("dense", [dense_kernel(m), np32(m.bias)]) if isinstance(m, nn.Linear) else \
            ("conv", [conv_kernel(m), np32(m.bias)])

    def new_name(old):
        if old in ("conv1", "bn_conv1", "fc1000"):
            return {"conv1": "conv1_conv", "bn_conv1": "conv1_bn", "fc1000": "predictions"}[old]
        prefix = "conv" if old.startswith("res") else "bn"
        rest = old[3:] if prefix == "conv" else old[2:]
        stage, block, branch = rest[0], ord(rest[1]) - ord("a") + 1, rest.split("_branch")[1]
        k = {"1": 0, "2a": 1, "2b": 2, "2c": 3}[branch]
        return f"conv{stage}_block{block}_{k}_{'conv' if prefix == 'conv' else 'bn'}"

    names = list(L.keys())
    # old names: Keras 2.0-2.2 resnet50.py order (a block's main path, then its shortcut)
    old = [("input_1", "none", []), ("conv1_pad", "none", [])]
    old += [(n,) + kind(n) for n in names if n != "fc1000"]
    old_top = [("avg_pool", "none", []), ("flatten_1", "none", []), ("fc1000",) + kind("fc1000")]
    # new names: keras resnet.py order (the shortcut 0_conv/0_bn before the main path)
    new = [("input_1", "none", []), ("conv1_pad", "none", [])]
    body = [n for n in names if n != "fc1000"]
    for n in body:
        if n.endswith("_branch1") or n.endswith("branch1"):
            continue
        if n.startswith("res") and n.endswith("_branch2a") and f"res{n[3:5]}_branch1" in L:
            sid = n[3:5]
            new += [(new_name(f"res{sid}_branch1"),) + kind(f"res{sid}_branch1")]
        new += [(new_name(n),) + kind(n)]
        if n.startswith("bn") and n.endswith("_branch2c") and f"bn{n[2:4]}_branch1" in L:
            sid = n[2:4]
            new += [(new_name(f"bn{sid}_branch1"),) + kind(f"bn{sid}_branch1")]
    new_top = [("avg_pool", "none", []), ("predictions",) + kind("fc1000")]
    write_keras_h5(os.path.join(out, "resnet50_old_notop.h5"), old)
    write_keras_h5(os.path.join(out, "resnet50_old_top.h5"), old + old_top)
    write_keras_h5(os.path.join(out, "resnet50_new_notop.h5"), new)
    write_keras_h5(os.path.join(out, "resnet50_new_top.h5"), new + new_top)
    params = []
    for n in names:
        m = L[n]
        if isinstance(m, nn.BatchNorm2d):
            params += [(n, "gamma", np32(m.weight)), (n, "beta", np32(m.bias)), (n, "mean", np32(m.running_mean)),
                       (n, "var", np32(m.running_var))]
        else:
            params += [(n, "W", np32(m.weight)), (n, "b", np32(m.bias))]
    write_torch_params(out, "resnet50", params)
    with torch.no_grad():
        for variant, eps in (("old", 1e-3), ("new", 1.001e-5)):
            model.set_eps(eps)
            for size, (files, batch) in sets.items():
                save_outputs(out, manifest, "resnet50", variant, size, files, model(preprocess(batch, "caffe")))
        model.set_eps(1e-3)
        x = preprocess(sets["224x224"][1], "caffe")
        a = model(x)["logits"]
        model.set_eps(1.001e-5)
        b = model(x)["logits"]
        manifest["resnet50"]["epsilonEffect"] = float((a - b).abs().max() / a.abs().max())


def mobilenetv2(out, sets, manifest, seed, calibration):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    tv = torchvision.models.mobilenet_v2(weights=None).double().eval()
    for m in tv.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eps = 1e-3
    randomise(tv, gen)
    model = KerasMobileNetV2(tv)
    calibrate_bn(model, preprocess(calibration, "tf"), gen)
    f = tv.features
    layers = [("input_1", "none", []), ("Conv1", "conv_nobias", [conv_kernel(f[0][0])]),
              ("bn_Conv1", "bn", bn_arrays(f[0][1])), ("Conv1_relu", "none", [])]
    for i, block in enumerate(f[1:18]):
        prefix = "expanded_conv_" if i == 0 else f"block_{i}_"
        mods = list(block.conv)
        if i > 0:
            layers += [(prefix + "expand", "conv_nobias", [conv_kernel(mods[0][0])]),
                       (prefix + "expand_BN", "bn", bn_arrays(mods[0][1])), (prefix + "expand_relu", "none", [])]
            mods = mods[1:]
        dw = mods[0]
        if dw[0].stride[0] == 2:
            layers += [(prefix + "pad", "none", [])]
        layers += [(prefix + "depthwise", "depthwise", [depthwise_kernel(dw[0])]),
                   (prefix + "depthwise_BN", "bn", bn_arrays(dw[1])), (prefix + "depthwise_relu", "none", []),
                   (prefix + "project", "conv_nobias", [conv_kernel(mods[1])]),
                   (prefix + "project_BN", "bn", bn_arrays(mods[2]))]
        if block.use_res_connect:
            layers += [(prefix + "add", "none", [])]
    layers += [("Conv_1", "conv_nobias", [conv_kernel(f[18][0])]), ("Conv_1_bn", "bn", bn_arrays(f[18][1])),
               ("out_relu", "none", [])]
    top = [("global_average_pooling2d", "none", []),
           ("predictions", "dense", [dense_kernel(tv.classifier[1]), np32(tv.classifier[1].bias)])]
    write_keras_h5(os.path.join(out, "mobilenetv2_notop.h5"), layers)
    write_keras_h5(os.path.join(out, "mobilenetv2_top.h5"), layers + top)
    with torch.no_grad():
        for size, (files, batch) in sets.items():
            save_outputs(out, manifest, "mobilenetv2", "all", size, files, model(preprocess(batch, "tf")))
        # self-check: with symmetric padding the forward pass is torchvision's own; and what Keras's padding changes
        x = preprocess(sets["224x224"][1], "tf")
        sym = KerasMobileNetV2(tv, symmetric=True)(x)["logits"]
        ref = tv(x)
        manifest["mobilenetv2"]["torchvisionSelfCheck"] = float((sym - ref).abs().max() / ref.abs().max())
        keras = model(x)["logits"]
        manifest["mobilenetv2"]["paddingEffect"] = float((keras - ref).abs().max() / ref.abs().max())


# ---------------------------------------------------------------------------------------------------- main
def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--arch", default="vgg16,resnet50,mobilenetv2")
    p.add_argument("--sizes", default="224x224,200x152")
    p.add_argument("--images", type=int, default=2)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    rng = np.random.default_rng(a.seed)
    sets = {}
    for size in a.sizes.split(","):
        h, w = (int(v) for v in size.split("x"))
        files, arrays = [], []
        for i in range(a.images):
            img = synthetic_image(rng, h, w)
            name = f"image{i}_{size}.png"
            Image.fromarray(img).save(os.path.join(a.out, name))
            files.append(name)
            arrays.append(img)
        sets[size] = (files, np.stack(arrays))
    if "224x224" not in sets:
        sys.exit("the sizes must include 224x224 (the top's size)")
    chelsea = chelsea_224()
    Image.fromarray(chelsea).save(os.path.join(a.out, "chelsea_224.png"))
    sets["224x224"] = (sets["224x224"][0] + ["chelsea_224.png"],
                       np.concatenate([sets["224x224"][1], chelsea[None]]))
    calibration = sets["224x224"][1]
    manifest = {"seed": a.seed, "torch": torch.__version__, "torchvision": torchvision.__version__,
                "h5py": h5py.__version__}
    archs = a.arch.split(",")
    if "vgg16" in archs:
        vgg16(a.out, sets, manifest, a.seed)
    if "resnet50" in archs:
        resnet50(a.out, sets, manifest, a.seed, calibration)
    if "mobilenetv2" in archs:
        mobilenetv2(a.out, sets, manifest, a.seed, calibration)
    with open(os.path.join(a.out, "oracle.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
