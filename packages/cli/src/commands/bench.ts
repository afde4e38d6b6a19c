import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { inspectModel } from '@onnx-ddpm/onnx';
import type { OrtEpsModel } from '@onnx-ddpm/sampler/node';
import { PhiloxNoise, type SchedulerConfig } from '@onnx-ddpm/schedule';
import { type Command, CliError, intFlag, requiredString, stringFlag, UsageError } from '../command.js';
import { executionProvidersFlag, loadNodeSampler, methodFlag, type SamplerNode, samplerUserError } from '../sampler-flags.js';


/** One batch size of one model. */
export interface BenchRow {
  batch: number;
  steps: number;
  /** Model call time per reverse step (one call per step). */
  modelMsPerStep: number;
  /** Everything else per step: step math, noise, checks. */
  loopMsPerStep: number;
  /** loopMs / (loopMs + modelMs) · 100. */
  overheadPercent: number;
  /** Conv/ConvTranspose/MatMul/Gemm FLOPs (2 × MACs) of one model call at this batch. */
  flopsPerCall: number;
  /** flopsPerCall / 10⁹. */
  gflopPerCall: number;
  /** gflopPerCall / model time per call. */
  gflops: number;
  /** gflops as a percentage of this machine's measured MatMul GFLOP/s. */
  percentOfMatmul: number;
}

export interface BenchModelReport {
  path: string;
  executionProvider: string;
  sampleShape: number[];
  rows: BenchRow[];
}

export interface BenchReport {
  method: 'ddpm' | 'ddim';
  steps: number;
  /** The n×n×n MatMul on ORT CPU: fastest call (gflops, the reference) and median. */
  matmul: { size: number; bestMs: number; medianMs: number; gflops: number; medianGflops: number };
  models: BenchModelReport[];
  /** With --compare: compare's model ms/step ÷ the model's, per batch (> 1: --compare is slower). */
  ratios: { batch: number; ratio: number }[] | null;
}

