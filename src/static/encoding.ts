/** Coding is a content coding static/ can send (RFC 9110 §8.4.1). */
export type Coding = 'br' | 'gzip' | 'identity';

/** Server preference on equal q-values: brotli is smaller than gzip for the same text. */
const PREFERENCE: readonly Coding[] = ['br', 'gzip', 'identity'];

/** AcceptedCoding is one parsed element of Accept-Encoding, lower-cased, with its weight 0..1. */
export interface AcceptedCoding {
  readonly coding: string;
  readonly q: number;
}

/**
 * parseAcceptEncoding parses `#( codings [ weight ] )` (RFC 9110 §12.5.3) into elements. Elements with
 * an invalid weight are dropped (a q that is not `0`, `1` or a decimal up to three places). `x-gzip`
 * is folded into `gzip` (§8.4.1.3). Parameters other than q are ignored.
 */
export function parseAcceptEncoding(value: string): AcceptedCoding[] {
  const out: AcceptedCoding[] = [];
  for (const element of value.split(',')) {
    const parts = element.split(';');
    let coding = parts[0]!.trim().toLowerCase();
    if (coding === '') continue;
    if (coding === 'x-gzip') coding = 'gzip';
    let q = 1;
    let valid = true;
    for (let i = 1; i < parts.length; i++) {
      const p = parts[i]!.trim();
      const eq = p.indexOf('=');
      if (eq === -1 || p.slice(0, eq).trim().toLowerCase() !== 'q') continue;
      const parsed = parseQ(p.slice(eq + 1).trim());
      if (parsed === undefined) valid = false;
      else q = parsed;
    }
    if (valid) out.push({ coding, q });
  }
  return out;
}

/**
 * negotiateEncoding picks the coding to send from `available` (which must include what the caller
 * can produce; identity is always possible). Rules (RFC 9110 §12.5.3):
 * - no Accept-Encoding: identity (any coding is allowed, but old clients send none for a reason);
 * - an explicit coding takes its own q; otherwise `*` gives its q to codings not listed;
 * - identity is acceptable unless `identity;q=0`, or `*;q=0` without identity listed;
 * - highest q wins; ties go to br, then gzip, then identity.
 * When nothing is acceptable we still answer identity rather than 406: a readable body beats an
 * error page, as the RFC's SHOULD for this case suggests.
 */
export function negotiateEncoding(acceptEncoding: string | undefined, available: readonly Coding[]): Coding {
  if (acceptEncoding === undefined) return 'identity';
  const accepted = parseAcceptEncoding(acceptEncoding);
  let star: number | undefined;
  for (const a of accepted) if (a.coding === '*') star = a.q;
  let best: Coding = 'identity';
  let bestQ = -1;
  for (const coding of PREFERENCE) {
    if (coding !== 'identity' && !available.includes(coding)) continue;
    const q = weightOf(coding, accepted, star);
    if (q > 0 && q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  return best;
}

function weightOf(coding: Coding, accepted: readonly AcceptedCoding[], star: number | undefined): number {
  let q: number | undefined;
  for (const a of accepted) if (a.coding === coding) q = Math.max(q ?? 0, a.q);
  if (q !== undefined) return q;
  if (star !== undefined) return star;
  // identity not mentioned and no `*`: still acceptable, but below any coding the client listed
  return coding === 'identity' ? 0.001 : 0;
}

/** parseQ reads `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )` (RFC 9110 §12.4.2). */
function parseQ(s: string): number | undefined {
  if (!/^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(s)) return undefined;
  return Number(s);
}

/**
 * isCompressible says whether compressing a body of this media type is worth it: text, JSON, XML,
 * JavaScript, SVG, WebAssembly and a few font and manifest types. Images, audio, video and archives are
 * already compressed, so gzip would only cost CPU. `contentType` may carry parameters.
 */
export function isCompressible(contentType: string): boolean {
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (type.startsWith('text/')) return true;
  if (type.endsWith('+json') || type.endsWith('+xml')) return true;
  return COMPRESSIBLE.has(type);
}

const COMPRESSIBLE: ReadonlySet<string> = new Set([
  'application/javascript',
  'application/json',
  'application/xml',
  'application/wasm',
  'application/x-javascript',
  'application/manifest+json',
  'application/x-ndjson',
  'application/x-sh',
  'application/toml',
  'application/yaml',
  'application/x-yaml',
  'application/vnd.ms-fontobject',
  'font/ttf',
  'font/otf',
  'image/bmp',
  'image/x-icon',
  'image/vnd.microsoft.icon',
]);

/** MIN_COMPRESS_BYTES: below this, headers and the deflate frame outweigh the saving. */
export const MIN_COMPRESS_BYTES = 1024;
