/// <reference lib="dom" />
// The sampling page in a real Chromium: WebGPU and wasm give the image a Node run of the same seed
// gives (core loop + onnxruntime-node), the default 2-D model samples what Node samples, the error
// paths say what is wrong, and without WebGPU the page falls back to wasm and says so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StaticServer } from '../../packages/web/serve.mjs';
import { createScheduler, DEFAULT_SCHEDULER_CONFIG, PhiloxNoise, type SchedulerConfig, schedulerConfigToJSON } from '../../packages/schedule/src/index.js';
import { OrtEpsModel, readModelSummary, sample } from '@onnx-ddpm/sampler/node';
import { imageGridRaster } from '@onnx-ddpm/sampler/web';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLinearModel, gaussianDataCoefficients, type LinearModelSpec, testValues } from '../../packages/sampler/test/node-test-models.js';
import {
  buildPage,
  canvasPixels,
  launchChromium,
  messages,
  openPage,
  pickFile,
  repoRoot,
  screenshotDir,
  startServer,
  waitForState,
} from './page-harness.js';
import { requires, TEST_DEPS } from '../prereqs.js';

const T = 100;
const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: T };
const metadata = {
  'onnx_ddpm.scheduler_config': schedulerConfigToJSON(config),
  'onnx_ddpm.model_config': JSON.stringify({ model_type: 'unet', sample_size: 8, in_channels: 1, num_classes: 0 }),
};
/** A tiny 1×8×8 "image model" (SwiftShader WebGPU is slow): out = a[t]·x + (t/T)·w. */
const imageSpec: LinearModelSpec = { itemShape: [1, 8, 8], a: gaussianDataCoefficients(T, 0.0001, 0.02, 0.5), w: testValues(64, 7), T, metadata };
const imageModel = buildLinearModel(imageSpec);
const settings = { method: 'ddim' as const, steps: 6, eta: 0.5, seed: 3, batch: 4 };

let server: StaticServer;
let browser: Browser;
/** One page for the tests that pick their own model (loading ORT's wasm is the slow part here). */
let page: Page;

