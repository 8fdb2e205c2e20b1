import busboy from 'busboy';
import type { Stats } from 'node:fs';
import { lstat, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HttpError } from '../server/http-error.js';
import type { Request, Response } from '../server/types.js';
import { encodeSegment } from './listing.js';
import type { ResolvedOptions } from './options.js';
import { checkRealPath, fsError, resolveSafePath } from './safe-path.js';
import { PendingFile, uploadFsError, uploadName, type Committed } from './upload-store.js';

/** UploadOptions: what `--upload` allows. */
export interface UploadPolicy {
  /** Replace existing files (default false: 409 Conflict). */
  readonly overwrite: boolean;
  /** Largest request body accepted (PUT: the file; POST: the whole form) -> 413 past it. */
  readonly maxBytes: number;
}

/** Most files one form may carry. */
const MAX_FILES = 1000;

/**
 * handlePut stores the request body as the file named by the path (RFC 9110 §9.3.4): 201 Created with
 * Location for a new file, 204 when an existing one was replaced (with overwrite). The folder must
 * exist (409 otherwise: parents are not created). Refusals that need no body (409, 412, 413 from
 * Content-Length) are decided before reading, so a client waiting on `Expect: 100-continue` never
 * sends it (the caller closes the connection after a refusal rather than drain an unwanted body).
 */
export async function handlePut(o: ResolvedOptions, policy: UploadPolicy, req: Request, res: Response): Promise<void> {
  const safe = resolveSafePath(o.root, req.path, o);
  const name = safe.segments.at(-1);
  if (name === undefined || safe.trailingSlash) throw new HttpError(405, 'PUT names a file; POST a form to a folder', { headers: { Allow: allowFor('folder') } });
  uploadName(name, o.showHidden);
  const dir = await existingFolder(o, dirname(safe.abs));
  const pending = new PendingFile(dir, name);
  const existing = await lstatOrUndefined(pending.finalPath);
  if (existing?.isDirectory() === true) throw new HttpError(409, 'A folder has this name');
  if (existing !== undefined && req.headers.get('if-none-match')?.trim() === '*') throw new HttpError(412);
  if (existing !== undefined && !policy.overwrite) throw new HttpError(409, 'A file with this name exists (the server does not overwrite)');
  tooLarge(req, policy);
  await pending.write(req.body, policy.maxBytes);
  const outcome = await pending.commit(policy.overwrite, existing !== undefined);
  const url = `/${safe.segments.map(encodeSegment).join('/')}`;
  o.note(req, `upload: ${outcome} ${safe.decoded} (${pending.bytes} bytes)`);
  if (outcome === 'replaced') {
    res.status(204).end();
    return;
  }
  res.setHeader('Location', url);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.status(201).end(`${url}\n`);
}

/**
 * handlePost stores each file of a multipart/form-data body (parsed by busboy as it arrives) in the
 * folder named by the path. All files are written to temporary names first; only when the whole body
 * has arrived are they given their names, and if one name is taken (409) the ones already placed by
 * this request are removed again. Browsers (Accept: text/html) get 303 See Other back to the folder,
 * so reloading the page does not post again; other clients get 201 Created with Location naming the
 * first file and one URL per line.
 */
export async function handlePost(o: ResolvedOptions, policy: UploadPolicy, req: Request, res: Response): Promise<void> {
  const safe = resolveSafePath(o.root, req.path, o);
  const real = await checkRealPath(o.realRoot, safe.abs, o);
  const st = await stat(real).catch((error: unknown) => {
    throw fsError(error);
  });
  if (!st.isDirectory()) throw new HttpError(405, 'POST uploads to a folder; PUT writes a file', { headers: { Allow: allowFor('file') } });
  const type = req.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) throw new HttpError(415, 'Send multipart/form-data');
  tooLarge(req, policy);
  const files = await receiveForm(o, policy, req, type, real);
  const placed: PendingFile[] = [];
  try {
    for (const f of files) {
      const existed = (await lstatOrUndefined(f.finalPath)) !== undefined;
      if (existed && !policy.overwrite) throw new HttpError(409, 'A file with this name exists (the server does not overwrite)');
      const outcome: Committed = await f.commit(policy.overwrite, existed);
      if (outcome === 'created') placed.push(f);
    }
  } catch (error) {
    await Promise.all(files.map((f) => f.discard()));
    if (!policy.overwrite) await Promise.all(placed.map((f) => unlink(f.finalPath).catch(() => {})));
    throw error;
  }
  const folder = safe.segments.length === 0 ? '/' : `/${safe.segments.map(encodeSegment).join('/')}/`;
  const urls = files.map((f) => folder + encodeSegment(f.name));
  o.note(req, `upload: ${files.map((f) => `${f.name} (${f.bytes} bytes)`).join(', ')} into ${safe.decoded}`);
  if ((req.headers.get('accept') ?? '').includes('text/html')) {
    res.setHeader('Location', folder);
    res.status(303).end();
    return;
  }
  res.setHeader('Location', urls[0]!);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.status(201).end(`${urls.join('\n')}\n`);
}

