#!/usr/bin/env bash
# Issue 15's benchmark row: one search whose trials share the frozen body's feature cache, against the same
# trials run independently (each trial its own one-trial search: its own backbone, calibration and feature cache,
# as a 'transfer4j fit' of that configuration would do). Both sides time Tuner.run() only ("seconds" of tune's
# JSON result), so JVM start-up is not counted for either.
#
#   bench/tune.sh                                   # resnet50, random weights, 64 px, 24 trials, seed 42
#   BENCH_BACKBONE=mobilenetv2 BENCH_SIZE=96 bench/tune.sh
#
# The space: random draws of the head rate, head width and dropout; unfreeze 'none' in 5 of 6 draws and the last
# group in 1 (seed 42 draws 22 head-only + 2 fine-tuning), 3 head epochs, 2 fine-tuning epochs, no augmentation.
# Figures and how they were taken: BENCHMARKS.md, "Hyperparameter search".
# Environment: BENCH_OUT (default target/bench/tune-<UTC time>), BENCH_IMAGES (class folders, default
# ../shared/datasets/dl4j-animals), BENCH_BACKBONE, BENCH_SIZE, BENCH_TRIALS, BENCH_SEED.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${BENCH_OUT:-$ROOT/target/bench/tune-$(date -u +%Y%m%dT%H%M%SZ)}"
IMAGES="${BENCH_IMAGES:-$ROOT/../shared/datasets/dl4j-animals}"
BACKBONE="${BENCH_BACKBONE:-resnet50}"
SIZE="${BENCH_SIZE:-64}"
TRIALS="${BENCH_TRIALS:-24}"
SEED="${BENCH_SEED:-42}"
[[ -d "$IMAGES" ]] || { echo "bench/tune.sh: no images at $IMAGES (set BENCH_IMAGES)" >&2; exit 1; }
mkdir -p "$OUT"
cat > "$OUT/space.yaml" <<'YAML'
params:
  headLearningRate: {type: logUniform, min: 1.0e-4, max: 1.0e-2}
  dense: {type: choice, values: [[64], [128], [256]]}
  dropout: {type: uniform, min: 0.0, max: 0.5}
  unfreeze: {type: choice, values: [none, none, none, none, none, last]}
  headEpochs: 3
  fineTuneEpochs: 2
  fineTuneLearningRate: 1.0e-4
  batchSize: 16
  augment: false
YAML
common=(--backbone "$BACKBONE" --image-size "$SIZE" --weights random --seed "$SEED" --data "$IMAGES")
seconds() { python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1]) if "\"result\"" in l][-1]["seconds"])' "$1"; }

echo "== shared: one search of $TRIALS trials ($BACKBONE, random weights, ${SIZE} px)"
./transfer4j --json tune "${common[@]}" --space "$OUT/space.yaml" --trials "$TRIALS" --run-dir "$OUT/shared" \
    > "$OUT/shared.jsonl"
shared=$(seconds "$OUT/shared.jsonl")

echo "== independent: the same $TRIALS trials, one search each"
total=0
python3 - "$OUT" <<'PY'
import json, sys, os
out = sys.argv[1]
rows = [json.loads(l) for l in open(os.path.join(out, "shared", "search", "trials.jsonl"))]
for r in rows:
    with open(os.path.join(out, "trial-%02d.yaml" % r["id"]), "w") as f:
        f.write("params:\n")
        for k, v in r["params"].items():
            # a list value (dense: [128]) as a one-value choice, so it is not read as a list of choices
            f.write("  %s: %s\n" % (k, json.dumps({"type": "choice", "values": [v]}) if isinstance(v, list)
                                     else json.dumps(v)))
print("composition: %d head-only, %d fine-tuning" % (sum(r["params"]["unfreeze"] == "none" for r in rows),
      sum(r["params"]["unfreeze"] != "none" for r in rows)))
PY
for space in "$OUT"/trial-*.yaml; do
  n=$(basename "$space" .yaml)
  ./transfer4j --json tune "${common[@]}" --space "$space" --trials 1 --strategy grid --run-dir "$OUT/$n" \
      > "$OUT/$n.jsonl"
  s=$(seconds "$OUT/$n.jsonl")
  total=$(python3 -c "print($total + $s)")
  echo "   $n: $s s"
done
python3 - "$OUT" "$shared" "$total" <<'PY'
import json, sys, os, glob
out, shared, total = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = {r["id"]: r for r in (json.loads(l) for l in open(os.path.join(out, "shared", "search", "trials.jsonl")))}
diffs = []
for f in sorted(glob.glob(os.path.join(out, "trial-*.jsonl"))):
    i = int(os.path.basename(f)[6:8])
    alone = [json.loads(l) for l in open(os.path.join(out, "trial-%02d" % i, "search", "trials.jsonl"))][0]
    diffs.append(abs(alone["objective"] - rows[i]["objective"]))
print("shared search: %.1f s; the same trials independently: %.1f s; speed-up %.2fx" % (shared, total, total / shared))
print("largest difference of a trial's best val_loss, shared vs independent: %.2g" % max(diffs))
PY
