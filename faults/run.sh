#!/usr/bin/env bash
# Fault-injection suite (issue 14): scripted faults against the real `transfer4j` command.
# Usage: faults/run.sh [SCENARIO...]   (default: all; `faults/run.sh --list` names them).
# Needs the CLI jar (./transfer4j builds it on first use) and /usr/bin/python3 (loopback servers, kill driver).
# Each scenario prints "PASS name", "FAIL name: why" or "SKIP name: reason"; the bad-input scenario prints one
# line per input that was not answered clearly. The last lines count faults and bad inputs; the exit code is 1
# when anything failed. Loopback only: no internet. The full-disk scenarios need root (a small tmpfs) and skip
# with the reason otherwise. See docs/faults.md.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FAULTS="$ROOT/faults"
T4J="$ROOT/transfer4j"
PY=/usr/bin/python3
WORK="$(mktemp -d /tmp/t4j-faults.XXXXXX)"
# small JVMs: the suite runs beside other builds; every model here is tiny or at 32 px
export TRANSFER4J_HEAP="${TRANSFER4J_HEAP:-1g}" TRANSFER4J_OFFHEAP="${TRANSFER4J_OFFHEAP:-3G}"
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null
  for m in "$WORK"/mnt*; do mountpoint -q "$m" 2>/dev/null && umount "$m"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
pass=0; fail=0; skip=0; bad_tried=0; bad_clear=0
ok()   { echo "PASS $1"; pass=$((pass+1)); }
bad()  { echo "FAIL $1: $2"; fail=$((fail+1)); }
skp()  { echo "SKIP $1: $2"; skip=$((skip+1)); }
# a clean failure: no stack trace, no OutOfMemoryError
clean() { ! grep -qE '^\s+at [a-zA-Z$_.]+\(|OutOfMemoryError|Exception in thread|std::bad_alloc' "$1"; }
first() { tr '\n' ' ' <"$1" | head -c 300; }

