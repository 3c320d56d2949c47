// @pq/app-kit: what pq's apps share, browser-safe (the Node-only pieces are @pq/app-kit/node;
// report rendering is @pq/app-kit/report and compute setup @pq/app-kit/compute, which load
// heavy modules).
export * from './args.js';
export * from './progress.js';
export * from './shuffle.js';
export * from './schedule.js';
export * from './table.js';
export * from './timing.js';
export * from './evaluate.js';
export * from './digits.js';
export * from './onnx.js';
