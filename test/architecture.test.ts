import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** Which src/ folders each folder may import (shared/STYLE.md §1). Nothing imports cli/. */
const ALLOWED: Record<string, readonly string[]> = {
  wire: [],
  server: ['wire'],
  static: ['server', 'wire'],
  app: ['server', 'wire', 'static'],
  client: ['wire'],
  inspect: ['wire', 'server', 'client'],
  cli: ['wire', 'server', 'static', 'app', 'client', 'inspect'],
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !/\.test(-util)?\.ts$/.test(name)) out.push(path);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) found.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

test('src/ folders import only what shared/STYLE.md allows, and never node:http', () => {
  const problems: string[] = [];
  for (const file of sources(root)) {
    const rel = relative(root, file);
    const folder = rel.includes('/') ? rel.split('/')[0]! : '';
    for (const spec of imports(file)) {
      if (/^(node:)?https?$/.test(spec)) problems.push(`${rel} imports ${spec}`);
      if (!spec.startsWith('.')) continue;
      const target = relative(root, resolve(dirname(file), spec));
      if (target.startsWith('..')) {
        problems.push(`${rel} imports outside src: ${spec}`);
        continue;
      }
      const targetFolder = target.includes('/') ? target.split('/')[0]! : '';
      if (folder === '' || targetFolder === folder) continue; // src/index.ts re-exports everything
      if (targetFolder === 'cli') problems.push(`${rel} imports cli/: ${spec}`);
      else if (!(ALLOWED[folder] ?? []).includes(targetFolder)) problems.push(`${rel} (${folder}/) may not import ${targetFolder || 'src root'}/: ${spec}`);
    }
  }
  assert.deepEqual(problems, []);
});
