import type { ModelInfo } from './worker/protocol.js';

/** Class names of the datasets the trainer knows by name (training metadata `dataset`). */
const CLASS_NAMES: Record<string, string[]> = {
  'fashion-mnist': ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};

/** The name of class k of this model: the dataset's name for it, else "class k". */
export function className(model: ModelInfo, k: number): string {
  return CLASS_NAMES[model.dataset ?? '']?.[k] ?? `class ${k}`;
}

/** The Class select's values besides the class indices. */
export const EACH_CLASS = 'each';
export const NO_LABEL = 'none';

/**
 * One label per item for a class choice: each class in turn (item i gets i mod K, as `onnx-ddpm
 * sample` without --class), one class for all, or K ("no label", the unconditional slot).
 */
export function classLabels(choice: string, batch: number, numClasses: number): Int32Array {
  if (choice === EACH_CLASS) return Int32Array.from({ length: batch }, (_, i) => i % numClasses);
  const k = choice === NO_LABEL ? numClasses : Number(choice);
  if (!Number.isInteger(k) || k < 0 || k > numClasses) throw new Error(`class must be 0…${numClasses - 1}, '${EACH_CLASS}' or '${NO_LABEL}', got '${choice}'`);
  return new Int32Array(batch).fill(k);
}
