/**
 * The Plimus identity: signing in with it, linking it to a forum account, creating an account
 * from it, unlinking. Linking is by (issuer, sub) alone: an email address that matches an
 * existing forum account never links or signs anyone in by itself (the classic account takeover
 * of forum single sign-on).
 *
 * Vendor staff status and purchases come only from the linked identity's claims, refreshed at
 * every Plimus sign-in.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import { identityLinks, identityPurchases, pendingSignups, sessions, users } from '../../db/schema';
import { type PlimusClaims, plimusClaims } from '../auth/oidc';
import { CURRENT_PRIVACY } from '../content/privacy';
import type { AppDeps } from '../context';
import { FormError } from '../errors';
import { withoutHiddenCharacters } from '../validation/fields';
import { ensureVendor } from './catalog';
import { refuseSuspended } from './suspended-accounts';

const PENDING_MS = 15 * 60_000;

export type IdentityLink = typeof identityLinks.$inferSelect;

export type SignInOutcome =
  /** a known identity: sign this account in */
  | { kind: 'sign-in'; userId: number }
  /** signed in, identity unknown: it is now linked to the signed-in account */
  | { kind: 'linked' }
  /** signed in with the identity already linked to this very account */
  | { kind: 'already-linked' }
  /** signed out, identity unknown, no account with its email: choose a username */
  | { kind: 'choose-username'; token: string }
  /** signed out, identity unknown, but a forum account has its email address */
  | { kind: 'email-in-use' }
  /** signed in, but the identity is linked to another forum account */
  | { kind: 'linked-elsewhere' }
  /** signed in, and this account is linked to a different Plimus identity */
  | { kind: 'other-identity' };

const hashToken = (token: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(token)));

export async function findLink(deps: AppDeps, issuer: string, subject: string) {
  return deps.db
    .select()
    .from(identityLinks)
    .where(and(eq(identityLinks.issuer, issuer), eq(identityLinks.subject, subject)))
    .get();
}

export async function linkOfUser(deps: AppDeps, userId: number) {
  return deps.db.select().from(identityLinks).where(eq(identityLinks.userId, userId)).get();
}

/** The statements that make a link's vendor and purchases match the claims. */
async function claimStatements(
  deps: AppDeps,
  linkRef: { issuer: string; subject: string },
  claims: PlimusClaims,
) {
  const { db } = deps;
  const vendor =
    claims.plimus_vendor_id !== undefined
      ? await ensureVendor(deps, {
          plimusVendorId: claims.plimus_vendor_id,
          name: claims.plimus_vendor_name ?? claims.plimus_vendor_id,
        })
      : null;
  const linkId = sql<number>`(select id from identity_links where issuer = ${linkRef.issuer} and subject = ${linkRef.subject})`;
  const purchases = [...new Set(claims.plimus_purchases ?? [])];
  const verified =
    claims.email_verified === true && claims.email ? claims.email.toLowerCase() : null;
  return [
    db
      .update(identityLinks)
      .set({ vendorId: vendor?.id ?? null, claimsRefreshedAt: new Date(deps.now()) })
      .where(
        and(eq(identityLinks.issuer, linkRef.issuer), eq(identityLinks.subject, linkRef.subject)),
      ),
    db.delete(identityPurchases).where(sql`${identityPurchases.linkId} = ${linkId}`),
    ...(purchases.length > 0
      ? [
          db
            .insert(identityPurchases)
            .values(purchases.map((plimusProductId) => ({ linkId, plimusProductId }))),
        ]
      : []),
    // An address the identity has verified is confirmed for the account that has it.
    ...(verified
      ? [
          db
            .update(users)
            .set({ emailConfirmedAt: new Date(deps.now()) })
            .where(
              and(
                sql`${users.id} = (select user_id from identity_links where issuer = ${linkRef.issuer} and subject = ${linkRef.subject})`,
                eq(users.emailKey, verified),
                isNull(users.emailConfirmedAt),
              ),
            ),
        ]
      : []),
  ] as const;
}

/**
 * Decides what a completed Plimus sign-in means for the person, and records it.
 */
export async function resolvePlimusSignIn(
  deps: AppDeps,
  issuer: string,
  claims: PlimusClaims,
  viewer: { id: number } | null,
): Promise<SignInOutcome> {
  const { db } = deps;
  const ref = { issuer, subject: claims.sub };
  const link = await findLink(deps, issuer, claims.sub);
  if (link) {
    if (viewer && viewer.id !== link.userId) return { kind: 'linked-elsewhere' };
    const [first, ...rest] = await claimStatements(deps, ref, claims);
    await db.batch([first, ...rest]);
    return viewer ? { kind: 'already-linked' } : { kind: 'sign-in', userId: link.userId };
  }
  if (viewer) {
    if (await linkOfUser(deps, viewer.id)) return { kind: 'other-identity' };
    const now = new Date(deps.now());
    await db.batch([
      db.insert(identityLinks).values({
        userId: viewer.id,
        issuer,
        subject: claims.sub,
        linkedAt: now,
        claimsRefreshedAt: now,
      }),
      ...(await claimStatements(deps, ref, claims)),
    ]);
    return { kind: 'linked' };
  }
  const email = claims.email?.toLowerCase();
  if (email) {
    const owner = await db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.emailKey, email))
      .get();
    if (owner) return { kind: 'email-in-use' };
  }
  const token = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
  const now = deps.now();
  await db.batch([
    db.delete(pendingSignups).where(lt(pendingSignups.expiresAt, new Date(now))),
    db.insert(pendingSignups).values({
      id: hashToken(token),
      issuer,
      claims: JSON.stringify(claims),
      createdAt: new Date(now),
      expiresAt: new Date(now + PENDING_MS),
    }),
  ]);
  return { kind: 'choose-username', token };
}

