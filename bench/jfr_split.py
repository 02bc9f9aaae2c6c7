#!/usr/bin/env python3
"""Where the main thread's wall time goes in a JFR recording of inference (docs/performance.md).

    java -XX:StartFlightRecording=filename=rec.jfr,settings=bench/sampling.jfc ... bench/DerivedInference.java resnet50 224 8 1 infer-only
    jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample --stack-depth 96 rec.jfr > rec.txt
    /usr/bin/python3 bench/jfr_split.py rec.txt

ND4J runs its ops in OpenMP regions whose master is the calling Java thread, so the main thread's samples (in Java
code: jdk.ExecutionSample; in native code: jdk.NativeMethodSample) split its wall time. Each sample is put in the
first category whose marker occurs in its stack, searching from the innermost frame outwards: the op being run
(conv2d, activation, add, pooling, GEMM, transposes), then the executor's own code (DL4J's ComputationGraph,
transfer4j's DirectInference) and anything else; and to the executor it ran under (DirectInference.output,
ComputationGraph.output, a training step). "native" = the sample was taken in native code.
"""
import collections
import re
import sys

# innermost match wins; first pattern in this list wins among frames at the same depth
CATEGORIES = [
    ("conv2d op", r"MKLDNNConvHelper\.preOutput|DirectInference\$Conv\.run|ConvolutionLayer\.preOutput"),
    ("activation pass (ReLU ...)", r"\.getActivation\(|DirectInference\$Activation\.run"),
    ("add (+ activation)", r"AddActivationVertex|DirectInference\$Add\.run|ElementWiseVertex\.doForward"),
    ("pooling", r"SubsamplingLayer\.activate|DirectInference\$Pool\.run|GlobalPoolingLayer|DirectInference\$GlobalPool"),
    ("dense / GEMM", r"DenseLayer|BaseLayer\.preOutput|DirectInference\$Dense|OutputLayer"),
    ("input/output transposes (InferenceGraph.in/out)", r"InferenceGraph\.in\(|InferenceGraph\.out\("),
    ("benchmark's own input transpose", r"DerivedInference\.lambda"),
    ("DL4J executor (workspaces, per-vertex code)", r"ComputationGraph\.|LayerWorkspaceMgr|Nd4jWorkspace"),
    ("direct executor bookkeeping", r"DirectInference"),
]


EXECUTORS = [("direct executor", r"DirectInference\.output"), ("DL4J executor", r"ComputationGraph\.output"),
             ("training step", r"ComputationGraph\.fit")]


def main():
    text = open(sys.argv[1], errors="replace").read()
    counts = collections.Counter()
    native = collections.Counter()
    totals = collections.Counter()
    total = 0
    for block in re.split(r"\n(?=jdk\.(?:ExecutionSample|NativeMethodSample) )", text):
        if 'sampledThread = "main"' not in block:
            continue
        frames = re.findall(r"^\s{4}(\S.*?)\s+line:", block, re.M)
        if not frames:
            continue
        total += 1
        joined = "\n".join(frames)
        ex = next((name for name, pat in EXECUTORS if re.search(pat, joined)), "outside both")
        cat = "other"
        for f in frames:
            hit = next((name for name, pat in CATEGORIES if re.search(pat, f)), None)
            if hit:
                cat = hit
                break
        totals[ex] += 1
        counts[(ex, cat)] += 1
        if block.startswith("jdk.NativeMethodSample"):
            native[(ex, cat)] += 1
    print(f"main-thread samples: {total} ({', '.join(f'{k} {v}' for k, v in totals.most_common())})")
    print("| executor | where | samples | share of that executor | of which in native code |")
    print("|---|---|---:|---:|---:|")
    for (ex, cat), n in sorted(counts.items(), key=lambda kv: (-totals[kv[0][0]], -kv[1])):
        print(f"| {ex} | {cat} | {n} | {100 * n / totals[ex]:.0f} % | {100 * native[(ex, cat)] / n:.0f} % |")


if __name__ == "__main__":
    main()
