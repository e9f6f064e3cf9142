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
    write(`${c.req.method} ${routePath(c, -1)} ${c.res.status} ${ms}ms`);
  };
}
