import { DDPM_IO_NAMES } from '@onnx-ddpm/onnx';
import type { InferenceSession } from 'onnxruntime-common';
import type { EpsModelInfo } from './eps-model.js';
import { SamplerError } from './errors.js';

const { outSample: EPS_OUTPUT_NAME, ...EPS_INPUT_NAMES } = DDPM_IO_NAMES;

export type IntLikeType = 'int64' | 'int32' | 'float32';
const TIMESTEP_TYPES: readonly string[] = ['int64', 'int32', 'float32'];
const LABEL_TYPES: readonly string[] = ['int64', 'int32'];

/** How the model wants the timestep: one per item ([N]), or one for the whole batch ([1] or scalar). */
export type TimestepLayout = 'per-item' | 'single' | 'scalar';

/** How one model's inputs and output map onto the contract, read from the session's metadata. */
export interface EpsModelBinding {
  info: EpsModelInfo;
  outputName: string;
  timestepType: IntLikeType;
  timestepLayout: TimestepLayout;
  labelType: IntLikeType | null;
  /** The batch size the model was exported with, or null for a symbolic N. */
  fixedBatch: number | null;
}

export interface EpsModelBindingOptions {
  /** Item shape when the model's `sample` input has symbolic C/H/W dims. */
  sampleShape?: readonly number[];
  /** Classes of a conditional model (required when it has a `class_labels` input). */
  numClasses?: number;
}

function describeValue(m: InferenceSession.ValueMetadata): string {
  if (!m.isTensor) return `${m.name} (not a tensor)`;
  return `${m.name}: ${m.type} [${m.shape.join(', ')}]`;
}

/**
 * Checks a session's inputs/output against the contract — `sample` float32 [N, ...item],
 * `timestep` int64/int32/float32 as [N], [1] or scalar, optional `class_labels` int64/int32 [N],
 * one float32 output of the input's shape — and says how to feed it. A mismatch is a SamplerError
 * that lists what the model has. Runtime-free: works on onnxruntime-web's and -node's metadata.
 */
