import { TRAIN_TOLERANCES } from './bounds.js';
import { ChromiumHost } from './chromium-page.js';
import { type ChromiumTrainBackend, chromiumTrainStep } from './chromium-train.js';
import { exp, table } from './report.js';
import { RuntimeUnavailable } from './runtime.js';
import { runTrainStep, stepOutput, type TrainParityModel, type TrainStepOutput, trainParitySetup, trainParityStep } from './train-step.js';

type Trainer = typeof import('@onnx-ddpm/trainer/node');

/** TF.js backends a training step is compared on: in Node, and in Chromium (the built page's training worker). */
export const TRAIN_PARITY_BACKENDS = ['wasm', 'cpu', 'webgpu', 'chromium-wasm', 'chromium-webgpu'] as const;
export type TrainParityBackend = (typeof TRAIN_PARITY_BACKENDS)[number];

export interface TrainBackendReport {
  backend: string;
  status: 'ran' | 'unavailable' | 'skipped' | 'failed';
  device?: string;
  reason?: string;
  /** Per model: loss and ms of the forward + backward pass. */
  models: { model: TrainParityModel; loss: number; ms: number }[];
}

export interface Relative {
  value: number;
  bound: number;
  pass: boolean;
  /** The parameter where the gradient or update measure is worst. */
  worst?: string;
}

export interface TrainPairReport {
  model: TrainParityModel;
  a: string;
  b: string;
  loss: Relative;
  gradient: Relative;
  update: Relative & { comparedElements: number; skippedElements: number };
  pass: boolean;
}

export interface TrainParityReport {
  models: { model: TrainParityModel; description: string; batch: number }[];
  bounds: typeof TRAIN_TOLERANCES;
  backends: TrainBackendReport[];
  pairs: TrainPairReport[];
  pass: boolean;
  seconds: number;
}

/** max|a − b| / max(max|a|, max|b|): 0 for two zero tensors. */
export function relativeMaxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k]! - b[k]!);
    diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(a[k]!), Math.abs(b[k]!));
  }
  return diff === 0 ? 0 : Number.isFinite(diff) ? diff / scale : diff;
}

function worstOver(names: string[], values: number[]): { value: number; worst: string } {
  let i = 0;
  for (let k = 1; k < values.length; k++) if (!(values[k]! <= values[i]!)) i = k;
  return { value: values[i] ?? 0, worst: names[i] ?? '' };
}

const judge = (value: number, bound: number) => ({ value, bound, pass: value <= bound });

/** One float32 ulp at |v| (the spacing of float32 numbers there). */
function ulp32(v: number): number {
  const a = Math.abs(v);
  return a === 0 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
}

/**
 * The Adam update's relative difference for one parameter: max over compared elements of |w′_a − w′_b| less
 * one float32 ulp of w′ (two updates a hair apart can round to neighbouring weights), over max|w′ − w|.
 * Adam's first step is lr·g/(|g| + ε): where |g| ≥ ε/bound it is lr·sign(g) to within the bound, and the
 * same on both backends once g agrees in sign. Elements with a smaller |g|, or within the gradient bound of
 * 0 (|g| ≤ bound · max|g|, whose sign the backends may disagree on), pass the gradient's own rounding on to
 * the step; they are counted, not compared (the gradient comparison covers them).
 */
