// The runtime parity matrix (`onnx-ddpm parity`): one model on every runtime, compared against docs/DESIGN.md bounds.
export { builtInModel, initialWeightsModel, ModelMismatchError, type ModelUnderTest, modelFromCheckpoint, modelFromFile } from './model-under-test.js';
export { runParityMatrix } from './matrix.js';
export { formatReport, type ParityReport, reportToJson } from './report.js';
export { RUNTIME_IDS, type RuntimeId } from './runtime.js';
export { TRAIN_TOLERANCES } from './bounds.js';
export {
  compareTrainSteps,
  formatTrainReport,
  relativeMaxDiff,
  runTrainParity,
  TRAIN_PARITY_BACKENDS,
  type TrainParityBackend,
  type TrainParityReport,
} from './train-parity.js';
export { TRAIN_PARITY_MODELS, type TrainParityModel, type TrainStepOutput } from './train-step.js';
