import type { MiddlewareHandler } from 'hono';
import { clearSessionCookie, readSessionToken, setSessionCookie } from '../auth/cookies';
import { validateSessionToken } from '../auth/session';
import type { AppEnv } from '../context';

/**
 * Loads the signed-in person from the session cookie. Visitors without a cookie cost nothing;
 * an unknown or expired token clears the cookie; a session whose expiry moved sends it again.
 * Pages for signed-in people are never stored by shared caches.
 */
export function loadSession(): MiddlewareHandler<AppEnv> {
  return async function loadSessionMiddleware(c, next) {
    const deps = c.get('deps');
    const token = readSessionToken(c);
    c.set('viewer', null);
    if (token) {
      const found = await validateSessionToken(deps, token, deps.config.vendorClaimsMaxAgeDays);
      if (found) {
        c.set('viewer', { ...found.user, session: found.session });
        if (found.extended) setSessionCookie(c, deps.config.publicOrigin, token, found.session);
      } else {
        clearSessionCookie(c, deps.config.publicOrigin);
      }
    }
    await next();
    if (c.get('viewer')) c.header('Cache-Control', 'private, no-store');
  };
}
