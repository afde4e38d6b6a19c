// The README's picture of the page's editing tools (docs/images/web-edit.png): Fashion-MNIST on wasm,
// inpainting of test image 0 with its top half painted "keep" by mouse (DDIM 20, resample 3), then a 9-frame interpolation
// from seed 0 to seed 3 (class 7). Needs Chromium; run `pnpm build && pnpm --filter @onnx-ddpm/web build`
// first: node scripts/web-edit-screenshot.mjs
import { readFileSync } from 'node:fs';
import { encodeImages } from '@onnx-ddpm/sampler/node';
import { locateNamedDataset, readIdx } from '@onnx-ddpm/trainer/node';
import { serveStatic } from '@onnx-ddpm/web/serve';
import { chromium } from 'playwright-core';

const D = 28 * 28;
const images = await readIdx(locateNamedDataset('fashion-mnist', 'test').images);
const [png] = await encodeImages(Float32Array.from(images.data.subarray(0, D), (b) => b / 127.5 - 1), [1, 1, 28, 28]);
const server = await serveStatic('packages/web/dist');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const state = (s) => page.waitForFunction((want) => want.includes(document.body.dataset.state), s, { timeout: 600_000, polling: 200 });
  await page.goto(`${server.url}?ep=wasm`);
  await state(['ready']);
  await page.setInputFiles('#model-file', { name: 'fashion-mnist.onnx', mimeType: 'application/octet-stream', buffer: readFileSync('models/fashion-mnist.onnx') });
  await page.waitForFunction(() => document.getElementById('model-card')?.textContent?.includes('fashion-mnist.onnx'), undefined, { timeout: 120_000 });
  await state(['ready']);
  await page.fill('#steps', '20');
  await page.fill('#batch', '4');
  await page.selectOption('#class', '9');
  await page.check('input[name=start-mode][value=mask]');
  await page.setInputFiles('#start-image-file', { name: 'test-0.png', mimeType: 'image/png', buffer: png });
  await page.waitForFunction(() => !document.getElementById('start-mask-fields')?.hidden);
  await page.locator('#mask-canvas').scrollIntoViewIfNeeded();
  const box = await page.locator('#mask-canvas').boundingBox();
  await page.mouse.move(box.x + 8, box.y + 8);
  await page.mouse.down();
  for (let y = 8; y < box.height / 2; y += 24) {
    await page.mouse.move(box.x + box.width - 8, box.y + y, { steps: 10 });
    await page.mouse.move(box.x + 8, box.y + y + 12, { steps: 10 });
  }
  await page.mouse.up();
  await page.fill('#resample', '3');
  await page.click('#generate');
  await state(['done', 'error']);
  await page.fill('#from-seed', '0');
  await page.fill('#to-seed', '3');
  await page.fill('#interp-steps', '20');
  await page.selectOption('#interp-class', '7');
  await page.click('#interpolate');
  await state(['done', 'error']);
  await page.screenshot({ path: 'docs/images/web-edit.png', fullPage: true });
  console.log('wrote docs/images/web-edit.png');
} finally {
  await browser.close();
  await server.close();
}
