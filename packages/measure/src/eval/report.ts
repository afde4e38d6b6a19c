// `onnx-ddpm eval`'s rows: every (method, guidance) setting sampled and measured, one line each.
import type { DenoiserModel } from '@onnx-ddpm/sampler';
import type { SchedulerConfig } from '@onnx-ddpm/schedule';
import { generateSamples } from './generate.js';
import type { ImageQuality } from './image-quality.js';
import type { MethodSpec } from './methods.js';
import type { PointQuality } from './point-quality.js';

/** One evaluated (method, guidance) setting. */
export interface EvalRow {
  method: string;
  steps: number;
  /** Classifier-free guidance scale, or null (conditional or unconditional sampling without guidance). */
  guidance: number | null;
  samplingSeconds: number;
  metrics: ImageQuality | PointQuality;
}

/** `onnx-ddpm eval --json`: the model file measured (path and SHA-256), when, against what, and the rows. */
export interface EvalReport {
  model: string;
  /** `sha256:<hex>` of the model file: model cards accept only a report of their own file. */
  modelSha256: string;
  /** ISO 8601 time the report was made. */
  date: string;
  executionProvider: string;
  n: number;
  batch: number | null;
  seed: number;
  data: string;
  /** Image models: the feature classifier, its accuracy on its test set and on the reference. */
  classifier?: {
    path: string;
    testAccuracy: number | null;
    referenceAccuracy: number | null;
    /** Per label on the reference images (absent in reports from before 2026-12-02): what to read a class's sample accuracy against. */
    referenceClassAccuracy?: (number | null)[] | null;
    features: number | null;
  };
  kid?: { subsets: number; subsetSize: number };
  /** Image models: n random training images measured the same way (what a perfect model scores at this n). */
  floor?: { data: string; metrics: ImageQuality } | null;
  /** 2-D models: the SWD settings and the distance between two independent draws of the data. */
  swd?: { projections: number; dataSeed: number; dataVsData: number };
  rows: EvalRow[];
  ddim50VsDdpm1000: number | null;
}

export interface EvalSettings {
  methods: MethodSpec[];
  /** Guidance scales; undefined: no guidance. */
  guidances: (number | undefined)[];
  n: number;
  batch: number;
  seed: number;
  classLabels: Int32Array | null;
}

/** Samples `n` items per method × guidance and measures each set with `measure`; `log` gets progress lines. */
export async function evaluateSettings(
  model: DenoiserModel,
  config: SchedulerConfig,
  settings: EvalSettings,
  measure: (samples: Float32Array) => Promise<ImageQuality | PointQuality>,
  log: (line: string) => void,
): Promise<EvalRow[]> {
  const { n, batch, seed, classLabels } = settings;
  const rows: EvalRow[] = [];
  for (const spec of settings.methods) {
    for (const g of settings.guidances) {
      const tag = `${spec.label}${g === undefined ? '' : ` guidance ${g}`}`;
      const { samples, seconds } = await generateSamples(model, config, spec, {
        n,
        batch,
        seed,
        classLabels,
        guidance: g,
        onBatch: (done, total) => log(`${tag}: ${done}/${total} samples`),
      });
      const metrics = await measure(samples);
      rows.push({ method: spec.method, steps: spec.steps, guidance: g ?? null, samplingSeconds: Math.round(seconds * 10) / 10, metrics });
      log(`${tag}: ${describeQuality(metrics)} (${seconds.toFixed(1)} s sampling)`);
    }
  }
  return rows;
}

/** Measures given samples (e.g. merged shards: `eval --samples`) as one row named `name`, sampled elsewhere. */
export async function evaluateGivenSamples(
  name: string,
  samples: Float32Array,
  measure: (samples: Float32Array) => Promise<ImageQuality | PointQuality>,
  log: (line: string) => void,
): Promise<EvalRow[]> {
  const metrics = await measure(samples);
  log(`${name}: ${describeQuality(metrics)}`);
  return [{ method: name, steps: 0, guidance: null, samplingSeconds: 0, metrics }];
}

export function describeQuality(m: ImageQuality | PointQuality): string {
  if ('swd' in m) return `SWD ${m.swd.toFixed(4)}`;
  const acc = m.accuracy === null ? '' : `, accuracy ${(100 * m.accuracy).toFixed(1)}%${lowestClasses(m.classAccuracy)}`;
  return `FID ${m.fid.toFixed(3)}, KID ${m.kid.mean.toFixed(5)} ± ${m.kid.std.toFixed(5)}${acc}`;
}

/** ' (lowest: label accuracy, …)' for the three classes the classifier recognises least often, or ''. */
export function lowestClasses(perClass: (number | null)[] | null | undefined): string {
  const measured = (perClass ?? []).flatMap((a, label) => (a === null ? [] : [{ label, a }]));
  if (measured.length < 2) return '';
  const lowest = measured.sort((x, y) => x.a - y.a || x.label - y.label).slice(0, 3);
  return ` (lowest: ${lowest.map(({ label, a }) => `class ${label} ${(100 * a).toFixed(1)}%`).join(', ')})`;
}

/** FID(DDIM-50) / FID(DDPM-1000) − 1 without guidance, when both were run on images (negative: DDIM-50 is the closer to the data). */
export function ddim50VsDdpm1000(rows: EvalRow[]): number | null {
  const fid = (method: string, steps: number) => {
    const row = rows.find((r) => r.method === method && r.steps === steps && r.guidance === null);
    return row && 'fid' in row.metrics ? row.metrics.fid : undefined;
  };
  const ddim = fid('ddim', 50);
  const ddpm = fid('ddpm', 1000);
  return ddim === undefined || ddpm === undefined ? null : ddim / ddpm - 1;
}

/** The rows as a table, with the data-vs-data SWD (2-D points) or the real-image floor under it. */
export function formatEvalTable(rows: EvalRow[], dataVsData: number | undefined, floor: { data: string; metrics: ImageQuality } | null): string {
  const lines = rows.map((r) => `${`${r.method}-${r.steps}`.padEnd(10)} ${(r.guidance === null ? '-' : String(r.guidance)).padEnd(9)} ${describeQuality(r.metrics)}  ${r.samplingSeconds} s`);
  const header = `${'method'.padEnd(10)} ${'guidance'.padEnd(9)} metrics`;
  const footer = dataVsData === undefined ? [] : [`data vs data (two independent halves): SWD ${dataVsData.toFixed(4)}`];
  if (floor) footer.push(`real images of ${floor.data} (the floor at this n): ${describeQuality(floor.metrics)}`);
  return `${[header, ...lines, ...footer].join('\n')}\n`;
}
