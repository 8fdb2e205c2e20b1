import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** EntryKind: what a listing row is; symlinks are reported as what they point to. */
export type EntryKind = 'directory' | 'file' | 'other';

/** ListingEntry is one row of a directory listing. */
export interface ListingEntry {
  readonly name: string;
  readonly kind: EntryKind;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface ListingPage {
  /** The decoded URL path of the directory, starting and ending with `/`. */
  readonly path: string;
  readonly entries: readonly ListingEntry[];
  /** Show the upload form (when the handler accepts uploads). */
  readonly upload?: boolean;
}

/** Entries beyond this are not listed: a listing is for people, and a huge page is a DoS vector. */
export const MAX_LISTING_ENTRIES = 10_000;

/**
 * readListing reads `dir` and returns its entries sorted folders first, then by name (numeric-aware,
 * case-insensitive). Hidden names are skipped unless `showHidden`. Entries that vanish or cannot be
 * stat'ed between readdir and stat are skipped (a listing is a snapshot, not a contract).
 */
export async function readListing(dir: string, showHidden: boolean): Promise<ListingEntry[]> {
  const out: ListingEntry[] = [];
  const handle = await opendir(dir, { bufferSize: 64 });
  for await (const dirent of handle) {
    if (!showHidden && dirent.name.startsWith('.')) continue;
    if (out.length >= MAX_LISTING_ENTRIES) break;
    try {
      const st = await stat(join(dir, dirent.name));
      const kind: EntryKind = st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
      out.push({ name: dirent.name, kind, size: kind === 'file' ? st.size : 0, mtimeMs: st.mtimeMs });
    } catch {
      // dangling symlink or a race with a deletion: leave it out
    }
  }
  return sortEntries(out);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** sortEntries orders folders before files, then by name as a person expects (`2` before `10`). */
export function sortEntries(entries: ListingEntry[]): ListingEntry[] {
  return entries.sort((a, b) => {
    const da = a.kind === 'directory' ? 0 : 1;
    const db = b.kind === 'directory' ? 0 : 1;
    return da - db || collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  });
}

/** escapeHtml makes text safe in element content and in double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** encodeSegment percent-encodes a file name for use as one URL path segment (`#`, `?`, `%` too). */
export function encodeSegment(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** formatSize renders bytes as a short human figure (`512 B`, `1.4 KiB`, `3.0 MiB`). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(1)} ${units[i]}`;
}

/** formatTime renders an mtime as `YYYY-MM-DD HH:MM` UTC: sortable and the same for every visitor. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * renderListingJson is the listing for `Accept: application/json`: the path and one object per entry
 * with name, type, size, ISO mtime and the encoded relative URL.
 */
export function renderListingJson(page: ListingPage): string {
  return JSON.stringify({
    path: page.path,
    entries: page.entries.map((e) => ({
      name: e.name,
      type: e.kind,
      size: e.size,
      modified: new Date(e.mtimeMs).toISOString(),
      url: encodeSegment(e.name) + (e.kind === 'directory' ? '/' : ''),
    })),
  });
}

/**
 * renderListingHtml renders the listing page: breadcrumb, a table (a plain table reads fine without
 * CSS), and a small inline stylesheet that lets the table fit a phone's width. Every name is escaped
 * for HTML and percent-encoded in links.
 */
export function renderListingHtml(page: ListingPage): string {
  const title = escapeHtml(`Index of ${page.path}`);
  const rows: string[] = [];
  if (page.path !== '/') rows.push('<tr><td class="n"><a href="../">../</a></td><td></td><td></td></tr>');
  for (const e of page.entries) {
    const dir = e.kind === 'directory';
    const href = encodeSegment(e.name) + (dir ? '/' : '');
    const label = escapeHtml(e.name) + (dir ? '/' : '');
    const size = dir ? '—' : formatSize(e.size);
    const when = formatTime(e.mtimeMs);
    rows.push(
      `<tr${dir ? ' class="d"' : ''}><td class="n"><a href="${escapeHtml(href)}">${label}</a></td>` +
        `<td class="s" title="${e.size} bytes">${size}</td><td class="t"><time datetime="${new Date(e.mtimeMs).toISOString()}">${when}</time></td></tr>`,
    );
  }
  const form = page.upload === true
    ? '<form method="post" enctype="multipart/form-data"><label>Upload files: <input type="file" name="file" multiple></label> <button>Upload</button></form>\n'
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style>
</head><body>
<h1>Index of ${breadcrumb(page.path)}</h1>
${form}<table>
<thead><tr><th>Name</th><th class="s">Size</th><th class="t">Modified (UTC)</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<p class="c">${page.entries.length} ${page.entries.length === 1 ? 'entry' : 'entries'}</p>
</body></html>
`;
}

/** breadcrumb links each ancestor of `path` (`/ a / b /`), so a phone user can climb in one tap. */
function breadcrumb(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  let href = '/';
  const links = ['<a href="/">/</a>'];
  for (const part of parts) {
    href += `${encodeSegment(part)}/`;
    links.push(`<a href="${escapeHtml(href)}">${escapeHtml(part)}</a>/`);
  }
  return links.join(' ');
}

// Kept tiny and inline (no extra request). System fonts, readable line length, and on narrow
// screens the time column drops and long names wrap instead of forcing horizontal scrolling.
const STYLE = [
  ':root{color-scheme:light dark;font-family:system-ui,sans-serif}',
  'body{margin:0 auto;max-width:60rem;padding:1rem}',
  'h1{font-size:1.2rem;word-break:break-all}',
  'table{border-collapse:collapse;width:100%}',
  'th,td{padding:.45rem .5rem;text-align:left;border-bottom:1px solid #8883}',
  'td.n{word-break:break-all}td.n a{display:block}',
  '.s,.t{white-space:nowrap;text-align:right;font-variant-numeric:tabular-nums}',
  'tr.d a{font-weight:600}a{text-decoration:none}a:hover{text-decoration:underline}',
  'form{margin:1rem 0}.c{color:#888;font-size:.85rem}',
  '@media (max-width:30rem){.t{display:none}}',
].join('');
