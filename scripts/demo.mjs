#!/usr/bin/env node
// The README's main job: train the 2-D default (toy:s_curve) with TensorFlow.js, export it to ONNX
// (parity-checked), sample it on ONNX Runtime and write the scatter plot. Each run gets its own
// folder under runs/, so running it again never touches an earlier run.
//
//   pnpm demo [--data toy:s_curve] [--steps <n>] [--out <run-dir>]
import { spawnSync } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/dist/main.js');
const { values: args } = parseArgs({
  options: { data: { type: 'string', default: 'toy:s_curve' }, steps: { type: 'string' }, out: { type: 'string' } },
});

const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
const runDir = args.out ? resolve(args.out) : join(root, 'runs', `demo-${stamp}`);
const model = join(runDir, 'model.onnx');
const toy = args.data.startsWith('toy:');
const samples = join(runDir, 'samples.png'); // a scatter plot for 2-D data, else an image grid

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
const seconds = (performance.now() - started) / 1000;
process.stderr.write(`\ndemo done in ${seconds.toFixed(0)} s: model ${relative(root, model)}, samples ${relative(root, samples)}\n`);
