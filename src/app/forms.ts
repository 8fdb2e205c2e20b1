import busboy from 'busboy';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { HttpError } from '../server/http-error.js';
import type { Request } from '../server/types.js';

/** FormLimits bound what a form body may hold; past any of them the request gets 413. */
export interface FormLimits {
  /**
   * Largest urlencoded or JSON body (bytes). A multipart body may be up to this plus `files * fileBytes`
   * in total (field values and part headers count against this share).
   */
  readonly bodyBytes: number;
  /** Largest uploaded file (bytes). */
  readonly fileBytes: number;
  /** Most files in one request. */
  readonly files: number;
  /** Most non-file fields in one request. */
  readonly fields: number;
  /** Largest value of a non-file field (bytes). */
  readonly fieldBytes: number;
}

export const DEFAULT_FORM_LIMITS: FormLimits = {
  bodyBytes: 1024 * 1024,
  fileBytes: 10 * 1024 * 1024,
  files: 10,
  fields: 1000,
  fieldBytes: 64 * 1024,
};

/** MultiMap is a read-only name -> values map that keeps repeated names, like URLSearchParams. */
export class MultiMap<T> {
  private readonly map = new Map<string, T[]>();
  add(name: string, value: T): void {
    const list = this.map.get(name);
    if (list === undefined) this.map.set(name, [value]);
    else list.push(value);
  }
  /** get returns the first value for `name`. */
  get(name: string): T | undefined {
    return this.map.get(name)?.[0];
  }
  getAll(name: string): T[] {
    return [...(this.map.get(name) ?? [])];
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  get size(): number {
    return this.map.size;
  }
  *[Symbol.iterator](): IterableIterator<[string, T]> {
    for (const [k, list] of this.map) for (const v of list) yield [k, v];
  }
}

/** UploadedFile is a file part written to a temporary file, deleted once the response is sent. */
export interface UploadedFile {
  readonly field: string;
  /** The name the client gave (untrusted: never use it as a path). */
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  /** The temporary file's path; copy or move it to keep the upload. */
  readonly path: string;
  bytes(): Promise<Buffer>;
  text(): Promise<string>;
}

/** FormData is the parsed form of a request: fields and files. */
export interface FormData {
  readonly form: URLSearchParams;
  readonly files: MultiMap<UploadedFile>;
}

export type FormKind = 'urlencoded' | 'multipart' | 'none';

/** formKind classifies a Content-Type value (media types are case-insensitive, RFC 9110 §8.3.1). */
export function formKind(contentType: string | undefined): FormKind {
  if (contentType === undefined) return 'none';
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return 'urlencoded';
  if (type === 'multipart/form-data') return 'multipart';
  return 'none';
}

/** TempDir is the per-request folder for uploads, created on the first file. */
export class TempDir {
  private dir: Promise<string> | undefined;
  async file(n: number): Promise<string> {
    this.dir ??= mkdtemp(join(tmpdir(), 'wirehttp-upload-'));
    return join(await this.dir, String(n));
  }
  /** cleanup removes the folder and every upload in it. Never throws. */
  async cleanup(): Promise<void> {
    if (this.dir === undefined) return;
    const dir = await this.dir.catch(() => undefined);
    this.dir = undefined;
    if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** parseUrlencoded reads a urlencoded body (HttpError 413 past bodyBytes or the field count). */
export async function parseUrlencoded(req: Request, limits: FormLimits): Promise<URLSearchParams> {
  const body = await req.text(limits.bodyBytes);
  const form = new URLSearchParams(body);
  let count = 0;
  for (const [, value] of form) {
    if (++count > limits.fields) throw new HttpError(413, 'Too many form fields');
    if (Buffer.byteLength(value) > limits.fieldBytes) throw new HttpError(413, 'Form field too large');
  }
  return form;
}

/**
 * parseMultipart streams a multipart/form-data body through busboy: fields into URLSearchParams, file
 * parts into files under `temp` with backpressure (a slow disk pauses the socket). A file part with an
 * empty filename (a form submitted with no file chosen) is skipped. Rejects with HttpError 413 when a
 * limit is passed and 400 for a malformed body; files written so far stay in `temp` for cleanup.
 */
export function parseMultipart(req: Request, contentType: string, limits: FormLimits, temp: TempDir): Promise<FormData> {
  const form = new URLSearchParams();
  const files = new MultiMap<UploadedFile>();
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      // busboy marks a file truncated on reaching fileSize, so allow one more byte to mean "past the
      // limit"; empty file parts (no file chosen) count for busboy, so real files are counted below.
      limits: { fileSize: limits.fileBytes + 1, files: 2 * limits.files + 1, fields: limits.fields, fieldSize: limits.fieldBytes, parts: 2 * limits.files + 1 + limits.fields },
    });
  } catch (error) {
    return Promise.reject(new HttpError(400, 'Malformed multipart Content-Type', { cause: error }));
  }
  const source: Readable = req.body;
  return new Promise<FormData>((resolve, reject) => {
    const writes: Promise<void>[] = [];
    const finished: Array<UploadedFile | undefined> = [];
    let failed = false;
    let total = 0;
    let n = 0;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      source.unpipe(parser);
      source.off('data', count);
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      parser.destroy();
      reject(error);
    };
    const count = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limits.bodyBytes + limits.files * limits.fileBytes) fail(new HttpError(413, 'Multipart body too large'));
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated) return fail(new HttpError(413, 'Form field too large'));
      form.append(name, value);
    });
    parser.on('file', (field, stream, info) => {
      // after a failure busboy destroys unfinished file streams with an error: reported once, via fail()
      stream.on('error', () => undefined);
      const filename = info.filename;
      if (failed || filename === undefined || filename === '') {
        stream.resume();
        return;
      }
      if (n === limits.files) {
        stream.resume();
        return fail(new HttpError(413, 'Too many files'));
      }
      const index = n++;
      const done = temp.file(index).then(
        (path) =>
          new Promise<void>((ok, bad) => {
            let size = 0;
            const out = createWriteStream(path, { flags: 'wx' });
            stream.on('data', (c: Buffer) => (size += c.length));
            stream.on('limit', () => {
              out.destroy();
              bad(new HttpError(413, 'Uploaded file too large'));
            });
            out.on('error', bad);
            stream.on('error', (error: Error) => {
              out.destroy();
              bad(error);
            });
            out.on('finish', () => {
              if ((stream as { truncated?: boolean }).truncated === true) return bad(new HttpError(413, 'Uploaded file too large'));
              finished[index] = uploaded(field, filename, info.mimeType, size, path);
              ok();
            });
            stream.pipe(out);
          }),
      );
      done.catch((error: Error) => fail(error));
      writes.push(done);
    });
    parser.on('filesLimit', () => fail(new HttpError(413, 'Too many files')));
    parser.on('fieldsLimit', () => fail(new HttpError(413, 'Too many form fields')));
    parser.on('partsLimit', () => fail(new HttpError(413, 'Too many form parts')));
    parser.on('error', (error: Error) => fail(new HttpError(400, 'Malformed multipart body', { cause: error })));
    source.on('error', (error: Error) => fail(error)); // 413 from the engine's limit, 408, a client gone
    parser.on('close', () => {
      if (failed) return;
      Promise.all(writes).then(
        () => {
          if (failed) return;
          // in the order the parts came, not the order their temp files finished writing
          for (const file of finished) if (file !== undefined) files.add(file.field, file);
          resolve({ form, files });
        },
        (error: Error) => fail(error),
      );
    });
    source.on('data', count);
    source.pipe(parser);
  });
}

function uploaded(field: string, filename: string, contentType: string, size: number, path: string): UploadedFile {
  return {
    field,
    filename,
    contentType,
    size,
    path,
    bytes: () => readFile(path),
    text: () => readFile(path, 'utf8'),
  };
}
