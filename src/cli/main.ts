// Entry point of the `wirehttp` command: dispatches to one module per subcommand.
import { run } from './dispatch.js';

// A reader that goes away (`wirehttp request URL | head`) is the user's choice, not a failure worth a
// stack trace: end at once, silently, with curl's "failed writing output" code.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(23);
});

process.exitCode = await run(process.argv.slice(2));
