# usage: /usr/bin/python3 bench/mnist_recipe_torch.py ../shared/datasets/mnist [SEED] [keras2]
# The example-a recipe in PyTorch (Keras-equivalent init and RMSprop), to see whether val swings are the recipe's.
import gzip, struct, sys, time, numpy as np, torch, torch.nn as nn
torch.set_num_threads(2)
d = sys.argv[1]; seed = int(sys.argv[2]) if len(sys.argv) > 2 else 42
eps_inside = len(sys.argv) > 3 and sys.argv[3] == 'keras2'
def idx(p):
    b = open(p, 'rb').read()
    if b[:2] == b'\x1f\x8b': b = gzip.decompress(b)
    magic, n = struct.unpack('>II', b[:8])
    if magic == 2051:
        r, c = struct.unpack('>II', b[8:16]); return np.frombuffer(b, np.uint8, offset=16).reshape(n, 1, r, c)
    return np.frombuffer(b, np.uint8, offset=8)
import os
def f(name):
    for s in ('', '.gz'):
        if os.path.exists(f'{d}/{name}{s}'): return f'{d}/{name}{s}'
xtr = idx(f('train-images-idx3-ubyte')).astype(np.float32) / 255; ytr = idx(f('train-labels-idx1-ubyte')).astype(np.int64)
xte = idx(f('t10k-images-idx3-ubyte')).astype(np.float32) / 255; yte = idx(f('t10k-labels-idx1-ubyte')).astype(np.int64)
rng = np.random.RandomState(seed); perm = rng.permutation(len(xtr)); nval = int(0.3 * len(xtr))
xva, yva = xtr[perm[:nval]], ytr[perm[:nval]]; xtr, ytr = xtr[perm[nval:]], ytr[perm[nval:]]
torch.manual_seed(seed)
m = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Flatten(), nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10))
for p in m.modules():
    if isinstance(p, (nn.Conv2d, nn.Linear)): nn.init.xavier_uniform_(p.weight); nn.init.zeros_(p.bias)
class K2RMS(torch.optim.Optimizer):
    def __init__(s, ps, lr=1e-3, rho=0.9, eps=1e-7): super().__init__(ps, dict(lr=lr, rho=rho, eps=eps))
    @torch.no_grad()
    def step(s):
        for g in s.param_groups:
            for p in g['params']:
                st = s.state[p]
                if 'ms' not in st: st['ms'] = torch.zeros_like(p)
                st['ms'].mul_(g['rho']).addcmul_(p.grad, p.grad, value=1 - g['rho'])
                p.addcdiv_(p.grad, (st['ms'] + g['eps']).sqrt(), value=-g['lr'])
opt = K2RMS(m.parameters()) if eps_inside else torch.optim.RMSprop(m.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
lossf = nn.CrossEntropyLoss()
X, Y = torch.from_numpy(xtr), torch.from_numpy(ytr)
def ev(x, y):
    m.eval(); c = 0; l = 0
    with torch.no_grad():
        for i in range(0, len(x), 2048):
            o = m(torch.from_numpy(x[i:i+2048])); t = torch.from_numpy(y[i:i+2048])
            l += lossf(o, t).item() * len(t); c += (o.argmax(1) == t).sum().item()
    m.train(); return l / len(x), c / len(x)
for e in range(15):
    t0 = time.time(); p = torch.randperm(len(X)); tl = 0; tc = 0
    for i in range(0, len(X), 512):
        idx_ = p[i:i+512]; x, y = X[idx_], Y[idx_]
        o = m(x); loss = lossf(o, y); opt.zero_grad(); loss.backward(); opt.step()
        tl += loss.item() * len(y); tc += (o.argmax(1) == y).sum().item()
    vl, va = ev(xva, yva)
    print(f'epoch {e+1} {time.time()-t0:.1f}s loss {tl/len(X):.4f} acc {tc/len(X):.4f} val_loss {vl:.4f} val_acc {va:.4f}', flush=True)
print('test', ev(xte, yte))
