// `onnx-ddpm sample | inspect | doctor` as a user runs them: the built CLI in a child process.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';
import { cudaProviderInstalled, decodeNpy, encodeNpy, OrtDenoiser, sample } from '@onnx-ddpm/sampler/node';
import { createScheduler, DEFAULT_SCHEDULER_CONFIG, fingerprint, PhiloxNoise, type SchedulerConfig, schedulerConfigToJSON } from '@onnx-ddpm/schedule';
import { beforeAll, describe, expect, it } from 'vitest';
import { requires, skipForHardware, TEST_DEPS } from '../../../test/prereqs.js';
import { buildLinearModel, gaussianDataCoefficients, type LinearModelSpec, testValues } from '../../sampler/test/node-test-models.js';
import { scratchFolder } from './cli-helpers.js';

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
const PNG_SIGNATURE = '89504e470d0a1a0a';
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** stderr without progress lines and the SwiftShader/Dawn chatter. */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !/^sampling /.test(l));
}

const T = 50;
const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: T };
const a = gaussianDataCoefficients(T, config.beta_start, config.beta_end, 0.5);
function metadata(modelConfig: object, cfg: SchedulerConfig = config): Record<string, string> {
  return {
    'onnx_ddpm.scheduler_config': schedulerConfigToJSON(cfg),
    'onnx_ddpm.model_config': JSON.stringify(modelConfig),
    'onnx_ddpm.schedule_fingerprint': fingerprint(cfg),
  };
}
const imageSpec: LinearModelSpec = {
  itemShape: [1, 4, 4],
  a,
  w: testValues(16, 1),
  T,
  metadata: metadata({ model_type: 'unet', sample_size: 4, in_channels: 1, num_classes: 0 }),
};
const condSpec: LinearModelSpec = {
  ...imageSpec,
  classTable: testValues(4 * 16, 2),
  metadata: metadata({ model_type: 'unet', sample_size: 4, in_channels: 1, num_classes: 3 }),
};
const pointSpec: LinearModelSpec = { itemShape: [2], a, w: testValues(2, 3), T, metadata: metadata({ kind: 'mlp', dataDim: 2, numClasses: 0 }) };

const path = scratchFolder('sample', () => ({}));

beforeAll(() => {
  writeFileSync(path('img.onnx'), buildLinearModel(imageSpec));
  writeFileSync(path('cond.onnx'), buildLinearModel(condSpec));
  writeFileSync(path('pts.onnx'), buildLinearModel(pointSpec));
  writeFileSync(path('nan.onnx'), buildLinearModel({ ...imageSpec, nanBelow: 20 }));
  writeFileSync(path('names.onnx'), buildLinearModel({ ...imageSpec, names: { sample: 'x', timestep: 't' } }));
  writeFileSync(path('bare.onnx'), buildLinearModel({ ...imageSpec, metadata: undefined }));
  writeFileSync(path('text.onnx'), 'not a model at all\n'.repeat(10));
  const bytes = buildLinearModel(imageSpec);
  writeFileSync(path('cut.onnx'), bytes.subarray(0, bytes.length - 40));
  writeFileSync(path('config-b.json'), schedulerConfigToJSON({ ...config, beta_end: 0.03 }));
  writeFileSync(path('empty.onnx'), '');
  // A model predicting 2C channels (e.g. learned variance) and one ORT cannot load (unknown op).
  for (const [name, op, channels] of [['wide', 'Concat', 2], ['unknown-op', 'NoSuchOp', 1]] as const) {
    const g = new GraphBuilder();
    g.input('sample', 'float32', ['N', 1, 4, 4]);
    g.input('timestep', 'int64', ['N']);
    g.node(op, op === 'Concat' ? ['sample', 'sample'] : ['sample'], op === 'Concat' ? { axis: 1 } : {}, { outputs: ['out_sample'] });
    g.output('out_sample', 'float32', ['N', channels, 4, 4]);
    writeFileSync(path(`${name}.onnx`), encodeModel(g.build({ metadata: imageSpec.metadata })));
  }
});