/** allowFor: the methods a path answers with uploads on. */
export function allowFor(kind: 'file' | 'folder' | 'any'): string {
  return kind === 'file' ? 'GET, HEAD, OPTIONS, PUT' : kind === 'folder' ? 'GET, HEAD, OPTIONS, POST' : 'GET, HEAD, OPTIONS, PUT, POST';
}

/** receiveForm writes every file part to a PendingFile; rejects (after removing them) on any failure. */
function receiveForm(o: ResolvedOptions, policy: UploadPolicy, req: Request, type: string, dir: string): Promise<PendingFile[]> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': type },
      defParamCharset: 'utf8',
      limits: { fileSize: policy.maxBytes + 1, files: MAX_FILES, fields: 100, fieldSize: 64 * 1024, parts: MAX_FILES + 100 },
    });
  } catch (error) {
    return Promise.reject(new HttpError(400, 'Malformed multipart Content-Type', { cause: error }));
  }
  const source = req.body;
  const files: PendingFile[] = [];
  const writes: Promise<void>[] = [];
  return new Promise<PendingFile[]>((resolve, reject) => {
    let failed = false;
    let total = 0;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      source.unpipe(parser);
      source.resume(); // let the engine see the rest of the body (or the close) rather than stall
      parser.removeAllListeners();
      parser.on('error', () => {});
      parser.destroy();
      void Promise.allSettled(writes).then(() => Promise.all(files.map((f) => f.discard()))).then(() => reject(uploadFsError(error)));
    };
    source.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > policy.maxBytes) fail(new HttpError(413, 'Upload too large'));
    });
    parser.on('file', (_field, stream, info) => {
      stream.on('error', () => {});
      if (failed || info.filename === undefined || info.filename === '') {
        stream.resume(); // a form submitted with no file chosen
        return;
      }
      let pending: PendingFile;
      try {
        pending = new PendingFile(dir, uploadName(info.filename, o.showHidden));
      } catch (error) {
        stream.resume();
        return fail(error);
      }
      files.push(pending);
      const write = pending.write(stream, policy.maxBytes);
      stream.on('limit', () => stream.destroy(new HttpError(413, 'Upload too large')));
      write.catch(fail);
      writes.push(write);
    });
    parser.on('filesLimit', () => fail(new HttpError(413, 'Too many files')));
    parser.on('fieldsLimit', () => fail(new HttpError(413, 'Too many form fields')));
    parser.on('partsLimit', () => fail(new HttpError(413, 'Too many form parts')));
    parser.on('error', (error: Error) => fail(new HttpError(400, 'Malformed multipart body', { cause: error })));
    source.on('error', fail); // the client went away (499) or a body timeout (408)
    parser.on('close', () => {
      if (failed) return;
      Promise.all(writes).then(() => {
        if (failed) return;
        if (files.length === 0) return fail(new HttpError(400, 'The form holds no file'));
        resolve(files);
      }, fail);
    });
    source.pipe(parser);
  });
}

/** existingFolder resolves the folder an upload goes to (inside the root, symlinks checked) or throws 409. */
async function existingFolder(o: ResolvedOptions, abs: string): Promise<string> {
  let real: string;
  try {
    real = await checkRealPath(o.realRoot, abs, o);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) throw new HttpError(409, 'The folder does not exist (uploads do not create folders)', { cause: error });
    throw error;
  }
  const st = await stat(real).catch(() => undefined);
  if (st?.isDirectory() !== true) throw new HttpError(409, 'The folder does not exist (uploads do not create folders)');
  return real;
}

/** tooLarge answers 413 from Content-Length before a byte of body is read. */
function tooLarge(req: Request, policy: UploadPolicy): void {
  const length = Number(req.headers.get('content-length') ?? '0');
  if (length > policy.maxBytes) throw new HttpError(413, 'Upload too large');
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch {
    return undefined;
  }
}
