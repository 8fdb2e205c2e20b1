import { createRequire } from 'node:module';

/** What llhttp (the C parser node and undici use, as undici's wasm build) made of some bytes. */
export interface OracleResult {
  ok: boolean;
  error?: string;
  messages: Array<{ method: string; url: string; headers: string[]; body: string; upgrade: boolean }>;
}

/** The few WebAssembly APIs used here (the project's lib setting has no DOM/WebAssembly types). */
interface WasmMemory {
  buffer: ArrayBuffer;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface LlhttpExports {
  memory: WasmMemory;
  malloc(size: number): number;
  free(ptr: number): void;
  llhttp_alloc(type: number): number;
  llhttp_free(ptr: number): void;
  llhttp_execute(ptr: number, data: number, length: number): number;
  llhttp_get_method(ptr: number): number;
  llhttp_method_name(method: number): number;
  llhttp_errno_name(errno: number): number;
  llhttp_get_errno(ptr: number): number;
  llhttp_finish(ptr: number): number;
}

const require = createRequire(import.meta.url);
let instance: LlhttpExports | undefined;
let sink: ((kind: string, at: number, len: number) => number) | undefined;

function llhttp(): LlhttpExports {
  if (instance !== undefined) return instance;
  const wasm = require('undici/lib/llhttp/llhttp-wasm.js') as Buffer;
  const call = (kind: string) => (_p: number, at = 0, len = 0) => sink?.(kind, at, len) ?? 0;
  const mod = new WebAssembly.Module(wasm);
  const inst = new WebAssembly.Instance(mod, {
    env: {
      wasm_on_url: call('url'),
      wasm_on_status: call('status'),
      wasm_on_message_begin: call('begin'),
      wasm_on_header_field: call('field'),
      wasm_on_header_value: call('value'),
      wasm_on_headers_complete: (_p: number, _status: number, upgrade: number) => sink?.('headers', upgrade, 0) ?? 0,
      wasm_on_body: call('body'),
      wasm_on_message_complete: call('complete'),
    },
  });
  instance = inst.exports as unknown as LlhttpExports;
  return instance;
}

function cString(memory: WasmMemory, ptr: number): string {
  const bytes = new Uint8Array(memory.buffer);
  let end = ptr;
  while (bytes[end] !== 0) end++;
  return Buffer.from(bytes.subarray(ptr, end)).toString('latin1');
}

/** parseWithLlhttp runs llhttp's strict request parser (no lenient flags) over `input`. */
export function parseWithLlhttp(input: Buffer): OracleResult {
  const ll = llhttp();
  const parser = ll.llhttp_alloc(1 /* TYPE.REQUEST */);
  const ptr = ll.malloc(Math.max(1, input.length));
  new Uint8Array(ll.memory.buffer, ptr, input.length).set(input);
  const messages: OracleResult['messages'] = [];
  let current: OracleResult['messages'][number] | undefined;
  let field = '';
  let value = '';
  let lastKind = '';
  const text = (at: number, len: number): string => Buffer.from(new Uint8Array(ll.memory.buffer, at, len)).toString('latin1');
  const flushHeader = (): void => {
    if (current !== undefined && field !== '') current.headers.push(field, value);
    field = '';
    value = '';
  };
  sink = (kind, at, len) => {
    switch (kind) {
      case 'begin':
        current = { method: '', url: '', headers: [], body: '', upgrade: false };
        break;
      case 'url':
        current!.url += text(at, len);
        break;
      case 'field':
        if (lastKind === 'value') flushHeader();
        field += text(at, len);
        break;
      case 'value':
        value += text(at, len);
        break;
      case 'headers':
        flushHeader();
        current!.method = cString(ll.memory, ll.llhttp_method_name(ll.llhttp_get_method(parser)));
        current!.upgrade = at === 1;
        break;
      case 'body':
        current!.body += text(at, len);
        break;
      case 'complete':
        messages.push(current!);
        current = undefined;
        break;
    }
    lastKind = kind;
    return 0;
  };
  try {
    const errno = ll.llhttp_execute(parser, ptr, input.length);
    // 0 OK; 22 PAUSED_UPGRADE counts as success (the rest belongs to the new protocol).
    if (errno !== 0 && errno !== 22) return { ok: false, error: cString(ll.memory, ll.llhttp_errno_name(errno)), messages };
    return { ok: true, messages };
  } finally {
    sink = undefined;
    ll.free(ptr);
    ll.llhttp_free(parser);
  }
}
