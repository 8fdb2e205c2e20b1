import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError } from '../server/http-error.js';

/** Outcome of committing an upload: a new name, or an existing file replaced (with overwrite). */
export type Committed = 'created' | 'replaced';

/**
 * PendingFile is an upload being written under a temporary hidden name in the folder it will live in
 * (`.NAME.RANDOM.upload`: same filesystem, so the final rename is atomic, and a dotfile, so listings
 * and requests do not see it). Only `commit` gives it its final name; a partial upload never appears
 * there. `discard` removes the temporary file and is safe to call at any time, more than once.
 */
export class PendingFile {
  readonly tmpPath: string;
  bytes = 0;
  private state: 'writing' | 'written' | 'committed' | 'discarded' = 'writing';

  constructor(readonly dir: string, readonly name: string) {
    this.tmpPath = join(dir, `.${name.slice(0, 100)}.${randomBytes(6).toString('hex')}.upload`);
  }

  get finalPath(): string {
    return join(this.dir, this.name);
  }

  /**
   * write streams `source` into the temporary file with backpressure, at most `limit` bytes (more ->
   * HttpError 413). Rejects with the source's error when the client goes away (HttpError 499) and with
   * the fs error mapped by `uploadFsError`. The temporary file is removed on every failure.
   */
  async write(source: Readable, limit: number): Promise<void> {
    const counter = new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) => {
        this.bytes += chunk.length;
        if (this.bytes > limit) done(new HttpError(413, 'Upload too large'));
        else done(null, chunk);
      },
    });
    try {
      // 'wx': never follow or reuse something already at the temporary name
      await pipeline(source, counter, createWriteStream(this.tmpPath, { flags: 'wx', mode: 0o644 }));
      this.state = 'written';
    } catch (error) {
      await this.discard();
      throw uploadFsError(error);
    }
  }

  /**
   * commit gives the file its final name. Without `overwrite` it uses link(2), which fails if the name
   * exists (no window between a check and the rename) -> HttpError 409; with `overwrite`, rename(2)
   * replaces atomically (a symlink at the name is replaced, never followed).
   */
  async commit(overwrite: boolean, existed: boolean): Promise<Committed> {
    if (this.state !== 'written') throw new Error('commit before the upload was written');
    try {
      if (overwrite) {
        await rename(this.tmpPath, this.finalPath);
      } else {
        await link(this.tmpPath, this.finalPath);
        await unlink(this.tmpPath).catch(() => {});
      }
    } catch (error) {
      await this.discard();
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' || (error as NodeJS.ErrnoException).code === 'EISDIR') {
        throw new HttpError(409, 'A file with this name exists', { cause: error });
      }
      throw uploadFsError(error);
    }
    this.state = 'committed';
    return overwrite && existed ? 'replaced' : 'created';
  }

  /** discard removes the temporary file (not a committed one). */
  async discard(): Promise<void> {
    if (this.state === 'committed' || this.state === 'discarded') return;
    this.state = 'discarded';
    await unlink(this.tmpPath).catch(() => {});
  }
}

/** uploadFsError: HttpErrors pass through; a full disk is 507, permissions 403, the rest 500 (not exposed). */
export function uploadFsError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new HttpError(507, undefined, { cause: error, expose: false });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new HttpError(403, undefined, { cause: error, expose: false });
  return new HttpError(500, undefined, { cause: error, expose: false });
}

/**
 * uploadName checks a file name a client chose (a PUT path's last segment, a form's filename) and
 * returns it, or throws HttpError 400: empty, `.`/`..`, path separators, NUL and control characters,
 * names over 255 bytes; dotfiles are refused (403) unless hidden files are served.
 */
export function uploadName(name: string, showHidden: boolean): string {
  if (name === '' || name === '.' || name === '..' || Buffer.byteLength(name) > 255) throw new HttpError(400, 'Bad file name');
  if (/[\x00-\x1f\x7f/\\]/.test(name)) throw new HttpError(400, 'Bad file name');
  if (name.startsWith('.') && !showHidden) throw new HttpError(403, 'Dotfiles are not accepted');
  return name;
}
