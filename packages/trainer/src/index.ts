export * from './backend/index.js';
export * from './classifier/index.js';
export * from './data/index.js';
export * from './files/index.js';
export * from './model/index.js';
export * from './parallel/index.js';
export * from './train/index.js';
