"""The PyTorch half of bench/ops.ts: each op of a list of cases (JSON, the first argument) timed
forward (under no_grad) and forward + backward (y.backward(dy): the gradients with respect to
the input(s) and the module's parameters, given the output's gradient dy), on each of the given numbers of threads. Medians, in ms,
after a warm-up; runs per case are cut to fit a time budget as ops.ts cuts its own. Prints one
JSON object: {torch, cases: {id: {threads: {fwd, fwdbwd}}}}.
Usage: python3 ops_torch.py CASES_JSON THREADS[,THREADS...] MAX_RUNS BUDGET_MS
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def build(case):
    """(fn of the inputs, the inputs, the parameters) for one case."""
    op, a, shape = case['op'], case.get('args', {}), case['shape']
    xs = [torch.randn(*shape)]
    if op == 'conv':
        m = nn.Conv2d(a['cin'], a['cout'], a['k'], stride=a['stride'], padding=a['pad'], groups=a['groups'])
        return m, xs, list(m.parameters())
    if op == 'quantconv':
        # As pytorch-quantization's QuantConv2d with static amax: the input per tensor (amax 3),
        # the weight per output channel (amax max |w|), 8 bits narrow, on torch's one-kernel
        # fake-quant ops.
        m = nn.Conv2d(a['cin'], a['cout'], a['k'], stride=a['stride'], padding=a['pad'], groups=a['groups'])
        scale = (m.weight.detach().abs().amax(dim=(1, 2, 3)) / 127.0).contiguous()
        zero = torch.zeros(a['cout'], dtype=torch.int32)

        def quant_conv(x):
            qx = torch.fake_quantize_per_tensor_affine(x, 3 / 127.0, 0, -127, 127)
            qw = torch.fake_quantize_per_channel_affine(m.weight, scale, zero, 0, -127, 127)
            return F.conv2d(qx, qw, m.bias, m.stride, m.padding, m.dilation, m.groups)
        return quant_conv, xs, list(m.parameters())
    if op == 'linear':
        m = nn.Linear(a['cin'], a['cout'])
        return m, xs, list(m.parameters())
    if op == 'matmul':
        xs.append(torch.randn(*case['b']))
        return torch.matmul, xs, []
    if op == 'bn':
        m = nn.BatchNorm2d(shape[1])
        return m, xs, list(m.parameters())
    if op == 'relu':
        return F.relu, xs, []
    if op == 'add':
        xs.append(torch.randn(*shape))
        return torch.add, xs, []
    if op == 'maxpool':
        return (lambda x: F.max_pool2d(x, a['k'], a['stride'], a['pad'])), xs, []
    if op == 'avgpool':
        return (lambda x: F.avg_pool2d(x, a['k'], a['stride'], a['pad'])), xs, []
    if op == 'fakequant':
        # pytorch-quantization's fake_tensor_quant at 8 bits, narrow range, per tensor:
        # torch's own one-kernel op, the fastest PyTorch has.
        scale = a['amax'] / 127.0
        return (lambda x: torch.fake_quantize_per_tensor_affine(x, scale, 0, -127, 127)), xs, []
    raise ValueError(f'unknown op {op}')


def timed(fn, runs, budget_ms):
    fn()  # warm-up
    t0 = time.perf_counter()
    fn()
    first = (time.perf_counter() - t0) * 1000
    n = max(3, min(runs, int(budget_ms / max(first, 1e-3))))
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
    return sorted(ts)[len(ts) // 2]


def main():
    cases = json.loads(sys.argv[1])
    threads = [int(t) for t in sys.argv[2].split(',')]
    runs, budget = int(sys.argv[3]), float(sys.argv[4])
    torch.manual_seed(0)
    out = {'torch': torch.__version__, 'cases': {}}
    for case in cases:
        fn, xs, params = build(case)
        with torch.no_grad():
            dy = torch.randn_like(fn(*xs))

        def forward():
            with torch.no_grad():
                fn(*xs)

        for x in xs:
            x.requires_grad_(True)

        def backward():
            for t in xs + params:
                t.grad = None
            fn(*xs).backward(dy)

        out['cases'][case['id']] = {}
        for t in threads:
            torch.set_num_threads(t)
            out['cases'][case['id']][str(t)] = {'fwd': timed(forward, runs, budget), 'fwdbwd': timed(backward, runs, budget)}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