function parseBatches(text: string): number[] {
  const batches = text.split(',').map((s) => {
    const n = Number(s.trim());
    if (s.trim() === '' || !Number.isInteger(n) || n < 1) throw new UsageError(`--batch must be a comma-separated list of positive integers, got '${text}'`);
    return n;
  });
  return [...new Set(batches)];
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** Times `steps` reverse steps at one batch size (after 3 short warm-up runs) and counts the model's FLOPs. */
async function benchBatch(
  sampler: SamplerNode,
  model: OrtEpsModel,
  bytes: Uint8Array,
  config: SchedulerConfig,
  opts: { method: 'ddpm' | 'ddim'; steps: number; batch: number },
): Promise<Omit<BenchRow, 'percentOfMatmul'>> {
  const { batch } = opts;
  const { numClasses, sampleShape } = model.info;
  const classLabels = numClasses > 0 ? Int32Array.from({ length: batch }, (_, i) => i % numClasses) : null;
  const run = (steps: number) => sampler.sample(model, config, { method: opts.method, steps, batch, noise: new PhiloxNoise(0), classLabels });
  // Warm-up: session allocations for this batch size and the JIT of the step math and setup.
  for (let i = 0; i < 3; i++) await run(2);
  const { timings } = await run(opts.steps);
  const flops = await sampler.measureModelFlops(bytes, [batch, ...sampleShape]);
  const modelMsPerStep = timings.modelMs / timings.steps;
  return {
    batch,
    steps: timings.steps,
    modelMsPerStep: round(modelMsPerStep),
    loopMsPerStep: round(timings.loopMs / timings.steps),
    overheadPercent: round((100 * timings.loopMs) / (timings.loopMs + timings.modelMs), 2),
    flopsPerCall: flops.flops,
    gflopPerCall: round(flops.flops / 1e9, 6),
    gflops: round(flops.flops / (modelMsPerStep * 1e6), 2),
  };
}

function formatTable(report: BenchModelReport): string {
  const head = ['batch', 'model ms/step', 'loop overhead', 'GFLOP/call', 'GFLOP/s', 'of CPU matmul'];
  const lines = report.rows.map((r) => [
    String(r.batch),
    r.modelMsPerStep.toFixed(2),
    `${r.overheadPercent.toFixed(1)}%`,
    r.gflopPerCall.toFixed(3),
    r.gflops.toFixed(1),
    `${r.percentOfMatmul.toFixed(0)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [
    `${report.path} on ${report.executionProvider}, items [${report.sampleShape.join(', ')}]`,
    `  ${fmt(head)}`,
    ...lines.map((l) => `  ${fmt(l)}`),
  ].join('\n');
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'benchmark sampling speed and loop overhead',
  options: {
    model: { type: 'string', valueName: '<file|dir>', description: '.onnx file, or a diffusers-style folder' },
    batch: { type: 'string', valueName: '<n,n,...>', description: 'batch sizes to time', default: '1,16' },
    steps: { type: 'string', valueName: '<k>', description: 'reverse steps timed per batch size', default: '20' },
    method: { type: 'string', valueName: '<ddpm|ddim>', description: 'sampler whose loop is timed', default: 'ddim' },
    ep: { type: 'string', valueName: '<list>', description: 'execution providers in order of preference: cuda, webgpu, cpu', default: 'cpu' },
    compare: { type: 'string', valueName: '<file.onnx>', description: 'a second model of the same item shape (e.g. a torch export) timed the same way' },
    'scheduler-config': { type: 'string', valueName: '<file.json>', description: "scheduler config overriding the model's metadata" },
    'matmul-size': { type: 'string', valueName: '<n>', description: 'n of the n×n×n MatMul that measures this machine', default: '512' },
    json: { type: 'boolean', description: 'print the report as JSON on stdout' },
  },
  async run({ values }) {
    const modelPath = requiredString(values, 'model');
    const batches = parseBatches(stringFlag(values, 'batch') ?? '1,16');
    const steps = intFlag(values, 'steps', 1)!;
    const method = methodFlag(values);
    const matmulSize = intFlag(values, 'matmul-size', 1)!;
    const comparePath = stringFlag(values, 'compare');
    const json = values.json === true;

    const sampler = await loadNodeSampler();
    const executionProviders = executionProvidersFlag(sampler, values, 'cpu');
    const warn = (message: string) => process.stderr.write(`onnx-ddpm bench: warning: ${message}\n`);
    const opened: OrtEpsModel[] = [];
    try {
      const source = await sampler.loadModelSource(modelPath, { schedulerConfigPath: stringFlag(values, 'scheduler-config') });
      for (const w of source.warnings) warn(w);
      const main = await sampler.OrtEpsModel.create(source.bytes, {
        executionProviders,
        numClasses: source.numClasses,
        sampleShape: source.sampleShape,
        name: basename(source.modelPath),
        onWarning: warn,
      });
      opened.push(main);
      const models: { path: string; model: OrtEpsModel; bytes: Uint8Array }[] = [{ path: source.modelPath, model: main, bytes: source.bytes }];
      if (comparePath !== undefined) {
        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(await readFile(comparePath));
        } catch (err) {
          throw new CliError(`cannot read --compare ${comparePath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        // The compared export is sampled with the first model's schedule, item shape and classes.
        const want = main.info.sampleShape;
        let declared: (number | string)[] | undefined;
        try {
          declared = inspectModel(bytes).inputs.find((i) => i.name === 'sample')?.shape.slice(1);
        } catch (err) {
          throw new CliError(`--compare ${comparePath} is not a readable ONNX model: ${(err as Error).message}`);
        }
        if (declared?.every((d) => typeof d === 'number') && declared.join() !== want.join()) {
          throw new CliError(`--compare ${comparePath} takes items of [${declared.join(', ')}], ${modelPath} takes [${want.join(', ')}]`);
        }
        const other = await sampler.OrtEpsModel.create(bytes, {
          executionProviders,
          numClasses: main.info.numClasses,
          sampleShape: want,
          name: basename(comparePath),
          onWarning: warn,
        });
        opened.push(other);
        models.push({ path: comparePath, model: other, bytes });
      }

      // Batch by batch, the models in turn, so that a change of machine load affects both alike.
      const measured = models.map((m) => ({ ...m, rows: [] as Omit<BenchRow, 'percentOfMatmul'>[] }));
      for (const batch of batches) {
        for (const m of measured) {
          if (!json) process.stderr.write(`timing ${basename(m.path)} at batch ${batch} ...\n`);
          m.rows.push(await benchBatch(sampler, m.model, m.bytes, source.config, { method, steps, batch }));
        }
      }
      const matmul = await sampler.measureMatmulGflops({ size: matmulSize });
      const report: BenchReport = {
        method,
        steps: measured[0]!.rows[0]!.steps,
        matmul: {
          size: matmul.size,
          bestMs: round(matmul.bestMs),
          medianMs: round(matmul.medianMs),
          gflops: round(matmul.gflops, 2),
          medianGflops: round(matmul.medianGflops, 2),
        },
        models: measured.map((m) => ({
          path: m.path,
          executionProvider: m.model.executionProvider,
          sampleShape: [...m.model.info.sampleShape],
          rows: m.rows.map((r) => ({ ...r, percentOfMatmul: round((100 * r.gflops) / matmul.gflops, 1) })),
        })),
        ratios:
          measured.length > 1
            ? batches.map((batch, i) => ({
                batch,
                ratio: round(measured[1]!.rows[i]!.modelMsPerStep / measured[0]!.rows[i]!.modelMsPerStep),
              }))
            : null,
      };
      if (json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        const lines = [`${method}, ${report.steps} steps per batch size (after 3 warm-up runs of 2 steps)`, ...report.models.map(formatTable)];
        if (report.ratios) {
          lines.push(
            `model ms/step of ${basename(comparePath!)} ÷ ${basename(source.modelPath)}: ` +
              report.ratios.map((r) => `batch ${r.batch}: ${r.ratio.toFixed(2)}×`).join(', '),
          );
        }
        lines.push(
          `matmul ${matmul.size}×${matmul.size}×${matmul.size} on onnxruntime-node CPU: ${matmul.gflops.toFixed(1)} GFLOP/s at best ` +
            `(${matmul.bestMs.toFixed(2)} ms/call; median ${matmul.medianGflops.toFixed(1)} GFLOP/s)`,
        );
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      return 0;
    } catch (err) {
      throw samplerUserError(sampler, err) ?? err;
    } finally {
      for (const m of opened) await m.dispose();
    }
  },
};
