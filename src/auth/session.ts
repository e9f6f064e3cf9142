/**
 * Sessions after Lucia's current design (lucia-auth.com/sessions): the cookie holds a token
 * `<id>.<secret>` made of 120 + 160 random bits; the database holds the id and the SHA-256 of
 * the secret, compared in constant time. Expiry slides:
 * - "remember me": 30 days, extended to 30 days again once less than half is left;
 * - otherwise: ends after 1 day without use (and the cookie ends with the browser session).
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { and, eq, ne, sql } from 'drizzle-orm';
import { type Db, preparedPerDb } from '../../db/client';
import { identityLinks, sessions, users } from '../../db/schema';
import { type StorageUnavailableError, storageFailure } from '../errors';
import { type VendorStatus, vendorStatus } from '../policy/vendors';

export const DAY = 24 * 3600_000;
export const REMEMBERED_SESSION_MS = 30 * DAY;
export const BROWSER_SESSION_IDLE_MS = DAY;
/** how often "last used" is written at most, so that reading pages does not write on every click */
const TOUCH_INTERVAL_MS = 60_000;

/** What the session functions use: the database and the clock (the app's deps have both). */
export type SessionDeps = {
  db: Db;
  now: () => number;
  /** told when a write made on the side of a read was refused (see `/readyz`) */
  storage: { noteRefusal(failure: StorageUnavailableError): void };
};

export type Session = typeof sessions.$inferSelect;

export type SessionUser = Pick<
  typeof users.$inferSelect,
  | 'id'
  | 'username'
  | 'displayName'
  | 'role'
  | 'createdAt'
  | 'publicAckAt'
  | 'lastPostedAt'
  | 'suspendedUntil'
  | 'suspendedReason'
  | 'postsNeedApproval'
  | 'showBuyerBadge'
  | 'policyVersionSeen'
  | 'passwordHash'
> &
  /** the vendor this person is staff of, from their linked Plimus identity while it is fresh */
  VendorStatus;

function randomString(bytes: number): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}

function hashSecret(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)));
}

export type NewSession = { token: string; session: Session };

export async function createSession(
  deps: SessionDeps,
  userId: number,
  /** `device`: the name of the browser and system that signs in (src/auth/device.ts) */
  opts: { remember: boolean; device?: string | null },
): Promise<NewSession> {
  const id = randomString(15);
  const secret = randomString(20);
  const now = deps.now();
  const [session] = await deps.db
    .insert(sessions)
    .values({
      id,
      secretHash: hashSecret(secret),
      userId,
      createdAt: new Date(now),
      lastUsedAt: new Date(now),
      expiresAt: new Date(now + (opts.remember ? REMEMBERED_SESSION_MS : BROWSER_SESSION_IDLE_MS)),
      remember: opts.remember,
      device: opts.device ?? null,
    })
    .returning();
  if (!session) throw new Error('session insert returned no row');
  return { token: `${id}.${secret}`, session };
}

export type ValidatedSession = {
  session: Session;
  user: SessionUser;
  /** the expiry moved: the cookie should be sent again */
  extended: boolean;
};

const TOKEN_FORMAT = /^([a-z2-7]{24})\.([a-z2-7]{32})$/;

/** The session and its user for a token, or null when it is unknown, forged or expired. */
/** A session with its person: read on every request of someone signed in. */
const sessionById = preparedPerDb((db) =>
  db
    .select({
      session: sessions,
      user: {
        id: users.id,
        username: users.username,
        displayName: users.displayName,
        role: users.role,
        createdAt: users.createdAt,
        publicAckAt: users.publicAckAt,
        lastPostedAt: users.lastPostedAt,
        suspendedUntil: users.suspendedUntil,
        suspendedReason: users.suspendedReason,
        postsNeedApproval: users.postsNeedApproval,
        showBuyerBadge: users.showBuyerBadge,
        policyVersionSeen: users.policyVersionSeen,
        passwordHash: users.passwordHash,
      },
      // vendor staff status comes only from the linked Plimus identity
      vendorId: identityLinks.vendorId,
      vendorConfirmedAt: identityLinks.claimsRefreshedAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(identityLinks, eq(identityLinks.userId, users.id))
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare(),
);

export async function validateSessionToken(
  deps: SessionDeps,
  token: string,
  /** how long vendor claims count after a Plimus sign-in confirmed them (src/policy/vendors.ts) */
  vendorClaimsMaxAgeDays: number,
): Promise<ValidatedSession | null> {
  const m = TOKEN_FORMAT.exec(token);
  if (!m) return null;
  const [, id, secret] = m as unknown as [string, string, string];
  const row = await sessionById(deps.db).get({ id });
  if (!row) return null;
  const encoder = new TextEncoder();
  if (
    !constantTimeEqual(encoder.encode(hashSecret(secret)), encoder.encode(row.session.secretHash))
  ) {
    return null;
  }
  const now = deps.now();
  const session = row.session;
  if (now >= session.expiresAt.getTime()) {
    await bestEffort(deps, deps.db.delete(sessions).where(eq(sessions.id, id)));
    return null;
  }
  let expiresAt = session.expiresAt.getTime();
  if (session.remember) {
    if (expiresAt - now < REMEMBERED_SESSION_MS / 2) expiresAt = now + REMEMBERED_SESSION_MS;
  } else {
    expiresAt = now + BROWSER_SESSION_IDLE_MS;
  }
  let extended = session.remember && expiresAt !== session.expiresAt.getTime();
  if (extended || now - session.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
    const touched = await bestEffort(
      deps,
      deps.db
        .update(sessions)
        .set({ lastUsedAt: new Date(now), expiresAt: new Date(expiresAt) })
        .where(eq(sessions.id, id)),
    );
    if (touched) {
      session.lastUsedAt = new Date(now);
      session.expiresAt = new Date(expiresAt);
    } else {
      extended = false;
    }
  }
  const vendor = vendorStatus(
    row.vendorConfirmedAt ? { vendorId: row.vendorId, confirmedAt: row.vendorConfirmedAt } : null,
    now,
    vendorClaimsMaxAgeDays,
  );
  return { session, user: { ...row.user, ...vendor }, extended };
}

/**
 * Runs a write that reading a page makes on the side ("last used", an expired session's row):
 * when the database cannot take writes (full, read-only), the page is still served and the write
 * is skipped, noted for `/readyz`. Whether it happened is returned; any other error is thrown.
 */
async function bestEffort(deps: SessionDeps, write: PromiseLike<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    const refused = storageFailure(err);
    if (!refused) throw err;
    deps.storage.noteRefusal(refused);
    return false;
  }
}

export async function invalidateSession(deps: SessionDeps, sessionId: string): Promise<void> {
  await deps.db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every session of a user, or every other one when `except` is given. */
export function invalidateUserSessions(deps: SessionDeps, userId: number, except?: string) {
  return deps.db
    .delete(sessions)
    .where(
      except
        ? and(eq(sessions.userId, userId), ne(sessions.id, except))
        : eq(sessions.userId, userId),
    );
}
