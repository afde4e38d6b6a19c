import type { BenchTableReport, SamplingRuntimeReport, TrainingReport } from './table.js';

const mib = (bytes: number | null): string => (bytes === null ? '' : `${Math.round(bytes / 2 ** 20)} MiB`);
const pct = (x: number | null): string => (x === null ? 'n/a' : `${x.toFixed(x < 10 ? 2 : 1)}%`);
const ms = (x: number): string => x.toFixed(x < 100 ? 2 : x < 1000 ? 1 : 0);

function stamp(report: BenchTableReport): string {
  const m = report.machine;
  return `${m.date.slice(0, 16).replace('T', ' ')} UTC, ${m.cpu} (${m.cores} cores), Node ${m.node}, ${m.platform}`;
}

/** What the runtime's status cell says when it did not run. */
function notRun(r: { status: string; reason?: string }): string {
  return `${r.status}${r.reason ? `: ${r.reason}` : ''}`;
}

function samplingCells(r: SamplingRuntimeReport): string[][] {
  if (r.rows.length === 0) return [[r.label, '', notRun(r), '', '', '', '', '', '']];
  const last = r.rows.at(-1)!;
  const rows = r.rows.map((row) => [
    r.label,
    String(row.batch),
    ms(row.msPerStep),
    pct(row.overheadPercent),
    row.gflopPerStep >= 0.01 ? row.gflopPerStep.toFixed(3) : row.gflopPerStep.toPrecision(2),
    row.gflops.toFixed(1),
    `${row.percentOfMatmul.toFixed(row.percentOfMatmul < 10 ? 1 : 0)}%`,
    String(row.steps),
    row === last ? mib(r.peakRss.bytes) : '',
  ]);
  if (r.status !== 'ran') rows.push([r.label, '', notRun(r), '', '', '', '', '', '']);
  if (r.capped) rows.push([r.label, '', r.capped, '', '', '', '', '', '']);
  return rows;
}

const SAMPLING_HEAD = ['runtime', 'batch', 'ms/step', 'loop overhead', 'GFLOP/step', 'GFLOP/s', 'of matmul', 'steps', 'peak RSS'];

function trainingCells(r: TrainingReport): string[] {
  if (r.msPerStep === null) return [r.label, String(r.batch), notRun(r), '', '', ''];
  return [r.label, String(r.batch), r.msPerStep.toFixed(0), r.imgPerS!.toFixed(1), r.gflops!.toFixed(1), mib(r.peakRssBytes)];
}

const TRAINING_HEAD = ['backend', 'batch', 'ms/step', 'img/s', 'GFLOP/s', 'peak RSS'];

function samplingNotes(s: NonNullable<BenchTableReport['sampling']>): string[] {
  return [
    `model: ${s.model}`,
    `sampling: ${s.method.toUpperCase()}, ${s.steps} steps per batch size on ORT-node CPU/CUDA (after an untimed 2-step run) and ` +
      `${s.slowSteps} on the wasm and WebGPU runtimes (far slower; without a GPU, WebGPU runs on SwiftShader); each runtime in a ` +
      `child process of its own, each batch size on a fresh session after one untimed model call; a runtime stops before a batch ` +
      `size projected to take over ${s.maxRunSeconds} s`,
    `reference: ${s.matmul.size}×${s.matmul.size}×${s.matmul.size} MatMul on onnxruntime-node CPU, ${s.matmul.gflops.toFixed(1)} GFLOP/s ` +
      `(best call; median ${s.matmul.medianGflops.toFixed(1)}), measured in this run; GFLOP/s = model FLOPs per step ÷ model ms per step ` +
      '(÷ ms/step where the loop overhead is n/a); peak RSS over all batch sizes (the largest last)',
  ];
}

function trainingNote(t: NonNullable<BenchTableReport['training']>): string {
  const cpu = t.configs.find((c) => c.id === 'cpu');
  return (
    `training: ${t.model}, synthetic batches; GFLOP/s = 3 × ${t.forwardGflopPerImage.toFixed(3)} forward GFLOP/image × img/s; ` +
    `${t.configs[0]!.warmup} warm-up + ${t.configs[0]!.steps} timed steps (cpu: ${cpu?.steps ?? 1} step at batch ${cpu?.batch ?? '?'}); peak RSS of the process`
  );
}

function alignedTable(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

/** Rows with a batch size as an aligned table; those that did not run as "label: status: reason" below it. */
function textTable(head: string[], rows: string[][]): string[] {
  const ran = rows.filter((r) => r[3] !== '');
  const other = rows.filter((r) => !ran.includes(r));
  return [...(ran.length > 0 ? alignedTable(head, ran) : []), ...other.map((r) => `${r[0]}: ${r[2]}`)];
}

/** The report as aligned text tables. */
export function formatBenchTable(report: BenchTableReport): string {
  const lines = [`onnx-ddpm bench, ${stamp(report)}, ${report.seconds.toFixed(0)} s in all`];
  const s = report.sampling;
  if (s) {
    lines.push('', ...samplingNotes(s), '', ...textTable(SAMPLING_HEAD, s.runtimes.flatMap(samplingCells)));
    for (const r of s.runtimes.filter((x) => x.peakRss.bytes !== null)) lines.push(`peak RSS of ${r.label}: ${r.peakRss.of}`);
  }
  const t = report.training;
  if (t) lines.push('', trainingNote(t), '', ...textTable(TRAINING_HEAD, t.configs.map(trainingCells)));
  return lines.join('\n');
}

function markdownTable(head: string[], rows: string[][], rightFrom: number): string[] {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(head), `| ${head.map((_, i) => (i >= rightFrom ? '---:' : '---')).join(' | ')} |`, ...rows.map(line)];
}

/** The README block: <!-- bench --> … <!-- /bench -->, with the date and the machine. */
export function formatBenchMarkdown(report: BenchTableReport): string {
  const m = report.machine;
  const lines = [
    '<!-- bench -->',
    `Measured ${m.date.slice(0, 10)} with \`pnpm bench\` on ${m.cpu}, ${m.cores} cores, Node ${m.node} (${m.platform}), ` +
      `${Math.round(report.seconds)} s in all.`,
  ];
  const s = report.sampling;
  if (s) {
    lines.push('', ...samplingNotes(s).map((n) => `${n[0]!.toUpperCase()}${n.slice(1)}.`), '');
    lines.push(...markdownTable(SAMPLING_HEAD, s.runtimes.flatMap(samplingCells), 1));
  }
  const t = report.training;
  if (t) {
    const note = trainingNote(t);
    lines.push('', `${note[0]!.toUpperCase()}${note.slice(1)}.`, '');
    lines.push(...markdownTable(TRAINING_HEAD, t.configs.map(trainingCells), 1));
  }
  lines.push('<!-- /bench -->');
  return lines.join('\n');
}
