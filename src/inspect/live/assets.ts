import { readFileSync } from 'node:fs';

/** Asset is one static file of the page: its bytes and Content-Type, read once at startup. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/**
 * The page's own files live in src/inspect/live/assets (plain HTML, CSS and a JavaScript module that
 * tsc does not touch); package.json "files" ships that folder. From the compiled module in
 * dist/src/inspect/live/ that is four levels up, then down into src/.
 */
const ASSET_DIR = new URL('../../../../src/inspect/live/assets/', import.meta.url);

/**
 * The page also imports two compiled modules of the package itself, both free of imports and of
 * node APIs: the filter (the same code the unit tests check) and the Wireshark-style hexdump.
 */
const MODULES: Record<string, URL> = {
  '/filter.js': new URL('./filter.js', import.meta.url),
  '/hexdump.js': new URL('../hexdump.js', import.meta.url),
};

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/**
 * loadAssets reads every file the page needs, by URL path. Throws the fs error (ENOENT) when the
 * package is incomplete, so the inspector fails at startup rather than on the first page load.
 */
export function loadAssets(): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const [path, { file, type }] of Object.entries(FILES)) out.set(path, { body: readFileSync(new URL(file, ASSET_DIR)), type });
  for (const [path, url] of Object.entries(MODULES)) out.set(path, { body: stripSourceMap(readFileSync(url)), type: 'text/javascript; charset=utf-8' });
  return out;
}

/** stripSourceMap drops tsc's `//# sourceMappingURL=` line: the map is not served. */
function stripSourceMap(js: Buffer): Buffer {
  const text = js.toString('utf8');
  const at = text.lastIndexOf('\n//# sourceMappingURL=');
  return at < 0 ? js : Buffer.from(text.slice(0, at + 1), 'utf8');
}
