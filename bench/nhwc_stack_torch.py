# The PyTorch twin of bench/NhwcStack.java (256 channels, inference): /usr/bin/python3 bench/nhwc_stack_torch.py
import torch, time, torch.nn as nn
torch.set_num_threads(2)
layers=[nn.Conv2d(3,256,3,padding=1)]
for i in range(8): layers += [nn.BatchNorm2d(256), nn.ReLU(), nn.Conv2d(256,256,3,padding=1)]
m=nn.Sequential(*layers).eval()
x=torch.rand(16,3,56,56)
with torch.no_grad():
    for i in range(2): m(x)
    t=time.time()
    for i in range(5): m(x)
    print('torch infer ms', (time.time()-t)/5*1000)