describe('onnx-ddpm sample', () => {
  it('writes the grid, npy, strip and per-image PNGs and reports as JSON; same bytes as the library', async () => {
    const r = cli([
      'sample', '--model', path('img.onnx'), '--n', '4', '--method', 'ddim', '--steps', '10', '--eta', '0.5', '--seed', '3',
      '--out', path('out/grid.png'), '--save-npy', path('out/x0.npy'), '--frames', path('out/strip.png'), '--images', path('out/imgs'),
      '--ep', 'cpu', '--json',
    ]);
    expect(r.stderr).not.toMatch(/warning/);
    expect(r.status).toBe(0);
    // Not a TTY: plain progress lines with it/s and ETA.
    expect(r.stderr).toMatch(/^sampling ddim on cpu: 100% 10\/10 [\d.]+ it\/s ETA [\d.]+s$/m);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ executionProvider: 'cpu', method: 'ddim', steps: 10, eta: 0.5, seed: 3, n: 4, shape: [4, 1, 4, 4] });
    expect(report.timings.modelMs).toBeGreaterThan(0);
    expect(report.timings.loopMs).toBeGreaterThan(0);
    expect(report.outputs.images).toHaveLength(4);
    for (const png of [path('out/grid.png'), path('out/strip.png'), ...report.outputs.images]) {
      expect(readFileSync(png).subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
    }
    const npy = decodeNpy(readFileSync(path('out/x0.npy')));
    expect(npy.shape).toEqual([4, 1, 4, 4]);
    const model = await OrtDenoiser.create(buildLinearModel(imageSpec), { executionProviders: ['cpu'] });
    const lib = await sample(model, createScheduler(config, { method: 'ddim', steps: 10, eta: 0.5 }), { batch: 4, noise: new PhiloxNoise(3) });
    await model.dispose();
    expect(Buffer.from(npy.data.buffer, npy.data.byteOffset, npy.data.byteLength).equals(Buffer.from(lib.samples.buffer))).toBe(true);
    expect(readdirSync(path('out')).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('--noise replays a .npy holding the Philox noise bit for bit', () => {
    const steps = 6;
    const frame = 2 * 16;
    const noise = new Float32Array((steps + 1) * frame);
    const philox = new PhiloxNoise(9);
    for (let k = 0; k <= steps; k++) philox.fill(k, noise.subarray(k * frame, (k + 1) * frame));
    writeFileSync(path('noise.npy'), encodeNpy(noise, [steps + 1, 2, 1, 4, 4]));
    const common = ['sample', '--model', path('img.onnx'), '--n', '2', '--steps', String(steps), '--eta', '1', '--ep', 'cpu'];
    expect(cli([...common, '--seed', '9', '--save-npy', path('seed.npy')]).status).toBe(0);
    expect(cli([...common, '--noise', path('noise.npy'), '--save-npy', path('file.npy')]).status).toBe(0);
    expect(readFileSync(path('file.npy')).equals(readFileSync(path('seed.npy')))).toBe(true);
    const wrong = cli([...common, '--steps', '5', '--noise', path('noise.npy'), '--save-npy', path('never.npy')]);
    expect(wrong.status).toBe(1);
    expect(errorLines(wrong.stderr)).toEqual([expect.stringMatching(/noise array has shape \[7, 2, 1, 4, 4\] but this run needs \[6, 2, 1, 4, 4\]/)]);
    expect(existsSync(path('never.npy'))).toBe(false);
  });

  it('2-D models: a scatter PNG and the points as .npy', () => {
    const r = cli(['sample', '--model', path('pts.onnx'), '--n', '64', '--method', 'ddpm', '--out', path('pts.png'), '--save-npy', path('pts.npy'), '--ep', 'cpu', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ method: 'ddpm', steps: T, shape: [64, 2] });
    expect(readFileSync(path('pts.png')).subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
    expect(decodeNpy(readFileSync(path('pts.npy'))).shape).toEqual([64, 2]);
  });

  it('class-conditional with guidance', () => {
    const r = cli(['sample', '--model', path('cond.onnx'), '--n', '3', '--steps', '5', '--guidance', '3', '--class', '1', '--save-npy', path('c.npy'), '--ep', 'cpu', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ classLabels: [1, 1, 1], guidance: 3 });
    const bad = cli(['sample', '--model', path('cond.onnx'), '--class', '3', '--save-npy', path('c3.npy'), '--ep', 'cpu']);
    expect(bad.status).toBe(2);
    expect(errorLines(bad.stderr)).toEqual(['onnx-ddpm sample: --class must be in [0, 2], got 3']);
  });

  it('warns when the scheduler config in use differs from the model fingerprint', () => {
    const r = cli(['sample', '--model', path('img.onnx'), '--n', '1', '--steps', '2', '--scheduler-config', path('config-b.json'), '--save-npy', path('b.npy'), '--ep', 'cpu']);
    expect(r.status).toBe(0);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^onnx-ddpm sample: warning: the schedule in use \(.*config-b.json, fingerprint .*\) differs/)]);
  });

  it('the default --ep cuda,cpu falls back to cpu with one warning naming pnpm setup:gpu', skipForHardware(cudaProviderInstalled(), 'the CUDA provider works here: no fallback to see'), () => {
    const r = cli(['sample', '--model', path('img.onnx'), '--n', '1', '--steps', '2', '--save-npy', path('fb.npy'), '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).executionProvider).toBe('cpu');
    const warnings = errorLines(r.stderr);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/warning: execution provider cuda unavailable: .*`pnpm setup:gpu`.*falling back to cpu/);
  });

  describe('bad input: one line, exit code ≠ 0, no output file', () => {
    const cases: [string, string[], number, RegExp][] = [
      ['missing model', ['--model', 'MISSING'], 1, /model not found: .*MISSING\.onnx/],
      ['not ONNX', ['--model', 'text.onnx'], 1, /text\.onnx is not an ONNX model/],
      ['truncated', ['--model', 'cut.onnx'], 1, /cut\.onnx is not an ONNX model/],
      ['wrong input names', ['--model', 'names.onnx'], 1, /the model has inputs x: float32 \[N, 1, 4, 4\], t: int64 \[N\]; expected 'sample'/],
      ['empty file', ['--model', 'empty.onnx'], 1, /empty\.onnx is not an ONNX model: .*empty/],
      ['output shape differs', ['--model', 'wide.onnx'], 1, /output out_sample: float32 \[N, 2, 4, 4\] does not match items of \[1, 4, 4\]/],
      ['model ORT cannot load', ['--model', 'unknown-op.onnx'], 1, /onnxruntime could not load the model: .*NoSuchOp/],
      ['no scheduler config', ['--model', 'bare.onnx'], 1, /bare\.onnx carries no onnx_ddpm\.scheduler_config metadata; give a scheduler config with --scheduler-config/],
      ['NaN in x_t', ['--model', 'nan.onnx', '--method', 'ddpm'], 1, /x_t became NaN at reverse step 31\/50 \(t=19, element 0\)/],
      ['bad method', ['--model', 'img.onnx', '--method', 'plms'], 2, /--method must be ddpm or ddim, got 'plms'/],
      ['unknown EP', ['--model', 'img.onnx', '--ep', 'cpu,tpu'], 2, /--ep: unknown execution provider 'tpu'/],
      ['eta with ddpm', ['--model', 'img.onnx', '--method', 'ddpm', '--eta', '0.5'], 2, /--eta applies to DDIM only \(DDPM is always η = 1\), got eta=0\.5/],
      ['negative eta', ['--model', 'img.onnx', '--eta=-1'], 2, /--eta must be ≥ 0, got -1$/],
      ['class on an unconditional model', ['--model', 'img.onnx', '--class', '1'], 2, /--class needs a class-conditional model/],
      ['steps above T', ['--model', 'img.onnx', '--steps', '51'], 2, /--steps must be in \[1, 50\] for this model/],
    ];
    for (const [what, args, code, message] of cases) {
      it(what, () => {
        const fix = (a: string) => (a.endsWith('.onnx') || a.endsWith('.json') || a === 'MISSING' ? path(a === 'MISSING' ? 'MISSING.onnx' : a) : a);
        const out = path(`bad-${what.replace(/\W+/g, '-')}.png`);
        const npy = `${out}.npy`;
        const r = cli(['sample', ...args.map(fix), '--n', '2', '--out', out, '--save-npy', npy, ...(args.includes('--ep') ? [] : ['--ep', 'cpu'])]);
        expect(r.status).toBe(code);
        const lines = errorLines(r.stderr);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^onnx-ddpm sample: /);
        expect(lines[0]).toMatch(message);
        expect(existsSync(out)).toBe(false);
        expect(existsSync(npy)).toBe(false);
        expect(readdirSync(path('.')).filter((f) => f.includes('.tmp-'))).toEqual([]);
      });
    }

    it('an unwritable output writes none of the outputs', () => {
      writeFileSync(path('a-file'), 'in the way');
      const r = cli(['sample', '--model', path('img.onnx'), '--n', '2', '--steps', '2', '--out', path('first.png'), '--images', path('a-file/imgs'), '--ep', 'cpu']);
      expect(r.status).toBe(1);
      expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^onnx-ddpm sample: --images .*a-file\/imgs: .*a-file is a file, not a folder$/)]);
      expect(existsSync(path('first.png'))).toBe(false);
    });

    it('nothing to write', () => {
      const r = cli(['sample', '--model', path('img.onnx')]);
      expect(r.status).toBe(2);
      expect(errorLines(r.stderr)).toEqual(['onnx-ddpm sample: nothing to write: give --out, --save-npy, --frames or --images']);
    });
  });

  it('runs on the WebGPU EP (SwiftShader) and agrees with CPU', requires(TEST_DEPS.swiftshader), () => {
    const env = { LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: SWIFTSHADER_ICD };
    const common = ['sample', '--model', path('img.onnx'), '--n', '2', '--steps', '4', '--json'];
    const gpu = cli([...common, '--ep', 'webgpu,cpu', '--save-npy', path('webgpu.npy')], env);
    expect(gpu.status).toBe(0);
    expect(JSON.parse(gpu.stdout).executionProvider).toBe('webgpu');
    expect(cli([...common, '--ep', 'cpu', '--save-npy', path('cpu.npy')]).status).toBe(0);
    const x = decodeNpy(readFileSync(path('webgpu.npy'))).data;
    const y = decodeNpy(readFileSync(path('cpu.npy'))).data;
    let max = 0;
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
    expect(max).toBeLessThan(1e-3);
  });
});

