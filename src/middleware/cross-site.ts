import type { MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { CrossSiteError } from '../errors';

/**
 * Refuses state-changing requests that a page of another site sent (CSRF), by Origin and
 * Sec-Fetch-Site (Hono's csrf). The forum's public origin counts as its own even when a proxy
 * in front makes the request URL differ.
 */
export function refuseCrossSite(publicOrigin: string): MiddlewareHandler {
  const check = csrf({
    origin: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin,
  });
  return async function refuseCrossSiteMiddleware(c, next) {
    try {
      await check(c, async () => {});
    } catch (err) {
      if (err instanceof HTTPException && err.status === 403) throw new CrossSiteError();
      throw err;
    }
    await next();
  };
}
