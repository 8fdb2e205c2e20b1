import { STATUS_REASONS } from '../wire/index.js';
import { isHttpError } from './http-error.js';
import type { ServerResponse } from './response.js';

/**
 * renderHandlerError answers for a handler that threw before sending its head. An HttpError gives its
 * status, headers and (when exposed) its message; anything else is a 500 whose body says nothing about
 * the failure, so stacks and paths never reach the client. The connection stays usable.
 */
export function renderHandlerError(res: ServerResponse, error: unknown): void {
  const status = isHttpError(error) ? error.status : 500;
  res.resetForError(status);
  if (isHttpError(error)) {
    for (const name of Object.keys(error.headers)) res.setHeader(name, error.headers[name]!);
    if (status === 408 || status === 413 || status === 499) res.closeAfter();
  }
  const reason = STATUS_REASONS[status] ?? 'Error';
  const detail = isHttpError(error) && error.expose && error.message !== reason ? `: ${error.message}` : '';
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(`${status} ${reason}${detail}\n`);
}
