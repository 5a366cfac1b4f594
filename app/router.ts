// A small router: method + path pattern ("/pi/:n") to a handler; no path match is 404, a path match
// with another method is 405 with Allow (RFC 9110 15.5.6), as Starlette's none/partial/full match.

import type { HttpScope, Receive, Send } from '../server/interface.js';

export type Params = Record<string, string>;
export type Handler = (scope: HttpScope, receive: Receive, send: Send, params: Params) => Promise<void>;

interface Route {
  method: string;
  pattern: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
}

export type Match =
  | { kind: 'full'; handler: Handler; params: Params }
  | { kind: 'partial'; allow: string[] }
  | { kind: 'none' };

export class Router {
  private readonly routes: Route[] = [];

  /**
   * Adds a route. ":name" matches within one segment (a suffix like ":n.txt" is allowed), "*name" matches
   * the rest of the path; method '*' accepts any method.
   */
  add(method: string, pattern: string, handler: Handler): this {
    const names: string[] = [];
    const source = pattern.split('/').map((segment) => segment.replace(/([:*])([a-zA-Z_]+)|([^:*]+)/g, (_m, kind: string | undefined, name: string | undefined, literal: string | undefined) => {
      if (name !== undefined) {
        names.push(name);
        return kind === '*' ? '(.+)' : '([^/]+?)';
      }
      return literal!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })).join('/');
    this.routes.push({ method, pattern, regex: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  match(method: string, path: string): Match {
    const allow = new Set<string>();
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (m === null) continue;
      if (route.method === method || route.method === '*' || (method === 'HEAD' && route.method === 'GET')) {
        const params: Params = {};
        route.names.forEach((name, i) => { params[name] = m[i + 1]!; });
        return { kind: 'full', handler: route.handler, params };
      }
      allow.add(route.method);
      if (route.method === 'GET') allow.add('HEAD');
    }
    return allow.size > 0 ? { kind: 'partial', allow: [...allow].sort() } : { kind: 'none' };
  }
}
