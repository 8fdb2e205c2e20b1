import { CliError } from './output.js';

/** main runs `wirehttp echo` (not written yet). */
export async function main(_argv: string[]): Promise<number> {
  throw new CliError('echo: not implemented yet', 2);
}
