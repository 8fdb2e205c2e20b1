import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * sourceFolder finds a folder of non-TypeScript files (templates, static) that tsc does not copy to
 * dist/: next to the running module when run from source, else the same path under the package root
 * (`dist/examples/lab/x.js` -> `examples/lab/`). `moduleUrl` is the caller's import.meta.url.
 */
export function sourceFolder(moduleUrl: string, fromPackageRoot: string, name: string): string {
  const beside = fileURLToPath(new URL(`./${name}`, moduleUrl));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL(`../../../${fromPackageRoot}/${name}`, moduleUrl));
}
