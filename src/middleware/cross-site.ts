import type { Context, MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { CrossSiteError } from '../errors';

/**
 * Refuses state-changing requests that a page of another site sent (CSRF), by Origin and
 * Sec-Fetch-Site (Hono's csrf). Only the forum's own origin counts (`ownOrigin`: the configured
 * public origin, or on Workers without one the request's), never one built from a Host header on
 * Node: the sender chooses it, and a page on any name that points to this server sends its own.
 */
export function refuseCrossSite(ownOrigin: (c: Context) => string): MiddlewareHandler {
  const check = csrf({ origin: (origin, c) => origin === ownOrigin(c) });
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
