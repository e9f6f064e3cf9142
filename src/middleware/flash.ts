import type { MiddlewareHandler } from 'hono';
import { clearFlashCookie, FLASH_COOKIE, readFlashCookie } from '../auth/cookies';
import type { AppEnv } from '../context';

/**
 * A one-time notice (src/auth/cookies.ts, `setFlashCookie`) for the page that follows a redirect:
 * read here for the layout, and cleared by the first page that shows it (every HTML page does).
 * A notice that is not this session's, or has expired, is cleared and shown nowhere.
 */
export function flashNotice(): MiddlewareHandler<AppEnv> {
  return async function flashNoticeMiddleware(c, next) {
    const deps = c.get('deps');
    const flash = readFlashCookie(c, deps.keys, c.get('viewer')?.session.id ?? null, deps.now());
    if (flash === undefined) return next();
    c.set('flash', flash ?? undefined);
    await next();
    // Every page shows it (src/routes/frame.ts); a redirect passes it on, and a new sign-in
    // has set a notice of its own.
    const shown = !!c.res.headers.get('Content-Type')?.startsWith('text/html');
    const replaced = c.res.headers.getSetCookie().some((v) => v.startsWith(`${FLASH_COOKIE}=`));
    if ((!flash || shown) && !replaced) clearFlashCookie(c, deps.config.publicOrigin);
  };
}
