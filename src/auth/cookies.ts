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
      (v.sessionId !== null && typeof v.sessionId !== 'string') ||
      (v.next !== undefined && typeof v.next !== 'string')
    )
      return null;
    return {
      state: v.state,
      nonce: v.nonce,
      verifier: v.verifier,
      intent: v.intent,
      startedAt: v.startedAt,
      sessionId: v.sessionId,
      // a flow started before flows carried where to come back to
      next: v.next ?? '/',
    };
  } catch {
    return null;
  }
}

/** A Plimus identity new to the forums, choosing its username: the pending sign-up and where to go next. */
export type SignupCookie = { token: string; next: string };

const encodeText = (text: string) => encodeBase64urlNoPadding(new TextEncoder().encode(text));

/**
 * The token of a pending sign-up (its row holds the identity's claims) and the page to come back
 * to, `<token>.<next>.<MAC>` with the forum's `plimus-signup` key over the token and the page, so
 * that the page the flow carried is the page the sign-up ends on. Sent back only to
 * /auth/plimus/*.
 */
export function setSignupCookie(
  c: Context,
  publicOrigin: string,
  keys: Keys,
  signup: SignupCookie,
) {
  const message = `${signup.token}.${encodeText(signup.next)}`;
  setCookie(c, SIGNUP_COOKIE, `${message}.${keys.sign('plimus-signup', message)}`, {
    httpOnly: true,
    sameSite: 'Lax',
    path: FLOW_PATH,
    secure: secure(c, publicOrigin),
    maxAge: 900,
  });
}

/**
 * The pending sign-up, or undefined without the cookie. The token is its own proof (the row is
 * found by its hash); a page whose MAC does not match, or a cookie of the token alone, leads to `/`.
 */
export function readSignupCookie(c: Context, keys: Keys): SignupCookie | undefined {
  const raw = getCookie(c, SIGNUP_COOKIE);
  if (!raw) return undefined;
  const [token = '', next, mac, ...rest] = raw.split('.');
  if (next === undefined || mac === undefined || rest.length > 0) return { token, next: '/' };
  if (!keys.verify('plimus-signup', `${token}.${next}`, mac)) return { token, next: '/' };
  try {
    return { token, next: new TextDecoder().decode(decodeBase64urlIgnorePadding(next)) };
  } catch {
    return { token, next: '/' };
  }
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

export const FLASH_COOKIE = 'flash';
/** A notice is shown on the next page, which comes at once after a redirect. */
const FLASH_MS = 60_000;

/** What a one-time notice says happened; the words are the layout's. */
export const FLASH_KINDS = ['signed-in', 'joined'] as const;
export type FlashKind = (typeof FLASH_KINDS)[number];

const flashMessage = (kind: string, expires: string, sessionId: string) =>
  `${kind}.${expires}.${sessionId}`;

/**
 * A one-time notice for the next page of the session just started ("Welcome, you are signed
 * in"): `<kind>.<expiry>.<MAC>` with the forum's `flash` key over the kind, the expiry and the
 * session's id, so that it cannot be made up, shown in another session, or outlive its minute.
 */
export function setFlashCookie(
  c: Context,
  publicOrigin: string,
  keys: Keys,
  flash: { kind: FlashKind; sessionId: string; now: number },
) {
  const expires = String(flash.now + FLASH_MS);
  const mac = keys.sign('flash', flashMessage(flash.kind, expires, flash.sessionId));
  setCookie(c, FLASH_COOKIE, `${flash.kind}.${expires}.${mac}`, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: secure(c, publicOrigin),
    maxAge: FLASH_MS / 1000,
  });
}

/**
 * The notice for this session: undefined without the cookie, null when it is not this session's,
 * has expired or was tampered with (the caller clears it either way).
 */
export function readFlashCookie(
  c: Context,
  keys: Keys,
  sessionId: string | null,
  now: number,
): FlashKind | null | undefined {
  const raw = getCookie(c, FLASH_COOKIE);
  if (raw === undefined) return undefined;
  const [kind = '', expires = '', mac = '', ...rest] = raw.split('.');
  if (rest.length > 0 || !sessionId || !(FLASH_KINDS as readonly string[]).includes(kind)) {
    return null;
  }
  if (!/^\d{1,15}$/.test(expires) || Number(expires) <= now) return null;
  if (!keys.verify('flash', flashMessage(kind, expires, sessionId), mac)) return null;
  return kind as FlashKind;
}

export function clearFlashCookie(c: Context, publicOrigin: string) {
  deleteCookie(c, FLASH_COOKIE, {
    path: '/',
    secure: secure(c, publicOrigin),
    httpOnly: true,
    sameSite: 'Lax',
  });
}

const KEPT_DRAFT_COOKIE = 'kept_draft';

/**
 * The token of a draft kept while its writer signs in (src/services/kept-drafts.ts): random,
 * its SHA-256 is the row's id, so the token itself is stored nowhere. Sent to every path, since
 * the draft is sent from one page (the form's action) and comes back on another (the composer).
 */
export function setKeptDraftCookie(
  c: Context,
  publicOrigin: string,
  token: string,
  maxAgeSeconds: number,
) {
  setCookie(c, KEPT_DRAFT_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: secure(c, publicOrigin),
    maxAge: Math.max(1, Math.floor(maxAgeSeconds)),
  });
}

export function readKeptDraftCookie(c: Context): string | undefined {
  return getCookie(c, KEPT_DRAFT_COOKIE) || undefined;
}

export function clearKeptDraftCookie(c: Context, publicOrigin: string) {
  deleteCookie(c, KEPT_DRAFT_COOKIE, {
    path: '/',
    secure: secure(c, publicOrigin),
    httpOnly: true,
    sameSite: 'Lax',
  });
}
