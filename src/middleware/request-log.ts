import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

export type LogLine = (line: string) => void;

/**
 * One line per request: method, the matched route pattern (never the concrete path or query,
 * which can carry tokens or names), status and duration. No IP, no email, no cookie.
 */
export function requestLog(write: LogLine = console.log): MiddlewareHandler {
  return async function requestLogMiddleware(c, next) {
    const started = performance.now();
    await next();
    const ms = (performance.now() - started).toFixed(1);
    // The route of the handler that answered: the last route that matches the path may be
    // another one (/t/:id/:slug? also matches /t/3/feed.atom).
    write(`${c.req.method} ${routePath(c)} ${c.res.status} ${ms}ms`);
  };
}
