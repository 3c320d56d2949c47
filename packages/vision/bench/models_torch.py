"""The PyTorch half of bench/run.ts: torchvision's resnet18(num_classes=10) at 32x32, batch 32,
float and quantized as the reference's quantized ResNet is (fake quant of every conv/linear
input per tensor and weight per output channel, static amax, and of each block's identity
branch before the add), written as torch ops with a straight-through gradient because
pytorch-quantization is not installed here. Training step: forward + cross entropy + backward +
SGD(momentum 0.9); inference: eval forward. Prints one JSON object (images per second).
Usage: python3 resnet18_torch.py [steps] [warmup]
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../tooling/bench'))
from torch_fake_quant import FakeQuant  # noqa: E402


BATCH = 32


class QuantConv2d(nn.Module):
    def __init__(self, conv):
        super().__init__()
        self.conv = conv
        self.register_buffer('in_amax', torch.tensor(4.0))
        self.register_buffer('w_amax', conv.weight.detach().abs().amax(dim=(1, 2, 3), keepdim=True))

    def forward(self, x):
        c = self.conv
        return F.conv2d(FakeQuant.apply(x, self.in_amax), FakeQuant.apply(c.weight, self.w_amax), c.bias, c.stride, c.padding, c.dilation, c.groups)


class QuantLinear(nn.Module):
    def __init__(self, fc):
        super().__init__()
        self.fc = fc
        self.register_buffer('in_amax', torch.tensor(4.0))
        self.register_buffer('w_amax', fc.weight.detach().abs().amax(dim=1, keepdim=True))

    def forward(self, x):
        return F.linear(FakeQuant.apply(x, self.in_amax), FakeQuant.apply(self.fc.weight, self.w_amax), self.fc.bias)


def quantize(model):
    for name, m in list(model.named_modules()):
        for child_name, child in list(m.named_children()):
            if isinstance(child, nn.Conv2d):
                setattr(m, child_name, QuantConv2d(child))
            elif isinstance(child, nn.Linear):
                setattr(m, child_name, QuantLinear(child))
    amax = torch.tensor(4.0)

    def block_forward(self, x):
        # torchvision's BasicBlock.forward with the reference's residual quantizer on the identity.
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + FakeQuant.apply(identity, amax))

    for m in model.modules():
        if isinstance(m, torchvision.models.resnet.BasicBlock):
            m.forward = block_forward.__get__(m)
    return model


def images_per_second(fn, steps, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return BATCH / sorted(times)[len(times) // 2]


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else 'resnet18'
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    if len(sys.argv) > 4:
        torch.set_num_threads(int(sys.argv[4]))
    build = {'resnet18': torchvision.models.resnet18, 'mobilenet_v2': torchvision.models.mobilenet_v2}[name]
    torch.manual_seed(0)
    x = torch.randn(BATCH, 3, 32, 32)
    y = torch.randint(0, 10, (BATCH,))
    out = {'torch': torch.__version__, 'threads': torch.get_num_threads()}
    for mode in ('float', 'quant'):
        model = build(num_classes=10)
        if mode == 'quant':
            model = quantize(model)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def train_step():
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()

        model.train()
        out[f'train_{mode}'] = images_per_second(train_step, steps, warmup)
        model.eval()
        with torch.no_grad():
            out[f'infer_{mode}'] = images_per_second(lambda: model(x), steps, warmup)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
