#!/usr/bin/env bash
# Scoring throughput, side by side: the single-JVM `transfer4j predict` and SparkPredict on local[2]
# (spark/transfer4j-spark-submit ... score), same bundle, same N images, one after the other.
#
#   spark/bench/throughput.sh [N] [SIZE] [BACKBONE]     # defaults: 1000 images, 224 px, resnet50
#
# The bundle has RANDOM weights (pretrained weights cannot be downloaded here): inference cost does not depend on
# the weights' values, so the figures are speed only. Images: ../shared/datasets/dl4j-animals (83 JPEGs, override
# with BENCH_IMAGES) replicated under spark/target/bench/images with distinct names until there are N (never
# copied into the repository). Each side is run twice, on N images and on a warm-up set of W = N/10 images, so
# the fixed cost (JVM / Spark start, model load) cancels: marginal images/s = (N - W) / (t(N) - t(W)).
# Per core = images/s / cores used (predict: all cores of the machine; Spark: the N of local[N], default 2).
# Environment: BENCH_IMAGES, BENCH_OUT (default spark/target/bench/<UTC time>), SPARK_MASTER (default local[2]).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
N="${1:-1000}"; SIZE="${2:-224}"; BACKBONE="${3:-resnet50}"
W=$(( N / 10 > 8 ? N / 10 : 8 ))
SRC="${BENCH_IMAGES:-$ROOT/../shared/datasets/dl4j-animals}"
MASTER="${SPARK_MASTER:-local[2]}"
OUT="${BENCH_OUT:-$ROOT/spark/target/bench/$(date -u +%Y%m%dT%H%M%SZ)}"
IMG="$ROOT/spark/target/bench/images-$N"
CORES="$(nproc)"
SPARK_CORES="$(sed -n 's/^local\[\([0-9]*\)\]$/\1/p' <<<"$MASTER")"; SPARK_CORES="${SPARK_CORES:-$CORES}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
mkdir -p "$OUT"
[[ -d "$SRC" ]] || { echo "no images at $SRC (set BENCH_IMAGES to a folder of class sub-folders)" >&2; exit 2; }

# N distinct files (copies named <class>/<round>_<name>), and a W-image subset for the fixed-cost run
make_set() {  # dest count
  local dest="$1" count="$2" n=0 round=0
  [[ -d "$dest" && "$(find "$dest" -type f | wc -l)" -eq "$count" ]] && return
  rm -rf "$dest"; mkdir -p "$dest"
  mapfile -t files < <(find "$SRC" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | sort)
  while (( n < count )); do
    for f in "${files[@]}"; do
      (( n < count )) || break
      cls="$(basename "$(dirname "$f")")"; mkdir -p "$dest/$cls"
      cp "$f" "$dest/$cls/r${round}_$(basename "$f")"; n=$((n + 1))
    done
    round=$((round + 1))
  done
}
make_set "$IMG" "$N"; make_set "$IMG-warm" "$W"

# build both entry points (no-ops when up to date), then the bundle
./transfer4j --version >/dev/null 2>&1 || true
spark/transfer4j-spark-submit --master "$MASTER" -- --help >/dev/null 2>&1 || true
T="$ROOT/spark/target"; JAR="$(ls "$T"/transfer4j-spark-*.jar | grep -v -e sources -e tests | head -1)"
BUNDLE="$OUT/$BACKBONE-$SIZE-random.t4j"
java -cp "$JAR:$(cat "$T/app-classpath.txt")" spark/bench/MakeBundle.java "$BACKBONE" "$SIZE" "$SRC" "$BUNDLE"

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >>"$OUT/log.txt" 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
predict() { rm -f "$OUT/pred-$2.csv"; secs ./transfer4j predict -q --model="$BUNDLE" --top=2 --out="$OUT/pred-$2.csv" "$1"; }
score() { rm -rf "$OUT/score-$2"; secs spark/transfer4j-spark-submit --master "$MASTER" -- score --bundle "$BUNDLE" \
  --input "$1" --output "$OUT/score-$2" --top-k 2; }

echo "== $N images ($W warm-up), $BACKBONE $SIZE px random weights, $CORES cores, master $MASTER -> $OUT"
pw=$(predict "$IMG-warm" warm); pn=$(predict "$IMG" n)
sw=$(score "$IMG-warm" warm); sn=$(score "$IMG" n)
rows=$(( $(cat "$OUT"/score-n/*.csv | grep -vc '^path,') ))
[[ "$rows" -eq "$N" ]] || { echo "Spark wrote $rows rows for $N images (see $OUT/log.txt)" >&2; exit 1; }
python3 - "$N" "$W" "$CORES" "$SPARK_CORES" "$pw" "$pn" "$sw" "$sn" <<'PY' | tee "$OUT/results.md"
import sys
n, w, cores, sc = (int(x) for x in sys.argv[1:5])
pw, pn, sw, sn = (float(x) for x in sys.argv[5:9])
print("| | cores | wall N | wall W | images/s (wall) | images/s (marginal) | per core (marginal) |")
print("|---|---|---|---|---|---|---|")
for name, c, tw, tn in (("transfer4j predict (one JVM)", cores, pw, pn), ("SparkPredict local[%d]" % sc, sc, sw, sn)):
    m = (n - w) / (tn - tw) if tn > tw else float("nan")
    print(f"| {name} | {c} | {tn:.1f} s | {tw:.1f} s | {n / tn:.2f} | {m:.2f} | {m / c:.2f} |")
PY
grep -h '^Scored' "$OUT/log.txt" | sed 's/^/spark says: /' || true
