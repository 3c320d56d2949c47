// The cases of bench/ops.ts, shared with its PyTorch half (bench/ops_torch.py gets them as JSON):
// the convolutions of ResNet-18 and MobileNetV2 at 32x32 images, batch 32, the Linear/matmul
// sizes of classifier heads and transformers, and the elementwise ops between them.
export type OpKind = 'conv' | 'quantconv' | 'linear' | 'matmul' | 'bn' | 'relu' | 'add' | 'maxpool' | 'avgpool' | 'fakequant';

export interface OpCase {
  id: string;
  label: string;
  op: OpKind;
  /** The (first) input's shape. */
  shape: number[];
  /** matmul's second operand. */
  b?: number[];
  args?: Record<string, number>;
}

const conv = (id: string, label: string, shape: number[], cin: number, cout: number, k: number, stride: number, pad: number, groups = 1): OpCase =>
  ({ id, label, op: 'conv', shape, args: { cin, cout, k, stride, pad, groups } });

export const OP_CASES: OpCase[] = [
  conv('conv3x3', 'Conv2d(64, 64, 3, padding 1), 32x64x32x32', [32, 64, 32, 32], 64, 64, 3, 1, 1),
  conv('conv3x3s2', 'Conv2d(128, 256, 3, stride 2, padding 1), 32x128x8x8', [32, 128, 8, 8], 128, 256, 3, 2, 1),
  conv('conv1x1', 'Conv2d(64, 128, 1, stride 2), 32x64x32x32', [32, 64, 32, 32], 64, 128, 1, 2, 0),
  conv('conv1x1mb', 'Conv2d(96, 24, 1), 32x96x16x16', [32, 96, 16, 16], 96, 24, 1, 1, 0),
  conv('conv7x7', 'Conv2d(3, 64, 7, stride 2, padding 3), 32x3x32x32', [32, 3, 32, 32], 3, 64, 7, 2, 3),
  conv('dw3x3', 'depthwise Conv2d(96, 96, 3, padding 1, groups 96), 32x96x16x16', [32, 96, 16, 16], 96, 96, 3, 1, 1, 96),
  conv('conv3x3l3', 'Conv2d(256, 256, 3, padding 1), 32x256x4x4', [32, 256, 4, 4], 256, 256, 3, 1, 1),
  // The same quantized (8 bits, input per tensor with amax 3, weight per output channel with amax
  // max |w|, both static as after calibration): at ResNet's later stages the weight outweighs the
  // activation, so this times the weight's fake quantization and its gradient's mask.
  { ...conv('qconv3x3l3', 'QuantConv2d(256, 256, 3, padding 1), 32x256x4x4', [32, 256, 4, 4], 256, 256, 3, 1, 1), op: 'quantconv' },
  conv('dw3x3s2', 'depthwise Conv2d(144, 144, 3, stride 2, padding 1, groups 144), 32x144x16x16', [32, 144, 16, 16], 144, 144, 3, 2, 1, 144),
  ...[256, 512, 1024].map((n): OpCase => ({ id: `linear${n}`, label: `Linear(${n}, ${n}), batch 512`, op: 'linear', shape: [512, n], args: { cin: n, cout: n } })),
  { id: 'linear4096', label: 'Linear(4096, 4096), batch 32', op: 'linear', shape: [32, 4096], args: { cin: 4096, cout: 4096 } },
  ...[256, 512, 1024].map((n): OpCase => ({ id: `matmul${n}`, label: `matmul ${n}x${n} @ ${n}x${n}`, op: 'matmul', shape: [n, n], b: [n, n] })),
  { id: 'matmul4096', label: 'matmul 32x4096 @ 4096x4096', op: 'matmul', shape: [32, 4096], b: [4096, 4096] },
  { id: 'bn', label: 'BatchNorm2d(64), training, 32x64x32x32', op: 'bn', shape: [32, 64, 32, 32] },
  { id: 'relu', label: 'ReLU, 32x64x32x32', op: 'relu', shape: [32, 64, 32, 32] },
  { id: 'add', label: 'add, 32x64x32x32 + 32x64x32x32', op: 'add', shape: [32, 64, 32, 32] },
  { id: 'maxpool', label: 'MaxPool2d(3, stride 2, padding 1), 32x64x16x16', op: 'maxpool', shape: [32, 64, 16, 16], args: { k: 3, stride: 2, pad: 1 } },
  { id: 'avgpool', label: 'AvgPool2d(2), 32x64x32x32', op: 'avgpool', shape: [32, 64, 32, 32], args: { k: 2, stride: 2, pad: 0 } },
  { id: 'fq', label: 'fake quant (8 bits, per tensor), 32x64x32x32', op: 'fakequant', shape: [32, 64, 32, 32], args: { amax: 3 } },
  { id: 'fqmb', label: 'fake quant (8 bits, per tensor), 32x96x16x16', op: 'fakequant', shape: [32, 96, 16, 16], args: { amax: 3 } },
];
