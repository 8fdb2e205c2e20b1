import type { RequestHead } from '../../wire/index.js';
import type { Exchange } from '../exchanges.js';
import { absoluteUrl } from '../har.js';

/** CommandTool names the command line a request is rebuilt for: both take curl's option names. */
export type CommandTool = 'curl' | 'wirehttp';

/**
 * Fields the tool writes itself from the URL and the body it is given: copying them would send them
 * twice or contradict the body (Host from the URL, the length of the data given, hop-by-hop fields
 * about a connection that is not the one the command opens).
 */
const OWN_FIELDS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'proxy-connection']);

/**
 * requestCommand rebuilds the request of an exchange as one POSIX shell command line for curl or
 * `wirehttp request`: method (`-I` for HEAD, `-X` unless implied), `--http1.0`, every header field
 * as sent (case, order and repeats kept; an empty value as `Name;`) except OWN_FIELDS, then the body: `--data-raw '…'` when it
 * is text, else piped in from `printf` with octal escapes (`… | curl --data-binary @- URL`), since
 * an argument cannot hold a NUL byte. Every word is quoted for sh/bash/zsh. A body the capture kept
 * only part of, or a target the URL cannot express, adds a trailing `# comment` saying so.
 */
export function requestCommand(tool: CommandTool, ex: Exchange): string {
  const req = ex.request;
  if (req === undefined) return '# no request was seen for this response';
  const h = req.head;
  const words: string[] = [tool === 'curl' ? 'curl' : 'wirehttp request'];
  const notes: string[] = [];
  const body = Buffer.concat(req.body);
  // Content-Length: 0 frames no body for the parser, but the empty data keeps the header (a POST may need it).
  const hasBody = h.framing.kind !== 'none' || h.headers.has('content-length');
  if (h.method === 'HEAD' && !hasBody) words.push('-I');
  else if (!(h.method === 'GET' && !hasBody) && !(h.method === 'POST' && hasBody)) words.push('-X', shellQuote(h.method));
  if (h.versionMinor === 0) words.push('--http1.0');
  if (h.targetForm === 'asterisk') {
    if (tool === 'curl') words.push('--request-target', shellQuote('*'));
    else notes.push('the request-target was *: this sends / instead');
  } else if (h.targetForm === 'authority') {
    notes.push(`the request-target was ${h.target} (authority form): the command cannot send that`);
  }
  const raw = h.headers.raw;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (OWN_FIELDS.has(name.toLowerCase()) && !(name.toLowerCase() === 'host' && h.targetForm === 'absolute')) continue;
    const value = headerText(raw[i + 1]!);
    // `-H 'Name:'` would remove the tool's own field of that name: both tools send an empty one for `Name;`
    words.push('-H', shellQuote(value === '' ? `${name};` : `${name}: ${value}`));
  }
  let pipe = '';
  if (hasBody) {
    if (isPlainText(body)) {
      words.push('--data-raw', shellQuote(body.toString('utf8')));
    } else {
      pipe = `printf ${printfQuote(body)} | `;
      words.push('--data-binary', '@-');
    }
    if (req.bodyTruncated) notes.push(`body truncated: ${body.length} of ${req.bodySize} bytes kept by the inspector`);
  }
  words.push(shellQuote(absoluteUrl(h as RequestHead, ex.connection.secure, ex.connection.server)));
  return `${pipe}${words.join(' ')}${notes.length === 0 ? '' : ` # ${notes.join('; ')}`}`;
}

/** SAFE words need no quotes in any POSIX shell. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * shellQuote makes `s` one word for a POSIX shell: as is when it holds only safe characters, else in
 * single quotes, each `'` written as `'\''` (inside single quotes nothing else is special).
 */
export function shellQuote(s: string): string {
  if (s !== '' && SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * printfQuote writes bytes as a single-quoted printf format that prints them back exactly: printable
 * ASCII as is, `%` as `%%`, `\` as `\\`, everything else (NUL, CR, `'`, bytes >= 0x80) as a
 * three-digit octal escape, which POSIX printf understands (unlike `\x`).
 */
export function printfQuote(bytes: Uint8Array): string {
  let out = "'";
  for (const b of bytes) {
    if (b === 0x25) out += '%%';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b <= 0x7e && b !== 0x27) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out}'`;
}

/** isPlainText: valid UTF-8 without control characters other than tab and LF, so it can be an argument. */
function isPlainText(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || c === 0x7f) return false;
  }
  return true;
}

/** headerText shows a field value (held as latin1 by the parser) as UTF-8 when its bytes are UTF-8. */
function headerText(value: string): string {
  if (!/[^\x00-\x7f]/.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  const utf8 = bytes.toString('utf8');
  return Buffer.from(utf8, 'utf8').equals(bytes) ? utf8 : value;
}
