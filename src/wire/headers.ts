import { equalsIgnoreCase } from './token.js';

/**
 * HeaderList keeps header fields exactly as received: in order, with the sender's case, so the
 * inspector can show them as sent. Lookups are case-insensitive (RFC 9110 §5.1). The backing store is
 * one flat array [name0, value0, name1, value1, …], like node's rawHeaders, because a linear scan over
 * the few fields of a typical message beats building a map per message.
 */
export class HeaderList {
  /** Flat [name, value, …] array in received order. Do not mutate through this reference. */
  readonly raw: string[];

  constructor(raw: string[] = []) {
    this.raw = raw;
  }

  /** Number of field lines. */
  get size(): number {
    return this.raw.length >> 1;
  }

  /**
   * get returns the value of the first field named `name` (any case), or undefined.
   * For fields that may repeat as a list (RFC 9110 §5.3) use `list()` or `getAll()`.
   */
  get(name: string): string | undefined {
    const raw = this.raw;
    for (let i = 0; i < raw.length; i += 2) if (equalsIgnoreCase(raw[i]!, name)) return raw[i + 1];
    return undefined;
  }

  /** getAll returns every value of the fields named `name`, in received order. */
  getAll(name: string): string[] {
    const out: string[] = [];
    const raw = this.raw;
    for (let i = 0; i < raw.length; i += 2) if (equalsIgnoreCase(raw[i]!, name)) out.push(raw[i + 1]!);
    return out;
  }

  /** has reports whether at least one field named `name` is present. */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** count returns how many field lines are named `name`. */
  count(name: string): number {
    return this.getAll(name).length;
  }

  /**
   * list splits every `name` field on commas into trimmed, non-empty elements (RFC 9110 §5.6.1).
   * Does not understand quoted strings; use it for token lists (Connection, Transfer-Encoding…).
   */
  list(name: string): string[] {
    const out: string[] = [];
    for (const value of this.getAll(name)) {
      let start = 0;
      for (let i = 0; i <= value.length; i++) {
        if (i === value.length || value.charCodeAt(i) === 0x2c) {
          const item = value.slice(start, i).trim();
          if (item !== '') out.push(item);
          start = i + 1;
        }
      }
    }
    return out;
  }

  /** hasToken reports whether the comma-list field `name` holds `token` (case-insensitive). */
  hasToken(name: string, token: string): boolean {
    const t = token.toLowerCase();
    return this.list(name).some((item) => item.toLowerCase() === t);
  }

  /** entries yields [name, value] pairs in received order with original case. */
  *entries(): IterableIterator<[string, string]> {
    const raw = this.raw;
    for (let i = 0; i < raw.length; i += 2) yield [raw[i]!, raw[i + 1]!];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** toObject folds fields into a plain object with lower-case keys; repeated fields join with ", ". */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    const raw = this.raw;
    for (let i = 0; i < raw.length; i += 2) {
      const k = raw[i]!.toLowerCase();
      out[k] = k in out ? `${out[k]}, ${raw[i + 1]}` : raw[i + 1]!;
    }
    return out;
  }
}
