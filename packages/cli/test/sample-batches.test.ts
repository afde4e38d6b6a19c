// `onnx-ddpm sample` in model batches: same bytes as one batch, a plan printed first, short errors.
import { readFileSync, writeFileSync } from 'node:fs';
import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';
import { decodeNpy, encodeNpy } from '@onnx-ddpm/sampler';
import { PhiloxNoise } from '@onnx-ddpm/schedule';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, errorLines, scratchFolder, tinyImageModel } from './cli-helpers.js';

const path = scratchFolder('batches');

beforeAll(() => {
  writeFileSync(path('cond.onnx'), tinyImageModel(3));
  writeFileSync(path('greedy.onnx'), greedyModel());
});

/** A model whose every call asks ONNX Runtime for N · 2^40 floats (a ConstantOfShape summed away). */
function greedyModel(): Uint8Array {
  const g = new GraphBuilder();
  g.input('sample', 'float32', ['N', 1, 4, 4]);
  g.input('timestep', 'int64', ['N']);
  const [n] = g.node('Shape', ['sample'], { start: 0, end: 1 });
  const [size] = g.node('Mul', [n!, g.constInt64('huge', [2 ** 40])]);
  const [zeros] = g.node('ConstantOfShape', [size!]);
  const [sum] = g.node('ReduceSum', [zeros!], { keepdims: 0 });
  g.node('Add', ['sample', sum!], {}, { outputs: ['out_sample'] });
  g.output('out_sample', 'float32', ['N', 1, 4, 4]);
  const modelConfig = { model_type: 'unet', sample_size: 4, in_channels: 1, num_classes: 0 };
  return encodeModel(g.build({ metadata: { 'onnx_ddpm.scheduler_config': '{"num_train_timesteps": 50}', 'onnx_ddpm.model_config': JSON.stringify(modelConfig) } }));
}

/** Samples to `<name>.npy` and returns its bytes. */
function sampleNpy(name: string, args: string[]): Buffer {
  const r = cli(['sample', '--ep', 'cpu', '--save-npy', path(`${name}.npy`), ...args]);
  expect(r.stderr).not.toMatch(/warning|error/);
  expect(r.status).toBe(0);
  return readFileSync(path(`${name}.npy`));
}

describe('sample --batch', () => {
  const settings: [string, string[]][] = [
    ['ddim η = 1', ['--model', 'img.onnx', '--method', 'ddim', '--steps', '8', '--eta', '1']],
    ['ddpm', ['--model', 'img.onnx', '--method', 'ddpm']],
    ['class-conditional with guidance', ['--model', 'cond.onnx', '--steps', '6', '--eta', '0.5', '--guidance', '2']],
  ];
  for (const [what, args] of settings) {
    it(`${what}: batches of 3, of 4 and one batch give byte-identical samples of the same seed`, () => {
      const a = args.map((x) => (x.endsWith('.onnx') ? path(x) : x));
      const one = sampleNpy(`${what}-one`, [...a, '--n', '10', '--seed', '4', '--batch', '10']);
      expect(sampleNpy(`${what}-3`, [...a, '--n', '10', '--seed', '4', '--batch', '3']).equals(one)).toBe(true);
      expect(sampleNpy(`${what}-4`, [...a, '--n', '10', '--seed', '4', '--batch', '4']).equals(one)).toBe(true);
      expect(sampleNpy(`${what}-other-seed`, [...a, '--n', '10', '--seed', '5', '--batch', '3']).equals(one)).toBe(false);
    });
  }

  it('--noise replays in batches too', () => {
    const steps = 4;
    const frame = 5 * 16;
    const noise = new Float32Array((steps + 1) * frame);
    for (let k = 0; k <= steps; k++) new PhiloxNoise(9).fill(k, noise.subarray(k * frame, (k + 1) * frame));
    writeFileSync(path('noise.npy'), encodeNpy(noise, [steps + 1, 5, 1, 4, 4]));
    const common = ['--model', path('img.onnx'), '--n', '5', '--steps', String(steps), '--eta', '1'];
    const seeded = sampleNpy('seeded', [...common, '--seed', '9', '--batch', '5']);
    expect(sampleNpy('replayed', [...common, '--noise', path('noise.npy'), '--batch', '2']).equals(seeded)).toBe(true);
  });

  it('a big --n streams in default batches, printing the plan first; the same bytes as one batch', () => {
    const args = ['sample', '--model', path('img.onnx'), '--n', '100000', '--steps', '2', '--ep', 'cpu', '--json'];
    const r = cli([...args, '--save-npy', path('big.npy')]);
    expect(r.status).toBe(0);
    const plan = r.stderr.split('\n')[0]!;
    expect(plan).toMatch(/^sampling 100000 in 98 batches of 1024: estimated [\d.]+ (s|min) and [\d.]+ (MiB|GiB) of memory \([\d.]+ (B|KiB|MiB) per item in a batch, from a probe of the model\)$/);
    expect(JSON.parse(r.stdout)).toMatchObject({ n: 100000, batch: 1024, batches: 98, shape: [100000, 1, 4, 4] });
    const big = decodeNpy(readFileSync(path('big.npy')));
    expect(big.shape).toEqual([100000, 1, 4, 4]);
    expect(cli([...args, '--batch', '100000', '--save-npy', path('one.npy')]).status).toBe(0);
    expect(readFileSync(path('one.npy')).equals(readFileSync(path('big.npy')))).toBe(true);
  });

  it('samples that cannot be held in memory: one short line, exit 1', () => {
    const r = cli(['sample', '--model', path('img.onnx'), '--n', String(2 ** 50), '--steps', '2', '--ep', 'cpu', '--save-npy', path('huge.npy')]);
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^onnx-ddpm sample: out of memory holding 1125899906842624 samples \(65536\.0 TiB\); give a smaller --n$/)]);
  });

  it("ONNX Runtime failing to allocate: one short line, not ORT's raw message", () => {
    const r = cli(['sample', '--model', path('greedy.onnx'), '--n', '4', '--steps', '2', '--ep', 'cpu', '--save-npy', path('greedy.npy')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('onnx-ddpm sample: out of memory sampling a batch of 4; give a smaller --batch (or a smaller --n)\n');
  });
});
