#!/usr/bin/env python3
"""Runs a command and kill -9s it at a chosen point: the first output line matching --line REGEX, or the
--nth time a file matching --file GLOB (relative to --dir) is seen, or when --size FILE reaches N bytes.
Output goes to --out. Prints one line: "killed at WHAT (+after s)" or "exited RC before WHAT".
Exit 0 when it killed, 3 when the command ended first."""
import argparse, glob, os, re, signal, subprocess, sys, time

p = argparse.ArgumentParser()
p.add_argument("--out", required=True)
p.add_argument("--line")
p.add_argument("--file")
p.add_argument("--dir", default=".")
p.add_argument("--nth", type=int, default=1)
p.add_argument("--size", nargs=2, metavar=("GLOB", "BYTES"))
p.add_argument("--timeout", type=float, default=120)
p.add_argument("cmd", nargs=argparse.REMAINDER)
a = p.parse_args()
cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
out = open(a.out, "wb")
proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
t0 = time.time()
seen, hits, what = set(), 0, None
pattern = re.compile(a.line) if a.line else None
while proc.poll() is None and time.time() - t0 < a.timeout:
    if pattern:
        with open(a.out, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        m = pattern.search(text)
        if m:
            what = "line '" + m.group(0) + "'"
    if a.file:
        for f in glob.glob(os.path.join(a.dir, a.file)):
            if f not in seen:
                seen.add(f)
                hits += 1
                if hits >= a.nth:
                    what = "file " + os.path.basename(f) + f" (#{hits})"
    if a.size:
        for f in glob.glob(os.path.join(a.dir, a.size[0])):
            try:
                n = os.path.getsize(f)
            except OSError:
                continue
            if n >= int(a.size[1]):
                what = f"{os.path.basename(f)} at {n} bytes"
    if what:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        print(f"killed at {what} (+{time.time() - t0:.1f} s)")
        sys.exit(0)
    time.sleep(0.005)
if proc.poll() is None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    print(f"timed out after {a.timeout} s (killed)")
    sys.exit(3)
print(f"exited {proc.returncode} before the kill point")
sys.exit(3)
