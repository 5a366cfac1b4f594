// The benchmark's smoke run (`node dist/bench/run.js --smoke`): one very short round of every load generator against
// both servers, plus the memory tests in miniature, so the bench scripts cannot rot. No timing is asserted: only that
// every run produced results with 0 errors and that the report files were written (to a temp dir, not bench/results).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { builtScript, runScript } from './run-script.js';

interface Measurement { requests: number; rps: number; errors: number; clientBusy: number | null }
interface Results {
  options: { clients: string[]; routes: string[] };
  skipped: string[];
  runs: Array<{ route: string; client: string; server: string; m?: Measurement; error?: string; serverCpuSeconds?: number }>;
  memory: { idle: Array<{ kind: string; asked: number; open: number; failed: number; rssAfterBytes: number }>; growth: Array<{ kind: string; errors: number; samples: Array<{ requests: number; rssBytes: number }> }> };
}

t.test('make bench --smoke: every server, client and memory test runs without errors', async (t) => {
  const RUN = builtScript(t, 'run.js');
  if (RUN === null) return;
  const out = mkdtempSync(join(tmpdir(), 'rawpi-bench-smoke-test-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const r = await runScript(RUN, ['--smoke', '--out', out], 170_000);
  t.equal(r.code, 0, 'run.js --smoke exits 0', { stderr: r.stderr.slice(-4000) });

  for (const file of ['latest.md', 'latest.svg', 'latest.json']) t.ok(existsSync(join(out, file)), `${file} written to the temp dir`);
  if (!existsSync(join(out, 'latest.json'))) return;
  const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Results;
  for (const s of results.skipped) t.comment(`skipped: ${s}`);

  const ran = new Set(results.runs.map((x) => x.client));
  for (const client of results.options.clients) {
    if (ran.has(client)) continue;
    t.ok(results.skipped.some((s) => s.includes('not installed')), `${client} did not run: it must be because it is not installed`);
  }
  t.ok(ran.has('ac-p10') && ran.has('ac-p1'), 'autocannon ran (it is an npm dev dependency, always there)');
  for (const server of ['rawpi', 'node']) {
    for (const route of results.options.routes) {
      const runs = results.runs.filter((x) => x.server === server && x.route === route);
      t.ok(runs.length > 0, `${server} ${route}: measured`);
      for (const x of runs) {
        t.equal(x.error, undefined, `${server} ${route} ${x.client}: ran`);
        t.ok(x.m !== undefined && x.m.requests > 0 && x.m.rps > 0, `${server} ${route} ${x.client}: requests were answered`);
        t.equal(x.m?.errors, 0, `${server} ${route} ${x.client}: 0 errors`);
        t.ok((x.serverCpuSeconds ?? 0) > 0, `${server} ${route} ${x.client}: the server's CPU time was read`);
        t.ok((x.m?.clientBusy ?? 0) > 0, `${server} ${route} ${x.client}: how busy the load generator kept its core was read`);
      }
    }
  }
  const bare = results.runs.filter((x) => x.server === 'bare');
  t.ok(bare.length > 0 && bare.every((x) => x.route === 'hello'), 'the bare responder (the ceiling) ran, on the hello route only');
  for (const x of bare) t.ok(x.error === undefined && x.m !== undefined && x.m.errors === 0 && x.m.requests > 0, `bare ${x.client}: answered, 0 errors`);
  t.same(results.memory.idle.map((x) => x.kind).sort(), ['node', 'rawpi'], 'idle-connection test ran on both servers');
  for (const idle of results.memory.idle) {
    t.equal(idle.open, idle.asked, `${idle.kind}: every idle connection stayed open`);
    t.ok(idle.rssAfterBytes > 0, `${idle.kind}: RSS read`);
  }
  t.same(results.memory.growth.map((x) => x.kind).sort(), ['node', 'rawpi'], 'RSS growth test ran on both servers');
  for (const g of results.memory.growth) {
    t.equal(g.errors, 0, `${g.kind}: growth run without errors`);
    t.ok(g.samples.length >= 2 && g.samples.every((s) => s.rssBytes > 0), `${g.kind}: RSS sampled`);
  }
  const md = readFileSync(join(out, 'latest.md'), 'utf8');
  t.match(md, /## Throughput and latency/, 'the report has its table');
  t.match(md, /## The ceiling: a bare `net` responder/, 'and the ceiling table');
  t.match(md, /## Server CPU per request\n[\s\S]*\| hello app: GET \/ \| autocannon -c100 -p10 \| \d+\.\d \| \d+\.\d \| \d+\.\d\d× \|/, 'and the CPU per request, by route and client');
  t.match(md, /\| load generator busy, rawpi \/ node:http \|/, 'with how busy the load generator was');
  t.match(readFileSync(join(out, 'latest.svg'), 'utf8'), /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\n$/, 'the chart is an SVG document');
});
