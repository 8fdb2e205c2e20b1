export * from './types.js';
export * from './http-error.js';
export { createServer, Server, type ServerErrorListener } from './server.js';
export { statusForWireError } from './error-status.js';
export { runClustered, workerCount, ClusterStartError, type ClusterOptions, type ClusteredServer } from './cluster.js';
export { ProxyTrust, resolveForwarded, parseForwarded, type ForwardedFacts, type Scheme } from './trust-proxy.js';
