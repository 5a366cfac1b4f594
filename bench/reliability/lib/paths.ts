// Where things are, from this module's own location: the repository root, the fixtures, and the rawpi
// entry point to spawn (app/main.ts with the current loader under tap, dist/app/main.js once compiled).

import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

/** The repository root: the nearest folder above this file that has package.json. */
export function repoRoot(): string {
  let dir = dirname(here);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${here}`);
    dir = up;
  }
}

export function fixturePath(name: string): string {
  return join(repoRoot(), 'tests', 'fixtures', name);
}

/** How to start rawpi from here: the .ts entry with this process's loader flags, or the compiled .js. */
export function rawpiEntry(): { file: string; execArgv: string[] } {
  if (extname(here) === '.ts') return { file: join(repoRoot(), 'app', 'main.ts'), execArgv: [...process.execArgv] };
  return { file: join(repoRoot(), 'dist', 'app', 'main.js'), execArgv: [] };
}

/** Whether this module is the program being run (`node dist/bench/reliability/x.js`), not an import. */
export function isMain(moduleUrl: string): boolean {
  const argv1 = process.argv[1];
  return argv1 !== undefined && fileURLToPath(moduleUrl) === argv1;
}
