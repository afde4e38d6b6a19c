/// <reference lib="dom" />
// The page's Train mode in a real Chromium: the S-curve MLP trained on wasm samples an S (sliced W2 to the
// data), a few steps train on WebGPU (SwiftShader), Export ONNX downloads the bytes the CLI's exporter
// writes for the same weights and onnxruntime-node computes what the page's TF.js does on it, Sample it
// samples it in Sample mode, Stop ends within a step and keeps the weights, an IDX file (gzipped) trains
// the U-Net with an image-grid preview, the tabs work by keyboard, and the page stays smooth meanwhile.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadToyReference, slicedWasserstein } from '@onnx-ddpm/measure/eval';
import { encodeSvgPng, OrtDenoiser } from '@onnx-ddpm/sampler/node';
import { activateBackend, type Checkpoint, ensureGradients, exportCheckpoint, locateNamedDataset, SeededRandom } from '@onnx-ddpm/trainer/node';
import type { StaticServer } from '@onnx-ddpm/web/serve';
import type { OnnxDdpmTrainHook } from '@onnx-ddpm/web/train-hook';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requires, TEST_DEPS } from '../prereqs.js';
import { buildPage, launchChromium, screenshotDir, startServer } from './page-harness.js';

declare global {
  interface Window {
    onnxDdpmTrain: OnnxDdpmTrainHook;
  }
}

/** This file's own build: page.test.ts may be building test-output/browser/page-dist at the same time. */
const dist = join(screenshotDir, 'train-page-dist');
const work = mkdtempSync(join(tmpdir(), 'ddpm-train-page-'));

let server: StaticServer;
let browser: Browser;
let page: Page;

type TrainState = 'loading' | 'ready' | 'running' | 'done' | 'stopped' | 'error';

async function waitForTrainState(states: TrainState[], timeout = 600_000): Promise<TrainState> {
  await page.waitForFunction((s) => (s as string[]).includes(document.getElementById('train-view')!.dataset.state ?? ''), states, { timeout, polling: 200 });
  return (await page.evaluate(() => document.getElementById('train-view')!.dataset.state)) as TrainState;
}

async function train(settings: { backend: 'wasm' | 'webgpu'; steps: number; batch?: number; lr?: number; previewEvery: number }): Promise<string> {
  await page.selectOption('#train-backend', settings.backend);
  await page.fill('#train-steps', String(settings.steps));
  if (settings.batch) await page.fill('#train-batch', String(settings.batch));
  if (settings.lr) await page.fill('#train-lr', String(settings.lr));
  await page.fill('#train-preview-every', String(settings.previewEvery));
  await page.click('#train-start');
  const state = await waitForTrainState(['done', 'stopped', 'error']);
  expect(state, (await page.textContent('#train-messages')) ?? '').toBe('done');
  return (await page.textContent('#train-stats')) ?? '';
}

/** Clicks Export ONNX and returns the downloaded file's name and bytes. */
async function exportInPage(): Promise<{ name: string; bytes: Uint8Array }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#train-export')]);
  const path = join(work, download.suggestedFilename());
  await download.saveAs(path);
  return { name: download.suggestedFilename(), bytes: new Uint8Array(readFileSync(path)) };
}

/** The page's kept run, exported by the CLI's exporter (exportCheckpoint, with its onnxruntime-node self-check). */
async function exportInNode(): Promise<Uint8Array> {
  const run = await page.evaluate(async () => {
    const r = await window.onnxDdpmTrain.runState();
    const plain = (arrays: Float32Array[]) => arrays.map((a) => Array.from(a));
    return { ...r, state: { weights: plain(r.state.weights), ema: plain(r.state.ema), adamM: plain(r.state.adamM), adamV: plain(r.state.adamV) } };
  });
  const typed = (arrays: number[][]) => arrays.map((a) => Float32Array.from(a));
  const ckpt: Checkpoint = {
    ...run,
    state: { weights: typed(run.state.weights), ema: typed(run.state.ema), adamM: typed(run.state.adamM), adamV: typed(run.state.adamV) },
  };
  const path = join(work, 'node-export.onnx');
  await exportCheckpoint(ckpt, path);
  return new Uint8Array(readFileSync(path));
}

