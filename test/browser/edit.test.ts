/// <reference lib="dom" />
// The page's editing tools in a real Chromium on the committed Fashion-MNIST model (and the S-curve
// for 2-D interpolation): img2img from an uploaded image, inpainting with a mask painted by real
// mouse events, the interpolation strip — each the numbers of a Node run (onnxruntime-node, the same
// sampler core functions) of the same seed and settings, on wasm and on WebGPU (SwiftShader: slow,
// so few steps). Bad images are refused as the CLI refuses them, and the tools work by keyboard.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StaticServer } from '@onnx-ddpm/web/serve';
import { createScheduler, ddim, PhiloxNoise } from '@onnx-ddpm/schedule';
import { encodeImages, img2imgStart, interpolate, loadModelSource, OrtDenoiser, type SampleEditOptions, sample } from '@onnx-ddpm/sampler/node';
import { imageGridRaster, interpolationStrip, type Raster } from '@onnx-ddpm/sampler/web';
import { locateNamedDataset, readIdx } from '@onnx-ddpm/trainer/node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPage, canvasPixels, card, launchChromium, messages, openPage, pickFile, repoRoot, screenshotDir, startServer, waitForState } from './page-harness.js';
import { requires, TEST_DEPS } from '../prereqs.js';

const modelPath = join(repoRoot, 'models/fashion-mnist.onnx');
const modelBytes = new Uint8Array(readFileSync(modelPath));
const sCurvePath = join(repoRoot, 'models/s-curve.onnx');
const D = 28 * 28;
/** This file's own build of the page (the page tests may rebuild theirs meanwhile). */
const dist = join(screenshotDir, 'edit-page-dist');

let server: StaticServer;
let browser: Browser;
let page: Page;
let node: OrtDenoiser;
let config: Awaited<ReturnType<typeof loadModelSource>>['config'];
/** Fashion-MNIST test images 0 and 1, in [−1, 1], and as gray 28×28 PNGs. */
let testImages: { x0: Float32Array; png: Buffer }[];

beforeAll(async () => {
  buildPage(dist);
  server = await startServer(dist);
  browser = await launchChromium();
  page = await openPage(browser, server.url);
  const source = await loadModelSource(modelPath);
  config = source.config;
  node = await OrtDenoiser.create(source.modelPath, { executionProviders: ['cpu'], numClasses: source.numClasses, sampleShape: source.sampleShape });
  const images = await readIdx(locateNamedDataset('fashion-mnist', 'test').images);
  testImages = await Promise.all(
    [0, 1].map(async (i) => {
      const x0 = Float32Array.from(images.data.subarray(i * D, (i + 1) * D), (b) => b / 127.5 - 1);
      return { x0, png: (await encodeImages(x0, [1, 1, 28, 28]))[0]! };
    }),
  );
  mkdirSync(screenshotDir, { recursive: true });
}, 600_000);
afterAll(async () => {
  await node?.dispose();
  await browser?.close();
  await server?.close();
});

/** Opens the Fashion-MNIST model on `ep` (if it is not open there yet). */
async function useFashionMnist(ep: 'webgpu' | 'wasm'): Promise<void> {
  if (!(await card(page)).File?.startsWith('fashion-mnist.onnx ')) {
    await pickFile(page, 'model-file', 'fashion-mnist.onnx', modelBytes);
    await waitForState(page, ['ready']);
  }
  await page.selectOption('#ep', ep);
  await waitForState(page, ['ready', 'done']);
  expect((await card(page)).Runtime).toBe(ep === 'webgpu' ? 'WebGPU' : 'wasm');
}

/** The Sampling form's settings of a run. */
async function setSampling(s: { steps: number; seed: number; batch: number; cls: string; guidance?: number }): Promise<void> {
  await page.selectOption('#method', 'ddim');
  await page.fill('#eta', '0');
  await page.fill('#steps', String(s.steps));
  await page.fill('#seed', String(s.seed));
  await page.fill('#batch', String(s.batch));
  await page.fill('#preview-every', '1');
  await page.selectOption('#class', s.cls);
  if (s.guidance !== undefined) await page.fill('#guidance', String(s.guidance));
}

