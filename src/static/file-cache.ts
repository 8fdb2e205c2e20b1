import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { Coding } from './encoding.js';
import { SiblingFinder } from './siblings.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * CachedFile is a small file held in memory with what every response for it needs, computed once per
 * version (PERFORMANCE.md: precompute what does not change). `variants` fills lazily, one compressed
 * body per coding, the first time a client asks for it.
 */
export interface CachedFile {
  readonly mtimeMs: number;
  readonly size: number;
  readonly body: Buffer;
  readonly variants: Map<Coding, Buffer>;
  /** Bytes charged to the cache budget (body plus variants). */
  cost: number;
  /** Header values for this version, filled by the first response that sends it (serve-file.ts). */
  type?: string;
  etag?: string;
  lastModified?: string;
}

/**
 * FileCache is a bounded LRU of small files keyed by real path; an entry is used only while the file's
 * mtime and size still match the fresh stat the caller passes in, so edits show up on the next request.
 * Map iteration order is insertion order, which makes the LRU a delete-and-reinsert on each hit.
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

  /** cacheable says whether a file of `size` bytes may be held (and compressed) in memory. */
  cacheable(size: number): boolean {
    return this.budget > 0 && size <= this.maxFileBytes;
  }

  /**
   * peek returns the entry for `path` when it is held and matches `mtimeMs` and `size`, else undefined,
   * without touching the disk. Synchronous on purpose: a handler that ends its response in the same
   * tick as the request arrived lets the engine send head and body in one write (batched-writer.ts).
   */
  peek(path: string, mtimeMs: number, size: number): CachedFile | undefined {
    const hit = this.entries.get(path);
    if (hit === undefined || hit.mtimeMs !== mtimeMs || hit.size !== size) return undefined;
    this.entries.delete(path);
    this.entries.set(path, hit);
    return hit;
  }

  /**
   * get returns the entry for `path` when it matches `mtimeMs` and `size`, reading the file when absent
   * or stale. Rejects with the fs error when the file cannot be read. A file that changed while being
   * read (its length differs from the stat) is returned but not kept.
   */
  async get(path: string, mtimeMs: number, size: number): Promise<CachedFile> {
    const hit = this.entries.get(path);
    if (hit !== undefined && hit.mtimeMs === mtimeMs && hit.size === size) {
      this.entries.delete(path);
      this.entries.set(path, hit);
      return hit;
    }
    if (hit !== undefined) this.remove(path, hit);
    const body = await readFile(path);
    const entry: CachedFile = { mtimeMs, size, body, variants: new Map(), cost: body.length };
    if (body.length === size) this.add(path, entry);
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
