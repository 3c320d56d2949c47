// @pq/app-kit/node: the apps' Node-only pieces (files, processes, the installed packages).
export * from './cli.js';
export * from './atomicWrite.js';
export * from './outputRecord.js';
export * from './preflight.js';
export { readMnistPackageDigits } from './mnistPackage.js';
export { loadOnnxRuntime } from './onnxRuntime.js';
