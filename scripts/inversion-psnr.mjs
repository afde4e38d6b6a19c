// DDIM inversion + reconstruction PSNR of a model on Fashion-MNIST test images (issue 14):
// node scripts/inversion-psnr.mjs [--model models/fashion-mnist.onnx] [--n 100] [--steps 50,100] [--batch 50]
// Prints one line per (steps, label) setting: mean PSNR (dB, pixels in [0, 1]) over the first n test
// images, the worst image's PSNR, and the seconds it took. Run `pnpm build` first.
import { parseArgs } from 'node:util';
import { invert, loadModelSource, OrtDenoiser, psnr, reconstruct } from '@onnx-ddpm/sampler/node';
import { locateNamedDataset, readIdx } from '@onnx-ddpm/trainer/node';

const { values } = parseArgs({
  options: { model: { type: 'string', default: 'models/fashion-mnist.onnx' }, n: { type: 'string', default: '100' }, steps: { type: 'string', default: '50,100' }, batch: { type: 'string', default: '50' } },
});
const n = Number(values.n);
const batch = Number(values.batch);
const source = await loadModelSource(values.model);
const model = await OrtDenoiser.create(source.modelPath, { executionProviders: ['cpu'], numClasses: source.numClasses, sampleShape: source.sampleShape });
const files = locateNamedDataset('fashion-mnist', 'test');
const images = await readIdx(files.images);
const labels = await readIdx(files.labels);
const d = 28 * 28;
const x0 = Float32Array.from(images.data.subarray(0, n * d), (b) => b / 127.5 - 1);
const y = Int32Array.from(labels.data.subarray(0, n));
console.log(`${values.model}, ${n} Fashion-MNIST test images, ${new Date().toISOString().slice(0, 10)}`);
for (const steps of values.steps.split(',').map(Number)) {
  for (const withLabel of source.numClasses > 0 ? [false, true] : [false]) {
    const t0 = performance.now();
    const scores = [];
    for (let s = 0; s < n; s += batch) {
      const e = Math.min(n, s + batch);
      const classLabels = withLabel ? y.slice(s, e) : null;
      const part = x0.slice(s * d, e * d);
      const { samples: latents } = await invert(model, source.config, part, { steps, classLabels });
      const { samples: back } = await reconstruct(model, source.config, latents, { steps, classLabels });
      for (let i = 0; i < e - s; i++) scores.push(psnr(part.subarray(i * d, (i + 1) * d), back.subarray(i * d, (i + 1) * d)));
    }
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const secs = (performance.now() - t0) / 1000;
    console.log(`k = ${steps}, ${withLabel ? 'class label' : 'no label   '}: mean PSNR ${mean.toFixed(2)} dB, min ${Math.min(...scores).toFixed(2)} dB (${secs.toFixed(0)} s)`);
  }
}
await model.dispose();
