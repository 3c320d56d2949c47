// Geometry shared by the composite convolution gradients: tfjs's own Conv2DInfo, computed with
// the same rules tfjs's kernels use (numeric, 'same', 'valid' or explicit padding).
import { backend_util } from '@tensorflow/tfjs-core';

export interface Conv2DGeometry {
  info: backend_util.Conv2DInfo;
  strideH: number;
  strideW: number;
  kh: number;
  kw: number;
}

export function conv2dGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  pad: unknown,
  dimRoundingMode: unknown,
  dataFormat: 'channelsLast' | 'channelsFirst' = 'channelsLast',
): Conv2DGeometry {
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad as 'valid',
    dimRoundingMode as 'floor' | undefined,
    false,
    dataFormat,
  );
  return { info, strideH: info.strideHeight, strideW: info.strideWidth, kh: info.filterHeight, kw: info.filterWidth };
}
