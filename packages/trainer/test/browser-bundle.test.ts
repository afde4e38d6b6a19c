// The trainer's core entry (@onnx-ddpm/trainer) bundles for the browser: no node: built-ins, no native addons.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ENTRY = new URL('../src/index.ts', import.meta.url).pathname;

describe('@onnx-ddpm/trainer core entry', () => {
  it('bundles for the browser with esbuild (no node: imports, sharp, onnxruntime-node, worker_threads or Dawn)', async () => {
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      conditions: ['source'],
      write: false,
      metafile: true,
      logLevel: 'silent',
      outdir: 'out',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => p.includes('packages/trainer/src/model/export.ts'))).toBe(true);
    expect(inputs.some((p) => p.includes('packages/trainer/src/train/replica.ts'))).toBe(true);
    expect(inputs.some((p) => p.includes('tfjs-backend-webgpu'))).toBe(true);
    expect(inputs.some((p) => p.includes('register_all_gradients'))).toBe(true);
    for (const banned of ['sharp', 'onnxruntime-node', 'node_modules/webgpu/', 'checkpoint.ts', 'worker-engine.ts', 'data/folder.ts']) {
      expect(inputs.filter((p) => p.includes(banned)), banned).toEqual([]);
    }
    const code = result.outputFiles.map((f) => f.text).join('\n');
    expect(code).not.toMatch(/from\s*["']node:/);
    expect(code).not.toMatch(/import\(["']node:/);
  });
});
