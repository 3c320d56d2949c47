export * from './dataset.js';
export { loadMnistPackage, splitDigits, isTestSample } from './mnistPackage.js';
export { loadIdxDir, parseIdx, readIdxFile } from './idx.js';
