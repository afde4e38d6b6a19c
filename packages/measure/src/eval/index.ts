// Sample quality (`onnx-ddpm eval`, model cards): FID, KID, classifier accuracy, sliced Wasserstein. Loads TF.js
// and onnxruntime-node; the method-list parser alone is `@onnx-ddpm/measure/eval/methods`.
export type { FeatureMatrix } from './feature-matrix.js';
export { frechetDistance, gaussianStats, symmetricSqrt } from './fid.js';
export { type GenerateOptions, generateSamples } from './generate.js';
export { type EvalPlan, formatEvalPlan, planEval } from './plan.js';
export { dataFloor, type ImageQuality, type ImageReference, imageQuality, loadImageReference } from './image-quality.js';
export { kernelInceptionDistance, type KidOptions, type KidResult, unbiasedMmd2 } from './kid.js';
export { DEFAULT_METHODS, type MethodSpec, parseGuidances, parseMethods } from './methods.js';
export { OrtImageClassifier } from './ort-classifier.js';
export { ddim50VsDdpm1000, describeQuality, type EvalReport, type EvalRow, type EvalSettings, evaluateGivenSamples, evaluateSettings, formatEvalTable, lowestClasses } from './report.js';
export { loadToyReference, type PointQuality, pointQuality, type ToyReference } from './point-quality.js';
export { slicedWasserstein } from './sliced-wasserstein.js';
