/**
 * A small image classifier (TF.js, stride-2 convs + one hidden layer) whose penultimate features
 * measure sample quality (FID/KID), with its training loop, ONNX export and its self-check against TF.js.
 */
export {
  CLASSIFIER_IO_NAMES,
  CLASSIFIER_METADATA_KEY,
  checkClassifierExport,
  exportClassifierOnnx,
} from './export.js';
export { type ClassifierConfig, type ClassifierOutputs, defaultClassifierConfig, ImageClassifier } from './model.js';
export { type ClassifierTrainOptions, type ClassifierTrainResult, classifierAccuracy, trainClassifier } from './train.js';
