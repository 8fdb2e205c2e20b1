import { CliError } from './output.js';

/** main runs `wirehttp serve` (not written yet). */
export async function main(_argv: string[]): Promise<number> {
  throw new CliError('serve: not implemented yet', 2);
}
