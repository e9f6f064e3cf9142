import type { Context, MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { CrossSiteError } from '../errors';

/**
 * The one-click unsubscribe link (RFC 8058): mailbox providers POST to it from their own servers,
 * with no Origin of this forum. It needs no protection from other sites: a session cookie gives it
 * nothing, the MAC in the link is its only proof, and it can only turn email off.
 */
const ONE_CLICK = /^\/email\/unsubscribe\/[^/]+$/;

/**
 * Refuses state-changing requests that a page of another site sent (CSRF), by Origin and
 * Sec-Fetch-Site (Hono's csrf). Only the forum's own origin counts (`ownOrigin`: the configured
 * public origin, or on Workers without one the request's), never one built from a Host header on
 * Node: the sender chooses it, and a page on any name that points to this server sends its own.
 */
export function refuseCrossSite(ownOrigin: (c: Context) => string): MiddlewareHandler {
  const check = csrf({ origin: (origin, c) => origin === ownOrigin(c) });
  return async function refuseCrossSiteMiddleware(c, next) {
    if (c.req.method === 'POST' && ONE_CLICK.test(c.req.path)) return next();
    try {
      await check(c, async () => {});
    } catch (err) {
      if (err instanceof HTTPException && err.status === 403) throw new CrossSiteError();
      throw err;
    }
    await next();
  };
}
