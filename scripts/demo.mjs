#!/usr/bin/env node
// The README's main job: train the 2-D default (toy:s_curve) with TensorFlow.js, export it to ONNX
// (parity-checked), sample it on ONNX Runtime and write the scatter plot; then compare the fresh
// model with the committed models/s-curve.onnx on the same footing (sliced Wasserstein-2 distance of
// N DDIM-50 samples of each to the same N fresh S-curve points, beside the data-vs-data floor).
// Each run gets its own folder under runs/, so running it again never touches an earlier run.
//
//   pnpm demo [--data toy:s_curve] [--steps <n>] [--out <run-dir>]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = createRequire(import.meta.url).resolve('onnx-ddpm/main');
const { values: args } = parseArgs({
  options: { data: { type: 'string', default: 'toy:s_curve' }, steps: { type: 'string' }, out: { type: 'string' } },
});

const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
const runDir = args.out ? resolve(args.out) : join(root, 'runs', `demo-${stamp}`);
const model = join(runDir, 'model.onnx');
const toy = args.data.startsWith('toy:');
const samples = join(runDir, 'samples.png'); // a scatter plot for 2-D data, else an image grid

/** A path as the messages show it: relative inside the repository, absolute outside. */
const shown = (p) => (relative(root, p).startsWith('..') ? p : relative(root, p));

function onnxDdpm(argv) {
  process.stderr.write(`\n$ onnx-ddpm ${argv.map((a) => (a.startsWith(root) ? relative(root, a) : a)).join(' ')}\n`);
  const { status, signal } = spawnSync(process.execPath, [cli, ...argv], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? (signal ? 128 : 1));
}

const started = performance.now();
onnxDdpm([
  'train',
  '--data',
  args.data,
  '--out',
  runDir,
  '--export',
  model,
  ...(args.steps ? ['--steps', args.steps] : []),
]);
onnxDdpm(['sample', '--model', model, '--n', toy ? '2000' : '64', '--method', 'ddim', '--steps', '50', '--seed', '1', '--out', samples]);
if (args.data === 'toy:s_curve') await compareWithCommitted(10000);
const seconds = (performance.now() - started) / 1000;
process.stderr.write(`\ndemo done in ${seconds.toFixed(0)} s: model ${shown(model)}, samples ${shown(samples)}\n`);

/**
 * Sliced W₂ (the eval module's, as `onnx-ddpm eval`) of n DDIM-50 samples of this run's model and of
 * models/s-curve.onnx, each against the same n fresh S-curve points (data seed 1), with the same
 * noise (seed 0, batches of 500: the numbers of `onnx-ddpm eval --methods ddim-50`); and two independent draws of fresh data (the floor a perfect model reaches at this n).
 */
async function compareWithCommitted(n) {
  const t0 = performance.now();
  const committed = join(root, 'models/s-curve.onnx');
  const sampler = await import('@onnx-ddpm/sampler/node');
  const { generateSamples, loadToyReference, pointQuality } = await import('@onnx-ddpm/measure/eval');
  const swd = { projections: 1000, seed: 0 };
  const reference = await loadToyReference('toy:s_curve', n, 1, [2], swd);
  const rows = [];
  for (const path of [model, committed]) {
    const source = await sampler.loadModelSource(path);
    const training = source.training ?? {};
    const eps = await sampler.OrtDenoiser.create(source.modelPath, {
      executionProviders: ['cpu'],
      numClasses: source.numClasses,
      sampleShape: source.sampleShape,
      name: basename(path),
    });
    try {
      const method = { method: 'ddim', steps: 50, label: 'ddim-50' };
      const { samples } = await generateSamples(eps, source.config, method, { n, batch: 500, seed: 0, classLabels: null });
      rows.push({ path, swd: pointQuality(reference, samples, n, swd).swd, training });
    } finally {
      await eps.dispose();
    }
  }
  const [fresh, old] = rows;
  const trained = (t) => `${t.steps} steps of batch ${t.batch} in ${t.train_seconds} s on ${t.backend}`;
  const change = (100 * (fresh.swd - old.swd)) / old.swd;
  const sign = (x) => (x >= 0 ? '+' : '');
  process.stdout.write(
    [
      '',
      `S-curve, this run vs the committed model: sliced W2 to ${n} fresh points (DDIM-50, ${swd.projections} directions; lower is better)`,
      `  this run             ${fresh.swd.toFixed(4)}  ${trained(fresh.training)} (${shown(fresh.path)})`,
      `  models/s-curve.onnx  ${old.swd.toFixed(4)}  ${trained(old.training)}`,
      `  data vs data         ${reference.dataVsData.toFixed(4)}  two independent draws of fresh points (the floor at this N)`,
      `difference, this run − committed: ${sign(fresh.swd - old.swd)}${(fresh.swd - old.swd).toFixed(4)} (${sign(change)}${change.toFixed(1)}%; compared in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      '',
    ].join('\n'),
  );
}
