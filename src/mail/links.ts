/**
 * Links in emails that work without signing in, so they carry their own proof: a MAC with a key
 * of their purpose (src/auth/keys.ts). The one-click unsubscribe link names the account and what
 * it stops; the "this wasn't me" link names the account and when its password was reset.
 */
import { NOTIFICATION_KINDS, UNSUBSCRIBE_SCOPES, type UnsubscribeScope } from '../../domain/words';
import type { Keys } from '../auth/keys';

/** How long the "this wasn't me" link of a password-reset notice works. */
export const NOT_ME_MS = 7 * 24 * 3600_000;

const UNSUBSCRIBE_TOKEN = new RegExp(
  `^([1-9]\\d{0,14})\\.(${UNSUBSCRIBE_SCOPES.join('|')}|topic-[1-9]\\d{0,14}|kind-(?:${NOTIFICATION_KINDS.join('|')}))\\.([A-Za-z0-9_-]{43})$`,
);

export function unsubscribeToken(keys: Keys, userId: number, scope: UnsubscribeScope): string {
  return `${userId}.${scope}.${keys.sign('unsubscribe', `${userId}:${scope}`)}`;
}

/** The account and scope of an unsubscribe token, or null when it is malformed or forged. */
export function readUnsubscribeToken(
  keys: Keys,
  token: string,
): { userId: number; scope: UnsubscribeScope } | null {
  const m = UNSUBSCRIBE_TOKEN.exec(token);
  if (!m) return null;
  const [, id, scope, mac] = m as unknown as [string, string, UnsubscribeScope, string];
  if (!keys.verify('unsubscribe', `${id}:${scope}`, mac)) return null;
  return { userId: Number(id), scope };
}

const NOT_ME_TOKEN = /^([1-9]\d{0,14})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

export function notMeToken(keys: Keys, userId: number, changedAt: number): string {
  return `${userId}.${changedAt}.${keys.sign('password-changed', `${userId}:${changedAt}`)}`;
}

/**
 * The account of a "this wasn't me" token while it works, or null when it is malformed, forged
 * or older than NOT_ME_MS.
 */
export function readNotMeToken(keys: Keys, token: string, now: number): { userId: number } | null {
  const m = NOT_ME_TOKEN.exec(token);
  if (!m) return null;
  const [, id, at, mac] = m as unknown as [string, string, string, string];
  if (!keys.verify('password-changed', `${id}:${at}`, mac)) return null;
  const changedAt = Number(at);
  if (now < changedAt || now - changedAt > NOT_ME_MS) return null;
  return { userId: Number(id) };
}
