import { STATUS_REASONS } from '../wire/index.js';

/**
 * HttpError is thrown by handlers (static/, app/) and by the engine to answer with a status.
 * `expose` says whether `message` may be sent to the client; when false the client sees only the
 * standard reason phrase, so paths, stacks and user input never leak.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly expose: boolean;
  /** Extra response headers (e.g. Allow for 405, Content-Range for 416). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    message?: string,
    options?: { cause?: unknown; expose?: boolean; headers?: Record<string, string> },
  ) {
    super(message ?? STATUS_REASONS[status] ?? `HTTP ${status}`, { cause: options?.cause });
    this.status = status;
    this.expose = options?.expose ?? status < 500;
    this.headers = options?.headers ?? {};
  }
}

/** isHttpError narrows unknown values thrown by handlers. */
export function isHttpError(value: unknown): value is HttpError {
  return value instanceof HttpError;
}
