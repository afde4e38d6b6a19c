/**
 * A progress bar on stderr with it/s and ETA: redrawn in place on a TTY, plain lines every ~10%
 * otherwise (logs, CI, pipes).
 */
export class ProgressBar {
  private readonly start = performance.now();
  private lastDraw = 0;
  private lastPlainDecile = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Reports that `done` of `total` units are finished. */
  update(done: number): void {
    const now = performance.now();
    const elapsed = (now - this.start) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (this.total - done) / rate : Number.NaN;
    const stats = `${done}/${this.total} ${rate.toFixed(rate < 10 ? 2 : 1)} it/s ETA ${formatSeconds(eta)}`;
    if (this.stream.isTTY) {
      if (done < this.total && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round((width * done) / this.total);
      this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${stats}\x1b[K`);
      if (done >= this.total) this.stream.write('\n');
      return;
    }
    const decile = Math.floor((10 * done) / this.total);
    if (decile === this.lastPlainDecile) return;
    this.lastPlainDecile = decile;
    this.stream.write(`${this.label}: ${Math.round((100 * done) / this.total)}% ${stats}\n`);
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
}
