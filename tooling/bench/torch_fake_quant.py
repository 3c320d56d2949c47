"""Fake quant in PyTorch for the benches' PyTorch halves (pytorch-quantization is not installed
here): signed 8-bit, amax per tensor or broadcast per channel, with the straight-through
gradient of pytorch-quantization's fake_tensor_quant (dy where |x| <= amax, else 0).
The bench scripts import it with `sys.path` pointed at this folder.
"""
import torch


class FakeQuant(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, amax):
        ctx.save_for_backward(x, amax)
        scale = 127.0 / amax
        return torch.clamp(torch.round(x * scale), -128, 127) / scale

    @staticmethod
    def backward(ctx, dy):
        x, amax = ctx.saved_tensors
        return dy * (x.abs() <= amax).to(dy.dtype), None
