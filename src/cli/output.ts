import pc from 'picocolors';

/** CliError carries a one-line message for the user and the exit code to end with. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 2, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** printError writes `wirehttp: message` on stderr, red on a TTY. */
export function printError(message: string): void {
  const text = `wirehttp: ${message}`;
  process.stderr.write(`${process.stderr.isTTY ? pc.red(text) : text}\n`);
}
