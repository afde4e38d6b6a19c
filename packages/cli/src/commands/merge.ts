import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ShardMetadata } from '@onnx-ddpm/sampler';
import { type Command, CliError, UsageError } from '../command.js';
import { checkOutputPath, writeOutputs } from '../output.js';
import { loadNodeSampler, type SamplerNode } from '../sampler-flags.js';

async function readShard(sampler: SamplerNode, path: string) {
  const read = (p: string) =>
    readFile(p).catch((err: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read ${p}: ${err.code ?? err.message}${p.endsWith('.json') ? ` (each shard's .npy needs the sidecar that sample --shard writes)` : ''}`);
    });
  const sidecar = sampler.shardSidecarPath(path);
  let meta: ShardMetadata;
  let npy: { data: Float32Array; shape: number[] };
  try {
    meta = sampler.parseShardMetadata((await read(sidecar)).toString('utf8'), sidecar);
    npy = sampler.decodeNpy(await read(path));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new UsageError(`${path}: ${(err as Error).message}`);
  }
  if (npy.shape[0] !== meta.count) throw new UsageError(`${path} holds ${npy.shape[0]} samples, its sidecar says ${meta.count}`);
  return { name: path, meta, npy };
}

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merge the .npy shards of one `sample --shard i/k` run into the samples of the whole run (.npy, PNG grid or scatter)',
  positionals: [{ name: 'shards', description: 'the shards’ .npy files (each with its .npy.json sidecar), in any order', variadic: true }],
  options: {
    out: { type: 'string', valueName: '<file.npy|file.png>', description: 'output: .npy (byte-identical to one run of --n N) or .png (the grid/scatter sample --out draws); repeatable', multiple: true },
  },
  async run({ values, positionals }) {
    const outs = (values.out as string[] | undefined) ?? [];
    if (outs.length === 0) throw new UsageError('--out is required (.npy or .png)');
    for (const out of outs) {
      if (!['.npy', '.png'].includes(extname(out).toLowerCase())) throw new UsageError(`--out ${out}: give a .npy or .png file`);
      if (positionals.includes(out)) throw new UsageError(`--out ${out} is one of the shards`);
      await checkOutputPath('out', out, 'file');
    }
    const sampler = await loadNodeSampler();
    const shards = [];
    for (const path of positionals) shards.push(await readShard(sampler, path));
    let order: number[];
    try {
      order = sampler.planMerge(shards);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const run = shards[0]!.meta.run as ShardMetadata['run'] & { model: string; method: string; steps: number; itemShape: number[] };
    const samples = new Float32Array(shards.reduce((a, s) => a + s.npy.data.length, 0));
    let offset = 0;
    for (const i of order) {
      samples.set(shards[i]!.npy.data, offset);
      offset += shards[i]!.npy.data.length;
    }
    const shape = [run.n, ...run.itemShape];
    // Encode everything first, then write: a failure leaves no output behind (as sample does).
    const files: { path: string; bytes: Uint8Array }[] = [];
    for (const out of outs) {
      if (extname(out).toLowerCase() === '.npy') files.push({ path: out, bytes: sampler.encodeNpy(samples, shape) });
      else if (run.itemShape.length === 3) files.push({ path: out, bytes: await sampler.encodeImageGrid(samples, shape) });
      else if (run.itemShape.join() === '2') {
        files.push({ path: out, bytes: await sampler.encodeScatterPng(samples, { title: `${run.model}: ${run.n} samples, ${run.method} ${run.steps} steps` }) });
      } else throw new UsageError(`--out ${out}: items of shape [${run.itemShape.join(', ')}] are neither images nor 2-D points`);
    }
    await writeOutputs(files);
    process.stdout.write(`merged ${shards.length} shards (${run.n} samples) into ${outs.join(', ')}\n`);
    return 0;
  },
};
