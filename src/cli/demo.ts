import { CliError } from './output.js';

/** main runs `wirehttp demo` (not written yet). */
export async function main(_argv: string[]): Promise<number> {
  throw new CliError('demo: not implemented yet', 2);
}
