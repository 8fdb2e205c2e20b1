import { spawnSync } from 'node:child_process';

/**
 * toolSkip decides whether a test that needs a real program may run. Locally a missing program skips
 * the test loudly (the reason names the install line); under CI (CI=true) it fails instead, because
 * .ci/run installs every such program and a skipped suite there would hide a broken install step.
 * Use: `test('name', { skip: toolSkip('nginx', 'apt-get install -y nginx-light') }, async () => …)`.
 */
export function toolSkip(command: string, installLine: string): string | false {
  if (hasCommand(command)) return false;
  const reason = `SKIPPED: '${command}' is not installed; install it with: ${installLine}`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI must run this test)`);
  process.stderr.write(`\n*** ${reason} ***\n`);
  return reason;
}

/** hasCommand reports whether `command` is on PATH (or is an absolute path that exists). */
export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}
