import { Transform, pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw, constants } from 'node:zlib';
import { DecodeError } from './errors.js';

/** ContentCoding is a Content-Encoding this client can undo (RFC 9110 §8.4.1). */
export type ContentCoding = 'gzip' | 'deflate' | 'br';

/** ACCEPT_ENCODING is the Accept-Encoding value sent when decoding is on (curl --compressed sends the same set). */
export const ACCEPT_ENCODING = 'deflate, gzip, br';

/**
 * codingsToUndo parses a Content-Encoding field value into the codings to undo, last applied first.
 * Returns undefined when any coding is unknown (then the body is passed through untouched, as curl
 * does), and [] for `identity` or an empty value.
 */
export function codingsToUndo(value: string | undefined): ContentCoding[] | undefined {
  if (value === undefined) return [];
  const out: ContentCoding[] = [];
  for (const raw of value.split(',')) {
    const c = raw.trim().toLowerCase();
    if (c === '' || c === 'identity') continue;
    if (c === 'gzip' || c === 'x-gzip') out.push('gzip');
    else if (c === 'deflate') out.push('deflate');
    else if (c === 'br') out.push('br');
    else return undefined;
  }
  return out.reverse();
}

function decoder(coding: ContentCoding): Transform {
  if (coding === 'gzip') return createGunzip({ finishFlush: constants.Z_SYNC_FLUSH });
  if (coding === 'br') return createBrotliDecompress();
  return sniffingInflate();
}

/**
 * decodeBody returns a stream of `raw` with `codings` undone. Decoder failures surface as DecodeError
 * (code EDECODE) on the returned stream; errors of `raw` pass through unchanged.
 */
export function decodeBody(raw: Readable, codings: readonly ContentCoding[]): Readable {
  if (codings.length === 0) return raw;
  const stages: Transform[] = codings.map(decoder);
  let rawError: Error | undefined;
  raw.once('error', (e) => (rawError = e));
  const last = stages[stages.length - 1]!;
  const streams = [raw, ...stages] as unknown as [Readable, ...Transform[]];
  (pipeline as unknown as (...args: unknown[]) => void)(...streams, (error: Error | null | undefined) => {
    if (error === null || error === undefined) return;
    const out = rawError ?? (error instanceof DecodeError ? error : new DecodeError(`could not decode the ${codings.join(', ')} body: ${error.message}`, { cause: error }));
    if (!last.destroyed) last.destroy(out);
    else if (last.errored !== out) last.emit('error', out);
  });
  return last;
}

/**
 * sniffingInflate inflates `deflate` bodies, which servers send either zlib-wrapped (RFC 1950, as the
 * spec says) or raw (RFC 1951, a common mistake): the first byte's CM nibble (8 = deflate) decides.
 */
function sniffingInflate(): Transform {
  let chosen: Transform | undefined;
  const t: Transform = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void) {
      if (chosen === undefined) {
        chosen = (chunk[0]! & 0x0f) === 0x08 ? createInflate() : createInflateRaw();
        chosen.on('data', (d: Buffer) => t.push(d));
        chosen.on('error', (e: Error) => t.destroy(e));
      }
      if (chosen.write(chunk)) cb();
      else chosen.once('drain', () => cb());
    },
    flush(cb: (e?: Error | null) => void) {
      if (chosen === undefined) return cb();
      chosen.once('end', () => cb());
      chosen.end();
    },
  });
  return t;
}
