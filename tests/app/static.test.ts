// /static/*: types, lengths, validators (304), HEAD, and every traversal trick refused.

import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from './fixtures/app-server.js';
import { exchange } from '../server/helpers.js';

function makeTree(): { root: string; staticDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'rawpi-static-'));
  const staticDir = join(root, 'static');
  mkdirSync(join(staticDir, 'sub'), { recursive: true });
  writeFileSync(join(staticDir, 'app.js'), 'console.log("hi");\n');
  writeFileSync(join(staticDir, 'sub', 'a b.css'), 'body{}\n');
  writeFileSync(join(staticDir, '.hidden'), 'secret\n');
  writeFileSync(join(root, 'secret.txt'), 'TOP SECRET\n');
  symlinkSync(join(root, 'secret.txt'), join(staticDir, 'link.txt'));
  utimesSync(join(staticDir, 'app.js'), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
  return { root, staticDir };
}

const get = (port: number, target: string, headers = '') => exchange(port, `GET ${target} HTTP/1.1\r\nHost: t\r\n${headers}Connection: close\r\n\r\n`);

t.test('serves files with type, length, ETag and Last-Modified; 304 on a match; HEAD', async (t) => {
  const { root, staticDir } = makeTree();
  const s = await startApp({ staticDir });
  t.teardown(async () => { await s.stop(); rmSync(root, { recursive: true, force: true }); });
  const { responses: [r] } = await get(s.port, '/static/app.js');
  t.equal(r!.status, 200);
  t.equal(r!.header('content-type'), 'text/javascript; charset=utf-8');
  t.equal(r!.header('content-length'), '19');
  t.equal(r!.body.toString(), 'console.log("hi");\n');
  t.equal(r!.header('last-modified'), 'Thu, 01 Jan 2026 00:00:00 GMT');
  const etag = r!.header('etag')!;
  t.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
  t.equal((await get(s.port, '/static/app.js', `If-None-Match: W/${etag}, "other"\r\n`)).responses[0]!.status, 304, 'If-None-Match (weak comparison)');
  t.equal((await get(s.port, '/static/app.js', 'If-Modified-Since: Thu, 01 Jan 2026 00:00:00 GMT\r\n')).responses[0]!.status, 304, 'If-Modified-Since');
  t.equal((await get(s.port, '/static/app.js', 'If-Modified-Since: Wed, 31 Dec 2025 23:59:59 GMT\r\n')).responses[0]!.status, 200, 'modified since');
  t.equal((await get(s.port, '/static/app.js', 'If-None-Match: "nope"\r\nIf-Modified-Since: Thu, 01 Jan 2026 00:00:00 GMT\r\n')).responses[0]!.status, 200, 'If-None-Match wins over If-Modified-Since');
  const head = await exchange(s.port, 'HEAD /static/app.js HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
  t.match(head.raw, /Content-Length: 19\r\n/);
  t.match(head.raw, /\r\n\r\n$/, 'HEAD: no body');
  t.equal((await get(s.port, '/static/sub/a%20b.css')).responses[0]!.status, 200, 'encoded space in a name');
});

t.test('no path escapes static/', async (t) => {
  const { root, staticDir } = makeTree();
  const s = await startApp({ staticDir });
  t.teardown(async () => { await s.stop(); rmSync(root, { recursive: true, force: true }); });
  const attempts = [
    '/static/../secret.txt', '/static/sub/../../secret.txt', '/static/%2e%2e/secret.txt', '/static/%2E%2E/secret.txt',
    '/static/..%2fsecret.txt', '/static/sub%2f..%2f..%2fsecret.txt', '/static/..%5csecret.txt', '/static/..\\secret.txt',
    '/static/app.js%00.png', '/static/%c0%ae%c0%ae/secret.txt', '/static/%e0%80%ae%e0%80%ae/secret.txt',
    '/static/link.txt', '/static/.hidden', '/static/sub', '/static/sub/', '/static/./app.js', '/static/%2e/app.js',
  ];
  for (const target of attempts) {
    const { responses: [r] } = await get(s.port, target);
    t.ok(r && r.status >= 400 && r.status < 500, `${target}: ${r?.status}`);
    t.notMatch(r?.body.toString() ?? '', /TOP SECRET|secret\n/, `${target}: nothing leaks`);
  }
});

t.test('what is on disk now is served: a changed file, a removed one, a file swapped for a symlink out of static/', async (t) => {
  const { root, staticDir } = makeTree();
  const s = await startApp({ staticDir });
  t.teardown(async () => { await s.stop(); rmSync(root, { recursive: true, force: true }); });
  const spellings = ['/static/app.js', '/static/%61pp.js'];
  for (const target of spellings) t.equal((await get(s.port, target)).responses[0]!.body.toString(), 'console.log("hi");\n', `${target}: served (and remembered)`);
  const recheck = () => new Promise((resolve) => setTimeout(resolve, 1100)); // the cache looks at the disk again after 1 s
  writeFileSync(join(staticDir, 'app.js'), 'console.log("changed");\n');
  await recheck();
  for (const target of spellings) t.equal((await get(s.port, target)).responses[0]!.body.toString(), 'console.log("changed");\n', `${target}: the new content`);
  rmSync(join(staticDir, 'app.js'));
  symlinkSync(join(root, 'secret.txt'), join(staticDir, 'app.js'));
  await recheck();
  for (const target of spellings) {
    const { responses: [r] } = await get(s.port, target);
    t.equal(r!.status, 404, `${target}: a symlink out of static/ is refused, however the path was spelled before`);
    t.notMatch(r!.body.toString(), /TOP SECRET/);
  }
  rmSync(join(staticDir, 'app.js'));
  await recheck();
  for (const target of spellings) t.equal((await get(s.port, target)).responses[0]!.status, 404, `${target}: removed, 404`);
});

t.test('the file is looked up by the rest of the raw path, however the first segment is spelled', async (t) => {
  const { root, staticDir } = makeTree();
  const s = await startApp({ staticDir });
  t.teardown(async () => { await s.stop(); rmSync(root, { recursive: true, force: true }); });
  const { responses: [r] } = await get(s.port, '/%73tatic/app.js');
  t.equal(r!.status, 200, '/%73tatic/app.js: the router matched /static/*, the file is app.js');
  t.equal(r!.body.toString(), 'console.log("hi");\n');
  t.equal((await get(s.port, '/static%2Fapp.js')).responses[0]!.status, 404, 'an encoded slash is not a separator');
  t.equal((await get(s.port, '/%73tatic/sub/a%20b.css')).responses[0]!.status, 200, 'deeper paths too');
});
