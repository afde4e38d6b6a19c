/** Where progress goes: a TTY stream gets one redrawn bar, anything else plain lines. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** What is counted, e.g. "step" or "sampling ddim on cpu". */
  label: string;
  total: number;
  /** Units done before this bar started (a resumed run); the rate counts from here. Default 0. */
  first?: number;
  /** Plain lines (not a TTY) every this many units and at the end; default: one per 10 %, with the percentage. */
  lineEvery?: number;
  /** Default: process.stderr. */
  stream?: ProgressStream;
}

/** A time left as "9.5s", "42s", "12m05s" or "37h28m"; "?" when unknown. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 9.95) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
}

/**
 * A progress bar with it/s and ETA (and what `update` adds, e.g. the loss) for training and sampling:
 * redrawn in place at most 10×/s on a TTY, plain lines otherwise (logs, CI, pipes).
 */
export class ProgressBar {
  private readonly start = performance.now();
  private readonly first: number;
  private readonly stream: ProgressStream;
  private lastDraw = 0;
  private lastPlainDecile = -1;

  constructor(private readonly opts: ProgressOptions) {
    this.first = opts.first ?? 0;
    this.stream = opts.stream ?? process.stderr;
  }

  /** Reports that `done` of `total` units are finished; `extra` (e.g. "loss 0.0312") is shown after the count. */
  update(done: number, extra?: string): void {
    const { label, total, lineEvery } = this.opts;
    const now = performance.now();
    const seconds = (now - this.start) / 1000;
    const rate = seconds > 0 ? (done - this.first) / seconds : 0;
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    const stats = `${done}/${total}${extra ? ` ${extra}` : ''} ${rate.toFixed(rate < 10 ? 2 : 1)} it/s ETA ${formatEta(eta)}`;
    if (this.stream.isTTY) {
      if (done < total && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round((width * done) / Math.max(1, total));
      this.stream.write(`\r\x1b[2K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${stats}`);
      if (done >= total) this.interrupt();
    } else if (lineEvery !== undefined) {
      if (done % lineEvery === 0 || done === total) this.stream.write(`${label} ${stats}\n`);
    } else {
      const decile = Math.floor((10 * done) / total);
      if (decile === this.lastPlainDecile) return;
      this.lastPlainDecile = decile;
      this.stream.write(`${label}: ${Math.round((100 * done) / total)}% ${stats}\n`);
    }
  }

  /** Ends the bar's line so that other messages start on a fresh one. */
  interrupt(): void {
    if (this.stream.isTTY && this.lastDraw > 0) this.stream.write('\n');
    this.lastDraw = 0;
  }
}
