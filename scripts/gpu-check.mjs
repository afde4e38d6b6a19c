#!/usr/bin/env node
// GPU acceptance run for a machine with a GPU and no internet (after `pnpm install` and `pnpm build`):
// doctor; the training-step parity table; the default U-Net trained 200 steps on the best GPU backend beside
// wasm (img/s); the sampling bench on each GPU execution provider beside CPU; the sampling parity table.
// Prints one markdown table; exits 1 on any parity failure.
//   node scripts/gpu-check.mjs [--quick]
// --quick (for a machine without a GPU, where WebGPU is SwiftShader): the MLP instead of the U-Net for the
// training parity and speed rows (20 steps), 2 reverse steps for the benches and the sampling parity.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The CLI's entry through its package's exports map (`onnx-ddpm/main`), not by path.
const MAIN = fileURLToPath(import.meta.resolve('onnx-ddpm/main'));
const quick = process.argv.includes('--quick');
const tmp = mkdtempSync(join(tmpdir(), 'gpu-check-'));
const rows = [];
let failed = false;

/** Runs `onnx-ddpm …`; progress goes to this process's stderr. */
function cli(args, env = process.env) {
  process.stderr.write(`gpu-check: onnx-ddpm ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args, env) {
  const r = cli([...args, '--json'], env);
  try {
    return { code: r.code, report: JSON.parse(r.stdout), stderr: r.stderr };
  } catch {
    return { code: r.code, report: null, stderr: r.stderr };
  }
}

const lastLine = (text) => text.trim().split('\n').at(-1) ?? '';
const fmt = (x, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : String(x));

/** A Fashion-MNIST-shaped IDX pair of hashed images, so the U-Net trains without a dataset on disk. */
function syntheticIdx(count) {
  const header = (magic, dims) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.writeUInt32BE(magic, 0);
    for (const [i, d] of dims.entries()) b.writeUInt32BE(d, 4 + 4 * i);
    return b;
  };
  const pixels = Buffer.alloc(count * 28 * 28);
  let h = 2166136261;
  for (let i = 0; i < pixels.length; i++) {
    h = Math.imul(h ^ i, 16777619) >>> 0;
    pixels[i] = h & 0xff;
  }
  const labels = Buffer.from(Array.from({ length: count }, (_, i) => i % 10));
  const images = join(tmp, 'images-idx3-ubyte');
  const labelFile = join(tmp, 'labels-idx1-ubyte');
  writeFileSync(images, Buffer.concat([header(0x00000803, [count, 28, 28]), pixels]));
  writeFileSync(labelFile, Buffer.concat([header(0x00000801, [count]), labels]));
  return `idx:${images},${labelFile}`;
}

// 1. doctor
const doctor = json(['doctor']).report;
const tfjs = doctor?.tfjsBackends ?? [];
const webgpu = tfjs.find((b) => b.name === 'webgpu (Dawn)');
const cuda = tfjs.find((b) => b.name === 'tensorflow (tfjs-node-gpu)');
rows.push(['doctor', doctor ? 'ran' : 'FAILED', doctor ? `Node ${doctor.node}; ${doctor.cpu.cores} cores; TF.js: ${tfjs.filter((b) => b.ok).map((b) => b.name).join(', ')}; WebGPU adapter: ${webgpu?.ok ? webgpu.detail.split(';')[0] : 'none'}` : '']);

// 2. training-step parity
const models = quick ? 'mlp' : 'unet,mlp';
const trainParity = json(['parity', '--train', '--models', models]);
if (trainParity.report) {
  for (const p of trainParity.report.pairs) {
    rows.push([
      `training parity ${p.model} ${p.a} · ${p.b}`,
      p.pass ? 'pass' : 'FAIL',
      `loss ${p.loss.value.toExponential(1)}, gradient ${p.gradient.value.toExponential(1)}, Adam update ${p.update.value.toExponential(1)} (bounds ${p.gradient.bound})`,
    ]);
  }
  for (const b of trainParity.report.backends.filter((x) => x.status !== 'ran')) rows.push([`training parity ${b.backend}`, b.status, b.reason ?? '']);
}
if (trainParity.code !== 0) failed = true;
if (!trainParity.report) rows.push(['training parity', 'FAILED', lastLine(trainParity.stderr)]);

// 3. training speed: the best GPU backend beside wasm
const gpuBackend = cuda?.ok && /CUDA/.test(cuda.detail) ? 'tensorflow' : webgpu?.ok ? 'webgpu' : null;
const speed = {};
const trainArgs = quick
  ? ['--data', 'toy:s_curve', '--steps', '20', '--log-every', '10']
  : ['--data', syntheticIdx(512), '--steps', '200', '--batch', '64', '--log-every', '50'];
for (const backend of [gpuBackend, 'wasm'].filter((b) => b !== null)) {
  const run = join(tmp, `train-${backend}`);
  const r = cli(['train', ...trainArgs, '--backend', backend, '--out', run, '--preview-every', '0', '--checkpoint-every', '100000']);
  if (r.code !== 0) {
    rows.push([`training speed ${backend}`, 'FAILED', lastLine(r.stderr)]);
    continue;
  }
  const log = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  // The first window includes shader compilation / warm-up: report the later ones.
  const later = log.length > 1 ? log.slice(1) : log;
  speed[backend] = later.reduce((s, x) => s + x.img_per_s, 0) / later.length;
}
const what = quick ? 'MLP, 20 steps of batch 256' : 'default U-Net, 200 steps of batch 64';
if (gpuBackend === null) rows.push(['training speed', 'skipped', 'no GPU training backend (tfjs-node-gpu with CUDA, or a WebGPU adapter)']);
else if (speed[gpuBackend] !== undefined && speed.wasm !== undefined) {
  const software = gpuBackend === 'webgpu' && webgpu?.software ? ' (software adapter: CPU speed, not a GPU figure)' : '';
  rows.push([`training speed ${gpuBackend} vs wasm`, 'ran', `${what}: ${fmt(speed[gpuBackend])} vs ${fmt(speed.wasm)} img/s = ${fmt(speed[gpuBackend] / speed.wasm, 2)}×${software}`]);
}

// 4. sampling bench on each GPU execution provider beside CPU
// Without a GPU, ORT's WebGPU EP runs on SwiftShader when started with its Vulkan environment.
const SWIFTSHADER = { LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' };
const gpuEps = (doctor?.executionProviders ?? []).filter((p) => p.ok && p.name !== 'cpu').map((p) => ({ ep: p.name, env: process.env, label: p.name }));
if (!gpuEps.some((g) => g.ep === 'webgpu') && existsSync(SWIFTSHADER.VK_ICD_FILENAMES)) {
  gpuEps.push({ ep: 'webgpu', env: { ...process.env, ...SWIFTSHADER }, label: 'webgpu (SwiftShader: software)' });
}
const BENCH_MODEL = fileURLToPath(new URL('../models/fashion-mnist.onnx', import.meta.url));
const benchArgs = ['bench', '--model', BENCH_MODEL, '--steps', quick ? '2' : '20', '--batch', quick ? '1' : '1,16'];
const cpuBench = json([...benchArgs, '--ep', 'cpu']).report;
const ms = (rep) => rep?.models?.[0]?.rows.map((x) => `batch ${x.batch}: ${fmt(x.modelMsPerStep + x.loopMsPerStep)} ms/step`).join(', ') ?? 'failed';
for (const { ep, env, label } of gpuEps) {
  const gpu = json([...benchArgs, '--ep', ep], env).report;
  rows.push([`sampling bench ${label} vs cpu`, gpu ? 'ran' : 'FAILED', `${ep}: ${ms(gpu)}; cpu: ${ms(cpuBench)}`]);
}
if (gpuEps.length === 0) rows.push(['sampling bench', 'skipped', 'no GPU execution provider runs here']);

// 5. sampling parity
const sampling = json(['parity', ...(quick ? ['--steps', '2', '--runtimes', 'tfjs,ort-node-cpu,ort-node-webgpu,ort-node-cuda'] : [])]);
if (sampling.report) {
  for (const p of sampling.report.pairs) rows.push([`sampling parity ${p.a} · ${p.b}`, p.pass ? 'pass' : 'FAIL', `call ${p.call.maxAbsDiff.toExponential(1)} (≤ ${p.call.bound}), final PSNR ${fmt(Number(p.trajectory.psnrDb))} dB`]);
} else rows.push(['sampling parity', 'FAILED', lastLine(sampling.stderr)]);
if (sampling.code !== 0) failed = true;

rmSync(tmp, { recursive: true, force: true });
const cell = (s) => String(s).replaceAll('|', '\\|');
const date = new Date().toISOString().slice(0, 10);
process.stdout.write(
  [`GPU check ${date}${quick ? ' (--quick)' : ''}: ${failed ? 'FAIL' : 'pass'}`, '', '| check | result | detail |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n',
);
process.exitCode = failed ? 1 : 0;
