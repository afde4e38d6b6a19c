// Benchmarks (`onnx-ddpm bench`, scripts/bench-train.mjs): sampling per runtime and training per backend, each in a child process.
export { formatBenchMarkdown, formatBenchTable } from './format.js';
export { SAMPLING_RUNTIME_IDS, type SamplingRuntimeId } from './sampling.js';
export { type BenchTableReport, runBenchTable, type SamplingOptions, type TrainingOptions } from './table.js';
export { BENCH_TRAIN_HYPER, syntheticBatch, TRAIN_CONFIG_IDS, type TrainConfigId, timeTrainSteps } from './training.js';
