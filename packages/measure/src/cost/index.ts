// Planning runs on a model: its measured cost per item, the batch that fits, and the formatting of sizes and durations.
export { formatBytes, formatDuration } from './format.js';
export { BATCH_MEMORY_SHARE, batchThatFits, type ModelCost, measureModelCost } from './model-cost.js';