/** Sets a range input by keyboard: focus, then arrow keys until it shows `value`. */
async function setRange(id: string, value: number): Promise<void> {
  await page.focus(`#${id}`);
  for (let i = 0; i < 40; i++) {
    const v = Number(await page.inputValue(`#${id}`));
    if (Math.abs(v - value) < 1e-9) return;
    await page.keyboard.press(v < value ? 'ArrowRight' : 'ArrowLeft');
  }
  throw new Error(`#${id} did not reach ${value}`);
}

/** The grid the page draws of a batch: gray values of the canvas's red channel. */
function grayOf(rgba: Uint8Array): Uint8Array {
  return Uint8Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4]!);
}

/** Max byte difference and PSNR (dB, peak 255) between the page's pixels and Node's. */
function compare(shown: Uint8Array, expected: Uint8Array): { maxDiff: number; psnr: number } {
  let maxDiff = 0;
  let se = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = shown[i]! - expected[i]!;
    maxDiff = Math.max(maxDiff, Math.abs(d));
    se += d * d;
  }
  return { maxDiff, psnr: se === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / (se / expected.length)) };
}

/** `item` repeated `n` times: the batch the page makes of one start image. */
function tile(item: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * item.length);
  for (let i = 0; i < n; i++) out.set(item, i * item.length);
  return out;
}

/** A Node run of the same seed and settings, with the sampler's editing options. */
async function nodeRun(s: { steps: number; seed: number; batch: number; label: number; guidance?: number }, edits: (scheduler: ReturnType<typeof createScheduler>) => SampleEditOptions) {
  const scheduler = createScheduler(config, { method: 'ddim', steps: s.steps, eta: 0 });
  return sample(node, scheduler, {
    batch: s.batch,
    noise: new PhiloxNoise(s.seed),
    classLabels: new Int32Array(s.batch).fill(s.label),
    guidance: s.guidance,
    ...edits(scheduler),
  });
}

async function generate(): Promise<void> {
  await page.click('#generate');
  expect(await waitForState(page, ['done', 'error'], 300_000)).toBe('done');
}

