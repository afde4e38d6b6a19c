// The runtime parity matrix (`onnx-ddpm parity`): one model on every runtime, compared against docs/DESIGN.md bounds.
export { callBound, TOLERANCES } from './bounds.js';
export { maxAbsDiff, psnrDb } from './compare.js';
export { makeJob } from './job.js';
export { BUILT_IN_UNET, builtInModel, initialWeightsModel, ModelMismatchError, type ModelUnderTest, modelFromCheckpoint, modelFromFile } from './model-under-test.js';
export { buildReport, formatReport, type ParityReport, reportToJson } from './report.js';
export { comparePair, type PairReport, type ParityRun, type RuntimeReport, runParity } from './run-parity.js';
export { type ParityJob, RUNTIME_IDS, type RuntimeId, type RuntimeOutput } from './runtime.js';
export { type ParityRuntimes, parityRuntimes } from './runtimes.js';
export { compareScheduleTables, type ScheduleTablesReport } from './schedule-tables.js';
