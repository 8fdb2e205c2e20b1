// The package's public API. Only re-exports: each folder's index owns its surface.
export * from './wire/index.js';
export * from './server/index.js';
export * from './client/index.js';
export * from './static/index.js';
export * from './app/index.js';
