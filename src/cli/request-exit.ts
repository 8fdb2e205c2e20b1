import { ClientError } from '../client/index.js';

/**
 * exitCodeFor maps a client failure to curl's exit code (curl(1) "EXIT CODES"): 6 resolve, 7 connect,
 * 28 timeout, 35 TLS handshake, 60 certificate, 47 too many redirects, 52 empty reply, 56 receive
 * failure, 18 partial transfer, 8 weird reply, 61 bad content encoding, 26 read error, 3 bad URL.
 */
export function exitCodeFor(error: unknown): number {
  if (!(error instanceof ClientError)) return 2;
  switch (error.code) {
    case 'ERESOLVE': return 6;
    case 'ECONNECT': return 7;
    case 'ETIMEOUT': return 28;
    case 'ETLS': return (error as ClientError & { verify?: boolean }).verify === true ? 60 : 35;
    case 'EREDIRECT': return 47;
    case 'ECLOSED': return 52;
    case 'ERESET': return (error as ClientError & { truncated?: boolean }).truncated === true ? 18 : 56;
    case 'EPARSE': return 8;
    case 'EDECODE': return 61;
    case 'EBODY': return 26;
    case 'EABORTED': return 42;
    case 'EINVALID': return 3;
  }
}

/** curlMessage is the one-line text shown for a failure: `(7) failed to connect…`, as curl prints. */
export function curlMessage(code: number, text: string): string {
  return `(${code}) ${text}`;
}
