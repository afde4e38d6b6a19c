export { createWorkerEngine, shardSizes, type WorkerEngine, type WorkerEngineInit } from './worker-engine.js';
