# Reads a bench/bigalloc.c log (stderr of a run under LD_PRELOAD, with "######## STEP n begin/end" markers) and prints,
# per step, the peak of allocations made and still alive in that step, labelled by the libnd4j op or JNI entry.
import re, sys, subprocess
# parse bigalloc log: events with backtraces; report per step the peak of concurrently alive allocations made in that step
lines = open(sys.argv[1], errors='replace').read().split('\n')
ev = []; i = 0; step = 'build'
while i < len(lines):
    l = lines[i]
    m = re.match(r'######## STEP (\d+) (begin|end)', l)
    if m: step = m.group(1) if m.group(2) == 'begin' else 'after' + m.group(1); ev.append(('mark', l, step)); i += 1; continue
    m = re.match(r'== (\S+) (0x[0-9a-f]+) (\d+) bytes .* t ([\d.]+)', l)
    if m:
        kind, p, sz, t = m.group(1), m.group(2), int(m.group(3)), float(m.group(4))
        bt = []
        i += 1
        while i < len(lines) and lines[i] and not lines[i].startswith('=='):
            bt.append(lines[i]); i += 1
        ev.append((kind, p, sz, t, bt, step)); continue
    i += 1
def label(bt):
    txt = subprocess.run(['c++filt'], input='\n'.join(bt), capture_output=True, text=True).stdout.split('\n')
    for f in txt:
        for key in ['PLATFORM_', 'mallocHost', 'execCustomOp', 'sd::ops::']:
            if key in f:
                m = re.search(r'\((.*?)\+0x', f)
                return (m.group(1) if m else f)[:90]
    return '?'
alive = {}; peak = {}; cur = {}
for e in ev:
    if e[0] == 'mark': print(e[1]); continue
    kind, p, sz, t, bt, step = e
    if kind == 'free':
        if p in alive: del alive[p]
    else:
        alive[p] = (sz, step, label(bt), t)
    s = sum(v[0] for v in alive.values() if v[1] == step)
    if s > peak.get(step, (0,))[0]:
        peak[step] = (s, t, [(v[0] >> 20, v[2]) for v in alive.values() if v[1] == step])
for st, (s, t, items) in peak.items():
    print(f'step {st}: peak in-step alive {s>>20} MiB at t {t}:')
    for it in items: print('   ', it)