describe('editing on the page', { ...requires(TEST_DEPS.chromium, TEST_DEPS.swiftshader, TEST_DEPS.fashionMnist), timeout: 400_000 }, () => {
  it('img2img on wasm: an uploaded image at strength 0.5 gives the Node run of the same seed; strength 0 gives the image', async () => {
    await useFashionMnist('wasm');
    const s = { steps: 6, seed: 4, batch: 2, cls: '7', label: 7, guidance: 3 };
    await setSampling(s);
    await page.check('input[name=start-mode][value=image]');
    await pickFile(page, 'start-image-file', 'test-0.png', testImages[0]!.png);
    await page.waitForFunction(() => document.getElementById('start-image-name')?.textContent === 'test-0.png', undefined, { polling: 100 });
    await setRange('strength', 0.5);
    expect(await page.textContent('#strength-value')).toBe('0.50');
    await generate();
    expect(await page.textContent('#announce')).toMatch(/^Done: 2 samples, DDIM, 6 steps, seed 4, img2img at strength 0\.5, in [\d.]+ s\.$/);
    const x0 = testImages[0]!.x0;
    const expected = imageGridRaster((await nodeRun(s, (sch) => ({ from: img2imgStart(sch, tile(x0, 2), 0.5) }))).samples, [2, 1, 28, 28]);
    const shown = await canvasPixels(page);
    expect([shown.width, shown.height]).toEqual([expected.width, expected.height]);
    const { maxDiff, psnr } = compare(grayOf(shown.rgba), expected.data);
    expect(maxDiff).toBeLessThanOrEqual(1);
    expect(psnr).toBeGreaterThanOrEqual(40);
    // Not the input itself: the run changed it (and strength 0 below returns it).
    const input = imageGridRaster(tile(x0, 2), [2, 1, 28, 28]);
    expect(compare(grayOf(shown.rgba), input.data).maxDiff).toBeGreaterThan(20);
    await page.screenshot({ path: join(screenshotDir, 'edit-img2img-wasm.png'), fullPage: true });
    const download = page.waitForEvent('download');
    await page.click('#download');
    expect((await download).suggestedFilename()).toBe('onnx-ddpm-fashion-mnist-ddim-6steps-class-7-guidance3-img2img-s0.5-seed4.png');
    await setRange('strength', 0);
    await generate();
    expect(compare(grayOf((await canvasPixels(page)).rgba), input.data).maxDiff).toBe(0);
  });

  it('inpainting on wasm: the mask painted with the mouse is kept exactly, the rest is the Node run of the same seed', async () => {
    await useFashionMnist('wasm');
    const s = { steps: 5, seed: 11, batch: 2, cls: '0', label: 0, guidance: 2 };
    await setSampling(s);
    await page.fill('#guidance', '2');
    await page.check('input[name=start-mode][value=mask]');
    expect(await page.textContent('#strength-value')).toBe('1.00');
    await pickFile(page, 'start-image-file', 'test-1.png', testImages[1]!.png);
    await page.waitForFunction(() => !document.getElementById('start-mask-fields')?.hidden, undefined, { polling: 100 });
    expect(await page.textContent('#mask-hint')).toContain('White = keep');
    // Paint the top third with real mouse events: press, drag across and down, release.
    await setRange('brush-size', 6);
    await page.locator('#mask-canvas').scrollIntoViewIfNeeded();
    const box = (await page.locator('#mask-canvas').boundingBox())!;
    expect(Math.round(box.width)).toBe(224);
    await page.mouse.move(box.x + 8, box.y + 12);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 8, box.y + 12, { steps: 12 });
    await page.mouse.move(box.x + box.width - 8, box.y + 56, { steps: 6 });
    await page.mouse.move(box.x + 8, box.y + 56, { steps: 12 });
    await page.mouse.up();
    await page.fill('#resample', '2');
    const mask = await page.evaluate(() => {
      const c = document.getElementById('mask-preview') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      return Array.from({ length: c.width * c.height }, (_, i) => d[i * 4]! / 255);
    });
    expect(mask).toHaveLength(D);
    // The stroke's rows (y ≈ 1.5 and 7 in model pixels, brush 6) are kept; the bottom half is not.
    expect(mask[2 * 28 + 14]).toBe(1);
    expect(mask[6 * 28 + 3]).toBe(1);
    expect(mask.slice(14 * 28).every((m) => m === 0)).toBe(true);
    const kept = mask.filter((m) => m === 1).length;
    expect(kept).toBeGreaterThan(150);
    await generate();
    const x0 = testImages[1]!.x0;
    const m = Float32Array.from(mask);
    const run = await nodeRun(s, (sch) => ({ from: img2imgStart(sch, tile(x0, 2), 1), inpaint: { x0: tile(x0, 2), mask: tile(m, 2), resample: 2 } }));
    const expected = imageGridRaster(run.samples, [2, 1, 28, 28]);
    const shown = await canvasPixels(page);
    const gray = grayOf(shown.rgba);
    const { maxDiff, psnr } = compare(gray, expected.data);
    expect(maxDiff).toBeLessThanOrEqual(1);
    expect(psnr).toBeGreaterThanOrEqual(40);
    // The kept region of each sample is the input's pixels exactly; the rest is not the input.
    const input = imageGridRaster(tile(x0, 2), [2, 1, 28, 28]);
    const maskGrid = imageGridRaster(tile(Float32Array.from(mask, (v) => 2 * v - 1), 2), [2, 1, 28, 28]);
    let keptPixels = 0;
    let changed = 0;
    for (let i = 0; i < gray.length; i++) {
      if (maskGrid.data[i] === 255) {
        keptPixels++;
        expect(gray[i]).toBe(input.data[i]);
      } else if (maskGrid.data[i] === 0 && Math.abs(gray[i]! - input.data[i]!) > 10) changed++;
    }
    expect(keptPixels).toBeGreaterThan(2 * 150 * 4);
    expect(changed).toBeGreaterThan(100);
    await page.screenshot({ path: join(screenshotDir, 'edit-inpainting-wasm.png'), fullPage: true });
  });

  it('interpolates seed → seed on wasm as the Node run does (the CLI strip), and downloads it as PNG', async () => {
    await useFashionMnist('wasm');
    await page.selectOption('#from-kind', 'seed');
    await page.selectOption('#to-kind', 'seed');
    await page.fill('#from-seed', '1');
    await page.fill('#to-seed', '2');
    await page.fill('#interp-frames', '5');
    await page.fill('#interp-steps', '4');
    await page.selectOption('#interp-class', '');
    await page.click('#interpolate');
    expect(await waitForState(page, ['done', 'error'], 300_000)).toBe('done');
    expect(await page.textContent('#interp-announce')).toMatch(/^Done: interpolation seed 1 → seed 2, 5 frames, in [\d.]+ s\.$/);
    const expected = await interpolate(node, config, { seed: 1 }, { seed: 2 }, { frames: 5, steps: 4, items: 1, classLabels: Int32Array.of(10) });
    const picture = interpolationStrip(expected.samples, 5, [1, 28, 28]);
    if (!('image' in picture)) throw new Error('expected an image strip');
    await expectStrip(picture.image.raster);
    const download = page.waitForEvent('download');
    await page.click('#interp-download');
    expect((await download).suggestedFilename()).toBe('onnx-ddpm-fashion-mnist-interpolate-seed_1_seed_2-5frames-ddim4.png');
    const png = readFileSync(await (await download).path());
    expect(png.readUInt32BE(16)).toBe(picture.image.raster.width);
    await page.locator('#interpolate-panel').screenshot({ path: join(screenshotDir, 'edit-interpolate-wasm.png') });
  });

  it('on WebGPU: img2img and image → image interpolation (DDIM inversion) give the Node numbers', async () => {
    await useFashionMnist('webgpu');
    const s = { steps: 4, seed: 5, batch: 1, cls: 'none', label: 10 };
    await setSampling(s);
    await page.check('input[name=start-mode][value=image]');
    await pickFile(page, 'start-image-file', 'test-0.png', testImages[0]!.png);
    await page.waitForFunction(() => document.getElementById('start-image-name')?.textContent === 'test-0.png', undefined, { polling: 100 });
    await setRange('strength', 0.5);
    await generate();
    expect(await page.textContent('#stats')).toMatch(/WebGPU$/);
    const x0 = testImages[0]!.x0;
    const expected = imageGridRaster((await nodeRun(s, (sch) => ({ from: img2imgStart(sch, x0, 0.5) }))).samples, [1, 1, 28, 28]);
    const { maxDiff, psnr } = compare(grayOf((await canvasPixels(page)).rgba), expected.data);
    expect(maxDiff).toBeLessThanOrEqual(1);
    expect(psnr).toBeGreaterThanOrEqual(40);
    await page.screenshot({ path: join(screenshotDir, 'edit-img2img-webgpu.png'), fullPage: true });
    // Image ends: each inverted with DDIM, then the frames.
    for (const [end, i] of [['from', 0], ['to', 1]] as const) {
      await page.selectOption(`#${end}-kind`, 'image');
      await pickFile(page, `${end}-file`, `test-${i}.png`, testImages[i]!.png);
      await page.waitForFunction((e) => document.getElementById(`${e}-name`)?.textContent !== 'no image yet', end, { polling: 100 });
    }
    await page.fill('#interp-frames', '3');
    await page.fill('#interp-steps', '2');
    await page.click('#interpolate');
    expect(await waitForState(page, ['done', 'error'], 300_000)).toBe('done');
    expect(await page.textContent('#interp-status')).toMatch(/WebGPU$/);
    const run = await interpolate(node, config, { images: testImages[0]!.x0 }, { images: testImages[1]!.x0 }, { frames: 3, steps: 2, items: 1, classLabels: Int32Array.of(10) });
    const picture = interpolationStrip(run.samples, 3, [1, 28, 28]);
    if (!('image' in picture)) throw new Error('expected an image strip');
    await expectStrip(picture.image.raster);
    await page.locator('#interpolate-panel').screenshot({ path: join(screenshotDir, 'edit-interpolate-images-webgpu.png') });
  });

  it('interpolates a 2-D model (S-curve) as small multiples; the frames are the Node numbers (hook, wasm); a long one holds the model and stops', async () => {
    const bytes = new Uint8Array(readFileSync(sCurvePath));
    await pickFile(page, 'model-file', 's-curve.onnx', bytes);
    await waitForState(page, ['ready']);
    await page.selectOption('#ep', 'wasm');
    await waitForState(page, ['ready', 'done']);
    expect(await page.isHidden('#start-from')).toBe(true);
    expect(await page.isDisabled('#from-kind option[value=image]')).toBe(true);
    await page.fill('#from-seed', '3');
    await page.fill('#to-seed', '4');
    await page.fill('#interp-frames', '5');
    await page.fill('#interp-steps', '10');
    await page.fill('#interp-points', '400');
    await page.click('#interpolate');
    expect(await waitForState(page, ['done', 'error'], 300_000)).toBe('done');
    const strip = await page.evaluate(() => {
      const c = document.getElementById('interp-strip') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let red = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! > 200 && d[i + 1]! < 150 && d[i + 2]! < 150) red++;
      return { width: c.width, height: c.height, red };
    });
    expect(strip).toMatchObject({ width: 5 * 240, height: 240 });
    expect(strip.red).toBeGreaterThan(5 * 200);
    await page.locator('#interpolate-panel').screenshot({ path: join(screenshotDir, 'edit-interpolate-s-curve.png') });
    const source = await loadModelSource(sCurvePath);
    const opts = { frames: 5, steps: 10, items: 400 };
    const browserRun = await page.evaluate(
      async ([b64, o]) => {
        const r = await window.onnxDdpm.interpolate(b64, 'wasm', { from: { seed: 3 }, to: { seed: 4 }, ...o });
        return { ep: r.ep, shape: r.shape, samples: Array.from(r.samples) };
      },
      [Buffer.from(bytes).toString('base64'), opts] as const,
    );
    const s2 = await OrtDenoiser.create(bytes, { executionProviders: ['cpu'] });
    const expected = await interpolate(s2, source.config, { seed: 3 }, { seed: 4 }, opts);
    await s2.dispose();
    expect(browserRun.ep).toBe('wasm');
    expect(browserRun.shape).toEqual([2000, 2]);
    let maxDiff = 0;
    expected.samples.forEach((v, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - browserRun.samples[i]!));
    });
    expect(maxDiff).toBeLessThanOrEqual(1e-3);
    // The seeds' own DDIM samples are the end frames (ddim(config) from the seeds' x_T).
    const own = await (async () => {
      const m = await OrtDenoiser.create(bytes, { executionProviders: ['cpu'] });
      const r = await sample(m, ddim(source.config, { steps: 10 }), { batch: 400, noise: new PhiloxNoise(4) });
      await m.dispose();
      return r.samples;
    })();
    expect(Math.max(...own.map((v, i) => Math.abs(v - browserRun.samples[4 * 800 + i]!)))).toBeLessThanOrEqual(1e-3);
    // A long interpolation holds the model like a run (Generate, files and runtime locked) and stops within a step.
    await page.fill('#interp-frames', '32');
    await page.fill('#interp-steps', '1000');
    await page.fill('#interp-points', '5000');
    await page.click('#interpolate');
    await page.waitForFunction(() => /^sampling the frames: step [2-9]\d*\//.test(document.getElementById('interp-status')?.textContent ?? ''), undefined, { polling: 20 });
    for (const id of ['generate', 'open-model', 'ep', 'interpolate', 'interp-frames', 'from-seed']) expect(await page.isDisabled(`#${id}`), id).toBe(true);
    await page.click('#interp-stop');
    expect(await waitForState(page, ['ready', 'done', 'error'])).toBe('ready');
    const note = (await messages(page)).find((m) => m.text.startsWith('Interpolation stopped'));
    expect(note?.level).toBe('info');
    expect(Number(note?.text.match(/^Interpolation stopped after step (\d+)\.$/)?.[1])).toBeLessThan(1000);
    expect(await page.isDisabled('#generate')).toBe(false);
    expect(await page.isDisabled('#interpolate')).toBe(false);
    // The strip of the last finished interpolation is still there to download.
    expect(await page.isDisabled('#interp-download')).toBe(false);
  });

  it('refuses a start image of the wrong size or channels as the CLI does, keeps the previous one, resizes when asked; works by keyboard', async () => {
    await useFashionMnist('wasm');
    await page.check('input[name=start-mode][value=image]');
    await pickFile(page, 'start-image-file', 'test-0.png', testImages[0]!.png);
    await page.waitForFunction(() => document.getElementById('start-image-name')?.textContent === 'test-0.png', undefined, { polling: 100 });
    // A 32×32 RGB image: refused with the CLI's words, the start image stays.
    const rgb = await encodeImages(Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => ((i * 37) % 200) / 100 - 1), [1, 3, 32, 32]);
    await pickFile(page, 'start-image-file', 'photo.png', rgb[0]!);
    await page.waitForFunction(() => document.querySelector('#messages .error') !== null, undefined, { polling: 100 });
    expect(await messages(page)).toContainEqual({
      level: 'error',
      text: 'photo.png is 32×32 RGB; the model takes 28×28 gray images (refused; tick “Resize images” to resize it). The previous image, test-0.png, is still the start image.',
    });
    expect(await page.textContent('#start-image-name')).toBe('test-0.png');
    // Not an image at all.
    await pickFile(page, 'start-image-file', 'notes.png', new TextEncoder().encode('not a picture'));
    await page.waitForFunction(() => /notes\.png is not a readable image/.test(document.getElementById('messages')?.textContent ?? ''), undefined, { polling: 100 });
    // With "Resize images": accepted and said how.
    await page.check('#resize-images');
    await pickFile(page, 'start-image-file', 'photo.png', rgb[0]!);
    await page.waitForFunction(() => document.getElementById('start-image-name')?.textContent === 'photo.png (resized 32×32 RGB to 28×28 gray)', undefined, { polling: 100 });
    await page.uncheck('#resize-images');
    // A mask of another size is refused; the painted mask stays.
    await page.check('input[name=start-mode][value=mask]');
    const before = await page.evaluate(() => (document.getElementById('mask-preview') as HTMLCanvasElement).toDataURL());
    await pickFile(page, 'mask-file', 'mask.png', rgb[0]!);
    await page.waitForFunction(() => /mask mask\.png is 32×32; the init images are 28×28/.test(document.getElementById('messages')?.textContent ?? ''), undefined, { polling: 100 });
    expect(await page.evaluate(() => (document.getElementById('mask-preview') as HTMLCanvasElement).toDataURL())).toBe(before);
    // Bad resample: a clear message, no run.
    await page.fill('#resample', '0');
    await page.click('#generate');
    expect((await messages(page)).find((m) => m.level === 'error')?.text).toBe("Resample must be an integer from 1 to 20, got '0'");
    expect(await page.evaluate(() => document.body.dataset.state)).not.toBe('running');
    await page.fill('#resample', '1');
    // Keyboard: the mode radios, the brush (arrows + Space) on the focused mask canvas, Clear.
    await page.focus('input[name=start-mode][value=mask]');
    await page.keyboard.press('ArrowLeft');
    expect(await page.isChecked('input[name=start-mode][value=image]')).toBe(true);
    await page.keyboard.press('ArrowRight');
    expect(await page.isChecked('input[name=start-mode][value=mask]')).toBe(true);
    await page.click('#mask-clear');
    await page.focus('#mask-canvas');
    await page.keyboard.press('Space');
    const keyed = await page.evaluate(() => {
      const c = document.getElementById('mask-preview') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      return Array.from({ length: c.width * c.height }, (_, i) => d[i * 4]!);
    });
    expect(keyed[14 * 28 + 14]).toBe(255);
    expect(keyed[0]).toBe(0);
    await page.keyboard.press('Shift+Space');
    expect(await page.evaluate(() => (document.getElementById('mask-preview') as HTMLCanvasElement).getContext('2d')!.getImageData(14, 14, 1, 1).data[0])).toBe(0);
    // Interpolate by keyboard: Enter in a field submits its form.
    await page.focus('#interp-frames');
    await page.fill('#interp-frames', '1');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Frames must be an integer from 2 to 32, got '1'/.test(document.getElementById('messages')?.textContent ?? ''), undefined, { polling: 100 });
    await page.screenshot({ path: join(screenshotDir, 'edit-refused.png'), fullPage: true });
    await page.check('input[name=start-mode][value=noise]');
  });
});

/** The page's strip canvas shows Node's strip raster: every cell pixel (below the α labels) equal within a byte. */
async function expectStrip(raster: Raster): Promise<void> {
  const shown = await page.evaluate(() => {
    const c = document.getElementById('interp-strip') as HTMLCanvasElement;
    return { width: c.width, height: c.height, rgba: Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data) };
  });
  expect([shown.width, shown.height]).toEqual([raster.width, raster.height]);
  const top = 20; // the labels' band
  const page_ = Uint8Array.from({ length: (raster.height - top) * raster.width }, (_, i) => shown.rgba[(top * raster.width + i) * 4]!);
  const node_ = Uint8Array.from({ length: (raster.height - top) * raster.width }, (_, i) => raster.data[(top * raster.width + i) * 3]!);
  const { maxDiff, psnr } = compare(page_, node_);
  expect(maxDiff).toBeLessThanOrEqual(1);
  expect(psnr).toBeGreaterThanOrEqual(40);
}

declare global {
  interface Window {
    onnxDdpm: import('@onnx-ddpm/web/api').OnnxDdpmHook;
  }
}
