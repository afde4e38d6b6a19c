export { type Checkpoint, CheckpointError, hasCheckpoint, loadCheckpoint, saveCompactCheckpoint } from './checkpoint.js';
export { type TrainOptions, type TrainResult, train } from './loop.js';
export { type OpenRunOptions, openRunFolder, type RunFolder, RunFolderError, saveCompactCopy } from './run-folder.js';
export { type ExportCheckpointOptions, type ExportCheckpointResult, exportCheckpoint } from './export-checkpoint.js';
export { TrainingDivergedError } from './loop.js';
export { RunFolderBusyError } from './run-lock.js';