export type PendingSignup = { issuer: string; claims: PlimusClaims };

/** The identity waiting for a username, or null when the token is unknown or expired. */
export async function pendingSignup(
  deps: AppDeps,
  token: string | undefined,
): Promise<PendingSignup | null> {
  if (!token) return null;
  const row = await deps.db
    .select()
    .from(pendingSignups)
    .where(eq(pendingSignups.id, hashToken(token)))
    .get();
  if (!row || row.expiresAt.getTime() <= deps.now()) return null;
  return { issuer: row.issuer, claims: plimusClaims.parse(JSON.parse(row.claims)) };
}

/** A username suggestion from the identity's preferred_username: allowed characters only. */
export function suggestUsername(claims: PlimusClaims): string {
  return (claims.preferred_username ?? '').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 20);
}

/**
 * Creates a forum account linked to a pending identity, with the person's chosen username. The
 * account, the link, its purchases and the public-content acknowledgement are one batch.
 * @throws FormError when the username is taken (or the email address was taken meanwhile), or
 *   the username or the identity's email address is held by a suspension
 */
export async function createAccountFromIdentity(
  deps: AppDeps,
  token: string,
  pending: PendingSignup,
  input: { username: string; publicAck: boolean },
): Promise<{ userId: number }> {
  const { db } = deps;
  const usernameKey = input.username.toLowerCase();
  const claims = pending.claims;
  const email = claims.email && claims.email_verified ? claims.email : null;
  const taken = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.usernameKey, usernameKey))
    .get();
  if (taken)
    throw new FormError({ username: 'That username is taken. Please choose another.' }, 409);
  // The identity's email address is the one the account would have, chosen or not.
  await refuseSuspended(deps, { username: input.username, email: claims.email }, { email: 'form' });
  const now = new Date(deps.now());
  const ref = { issuer: pending.issuer, subject: claims.sub };
  try {
    const [[user]] = await db.batch([
      db
        .insert(users)
        .values({
          username: input.username,
          usernameKey,
          displayName: withoutHiddenCharacters(claims.name ?? '').trim() || null,
          email,
          emailKey: email?.toLowerCase() ?? null,
          createdAt: now,
          ageConfirmedAt: now,
          publicAckAt: input.publicAck ? now : null,
          // A new account has read the notice as it is now: no banner about older changes.
          policyVersionSeen: CURRENT_PRIVACY.version,
        })
        .returning({ id: users.id }),
      db.insert(identityLinks).values({
        userId: sql<number>`(select id from users where username_key = ${usernameKey})`,
        issuer: pending.issuer,
        subject: claims.sub,
        linkedAt: now,
        claimsRefreshedAt: now,
      }),
      ...(await claimStatements(deps, ref, claims)),
      db.delete(pendingSignups).where(eq(pendingSignups.id, hashToken(token))),
    ]);
    if (!user) throw new Error('user insert returned no row');
    return { userId: user.id };
  } catch (err) {
    if (/UNIQUE/i.test(String((err as { cause?: unknown }).cause ?? err))) {
      throw new FormError(
        {
          username:
            'That username, this email address or this Plimus identity was just used by another account.',
        },
        409,
      );
    }
    throw err;
  }
}

/**
 * Removes the link to the Plimus identity (and the purchases it brought).
 * @throws FormError when the account has no password: it could no longer sign in
 */
export async function unlinkIdentity(
  deps: AppDeps,
  user: { id: number; passwordHash: string | null },
) {
  if (!user.passwordHash) {
    throw new FormError({
      form: 'This account signs in only with Plimus. Set a password first, or you could not sign in any more.',
    });
  }
  await deps.db.delete(identityLinks).where(eq(identityLinks.userId, user.id));
}

/**
 * A fresh Plimus sign-in by the linked identity confirms the person for a while (the relying party
 * has checked that it is fresh). Like every Plimus sign-in, it refreshes the identity's claims.
 */
export async function markReauthenticated(
  deps: AppDeps,
  viewer: { id: number; sessionId: string },
  issuer: string,
  claims: PlimusClaims,
): Promise<boolean> {
  const link = await findLink(deps, issuer, claims.sub);
  if (!link || link.userId !== viewer.id) return false;
  await deps.db.batch([
    deps.db
      .update(sessions)
      .set({ freshAuthAt: new Date(deps.now()) })
      .where(eq(sessions.id, viewer.sessionId)),
    ...(await claimStatements(deps, { issuer, subject: claims.sub }, claims)),
  ]);
  return true;
}
