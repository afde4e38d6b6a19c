// The in-process sampling benchmark (`onnx-ddpm bench --model`): model ms/step, loop overhead and
// GFLOP/s per batch size on onnxruntime-node, against this machine's ORT MatMul; an optional second
// model (e.g. a torch export) timed batch by batch alongside.
import { basename } from 'node:path';
import type { OrtDenoiser } from '@onnx-ddpm/sampler/node';
import { createScheduler, PhiloxNoise, type SamplingMethod, type SchedulerConfig } from '@onnx-ddpm/schedule';

type SamplerNode = typeof import('@onnx-ddpm/sampler/node');

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
  method: SamplingMethod;
  steps: number;
  /** The n×n×n MatMul on ORT CPU: fastest call (gflops, the reference) and median. */
  matmul: { size: number; bestMs: number; medianMs: number; gflops: number; medianGflops: number };
  models: BenchModelReport[];
  /** With --compare: compare's model ms/step ÷ the model's, per batch (> 1: --compare is slower). */
  ratios: { batch: number; ratio: number }[] | null;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** Times `steps` reverse steps at one batch size (after 3 short warm-up runs) and counts the model's FLOPs. */
async function benchBatch(
  sampler: SamplerNode,
  model: OrtDenoiser,
  bytes: Uint8Array,
  config: SchedulerConfig,
  opts: { method: SamplingMethod; steps: number; batch: number },
): Promise<Omit<BenchRow, 'percentOfMatmul'>> {
  const { batch } = opts;
  const { numClasses, sampleShape } = model.info;
  const classLabels = numClasses > 0 ? Int32Array.from({ length: batch }, (_, i) => i % numClasses) : null;
  const run = (steps: number) =>
    sampler.sample(model, createScheduler(config, { method: opts.method, steps }), { batch, noise: new PhiloxNoise(0), classLabels });
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

function formatModelTable(report: BenchModelReport): string {
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

/** One model to time: its path (for the report), its open session and its bytes (for the FLOP count). */
export interface BenchModel {
  path: string;
  model: OrtDenoiser;
  bytes: Uint8Array;
}

export interface InProcessBenchOptions {
  method: SamplingMethod;
  steps: number;
  batches: number[];
  /** n of the n×n×n MatMul that measures this machine. */
  matmulSize: number;
  /** Called before each timed batch (progress). */
  onBatch?: (path: string, batch: number) => void;
}

/**
 * Times every model at every batch size — batch by batch, the models in turn, so that a change of
 * machine load affects them alike — sampled with `config`, then the MatMul reference.
 */
export async function benchInProcess(sampler: SamplerNode, models: BenchModel[], config: SchedulerConfig, opts: InProcessBenchOptions): Promise<BenchReport> {
  const { method, steps, batches } = opts;
  const measured = models.map((m) => ({ ...m, rows: [] as Omit<BenchRow, 'percentOfMatmul'>[] }));
  for (const batch of batches) {
    for (const m of measured) {
      opts.onBatch?.(m.path, batch);
      m.rows.push(await benchBatch(sampler, m.model, m.bytes, config, { method, steps, batch }));
    }
  }
  const matmul = await sampler.measureMatmulGflops({ size: opts.matmulSize });
  return {
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
}

/** The report as text: one table per model, the ratio line of a second model, the MatMul reference. */
export function formatInProcessBench(report: BenchReport): string {
  const { matmul } = report;
  const lines = [`${report.method}, ${report.steps} steps per batch size (after 3 warm-up runs of 2 steps)`, ...report.models.map(formatModelTable)];
  if (report.ratios) {
    lines.push(
      `model ms/step of ${basename(report.models[1]!.path)} ÷ ${basename(report.models[0]!.path)}: ` +
        report.ratios.map((r) => `batch ${r.batch}: ${r.ratio.toFixed(2)}×`).join(', '),
    );
  }
  lines.push(
    `matmul ${matmul.size}×${matmul.size}×${matmul.size} on onnxruntime-node CPU: ${matmul.gflops.toFixed(1)} GFLOP/s at best ` +
      `(${matmul.bestMs.toFixed(2)} ms/call; median ${matmul.medianGflops.toFixed(1)} GFLOP/s)`,
  );
  return `${lines.join('\n')}\n`;
}
