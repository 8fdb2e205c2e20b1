import { extname } from 'node:path';
import mime from 'mime-types';

/** DEFAULT_TYPE is sent for unknown extensions: browsers download it rather than guess (with nosniff). */
export const DEFAULT_TYPE = 'application/octet-stream';

/**
 * Overrides where mime-db's answer is wrong for a static server: `.mjs`/`.cjs` are JavaScript for
 * module loaders (browsers refuse modules with another type), `.wasm` must be exactly
 * application/wasm for `WebAssembly.instantiateStreaming`, and `.ts` source should read as text,
 * not as an MPEG transport stream.
 */
const OVERRIDES: Readonly<Record<string, string>> = {
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.mts': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
};

/** Per-extension memo: a server sees few extensions and looks them up on every response. */
const cache = new Map<string, string>();

/**
 * contentTypeFor returns the Content-Type value for a file name: from mime-types, with
 * `charset=utf-8` added for text types, JavaScript and JSON (mime-types' own charset rule), and
 * DEFAULT_TYPE when the extension is unknown or absent.
 */
export function contentTypeFor(fileName: string): string {
  const ext = extname(fileName).toLowerCase();
  const hit = cache.get(ext);
  if (hit !== undefined) return hit;
  const type = OVERRIDES[ext] ?? lookupType(ext);
  if (cache.size < 1000) cache.set(ext, type); // bounded: extensions come from request paths
  return type;
}

function lookupType(ext: string): string {
  if (ext === '') return DEFAULT_TYPE;
  const base = mime.lookup(ext);
  if (base === false) return DEFAULT_TYPE;
  const full = mime.contentType(base);
  if (full === false) return base;
  // mime-types gives charset to text/* and to JSON/JavaScript; also give it to +xml and +json types
  if (!full.includes('charset=') && (base.endsWith('+xml') || base.endsWith('+json'))) return `${base}; charset=utf-8`;
  return full;
}

/** isHtml reports whether a Content-Type is HTML (for the SPA fallback and 404 pages). */
export function isHtml(contentType: string): boolean {
  return contentType.startsWith('text/html');
}
