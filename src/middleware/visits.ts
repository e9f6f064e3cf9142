import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppDeps, AppEnv } from '../context';
import { describeError } from '../errors';
import { PAGE_KIND_HEADER } from '../page-cache';
import { afterResponse } from './after-response';

/**
 * Counts one page view of `kind` and the visitor's country, and writes the counts when due (in the
 * background: `waitUntil` keeps a Worker alive for it). Nothing about the person is kept; see
 * src/services/stats.ts.
 */
export function countVisit(
  deps: AppDeps,
  kind: string,
  country: string | undefined,
  log: (line: string) => void,
  waitUntil?: (p: Promise<unknown>) => void,
): void {
  deps.visits.record(kind, country);
  if (!deps.visits.due()) return;
  const written = deps.visits.flush(deps.db).catch((err) => log(`stats ${describeError(err)}`));
  waitUntil?.(written);
}

/**
 * Counts page views per kind of page (the route pattern) and the visitor's country, from a header
 * the platform sets: CF-IPCountry on Workers, a configured proxy header on Node. With a page
 * cache in front (Node), the kind goes out in a header for the cache to count its hits by.
 */
export function countVisits(
  countryHeader: string | undefined,
  opts: { namePageKind?: boolean } = {},
): MiddlewareHandler<AppEnv> {
  return async function countVisitsMiddleware(c, next) {
    await next();
    if (c.req.method !== 'GET' || c.res.status >= 400) return;
    // The route of the handler that answered (see request-log.ts).
    const kind = routePath(c);
    if (kind === '*' || kind === '/*' || kind === '/healthz' || kind === '/readyz') return;
    if (opts.namePageKind) c.header(PAGE_KIND_HEADER, kind);
    const deps = c.get('deps');
    countVisit(
      deps,
      kind,
      countryHeader ? c.req.header(countryHeader) : undefined,
      c.get('log'),
      (p) => afterResponse(c, p),
    );
  };
}
