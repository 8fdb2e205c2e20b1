import { Transform, type TransformCallback } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** Lab switches that make a byte stream misbehave on purpose, so the protocol's coping can be watched. */
export interface ShapeOptions {
  /** Hold every chunk back this long before passing it on. */
  delayMs?: number;
  /** Pass at most this many bytes per second (in tenth-of-a-second slices). */
  bytesPerSecond?: number;
  /** Pass this many bytes, then cut the stream (the relay closes both connections). */
  dropAfter?: number;
}

/**
 * Shaper applies ShapeOptions to a stream in order: delay, then throttle, then the byte budget.
 * `onDrop` runs once when the budget is spent, after the allowed bytes were pushed.
 */
export class Shaper extends Transform {
  private passed = 0;
  private dropped = false;

  constructor(private readonly options: ShapeOptions, private readonly onDrop: () => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.shape(chunk).then(() => done(), done);
  }

  private async shape(chunk: Buffer): Promise<void> {
    if (this.dropped) return;
    const { delayMs, bytesPerSecond, dropAfter } = this.options;
    if (delayMs !== undefined && delayMs > 0) await sleep(delayMs);
    let data = chunk;
    if (dropAfter !== undefined && this.passed + data.length >= dropAfter) {
      data = data.subarray(0, Math.max(0, dropAfter - this.passed));
      this.dropped = true;
    }
    if (bytesPerSecond !== undefined && bytesPerSecond > 0) {
      const slice = Math.max(1, Math.floor(bytesPerSecond / 10));
      for (let i = 0; i < data.length; i += slice) {
        this.push(data.subarray(i, i + slice));
        await sleep(100);
      }
    } else if (data.length > 0) {
      this.push(data);
    }
    this.passed += data.length;
    if (this.dropped) {
      // Let the allowed bytes reach the socket before cutting it.
      await sleep(20);
      this.onDrop();
    }
  }
}
