#!/usr/bin/env node
// The full sample-quality evaluation (not a test: it takes hours on a CPU at the default sizes):
// `onnx-ddpm eval` on an image model (FID/KID and class accuracy with and without guidance, for
// DDPM-1000 and DDIM-10/25/50/100) and on a 2-D model (sliced Wasserstein distance, 10k samples vs
// 10k fresh data points, next to two halves of the data). Writes report.json and report.md to --out.
// Runs the built CLI (dist/): `pnpm build` first.
//
//   node scripts/eval-models.mjs [--image-model <model.onnx>] [--points-model models/s-curve.onnx]
//        [--n 1000] [--points-n 10000] [--methods ddpm-1000,ddim-10,ddim-25,ddim-50,ddim-100]
//        [--guidance none,2] [--ep cuda,cpu] [--out runs/eval-<stamp>]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = createRequire(import.meta.url).resolve('onnx-ddpm/main');
const { values: args } = parseArgs({
  options: {
    'image-model': { type: 'string' },
    'points-model': { type: 'string', default: join(root, 'models/s-curve.onnx') },
    n: { type: 'string', default: '1000' },
    'points-n': { type: 'string', default: '10000' },
    methods: { type: 'string', default: 'ddpm-1000,ddim-10,ddim-25,ddim-50,ddim-100' },
    guidance: { type: 'string', default: 'none,2' },
    ep: { type: 'string', default: 'cuda,cpu' },
    out: { type: 'string' },
  },
});
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
const outDir = resolve(args.out ?? join(root, 'runs', `eval-${stamp}`));

/** Runs `onnx-ddpm eval --json` and returns its report (progress lines go to our stderr). */
function evaluate(model, n, extra) {
  const argv = ['eval', '--model', model, '--n', n, '--methods', args.methods, '--ep', args.ep, '--json', ...extra];
  process.stderr.write(`$ onnx-ddpm ${argv.join(' ')}\n`);
  const started = performance.now();
  const r = spawnSync(process.execPath, [cli, ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return { ...JSON.parse(r.stdout), wallSeconds: Math.round((performance.now() - started) / 1000) };
}

const reports = [];
if (args['image-model']) reports.push(evaluate(resolve(args['image-model']), args.n, ['--guidance', args.guidance]));
if (args['points-model']) reports.push(evaluate(resolve(args['points-model']), args['points-n'], []));

const percent = (x) => `${(100 * x).toFixed(1)}%`;
const lines = ['# Sample quality', '', `\`node scripts/eval-models.mjs\`, ${new Date().toISOString().slice(0, 10)}.`, ''];
for (const r of reports) {
  lines.push(`## ${relative(root, r.model)}`, '', `N = ${r.n} samples per row, seed ${r.seed}, ${r.executionProvider} EP, reference data \`${r.data}\`, ${r.wallSeconds} s in all.`, '');
  if (r.classifier) {
    lines.push(
      `Features: the ${r.classifier.features}-d penultimate layer of ${relative(root, r.classifier.path)} (test accuracy ${percent(r.classifier.testAccuracy)}; ` +
        `${percent(r.classifier.referenceAccuracy)} on the reference images). KID: ${r.kid.subsets} subsets of ${r.kid.subsetSize}.`,
      '',
      '| method | guidance | FID | KID | class accuracy | sampling s |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const row of r.rows) {
      const m = row.metrics;
      const acc = m.accuracy === null ? '–' : percent(m.accuracy);
      lines.push(`| ${row.method}-${row.steps} | ${row.guidance ?? '–'} | ${m.fid.toFixed(2)} | ${m.kid.mean.toPrecision(3)} ± ${m.kid.std.toPrecision(2)} | ${acc} | ${row.samplingSeconds} |`);
    }
    if (r.floor) {
      const m = r.floor.metrics;
      lines.push(`| ${r.n} real images of ${r.floor.data} (floor) | – | ${m.fid.toFixed(2)} | ${m.kid.mean.toPrecision(3)} ± ${m.kid.std.toPrecision(2)} | ${percent(m.accuracy)} | – |`);
    }
    if (r.ddim50VsDdpm1000 !== null) {
      const ok = Math.abs(r.ddim50VsDdpm1000) <= 0.1;
      lines.push('', `DDIM-50 vs DDPM-1000 FID (no guidance): ${r.ddim50VsDdpm1000 >= 0 ? '+' : ''}${percent(r.ddim50VsDdpm1000)} (goal: within 10%: ${ok ? 'met' : 'not met'}).`);
    }
  } else {
    lines.push(`SWD: ${r.swd.projections} random directions; data: two halves drawn with seed ${r.swd.dataSeed}.`, '', '| method | sliced W₂ | sampling s |', '| --- | --- | --- |');
    for (const row of r.rows) lines.push(`| ${row.method}-${row.steps} | ${row.metrics.swd.toFixed(4)} | ${row.samplingSeconds} |`);
    lines.push(`| data vs data | ${r.swd.dataVsData.toFixed(4)} | – |`);
  }
  lines.push('');
}

mkdirSync(outDir, { recursive: true });
for (const [name, text] of [
  ['report.json', `${JSON.stringify(reports, null, 2)}\n`],
  ['report.md', lines.join('\n')],
]) {
  const tmp = join(outDir, `${name}.tmp-${process.pid}`);
  writeFileSync(tmp, text);
  renameSync(tmp, join(outDir, name));
}
process.stdout.write(lines.join('\n'));
process.stderr.write(`wrote ${relative(root, outDir)}/report.md and report.json\n`);
