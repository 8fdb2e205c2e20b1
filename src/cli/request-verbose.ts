import type { ClientCloseReason, ClientObserver, ClientResponse, SentRequest } from '../client/index.js';

/** Writer is where -v text goes (stderr in the CLI). */
export type Writer = (text: string) => void;

const CLOSED_BY: Record<ClientCloseReason, string> = {
  'server-fin': 'closed by the server',
  'server-reset': 'reset by the server',
  'client-close': 'closed by us',
  'idle-timeout': 'closed by us (idle timeout)',
  'agent-close': 'closed by us',
  timeout: 'closed by us (timeout)',
  aborted: 'closed by us (aborted)',
  'protocol-error': 'closed by us (invalid response)',
  'body-abandoned': 'closed by us (body not read)',
  'connect-failed': 'closed (connect failed)',
};

/**
 * verboseObserver prints curl-style `*` notes for connection events: trying, connected, TLS,
 * re-use, and who closed the connection.
 */
export function verboseObserver(write: Writer): ClientObserver {
  return {
    connecting: (t) => write(`*   Trying ${t.host}:${t.port}...\n`),
    open: (c) => write(`* Connected to ${c.host} (${c.remoteAddress}) port ${c.remotePort} (#${c.id})\n`),
    secure: (_c, _t, protocol, cipher) => write(`* SSL connection using ${protocol ?? '?'} / ${cipher ?? '?'}\n`),
    reuse: (c) => write(`* Re-using existing connection #${c.id} with host ${c.host}\n`),
    close: (c, reason) => {
      if (reason !== 'agent-close') write(`* Connection #${c.id} to host ${c.host} ${CLOSED_BY[reason]}\n`);
    },
  };
}

/** prefixLines renders a head (CRLF lines) with `> ` or `< ` markers, including the blank line. */
export function prefixLines(head: string, marker: '>' | '<'): string {
  const lines = head.split('\r\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => `${marker} ${l}\n`).join('');
}

/** requestHeadText returns a sent request's head as text. */
export function requestHeadText(sent: SentRequest): string {
  return sent.head.toString('latin1');
}

/** responseHeadText rebuilds a response head (status line and fields as received, CRLF-terminated). */
export function responseHeadText(res: ClientResponse): string {
  let text = `HTTP/${res.httpVersion} ${res.status}${res.reason === '' ? '' : ` ${res.reason}`}\r\n`;
  for (const [name, value] of res.headers) text += `${name}: ${value}\r\n`;
  return `${text}\r\n`;
}
