// DDIM inversion on the committed Fashion-MNIST model: invert test images with k = 100 steps, run
// deterministic DDIM from the latents, and require PSNR ≥ 25 dB (issue 14). Few images, to stay fast;
// scripts/inversion-psnr.mjs reports 100 images at k = 50 and 100.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { invert, loadModelSource, OrtDenoiser, psnr, reconstruct } from '@onnx-ddpm/sampler/node';
import { locateNamedDataset, readIdx } from '@onnx-ddpm/trainer/node';
import { expect, it } from 'vitest';

const modelPath = fileURLToPath(new URL('../models/fashion-mnist.onnx', import.meta.url));
const dataset = (() => {
  try {
    return locateNamedDataset('fashion-mnist', 'test');
  } catch {
    return null;
  }
})();

it.skipIf(!dataset || !existsSync(modelPath))('DDIM-100 inversion + reconstruction of Fashion-MNIST test images: PSNR ≥ 25 dB', async () => {
  const source = await loadModelSource(modelPath);
  const model = await OrtDenoiser.create(source.modelPath, { executionProviders: ['cpu'], numClasses: source.numClasses, sampleShape: source.sampleShape });
  try {
    const n = 2;
    const d = 28 * 28;
    const images = await readIdx(dataset!.images);
    const labels = await readIdx(dataset!.labels);
    const x0 = Float32Array.from(images.data.subarray(0, n * d), (b) => b / 127.5 - 1);
    const classLabels = Int32Array.from(labels.data.subarray(0, n));
    const { samples: latents } = await invert(model, source.config, x0, { steps: 100, classLabels });
    const { samples: back } = await reconstruct(model, source.config, latents, { steps: 100, classLabels });
    for (let i = 0; i < n; i++) expect(psnr(x0.subarray(i * d, (i + 1) * d), back.subarray(i * d, (i + 1) * d))).toBeGreaterThanOrEqual(25);
    // The latents are not the images: a run from them that skipped the model would fail above.
    expect(psnr(x0, latents)).toBeLessThan(10);
  } finally {
    await model.dispose();
  }
});
