import { escapeHtml } from './listing.js';
import { STATUS_TEXT } from './status-text.js';

/**
 * errorPage is the small built-in HTML page for an error status. It names the status only: no path,
 * no request data, no stack (STYLE.md §4), so it is safe for any error including a 500. `detail` is a
 * fixed sentence static/ wrote for the client (never request data), shown under the heading.
 */
export function errorPage(status: number, detail?: string): string {
  const text = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  const more = detail === undefined ? '' : `<p>${escapeHtml(detail)}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text}</title>
<style>:root{color-scheme:light dark;font-family:system-ui,sans-serif}body{margin:3rem auto;max-width:40rem;padding:0 1rem}</style>
</head><body><h1>${text}</h1>${more}<p><a href="/">Home</a></p></body></html>
`;
}
