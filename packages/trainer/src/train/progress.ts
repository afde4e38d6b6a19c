/** Where progress goes: a TTY stream gets one redrawn bar, anything else plain lines. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** A progress bar for the training loop: step, loss, it/s, ETA; redrawn at most 10×/s on a TTY. */
export class ProgressBar {
  private lastDraw = 0;
  private readonly startTime = performance.now();
  private readonly tty: boolean;

  constructor(
    private readonly stream: ProgressStream,
    private readonly firstStep: number,
    private readonly totalSteps: number,
    /** Plain-line mode prints every this many steps. */
    private readonly lineEvery: number,
  ) {
    this.tty = stream.isTTY === true;
  }

  private line(step: number, loss: number): string {
    const seconds = (performance.now() - this.startTime) / 1000;
    const done = step - this.firstStep;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (this.totalSteps - step) / rate : Number.POSITIVE_INFINITY;
    const stats = `${step}/${this.totalSteps} loss ${loss.toFixed(4)} ${rate.toFixed(1)} it/s ETA ${formatDuration(eta)}`;
    if (!this.tty) return `step ${stats}`;
    const width = 24;
    const filled = Math.round((width * step) / Math.max(1, this.totalSteps));
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${stats}`;
  }

  /** Reports that `step` steps are complete. */
  update(step: number, loss: number): void {
    if (this.tty) {
      const now = performance.now();
      if (now - this.lastDraw < 100 && step < this.totalSteps) return;
      this.lastDraw = now;
      this.stream.write(`\r\x1b[2K${this.line(step, loss)}`);
    } else if (step % this.lineEvery === 0 || step === this.totalSteps) {
      this.stream.write(`${this.line(step, loss)}\n`);
    }
  }

  /** Ends the bar's line so other messages start on a fresh one. */
  interrupt(): void {
    if (this.tty && this.lastDraw > 0) this.stream.write('\n');
    this.lastDraw = 0;
  }
}
