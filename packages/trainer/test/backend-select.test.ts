import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { skipForHardware } from '../../../test/prereqs.js';
import { ensureGradients, probeBackends, selectBackend } from '../src/node.js';

const require = createRequire(import.meta.url);

/** Whether a package can be loaded here (tfjs-node-gpu installs broken on machines without libtensorflow). */
function loads(pkg: string): boolean {
  try {
    require(pkg);
    return true;
  } catch {
    return false;
  }
}
const nativeUsable = loads('@tensorflow/tfjs-node-gpu') || loads('@tensorflow/tfjs-node');
const NATIVE = 'a native TF.js backend loads here (pnpm setup:gpu on a CUDA machine): no wasm fallback to see';

describe('selectBackend', () => {
  it('registers TF.js gradients (the Node build of tfjs-core has none)', async () => {
    await ensureGradients();
    for (const kernel of [tf.Conv2D, tf.Conv2DBackpropInput, tf.Mean, tf.BatchMatMul, tf.Sigmoid, tf.Softmax, tf.Concat]) {
      expect(tf.getGradient(kernel), kernel).toBeDefined();
    }
  });

  it('auto falls back to wasm here and says why tensorflow was not used', skipForHardware(nativeUsable, NATIVE), async () => {
    const lines: string[] = [];
    const choice = await selectBackend('auto', (l) => lines.push(l));
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.device).toMatch(/WebAssembly/);
    expect(choice.notes.join('\n')).toMatch(/tfjs-node-gpu not usable: .+; run pnpm setup:gpu/);
    expect(choice.notes.join('\n')).toMatch(/tfjs-node not installed/);
    expect(lines[0]).toBe(`backend: wasm (${choice.device})`);
    expect(lines.slice(1).map((l) => l.trim())).toEqual(choice.notes);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
  });

  it('an explicit tensorflow preference fails with the reason', skipForHardware(nativeUsable, NATIVE), async () => {
    await expect(selectBackend('tensorflow')).rejects.toThrow(/backend: tensorflow is not available: tfjs-node-gpu not usable/);
  });

  it('cpu and wasm can be chosen explicitly; tf.getBackend() follows', async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await selectBackend('wasm')).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown preference', async () => {
    await expect(selectBackend('metal' as 'wasm')).rejects.toThrow(/unknown preference "metal"/);
  });
});

describe('probeBackends', () => {
  it('lists every backend with a reason and leaves the active backend alone', async () => {
    await selectBackend('cpu');
    const rows = await probeBackends();
    expect(tf.getBackend()).toBe('cpu');
    expect(rows.map((r) => r.name)).toEqual(['tensorflow (tfjs-node-gpu)', 'tensorflow (tfjs-node)', 'webgpu (Dawn)', 'wasm', 'cpu']);
    expect(rows.find((r) => r.name === 'wasm')).toMatchObject({ available: true });
    expect(rows.find((r) => r.name === 'cpu')).toMatchObject({ available: true });
    for (const row of rows) expect(row.detail.length).toBeGreaterThan(0);
    if (!nativeUsable) expect(rows[0]!.available).toBe(false);
  });
});
