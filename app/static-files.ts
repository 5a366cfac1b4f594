// GET /static/*: files from static/ with MIME types, Content-Length, ETag and Last-Modified (304 on a match), HEAD.
// A path is checked segment by segment before it touches the disk, and the resolved real path must stay inside the root.

import { realpathSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Header, HttpScope, Send } from '../server/interface.js';
import { HttpError, header } from './http/request.js';
import { SECURITY_HEADERS } from './http/responses.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8', '.woff2': 'font/woff2', '.map': 'application/json',
};

/** Files up to this size are kept in memory (re-checked on disk at most once a second). */
const CACHE_MAX_BYTES = 1024 * 1024;
const RECHECK_MS = 1000;
/** Raw spellings of a path remembered as resolved; past this many (someone trying spellings) the memo starts over. */
const RESOLVED_MEMO_MAX = 1024;

interface Entry {
  file: string; body: Buffer; etag: string; lastModified: string; mtimeSeconds: number; type: string; checkedAt: number;
  /** Built once per version of the file: a 200's headers and a 304's. */
  okHeaders: readonly Header[]; notModifiedHeaders: readonly Header[];
}

/**
 * The raw path after its first segment: "/static/a%20b.css" -> "a%20b.css". The router matched the decoded path,
 * so the first segment may be spelled "%73tatic"; cutting by segment, not by the length of "/static/", keeps the
 * rest right. An encoded slash in the first segment ("/static%2Fapp.js") is no separator: the rest is empty (404).
 */
export function afterFirstSegment(rawPath: string): string {
  const slash = rawPath.indexOf('/', 1);
  return slash < 0 ? '' : rawPath.slice(slash + 1);
}

export class StaticFiles {
  readonly root: string;
  private readonly cache = new Map<string, Entry>();
  /** Raw path -> file path, for paths that resolved to a file: a repeated request skips decoding and checks. */
  private readonly resolved = new Map<string, string>();

  constructor(root: string) {
    this.root = realpathSync(root);
  }

  /** Turns the raw (undecoded) rest of the URL path into a file path inside the root, or throws 404/400. */
  resolve(rawRest: string): string {
    const segments = rawRest.split('/');
    const decoded: string[] = [];
    for (const seg of segments) {
      let s: string;
      try {
        s = decodeURIComponent(seg); // throws on broken escapes and on overlong or invalid UTF-8
      } catch {
        throw new HttpError(400, 'the path has a broken percent-encoding');
      }
      if (s === '' || s === '.' || s === '..' || s.startsWith('.') || /[/\\\0]/.test(s) || /[\x00-\x1f]/.test(s)) {
        throw new HttpError(404, 'no such file');
      }
      decoded.push(s);
    }
    return path.join(this.root, ...decoded);
  }

  async serve(scope: HttpScope, send: Send, rawRest: string): Promise<void> {
    const known = this.resolved.get(rawRest);
    const file = known ?? this.resolve(rawRest);
    const entry = this.fresh(file) ?? await this.load(file);
    if (known === undefined) {
      if (this.resolved.size >= RESOLVED_MEMO_MAX) this.resolved.clear();
      this.resolved.set(rawRest, file);
    }
    if (notModified(scope, entry)) {
      await send({ type: 'http.response.start', status: 304, headers: entry.notModifiedHeaders });
      await send({ type: 'http.response.body' });
      return;
    }
    await send({ type: 'http.response.start', status: 200, headers: entry.okHeaders });
    await send({ type: 'http.response.body', body: entry.body });
  }

  /** The cached entry if it was checked against the disk less than RECHECK_MS ago. */
  private fresh(file: string): Entry | undefined {
    const cached = this.cache.get(file);
    return cached !== undefined && Date.now() - cached.checkedAt < RECHECK_MS ? cached : undefined;
  }

  private async load(file: string): Promise<Entry> {
    const now = Date.now();
    const cached = this.cache.get(file);
    let real: string;
    let stat;
    try {
      real = await fs.realpath(file);
      stat = await fs.stat(real);
    } catch {
      if (this.cache.delete(file)) this.resolved.clear(); // a file went away: forget every spelling that led to it
      throw new HttpError(404, 'no such file');
    }
    // A symlink may point anywhere: the real path must still be inside the root.
    if (!real.startsWith(this.root + path.sep) || !stat.isFile()) {
      throw new HttpError(404, 'no such file');
    }
    if (stat.size > CACHE_MAX_BYTES) throw new HttpError(404, 'no such file (static files are small by design)');
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    if (cached !== undefined && cached.etag === etag) {
      cached.checkedAt = now;
      return cached;
    }
    const body = await fs.readFile(real);
    const type = TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
    const lastModified = stat.mtime.toUTCString();
    const validators: Header[] = [['ETag', etag], ['Last-Modified', lastModified], ['Cache-Control', 'no-cache']];
    const entry: Entry = {
      file, body, etag, type, lastModified, mtimeSeconds: Math.floor(stat.mtimeMs / 1000), checkedAt: now,
      okHeaders: Object.freeze([['Content-Type', type], ['Content-Length', String(body.length)], ...validators, ...SECURITY_HEADERS] as Header[]),
      notModifiedHeaders: Object.freeze(validators),
    };
    this.cache.set(file, entry);
    return entry;
  }
}

/** RFC 9110 13.1.2 (If-None-Match, weak comparison) wins over 13.1.3 (If-Modified-Since). */
function notModified(scope: HttpScope, entry: Entry): boolean {
  if (scope.method !== 'GET' && scope.method !== 'HEAD') return false;
  const inm = header(scope, 'if-none-match');
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    const strip = (tag: string) => tag.trim().replace(/^W\//, '');
    return inm.split(',').some((tag) => strip(tag) === entry.etag);
  }
  const ims = header(scope, 'if-modified-since');
  if (ims !== undefined) {
    const since = Date.parse(ims);
    if (!Number.isNaN(since)) return entry.mtimeSeconds <= Math.floor(since / 1000);
  }
  return false;
}
