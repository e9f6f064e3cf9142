import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';

/**
 * Marks a page that is the same for every visitor who is not signed in as `Cache-Control:
 * public`: shared caches (the Node page cache, a CDN) may keep it. Browsers still revalidate
 * (max-age=0). Signed-in pages are made private by the session middleware instead.
 */
export function publicPage(): MiddlewareHandler<AppEnv> {
  return async function publicPageMiddleware(c, next) {
    await next();
    // A response that says how long it may be kept (a feed) keeps its own word.
    const own = c.res.headers.has('Cache-Control');
    if (c.req.method === 'GET' && c.res.status === 200 && !c.get('viewer') && !own) {
      c.header('Cache-Control', 'public, max-age=0, must-revalidate');
    }
  };
}
