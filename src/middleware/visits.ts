import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from '../context';
import { describeError } from '../errors';

/**
 * Counts page views per kind of page (the route pattern) and the visitor's country (from a header
 * the platform sets: CF-IPCountry on Workers, a configured proxy header on Node). Nothing about
 * the person is kept; see src/services/stats.ts.
 */
export function countVisits(countryHeader: string | undefined): MiddlewareHandler<AppEnv> {
  return async function countVisitsMiddleware(c, next) {
    await next();
    if (c.req.method !== 'GET' || c.res.status >= 400) return;
    const kind = routePath(c, -1);
    if (kind === '*' || kind === '/*' || kind === '/healthz') return;
    const deps = c.get('deps');
    deps.visits.record(kind, countryHeader ? c.req.header(countryHeader) : undefined);
    if (!deps.visits.due()) return;
    const written = deps.visits
      .flush(deps.db)
      .catch((err) => c.get('log')(`stats ${describeError(err)}`));
    try {
      c.executionCtx.waitUntil(written);
    } catch {
      // Node has no execution context: the write simply runs on after the response.
    }
  };
}
