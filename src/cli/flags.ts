import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './output.js';

/**
 * parseFlags is node's parseArgs with one error shape for every subcommand: a bad flag is a one-line
 * usage error (exit 2) that names the command and where its help is.
 */
export function parseFlags<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    // node's message goes on with a hint about '--'; the first sentence is the useful line
    throw new CliError(`${command}: ${(error as Error).message.split('. ')[0]} (see wirehttp ${command} --help)`, 2, { cause: error });
  }
}