function updateDiff(x: TrainStepOutput, y: TrainStepOutput, i: number, gradientBound: number, adamEps: number): { rel: number; compared: number; skipped: number } {
  const [gx, gy, wx, wy, ux, uy] = [x.grads[i]!, y.grads[i]!, x.after[i]!, y.after[i]!, x.updates[i]!, y.updates[i]!];
  let gScale = 0;
  for (let k = 0; k < gx.length; k++) gScale = Math.max(gScale, Math.abs(gx[k]!), Math.abs(gy[k]!));
  let excess = 0;
  let uScale = 0;
  let compared = 0;
  for (let k = 0; k < gx.length; k++) {
    if (!(Math.min(Math.abs(gx[k]!), Math.abs(gy[k]!)) > Math.max(gradientBound * gScale, adamEps / gradientBound))) continue;
    compared++;
    const d = Math.abs(wx[k]! - wy[k]!);
    excess = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(excess, d - ulp32(Math.max(Math.abs(wx[k]!), Math.abs(wy[k]!))));
    uScale = Math.max(uScale, Math.abs(ux[k]!), Math.abs(uy[k]!));
  }
  return { rel: excess <= 0 ? 0 : excess / uScale, compared, skipped: gx.length - compared };
}

/** Compares one model's training step on two backends (loss, every gradient, the Adam update). */
export function compareTrainSteps(
  model: TrainParityModel,
  a: string,
  b: string,
  x: TrainStepOutput,
  y: TrainStepOutput,
  adamEps: number,
): TrainPairReport {
  const t = TRAIN_TOLERANCES;
  const loss = judge(relativeMaxDiff([x.loss], [y.loss]), t.loss);
  const gradient = worstOver(x.paramNames, x.grads.map((g, i) => relativeMaxDiff(g, y.grads[i]!)));
  const perParam = x.updates.map((_, i) => updateDiff(x, y, i, t.gradient, adamEps));
  const update = worstOver(x.paramNames, perParam.map((p) => p.rel));
  const compared = perParam.reduce((n, p) => n + p.compared, 0);
  const skipped = perParam.reduce((n, p) => n + p.skipped, 0);
  const report: TrainPairReport = {
    model,
    a,
    b,
    loss,
    gradient: { ...judge(gradient.value, t.gradient), worst: gradient.worst },
    update: { ...judge(update.value, t.update), worst: update.worst, comparedElements: compared, skippedElements: skipped },
    pass: false,
  };
  report.pass = report.loss.pass && report.gradient.pass && report.update.pass;
  return report;
}

/**
 * One training step of each model on each selected backend (in this process, one after another), then every
 * pair of backends that ran compared per model.
 */
