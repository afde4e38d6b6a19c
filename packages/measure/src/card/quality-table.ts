/**
 * A model card's "Sample quality" section, from `onnx-ddpm eval --json` reports of the card's own model
 * file: one table row per (sampler, guidance) setting with N, FID, FID ÷ the real-image floor at that N,
 * KID and class accuracy (image models), or the sliced W₂ beside the data-vs-data distance (2-D models).
 */
import { formatDuration } from '../cost/format.js';
import { ddim50VsDdpm1000, type EvalReport, type EvalRow } from '../eval/report.js';
import type { ImageQuality } from '../eval/image-quality.js';

const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const day = (iso: string): string => iso.slice(0, 10);
const percent = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
const sampler = (row: EvalRow): string => (row.steps > 0 ? `${row.method.toUpperCase()}-${row.steps}` : row.method);
const guidance = (row: EvalRow): string => (row.guidance === null ? 'none' : String(row.guidance));
const took = (row: EvalRow): string => (row.samplingSeconds > 0 ? formatDuration(row.samplingSeconds) : '–');

/**
 * Refuses reports that cannot share one table: not of `modelSha256`, or measured against other data or
 * with another classifier (their FIDs would not be comparable).
 */
export function checkEvalReports(reports: EvalReport[], modelSha256: string): void {
  for (const r of reports) {
    if (r.modelSha256 !== modelSha256) {
      throw new Error(`the eval report of ${basename(r.model)} from ${day(r.date ?? '?')} is of another model file (${r.modelSha256 ?? 'no modelSha256'}, this one is ${modelSha256})`);
    }
  }
  const first = reports[0];
  for (const r of reports.slice(1)) {
    if (r.data !== first!.data) throw new Error(`eval reports against different data: ${first!.data} and ${r.data}`);
    if (r.classifier?.path !== undefined && basename(r.classifier.path) !== basename(first!.classifier?.path ?? '')) {
      throw new Error(`eval reports with different classifiers: ${basename(first!.classifier?.path ?? 'none')} and ${basename(r.classifier.path)}`);
    }
  }
}

/** The section's markdown lines (none for no reports). Reports must have passed `checkEvalReports`. */
export function sampleQualitySection(reports: EvalReport[]): string[] {
  if (reports.length === 0) return [];
  const first = reports[0]!;
  const images = first.floor !== undefined;
  const lines = ['## Sample quality', ''];
  if (images) {
    const classifier = first.classifier ? basename(first.classifier.path) : 'the classifier';
    lines.push(
      `\`onnx-ddpm eval\` of this file on onnxruntime-node: Fréchet distance (FID) and KID of the 128-d features of ${classifier} ` +
        `against \`${first.data}\`, and that classifier's accuracy on the samples (labels 0, 1, 2, … in turn). FID is biased ` +
        'upwards at small N, so each N has its floor: N random training images measured the same way, what a perfect model scores. ' +
        "KID (unnormalized: the classifier's features are not scaled like Inception's) is the mean ± std over random subsets.",
      '',
      '| sampler | guidance | N | FID | FID ÷ floor | KID | class accuracy | sampling time | measured |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    const floors = new Map<number, { data: string; metrics: ImageQuality; date: string }>();
    for (const r of reports) if (r.floor && !floors.has(r.n)) floors.set(r.n, { ...r.floor, date: r.date });
    for (const r of reports) {
      const floorFid = floors.get(r.n)?.metrics.fid;
      for (const row of r.rows) {
        const m = row.metrics as ImageQuality;
        const ratio = floorFid === undefined ? '–' : `${(m.fid / floorFid).toFixed(2)}×`;
        lines.push(
          `| ${sampler(row)} | ${guidance(row)} | ${r.n} | ${m.fid.toFixed(2)} | ${ratio} | ${kid(m)} | ${percent(m.accuracy)} | ` +
            `${took(row)} | ${day(r.date)} |`,
        );
      }
    }
    for (const [n, floor] of [...floors].sort((a, b) => a[0] - b[0])) {
      lines.push(`| ${n} real \`${floor.data}\` training images (the floor) | – | ${n} | ${floor.metrics.fid.toFixed(2)} | 1.00× | ${kid(floor.metrics)} | ${percent(floor.metrics.accuracy)} | – | ${day(floor.date)} |`);
    }
    lines.push(...ddimVsDdpmLines(reports));
  } else {
    lines.push(
      `\`onnx-ddpm eval\` of this file on onnxruntime-node: sliced Wasserstein-2 distance (${first.swd?.projections ?? '?'} random directions) ` +
        `between N samples and N fresh points of \`${first.data}\`, beside the distance between two independent draws of N fresh points (the floor).`,
      '',
      '| sampler | N | sliced W₂ | data vs data | sampling time | measured |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
    );
    for (const r of reports) {
      for (const row of r.rows) {
        const swd = (row.metrics as { swd: number }).swd;
        lines.push(`| ${sampler(row)} | ${r.n} | ${swd.toFixed(4)} | ${r.swd?.dataVsData.toFixed(4) ?? '–'} | ${took(row)} | ${day(r.date)} |`);
      }
    }
  }
  lines.push('');
  return lines;
}

/** Per N where both were run unguided: how far DDIM-50's FID is from DDPM-1000's. */
function ddimVsDdpmLines(reports: EvalReport[]): string[] {
  const sizes = [...new Set(reports.map((r) => r.n))].sort((a, b) => a - b);
  return sizes.flatMap((n) => {
    const rel = ddim50VsDdpm1000(reports.filter((r) => r.n === n).flatMap((r) => r.rows));
    if (rel === null) return [];
    const side = rel >= 0 ? 'above' : 'below';
    return ['', `At N = ${n}, unguided DDIM-50's FID is ${(100 * Math.abs(rel)).toFixed(1)}% ${side} DDPM-1000's.`];
  });
}

function kid(m: ImageQuality): string {
  return `${m.kid.mean.toFixed(2)} ± ${m.kid.std.toFixed(2)}`;
}
