export { type Checkpoint, CheckpointError, hasCheckpoint, latestCheckpointPath, loadCheckpoint, saveCheckpoint, saveCompactCheckpoint } from './checkpoint.js';
export { logUpToStep, type TrainOptions, type TrainResult, train } from './loop.js';
export { type ExportCheckpointOptions, type ExportCheckpointResult, exportCheckpoint } from './export-checkpoint.js';
export { TrainingDivergedError } from './loop.js';
export { lockRunFolder, RunFolderBusyError, type RunFolderLock } from './run-lock.js';
