import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import mime from 'mime-types';
import { CliError } from './output.js';
import type { DataPart, FormPart } from './request-args.js';

/** CliBody is the request body the command line asked for, with its Content-Type. */
export interface CliBody {
  bytes: Buffer;
  contentType: string;
  /** --json also asks for `Accept: application/json`. */
  json: boolean;
}

let stdinCache: Promise<Buffer> | undefined;

/** readStdin reads all of stdin once (later `@-` reuse the same bytes). */
export function readStdin(): Promise<Buffer> {
  stdinCache ??= (async () => {
    const parts: Buffer[] = [];
    for await (const chunk of process.stdin) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  })();
  return stdinCache;
}

async function readSource(path: string): Promise<Buffer> {
  if (path === '-') return readStdin();
  try {
    return await readFile(path);
  } catch (error) {
    throw new CliError(`Failed to open/read local data from file/application: ${path}`, 26, { cause: error });
  }
}

/** stripNewlines removes CR and LF as curl does for `-d @file`. */
function stripNewlines(b: Buffer): Buffer {
  return Buffer.from(b.filter((c) => c !== 0x0a && c !== 0x0d));
}

async function dataPart(part: DataPart): Promise<Buffer> {
  const v = part.value;
  switch (part.kind) {
    case 'ascii':
      return v.startsWith('@') ? stripNewlines(await readSource(v.slice(1))) : Buffer.from(v);
    case 'binary':
    case 'json':
      return v.startsWith('@') ? readSource(v.slice(1)) : Buffer.from(v);
    case 'raw':
      return Buffer.from(v);
    case 'urlencode': {
      // curl's forms: content | =content | name=content | @file | name@file
      const eq = v.indexOf('=');
      const at = v.indexOf('@');
      if (eq >= 0 && (at < 0 || eq < at)) {
        const name = v.slice(0, eq);
        return Buffer.from(`${name === '' ? '' : `${name}=`}${encodeURIComponent(v.slice(eq + 1))}`);
      }
      if (at >= 0) {
        const name = v.slice(0, at);
        const content = (await readSource(v.slice(at + 1))).toString('utf8');
        return Buffer.from(`${name === '' ? '' : `${name}=`}${encodeURIComponent(content)}`);
      }
      return Buffer.from(encodeURIComponent(v));
    }
  }
}

/** buildDataBody joins -d style parts with '&' (as curl does) and picks the Content-Type. */
export async function buildDataBody(parts: readonly DataPart[]): Promise<CliBody | undefined> {
  if (parts.length === 0) return undefined;
  const json = parts.some((p) => p.kind === 'json');
  const chunks: Buffer[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i > 0 && !(parts[i]!.kind === 'json' && parts[i - 1]!.kind === 'json')) chunks.push(Buffer.from('&'));
    chunks.push(await dataPart(parts[i]!));
  }
  return { bytes: Buffer.concat(chunks), contentType: json ? 'application/json' : 'application/x-www-form-urlencoded', json };
}

function quote(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\r\n]/g, ' ');
}

/**
 * buildMultipart encodes -F parts as multipart/form-data (RFC 7578): `name=value`, `name=@path` (a
 * file, with filename and a Content-Type from its extension), `name=<path` (file content as a plain
 * value), and `;type=…` / `;filename=…` suffixes as in curl.
 */
export async function buildMultipart(parts: readonly FormPart[], boundary = `------------------------${randomBytes(8).toString('hex')}`): Promise<CliBody> {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let value = part.value;
    let type: string | undefined;
    let filename: string | undefined;
    const isFile = value.startsWith('@');
    const isContent = value.startsWith('<');
    if (isFile || isContent) {
      const segs = value.slice(1).split(';');
      value = segs[0]!;
      for (const s of segs.slice(1)) {
        if (s.startsWith('type=')) type = s.slice(5);
        else if (s.startsWith('filename=')) filename = s.slice(9);
      }
    }
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quote(part.name)}"`;
    let content: Buffer;
    if (isFile) {
      content = await readSource(value);
      filename ??= value === '-' ? '-' : basename(value);
      type ??= (mime.lookup(filename) || 'application/octet-stream');
      head += `; filename="${quote(filename)}"\r\nContent-Type: ${type}`;
    } else {
      content = isContent ? await readSource(value) : Buffer.from(value);
      if (type !== undefined) head += `\r\nContent-Type: ${type}`;
    }
    chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'), content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { bytes: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}`, json: false };
}
