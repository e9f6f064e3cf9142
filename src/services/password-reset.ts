/**
 * "Forgot your password?": a reset link by email, and what follows it.
 *
 * A request gets the same answer whether or not an account matches, and does the same work: one
 * look-up, then one batch whose statements select the account themselves (`INSERT … SELECT`), so
 * that for a name no account has they simply write nothing. The email is sent later by the
 * delivery loop, never inside the request. The token is 160 random bits; only its SHA-256 is
 * stored, for an hour, once per account (a new request replaces the earlier link), and it works
 * once. An account without a password (it signs in with Plimus) is emailed that it should reset
 * its password at Plimus instead.
 *
 * Setting the new password ends every session of the account, signs nobody in, and emails a
 * notice whose "this wasn't me" link (src/mail/links.ts) ends every session again.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { and, eq, inArray, isNotNull, lte, or, sql } from 'drizzle-orm';
import { passwordResets, users } from '../../db/schema';
import type { MailKind } from '../../domain/words';
import { hashPassword } from '../auth/password';
import { invalidateUserSessions } from '../auth/session';
import type { AppDeps } from '../context';
import { BadRequestError, FormError } from '../errors';
import { readNotMeToken } from '../mail/links';
import { queueMail, queueMailTo } from '../mail/outbox';

/** How long a reset link works. */
export const RESET_MS = 3600_000;

const hashToken = (token: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(token)));

/** The shape of a reset token (32 base32 characters): anything else is refused unread. */
export const RESET_TOKEN = /^[a-z2-7]{32}$/;

/**
 * Queues a reset link for the account named by username or email address, if there is one.
 * @throws FormError when the forum cannot send email (409), or the client or the name asked too
 *   often (429); the same for every name
 */
export async function requestPasswordReset(
  deps: AppDeps,
  client: string,
  login: string,
): Promise<void> {
  const { db, limits } = deps;
  if (!deps.mail.available) {
    throw new FormError(
      { login: 'Resetting a password by email is not available on this forum.' },
      409,
    );
  }
  const key = login.toLowerCase();
  const byName = key.includes('@') ? eq(users.emailKey, key) : eq(users.usernameKey, key);
  const perClient = limits.resetPerClient.hit(client);
  const user = await db.select({ id: users.id }).from(users).where(byName).get();
  // One count per account, whichever name it is asked by; names of no account count too.
  const perAccount = limits.resetPerAccount.hit(user ? `reset:user:${user.id}` : `reset:${key}`);
  for (const verdict of [perClient, perAccount]) {
    if (!verdict.ok) {
      throw new FormError(
        { login: 'Too many reset requests. Please wait a while before asking again.' },
        429,
        verdict.retryAfterSeconds,
      );
    }
  }
  const token = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
  const now = deps.now();
  const expiresAt = now + RESET_MS;
  const account = user ? eq(users.id, user.id) : sql`0`;
  const payload = JSON.stringify({ token, expiresAt });
  await db.batch([
    // Earlier links of the account stop working (and expired ones of every account go).
    db
      .delete(passwordResets)
      .where(
        or(
          inArray(passwordResets.userId, db.select({ id: users.id }).from(users).where(account)),
          lte(passwordResets.expiresAt, new Date(now)),
        ),
      ),
    db.insert(passwordResets).select(
      db
        .select({
          id: sql<string>`${hashToken(token)}`.as('id'),
          userId: users.id,
          createdAt: sql<Date>`${now}`.as('created_at'),
          expiresAt: sql<Date>`${expiresAt}`.as('expires_at'),
        })
        .from(users)
        .where(and(account, isNotNull(users.passwordHash), isNotNull(users.email))),
    ),
    queueMailTo(deps, {
      kind: sql<MailKind>`case when ${users.passwordHash} is null then 'password_reset_plimus' else 'password_reset' end`,
      payload: sql<
        string | null
      >`case when ${users.passwordHash} is null then null else ${payload} end`,
      urgent: true,
      recipients: and(account, isNotNull(users.email)),
    }),
  ]);
  deps.mail.nudge();
}

/** The account of a reset token that still works, or null. */
export async function resetTokenAccount(
  deps: AppDeps,
  token: string | undefined,
): Promise<{ userId: number; expiresAt: Date } | null> {
  if (!token || !RESET_TOKEN.test(token)) return null;
  const row = await deps.db
    .select({ userId: passwordResets.userId, expiresAt: passwordResets.expiresAt })
    .from(passwordResets)
    .where(eq(passwordResets.id, hashToken(token)))
    .get();
  return row && row.expiresAt.getTime() > deps.now() ? row : null;
}

export const RESET_LINK_NOT_VALID =
  'This reset link does not work any more: it is older than an hour, a newer one replaced it, or it was used already. Ask for a new one.';

/**
 * Sets the new password of the token's account, in one batch: the token and every other one of
 * the account go, every session ends, and a notice is queued. Nobody is signed in by it.
 * @throws BadRequestError when the token does not work (any more)
 */
export async function resetPassword(
  deps: AppDeps,
  token: string | undefined,
  newPassword: string,
): Promise<void> {
  const account = await resetTokenAccount(deps, token);
  if (!account) throw new BadRequestError(RESET_LINK_NOT_VALID, 'This link has expired');
  const passwordHash = await hashPassword(newPassword);
  const { db } = deps;
  const changedAt = deps.now();
  await db.batch([
    db.update(users).set({ passwordHash }).where(eq(users.id, account.userId)),
    db.delete(passwordResets).where(eq(passwordResets.userId, account.userId)),
    invalidateUserSessions(deps, account.userId),
    queueMail(deps, {
      kind: 'password_changed',
      userId: account.userId,
      payload: { changedAt },
      urgent: true,
    }),
  ]);
  deps.mail.nudge();
}

/**
 * The account of a "this wasn't me" link (its page asks before the link acts).
 * @throws BadRequestError when the link is not one the forum made, or is more than a week old
 */
export function requireNotMeLink(deps: AppDeps, token: string): { userId: number } {
  const account = readNotMeToken(deps.keys, token, deps.now());
  if (!account) {
    throw new BadRequestError(
      'This link is not valid, or is more than a week old. If someone else changed your password, ask for a new reset link.',
      'This link does not work',
    );
  }
  return account;
}

/**
 * "This wasn't me": the link of the notice signs the account out everywhere again, and its
 * pending reset links stop working.
 * @throws BadRequestError when the link does not work (see requireNotMeLink)
 */
export async function endSessionsFromNotice(deps: AppDeps, token: string): Promise<void> {
  const { userId } = requireNotMeLink(deps, token);
  await deps.db.batch([
    invalidateUserSessions(deps, userId),
    deps.db.delete(passwordResets).where(eq(passwordResets.userId, userId)),
  ]);
}
