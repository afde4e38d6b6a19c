#!/usr/bin/env node
// Sampling-speed benchmark of the default 28×28×1 ε-U-Net, side by side in one run:
//   - our exporter's ONNX on onnxruntime-node CPU (`onnx-ddpm bench`: ms/step, loop overhead, GFLOP/s),
//   - the same architecture exported by torch.onnx, timed the same way (`--compare`),
//   - PyTorch eager inference on the same machine (scripts/torch/unet.py, Debian's python3-torch).
// Weights are random (speed does not depend on them). Runs the built packages: `pnpm build` first.
//
//   node scripts/bench-sample.mjs [--batch 1,16] [--steps 20] [--threads 2]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_SCHEDULER_CONFIG, schedulerConfigToJSON } from '@onnx-ddpm/schedule';
import { createModel, defaultUNetConfig, exportOnnx, selectBackend } from '@onnx-ddpm/trainer/node';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = createRequire(import.meta.url).resolve('onnx-ddpm/main');
const { values: args } = parseArgs({
  options: {
    batch: { type: 'string', default: '1,16' },
    steps: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
  },
});
const python = '/usr/bin/python3';
const torchScript = join(root, 'scripts/torch/unet.py');
const work = mkdtempSync(join(tmpdir(), 'onnx-ddpm-bench-sample-'));

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.error) return { ok: false, out: r.error.message };
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

try {
  await selectBackend('cpu', () => {});
  const ours = join(work, 'ours.onnx');
  const model = createModel(defaultUNetConfig(28, 1, 0), 0);
  writeFileSync(ours, exportOnnx({ model, schedulerConfig: DEFAULT_SCHEDULER_CONFIG, training: { dataset: 'none (random weights)' } }));
  console.log(`ours: default 28×28×1 U-Net, ${model.parameterCount()} parameters, exported by onnx-ddpm`);

  const torchOnnx = join(work, 'torch.onnx');
  const exported = run(python, [torchScript, 'export', '--out', torchOnnx]);
  const haveTorch = exported.ok;
  console.log(haveTorch ? 'torch: the same architecture exported by torch.onnx (opset 17)' : `torch: skipped (${exported.out.split('\n').at(-1)})`);

  const schedulerConfig = join(work, 'scheduler_config.json'); // the torch export carries no metadata
  writeFileSync(schedulerConfig, schedulerConfigToJSON(DEFAULT_SCHEDULER_CONFIG));
  // Two rounds with the order swapped, keeping each model's best: the machine is shared and noisy.
  const cliBench = (model, compare) => {
    const argv = ['bench', '--model', model, '--batch', args.batch, '--steps', args.steps, '--json', '--scheduler-config', schedulerConfig, ...(compare ? ['--compare', compare] : [])];
    const r = run(process.execPath, [cli, ...argv]);
    if (!r.ok) throw new Error(`onnx-ddpm bench failed:\n${r.out}`);
    return JSON.parse(r.out.slice(r.out.indexOf('{')));
  };
  const rounds = haveTorch ? [cliBench(ours, torchOnnx), cliBench(torchOnnx, ours)] : [cliBench(ours)];
  const best = new Map(); // "<path> <batch>" → the row with the lowest model ms/step
  for (const report of rounds) {
    for (const m of report.models) {
      for (const row of m.rows) {
        const key = `${m.path} ${row.batch}`;
        if (!best.has(key) || row.modelMsPerStep < best.get(key).modelMsPerStep) best.set(key, row);
      }
    }
  }
  const matmul = rounds[0].matmul;
  console.log(`\nmatmul ${matmul.size}³ on ORT CPU: ${matmul.gflops.toFixed(0)} GFLOP/s (best), ${matmul.medianGflops.toFixed(0)} (median)`);
  console.log(`best of ${rounds.length} rounds:`);
  console.log(`\n${'model'.padEnd(26)}${'batch'.padStart(6)}${'ms/step'.padStart(10)}${'overhead'.padStart(10)}${'GFLOP/s'.padStart(9)}`);
  const batches = args.batch.split(',').map(Number);
  const models = [
    ['ours, ORT-node CPU', ours],
    ...(haveTorch ? [['torch.onnx, ORT-node CPU', torchOnnx]] : []),
  ];
  for (const [name, path] of models) {
    for (const batch of batches) {
      const row = best.get(`${path} ${batch}`);
      console.log(
        `${name.padEnd(26)}${String(batch).padStart(6)}${row.modelMsPerStep.toFixed(1).padStart(10)}` +
          `${`${row.overheadPercent.toFixed(2)}%`.padStart(10)}${row.gflops.toFixed(1).padStart(9)}`,
      );
    }
  }
  if (haveTorch) {
    for (const batch of batches) {
      const ratio = best.get(`${ours} ${batch}`).modelMsPerStep / best.get(`${torchOnnx} ${batch}`).modelMsPerStep;
      console.log(`batch ${batch}: ours ÷ torch.onnx ms/step = ${ratio.toFixed(3)} (target ≤ 1.05)`);
    }
  }

  if (haveTorch) {
    for (const batch of args.batch.split(',')) {
      const eager = run(python, [torchScript, 'bench-infer', '--batch', batch, '--steps', '10', '--threads', args.threads]);
      const ms = Number(/([\d.]+) ms\/call/.exec(eager.out)?.[1]);
      const ourRow = best.get(`${ours} ${batch}`);
      console.log(
        eager.ok && ourRow
          ? `batch ${batch}: PyTorch eager ${ms.toFixed(1)} ms/call; ours on ORT-node CPU ${ourRow.modelMsPerStep.toFixed(1)} ms (${(ms / ourRow.modelMsPerStep).toFixed(2)}× faster)`
          : `batch ${batch}: PyTorch eager failed: ${eager.out}`,
      );
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
