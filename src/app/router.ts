import { HttpError } from '../server/http-error.js';

/**
 * ParamNames extracts the parameter names of a route pattern at the type level:
 * `/users/:id/posts/:post` -> 'id' | 'post', `/files/*path` -> 'path'.
 */
export type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : P extends `${string}*${infer Name}`
      ? Name
      : never;

/** Params is the object of decoded path parameters a pattern yields. */
export type Params<P extends string> = { readonly [K in ParamNames<P>]: string };

/** Segment is one compiled piece of a pattern. */
type Segment = { kind: 'static'; text: string } | { kind: 'param'; name: string } | { kind: 'wildcard'; name: string };

/** CompiledPattern is a parsed route pattern, kept for reverse routing (urlFor). */
export interface CompiledPattern {
  readonly pattern: string;
  readonly segments: readonly Segment[];
  readonly trailingSlash: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * compilePattern parses `/a/:b/*c`. Throws TypeError at registration for a pattern that does not start
 * with `/`, a bad parameter name, a repeated name, or a wildcard that is not the last segment.
 */
export function compilePattern(pattern: string): CompiledPattern {
  if (!pattern.startsWith('/')) throw new TypeError(`route pattern must start with '/': ${pattern}`);
  const parts = pattern === '/' ? [] : pattern.slice(1).split('/');
  const trailingSlash = pattern.length > 1 && pattern.endsWith('/');
  if (trailingSlash) parts.pop();
  const seen = new Set<string>();
  const segments: Segment[] = parts.map((part, i) => {
    if (part.startsWith(':') || part.startsWith('*')) {
      const name = part.slice(1);
      if (!NAME.test(name)) throw new TypeError(`bad parameter name '${part}' in ${pattern}`);
      if (seen.has(name)) throw new TypeError(`parameter '${name}' repeated in ${pattern}`);
      seen.add(name);
      if (part[0] === '*') {
        if (i !== parts.length - 1 || trailingSlash) throw new TypeError(`a wildcard must be the last segment: ${pattern}`);
        return { kind: 'wildcard', name };
      }
      return { kind: 'param', name };
    }
    if (part === '') throw new TypeError(`empty segment in route pattern ${pattern}`);
    return { kind: 'static', text: decodeURIComponent(part) };
  });
  return { pattern, segments, trailingSlash };
}

/** Node is one level of the routing trie; methods hold the value registered per method. */
class Node<T> {
  readonly children = new Map<string, Node<T>>();
  param: { name: string; node: Node<T> } | undefined;
  wildcard: { name: string; methods: Map<string, T> } | undefined;
  /** Routes ending here without a trailing slash, and with one. */
  methods: Map<string, T> | undefined;
  slashMethods: Map<string, T> | undefined;
}

/** Match is the outcome of a lookup: the methods registered for the path and the decoded params. */
export interface Match<T> {
  readonly methods: ReadonlyMap<string, T>;
  readonly params: Record<string, string>;
}

/**
 * Router maps (path) -> methods -> T with a segment trie: static segments beat parameters, which beat
 * a wildcard tail, and a failed branch backtracks. Paths are matched segment by segment after
 * percent-decoding each raw segment, so `%2F` inside a parameter stays in that parameter.
 * Fully static paths also sit in a Map, the common case answered with one lookup.
 */
export class Router<T> {
  private readonly root = new Node<T>();
  private readonly exact = new Map<string, Map<string, T>>();

  add(pattern: CompiledPattern, method: string, value: T): void {
    let node = this.root;
    let isStatic = true;
    for (const seg of pattern.segments) {
      if (seg.kind === 'static') {
        let next = node.children.get(seg.text);
        if (next === undefined) node.children.set(seg.text, (next = new Node<T>()));
        node = next;
      } else if (seg.kind === 'param') {
        isStatic = false;
        if (node.param !== undefined && node.param.name !== seg.name) {
          throw new TypeError(`${pattern.pattern}: ':${seg.name}' conflicts with ':${node.param.name}' at the same position`);
        }
        node.param ??= { name: seg.name, node: new Node<T>() };
        node = node.param.node;
      } else {
        if (node.wildcard !== undefined && node.wildcard.name !== seg.name) {
          throw new TypeError(`${pattern.pattern}: '*${seg.name}' conflicts with '*${node.wildcard.name}'`);
        }
        node.wildcard ??= { name: seg.name, methods: new Map() };
        return setOnce(node.wildcard.methods, method, value, pattern.pattern);
      }
    }
    const slot = pattern.trailingSlash ? (node.slashMethods ??= new Map()) : (node.methods ??= new Map());
    setOnce(slot, method, value, pattern.pattern);
    if (isStatic && pattern.pattern.indexOf('%') === -1) this.exact.set(pattern.pattern, slot);
  }