export function bindEpsModel(
  inputs: readonly InferenceSession.ValueMetadata[],
  outputs: readonly InferenceSession.ValueMetadata[],
  opts: EpsModelBindingOptions,
  name: string,
): EpsModelBinding {
  const has = `the model has inputs ${inputs.map(describeValue).join(', ')}`;
  const expected = `expected '${EPS_INPUT_NAMES.sample}' float32 [N, C, H, W] or [N, D], '${EPS_INPUT_NAMES.timestep}' int64/int32/float32 [N], [1] or scalar, and optionally '${EPS_INPUT_NAMES.classLabels}' int64/int32 [N]`;
  const known: readonly string[] = Object.values(EPS_INPUT_NAMES);
  const unknown = inputs.filter((m) => !known.includes(m.name));
  const find = (n: string) => inputs.find((m) => m.name === n);
  const sampleMeta = find(EPS_INPUT_NAMES.sample);
  const timestepMeta = find(EPS_INPUT_NAMES.timestep);
  if (!sampleMeta || !timestepMeta || unknown.length > 0) throw new SamplerError(`${name}: ${has}; ${expected}`);
  const labelMeta = find(EPS_INPUT_NAMES.classLabels);
  if (!sampleMeta.isTensor || sampleMeta.type !== 'float32' || sampleMeta.shape.length < 2) {
    throw new SamplerError(`${name}: input ${describeValue(sampleMeta)} is not supported; ${expected}`);
  }
  if (!timestepMeta.isTensor || !TIMESTEP_TYPES.includes(timestepMeta.type) || timestepMeta.shape.length > 1) {
    throw new SamplerError(`${name}: input ${describeValue(timestepMeta)} is not supported; ${expected}`);
  }
  if (labelMeta && (!labelMeta.isTensor || !LABEL_TYPES.includes(labelMeta.type) || labelMeta.shape.length !== 1)) {
    throw new SamplerError(`${name}: input ${describeValue(labelMeta)} is not supported; ${expected}`);
  }

  const outputMeta = outputs.length === 1 ? outputs[0] : outputs.find((m) => m.name === EPS_OUTPUT_NAME);
  if (!outputMeta) {
    throw new SamplerError(`${name}: the model has outputs ${outputs.map(describeValue).join(', ')}; expected one output or '${EPS_OUTPUT_NAME}'`);
  }
  if (!outputMeta.isTensor || outputMeta.type !== 'float32') throw new SamplerError(`${name}: output ${describeValue(outputMeta)} is not float32`);

  const declared = sampleMeta.shape.slice(1);
  let sampleShape: number[];
  if (declared.every((d): d is number => typeof d === 'number')) {
    sampleShape = declared;
    if (opts.sampleShape && opts.sampleShape.join() !== declared.join()) {
      throw new SamplerError(
        `${name}: its model config says items are [${opts.sampleShape.join(', ')}] but input ${describeValue(sampleMeta)} says otherwise`,
      );
    }
  } else if (opts.sampleShape && opts.sampleShape.length === declared.length) {
    sampleShape = [...opts.sampleShape];
  } else {
    throw new SamplerError(`${name}: input ${describeValue(sampleMeta)} has symbolic item dims and no model config gives the item shape`);
  }
  const outItem = outputMeta.shape.slice(1);
  if (outItem.every((d) => typeof d === 'number') && outItem.join() !== sampleShape.join()) {
    throw new SamplerError(
      `${name}: output ${describeValue(outputMeta)} does not match items of [${sampleShape.join(', ')}]; the sampler needs a prediction of the input's shape`,
    );
  }
  const batchDim = sampleMeta.shape[0];
  const fixedBatch = typeof batchDim === 'number' ? batchDim : null;

  let numClasses = 0;
  if (labelMeta) {
    if (opts.numClasses === undefined || opts.numClasses < 1) {
      throw new SamplerError(
        `${name}: the model has a '${EPS_INPUT_NAMES.classLabels}' input but its number of classes is unknown (no num_classes in its model config)`,
      );
    }
    numClasses = opts.numClasses;
  }
  const tShape = timestepMeta.shape;
  const timestepLayout: TimestepLayout = tShape.length === 0 ? 'scalar' : tShape[0] === 1 && fixedBatch !== 1 ? 'single' : 'per-item';
  return {
    info: { sampleShape, numClasses, name },
    outputName: outputMeta.name,
    timestepType: timestepMeta.type as IntLikeType,
    timestepLayout,
    labelType: labelMeta ? (labelMeta.type as IntLikeType) : null,
    fixedBatch,
  };
}

/** Checks one forward pass's arguments against the binding; throws a SamplerError naming the mismatch. */
export function checkPredictArgs(
  binding: EpsModelBinding,
  sampleLength: number,
  shape: readonly number[],
  timestep: Int32Array,
  classLabels: Int32Array | null,
): void {
  const { info } = binding;
  const batch = shape[0]!;
  const itemSize = info.sampleShape.reduce((a, b) => a * b, 1);
  if (shape.slice(1).join() !== info.sampleShape.join() || sampleLength !== batch * itemSize) {
    throw new SamplerError(
      `${info.name}: sample of shape [${shape.join(', ')}] (${sampleLength} values) does not fit items of [${info.sampleShape.join(', ')}]`,
    );
  }
  if (binding.fixedBatch !== null && batch !== binding.fixedBatch) {
    throw new SamplerError(`${info.name}: the model only accepts a batch of ${binding.fixedBatch}, got ${batch}`);
  }
  if (timestep.length !== batch) throw new SamplerError(`${info.name}: ${timestep.length} timesteps for a batch of ${batch}`);
  if (binding.timestepLayout !== 'per-item' && timestep.some((t) => t !== timestep[0])) {
    throw new SamplerError(`${info.name}: its timestep input takes one value for the whole batch, got different ones`);
  }
  if (binding.labelType && (!classLabels || classLabels.length !== batch)) {
    throw new SamplerError(`${info.name}: a class-conditional model needs ${batch} class labels`);
  }
}
