import { createWriteStream, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { ClientError, request, type Agent, type ClientResponse, type RequestOptions } from '../client/index.js';
import { CliError, printError } from './output.js';
import { ProgressBar } from './progress.js';
import type { RequestArgs } from './request-args.js';
import { curlMessage, exitCodeFor } from './request-exit.js';
import { responseHeadText, type VerboseWire, type Writer } from './request-verbose.js';
import { renderWriteOut, type TransferResult } from './write-out.js';

/** TransferContext is everything one URL's transfer needs from the command line. */
export interface TransferContext {
  args: RequestArgs;
  url: URL;
  options: RequestOptions;
  /** Output file, '-' or undefined for stdout. */
  output: string | undefined;
  resumeFrom: number;
  agent: Agent;
  stderr: Writer;
  /** -v: prints the heads from the wire bytes; told here when each request head is written. */
  verbose: VerboseWire | undefined;
}

/** Sink is where body bytes (and -i heads) go: stdout or a file. */
interface Sink {
  write(bytes: Buffer | string): Promise<void>;
  close(): Promise<void>;
}

function stdoutSink(): Sink {
  return {
    write: (bytes) =>
      new Promise((resolve, reject) => {
        process.stdout.write(bytes, (error) => (error === null || error === undefined ? resolve() : reject(error)));
      }),
    close: () => Promise.resolve(),
  };
}

function fileSink(path: string, append: boolean): Sink {
  let stream: WriteStream | undefined;
  let failure: Error | undefined;
  const open = (): WriteStream => {
    if (stream === undefined) {
      stream = createWriteStream(path, { flags: append ? 'a' : 'w' });
      stream.on('error', (e) => (failure = e));
    }
    return stream;
  };
  return {
    write: (bytes) =>
      new Promise((resolve, reject) => {
        const s = open();
        if (failure !== undefined) return reject(failure);
        if (s.write(bytes)) resolve();
        else s.once('drain', resolve);
        s.once('error', reject);
      }),
    close: () =>
      new Promise((resolve, reject) => {
        if (stream === undefined) return resolve();
        stream.end(() => (failure === undefined ? resolve() : reject(failure)));
      }),
  };
}

class WriteError extends Error {}

/**
 * transfer runs one URL: sends the request (following redirects with -L), writes -v/-i heads and the
 * body, prints -w, and returns curl's exit code for it. Errors are reported here (unless -s).
 */
export async function transfer(ctx: TransferContext): Promise<number> {
  const { args } = ctx;
  const quiet = args.silent && !args.showError;
  const verbose = args.verbose ? ctx.stderr : undefined;
  const connectsBefore = ctx.agent.connectionsOpened;
  let response: ClientResponse | undefined;
  let sizeDownload = 0;
  let sizeHeader = 0;
  let sizeRequest = 0;
  let redirects = 0;
  let exit = 0;
  let message = '';
  const sink = ctx.output === undefined || ctx.output === '-' ? stdoutSink() : undefined;
  let file: Sink | undefined = sink;
  const headerDump: string[] = [];
  const showHead = async (res: ClientResponse): Promise<void> => {
    const head = responseHeadText(res);
    sizeHeader += res.head.headBytes;
    if (args.dumpHeader !== undefined) headerDump.push(head);
    if (args.include || args.head) await out(head);
  };
  const out = async (bytes: Buffer | string): Promise<void> => {
    try {
      await file!.write(bytes);
    } catch (error) {
      throw new WriteError(`(23) failure writing output to destination: ${(error as Error).message}`, { cause: error });
    }
  };
  const redirectHeads: Array<Promise<void>> = [];
  try {
    response = await request(ctx.url, {
      ...ctx.options,
      onRequest: (sent) => {
        sizeRequest += sent.head.length;
        ctx.verbose?.requestSent(sent);
      },
      onRedirect: (res) => {
        redirects++;
        if (file === undefined) file = fileSink(ctx.output!, false);
        redirectHeads.push(showHead(res));
      },
    });
    await Promise.all(redirectHeads);
    if (ctx.resumeFrom > 0 && response.status === 200) {
      await response.dump();
      throw new CliError("(33) HTTP server doesn't seem to support byte ranges. Cannot resume.", 33);
    }
    file ??= fileSink(ctx.output!, ctx.resumeFrom > 0 && response.status === 206);
    await showHead(response);
    if (args.fail && !args.failWithBody && response.status >= 400) {
      await response.dump();
      throw new CliError(`(22) The requested URL returned error: ${response.status}`, 22);
    }
    const length = Number(response.headers.get('content-length') ?? NaN);
    const bar = ctx.output !== undefined && ctx.output !== '-' && !args.silent && process.stderr.isTTY
      ? new ProgressBar({ write: (t) => process.stderr.write(t), columns: process.stderr.columns }, Number.isFinite(length) ? length : undefined)
      : undefined;
    for await (const chunk of response.body) {
      const bytes = chunk as Buffer;
      sizeDownload += bytes.length;
      bar?.update(bytes.length);
      await out(bytes);
    }
    bar?.finish();
    await file.close();
    if (args.failWithBody && response.status >= 400) throw new CliError(`(22) The requested URL returned error: ${response.status}`, 22);
    if (response.head.keepAlive) verbose?.(`* Connection #${response.connection.id} to host ${ctx.url.hostname} left intact\n`);
  } catch (error) {
    await file?.close().catch(() => {});
    if (error instanceof CliError) {
      exit = error.exitCode;
      message = error.message;
    } else if (error instanceof WriteError) {
      exit = 23;
      message = error.message;
    } else if (error instanceof ClientError) {
      exit = exitCodeFor(error);
      message = curlMessage(exit, error.message);
    } else throw error;
    if (!quiet) printError(message);
  }
  if (args.dumpHeader !== undefined) dumpHeaders(args.dumpHeader, headerDump.join(''));
  if (args.writeOut !== undefined) {
    const result: TransferResult = {
      response,
      urlEffective: response?.url ?? ctx.url.href,
      method: response?.method ?? ctx.options.method ?? 'GET',
      sizeDownload: response?.rawBody.received ?? sizeDownload,
      sizeUpload: response?.requestBodyBytes ?? 0,
      sizeHeader,
      sizeRequest,
      numConnects: ctx.agent.connectionsOpened - connectsBefore,
      numRedirects: redirects,
      exitCode: exit,
      errorMessage: message.replace(/^\(\d+\) /, ''),
    };
    const format = args.writeOut.startsWith('@') ? readFileSync(args.writeOut.slice(1) === '-' ? 0 : args.writeOut.slice(1), 'utf8') : args.writeOut;
    process.stdout.write(renderWriteOut(format, result));
  }
  return exit;
}

function dumpHeaders(path: string, text: string): void {
  if (path === '-') process.stdout.write(text);
  else {
    try {
      writeFileSync(path, text);
    } catch (error) {
      printError(`(23) failed to write headers to ${path}: ${(error as Error).message}`);
    }
  }
}