  /**
   * match finds the routes for a raw (still percent-encoded) path. Returns undefined when no pattern
   * matches. Throws HttpError 400 for invalid percent-encoding in a segment that is decoded.
   */
  match(rawPath: string): Match<T> | undefined {
    const exact = this.exact.get(rawPath);
    if (exact !== undefined) return { methods: exact, params: {} };
    const segs = splitPath(rawPath);
    if (segs === undefined) return undefined;
    const params: Record<string, string> = {};
    const methods = walk(this.root, segs.parts, 0, segs.trailingSlash, params);
    return methods === undefined ? undefined : { methods, params };
  }
}

function setOnce<T>(map: Map<string, T>, method: string, value: T, pattern: string): void {
  if (map.has(method)) throw new TypeError(`route ${method} ${pattern} registered twice`);
  map.set(method, value);
}

/** splitPath cuts `/a/b%20c/` into decoded ['a', 'b c'] plus the trailing-slash flag. */
function splitPath(rawPath: string): { parts: string[]; trailingSlash: boolean } | undefined {
  if (rawPath.charCodeAt(0) !== 0x2f) return undefined;
  const parts: string[] = [];
  let start = 1;
  const n = rawPath.length;
  for (let i = 1; i <= n; i++) {
    if (i === n || rawPath.charCodeAt(i) === 0x2f) {
      if (i === n && start === n) return { parts, trailingSlash: n > 1 };
      const raw = rawPath.slice(start, i);
      parts.push(raw.indexOf('%') === -1 ? raw : decode(raw));
      start = i + 1;
    }
  }
  return { parts, trailingSlash: false };
}

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (error) {
    throw new HttpError(400, 'Bad percent-encoding in the path', { cause: error });
  }
}

function walk<T>(node: Node<T>, parts: string[], i: number, slash: boolean, params: Record<string, string>): Map<string, T> | undefined {
  if (i === parts.length) return slash ? node.slashMethods : node.methods;
  const part = parts[i]!;
  const child = node.children.get(part);
  if (child !== undefined) {
    const found = walk(child, parts, i + 1, slash, params);
    if (found !== undefined) return found;
  }
  if (node.param !== undefined && part !== '') {
    const found = walk(node.param.node, parts, i + 1, slash, params);
    if (found !== undefined) {
      params[node.param.name] = part;
      return found;
    }
  }
  if (node.wildcard !== undefined) {
    const tail = parts.slice(i).join('/');
    if (tail !== '') {
      params[node.wildcard.name] = slash ? `${tail}/` : tail;
      return node.wildcard.methods;
    }
  }
  return undefined;
}

/**
 * buildPath fills a pattern with values (percent-encoded; a wildcard keeps its `/`s). Values for names
 * the pattern does not have are returned as `rest`, for the query string. Throws TypeError when a
 * parameter is missing, as Flask's url_for does.
 */
export function buildPath(p: CompiledPattern, values: Record<string, string | number>): { path: string; rest: [string, string][] } {
  const used = new Set<string>();
  let path = '';
  for (const seg of p.segments) {
    if (seg.kind === 'static') {
      path += `/${encodeURIComponent(seg.text)}`;
      continue;
    }
    const value = values[seg.name];
    if (value === undefined || value === '') throw new TypeError(`urlFor(${p.pattern}): missing parameter '${seg.name}'`);
    used.add(seg.name);
    const text = String(value);
    path += `/${seg.kind === 'wildcard' ? text.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(text)}`;
  }
  if (path === '' || p.trailingSlash) path += '/';
  const rest: [string, string][] = [];
  for (const [k, v] of Object.entries(values)) if (!used.has(k) && v !== undefined) rest.push([k, String(v)]);
  return { path, rest };
}
