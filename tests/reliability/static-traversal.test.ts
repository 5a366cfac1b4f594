// /static/*: the traversal tricks tests/app/static.test.ts does not try. Double encoding, encoded and
// full-width separators, overlong UTF-8 for "/" and "\", absolute-form targets, encoded "/static" prefixes,
// directory symlinks out of static/, symlinks to devices, FIFOs (which would block a read forever), and
// names too long for the file system. None may escape static/, hang, or answer 5xx.

import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResponses } from '../server/helpers.js';
import { rawExchange, startLiveApp } from './fixtures/live-app.js';

const SECRET = 'TOP SECRET';

function makeTree(): { root: string; staticDir: string; fifo: boolean } {
  const root = mkdtempSync(join(tmpdir(), 'rawpi-traversal-'));
  const staticDir = join(root, 'static');
  mkdirSync(join(staticDir, 'sub'), { recursive: true });
  mkdirSync(join(staticDir, 'dir.js'));
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(staticDir, 'app.js'), 'console.log("hi");\n');
  writeFileSync(join(staticDir, 'sub', 'ok.css'), 'body{}\n');
  writeFileSync(join(root, 'secret.txt'), `${SECRET}\n`);
  writeFileSync(join(root, 'outside', 'secret.txt'), `${SECRET}\n`);
  symlinkSync(join(root, 'outside'), join(staticDir, 'outdir')); // a directory symlink out of static/
  symlinkSync('../secret.txt', join(staticDir, 'relative-link.txt')); // a relative symlink out
  symlinkSync(join(staticDir, 'relative-link.txt'), join(staticDir, 'chain.txt')); // a chain that ends outside
  symlinkSync('/dev/zero', join(staticDir, 'zero.js')); // a device: endless
  symlinkSync('/etc/passwd', join(staticDir, 'passwd.txt'));
  symlinkSync(join(staticDir, 'sub'), join(staticDir, 'inner')); // a directory symlink that stays inside
  let fifo = false;
  try {
    execFileSync('mkfifo', [join(staticDir, 'pipe.js')]);
    fifo = true;
  } catch { /* no mkfifo: that case is skipped */ }
  return { root, staticDir, fifo };
}

t.test('no trick escapes static/, hangs, or answers 5xx', async (t) => {
  const { root, staticDir, fifo } = makeTree();
  const s = await startLiveApp({ staticDir });
  t.teardown(async () => { await s.stop(); rmSync(root, { recursive: true, force: true }); });

  const attempts = [
    // double and mixed encoding
    '/static/%252e%252e/secret.txt', '/static/%252e%252e%252fsecret.txt', '/static/.%2e/secret.txt', '/static/%2e./secret.txt',
    '/static/%2e%2e%2f%2e%2e%2fsecret.txt', '/static/sub/%2e%2e/%2e%2e/secret.txt', '/static/%2ehidden', '/static/%2e',
    // separators: encoded, doubled, backslashes, full-width, overlong UTF-8
    '/static/%2fetc%2fpasswd', '/static//etc/passwd', '/static/%5c..%5csecret.txt', '/static/..%5c..%5csecret.txt',
    '/static/%ef%bc%8e%ef%bc%8e%ef%bc%8fsecret.txt', '/static/%c0%af..%c0%afsecret.txt', '/static/%e0%80%af%e0%80%ae%e0%80%ae',
    '/static/%c1%9c..%c1%9csecret.txt', '/static/%f0%80%80%af', '/static/%ed%a0%80', '/static/%c0%2e%c0%2e/secret.txt',
    // NULs and control characters
    '/static/app.js%00', '/static/%00/../secret.txt', '/static/app.js%0a', '/static/sub%0d%0a/ok.css',
    // Windows forms
    '/static/C:%5cWindows%5cwin.ini', '/static/..%5c..%5c..%5cwindows%5cwin.ini', '/static/sub%5c..%5c..%5csecret.txt',
    // the prefix itself encoded: the router matches the decoded path, the files are found by the raw one
    '/static%2f..%2fsecret.txt', '/static%2fapp.js', '/%73tatic/../secret.txt', '/%73tatic/x/app.js', '/static/../static/../secret.txt',
    // symlinks out: a directory, a relative link, a chain, a device, /etc/passwd
    '/static/outdir/secret.txt', '/static/outdir/../secret.txt', '/static/relative-link.txt', '/static/chain.txt', '/static/zero.js', '/static/passwd.txt',
    // not files: directories, too long, trailing slash
    '/static/dir.js', '/static/sub/', '/static/app.js/', `/static/${'a'.repeat(300)}.js`, `/static/${'a/'.repeat(2000)}x.js`, '/static/app.js%20',
    ...(fifo ? ['/static/pipe.js'] : []),
  ];
  t.comment(`${attempts.length} targets, by GET and HEAD`);
  for (const target of attempts) {
    for (const method of ['GET', 'HEAD']) {
      const ex = await rawExchange(s.port, `${method} ${target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`, { ms: 5000 });
      const [r] = parseResponses(ex.raw, { closed: true, headRequests: method === 'HEAD' ? [0] : [] }).responses;
      t.ok(ex.closed, `${method} ${target}: answered in time (no hang)`);
      t.ok(r !== undefined && r.status >= 400 && r.status < 500, `${method} ${target}: 4xx (${r?.status})`);
      t.notMatch(ex.raw.toString('latin1'), /TOP SECRET|root:x:0:0/, `${method} ${target}: nothing leaks`);
    }
  }
  // An absolute-form target takes the same way.
  const abs = await rawExchange(s.port, 'GET http://t/static/../secret.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
  t.match(abs.raw.toString('latin1'), /^HTTP\/1\.1 4\d\d /, 'absolute-form ../: 4xx');
  t.notMatch(abs.raw.toString('latin1'), /TOP SECRET/);

  // What is inside stays reachable, including through a symlink that stays inside.
  for (const target of ['/static/app.js', '/static/sub/ok.css', '/static/inner/ok.css']) {
    const ex = await rawExchange(s.port, `GET ${target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    t.match(ex.raw.toString('latin1'), /^HTTP\/1\.1 200 /, `${target}: 200`);
  }
  // And the server is fine afterwards.
  const health = await rawExchange(s.port, 'GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
  t.match(health.raw.toString('latin1'), /^HTTP\/1\.1 200 /, 'still healthy');
});
