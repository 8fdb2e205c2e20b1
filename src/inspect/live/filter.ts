// This module is also loaded by the inspector page in the browser (served from dist as /filter.js):
// it must stay free of imports and of node APIs.

/** FilterField names what a filter term looks at; 'text' is the free text searched in the heads. */
export type FilterField = 'method' | 'status' | 'path' | 'client' | 'text';

/** FilterTerm is one condition; all terms of a filter must hold. `negate` comes from a leading '-'. */
export interface FilterTerm {
  readonly field: FilterField;
  /** Lowercased; for 'status' a pattern of digits and 'x' wildcards (`404`, `4xx`, `30x`). */
  readonly value: string;
  readonly negate: boolean;
}

/**
 * FilterRow is what a term is matched against: one exchange's summary. `text` is the request and
 * response heads as sent, already lowercased by the caller (once per row, not once per match).
 */
export interface FilterRow {
  readonly method: string;
  readonly target: string;
  readonly status: number | null;
  readonly client: string;
  readonly text: string;
}

const FIELDS: Record<string, FilterField> = { method: 'method', m: 'method', status: 'status', s: 'status', path: 'path', p: 'path', client: 'client', c: 'client' };

/**
 * parseFilter reads a filter box: whitespace-separated terms, `field:value` for method, status, path
 * and client (a comma gives alternatives: `method:GET,HEAD`), anything else as text searched in the
 * heads. Double quotes keep spaces in a term (`"accept: text/html"`, `path:"/a b"`); a leading `-`
 * negates it. Never throws: text that is no known field is a text term.
 */
export function parseFilter(input: string): FilterTerm[] {
  const terms: FilterTerm[] = [];
  let i = 0;
  while (i < input.length) {
    while (i < input.length && isSpace(input.charCodeAt(i))) i++;
    if (i >= input.length) break;
    let negate = false;
    if (input[i] === '-' && i + 1 < input.length && !isSpace(input.charCodeAt(i + 1))) {
      negate = true;
      i++;
    }
    // A term is a run of non-space characters in which double quotes group spaces in.
    let word = '';
    let quoted = false;
    while (i < input.length && (quoted || !isSpace(input.charCodeAt(i)))) {
      const ch = input[i]!;
      if (ch === '"') quoted = !quoted;
      else word += ch;
      i++;
    }
    const colon = word.indexOf(':');
    const field = colon > 0 ? FIELDS[word.slice(0, colon).toLowerCase()] : undefined;
    if (field !== undefined && colon < word.length - 1) {
      terms.push({ field, value: word.slice(colon + 1).toLowerCase(), negate });
    } else if (word !== '') {
      terms.push({ field: 'text', value: word.toLowerCase(), negate });
    }
  }
  return terms;
}

/** matches is true when every term holds for the row (an empty filter matches everything). */
export function matches(terms: readonly FilterTerm[], row: FilterRow): boolean {
  for (const t of terms) {
    if (holds(t, row) === t.negate) return false;
  }
  return true;
}

function holds(t: FilterTerm, row: FilterRow): boolean {
  switch (t.field) {
    case 'method':
      return anyOf(t.value, (v) => row.method.toLowerCase() === v);
    case 'status':
      return row.status !== null && anyOf(t.value, (v) => statusLike(row.status!, v));
    case 'path':
      return anyOf(t.value, (v) => row.target.toLowerCase().includes(v));
    case 'client':
      return anyOf(t.value, (v) => row.client.toLowerCase().includes(v));
    case 'text':
      return row.text.includes(t.value);
  }
}

/** anyOf tries each comma-separated alternative. */
function anyOf(value: string, test: (v: string) => boolean): boolean {
  let start = 0;
  for (;;) {
    const comma = value.indexOf(',', start);
    const v = value.slice(start, comma < 0 ? undefined : comma);
    if (v !== '' && test(v)) return true;
    if (comma < 0) return false;
    start = comma + 1;
  }
}

/** statusLike compares a status with a pattern: a digit or 'x' per place, e.g. `4xx`, `30x`, `404`. */
function statusLike(status: number, pattern: string): boolean {
  const s = String(status);
  if (pattern.length !== s.length) return false;
  for (let i = 0; i < s.length; i++) {
    const p = pattern[i]!;
    if (p !== 'x' && p !== s[i]) return false;
  }
  return true;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