/** max |ORT-node(file) − page TF.js forward| on seeded inputs, with the item shape of the model. */
async function ortVsPage(bytes: Uint8Array, itemShape: number[], batch = 8): Promise<number> {
  const size = batch * itemShape.reduce((a, b) => a * b, 1);
  const sample = Float32Array.from({ length: size }, (_, i) => Math.sin(12.9898 * (i + 1)) * 1.5);
  const t = Int32Array.from({ length: batch }, (_, i) => Math.round((999 * i) / (batch - 1)));
  const shape = [batch, ...itemShape];
  const model = await OrtDenoiser.create(bytes, { executionProviders: ['cpu'] });
  const node = await model.predict(sample, shape, t, null);
  await model.dispose();
  const inPage = await page.evaluate(
    async ([x, s, tt]) => Array.from(await window.onnxDdpmTrain.forward(x, s, tt, null)),
    [Array.from(sample), shape, Array.from(t)] as const,
  );
  let max = 0;
  node.forEach((v, i) => {
    max = Math.max(max, Math.abs(v - inPage[i]!));
  });
  return max;
}

/** Long tasks (> 50 ms) on the page's main thread from now on: [start, duration] in ms. */
async function recordLongTasks(): Promise<void> {
  await page.evaluate(() => {
    const tasks: [number, number][] = [];
    (window as unknown as { longTasks: typeof tasks }).longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: 'longtask' });
  });
}

