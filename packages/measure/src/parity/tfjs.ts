import type { DenoiserModel, DenoiserInfo } from '@onnx-ddpm/sampler';
import type { EpsNet } from '@onnx-ddpm/trainer/node';
import * as tf from '@tensorflow/tfjs-core';
import { runEpsModel } from './run-eps-model.js';
import { type ParityRuntime, RuntimeUnavailable } from './runtime.js';

/** The trainer's TF.js forward (training = false) as an DenoiserModel on NCHW data: NHWC inside, NCHW out. */
export class TfjsEpsModel implements DenoiserModel {
  readonly info: DenoiserInfo;

  constructor(private readonly net: EpsNet) {
    const c = net.config;
    this.info = {
      sampleShape: c.kind === 'unet' ? [c.channels, c.imageSize, c.imageSize] : [c.dataDim],
      numClasses: c.numClasses,
      name: `TF.js ${c.kind}`,
    };
  }

  async predict(sample: Float32Array, shape: readonly number[], timestep: Int32Array, classLabels: Int32Array | null): Promise<Float32Array> {
    const image = shape.length === 4;
    const out = tf.tidy(() => {
      const input = tf.tensor(sample, [...shape], 'float32');
      const x = image ? tf.transpose(input, [0, 2, 3, 1]) : input;
      const labels = classLabels ? tf.tensor1d(classLabels, 'int32') : null;
      const y = this.net.apply(x, tf.tensor1d(timestep, 'int32'), labels, { training: false });
      return image ? tf.transpose(y, [0, 3, 1, 2]) : y;
    });
    const data = (await out.data()) as Float32Array;
    out.dispose();
    return data;
  }
}

/**
 * TF.js runtime: the trainer's forward with the weights the ONNX file was exported from. Without
 * such weights (a --model with no --checkpoint) it is skipped.
 */
export function tfjsRuntime(source: { net: EpsNet; backend: string } | null): ParityRuntime {
  return {
    id: 'tfjs',
    label: 'TF.js',
    async run(job) {
      if (!source) throw new RuntimeUnavailable('no TF.js weights for this model: give --checkpoint <run-dir> (the trainer run it was exported from)');
      const out = await runEpsModel(new TfjsEpsModel(source.net), job);
      return { ...out, detail: `TF.js ${tf.version_core} on ${source.backend}, the trainer's forward` };
    },
  };
}
