/**
 * The forum's cookies. The session cookie: only the token, `HttpOnly; SameSite=Lax; Path=/`, `Secure` on https.
 * Remembered sessions get a Max-Age; others end with the browser session.
 */

import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Keys } from './keys';
import { FLOW_MS, type SignInFlow } from './oidc';
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

const FLOW_COOKIE = 'plimus_flow';
const SIGNUP_COOKIE = 'plimus_signup';
const FLOW_PATH = '/auth/plimus';

/**
 * The state, nonce and PKCE verifier of a sign-in with Plimus, what it is for, when and by which
 * session it was started, for the 10 minutes the person may spend at the provider: JSON, then a
 * MAC with the forum's `plimus-flow` key, so that nobody can turn a sign-in into a confirmation
 * or move a flow to another session. Sent back only to /auth/plimus/*; SameSite=Lax lets the
 * provider's redirect (a top-level GET) carry it.
 */
export function setFlowCookie(c: Context, publicOrigin: string, keys: Keys, flow: SignInFlow) {
  const payload = encodeBase64urlNoPadding(new TextEncoder().encode(JSON.stringify(flow)));
  setCookie(c, FLOW_COOKIE, `${payload}.${keys.sign('plimus-flow', payload)}`, {
    httpOnly: true,
    sameSite: 'Lax',
    path: FLOW_PATH,
    secure: secure(c, publicOrigin),
    maxAge: FLOW_MS / 1000,
  });
}

/**
 * The flow, read once: the cookie is cleared so that a callback cannot be replayed. Null when it
 * is missing, malformed or its MAC does not match.
 */
export function takeFlowCookie(c: Context, publicOrigin: string, keys: Keys): SignInFlow | null {
  const raw = getCookie(c, FLOW_COOKIE);
  if (raw === undefined) return null;
  deleteCookie(c, FLOW_COOKIE, {
    path: FLOW_PATH,
    secure: secure(c, publicOrigin),
    httpOnly: true,
    sameSite: 'Lax',
  });
  const [payload, mac, ...rest] = raw.split('.');
  if (!payload || !mac || rest.length > 0 || !keys.verify('plimus-flow', payload, mac)) return null;
  try {
    const v = JSON.parse(
      new TextDecoder().decode(decodeBase64urlIgnorePadding(payload)),
    ) as Partial<SignInFlow>;
    if (
      typeof v.state !== 'string' ||
      typeof v.nonce !== 'string' ||
      typeof v.verifier !== 'string' ||
      (v.intent !== 'sign-in' && v.intent !== 'reauthenticate') ||
      typeof v.startedAt !== 'number' ||
      (v.sessionId !== null && typeof v.sessionId !== 'string')
    )
      return null;
    return {
      state: v.state,
      nonce: v.nonce,
      verifier: v.verifier,
      intent: v.intent,
      startedAt: v.startedAt,
      sessionId: v.sessionId,
    };
  } catch {
    return null;
  }
}

export function setSignupCookie(c: Context, publicOrigin: string, token: string) {
  setCookie(c, SIGNUP_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    path: FLOW_PATH,
    secure: secure(c, publicOrigin),
    maxAge: 900,
  });
}

export function readSignupCookie(c: Context): string | undefined {
  return getCookie(c, SIGNUP_COOKIE);
}

export function clearSignupCookie(c: Context, publicOrigin: string) {
  deleteCookie(c, SIGNUP_COOKIE, {
    path: FLOW_PATH,
    secure: secure(c, publicOrigin),
    httpOnly: true,
    sameSite: 'Lax',
  });
}

const RESET_COOKIE = 'password_reset';
const RESET_PATH = '/password/reset';

/**
 * The token of a password-reset link, moved out of the link's address (and so out of the browser's
 * history and of any Referer) before the form is shown; sent back only to /password/reset.
 */
export function setResetCookie(
  c: Context,
  publicOrigin: string,
  token: string,
  maxAgeSeconds: number,
) {
  setCookie(c, RESET_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    path: RESET_PATH,
    secure: secure(c, publicOrigin),
    maxAge: Math.max(1, Math.floor(maxAgeSeconds)),
  });
}

export function readResetCookie(c: Context): string | undefined {
  return getCookie(c, RESET_COOKIE);
}

export function clearResetCookie(c: Context, publicOrigin: string) {
  deleteCookie(c, RESET_COOKIE, {
    path: RESET_PATH,
    secure: secure(c, publicOrigin),
    httpOnly: true,
    sameSite: 'Lax',
  });
}