images() { # $1 dir: 2 classes x 6 small PNGs
  "$PY" - "$1" <<'PY'
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
IMG="$WORK/images"; images "$IMG"

# The two training set-ups every kill is measured against: an uninterrupted run of the same command.
# tiny: 2 x 2 epochs, 4 batches per epoch (kills between batches); mobilenetv2 (random, 32 px): 8 MB bundle and
# checkpoints, so the writes last long enough to be killed in the middle of.
TINY=(fit --data "$IMG" --backbone tiny --image-size 32 --head-epochs 2 --fine-tune-epochs 2 --batch-size 2
      --patience 10 --no-augment)
MNV2=(fit --data "$IMG" --backbone mobilenetv2 --weights random --image-size 32 --head-epochs 2
      --fine-tune-epochs 2 --patience 10 --no-augment)
reference() { # $1 name (tiny|mnv2): an uninterrupted run in $WORK/ref-$1
  [[ -f "$WORK/ref-$1/model.t4j" ]] && return 0
  local args=("${TINY[@]}"); [[ $1 == mnv2 ]] && args=("${MNV2[@]}")
  "$T4J" "${args[@]}" --run-dir "$WORK/ref-$1" >"$WORK/ref-$1.out" 2>&1
}
same() { "$FAULTS/same_model.py" "$1" "$2" >"$WORK/same.out" 2>&1; } # bundles equal but for wall-clock fields

# --- a loopback weights server (faults/server.py) serving a generated MobileNetV2 notop file -------------------
# The catalogue checks MobileNetV2 files by their exact size (Keras publishes no checksum), so a generated file
# of that size downloads and verifies like the real one; resnet50 files (md5) are used where bytes must be wrong.
MNV2_FILE=mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5
MNV2_SIZE=9406464
serve() {
  [[ -n "$SERVER_PID" ]] && return 0
  mkdir -p "$WORK/srv"; head -c $MNV2_SIZE /dev/urandom >"$WORK/srv/$MNV2_FILE"
  head -c $((40 << 20)) /dev/urandom >"$WORK/srv/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
  "$PY" "$FAULTS/server.py" "$WORK/srv" --rate $((3 << 20)) --log "$WORK/srv.log" >"$WORK/srv.port" & SERVER_PID=$!
  for _ in $(seq 100); do PORT=$(awk '/^port/ {print $2}' "$WORK/srv.port"); [[ -n "$PORT" ]] && break; sleep 0.05; done
}
mirror() { echo "http://127.0.0.1:$PORT/$1/"; }
reqs() { grep -c "$1" "$WORK/srv.log" 2>/dev/null || true; } # how many requests matched
cached_ok() { # $1 home: the MobileNetV2 file is in the cache, equal to the served one, and `models verify` agrees
  local f="$1/models/mobilenetv2/$MNV2_FILE"
  [[ -f "$f" ]] && cmp -s "$f" "$WORK/srv/$MNV2_FILE" \
    && TRANSFER4J_HOME="$1" TRANSFER4J_OFFLINE=1 "$T4J" models verify mobilenetv2 >"$WORK/verify.out" 2>&1
}
leftovers() { find "$1" \( -name '*.part' -o -name '*.partial' -o -name '*.partial-*' \) 2>/dev/null | wc -l; }

# ---------------------------------------------------------------------------------------------- downloads ----
s_kill_download() { # kill -9 mid-download; the next download resumes with a Range request and verifies
  serve; local home="$WORK/home-kill"
  TRANSFER4J_HOME="$home" TRANSFER4J_MODEL_MIRROR="$(mirror slow)" "$PY" "$FAULTS/killat.py" --out "$WORK/kd1.out" \
    --dir "$home/models/mobilenetv2" --size '*.part' 3000000 -- "$T4J" models download mobilenetv2 >"$WORK/kd.kill"
  local killed; killed=$(cat "$WORK/kd.kill")
  [[ $killed == killed* ]] || { bad kill-download "not killed mid-download: $killed"; return; }
  [[ -f "$home/models/mobilenetv2/$MNV2_FILE" ]] && { bad kill-download "an unverified file is in the cache after the kill"; return; }
  TRANSFER4J_HOME="$home" TRANSFER4J_MODEL_MIRROR="$(mirror ok)" "$T4J" models download mobilenetv2 >"$WORK/kd2.out" 2>&1
  local code=$?
  if [[ $code -eq 0 ]] && cached_ok "$home" && [[ $(reqs "/ok/.*range=bytes=") -ge 1 ]] && [[ $(leftovers "$home") -eq 0 ]]; then
    ok "kill-download ($killed; resumed with a Range request, verified)"
  else bad kill-download "exit $code, Range requests $(reqs "/ok/.*range=bytes="): $(first "$WORK/kd2.out")"; fi
}

s_race_download() { # two JVMs download into the same cache at once
  serve; local home="$WORK/home-race"
  TRANSFER4J_HOME="$home" TRANSFER4J_MODEL_MIRROR="$(mirror slow)" "$T4J" models download mobilenetv2 >"$WORK/rd1.out" 2>&1 & local p1=$!
  TRANSFER4J_HOME="$home" TRANSFER4J_MODEL_MIRROR="$(mirror slow)" "$T4J" models download mobilenetv2 >"$WORK/rd2.out" 2>&1 & local p2=$!
  wait $p1; local c1=$?; wait $p2; local c2=$?
  if [[ $c1 -eq 0 && $c2 -eq 0 ]] && cached_ok "$home" && [[ $(leftovers "$home") -eq 0 ]]; then
    ok "race-download (both exit 0, one verified file, no partial left)"
  else bad race-download "exits $c1/$c2: $(first "$WORK/rd1.out") | $(first "$WORK/rd2.out")"; fi
}

s_truncated_body() { # the server closes the first response after 1 MiB of 9 MiB: retried, resumed, verified
  serve; local home="$WORK/home-trunc"
  TRANSFER4J_HOME="$home" TRANSFER4J_MODEL_MIRROR="$(mirror trunc1)" "$T4J" models download mobilenetv2 >"$WORK/tb.out" 2>&1
  local code=$?
  if [[ $code -eq 0 ]] && cached_ok "$home" && [[ $(reqs "/trunc1/.*range=bytes=1048576-") -ge 1 ]]; then
    ok "truncated-body (retried from byte 1048576, verified)"
  else bad truncated-body "exit $code: $(first "$WORK/tb.out")"; fi
}

s_throttled() { # a slow server (3 MB/s): the download waits it out with progress and verifies
  serve; local home="$WORK/home-slow"
  TRANSFER4J_HOME="$home" TRANSFER4J_MODEL_MIRROR="$(mirror slow)" "$T4J" models download mobilenetv2 >"$WORK/th.out" 2>&1
  local code=$?
  if [[ $code -eq 0 ]] && cached_ok "$home"; then ok "throttled (verified)"
  else bad throttled "exit $code: $(first "$WORK/th.out")"; fi
}

s_wrong_bytes() { # the mirror serves the right number of wrong bytes: refused, nothing cached, the reason named
  serve; local home="$WORK/home-wrong"
  TRANSFER4J_HOME="$home" TRANSFER4J_MODEL_MIRROR="$(mirror wrong)" "$T4J" models download mobilenetv2 >"$WORK/wb.out" 2>"$WORK/wb.err"
  local code=$?; local cached; cached=$(find "$home" -name '*.h5' 2>/dev/null | wc -l)
  # MobileNetV2 is checked by size only (no published checksum); a same-size file passes the size check, so the
  # wrong-bytes case is tried on resnet50 (md5): 40 MB of other bytes
  TRANSFER4J_HOME="$home" TRANSFER4J_MODEL_MIRROR="$(mirror wrong)" "$T4J" models download resnet50 >"$WORK/wb2.out" 2>"$WORK/wb2.err"
  local code2=$?; local cached2; cached2=$(find "$home/models/resnet50" -name '*.h5' 2>/dev/null | wc -l)
  if [[ $code2 -ne 0 ]] && clean "$WORK/wb2.err" && grep -qi "checksum mismatch" "$WORK/wb2.err" && [[ $cached2 -eq 0 ]] \
     && [[ $(leftovers "$home/models/resnet50") -eq 0 ]]; then
    ok "wrong-bytes (resnet50: exit $code2, checksum mismatch named, nothing cached; mobilenetv2 same-size bytes: exit $code, $cached file(s) cached - size is all Keras publishes)"
  else bad wrong-bytes "exit $code2, $cached2 cached: $(first "$WORK/wb2.err")"; fi
}

s_http_404() { # the mirror answers 404: not retried, the URL and status named, nothing cached
  serve; local home="$WORK/home-404" t0=$SECONDS
  TRANSFER4J_HOME="$home" TRANSFER4J_MODEL_MIRROR="$(mirror 404)" "$T4J" models download mobilenetv2 >"$WORK/nf.out" 2>"$WORK/nf.err"
  local code=$? took=$((SECONDS - t0))
  if [[ $code -ne 0 ]] && clean "$WORK/nf.err" && grep -q "404" "$WORK/nf.err" && [[ -z "$(grep /404/ "$WORK/srv.log" | sort | uniq -d)" ]] \
     && [[ -z "$(find "$home" -name '*.h5' 2>/dev/null)" ]]; then ok "http-404 (exit $code in ${took} s, each URL asked once, 404 named)"
  else bad http-404 "exit $code, $(reqs "/404/") requests: $(first "$WORK/nf.err")"; fi
}

s_dead_mirror() { # connection refused by the mirror (and no route to the publishers): fails fast, says so
  local home="$WORK/home-dead" port
  port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local t0=$SECONDS
  TRANSFER4J_HOME="$home" TRANSFER4J_MODEL_MIRROR="http://127.0.0.1:$port/m/" \
    "$T4J" models download resnet50 >"$WORK/dm.out" 2>"$WORK/dm.err"; local code=$?
  local took=$((SECONDS - t0))
  if [[ $code -ne 0 ]] && clean "$WORK/dm.err" && grep -q "cannot connect" "$WORK/dm.err" && [[ $took -lt 60 ]]; then
    ok "dead-mirror (${took} s, exit $code)"
  else bad dead-mirror "exit $code after ${took} s: $(first "$WORK/dm.err")"; fi
}

tmpfs() { # $1 name $2 size: mounts a small tmpfs at $WORK/mnt-$1, or returns 1 with the reason in $WHY
  WHY=""; [[ $(id -u) -eq 0 ]] || { WHY="needs root to mount a small tmpfs"; return 1; }
  local mnt="$WORK/mnt-$1"; mkdir -p "$mnt"
  mount -t tmpfs -o "size=$2" tmpfs "$mnt" 2>"$WORK/mount.err" || { WHY="cannot mount a tmpfs here ($(first "$WORK/mount.err"))"; return 1; }
}
fill() { dd if=/dev/zero of="$1/filler" bs=64k >/dev/null 2>&1; true; } # until the file system is full

s_full_disk() { # the weights cache on a 4 MiB tmpfs, a 40 MB file: refused before any byte, path named
  tmpfs disk 4m || { skp full-disk "$WHY"; return; }
  serve; local mnt="$WORK/mnt-disk"
  TRANSFER4J_HOME="$mnt" TRANSFER4J_MODEL_MIRROR="$(mirror ok)" "$T4J" models download resnet50 >"$WORK/fd.out" 2>"$WORK/fd.err"
  local code=$?
  if [[ $code -ne 0 ]] && clean "$WORK/fd.err" && grep -qE "not enough free space|No space left" "$WORK/fd.err" \
     && grep -q "$mnt" "$WORK/fd.err" && [[ $(leftovers "$mnt") -eq 0 ]]; then ok "full-disk (exit $code, path named, no .part left)"
  else bad full-disk "exit $code, $(leftovers "$mnt") partial files: $(first "$WORK/fd.err")"; fi
}

s_disk_fills_mid_download() { # no Content-Length, the disk fills while the body streams: not retried, no .part
  tmpfs dl 12m || { skp disk-fills-mid-download "$WHY"; return; }
  serve; local mnt="$WORK/mnt-dl" dir="$WORK/mnt-dl/models/mobilenetv2"
  TRANSFER4J_HOME="$mnt" TRANSFER4J_MODEL_MIRROR="$(mirror nolength)" "$T4J" models download mobilenetv2 >"$WORK/mf.out" 2>"$WORK/mf.err" & local pid=$!
  local filled=no
  for _ in $(seq 2000); do
    local p; p=$(find "$dir" -name '*.part' -size +1000k 2>/dev/null | head -1)
    if [[ -n "$p" ]]; then fill "$mnt"; filled=yes; break; fi
    kill -0 $pid 2>/dev/null || break; sleep 0.01
  done
  wait $pid; local code=$?
  local gets; gets=$(reqs "/nolength/")
  rm -f "$mnt/filler"
  [[ $filled == yes ]] || { bad disk-fills-mid-download "the download ended (exit $code) before the disk could be filled"; return; }
  if [[ $code -ne 0 ]] && clean "$WORK/mf.err" && grep -q "$mnt" "$WORK/mf.err" && grep -qi "free" "$WORK/mf.err" \
     && [[ $(leftovers "$mnt") -eq 0 ]] && [[ $gets -eq 1 ]] && [[ ! -f "$dir/$MNV2_FILE" ]]; then
    ok "disk-fills-mid-download (exit $code, one request, path named, .part removed)"
  else bad disk-fills-mid-download "exit $code, $gets requests, $(leftovers "$mnt") partial files: $(first "$WORK/mf.err")"; fi
}

s_corrupted_cache() { # a byte of a verified cached file flipped: `models verify` says so and names the file
  serve; local home="$WORK/home-rot"
  TRANSFER4J_HOME="$home" TRANSFER4J_MODEL_MIRROR="$(mirror ok)" "$T4J" models download mobilenetv2 >"$WORK/cc1.out" 2>&1 \
    || { bad corrupted-cache "setup download failed: $(first "$WORK/cc1.out")"; return; }
  printf '\xff' | dd of="$home/models/mobilenetv2/$MNV2_FILE" bs=1 seek=4096 conv=notrunc 2>/dev/null
  TRANSFER4J_HOME="$home" TRANSFER4J_OFFLINE=1 "$T4J" models verify mobilenetv2 >"$WORK/cc.out" 2>"$WORK/cc.err"; local code=$?
  if [[ $code -ne 0 ]] && clean "$WORK/cc.err" && grep -q "$MNV2_FILE" "$WORK/cc.out" "$WORK/cc.err"; then
    ok "corrupted-cache (verify exit $code, the file named)"
  else bad corrupted-cache "verify exit $code: $(first "$WORK/cc.out") $(first "$WORK/cc.err")"; fi
}

# ----------------------------------------------------------------------------------------------- training ----
resume_matches() { # $1 scenario $2 run dir $3 reference name $4 what the kill hit
  "$T4J" fit --resume "$2" >"$WORK/$1.resume" 2>&1; local code=$?
  if [[ $code -ne 0 ]]; then bad "$1" "$4; resume exit $code: $(first "$WORK/$1.resume")"; return; fi
  if ! same "$2" "$WORK/ref-$3"; then bad "$1" "$4; the resumed bundle differs from the uninterrupted run: $(first "$WORK/same.out")"; return; fi
  if [[ $(leftovers "$2") -ne 0 ]]; then bad "$1" "$4; partial files left after the resume"; return; fi
  "$T4J" summary "$2/model.t4j" >"$WORK/$1.summary" 2>&1 || { bad "$1" "the resumed bundle does not load: $(first "$WORK/$1.summary")"; return; }
  ok "$1 ($4; resumed bundle equals the uninterrupted run in manifest, history and parameters)"
}

s_kill_before_first_phase() { # kill -9 right after the split is written; --resume must finish the run
  reference tiny || { bad kill-before-first-phase "reference run failed: $(first "$WORK/ref-tiny.out")"; return; }
  local run="$WORK/kb-run"
  "$PY" "$FAULTS/killat.py" --out "$WORK/kb.out" --dir "$run" --file split.json -- "$T4J" "${TINY[@]}" --run-dir "$run" >"$WORK/kb.kill"
  grep -q '^killed' "$WORK/kb.kill" || { bad kill-before-first-phase "$(cat "$WORK/kb.kill")"; return; }
  resume_matches kill-before-first-phase "$run" tiny "$(cat "$WORK/kb.kill")"
}

s_kill_mid_epoch() { # kill -9 after the first batch of the second epoch (4 batches an epoch)
  reference tiny || { bad kill-mid-epoch "reference run failed"; return; }
  local run="$WORK/me-run"
  "$PY" "$FAULTS/killat.py" --out "$WORK/me.out" --line '"task":"head 2/2","current":1,' -- \
    "$T4J" "${TINY[@]}" --json --run-dir "$run" >"$WORK/me.kill"
  grep -q '^killed' "$WORK/me.kill" || { bad kill-mid-epoch "$(cat "$WORK/me.kill")"; return; }
  resume_matches kill-mid-epoch "$run" tiny "$(cat "$WORK/me.kill")"
}

s_kill_at_checkpoint_write() { # kill -9 while the third checkpoint (8 MB) is being written
  reference mnv2 || { bad kill-at-checkpoint-write "reference run failed: $(first "$WORK/ref-mnv2.out")"; return; }
  local run="$WORK/kc-run"
  "$PY" "$FAULTS/killat.py" --out "$WORK/kc.out" --dir "$run" --file 'ckpt-*.partial' --nth 3 -- \
    "$T4J" "${MNV2[@]}" --run-dir "$run" >"$WORK/kc.kill"
  grep -q '^killed' "$WORK/kc.kill" || { bad kill-at-checkpoint-write "$(cat "$WORK/kc.kill")"; return; }
  local hit="$(cat "$WORK/kc.kill"), $(ls -d "$run"/ckpt-*.partial 2>/dev/null | wc -l) checkpoint half-written"
  resume_matches kill-at-checkpoint-write "$run" mnv2 "$hit"
}

s_kill_at_bundle_write() { # kill -9 while model.t4j is being written (after the last checkpoint)
  reference mnv2 || { bad kill-at-bundle-write "reference run failed"; return; }
  local run="$WORK/kw-run"
  "$PY" "$FAULTS/killat.py" --out "$WORK/kw.out" --dir "$run" --file '.model.t4j.*.partial' -- \
    "$T4J" "${MNV2[@]}" --run-dir "$run" >"$WORK/kw.kill"
  grep -q '^killed' "$WORK/kw.kill" || { bad kill-at-bundle-write "$(cat "$WORK/kw.kill")"; return; }
  [[ -f "$run/model.t4j" ]] && { bad kill-at-bundle-write "a model.t4j exists although its write was killed"; return; }
  resume_matches kill-at-bundle-write "$run" mnv2 "$(cat "$WORK/kw.kill")"
}

s_resume_finished_run() { # fit --resume on a run that finished (checkpoint kept): same model as before
  reference tiny || { bad resume-finished-run "reference run failed"; return; }
  local run="$WORK/rf-run"
  "$T4J" "${TINY[@]}" --keep checkpoint,initial-model --run-dir "$run" >"$WORK/rf.out" 2>&1 || { bad resume-finished-run "first run failed: $(first "$WORK/rf.out")"; return; }
  resume_matches resume-finished-run "$run" tiny "resumed after the final checkpoint"
}

s_race_fit() { # two `fit` JVMs on the same run directory: one runs, the other is refused clearly
  reference tiny || { bad race-fit "reference run failed"; return; }
  local run="$WORK/race-run"
  "$T4J" "${TINY[@]}" --run-dir "$run" >"$WORK/rf1.out" 2>"$WORK/rf1.err" & local p1=$!
  "$T4J" "${TINY[@]}" --run-dir "$run" >"$WORK/rf2.out" 2>"$WORK/rf2.err" & local p2=$!
  wait $p1; local c1=$?; wait $p2; local c2=$?
  local loser=""; [[ $c1 -eq 0 && $c2 -ne 0 ]] && loser=2; [[ $c2 -eq 0 && $c1 -ne 0 ]] && loser=1
  if [[ -n "$loser" ]] && clean "$WORK/rf$loser.err" && same "$run" "$WORK/ref-tiny"; then
    ok "race-fit (one exit 0 with the reference model, the other exit $([[ $loser == 1 ]] && echo $c1 || echo $c2): $(grep -m1 '^transfer4j:' "$WORK/rf$loser.err" | head -c 160))"
  else bad race-fit "exits $c1/$c2 (both may not succeed, one must): $(first "$WORK/rf1.err") | $(first "$WORK/rf2.err") | $(first "$WORK/same.out")"; fi
}

s_race_resume() { # `fit --resume` while the run is still training: refused, nothing of the live run touched
  reference tiny || { bad race-resume "reference run failed"; return; }
  local run="$WORK/race-resume"
  "$T4J" "${TINY[@]}" --run-dir "$run" >"$WORK/rr1.out" 2>"$WORK/rr1.err" & local p1=$!
  for _ in $(seq 6000); do [[ -f "$run/run.json" ]] && break; kill -0 $p1 2>/dev/null || break; sleep 0.01; done
  "$T4J" fit --resume "$run" >"$WORK/rr2.out" 2>"$WORK/rr2.err"; local c2=$?
  local alive=no; kill -0 $p1 2>/dev/null && alive=yes
  wait $p1; local c1=$?
  if [[ $alive == no ]]; then # the run ended before the resume came: a finished run without --keep is refused too
    [[ $c1 -eq 0 && $c2 -ne 0 ]] && clean "$WORK/rr2.err" && ok "race-resume (the run had finished; resume exit $c2)" \
      || bad race-resume "the run ended first; exits $c1/$c2: $(first "$WORK/rr2.err")"
    return
  fi
  if [[ $c1 -eq 0 && $c2 -ne 0 ]] && clean "$WORK/rr2.err" && grep -q "is in use by process" "$WORK/rr2.err" \
     && same "$run" "$WORK/ref-tiny"; then
    ok "race-resume (resume exit $c2 while the run trained: $(grep -m1 '^transfer4j:' "$WORK/rr2.err" | head -c 120); the run's model equals the reference)"
  else bad race-resume "exits $c1/$c2: $(first "$WORK/rr2.err") | $(first "$WORK/same.out")"; fi
}

s_disk_full_at_bundle_write() { # the run directory's disk fills while model.t4j is written; --resume after freeing
  # (110 MiB: fit refuses a run directory with less free space than 5x the weights + 50 MB up front, as it should)
  tmpfs run 110m || { skp disk-full-at-bundle-write "$WHY"; return; }
  reference mnv2 || { bad disk-full-at-bundle-write "reference run failed"; return; }
  local mnt="$WORK/mnt-run" run="$WORK/mnt-run/run"
  "$T4J" "${MNV2[@]}" --run-dir "$run" >"$WORK/fb.out" 2>"$WORK/fb.err" & local pid=$!
  local filled=no
  for _ in $(seq 6000); do
    if compgen -G "$run/.model.t4j.*.partial" >/dev/null; then fill "$mnt"; filled=yes; break; fi
    kill -0 $pid 2>/dev/null || break; sleep 0.005
  done
  wait $pid; local code=$?
  local parts; parts=$(leftovers "$run")
  rm -f "$mnt/filler"
  [[ $filled == yes ]] || { bad disk-full-at-bundle-write "the run ended (exit $code) before the disk could be filled"; return; }
  if [[ $code -eq 0 ]]; then # the bundle was complete before the disk filled: it must then be the reference one
    same "$run" "$WORK/ref-mnv2" && ok "disk-full-at-bundle-write (the write finished before the disk filled; model equal)" \
      || bad disk-full-at-bundle-write "exit 0 but the model differs: $(first "$WORK/same.out")"
    return
  fi
  if ! clean "$WORK/fb.err" || ! grep -q "$mnt" "$WORK/fb.err" || [[ $parts -ne 0 ]] || [[ -f "$run/model.t4j" ]]; then
    bad disk-full-at-bundle-write "exit $code, $parts partial files left: $(first "$WORK/fb.err")"; return
  fi
  resume_matches disk-full-at-bundle-write "$run" mnv2 "exit $code naming the path, no partial left"
}

s_bad_group() { # an unknown layer group leaves nothing behind
  local run="$WORK/group-run"
  "$T4J" fit --data "$IMG" --backbone tiny --run-dir "$run" --image-size 32 --unfreeze res9 >"$WORK/bg.out" 2>"$WORK/bg.err"
  local code=$?
  if [[ $code -eq 2 ]] && [[ -z "$(ls -A "$run" 2>/dev/null)" ]] && clean "$WORK/bg.err"; then ok "unknown-group (exit 2, run dir empty)"
  else bad unknown-group "exit $code, run dir: $(ls -A "$run" 2>/dev/null | tr '\n' ' ')"; fi
}

# ------------------------------------------------------------------------------------------------ bundles ----
s_zip_bomb() { # a configuration.json followed by 1.9 GiB of spaces inside a bundle's graph.zip (small on disk)
  reference tiny || { bad zip-bomb "could not train the tiny bundle"; return; }
  "$PY" - "$WORK/bomb.t4j" "$WORK/ref-tiny/model.t4j" <<'PY' || { bad zip-bomb "could not build the bomb"; return; }
import sys, zipfile, io
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
  local code; /usr/bin/time -f '%M' -o "$WORK/bomb.rss" "$T4J" summary "$WORK/bomb.t4j" >"$WORK/bomb.out" 2>"$WORK/bomb.err"; code=$?
  local rss_mb=$(( $(tail -1 "$WORK/bomb.rss") / 1024 ))
  if [[ $code -ne 0 ]] && clean "$WORK/bomb.err" && grep -q "zip bomb" "$WORK/bomb.err" && [[ $rss_mb -lt 2500 ]]; then
    ok "zip-bomb ($(du -h "$WORK/bomb.t4j" | cut -f1) on disk, peak RSS ${rss_mb} MB, exit $code)"
  else bad zip-bomb "exit $code, RSS ${rss_mb} MB: $(first "$WORK/bomb.err")"; fi
}

s_truncated_bundle() { # a bundle cut in half (an interrupted copy): summary and predict refuse it clearly
  reference tiny || { bad truncated-bundle "reference run failed"; return; }
  local b="$WORK/half.t4j"; head -c $(( $(stat -c %s "$WORK/ref-tiny/model.t4j") / 2 )) "$WORK/ref-tiny/model.t4j" >"$b"
  "$T4J" summary "$b" >"$WORK/tr1.out" 2>"$WORK/tr1.err"; local c1=$?
  "$T4J" predict --model "$b" "$IMG/cats/0.png" >"$WORK/tr2.out" 2>"$WORK/tr2.err"; local c2=$?
  if [[ $c1 -ne 0 && $c2 -ne 0 ]] && clean "$WORK/tr1.err" && clean "$WORK/tr2.err" && grep -q "half.t4j" "$WORK/tr2.err"; then
    ok "truncated-bundle (summary exit $c1, predict exit $c2, the file named)"
  else bad truncated-bundle "exits $c1/$c2: $(first "$WORK/tr1.err") | $(first "$WORK/tr2.err")"; fi
}

s_corrupt_checkpoint() { # the parameters of the last checkpoint damaged on disk, then --resume
  reference tiny || { bad corrupt-checkpoint "reference run failed"; return; }
  local run="$WORK/cp-run"
  "$PY" "$FAULTS/killat.py" --out "$WORK/cp.out" --line '"task":"fine-tune-block3 1/2","current":1,' -- \
    "$T4J" "${TINY[@]}" --json --run-dir "$run" >"$WORK/cp.kill"
  local ck; ck=$(ls -d "$run"/ckpt-[0-9]* 2>/dev/null | grep -v partial | tail -1)
  [[ -n "$ck" ]] || { bad corrupt-checkpoint "no checkpoint to damage ($(cat "$WORK/cp.kill"))"; return; }
  local params; params=$(find "$ck" -type f -name '*.bin' | head -1)
  [[ -n "$params" ]] || { bad corrupt-checkpoint "no parameter file in $ck"; return; }
  printf 'DAMAGED' | dd of="$params" bs=1 seek=200 conv=notrunc 2>/dev/null
  "$T4J" fit --resume "$run" >"$WORK/cp.resume" 2>"$WORK/cp.err"; local code=$?
  if [[ $code -ne 0 ]] && clean "$WORK/cp.err" && grep -q "$(basename "$ck")" "$WORK/cp.err"; then
    ok "corrupt-checkpoint (resume exit $code naming $(basename "$ck"))"
  elif [[ $code -eq 0 ]] && same "$run" "$WORK/ref-tiny"; then
    ok "corrupt-checkpoint (damage detected, resumed from an earlier state, model equal to the reference)"
  else bad corrupt-checkpoint "resume exit $code: $(first "$WORK/cp.err") $(first "$WORK/same.out")"; fi
}

# --------------------------------------------------------------------------------------------- bad inputs ----
# faults/bad-inputs.txt: one input a line, "FRAGMENT | ARGS" (ARGS word-split after variable expansion; $IMG good
# images, $BUNDLE a good bundle, $B a folder of prepared bad files). Answered clearly = non-zero exit, no stack
# trace, the fragment (an extended regex, case-insensitive) in the output, first line under 300 characters.
s_bad_inputs() {
  reference tiny || { bad bad-inputs "reference run failed"; return; }
  local B="$WORK/bad" BUNDLE="$WORK/ref-tiny/model.t4j"; mkdir -p "$B"
  export IMG BUNDLE B
  "$PY" "$FAULTS/bad_files.py" "$B" "$IMG" "$BUNDLE" || { bad bad-inputs "could not prepare the bad files"; return; }
  local n=0 unclear=0 line frag args
  while IFS= read -r line; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    frag="${line%% | *}"; args="${line#* | }"
    n=$((n+1))
    local expanded; expanded=$(eval "printf '%s\n' $args") # shellcheck disable=SC2086
    mapfile -t argv <<<"$expanded"
    (cd "$B" && timeout 120 "$T4J" "${argv[@]}" >"$WORK/bi.out" 2>"$WORK/bi.err" </dev/null); local code=$?
    cat "$WORK/bi.out" >>"$WORK/bi.err"
    local firstline; firstline=$(grep -v '^\s*$' "$WORK/bi.err" | head -1)
    if [[ $code -ne 0 && $code -ne 124 ]] && clean "$WORK/bi.err" && grep -qiE -- "$frag" "$WORK/bi.err" && [[ ${#firstline} -le 300 ]]; then
      bad_clear=$((bad_clear+1))
    else
      unclear=$((unclear+1))
      echo "  unclear: transfer4j $args -> exit $code: $(first "$WORK/bi.err" | head -c 200)"
    fi
  done <"$FAULTS/bad-inputs.txt"
  bad_tried=$((bad_tried+n))
  if [[ $unclear -eq 0 ]]; then ok "bad-inputs ($n inputs, all answered clearly)"
  else bad bad-inputs "$unclear of $n inputs not answered clearly (listed above)"; fi
}

ALL=(kill_download race_download truncated_body throttled wrong_bytes http_404 dead_mirror full_disk
     disk_fills_mid_download corrupted_cache kill_before_first_phase kill_mid_epoch kill_at_checkpoint_write
     kill_at_bundle_write resume_finished_run race_fit race_resume disk_full_at_bundle_write bad_group zip_bomb
     truncated_bundle corrupt_checkpoint bad_inputs)
if [[ "${1:-}" == --list ]]; then printf '%s\n' "${ALL[@]}"; exit 0; fi
[[ $# -gt 0 ]] && ALL=("$@")
[[ -x "$T4J" ]] || { echo "FAIL: $T4J not found"; exit 1; }
"$T4J" --version >/dev/null 2>&1 || { echo "FAIL: the CLI does not start (./transfer4j --version)"; exit 1; }
t_start=$SECONDS
for s in "${ALL[@]}"; do
  declare -F "s_$s" >/dev/null || { bad "$s" "no such scenario (faults/run.sh --list)"; continue; }
  t0=$SECONDS; "s_$s"; echo "      ($((SECONDS - t0)) s)"
done
faults_tried=$((pass + fail + skip)); [[ " ${ALL[*]} " == *" bad_inputs "* ]] && faults_tried=$((faults_tried - 1))
faults_ok=$pass; [[ " ${ALL[*]} " == *" bad_inputs "* ]] && [[ $bad_tried -gt 0 && $bad_clear -eq $bad_tried ]] && faults_ok=$((pass - 1))
echo "faults: $faults_tried tried, $faults_ok survived cleanly, $skip skipped; bad inputs: $bad_tried tried, $bad_clear answered clearly ($((SECONDS - t_start)) s)"
echo "scenarios: $pass PASS, $fail FAIL, $skip SKIP"
[[ $fail -eq 0 ]]
