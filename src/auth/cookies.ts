/**
 * The session cookie: only the token, `HttpOnly; SameSite=Lax; Path=/`, `Secure` on https.
 * Remembered sessions get a Max-Age; others end with the browser session.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Session } from './session';

export const SESSION_COOKIE = 'session';

function secure(c: Context, publicOrigin: string): boolean {
  return publicOrigin.startsWith('https:') || new URL(c.req.url).protocol === 'https:';
}

export function readSessionToken(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

export function setSessionCookie(
  c: Context,
  publicOrigin: string,
  token: string,
  session: Session,
) {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: secure(c, publicOrigin),
    ...(session.remember ? { expires: session.expiresAt } : {}),
  });
}

export function clearSessionCookie(c: Context, publicOrigin: string) {
  deleteCookie(c, SESSION_COOKIE, {
    path: '/',
    secure: secure(c, publicOrigin),
    httpOnly: true,
    sameSite: 'Lax',
  });
}
