#!/usr/bin/env bash
# Fault-injection suite (issue 14): scripted faults against the real `transfer4j` command.
# Usage: faults/run.sh [SCENARIO...]   (default: all). Needs the CLI jar (./transfer4j builds it on first use).
# Each scenario prints "PASS name", "FAIL name: why" or "SKIP name: reason"; the last line counts them.
# Loopback only: no internet. The full-disk scenario needs root (a 4 MiB tmpfs) and skips otherwise.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
T4J="$ROOT/transfer4j"
WORK="$(mktemp -d /tmp/t4j-faults.XXXXXX)"
trap 'for m in "$WORK"/mnt*; do mountpoint -q "$m" 2>/dev/null && umount "$m"; done; rm -rf "$WORK"' EXIT
pass=0; fail=0; skip=0
ok()   { echo "PASS $1"; pass=$((pass+1)); }
bad()  { echo "FAIL $1: $2"; fail=$((fail+1)); }
skp()  { echo "SKIP $1: $2"; skip=$((skip+1)); }
# a clean failure: non-zero exit, no stack trace, no OutOfMemoryError, a message
clean() { ! grep -qE '^\s+at [a-z]+\.|OutOfMemoryError|Exception in thread' "$1"; }

images() { # $1 dir: 2 classes x 6 small PNGs
  /usr/bin/python3 - "$1" <<'PY'
import sys, os, zlib, struct, random
root = sys.argv[1]
def png(path, rgb):
    w = h = 32
    raw = b''.join(b'\x00' + bytes(rgb) * w for _ in range(h))
    def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    open(path, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
                           + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
random.seed(1)
for c, base in (('cats', (200, 40, 40)), ('dogs', (40, 40, 200))):
    os.makedirs(os.path.join(root, c), exist_ok=True)
    for i in range(6):
        png(os.path.join(root, c, f'{i}.png'), [max(0, min(255, v + random.randint(-20, 20))) for v in base])
PY
}

tiny_bundle() { # a real bundle (tiny backbone, 32 px) in $WORK/tiny/run/model.t4j
  [[ -f "$WORK/tiny/run/model.t4j" ]] && return 0
  mkdir -p "$WORK/tiny"; images "$WORK/tiny/images"
  "$T4J" fit --data "$WORK/tiny/images" --backbone tiny --run-dir "$WORK/tiny/run" --image-size 32 --head-epochs 1 \
      --unfreeze none --no-augment >"$WORK/tiny/out" 2>&1
}

s_zip_bomb() { # a configuration.json followed by 1.9 GiB of spaces inside a bundle's graph.zip (streamed, small on disk)
  local dir="$WORK/bomb"; mkdir -p "$dir"
  tiny_bundle || { bad zip-bomb "could not train the tiny bundle"; return; }
  /usr/bin/python3 - "$dir/bomb.t4j" "$WORK/tiny/run/model.t4j" <<'PY' || { bad zip-bomb "could not build the bomb"; return; }
import sys, zipfile, io, json
inner = io.BytesIO()
with zipfile.ZipFile(inner, 'w', zipfile.ZIP_DEFLATED) as z:
    with z.open('configuration.json', 'w', force_zip64=True) as f:
        f.write(b'{"vertices": {}}')
        block = b' ' * (1 << 20)
        for _ in range(1900):
            f.write(block)
manifest = zipfile.ZipFile(sys.argv[2]).read('manifest.json')  # a real manifest: the bomb is only in graph.zip
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('manifest.json', manifest)
    z.writestr('graph.zip', inner.getvalue())
PY
  local code; /usr/bin/time -f '%M' -o "$dir/rss" "$T4J" summary "$dir/bomb.t4j" >"$dir/out" 2>"$dir/err"; code=$?
  local rss_mb=$(( $(tail -1 "$dir/rss") / 1024 ))
  if [[ $code -ne 0 ]] && clean "$dir/err" && grep -q "zip bomb" "$dir/err" && [[ $rss_mb -lt 2500 ]]; then
    ok "zip-bomb ($(du -h "$dir/bomb.t4j" | cut -f1) on disk, peak RSS ${rss_mb} MB, exit $code)"
  else bad zip-bomb "exit $code, RSS ${rss_mb} MB: $(head -c 400 "$dir/err")"; fi
}

s_dead_mirror() { # connection refused by the mirror and the publisher: fails fast, short first line
  local dir="$WORK/dead"; mkdir -p "$dir"
  local port; port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local t0=$SECONDS
  TRANSFER4J_HOME="$dir/home" TRANSFER4J_MODEL_MIRROR="http://127.0.0.1:$port/m/" \
    "$T4J" models download resnet50 >"$dir/out" 2>"$dir/err"; local code=$?
  local took=$((SECONDS - t0))
  # the publisher's hosts are not reachable from a sandbox either; what must not happen is retrying a refused mirror
  if [[ $code -ne 0 ]] && clean "$dir/err" && grep -q "cannot connect" "$dir/err" && [[ $took -lt 60 ]]; then
    ok "dead-mirror (${took} s, exit $code)"
  else bad dead-mirror "exit $code after ${took} s: $(head -c 400 "$dir/err")"; fi
}

s_full_disk() { # the weights cache on a 4 MiB tmpfs: refused up front or at ENOSPC, not retried, no .part left
  [[ $(id -u) -eq 0 ]] || { skp full-disk "needs root to mount a small tmpfs"; return; }
  local mnt="$WORK/mnt-disk"; mkdir -p "$mnt"
  mount -t tmpfs -o size=4m tmpfs "$mnt" 2>/dev/null || { skp full-disk "cannot mount a tmpfs here"; return; }
  local srv="$WORK/srv"; mkdir -p "$srv"; head -c $((40 << 20)) /dev/urandom > "$srv/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
  (cd "$srv" && exec /usr/bin/python3 -m http.server 0 --bind 127.0.0.1 >"$WORK/http.log" 2>&1) & local pid=$!
  local port=""; for _ in $(seq 50); do port=$(grep -oE 'port [0-9]+' "$WORK/http.log" | grep -oE '[0-9]+' | head -1); [[ -n "$port" ]] && break; sleep 0.1; done
  TRANSFER4J_HOME="$mnt" TRANSFER4J_MODEL_MIRROR="http://127.0.0.1:$port/" "$T4J" models download resnet50 \
    >"$WORK/disk.out" 2>"$WORK/disk.err"; local code=$?
  kill "$pid" 2>/dev/null
  local parts; parts=$(find "$mnt" -name '*.part' | wc -l)
  if [[ $code -ne 0 ]] && clean "$WORK/disk.err" && grep -qE "not enough free space|No space left" "$WORK/disk.err" \
     && grep -q "$mnt" "$WORK/disk.err" && [[ $parts -eq 0 ]]; then ok "full-disk (exit $code, no .part left)"
  else bad full-disk "exit $code, $parts .part files: $(head -c 400 "$WORK/disk.err")"; fi
}

s_kill_before_first_phase() { # kill -9 right after the split is written; --resume must finish the run
  local dir="$WORK/kill"; mkdir -p "$dir"; images "$dir/images"
  "$T4J" fit --data "$dir/images" --backbone tiny --run-dir "$dir/run" --image-size 32 --head-epochs 1 \
      --unfreeze none --no-augment >"$dir/out1" 2>&1 & local pid=$!
  for _ in $(seq 600); do [[ -f "$dir/run/split.json" ]] && break; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  "$T4J" fit --resume "$dir/run" >"$dir/out2" 2>"$dir/err2"; local code=$?
  if [[ $code -eq 0 && -f "$dir/run/model.t4j" ]]; then ok "kill-before-first-phase (resumed to a model)"
  else bad kill-before-first-phase "resume exit $code: $(head -c 400 "$dir/err2")"; fi
}

s_bad_group() { # an unknown layer group leaves nothing behind
  local dir="$WORK/group"; mkdir -p "$dir"; images "$dir/images"
  "$T4J" fit --data "$dir/images" --backbone tiny --run-dir "$dir/run" --image-size 32 --unfreeze res9 \
      >"$dir/out" 2>"$dir/err"; local code=$?
  if [[ $code -eq 2 ]] && [[ -z "$(ls -A "$dir/run" 2>/dev/null)" ]] && clean "$dir/err"; then ok "unknown-group (exit 2, run dir empty)"
  else bad unknown-group "exit $code, run dir: $(ls -A "$dir/run" 2>/dev/null | tr '\n' ' ')"; fi
}

ALL=(zip_bomb dead_mirror full_disk kill_before_first_phase bad_group)
[[ $# -gt 0 ]] && ALL=("$@")
for s in "${ALL[@]}"; do "s_$s"; done
echo "faults: $((pass+fail+skip)) tried, $pass survived cleanly, $fail failed, $skip skipped"
[[ $fail -eq 0 ]]