export async function runTrainParity(
  trainer: Trainer,
  opts: { backends: TrainParityBackend[]; models: TrainParityModel[]; batch: Record<TrainParityModel, number> },
  log: (line: string) => void,
): Promise<TrainParityReport> {
  const t0 = performance.now();
  const outputs = new Map<string, Map<TrainParityModel, TrainStepOutput>>();
  const backends: TrainBackendReport[] = [];
  const host = new ChromiumHost();
  try {
    for (const backend of TRAIN_PARITY_BACKENDS) {
      if (!opts.backends.includes(backend)) {
        backends.push({ backend, status: 'skipped', reason: 'not selected (--backends)', models: [] });
        continue;
      }
      const inChromium = backend === 'chromium-wasm' || backend === 'chromium-webgpu';
      let device = '';
      if (!inChromium) {
        try {
          device = (await trainer.selectBackend(backend)).device;
        } catch (err) {
          backends.push({ backend, status: 'unavailable', reason: (err as Error).message, models: [] });
          continue;
        }
      }
      const row: TrainBackendReport = { backend, status: 'ran', models: [] };
      const perModel = new Map<TrainParityModel, TrainStepOutput>();
      try {
        for (const model of opts.models) {
          log(`${backend}: one training step of the ${model} (batch ${opts.batch[model]})`);
          let out: TrainStepOutput;
          if (inChromium) {
            const { init, batch } = trainParityStep(trainer, model, opts.batch[model]);
            const r = await chromiumTrainStep(host, backend as ChromiumTrainBackend, init, batch);
            device = r.device;
            out = stepOutput(r);
          } else {
            out = await runTrainStep(trainer, model, opts.batch[model]);
          }
          perModel.set(model, out);
          row.models.push({ model, loss: out.loss, ms: out.ms });
        }
        outputs.set(backend, perModel);
        row.device = device;
      } catch (err) {
        row.status = err instanceof RuntimeUnavailable ? 'unavailable' : 'failed';
        row.reason = (err as Error).message.split('\n')[0];
      }
      backends.push(row);
    }
  } finally {
    await host.close();
  }
  const ran = [...outputs.keys()];
  const pairs: TrainPairReport[] = [];
  for (const model of opts.models) {
    for (let i = 0; i < ran.length; i++) {
      for (let j = i + 1; j < ran.length; j++) {
        const [a, b] = [ran[i]!, ran[j]!];
        pairs.push(compareTrainSteps(model, a, b, outputs.get(a)!.get(model)!, outputs.get(b)!.get(model)!, trainParitySetup(trainer, model, 1).config.train.adamEps));
      }
    }
  }
  const models = opts.models.map((model) => ({ model, description: describeModel(trainer, model, opts.batch[model]), batch: opts.batch[model] }));
  return {
    models,
    bounds: TRAIN_TOLERANCES,
    backends,
    pairs,
    pass: pairs.length > 0 && pairs.every((p) => p.pass) && backends.every((b) => b.status !== 'failed'),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** "U-Net 28×28×1, base 32, 10 classes, batch 2" and the like. */
function describeModel(trainer: Trainer, model: TrainParityModel, batch: number): string {
  const m = trainParitySetup(trainer, model, batch).config.model;
  const shape =
    m.kind === 'unet'
      ? `U-Net ${m.imageSize}×${m.imageSize}×${m.channels}, base ${m.baseChannels}${m.numClasses ? `, ${m.numClasses} classes` : ''}`
      : `MLP ${m.layers}×${m.hidden}`;
  return `${shape} (default config), batch ${batch}`;
}

/** The human-readable table. */
export function formatTrainReport(r: TrainParityReport): string {
  const lines = [
    'one training step (loss, gradients, clip + Adam + EMA update) from seed-0 weights on the loop\'s step-0 batch:',
    ...r.models.map((m) => `  ${m.model}: ${m.description}`),
    '',
    ...table(
      ['backend', 'status', ...r.models.map((m) => `${m.model} ms`), 'detail'],
      r.backends.map((b) => [
        b.backend,
        b.status,
        ...r.models.map((m) => {
          const ms = b.models.find((x) => x.model === m.model)?.ms;
          return ms === undefined ? '' : ms.toFixed(0);
        }),
        b.device ?? b.reason ?? '',
      ]),
      r.models.map((_, i) => i + 2),
    ),
    '',
  ];
  if (r.pairs.length > 0) {
    const cell = (x: Relative) => `${exp(x.value)} ${x.pass ? '≤' : '>'} ${exp(x.bound)}`;
    lines.push(
      ...table(
        ['model', 'pair', 'loss rel', 'gradient rel (worst parameter)', 'Adam update rel', 'result'],
        r.pairs.map((p) => [
          p.model,
          `${p.a} · ${p.b}`,
          cell(p.loss),
          `${cell(p.gradient)} (${p.gradient.worst})`,
          `${cell(p.update)} (${p.update.skippedElements} of ${p.update.comparedElements + p.update.skippedElements} near-0 left out)`,
          p.pass ? 'pass' : 'FAIL',
        ]),
        [],
      ),
      '',
    );
  } else {
    lines.push('pairs: fewer than two backends ran, nothing to compare', '');
  }
  const failed = r.pairs.filter((p) => !p.pass).length;
  const ran = r.backends.filter((b) => b.status === 'ran').length;
  lines.push(
    `${r.pass ? 'pass' : 'FAIL'}: ${r.pairs.length - failed}/${r.pairs.length} pairs within bounds, ${ran} of ${r.backends.length} backends ran (${r.seconds.toFixed(1)} s)`,
  );
  return `${lines.join('\n')}\n`;
}
