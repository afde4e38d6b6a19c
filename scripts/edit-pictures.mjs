// The README's editing pictures from models/fashion-mnist.onnx and Fashion-MNIST test images:
// docs/images/img2img.png (strength sweep), docs/images/inpainting.png (top half kept, RePaint),
// docs/images/interpolation.png (slerp between inverted test images, and between two seeds).
// Run `pnpm build` first: node scripts/edit-pictures.mjs
import { writeFileSync } from 'node:fs';
import {
  encodeImageStrip,
  img2imgStart,
  interpolateLatents,
  invert,
  loadModelSource,
  OrtDenoiser,
  reconstruct,
  sample,
} from '@onnx-ddpm/sampler/node';
import { createScheduler, ddim, PhiloxNoise } from '@onnx-ddpm/schedule';
import { locateNamedDataset, readIdx } from '@onnx-ddpm/trainer/node';

const D = 784;
const SHAPE = [1, 28, 28];
const source = await loadModelSource('models/fashion-mnist.onnx');
const model = await OrtDenoiser.create(source.modelPath, { executionProviders: ['cpu'], numClasses: source.numClasses, sampleShape: source.sampleShape });
const files = locateNamedDataset('fashion-mnist', 'test');
const pixels = (await readIdx(files.images)).data;
const labels = (await readIdx(files.labels)).data;
const testImage = (i) => Float32Array.from(pixels.subarray(i * D, (i + 1) * D), (b) => b / 127.5 - 1);
const item = (x, i) => x.slice(i * D, (i + 1) * D);
const picks = [0, 1, 9]; // ankle boot, pullover, sneaker

// img2img: one row per test image, columns = strength (DDIM 50, the image's own class label).
{
  const strengths = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const scheduler = ddim(source.config, { steps: 50 });
  const rows = [];
  for (const i of picks) {
    const x0 = testImage(i);
    const images = [];
    for (const s of strengths) {
      const r = await sample(model, scheduler, { batch: 1, noise: new PhiloxNoise(1), classLabels: Int32Array.of(labels[i]), from: img2imgStart(scheduler, x0, s) });
      images.push(r.samples);
    }
    rows.push({ label: `test ${i}`, images });
  }
  writeFileSync('docs/images/img2img.png', await encodeImageStrip(rows, strengths.map((s) => `s = ${s}`), SHAPE));
}

// Inpainting: keep the top half, generate the bottom (DDPM 100 steps, resample 3, class label), 4 seeds.
{
  const scheduler = createScheduler(source.config, { method: 'ddpm', steps: 100 });
  const mask = Float32Array.from({ length: D }, (_, p) => (p < D / 2 ? 1 : 0));
  const rows = [];
  for (const i of picks) {
    const x0 = testImage(i);
    const seeds = 4;
    const batchX0 = new Float32Array(seeds * D);
    for (let k = 0; k < seeds; k++) batchX0.set(x0, k * D);
    const batchMask = new Float32Array(seeds * D);
    for (let k = 0; k < seeds; k++) batchMask.set(mask, k * D);
    const r = await sample(model, scheduler, {
      batch: seeds,
      noise: new PhiloxNoise(2),
      classLabels: new Int32Array(seeds).fill(labels[i]),
      inpaint: { x0: batchX0, mask: batchMask, resample: 3 },
    });
    const shown = Float32Array.from(x0, (v, p) => (mask[p] ? v : 0)); // the input with the hidden half mid-gray
    rows.push({ label: `test ${i}`, images: [x0, shown, ...Array.from({ length: seeds }, (_, k) => item(r.samples, k))] });
  }
  writeFileSync('docs/images/inpainting.png', await encodeImageStrip(rows, ['input', 'kept', 'sample 1', 'sample 2', 'sample 3', 'sample 4'], SHAPE));
}

// Interpolation: slerp between DDIM-50 inversions of two test images (no label), and between two seeds' x_T (class 7).
{
  const frames = 9;
  const alphas = Array.from({ length: frames }, (_, f) => `α ${(f / (frames - 1)).toFixed(2)}`);
  const [a, b] = [0, 9];
  const { samples: lat } = await invert(model, source.config, Float32Array.of(...testImage(a), ...testImage(b)), { steps: 50 });
  const imagesPath = await reconstruct(model, source.config, interpolateLatents(item(lat, 0), item(lat, 1), frames), { steps: 50 });
  const seedA = new Float32Array(D);
  const seedB = new Float32Array(D);
  new PhiloxNoise(0).fill(0, seedA);
  new PhiloxNoise(3).fill(0, seedB);
  const seedsPath = await sample(model, ddim(source.config, { steps: 50 }), {
    batch: frames,
    from: { latents: interpolateLatents(seedA, seedB, frames) },
    classLabels: new Int32Array(frames).fill(7),
  });
  const rows = [
    { label: `test ${a} → ${b}`, images: alphas.map((_, f) => item(imagesPath.samples, f)) },
    { label: 'seed 0 → 3', images: alphas.map((_, f) => item(seedsPath.samples, f)) },
  ];
  writeFileSync('docs/images/interpolation.png', await encodeImageStrip(rows, alphas, SHAPE));
}
await model.dispose();
console.log('wrote docs/images/img2img.png, inpainting.png, interpolation.png');
