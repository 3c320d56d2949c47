export * from './module.js';
export * from './hooks.js';
