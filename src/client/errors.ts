/**
 * ClientErrorCode is the closed set of reasons a client request fails. Codes are stable: programs
 * (and cli/, which maps them to curl's exit codes) branch on `code`, never on `message`.
 */
export const ClientErrorCode = {
  /** The URL or an option is invalid (bad scheme, CR/LF in a header, unreadable body source). */
  EINVALID: 'EINVALID',
  /** The host name did not resolve (ENOTFOUND, EAI_AGAIN). */
  ERESOLVE: 'ERESOLVE',
  /** TCP connect failed (ECONNREFUSED, EHOSTUNREACH…). */
  ECONNECT: 'ECONNECT',
  /** A connect, response-head, idle-body or total timeout expired; see `TimeoutError.phase`. */
  ETIMEOUT: 'ETIMEOUT',
  /** The TLS handshake failed; `TlsError.verify` is true when the peer certificate was rejected. */
  ETLS: 'ETLS',
  /** The response bytes are not valid HTTP/1.x (wraps the WireError). */
  EPARSE: 'EPARSE',
  /** The connection was reset or closed in the middle of a response. */
  ERESET: 'ERESET',
  /** The server closed the connection before sending any byte of the response. */
  ECLOSED: 'ECLOSED',
  /** The caller's AbortSignal fired. */
  EABORTED: 'EABORTED',
  /** Too many redirects, or a Location that cannot be followed. */
  EREDIRECT: 'EREDIRECT',
  /** Content-Encoding could not be decoded (bad gzip/br/deflate data). */
  EDECODE: 'EDECODE',
  /** Reading the request body source failed. */
  EBODY: 'EBODY',
} as const;

export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** ClientError is the base of every error the client throws; `cause` holds the underlying error. */
export class ClientError extends Error {
  override readonly name: string = 'ClientError';
  readonly code: ClientErrorCode;
  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export class InvalidRequestError extends ClientError {
  override readonly name = 'InvalidRequestError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('EINVALID', message, options);
  }
}

export class ResolveError extends ClientError {
  override readonly name = 'ResolveError';
  constructor(host: string, options?: { cause?: unknown }) {
    super('ERESOLVE', `could not resolve host: ${host}`, options);
  }
}

export class ConnectError extends ClientError {
  override readonly name = 'ConnectError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ECONNECT', message, options);
  }
}

/** TimeoutPhase names which timeout expired. */
export type TimeoutPhase = 'connect' | 'head' | 'body' | 'total';

export class TimeoutError extends ClientError {
  override readonly name = 'TimeoutError';
  readonly phase: TimeoutPhase;
  readonly ms: number;
  constructor(phase: TimeoutPhase, ms: number) {
    const what = { connect: 'connect', head: 'response head', body: 'idle body', total: 'total' }[phase];
    super('ETIMEOUT', `${what} timeout after ${ms} ms`);
    this.phase = phase;
    this.ms = ms;
  }
}

export class TlsError extends ClientError {
  override readonly name = 'TlsError';
  /** True when the handshake failed because the peer's certificate did not verify. */
  readonly verify: boolean;
  constructor(message: string, verify: boolean, options?: { cause?: unknown }) {
    super('ETLS', message, options);
    this.verify = verify;
  }
}

export class ParseError extends ClientError {
  override readonly name = 'ParseError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('EPARSE', message, options);
  }
}

export class ResetError extends ClientError {
  override readonly name = 'ResetError';
  /** True when the connection ended cleanly (FIN) but the message was incomplete. */
  readonly truncated: boolean;
  constructor(message: string, truncated: boolean, options?: { cause?: unknown }) {
    super('ERESET', message, options);
    this.truncated = truncated;
  }
}

/**
 * ConnectionClosedError: the server closed the connection before answering. With `reused` true the
 * connection had been idle in the pool and the server closed it while (or just before) the request
 * was written; the client retries idempotent requests once on a new connection before throwing this.
 */
export class ConnectionClosedError extends ClientError {
  override readonly name = 'ConnectionClosedError';
  readonly reused: boolean;
  constructor(message: string, reused: boolean, options?: { cause?: unknown }) {
    super('ECLOSED', message, options);
    this.reused = reused;
  }
}

export class AbortedError extends ClientError {
  override readonly name = 'AbortedError';
  constructor(options?: { cause?: unknown }) {
    super('EABORTED', 'the request was aborted', options);
  }
}

export class RedirectError extends ClientError {
  override readonly name = 'RedirectError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('EREDIRECT', message, options);
  }
}

export class DecodeError extends ClientError {
  override readonly name = 'DecodeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('EDECODE', message, options);
  }
}

export class BodySourceError extends ClientError {
  override readonly name = 'BodySourceError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('EBODY', message, options);
  }
}

const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/**
 * fromSocketError maps an error from node:net/node:tls to a ClientError. `stage` says whether the
 * socket was still connecting (then resets count as connect failures) and `host` names the target.
 */
export function fromSocketError(error: unknown, stage: 'connect' | 'handshake' | 'exchange', host: string): ClientError {
  if (error instanceof ClientError) return error;
  const code = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code ?? '') : '';
  const text = error instanceof Error ? error.message : String(error);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') return new ResolveError(host, { cause: error });
  if (TLS_VERIFY_CODES.has(code)) return new TlsError(`certificate verification failed: ${text}`, true, { cause: error });
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || stage === 'handshake') {
    return new TlsError(`TLS handshake failed: ${text}`, false, { cause: error });
  }
  if (stage === 'connect') return new ConnectError(`failed to connect to ${host}: ${text}`, { cause: error });
  if (code === 'ECONNRESET' || code === 'EPIPE') return new ResetError(`connection reset by peer: ${text}`, false, { cause: error });
  return new ResetError(`connection error: ${text}`, false, { cause: error });
}
