import type { Context } from 'hono';
import { type FlashKind, setFlashCookie, setSessionCookie } from '../auth/cookies';
import type { NewSession } from '../auth/session';
import type { AppEnv } from '../context';
import { safeNext } from './forms';

/**
 * The person is signed in: the session cookie, the one-time "Welcome, you are signed in" for the
 * next page, and that page (`next`, made safe again here).
 */
export function signedIn(
  c: Context<AppEnv>,
  created: NewSession,
  flash: FlashKind,
  next: string | undefined,
) {
  const deps = c.get('deps');
  setSessionCookie(c, deps.config.publicOrigin, created.token, created.session);
  setFlashCookie(c, deps.config.publicOrigin, deps.keys, {
    kind: flash,
    sessionId: created.session.id,
    now: deps.now(),
  });
  return c.redirect(safeNext(next, deps.config.publicOrigin), 303);
}