beforeAll(async () => {
  buildPage(dist);
  server = await startServer(dist);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.url}?mode=train`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await waitForTrainState(['ready', 'error'], 120_000);
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the page in Train mode', requires(TEST_DEPS.chromium, TEST_DEPS.swiftshader), () => {
  it('is a tab of the page that the keyboard reaches: arrow keys move between Sample and Train', async () => {
    expect(await page.getAttribute('#tab-train', 'aria-selected')).toBe('true');
    expect(await page.isHidden('#sample-view')).toBe(true);
    await page.focus('#tab-train');
    await page.keyboard.press('ArrowLeft');
    expect(await page.getAttribute('#tab-sample', 'aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-sample');
    expect(await page.isVisible('#sample-view')).toBe(true);
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-train');
    expect(await page.isVisible('#train-view')).toBe(true);
    // SwiftShader is a software adapter: offered, marked, not the default.
    expect(await page.textContent('#train-backend option[value="webgpu"]')).toBe('WebGPU (software)');
    expect(await page.inputValue('#train-backend')).toBe('wasm');
  });

  it('trains the S-curve MLP on wasm into samples that lie on the S (sliced W2 to the data), with no long task on the page', async () => {
    await page.selectOption('#train-data', 'toy:s_curve');
    await recordLongTasks();
    // The CLI's recipe for toys (models/s-curve.md): 2000 steps of batch 256, lr 2e-3 (the page's defaults).
    expect([await page.inputValue('#train-steps'), await page.inputValue('#train-batch'), await page.inputValue('#train-lr')]).toEqual(['2000', '256', '0.002']);
    const stats = await train({ backend: 'wasm', steps: 2000, previewEvery: 500 });
    expect(stats).toMatch(/^done: 2000 of 2000 steps .* wasm: WebAssembly/);
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: [number, number][] }).longTasks);
    expect(longTasks.filter(([, d]) => d > 200), JSON.stringify(longTasks)).toEqual([]);
    expect(await page.getAttribute('#train-preview', 'aria-label')).toBe('samples at step 2000 (EMA weights, DDIM)');
    await page.screenshot({ path: join(screenshotDir, 'train-s-curve-wasm.png'), fullPage: true });

    // Sampled in the page (onnxruntime-web, DDIM 50) from the exported model, against fresh data.
    const { bytes } = await exportInPage();
    const n = 1000;
    const samples = await page.evaluate(
      async ([b64, count]) => Array.from((await window.onnxDdpm.sample(b64, 'wasm', { method: 'ddim', steps: 50, seed: 1, batch: count })).samples),
      [Buffer.from(bytes).toString('base64'), n] as const,
    );
    const swd = { projections: 200, seed: 0 };
    const ref = await loadToyReference('toy:s_curve', n, 123, [2], swd);
    const trained = slicedWasserstein({ data: Float32Array.from(samples), rows: n, cols: 2 }, ref.first, swd);
    const rng = new SeededRandom(5);
    const gaussian = slicedWasserstein({ data: Float32Array.from({ length: 2 * n }, () => rng.normal()), rows: n, cols: 2 }, ref.first, swd);
    console.log(`sliced W2 to the S-curve: trained ${trained.toFixed(4)}, data vs data ${ref.dataVsData.toFixed(4)}, noise ${gaussian.toFixed(4)}`);
    // At n = 1000 two draws of the data are themselves 0.064 apart (the floor); N(0, I) noise is 0.26 away.
    expect(trained).toBeLessThan(1.6 * ref.dataVsData);
    expect(trained).toBeLessThan(gaussian / 3);
  }, 900_000);

  it('exports in the page the bytes the CLI exporter writes for the same weights, and onnxruntime-node matches the page TF.js forward (≤ 1e-4)', async () => {
    const { name, bytes } = await exportInPage();
    expect(name).toBe('trained-s_curve-2000steps.onnx');
    expect(Buffer.from(bytes).equals(Buffer.from(await exportInNode()))).toBe(true);
    expect(await ortVsPage(bytes, [2])).toBeLessThanOrEqual(1e-4);
  }, 300_000);

  it('Sample it opens the trained model in Sample mode and samples it', async () => {
    await page.click('#train-sample');
    await page.waitForFunction(() => document.body.dataset.state === 'done', undefined, { timeout: 300_000, polling: 200 });
    expect(await page.getAttribute('#tab-sample', 'aria-selected')).toBe('true');
    expect(await page.textContent('#model-card')).toContain('trained-s_curve-2000steps.onnx');
    expect(await page.textContent('#model-card')).toMatch(/dataset toy:s_curve, steps 2000/);
    await page.screenshot({ path: join(screenshotDir, 'train-sample-it.png'), fullPage: true });
    await page.click('#tab-train');
  }, 300_000);

  it('Stop ends the run within one step and keeps the weights of the step it ended after', async () => {
    await page.selectOption('#train-backend', 'wasm');
    await page.fill('#train-steps', '100000');
    await page.fill('#train-preview-every', '100000');
    await page.click('#train-start');
    await page.waitForFunction(() => Number(document.getElementById('train-stats')!.dataset.step) >= 30, undefined, { timeout: 120_000, polling: 50 });
    await page.click('#train-stop');
    expect(await waitForTrainState(['stopped', 'done', 'error'])).toBe('stopped');
    const ended = Number(await page.getAttribute('#train-stats', 'data-step'));
    const requested = Number(await page.getAttribute('#train-stats', 'data-stop-requested-after'));
    expect(ended - requested).toBeGreaterThanOrEqual(0);
    expect(ended - requested).toBeLessThanOrEqual(1);
    const run = await page.evaluate(async () => {
      const r = await window.onnxDdpmTrain.runState();
      return { step: r.step, metadataSteps: r.config.train.steps };
    });
    expect(run).toEqual({ step: ended, metadataSteps: 100000 });
    expect(await page.textContent('#train-messages')).toContain(`Stopped after step ${ended}; the weights of that step are kept`);
    const { name, bytes } = await exportInPage();
    expect(name).toBe(`trained-s_curve-${ended}steps.onnx`);
    expect(Buffer.from(bytes).equals(Buffer.from(await exportInNode()))).toBe(true);
    expect(await ortVsPage(bytes, [2])).toBeLessThanOrEqual(1e-4);
  }, 300_000);

  it('trains a few steps on WebGPU (SwiftShader, marked software) and exports a model ORT agrees with', async () => {
    const stats = await train({ backend: 'webgpu', steps: 5, previewEvery: 5 });
    expect(stats).toMatch(/^done: 5 of 5 steps .* webgpu: WebGPU on .*swiftshader.*\(software\)/);
    const { bytes } = await exportInPage();
    expect(Buffer.from(bytes).equals(Buffer.from(await exportInNode()))).toBe(true);
    expect(await ortVsPage(bytes, [2])).toBeLessThanOrEqual(1e-4);
    await page.screenshot({ path: join(screenshotDir, 'train-webgpu.png'), fullPage: true });
  }, 600_000);

  it('trains the U-Net on a gzipped IDX file (opened in the page) with an image-grid preview', { ...requires(TEST_DEPS.fashionMnist), timeout: 600_000 }, async () => {
    // The first 64 Fashion-MNIST images, as a gzipped IDX file of their own (the page gunzips it).
    const { images } = locateNamedDataset('fashion-mnist', 'train');
    const idx = Buffer.from(await new Response(new Blob([readFileSync(images)]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
    const header = Buffer.from([0, 0, 8, 3, 0, 0, 0, 64, 0, 0, 0, 28, 0, 0, 0, 28]);
    const small = gzipSync(Buffer.concat([header, idx.subarray(16, 16 + 64 * 28 * 28)]));
    await page.setInputFiles('#train-files', { name: 'fashion-64-images-idx3-ubyte.gz', mimeType: 'application/gzip', buffer: small });
    await page.waitForFunction(() => document.getElementById('train-data-info')!.textContent!.startsWith('IDX fashion-64'), undefined, { timeout: 30_000 });
    await page.fill('#train-unet-base', '8');
    const stats = await train({ backend: 'wasm', steps: 4, batch: 4, previewEvery: 4 });
    expect(stats).toMatch(/^done: 4 of 4 steps/);
    expect(await page.textContent('#train-data-info')).toContain('64 items of 28×28×1');
    expect(await page.getAttribute('#train-preview', 'aria-label')).toBe('samples at step 4 (EMA weights, DDIM)');
    const { bytes } = await exportInPage();
    expect(Buffer.from(bytes).equals(Buffer.from(await exportInNode()))).toBe(true);
    expect(await ortVsPage(bytes, [1, 28, 28], 2)).toBeLessThanOrEqual(1e-4);
    await page.screenshot({ path: join(screenshotDir, 'train-idx.png'), fullPage: true });
  });

  it('trains a class-conditional U-Net on an opened image folder (sub-folders are classes), decoded and resized in the worker', async () => {
    // Two classes of 16×16 PNGs: light discs and dark squares on gray, drawn by sharp from SVG.
    const folder = join(work, 'shapes');
    for (const [cls, shape] of [
      ['discs', (k: number) => `<circle cx="${5 + k}" cy="8" r="4" fill="#fff"/>`],
      ['squares', (k: number) => `<rect x="${2 + k}" y="4" width="7" height="7" fill="#000"/>`],
    ] as const) {
      mkdirSync(join(folder, cls), { recursive: true });
      for (let k = 0; k < 6; k++) {
        const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" fill="#888"/>${shape(k)}</svg>`;
        writeFileSync(join(folder, cls, `${k}.png`), await encodeSvgPng(svg));
      }
    }
    writeFileSync(join(folder, 'notes.txt'), 'not an image: left out');
    await page.setInputFiles('#train-folder', folder);
    await page.waitForFunction(() => document.getElementById('train-data-info')!.textContent!.startsWith('12 images from shapes'), undefined, { timeout: 30_000 });
    await page.fill('#train-size', '8');
    await page.selectOption('#train-channels', '1');
    await page.fill('#train-unet-base', '8');
    const stats = await train({ backend: 'wasm', steps: 3, batch: 4, previewEvery: 3 });
    expect(stats).toMatch(/^done: 3 of 3 steps/);
    expect(await page.textContent('#train-data-info')).toBe('shapes: 12 items of 8×8×1, 2 classes');
    const run = await page.evaluate(async () => (await window.onnxDdpmTrain.runState()).config);
    expect([run.model.kind, run.model.numClasses, run.data.spec]).toEqual(['unet', 2, 'folder:shapes']);
    const { name, bytes } = await exportInPage();
    expect(name).toBe('trained-shapes-3steps.onnx');
    expect(Buffer.from(bytes).equals(Buffer.from(await exportInNode()))).toBe(true);
    await page.screenshot({ path: join(screenshotDir, 'train-folder.png'), fullPage: true });
  }, 300_000);

  it('says what is wrong with a file that is not IDX', async () => {
    await page.setInputFiles('#train-files', { name: 'notes-idx3-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from('hello, not an IDX file') });
    await page.fill('#train-steps', '1');
    await page.click('#train-start');
    expect(await waitForTrainState(['done', 'error'])).toBe('error');
    expect(await page.textContent('#train-messages')).toMatch(/notes-idx3-ubyte: not an IDX file \(magic number is '68 65 6c 6c'/);
  }, 120_000);
});

// Node needs the trainer's backend for exportCheckpoint's self-check (TF.js forward beside onnxruntime-node).
beforeAll(async () => {
  await ensureGradients();
  const attempt = await activateBackend('cpu');
  if (!attempt.ok) throw new Error(attempt.reason);
});
