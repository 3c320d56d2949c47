// LeNet on @pq/nn as the pipeline drives it: trained with SGD + momentum on tfjs, the
// reference's calibration flow (enableCalibration / finishCalibration), ONNX export. No file
// IO here, so a browser page runs the same models (nnModels.ts adds reading weight files).
import * as tf from '@tensorflow/tfjs-core';
import { HistogramCalibrator } from '@pq/calib';
import {
  F, MomentumSGD, enableCalibration, encodeSafetensors, exportOnnx, finishCalibration, manualSeed, quantizers,
} from '@pq/nn';
import type { CalibMethod } from '../args.js';
import { IMAGE_SIZE, type Split } from '../data/dataset.js';
import type { ModelFactory, QuantModel, StateDict, TrainableModel } from '../model.js';
import type { CalibHistogram } from '@pq/app-kit/report';
import { type InputCalibrator, LeNet } from './net.js';

export const MOMENTUM = 0.9;

/** The float LeNet's parameters, as a PyTorch state dict names them. */
export const FLOAT_KEYS = ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'];

function images(batch: Split): tf.Tensor4D {
  return tf.tensor4d(batch.images, [batch.count, 1, IMAGE_SIZE, IMAGE_SIZE]);
}

class NnModel implements TrainableModel {
  // PyTorch's SGD(momentum=0.9): v = 0.9 v + g; p -= lr v.
  private readonly optimizer = new MomentumSGD(0, MOMENTUM);
  private lr = 0;

  constructor(readonly net: LeNet) {}

  trainStep(batch: Split, lr: number): number {
    this.net.train();
    if (lr !== this.lr) this.optimizer.setLearningRate((this.lr = lr));
    const x = images(batch);
    try {
      const loss = this.optimizer.minimize(() => F.nllLoss(this.net.call(x) as tf.Tensor, batch.labels) as tf.Scalar, true, this.net.parameters());
      const value = loss!.dataSync()[0]!;
      loss!.dispose();
      return value;
    } finally {
      x.dispose();
    }
  }

  predict(batch: Split): Float32Array {
    this.net.eval();
    return tf.tidy(() => (this.net.call(images(batch)) as tf.Tensor).dataSync() as Float32Array).slice();
  }

  stateDict(): StateDict {
    return this.net.stateDict();
  }

  dispose(): void {
    this.optimizer.dispose();
    this.net.dispose();
  }
}

class NnQuantModel extends NnModel implements QuantModel {
  collect(batches: Iterable<Split>): void {
    this.net.eval();
    enableCalibration(this.net);
    for (const batch of batches) tf.tidy(() => void this.net.call(images(batch)));
    // Quantizers go back to quantizing once an amax is loaded by finishCalibration.
  }

  finishCalibration(method: CalibMethod): void {
    // Max calibrators (weights always, inputs in the 'max' model) ignore the method.
    finishCalibration(this.net, method === 'max' ? 'percentile' : method, { percentile: 99.99 });
  }

  histograms(): CalibHistogram[] {
    const out: CalibHistogram[] = [];
    for (const [name, q] of quantizers(this.net)) {
      const h = q.calibrator instanceof HistogramCalibrator ? q.calibrator.histogram : null;
      if (h) out.push({ quantizer: name, edges: h.edges, counts: h.counts });
    }
    return out;
  }

  exportOnnx(sample: Split): Uint8Array {
    this.net.eval();
    const x = images(sample);
    try {
      return exportOnnx(this.net, x, { inputNames: ['input'], outputNames: ['log_probs'], producerName: 'pq lenet' });
    } finally {
      x.dispose();
    }
  }
}

/** The float LeNet's weights from `dict`, refusing missing keys and wrong shapes by name. */
function floatWeights(dict: StateDict): StateDict {
  const out: StateDict = {};
  for (const k of FLOAT_KEYS) {
    if (!dict[k]) throw new Error(`LeNet weights: missing ${k} (have ${Object.keys(dict).join(', ') || 'nothing'})`);
    out[k] = dict[k]!;
  }
  return out;
}

/** The ModelFactory without file IO. */
export const lenetModels: Omit<ModelFactory, 'loadWeights'> = {
  createFloat(seed, weights) {
    manualSeed(seed);
    const net = new LeNet(null);
    if (weights) net.loadStateDict(floatWeights(weights));
    return new NnModel(net);
  },
  createQuant(weights, calibrator: InputCalibrator, seed) {
    manualSeed(seed);
    const net = new LeNet(calibrator);
    net.loadStateDict(floatWeights(weights), { strict: false });
    return new NnQuantModel(net);
  },
  encodeSafetensors: (dict) => encodeSafetensors(dict),
};
