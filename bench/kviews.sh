#!/usr/bin/env bash
# Issue 12's K-augmented-views experiment: FineTuner.builder().augmentedViews(K) (K seeded augmented views per
# image cached at the freeze boundary) against fresh augmentation, on real MNIST images written as PNG class
# folders, with a body pretrained here on digits 0-4 (saved as a bundle, loaded back, TransferModel.asBackbone)
# and transferred to a few images per class of digits 5-9, block3 + head trainable. bench/KViews.java says
# what each variant is; BENCHMARKS.md ("K augmented views") has the figures and how they were taken.
#
#   bench/kviews.sh                                  # seeds 1-5; K = 1,2,4,8; 60 epochs; 10 images per class
#   bench/kviews.sh seeds=1,2,3 views=1,8 epochs=40 perClass=30
#
# KEY=VALUE arguments go to bench/KViews.java: seeds, views, epochs, perClass, valPerClass, prePerClass,
# preEpochs, lr (Adam, default 1e-3), mnist (default ../shared/datasets/mnist), out (default target/bench/kviews-<UTC time>),
# from=<out>/runs.jsonl (print the tables of an earlier run again, without training).
# Output: <out>/results.md (the table), <out>/runs.jsonl (one line per run), <out>/kviews.log (the trainer's log:
# cache sizes per image, which mode each phase ran in). The JVM settings are the transfer4j launcher's (it builds
# the command-line jar first when the sources are newer).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MNIST="$ROOT/../shared/datasets/mnist"
OUT="$ROOT/target/bench/kviews-$(date -u +%Y%m%dT%H%M%SZ)"
args=()
for a in "$@"; do
  case "$a" in
    mnist=*) MNIST="${a#mnist=}" ;;
    out=*) OUT="${a#out=}" ;;
    *=*) args+=("$a") ;;
    *) echo "bench/kviews.sh: arguments are KEY=VALUE (see the header of this script); received '$a'" >&2; exit 2 ;;
  esac
done
if [[ ! -d "$MNIST" ]]; then
  echo "bench/kviews.sh: skipped: no MNIST IDX files at $MNIST (the shared data sets are not on this machine;" \
       "pass mnist=DIR)" >&2
  exit 0
fi
mkdir -p "$OUT"
# the launcher's java command (building the jar first if needed), with its main class swapped for the experiment
mapfile -t cmd < <(TRANSFER4J_DRY_RUN=1 TRANSFER4J_JAVA_OPTS="-Dtransfer4j.training.log.level=INFO ${TRANSFER4J_JAVA_OPTS:-}" \
    ./transfer4j)
[[ "${cmd[${#cmd[@]}-1]}" == io.transfer4j.cli.Transfer4j ]] || { echo "bench/kviews.sh: unexpected launcher output" >&2; exit 1; }
unset 'cmd[${#cmd[@]}-1]'
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}" OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
echo "bench/kviews.sh: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); output in $OUT" >&2
"${cmd[@]}" bench/KViews.java mnist="$MNIST" out="$OUT" "${args[@]}" 2> "$OUT/kviews.log" | tee "$OUT/stdout.txt"
