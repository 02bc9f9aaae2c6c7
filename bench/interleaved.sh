#!/usr/bin/env bash
# Interleaved pairs: each DL4J run immediately followed by the same PyTorch run, so both see the same load.
# For a busy or noisy machine, where bench/run.sh (all DL4J, then all PyTorch) would compare different moments.
#   bench/interleaved.sh [extra args for both sides, e.g. --warmup 1 --iterations 3]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${BENCH_OUT:-$ROOT/target/bench/interleaved-$(date -u +%Y%m%dT%H%M%SZ)}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
mkdir -p "$OUT"
for m in resnet50 vgg16; do
  for w in infer finetune; do
    ./transfer4j bench --in-process --models "$m" --workloads "$w" --work-dir "$OUT/work" \
      --output "$OUT/dl4j-$w-$m.json" "$@" | grep -E "^$w" | sed 's/^/transfer4j /'
    /usr/bin/python3 bench/pytorch_peer.py --in-process --models "$m" --workloads "$w" --png-dir "$OUT/work/png" \
      --output "$OUT/pytorch-$w-$m.json" "$@" | grep -E "^$w" | sed 's/^/pytorch    /'
  done
done
