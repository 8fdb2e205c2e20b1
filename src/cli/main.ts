// Entry point of the `wirehttp` command: dispatches to one module per subcommand.
import { run } from './dispatch.js';

process.exitCode = await run(process.argv.slice(2));
