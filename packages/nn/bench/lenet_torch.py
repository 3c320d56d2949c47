"""The same LeNet training step in PyTorch, for `bench/run.ts` to compare against.

Batch 64, forward + NLL loss + backward + SGD(momentum 0.9); float, and with fake quant at the
input (per tensor) and the weight (per output channel) of every conv/linear layer, written as
torch ops with a straight-through gradient (as pytorch-quantization's fake_tensor_quant does),
with a static (calibrated) or a dynamic amax. Prints one JSON object.
Usage: python3 lenet_torch.py [steps] [warmup] [threads]
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../tooling/bench'))
from torch_fake_quant import FakeQuant  # noqa: E402


def fq(x, amax, per_channel):
    if amax is None:  # dynamic
        amax = x.detach().abs().amax(dim=tuple(range(1, x.dim())), keepdim=True) if per_channel else x.detach().abs().max()
    return FakeQuant.apply(x, amax)


class LeNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 10, 5)
        self.conv2 = torch.nn.Conv2d(10, 20, 5)
        self.fc1 = torch.nn.Linear(320, 50)
        self.fc2 = torch.nn.Linear(50, 10)
        self.mode = "float"
        self.amax = {}

    def q(self, name, x, per_channel):
        if self.mode == "float":
            return x
        return fq(x, self.amax.get(name) if self.mode == "static" else None, per_channel)

    def layer(self, name, x, op):
        m = getattr(self, name)
        return op(self.q(name + ".input", x, False), self.q(name + ".weight", m.weight, True), m.bias)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.layer("conv1", x, F.conv2d), 2))
        x = F.relu(F.max_pool2d(self.layer("conv2", x, F.conv2d), 2))
        x = x.view(-1, 320)
        x = F.relu(self.layer("fc1", x, F.linear))
        return F.log_softmax(self.layer("fc2", x, F.linear), dim=1)

    def calibrate(self, x):
        with torch.no_grad():
            self.amax["conv1.input"] = x.abs().max()
            h = F.relu(F.max_pool2d(self.conv1(x), 2))
            self.amax["conv2.input"] = h.abs().max()
            h = F.relu(F.max_pool2d(self.conv2(h), 2)).view(-1, 320)
            self.amax["fc1.input"] = h.abs().max()
            self.amax["fc2.input"] = F.relu(self.fc1(h)).abs().max()
            for name in ("conv1", "conv2", "fc1", "fc2"):
                w = getattr(self, name).weight
                self.amax[name + ".weight"] = w.abs().amax(dim=tuple(range(1, w.dim())), keepdim=True)


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    if len(sys.argv) > 3:
        torch.set_num_threads(int(sys.argv[3]))
    torch.manual_seed(1)
    net = LeNet()
    x = torch.randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))
    net.calibrate(x)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    for mode in ("float", "static", "dynamic"):
        net.mode = mode
        times = []
        for i in range(warmup + steps):
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = F.nll_loss(net(x), y)
            loss.backward()
            opt.step()
            loss.item()
            if i >= warmup:
                times.append(time.perf_counter() - t0)
        times.sort()
        out["train_" + mode] = 64 / times[len(times) // 2]
    xe = torch.randn(500, 1, 28, 28)
    net.eval()
    for mode in ("float", "static"):
        net.mode = mode
        times = []
        with torch.no_grad():
            for i in range(5 + max(steps // 10, 10)):
                t0 = time.perf_counter()
                net(xe)
                if i >= 5:
                    times.append(time.perf_counter() - t0)
        times.sort()
        out["infer_" + mode] = 500 / times[len(times) // 2]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
