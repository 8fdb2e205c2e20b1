import { CliError } from './output.js';

/** main runs `wirehttp request` (not written yet). */
export async function main(_argv: string[]): Promise<number> {
  throw new CliError('request: not implemented yet', 2);
}
