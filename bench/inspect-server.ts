// Bench server for the inspector's cost: the hello-world engine with no observer ('none'), an
// observer with no methods ('empty'), one whose methods do nothing ('noop'), or the real --pcap
// pipeline writing a capture file ('pcap', file name in argv[3]).
import { createServer, type ConnectionObserver } from '../src/index.js';
import { openInspector } from '../src/cli/inspect-options.js';
import { announce } from './servers/ready.js';

const mode = process.argv[2] ?? 'none';
const server = createServer((_req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end('Hello World!');
}, { keepAliveTimeout: 120_000 });
const nothing = (): void => {};
const noop: ConnectionObserver = {
  open: nothing, secure: nothing, keylog: nothing, bytesIn: nothing, bytesOut: nothing, requestHead: nothing,
  responseStart: nothing, responseEnd: nothing, protocolError: nothing, close: nothing,
};
if (mode === 'empty') server.observe({});
if (mode === 'noop') server.observe(noop);
const inspector = mode === 'pcap' ? openInspector('bench', { trace: undefined, har: undefined, pcap: process.argv[3], keylog: undefined }, process.stderr) : undefined;
if (inspector !== undefined) server.observe(inspector.serverObserver());
const { port } = await server.listen(0, '127.0.0.1');
announce(port);
