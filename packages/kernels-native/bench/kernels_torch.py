"""The PyTorch half of bench/run.ts: each case (JSON, the first argument) timed on each of the
given thread counts, as torch's own ops on float32 CPU tensors: torch.mm for matmul, and for the
3x3 convolution (NCHW, as PyTorch lays it out) F.conv2d forward and
aten.convolution_backward with only the input or only the weight gradient asked for, and for max
pooling's gradient aten.max_pool2d_with_indices_backward given the forward pass's indices (average
pooling's: aten.avg_pool2d_backward); a conv weight's fake quantization per channel
(fake_quantize_per_channel_affine) made contiguous in tfjs's layout, and the straight-through mask
of its gradient (torch.where); grouped convolutions (depthwise) with groups = in channels / per-group channels. Medians (wall and
CPU time) in ms after a warm-up, runs cut to a time budget as run.ts cuts its own. Prints one JSON object:
{torch, cases: {id: {threads: {wall, cpu}}}}.
Usage: python3 kernels_torch.py CASES_JSON THREADS[,THREADS...] MAX_RUNS BUDGET_MS
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def build(case):
    """A function of no arguments running the case once."""
    if case['op'] == 'matmul':
        a, b = torch.randn(case['m'], case['k']), torch.randn(case['k'], case['n'])
        return lambda: torch.mm(a, b)
    if case['op'] == 'weightQuant':
        w = torch.randn(*case['w'])
        scale, zero = torch.full((case['w'][0],), 0.9 / 127), torch.zeros(case['w'][0], dtype=torch.int32)
        if case['pass'] == 'forward':
            return lambda: torch.fake_quantize_per_channel_affine(w, scale, zero, 0, -127, 127).permute(2, 3, 1, 0).contiguous()
        dy = torch.randn(*case['w']).permute(2, 3, 1, 0).contiguous()
        return lambda: torch.where(w.abs() <= 0.9, dy.permute(3, 2, 0, 1), 0.0)
    if case['op'] == 'pool' and case.get('average'):
        x = torch.randn(*case['x'])
        k, s, p = [case['window']] * 2, [case['stride']] * 2, [case['pad']] * 2
        dy = torch.randn_like(F.avg_pool2d(x, k, s, p))
        return lambda: torch.ops.aten.avg_pool2d_backward(dy, x, k, s, p, False, True, None)
    if case['op'] == 'pool':
        x = torch.randn(*case['x'])
        k, s, p = [case['window']] * 2, [case['stride']] * 2, [case['pad']] * 2
        y, indices = F.max_pool2d(x, k, s, p, return_indices=True)
        dy = torch.randn_like(y)
        return lambda: torch.ops.aten.max_pool2d_with_indices_backward(dy, x, k, s, p, [1, 1], False, indices)
    n, c, h, w = case['x']
    o, per_group, fh, fw = case['w']
    groups = c // per_group
    x, weight = torch.randn(n, c, h, w), torch.randn(o, per_group, fh, fw)
    stride, pad = case['stride'], case['pad']
    if case['pass'] == 'forward':
        return lambda: F.conv2d(x, weight, stride=stride, padding=pad, groups=groups)
    dy = torch.randn_like(F.conv2d(x, weight, stride=stride, padding=pad, groups=groups))
    mask = [True, False, False] if case['pass'] == 'input' else [False, True, False]
    return lambda: torch.ops.aten.convolution_backward(dy, x, weight, None, [stride] * 2, [pad] * 2, [1, 1], False, [0, 0], groups, mask)


def timed(fn, runs, budget_ms):
    """Median wall ms and median CPU ms (the process's, all threads) of the measured runs."""
    fn()  # warm-up
    t0 = time.perf_counter()
    fn()
    first = (time.perf_counter() - t0) * 1000
    n = max(3, min(runs, int(budget_ms / max(first, 1e-3))))
    walls, cpus = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return {'wall': sorted(walls)[n // 2], 'cpu': sorted(cpus)[n // 2]}


def main():
    cases = json.loads(sys.argv[1])
    threads = [int(t) for t in sys.argv[2].split(',')]
    runs, budget = int(sys.argv[3]), float(sys.argv[4])
    torch.manual_seed(0)
    out = {'torch': torch.__version__, 'cases': {}}
    for case in cases:
        fn = build(case)
        per = {}
        for t in threads:
            torch.set_num_threads(t)
            with torch.no_grad():
                per[str(t)] = timed(fn, runs, budget)
        out['cases'][case['id']] = per
    print(json.dumps(out))


if __name__ == '__main__':
    main()
