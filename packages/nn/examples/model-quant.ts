// The nn README's quantize(model, config, forwardLoop) example (test/readme.test.ts checks it).
import * as tf from '@tensorflow/tfjs-core';
import { INT4_AWQ_CFG, Linear, ReLU, Sequential, manualSeed, printQuantSummary, quantize } from '@pq/nn';

manualSeed(0);
const model = new Sequential(new Linear(256, 64), new ReLU(), new Linear(64, 10));
const data = [1, 2].map((s) => tf.randomNormal([16, 256], 0, 1, 'float32', s)); // seed 0 would mean unseeded in tfjs
quantize(model, INT4_AWQ_CFG, (m) => data.forEach((x) => tf.tidy(() => m.call(x))));
printQuantSummary(model);
