import { stat } from 'node:fs/promises';
import { type Command, CliError } from '../command.js';

/** A metadata value as JSON when it parses as an object or array, else the string. */
function metadataValue(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l, i) => (i === 0 ? l : by + l))
    .join('\n');
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: "print an ONNX model's inputs, outputs, opsets, metadata and parameter count",
  positionals: [{ name: 'model', description: '.onnx file or diffusers-style folder' }],
  options: {
    json: { type: 'boolean', description: 'print the summary as JSON' },
  },
  async run({ values, positionals }) {
    const sampler = await import('@onnx-ddpm/sampler/node');
    let modelPath: string;
    let summary: Awaited<ReturnType<typeof sampler.readModelSummary>>['summary'];
    let bytes: number;
    try {
      modelPath = await sampler.resolveModelFile(positionals[0]!);
      const read = await sampler.readModelSummary(modelPath);
      summary = read.summary;
      bytes = (await stat(modelPath)).size;
    } catch (err) {
      if (err instanceof sampler.ModelSourceError) throw new CliError(err.message);
      throw err;
    }
    const metadata = Object.fromEntries(Object.entries(summary.metadata).map(([k, v]) => [k, metadataValue(v)]));
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify({ path: modelPath, bytes, ...summary, metadata }, null, 2)}\n`);
      return 0;
    }
    const shape = (s: (number | string)[]) => `[${s.join(', ')}]`;
    const width = Math.max(8, ...[...summary.inputs, ...summary.outputs].map((v) => v.name.length)) + 2;
    const topOps = Object.entries(summary.opCounts)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([op, count]) => `${op} ${count}`)
      .join(', ');
    const lines = [
      `model:      ${modelPath} (${(bytes / 2 ** 20).toFixed(2)} MiB)`,
      `producer:   ${summary.producer || '(none)'}, IR version ${summary.irVersion}`,
      `opsets:     ${summary.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')}`,
      `parameters: ${summary.parameterCount.toLocaleString('en-US')} in ${summary.initializerCount} initializers`,
      `nodes:      ${summary.nodeCount}${topOps ? ` (${topOps})` : ''}`,
      'inputs:',
      ...summary.inputs.map((v) => `  ${v.name.padEnd(width)}${v.dtype} ${shape(v.shape)}`),
      'outputs:',
      ...summary.outputs.map((v) => `  ${v.name.padEnd(width)}${v.dtype} ${shape(v.shape)}`),
      `metadata:${Object.keys(metadata).length === 0 ? ' (none)' : ''}`,
      ...Object.entries(metadata).map(([k, v]) => `  ${k}: ${typeof v === 'string' ? v : indent(JSON.stringify(v, null, 2), '  ')}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
