# PyTorch twin of bench/DerivedInference.java: eager vs torch.jit.freeze + optimize_for_inference (channels-last),
# best of N, batch 16, 2 threads. OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_infer_tuned.py resnet50 224 8
import sys, time, torch, torchvision
torch.set_num_threads(2)
name, size, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
m = getattr(torchvision.models, name)(num_classes=10).eval()
x = torch.rand(16, 3, size, size) * 2 - 1
def med(f):
    f(); f()
    t = []
    for _ in range(n):
        t0 = time.perf_counter(); f(); t.append((time.perf_counter() - t0) * 1000)
    t.sort(); return t[0]
with torch.no_grad():
    eager = med(lambda: m(x))
    mc = m.to(memory_format=torch.channels_last)
    xc = x.contiguous(memory_format=torch.channels_last)
    tuned_m = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(mc)))
    tuned = med(lambda: tuned_m(xc))
print(f"{name} {size}px b16 torch {torch.__version__}: eager {eager:.0f} ms ({16000/eager:.2f} img/s), tuned {tuned:.0f} ms ({16000/tuned:.2f} img/s)")
