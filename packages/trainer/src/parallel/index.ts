export { createWorkerEngine, shardSizes, type StepTimings, type WorkerEngine, type WorkerEngineInit } from './worker-engine.js';
