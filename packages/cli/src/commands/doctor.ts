import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, freemem, totalmem } from 'node:os';
import type { Command } from '../command.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/lib/chromium/chromium', '/usr/bin/chromium-browser'];
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const SYSTEM_PYTHON = '/usr/bin/python3';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

function pythonOnnx(): Check {
  if (!existsSync(SYSTEM_PYTHON)) return { name: 'python3-onnx', ok: false, detail: `${SYSTEM_PYTHON} not found` };
  const r = spawnSync(SYSTEM_PYTHON, ['-c', 'import onnx; print(onnx.__version__)'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0
    ? { name: 'python3-onnx', ok: true, detail: `onnx ${r.stdout.trim()} (${SYSTEM_PYTHON}; used by the ONNX checker)` }
    : { name: 'python3-onnx', ok: false, detail: `${SYSTEM_PYTHON} cannot import onnx (apt install python3-onnx)` };
}

function chromium(): Check {
  const found = CHROMIUM.find((p) => existsSync(p));
  if (!found) return { name: 'chromium', ok: false, detail: 'not found (browser tests and WebGPU on SwiftShader need Debian chromium)' };
  const swiftshader = existsSync(SWIFTSHADER_ICD) ? `SwiftShader Vulkan ICD at ${SWIFTSHADER_ICD}` : 'no SwiftShader ICD';
  return { name: 'chromium', ok: true, detail: `${found}; ${swiftshader}` };
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'print what this machine can run (Node, ORT execution providers, TF.js backends with the WebGPU adapter)',
  options: {
    json: { type: 'boolean', description: 'print the report as JSON' },
  },
  async run({ values }) {
    const sampler = await import('@onnx-ddpm/sampler/node');
    const versions = sampler.runtimeVersions();
    const providers = await sampler.probeExecutionProviders();
    const trainer = await import('@onnx-ddpm/trainer/node');
    const backends = await trainer.probeBackends();
    const report = {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: { cores: availableParallelism(), model: cpus()[0]?.model ?? 'unknown' },
      memory: { totalGiB: round(totalmem() / 2 ** 30), freeGiB: round(freemem() / 2 ** 30) },
      onnxruntimeNode: { version: versions.onnxruntimeNode, backends: versions.ortBackends },
      executionProviders: providers.map((p) => ({ name: p.name, ok: p.ok, ms: p.ms === undefined ? null : round(p.ms), detail: p.message })),
      tfjsBackends: backends.map((b) => ({ name: b.name, ok: b.available, detail: b.detail, ...(b.software === undefined ? {} : { software: b.software }) })),
      sharp: { version: versions.sharp, libvips: versions.libvips },
      tools: [chromium(), pythonOnnx()],
    };
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const mark = (ok: boolean) => (ok ? 'ok  ' : 'no  ');
    const tfWidth = Math.max(...report.tfjsBackends.map((b) => b.name.length)) + 2;
    const lines = [
      `node          ${report.node} on ${report.platform}, ${report.cpu.cores} cores (${report.cpu.model})`,
      `memory        ${report.memory.totalGiB} GiB total, ${report.memory.freeGiB} GiB free`,
      `onnxruntime   onnxruntime-node ${report.onnxruntimeNode.version} (backends: ${report.onnxruntimeNode.backends.join(', ')})`,
      'execution providers (a session on a tiny model, one run):',
      ...report.executionProviders.map((p) => `  ${mark(p.ok)}${p.name.padEnd(8)}${p.ok ? `${p.ms} ms` : p.detail}`),
      'TF.js backends:',
      ...report.tfjsBackends.map((b) => `  ${mark(b.ok)}${b.name.padEnd(tfWidth)}${b.detail}`),
      `sharp         ${report.sharp.version} (libvips ${report.sharp.libvips})`,
      ...report.tools.map((t) => `${t.name.padEnd(14)}${t.ok ? '' : 'missing: '}${t.detail}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