describe('onnx-ddpm inspect', () => {
  it('prints inputs, outputs, opset, parameters and the metadata as pretty JSON', () => {
    const r = cli(['inspect', path('cond.onnx')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {2}sample +float32 \[N, 1, 4, 4\]$/m);
    expect(r.stdout).toMatch(/^ {2}class_labels +int64 \[N\]$/m);
    expect(r.stdout).toMatch(/^ {2}out_sample +float32 \[N, 1, 4, 4\]$/m);
    expect(r.stdout).toMatch(/^opsets: +ai\.onnx 17$/m);
    // float parameters: a (T = 50) + w (16) + class table (4 × 16); the int64 axes and shape are not counted
    expect(r.stdout).toMatch(/^parameters: +130 in 5 initializers$/m);
    expect(r.stdout).toMatch(/^ {2}onnx_ddpm\.scheduler_config: \{\n {4}"[^\n]*\n {4}"num_train_timesteps": 50,$/m);
    const json = JSON.parse(cli(['inspect', path('cond.onnx'), '--json']).stdout);
    expect(json.metadata['onnx_ddpm.model_config']).toEqual({ model_type: 'unet', sample_size: 4, in_channels: 1, num_classes: 3 });
    expect(json.inputs.map((i: { name: string }) => i.name)).toEqual(['sample', 'timestep', 'class_labels']);
  });

  it('a non-ONNX file is one line and exit code 1', () => {
    const r = cli(['inspect', path('text.onnx')]);
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^onnx-ddpm inspect: .*text\.onnx is not an ONNX model/)]);
  });
});

describe('onnx-ddpm doctor', () => {
  it('reports Node, ORT EPs that really run, TF.js backends, sharp and tools', () => {
    const r = cli(['doctor', '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.node).toBe(process.version);
    expect(report.onnxruntimeNode.version).toBe('1.30.0');
    const eps = Object.fromEntries(report.executionProviders.map((p: { name: string; ok: boolean }) => [p.name, p.ok]));
    expect(eps.cpu).toBe(true);
    expect(eps.webgpu).toBe(false); // no GPU and no SwiftShader env in this process
    expect(report.tfjsBackends.some((b: { name: string; ok: boolean }) => b.name === 'cpu' && b.ok)).toBe(true);
    expect(report.sharp.version).toMatch(/^\d+\.\d+/);
    expect(report.tools.map((t: { name: string }) => t.name)).toEqual(['chromium', 'python3-onnx']);
  });

  it('finds the WebGPU EP when started with the SwiftShader environment', requires(TEST_DEPS.swiftshader), () => {
    const r = cli(['doctor'], { LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: SWIFTSHADER_ICD });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {2}ok {2}webgpu +[\d.]+ ms$/m);
    expect(r.stdout).toMatch(/^ {2}ok {2}cpu +[\d.]+ ms$/m);
  });
});
