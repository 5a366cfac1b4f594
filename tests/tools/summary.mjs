// Prints "N passed, F failed" (assertions) from tap's per-file results in .tap/test-results, for CI logs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out = statSync(p).isDirectory() ? out.concat(files(p)) : out.concat(name.endsWith('.tap') ? [p] : []);
  }
  return out;
}

let passed = 0;
let failed = 0;
let skipped = 0;
const failing = [];
try {
  for (const file of files('.tap/test-results')) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^\s*(not )?ok \d+( - .*)?$/.exec(line);
      if (!m || line.includes('# time=')) continue; // subtest summaries carry a time; assertions do not
      if (/# (SKIP|TODO)/i.test(line)) skipped++;
      else if (m[1]) { failed++; failing.push(`${file}: ${line.trim()}`); }
      else passed++;
    }
  }
} catch {
  failed++;
}
for (const f of failing.slice(0, 20)) console.log(`failed: ${f}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
