// Benchmarks (`onnx-ddpm bench`, scripts/bench-train.mjs): sampling in process, the table of sampling per runtime and
// training per TF.js configuration (each in a child process).
export { formatBenchMarkdown, formatBenchTable } from './format.js';
export { type BenchModel, type BenchReport, benchInProcess, formatInProcessBench } from './in-process.js';
export { SAMPLING_RUNTIME_IDS, type SamplingRuntimeId } from './sampling.js';
export { type BenchTableReport, runBenchTable, type SamplingOptions, type TrainingOptions } from './table.js';
export { BENCH_TRAIN_HYPER, syntheticBatch, TRAIN_CONFIG_IDS, type TrainConfigId, timeTrainSteps } from './training.js';
