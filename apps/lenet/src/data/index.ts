export * from './dataset.js';
export { loadMnistPackage } from './mnistPackage.js';
export { splitDigits } from './digits.js';
export { loadIdxDir, parseIdx, readIdxFile } from './idx.js';
