import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  defaultMlpConfig,
  defaultUNetConfig,
  type EpsNet,
  ModelConfigError,
  validateModelConfig,
} from '../src/node.js';
import { Conv2d } from '../src/model/modules/conv2d.js';
import { ConvTranspose2d } from '../src/model/modules/conv-transpose2d.js';
import { ParamScope, ParamStore } from '../src/model/params.js';
import { smallUNet } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomInput(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/** max |a − b| (per item when perItem). */
function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
}

function forward(model: EpsNet, x: tf.Tensor, t: number[], labels: number[] | null, training = false): tf.Tensor {
  const tt = tf.tensor1d(t, 'int32');
  const ll = labels ? tf.tensor1d(labels, 'int32') : null;
  const out = model.apply(x, tt, ll, { training, dropoutSeed: 7 });
  tt.dispose();
  ll?.dispose();
  return out;
}

const small = smallUNet({ imageSize: 12, channels: 3, channelMultipliers: [1, 2, 2], attentionResolutions: [3], dropout: 0.1 });

describe('U-Net', () => {
  it('default 28×28×1 config: forward shape and parameter count', () => {
    const config = defaultUNetConfig(28, 1, 0);
    expect(config).toMatchObject({ baseChannels: 32, channelMultipliers: [1, 2, 2], attentionResolutions: [7] });
    expect(defaultUNetConfig(64, 3, 0)).toMatchObject({ channelMultipliers: [1, 2, 2, 2], attentionResolutions: [8] });
    expect(defaultUNetConfig(30, 3, 0)).toMatchObject({ channelMultipliers: [1, 2], attentionResolutions: [15] });
    const model = createModel(config, 1);
    const count = model.params.reduce((s, v) => s + v.size, 0);
    expect(model.parameterCount()).toBe(count);
    expect(model.params.map((v) => v.name.split('/')[1])).toEqual(model.paramNames);
    expect(new Set(model.paramNames).size).toBe(model.paramNames.length);
    expect(model.paramNames).toContain('down.0.res.1.conv1.kernel');
    expect(model.paramNames).toContain('down.2.attn.0.qkv.kernel');
    expect(model.paramNames).not.toContain('down.1.attn.0.qkv.kernel');
    const x = randomInput([2, 28, 28, 1], 3);
    const y = forward(model, x, [0, 999], null);
    expect(y.shape).toEqual([2, 28, 28, 1]);
    expect(Number.isFinite(tf.sum(y).dataSync()[0] as number)).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('odd level sizes (12 → 6 → 3) work; the output depends on t', () => {
    const model = createModel(small, 2);
    const x = randomInput([2, 12, 12, 3], 4);
    const a = forward(model, x, [5, 5], null);
    const b = forward(model, x, [5, 600], null);
    expect(a.shape).toEqual([2, 12, 12, 3]);
    expect(maxAbs(tf.slice(a, [0], [1]), tf.slice(b, [0], [1]))).toBe(0);
    expect(maxAbs(tf.slice(a, [1], [1]), tf.slice(b, [1], [1]))).toBeGreaterThan(1e-4);
    tf.dispose([x, a, b]);
    model.dispose();
  });

  it('class-conditional path: labels change the output; null = "no label"', () => {
    const model = createModel({ ...small, numClasses: 3 }, 5);
    expect(model.paramNames).toContain('label.table');
    const x = randomInput([2, 12, 12, 3], 6);
    const a = forward(model, x, [10, 10], [0, 1]);
    const b = forward(model, x, [10, 10], [2, 3]);
    const none = forward(model, x, [10, 10], null);
    expect(maxAbs(a, b)).toBeGreaterThan(1e-4);
    expect(maxAbs(tf.slice(b, [1], [1]), tf.slice(none, [1], [1]))).toBe(0);
    tf.dispose([x, a, b, none]);
    model.dispose();
  });

  it('dropout is active in training (seeded, reproducible) and off at inference', () => {
    const model = createModel({ ...small, dropout: 0.5 }, 8);
    const x = randomInput([1, 12, 12, 3], 9);
    const eval1 = forward(model, x, [3], null, false);
    const eval2 = forward(model, x, [3], null, false);
    const train1 = forward(model, x, [3], null, true);
    const train2 = forward(model, x, [3], null, true);
    expect(maxAbs(eval1, eval2)).toBe(0);
    expect(maxAbs(train1, train2)).toBe(0);
    expect(maxAbs(eval1, train1)).toBeGreaterThan(1e-4);
    tf.dispose([x, eval1, eval2, train1, train2]);
    model.dispose();
  });

  it('same seed → same weights; different seed → different weights', () => {
    const a = createModel(small, 11);
    const b = createModel(small, 11);
    const c = createModel(small, 12);
    const wa = a.getWeights();
    expect(b.getWeights()).toEqual(wa);
    expect(c.getWeights()[0]).not.toEqual(wa[0]);
    b.setWeights(c.getWeights());
    expect(b.getWeights()).toEqual(c.getWeights());
    expect(() => b.setWeights(wa.slice(1))).toThrow(/setWeights/);
    for (const m of [a, b, c]) m.dispose();
  });

  it('gradients reach every parameter', () => {
    const model = createModel({ ...small, numClasses: 2 }, 13);
    const x = randomInput([2, 12, 12, 3], 14);
    const t = tf.tensor1d([1, 900], 'int32');
    const labels = tf.tensor1d([0, 2], 'int32');
    const { grads } = tf.variableGrads(
      () => tf.mean(tf.square(model.apply(x, t, labels, { training: true, dropoutSeed: 1 }))) as tf.Scalar,
      model.params,
    );
    for (const name of model.params.map((v) => v.name)) {
      const g = grads[name] as tf.Tensor;
      expect(g.shape, name).toEqual(model.params.find((v) => v.name === name)?.shape);
      expect(tf.max(tf.abs(g)).dataSync()[0], name).toBeGreaterThan(0);
    }
    tf.dispose([x, t, labels, ...Object.values(grads)]);
    model.dispose();
  });

  it('rejects configurations that cannot work', () => {
    expect(() => validateModelConfig({ ...small, imageSize: 10 })).toThrow(/imageSize 10 is not divisible by 4/);
    expect(() => validateModelConfig({ ...small, groups: 3 })).toThrow(/not divisible by groups = 3/);
    expect(() => validateModelConfig({ ...small, attentionResolutions: [5] })).toThrow(/attention resolution 5/);
    expect(() => validateModelConfig({ ...small, dropout: 1 })).toThrow(ModelConfigError);
    expect(() => validateModelConfig({ ...small, baseChannels: 7 })).toThrow(/baseChannels/);
    expect(() => validateModelConfig({ kind: 'gan' })).toThrow(/kind/);
    expect(() => validateModelConfig({ ...defaultMlpConfig(), timeEmbedDim: 3 })).toThrow(/timeEmbedDim = 3/);
    expect(() => validateModelConfig({ ...defaultMlpConfig(), layers: 0 })).toThrow(/layers must be a positive integer/);
    expect(() => createModel({ ...small, channelMultipliers: [] }, 0)).toThrow(/channelMultipliers/);
  });
});

describe('MLP', () => {
  it('forward shape, conditional path, parameter count', () => {
    const model = createModel(defaultMlpConfig(4), 21);
    const x = randomInput([5, 2], 22);
    const y = forward(model, x, [0, 1, 2, 500, 999], [0, 1, 2, 3, 4]);
    const z = forward(model, x, [0, 1, 2, 500, 999], [4, 4, 4, 4, 4]);
    expect(y.shape).toEqual([5, 2]);
    expect(maxAbs(y, z)).toBeGreaterThan(1e-4);
    const { hidden, timeEmbedDim: te } = defaultMlpConfig();
    const expected = te * hidden + hidden + hidden * hidden + hidden + 5 * hidden + 2 * hidden + hidden + 3 * (hidden * hidden + hidden) + hidden * 2 + 2;
    expect(model.parameterCount()).toBe(expected);
    expect(() => forward(model, randomInput([2, 3], 1), [0, 0], null)).toThrow(/expected \[2,2\]/);
    tf.dispose([x, y, z]);
    model.dispose();
  });
});

describe('modules', () => {
  const scope = () => new ParamScope(new ParamStore(0), '');

  it('stride-2 conv pads 1 on every side (PyTorch/ONNX pads [1,1,1,1], not TF "same")', () => {
    const conv = new Conv2d(scope(), 1, 1, 3, 2);
    conv.kernel.assign(tf.ones([3, 3, 1, 1]));
    conv.bias.assign(tf.zeros([1]));
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const y = conv.apply(x);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    // Top-left window covers the padding row and column: 2×2 ones. TF 'same' would pad only bottom/right (9).
    expect(Array.from(y.dataSync())).toEqual([4, 6, 6, 9]);
    expect(tf.tidy(() => conv.apply(tf.ones([1, 7, 7, 1]) as tf.Tensor4D).shape)).toEqual([1, 4, 4, 1]);
    tf.dispose([x, y]);
  });

  it('4×4 stride-2 transposed conv doubles the size with PyTorch padding=1 semantics', () => {
    const up = new ConvTranspose2d(scope(), 1, 1);
    const k = Array.from({ length: 16 }, (_, i) => i + 1); // K[r][c] = 4r + c + 1
    up.kernel.assign(tf.tensor4d(k, [4, 4, 1, 1]));
    up.bias.assign(tf.zeros([1]));
    const x = tf.tensor4d([1, 0, 0, 0], [1, 2, 2, 1]);
    const y = up.apply(x);
    expect(y.shape).toEqual([1, 4, 4, 1]);
    // PyTorch: out[r][c] = Σ x[i][j]·K[r − 2i + 1][c − 2j + 1]; only x[0][0] = 1 → out[r][c] = K[r+1][c+1].
    const out = y.arraySync() as number[][][][];
    const at = (r: number, c: number) => out[0]?.[r]?.[c]?.[0];
    expect(at(0, 0)).toBe(k[5]);
    expect(at(2, 1)).toBe(k[14]);
    expect(at(2, 2)).toBe(k[15]);
    expect(at(3, 3)).toBe(0);
    expect(tf.tidy(() => up.apply(tf.zeros([2, 7, 7, 1]) as tf.Tensor4D).shape)).toEqual([2, 14, 14, 1]);
    tf.dispose([x, y]);
  });

  it('forward FLOPs follow the architecture (hand count of a tiny U-Net and the MLP)', () => {
    const tiny = createModel(
      {
        kind: 'unet',
        imageSize: 4,
        channels: 1,
        baseChannels: 4,
        channelMultipliers: [1],
        numResBlocks: 1,
        attentionResolutions: [],
        groups: 2,
        dropout: 0,
        numClasses: 0,
      },
      0,
    );
    // input conv 576, time MLP 320, down res 4672, middle res+attn+res 9344+3072, 2 up res (8→4) 14976, out conv 576.
    expect(tiny.forwardFlops()).toBe(2 * (576 + 320 + 4672 + 9344 + 3072 + 14976 + 576));
    tiny.dispose();
    const mlp = createModel(defaultMlpConfig(), 0);
    const { hidden: h, timeEmbedDim: te, layers, dataDim: d } = defaultMlpConfig();
    expect(mlp.forwardFlops()).toBe(2 * (te * h + h * h + d * h + layers * h * h + h * d));
    mlp.dispose();
  });
});
