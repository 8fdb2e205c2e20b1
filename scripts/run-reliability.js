// `npm run test:reliability`: the bounded reliability suite; prints each case's figure.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const dir = 'dist/test/reliability';
const files = readdirSync(dir).filter((f) => f.endsWith('.reliability.js')).map((f) => `${dir}/${f}`);
const result = spawnSync(process.execPath, ['--expose-gc', '--test', '--test-concurrency=1', '--test-timeout=600000', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