beforeAll(async () => {
  buildPage();
  server = await startServer();
  browser = await launchChromium();
  page = await openPage(browser, server.url);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The grid the page should show: the same seed through the core loop on onnxruntime-node. */
async function nodeGrid(bytes: Uint8Array) {
  const model = await OrtEpsModel.create(bytes, { executionProviders: ['cpu'] });
  const result = await sample(model, createScheduler(config, settings), { ...settings, noise: new PhiloxNoise(settings.seed) });
  await model.dispose();
  return imageGridRaster(result.samples, result.shape);
}

async function setControls(page: Page, ep: 'webgpu' | 'wasm'): Promise<void> {
  await page.selectOption('#ep', ep);
  await waitForState(page, ['ready']);
  await page.selectOption('#method', settings.method);
  await page.fill('#steps', String(settings.steps));
  await page.fill('#eta', String(settings.eta));
  await page.fill('#seed', String(settings.seed));
  await page.fill('#batch', String(settings.batch));
  await page.fill('#preview-every', '2');
}

describe('the sampling page', requires(TEST_DEPS.chromium, TEST_DEPS.swiftshader), () => {
  it('samples the default 2-D model as Node does (window.onnxDdpm.sample on wasm) and plots it', async () => {
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
    expect(await page.textContent('#model-card')).toContain('2-D points');
    const modelPath = join(repoRoot, 'models/s-curve.onnx');
    const bytes = new Uint8Array(readFileSync(modelPath));
    const opts = { method: 'ddim' as const, steps: 5, seed: 9, batch: 64 };
    const browserRun = await page.evaluate(
      async ([b64, o]) => {
        const r = await window.onnxDdpm.sample(b64, 'wasm', o);
        return { ...r, samples: Array.from(r.samples) };
      },
      [Buffer.from(bytes).toString('base64'), opts] as const,
    );
    const { summary } = await readModelSummary(modelPath);
    const cfg = JSON.parse(summary.metadata['onnx_ddpm.scheduler_config']!);
    const node = await OrtEpsModel.create(bytes, { executionProviders: ['cpu'] });
    const nodeRun = await sample(node, cfg, { ...opts, noise: new PhiloxNoise(opts.seed) });
    await node.dispose();
    expect(browserRun.ep).toBe('wasm');
    expect(browserRun.shape).toEqual([64, 2]);
    let maxDiff = 0;
    nodeRun.samples.forEach((v, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - browserRun.samples[i]!));
    });
    expect(maxDiff).toBeLessThanOrEqual(1e-3);
    // The UI draws the scatter plot.
    await page.selectOption('#ep', 'wasm');
    await waitForState(page, ['ready']);
    await page.fill('#steps', '5');
    await page.fill('#batch', '200');
    await page.click('#generate');
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const { width, height, rgba } = await canvasPixels(page);
    expect([width, height]).toEqual([512, 512]);
    let red = 0; // scatterSvg's sample colour #d62728, alpha-blended on white
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i]! > 200 && rgba[i + 1]! < 150 && rgba[i + 2]! < 150) red++;
    expect(red).toBeGreaterThan(200);
    await page.screenshot({ path: join(screenshotDir, 's-curve-wasm-1280x800.png') });
    // On a phone the panels stack: nothing is wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const overflowing = await page.$$eval('main *', (els) => els.filter((e) => e.getBoundingClientRect().right > 390.5).map((e) => e.id || e.tagName));
    expect(overflowing).toEqual([]);
    await page.screenshot({ path: join(screenshotDir, 's-curve-wasm-390x844.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  for (const ep of ['webgpu', 'wasm'] as const) {
    it(`draws on ${ep} the grid a Node run of the same seed gives`, async () => {
      await pickFile(page, 'model-file', 'tiny-image.onnx', imageModel);
      await waitForState(page, ['ready']);
      await setControls(page, ep);
      expect(await page.textContent('#ep-badge')).toContain(ep === 'webgpu' ? 'WebGPU' : 'wasm');
      await page.click('#generate');
      expect(await waitForState(page, ['done', 'error'])).toBe('done');
      expect(await page.textContent('#stats')).toMatch(new RegExp(`6 steps · [\\d.]+ ms/step · total [\\d.]+ s · ${ep === 'webgpu' ? 'WebGPU' : 'wasm'}`));
      const expected = await nodeGrid(imageModel);
      const shown = await canvasPixels(page);
      expect([shown.width, shown.height]).toEqual([expected.width, expected.height]);
      let maxDiff = 0;
      for (let i = 0; i < expected.width * expected.height; i++) maxDiff = Math.max(maxDiff, Math.abs(shown.rgba[i * 4]! - expected.data[i]!));
      // float32 rounding (ORT-web vs ORT-node, WebGPU's step graph vs the float64 step) moves a byte by at most 1.
      expect(maxDiff).toBeLessThanOrEqual(1);
      const download = page.waitForEvent('download');
      await page.click('#download');
      const file = await (await download).path();
      expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
      await page.screenshot({ path: join(screenshotDir, `tiny-image-${ep}.png`), fullPage: true });
    });
  }

  it('window.onnxDdpm.modelCall on WebGPU computes what onnxruntime-node computes', async () => {
    const x = testValues(2 * 64, 4);
    const out = await page.evaluate(
      async ([b64, xs]) => {
        const r = await window.onnxDdpm.modelCall(b64, 'webgpu', xs, [2, 1, 8, 8], [40, 40], null);
        return { ep: r.ep, output: Array.from(r.output) };
      },
      [Buffer.from(imageModel).toString('base64'), Array.from(x)] as const,
    );
    const node = await OrtEpsModel.create(imageModel, { executionProviders: ['cpu'] });
    const expected = await node.predict(x, [2, 1, 8, 8], new Int32Array([40, 40]), null);
    await node.dispose();
    expect(out.ep).toBe('webgpu');
    let maxDiff = 0;
    expected.forEach((v, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - out.output[i]!));
    });
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('window.onnxDdpm.sample on WebGPU (device-resident loop, guided) samples what the Node core loop samples', async () => {
    const numClasses = 3;
    const cond = buildLinearModel({
      ...imageSpec,
      classTable: testValues((numClasses + 1) * 64, 5, -0.3, 0.3),
      numClasses,
      metadata: { ...metadata, 'onnx_ddpm.model_config': JSON.stringify({ model_type: 'unet', sample_size: 8, in_channels: 1, num_classes: numClasses }) },
    });
    const opts = { method: 'ddpm' as const, steps: 5, seed: 12, batch: 3, classLabels: [2, 0, 1], guidance: 2 };
    const run = await page.evaluate(
      async ([b64, o]) => {
        const r = await window.onnxDdpm.sample(b64, 'webgpu', o);
        return { ...r, samples: Array.from(r.samples) };
      },
      [Buffer.from(cond).toString('base64'), opts] as const,
    );
    const node = await OrtEpsModel.create(cond, { executionProviders: ['cpu'], numClasses });
    const expected = await sample(node, createScheduler(config, opts), { ...opts, classLabels: Int32Array.from(opts.classLabels), noise: new PhiloxNoise(opts.seed) });
    await node.dispose();
    expect(run.ep).toBe('webgpu');
    let maxDiff = 0;
    expected.samples.forEach((v, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - run.samples[i]!));
    });
    expect(maxDiff).toBeLessThanOrEqual(1e-3);
  });

  it('says what is wrong with a file that is not ONNX, a model whose inputs do not fit, and a model without a scheduler config', async () => {
    await pickFile(page, 'model-file', 'notes.onnx', new TextEncoder().encode('these are not the weights you are looking for'));
    await waitForState(page, ['ready']);
    expect(await messages(page)).toEqual([{ level: 'error', text: expect.stringMatching(/^notes\.onnx is not an ONNX model: /) }]);
    // The previous model stays usable.
    expect(await page.isDisabled('#generate')).toBe(false);

    await pickFile(page, 'model-file', 'renamed.onnx', buildLinearModel({ ...imageSpec, names: { sample: 'x', timestep: 't' } }));
    await waitForState(page, ['ready']);
    const [wrong] = await messages(page);
    expect(wrong?.level).toBe('error');
    expect(wrong?.text).toContain("the model has inputs x: float32 [N, 1, 8, 8], t: int64 [N]; expected 'sample'");

    await pickFile(page, 'model-file', 'bare.onnx', buildLinearModel({ ...imageSpec, metadata: undefined }));
    await waitForState(page, ['error']);
    expect((await messages(page))[0]?.text).toMatch(/bare\.onnx carries no scheduler config .* choose its scheduler_config\.json/);
    expect(await page.isDisabled('#generate')).toBe(true);
    await page.setInputFiles('#config-file', { name: 'scheduler_config.json', mimeType: 'application/json', buffer: Buffer.from(schedulerConfigToJSON(config)) });
    await waitForState(page, ['ready']);
    expect(await page.textContent('#model-card')).toContain('(scheduler_config.json)');
    expect(await page.isDisabled('#generate')).toBe(false);
    await page.screenshot({ path: join(screenshotDir, 'errors.png'), fullPage: true });
  });
});

describe('without WebGPU', requires(TEST_DEPS.chromium), () => {
  it('falls back to wasm and says why', async () => {
    const plain = await launchChromium(false);
    try {
      const page = await openPage(plain, server.url);
      expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
      expect(await page.textContent('#ep-badge')).toBe('running on wasm (threads on)');
      const notes = await messages(page);
      expect(notes).toEqual([{ level: 'info', text: expect.stringMatching(/^WebGPU is not available \(.+\); sampling on wasm instead\.$/) }]);
      expect(await page.isDisabled('#ep option[value=webgpu]')).toBe(true);
      await page.close();
    } finally {
      await plain.close();
    }
  }, 240_000); // a second browser start and a cold page load on a loaded machine
});

declare global {
  interface Window {
    onnxDdpm: import('../../packages/web/src/api.js').OnnxDdpmHook;
  }
}
