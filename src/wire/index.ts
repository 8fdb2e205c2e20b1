export * from './errors.js';
export * from './limits.js';
export * from './headers.js';
export * from './message.js';
export { RequestParser, type RequestParserOptions } from './request-parser.js';
export { ResponseParser, type ResponseParserOptions } from './response-parser.js';
export { chunkHead, CHUNK_TAIL, lastChunk, parseChunkSizeLine } from './chunked.js';
export { STATUS_REASONS, serializeRequestHead, serializeResponseHead, fieldLines } from './serialize.js';
export { equalsIgnoreCase, isToken, isValidHeaderName, isValidHeaderValue } from './token.js';
