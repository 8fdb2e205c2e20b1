/** ProgressSink is where the bar is drawn: a TTY stream (stderr). */
export interface ProgressSink {
  write(text: string): unknown;
  columns?: number;
}

/**
 * ProgressBar draws a one-line download progress bar (percentage when the size is known, bytes,
 * rate, ETA), redrawing at most every `intervalMs`. It only draws; the caller decides whether a bar
 * is wanted (a TTY and not -s).
 */
export class ProgressBar {
  private readonly sink: ProgressSink;
  private readonly total: number | undefined;
  private readonly started: number;
  private readonly intervalMs: number;
  private lastDraw = 0;
  private bytes = 0;
  private drawn = false;

  constructor(sink: ProgressSink, total: number | undefined, options: { now?: number; intervalMs?: number } = {}) {
    this.sink = sink;
    this.total = total;
    this.started = options.now ?? Date.now();
    this.intervalMs = options.intervalMs ?? 100;
  }

  /** update records `n` more bytes and redraws when the interval has passed. */
  update(n: number, now = Date.now()): void {
    this.bytes += n;
    if (now - this.lastDraw >= this.intervalMs) {
      this.lastDraw = now;
      this.draw(now);
    }
  }

  /** finish draws the final state and ends the line. */
  finish(now = Date.now()): void {
    this.draw(now);
    if (this.drawn) this.sink.write('\n');
  }

  /** line renders the bar's text for the current state (exposed for tests). */
  line(now = Date.now()): string {
    const elapsed = Math.max(1, now - this.started) / 1000;
    const rate = this.bytes / elapsed;
    const width = Math.max(10, Math.min(40, (this.sink.columns ?? 80) - 50));
    let bar: string;
    let eta = '--:--';
    if (this.total !== undefined && this.total > 0) {
      const frac = Math.min(1, this.bytes / this.total);
      const filled = Math.round(frac * width);
      bar = `${String(Math.floor(frac * 100)).padStart(3)}% [${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}]`;
      if (rate > 0) eta = clock((this.total - this.bytes) / rate);
    } else {
      const pos = Math.floor(elapsed * 4) % width;
      bar = `     [${' '.repeat(pos)}<=>${' '.repeat(Math.max(0, width - pos - 3))}]`.slice(0, width + 7);
    }
    return `${bar} ${formatBytes(this.bytes).padStart(9)} ${`${formatBytes(rate)}/s`.padStart(11)}  ETA ${eta}`;
  }

  private draw(now: number): void {
    this.drawn = true;
    this.sink.write(`\r${this.line(now)}`);
  }
}

/** formatBytes renders a byte count with binary units: `512 B`, `1.5 KiB`, `12.0 MiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** clock renders seconds as m:ss or h:mm:ss. */
export function clock(secondsLeft: number): string {
  if (!Number.isFinite(secondsLeft) || secondsLeft < 0) return '--:--';
  const s = Math.round(secondsLeft);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
