import { HttpError } from '../server/http-error.js';
import { STATUS_REASONS } from '../wire/index.js';
import { AppResponse, CONTENT_TYPES } from './response.js';

/** escapeHtml makes text safe inside HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** toHttpError maps anything thrown to the HttpError that answers it (unknown errors -> 500, not exposed). */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  return new HttpError(500, undefined, { cause: error, expose: false });
}

/**
 * wantsJson: the client prefers JSON to HTML (RFC 9110 §12.5.1 q-values). `Accept: application/json`
 * or `*\/json` variants win unless text/html has a higher or equal weight; no Accept means HTML.
 */
export function wantsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.indexOf('json') === -1) return false;
  let jsonQ = 0;
  let htmlQ = 0;
  for (const item of accept.split(',')) {
    const [range = '', ...params] = item.split(';');
    const type = range.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k?.trim().toLowerCase() === 'q') q = Number(v) || 0;
    }
    if (type === 'application/json' || type.endsWith('+json')) jsonQ = Math.max(jsonQ, q);
    else if (type === 'text/html') htmlQ = Math.max(htmlQ, q);
  }
  return jsonQ > 0 && jsonQ > htmlQ;
}

/**
 * defaultErrorResponse renders the built-in page (or JSON body) for `error`. The message is shown
 * only when the error is exposed (`HttpError.expose`, true below 500); otherwise the reason phrase.
 * With `dev`, a 500's stack goes into the page: never in production.
 */
export function defaultErrorResponse(error: HttpError, json: boolean, dev: boolean): AppResponse {
  const status = error.status;
  const reason = STATUS_REASONS[status] ?? 'Error';
  const message = error.expose ? error.message : reason;
  const detail = dev && !error.expose ? debugText(error) : undefined;
  let res: AppResponse;
  if (json) {
    const body: { error: { status: number; message: string; debug?: string } } = { error: { status, message } };
    if (detail !== undefined) body.error.debug = detail;
    res = new AppResponse(JSON.stringify(body), status, CONTENT_TYPES.json);
  } else {
    const title = escapeHtml(`${status} ${reason}`);
    const text = message === reason ? '' : `<p>${escapeHtml(message)}</p>`;
    const debug = detail === undefined ? '' : `<pre>${escapeHtml(detail)}</pre>`;
    res = new AppResponse(
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
        `<body><h1>${title}</h1>${text}${debug}</body></html>\n`,
      status,
      CONTENT_TYPES.html,
    );
  }
  for (const [name, value] of Object.entries(error.headers)) res.header(name, value);
  res.header('Cache-Control', 'no-store');
  return res;
}

function debugText(error: HttpError): string {
  const cause = error.cause;
  if (cause instanceof Error) return cause.stack ?? `${cause.name}: ${cause.message}`;
  return error.stack ?? error.message;
}
