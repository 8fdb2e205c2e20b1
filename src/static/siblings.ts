import { statSync, type Stats } from 'node:fs';
import type { Coding } from './encoding.js';

/** Sibling is a precompressed `file.br` / `file.gz` next to the file. */
export interface Sibling {
  readonly coding: Exclude<Coding, 'identity'>;
  readonly path: string;
  readonly st: Stats;
}

const SUFFIX = { br: '.br', gzip: '.gz' } as const;
const NONE: readonly Sibling[] = Object.freeze([]);
/** How long "this file has no precompressed sibling" is believed before the disk is asked again. */
const ABSENT_MS = 1000;

/**
 * SiblingFinder returns the precompressed variants present next to a file (regular files only). Every
 * browser request asks (they all send Accept-Encoding), and most files have no sibling: that answer is
 * kept for a second, saving two stats per request (a tenth of the CPU per small file). A sibling that
 * exists is stat'ed on every request, so its Content-Length and ETag are always those on disk; one
 * created meanwhile is served within a second, and until then the file itself is, which is correct.
 */
export class SiblingFinder {
  /** path -> when (Date.now()) it was found to have no sibling. */
  private readonly absent = new Map<string, number>();

  constructor(private readonly max = 2000) {}

  find(path: string, now = Date.now()): readonly Sibling[] {
    const checked = this.absent.get(path);
    if (checked !== undefined && now - checked < ABSENT_MS) return NONE;
    const out: Sibling[] = [];
    for (const coding of ['br', 'gzip'] as const) {
      const p = path + SUFFIX[coding];
      // synchronous: an absent name is answered from the dentry cache, faster than a thread-pool hop
      const st = statSync(p, { throwIfNoEntry: false });
      if (st?.isFile() === true) out.push({ coding, path: p, st });
    }
    if (out.length > 0) {
      this.absent.delete(path);
      return out;
    }
    if (this.absent.size >= this.max) this.absent.clear(); // crude bound: a refill costs two stats per path
    this.absent.set(path, now);
    return NONE;
  }
}
