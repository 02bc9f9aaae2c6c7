#!/usr/bin/env bash
# The side-by-side benchmark in one command: transfer4j (DL4J + oneDNN) and PyTorch on the same machine, the
# same workloads, one after the other, then a Markdown table with ratios.
#
#   bench/run.sh                      # full run: 224 px, batch 16 (run on a quiet machine: ~20-30 min on 2 cores)
#   bench/run.sh --size 64 --batch 4 --iterations 1 --warmup 1   # smoke run; extra args go to both sides
#   bench/run.sh --workloads recipe   # time to model: the Keras recipe on the JPEG folder (recipe-plain + recipe-aug;
#                                     # --recipe-epochs 5,5 --models resnet50 restrict it); PyTorch side: recipe_torch.py
#                                     # on the split transfer4j wrote (work/recipe-split.json)
#
# Needs: JDK 17+, and Debian's PyTorch:  apt-get install -y python3-torch python3-torchvision libopenblas0-pthread
# Environment: BENCH_OUT (results dir, default target/bench/<UTC time>), BENCH_IMAGES (JPEG class folders,
# default ../shared/datasets/dl4j-animals), BENCH_NATIVES (an nd4j-native classifier such as
# linux-x86_64-onednn-avx512: the CLI is rebuilt with it first; rebuild without it afterwards to go back to the
# default), TRANSFER4J_JAVA_OPTS / OPENBLAS_CORETYPE as usual.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${BENCH_OUT:-$ROOT/target/bench/$(date -u +%Y%m%dT%H%M%SZ)}"
IMAGES="${BENCH_IMAGES:-$ROOT/../shared/datasets/dl4j-animals}"
THREADS="$(nproc)"
# Both runtimes use GNU OpenMP: the same wait policy for both (the launcher's default). ACTIVE spinning is a few
# per cent faster on an idle machine and catastrophically slower on a busy one (docs/performance.md).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
echo "OMP_WAIT_POLICY=$OMP_WAIT_POLICY, $THREADS threads each; CPU: $(lscpu | sed -n 's/^Model name: *//p')"
mkdir -p "$OUT"
if [[ -n "${BENCH_NATIVES:-}" ]]; then
  echo "== rebuilding the CLI with natives $BENCH_NATIVES"
  ./mvnw -B -q -DskipTests -Dnd4j.classifier="$BENCH_NATIVES" -pl cli-examples -am package
  # the jar may be left as it was (unchanged classes); mark it fresh so ./transfer4j does not rebuild it, and
  # with it the class path, with the default natives
  touch cli-examples/target/transfer4j-cli.jar
fi
echo "== transfer4j bench -> $OUT/dl4j.json"
./transfer4j bench --images "$IMAGES" --work-dir "$OUT/work" --output "$OUT/dl4j.json" "$@" | tee "$OUT/dl4j.txt"
echo "== PyTorch peer -> $OUT/pytorch.json"
/usr/bin/python3 bench/pytorch_peer.py --threads "$THREADS" --images "$IMAGES" --png-dir "$OUT/work/png" \
  --split "$OUT/work/recipe-split.json" --output "$OUT/pytorch.json" "$@" | tee "$OUT/pytorch.txt"
echo "== side by side -> $OUT/results.md"
python3 bench/compare.py "$OUT/dl4j.json" "$OUT/pytorch.json" | tee "$OUT/results.md"
