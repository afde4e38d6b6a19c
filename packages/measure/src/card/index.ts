// Model cards (scripts/model-card.mjs): log.jsonl parsing, the loss-curve SVG and the card's markdown.
export * from './labelled-grid.js';
export * from './loss-curve.js';
export * from './markdown.js';
export * from './quality-table.js';
export * from './train-log.js';
