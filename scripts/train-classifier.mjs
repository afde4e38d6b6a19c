#!/usr/bin/env node
// Trains the Fashion-MNIST classifier whose penultimate features `onnx-ddpm eval` uses for FID/KID,
// on TF.js (wasm backend, like the ε-model trainer), exports it to ONNX, checks the export against
// TF.js (max abs ≤ 1e-4 on random and real test images), and writes the model and its card.
// Runs the built packages (dist/): `pnpm build` first.
//
//   node scripts/train-classifier.mjs [--steps 8000] [--batch 64] [--lr 0.001] [--seed 0]
//        [--backend wasm] [--out models/fashion-mnist-classifier.onnx]
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  checkClassifierExport,
  exportClassifierOnnx,
  FASHION_MNIST_CLASSES,
  itemSize,
  loadDataset,
  selectBackend,
  trainClassifier,
} from '@onnx-ddpm/trainer/node';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '8000' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.001' },
    seed: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: `${root}models/fashion-mnist-classifier.onnx` },
  },
});

function positiveNumber(name, text, integer) {
  const v = Number(text);
  if (!(v > 0) || (integer && !Number.isInteger(v))) throw new Error(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(text)}`);
  return v;
}
const steps = positiveNumber('steps', args.steps, true);
const batchSize = positiveNumber('batch', args.batch, true);
const lr = positiveNumber('lr', args.lr, false);
const seed = Number(args.seed);
if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed: expected an integer ≥ 0, got ${JSON.stringify(args.seed)}`);

const log = (line) => process.stderr.write(`${line}\n`);
const backend = await selectBackend(args.backend, log);
const train = await loadDataset('fashion-mnist');
const test = await loadDataset('fashion-mnist:test');
log(`data: ${train.count} training images (${train.source}), ${test.count} test images`);

const result = await trainClassifier({ train, test, steps, batchSize, lr, seed, logEvery: 200, log });
const { model, testAccuracy, finalLoss, wallMs } = result;
log(`test accuracy ${(100 * testAccuracy).toFixed(2)}% after ${steps} steps in ${(wallMs / 1000).toFixed(0)} s`);

const facts = {
  class_names: FASHION_MNIST_CLASSES,
  dataset: 'fashion-mnist',
  test_accuracy: testAccuracy,
  steps,
  batch: batchSize,
  lr,
  seed,
  final_loss: finalLoss,
  backend: `${backend.name} (${backend.device})`,
  wall_s: Math.round(wallMs / 1000),
};
const bytes = exportClassifierOnnx(model, facts);
// The first 100 test images (one channel, so NHWC and NCHW coincide).
const images = new Float32Array(100 * itemSize(test));
test.fillBatch(Uint32Array.from({ length: 100 }, (_, i) => i), images, null);
const parity = await checkClassifierExport(bytes, model, { images: { data: images, count: 100 } });
log(`export parity: max |onnx − tfjs| = ${parity.maxAbsDiff.toExponential(2)} over ${parity.cases} batches`);

const tmp = `${args.out}.tmp-${process.pid}`;
try {
  writeFileSync(tmp, bytes);
  renameSync(tmp, args.out);
} finally {
  rmSync(tmp, { force: true });
}
const c = model.config;
const card = `# fashion-mnist-classifier.onnx

The feature extractor of \`onnx-ddpm eval\` (FID/KID on its penultimate activations, and the class
accuracy of class-conditional samples). Made by \`node scripts/train-classifier.mjs\`.

- Architecture: ${c.convChannels.length} × (3×3 conv, stride 2, padding 1, ReLU) with ${c.convChannels.join('/')} channels
  (${c.imageSize} → ${c.convChannels.reduce((s) => Math.floor((s - 1) / 2) + 1, c.imageSize)} pixels), flatten, dense ${c.hidden} + ReLU (\`features\`),
  dense ${c.numClasses} (\`logits\`); ${model.parameterCount().toLocaleString('en')} parameters.
- ONNX: opset 17, input \`image\` float32 [N, ${c.channels}, ${c.imageSize}, ${c.imageSize}] in [−1, 1], outputs \`features\` [N, ${c.hidden}]
  and \`logits\` [N, ${c.numClasses}]; metadata \`onnx_ddpm.classifier\` holds the config, class names and the facts below.
  Export parity vs TF.js: max abs ${parity.maxAbsDiff.toExponential(2)} (random inputs and 100 test images; bound 1e-4).
- Data: Fashion-MNIST training split (${train.count} images, ${train.source}); no augmentation.
- Training: ${steps} steps of batch ${batchSize} (${((steps * batchSize) / train.count).toFixed(1)} epochs), Adam lr ${lr} (lr/10 for the last quarter), softmax
  cross-entropy, seed ${seed}, TF.js ${backend.name} backend (${backend.device});
  wall time ${(wallMs / 1000).toFixed(0)} s on a shared 2-core machine; final training loss ${finalLoss.toFixed(3)}.
- Test accuracy (Fashion-MNIST t10k, ${test.count} images): **${(100 * testAccuracy).toFixed(2)}%**.
`;
const cardPath = args.out.replace(/\.onnx$/, '.md');
writeFileSync(`${cardPath}.tmp-${process.pid}`, card);
renameSync(`${cardPath}.tmp-${process.pid}`, cardPath);
log(`wrote ${relative(root, args.out)} (${(bytes.length / 1024).toFixed(0)} KiB) and ${relative(root, cardPath)}`);
model.dispose();
