import type { Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { Coding } from './encoding.js';
import { SiblingFinder } from './siblings.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** FileVersion is what tells one version of a file from another: the parts of its Stats compared. */
export type FileVersion = Pick<Stats, 'ino' | 'mtimeMs' | 'size'>;

/**
 * A file whose modification time is closer to now than this may still change within the same
 * timestamp (Linux stamps files from a clock that ticks every few ms; FAT and ext4 with small inodes
 * keep whole or even seconds): it is served from a fresh read and not kept, as git does with
 * "racily clean" files. Otherwise two same-size writes in one tick would leave the first in memory.
 */
const RACY_MS = 2000;

/**
 * CachedFile is a small file held in memory with what every response for it needs, computed once per
 * version (PERFORMANCE.md: precompute what does not change). `variants` fills lazily, one compressed
 * body per coding, the first time a client asks for it.
 */
export interface CachedFile {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly size: number;
  readonly body: Buffer;
  readonly variants: Map<Coding, Buffer>;
  /** Bytes charged to the cache budget (body plus variants). */
  cost: number;
  /** The body as a latin1 string, made on first use for small files (see FileCache.latin1). */
  latin1?: string;
  /** Header values for this version, filled by the first response that sends it (serve-file.ts). */
  type?: string;
  etag?: string;
  lastModified?: string;
}

/**
 * FileCache is a bounded LRU of small files keyed by real path; an entry is used only while the file's
 * inode, mtime and size still match the fresh stat the caller passes in, so edits (in place, or saved
 * as a new file renamed over the old) show up on the next request.
 * Map iteration order is insertion order, which makes the LRU a delete-and-reinsert on each hit and
 * eviction a walk from the front. (Stamping hits instead saves ~0.2-0.3 KB of allocation per hit but
 * needs a sort, or a scan, of every entry at each eviction: a folder larger than the budget would pay
 * it on every miss.)
 */
export class FileCache {
  private readonly entries = new Map<string, CachedFile>();
  private total = 0;
  private readonly budget: number;
  readonly maxFileBytes: number;
  /** Precompressed `.br` / `.gz` siblings of the files served (kept here: one memory of the disk per server). */
  readonly siblings = new SiblingFinder();

  constructor(budget: number, maxFileBytes: number) {
    this.budget = budget;
    this.maxFileBytes = Math.min(maxFileBytes, budget);
  }

  /** bytes in use, for tests and stats. */
  get size(): number {
    return this.total;
  }

  /** holds says whether `path` has an entry (any version), without counting as a use; for tests. */
  holds(path: string): boolean {
    return this.entries.has(path);
  }

  /** cacheable says whether a file of `size` bytes may be held (and compressed) in memory. */
  cacheable(size: number): boolean {
    return this.budget > 0 && size <= this.maxFileBytes;
  }

  /**
   * peek returns the entry for `path` when it is held and is version `v`, else undefined,
   * without touching the disk. Synchronous on purpose: a handler that ends its response in the same
   * tick as the request arrived lets the engine send head and body in one write (batched-writer.ts).
   */
  peek(path: string, v: FileVersion): CachedFile | undefined {
    const hit = this.entries.get(path);
    if (hit === undefined || !sameVersion(hit, v)) return undefined;
    this.entries.delete(path);
    this.entries.set(path, hit);
    return hit;
  }

  /**
   * get returns the entry for `path` when it is version `v`, reading the file when absent or stale.
   * Rejects with the fs error when the file cannot be read. A file that changed while being read (its
   * length differs from the stat) or too recently to tell versions apart (RACY_MS) is returned but not kept.
   */
  async get(path: string, v: FileVersion): Promise<CachedFile> {
    const hit = this.entries.get(path);
    if (hit !== undefined && sameVersion(hit, v)) {
      this.entries.delete(path);
      this.entries.set(path, hit);
      return hit;
    }
    if (hit !== undefined) this.remove(path, hit);
    const racy = Date.now() - v.mtimeMs < RACY_MS;
    const body = await readFile(path);
    const entry: CachedFile = { ino: v.ino, mtimeMs: v.mtimeMs, size: v.size, body, variants: new Map(), cost: body.length };
    if (body.length === v.size && !racy) this.add(path, entry);
    return entry;
  }

  /** variant returns the body compressed with `coding`, computing and charging it on first use. */
  async variant(path: string, entry: CachedFile, coding: Exclude<Coding, 'identity'>): Promise<Buffer> {
    const have = entry.variants.get(coding);
    if (have !== undefined) return have;
    const out = coding === 'br'
      ? await brotli(entry.body, {
          // quality 5 is ~10x faster than the default 11 and within a few percent on text
          params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: entry.body.length },
        })
      : await gzipAsync(entry.body, { level: 6 });
    entry.variants.set(coding, out);
    if (this.entries.get(path) === entry) {
      entry.cost += out.length;
      this.total += out.length;
      this.evict();
    }
    return out;
  }

  /**
   * latin1 returns the body as a one-byte string, made once and charged to the budget: the engine sends
   * it with the head in one string write (ServerResponse.endLatin1) instead of joining two Buffers.
   */
  latin1(path: string, entry: CachedFile): string {
    let text = entry.latin1;
    if (text === undefined) {
      text = entry.body.toString('latin1');
      entry.latin1 = text;
      if (this.entries.get(path) === entry) {
        entry.cost += text.length;
        this.total += text.length;
        this.evict();
      }
    }
    return text;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  private add(path: string, entry: CachedFile): void {
    this.entries.set(path, entry);
    this.total += entry.cost;
    this.evict();
  }

  private remove(path: string, entry: CachedFile): void {
    this.entries.delete(path);
    this.total -= entry.cost;
  }

  private evict(): void {
    for (const [path, entry] of this.entries) {
      if (this.total <= this.budget) break;
      this.remove(path, entry);
    }
  }
}

function sameVersion(entry: CachedFile, v: FileVersion): boolean {
  return entry.mtimeMs === v.mtimeMs && entry.size === v.size && entry.ino === v.ino;
}
