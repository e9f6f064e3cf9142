/**
 * The signed-in person's own account: what /account shows them, and the changes they make there
 * (profile, email address, a first password, announcements, sessions, the privacy-notice banner).
 * Every change takes effect at once.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { and, count, desc, eq, gt, lte, or } from 'drizzle-orm';
import {
  emailConfirmations,
  identityLinks,
  identityPurchases,
  sessions,
  users,
  vendors,
} from '../../db/schema';
import { hashPassword } from '../auth/password';
import { invalidateUserSessions } from '../auth/session';
import { CURRENT_PRIVACY } from '../content/privacy';
import type { AppDeps } from '../context';
import { BadRequestError, ConflictError, FormError } from '../errors';
import type { Actor } from '../policy';
import { requireEditProfile, requireSetFirstPassword, type SessionFacts } from '../policy/account';
import { vendorStatus } from '../policy/vendors';
import { heldBySuspension } from './suspended-accounts';

/** How long a link to confirm a new email address works. */
export const EMAIL_CONFIRMATION_MS = 24 * 3600_000;

export type AccountSession = {
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  remember: boolean;
  /** the session of the request that asks */
  current: boolean;
};

export type AccountIdentity = {
  /** the identity provider's host, e.g. login.plimus.com */
  issuerHost: string;
  linkedAt: Date;
  /** the vendor whose staff the identity belongs to, when it does */
  vendorName: string | null;
  /**
   * the claims were last confirmed too long ago: the vendor staff status does not count until
   * the next Plimus sign-in
   */
  vendorClaimsExpired: boolean;
  /** when a Plimus sign-in last confirmed the claims */
  claimsConfirmedAt: Date;
  /** how long vendor staff status counts after that (VENDOR_CLAIMS_MAX_AGE_DAYS) */
  vendorClaimsMaxAgeDays: number;
  purchaseCount: number;
};

export type AccountOverview = {
  username: string;
  displayName: string | null;
  bio: string;
  email: string | null;
  announcementsOptIn: boolean;
  /** show the verified-buyer badge on posts in forums of products the person bought */
  showBuyerBadge: boolean;
  /** a new address waiting for its confirmation link to be followed */
  pendingEmail: { email: string; expiresAt: Date } | null;
  identity: AccountIdentity | null;
  sessions: AccountSession[];
};

/** Everything /account shows the person about their own account, read in one batch. */
export async function getAccountOverview(
  deps: AppDeps,
  viewer: { id: number; sessionId: string },
): Promise<AccountOverview> {
  const { db } = deps;
  const now = new Date(deps.now());
  const [[user], pending, [link], sessionRows] = await db.batch([
    db
      .select({
        username: users.username,
        displayName: users.displayName,
        bio: users.bio,
        email: users.email,
        announcementsOptIn: users.announcementsOptIn,
        showBuyerBadge: users.showBuyerBadge,
      })
      .from(users)
      .where(eq(users.id, viewer.id)),
    db
      .select({ email: emailConfirmations.email, expiresAt: emailConfirmations.expiresAt })
      .from(emailConfirmations)
      .where(and(eq(emailConfirmations.userId, viewer.id), gt(emailConfirmations.expiresAt, now)))
      .orderBy(desc(emailConfirmations.createdAt))
      .limit(1),
    db
      .select({
        issuer: identityLinks.issuer,
        linkedAt: identityLinks.linkedAt,
        claimsConfirmedAt: identityLinks.claimsRefreshedAt,
        vendorId: identityLinks.vendorId,
        vendorName: vendors.name,
        purchaseCount: count(identityPurchases.plimusProductId),
      })
      .from(identityLinks)
      .leftJoin(vendors, eq(vendors.id, identityLinks.vendorId))
      .leftJoin(identityPurchases, eq(identityPurchases.linkId, identityLinks.id))
      .where(eq(identityLinks.userId, viewer.id))
      .groupBy(identityLinks.id),
    db
      .select({
        id: sessions.id,
        createdAt: sessions.createdAt,
        lastUsedAt: sessions.lastUsedAt,
        expiresAt: sessions.expiresAt,
        remember: sessions.remember,
      })
      .from(sessions)
      .where(and(eq(sessions.userId, viewer.id), gt(sessions.expiresAt, now)))
      .orderBy(desc(sessions.lastUsedAt)),
  ]);
  if (!user) throw new Error('the signed-in account has no row');
  return {
    ...user,
    pendingEmail: pending[0] ?? null,
    identity: link
      ? {
          issuerHost: hostOf(link.issuer),
          linkedAt: link.linkedAt,
          vendorName: link.vendorName,
          vendorClaimsExpired: vendorStatus(
            { vendorId: link.vendorId, confirmedAt: link.claimsConfirmedAt },
            now.getTime(),
            deps.config.vendorClaimsMaxAgeDays,
          ).vendorClaimsExpired,
          claimsConfirmedAt: link.claimsConfirmedAt,
          vendorClaimsMaxAgeDays: deps.config.vendorClaimsMaxAgeDays,
          purchaseCount: link.purchaseCount,
        }
      : null,
    sessions: sessionRows.map(({ id, ...s }) => ({ ...s, current: id === viewer.sessionId })),
  };
}

function hostOf(issuer: string): string {
  try {
    return new URL(issuer).host;
  } catch {
    return issuer;
  }
}

/**
 * Display name (null for none) and bio, shown on the public profile at once.
 * @throws ForbiddenError while the account is suspended (requireEditProfile)
 */
export async function updateProfile(
  deps: AppDeps,
  viewer: Actor,
  profile: { displayName: string | null; bio: string },
): Promise<void> {
  requireEditProfile(viewer, deps.now());
  await deps.db
    .update(users)
    .set({ displayName: profile.displayName, bio: profile.bio })
    .where(eq(users.id, viewer.id));
}

export async function setAnnouncements(
  deps: AppDeps,
  userId: number,
  optIn: boolean,
): Promise<void> {
  await deps.db.update(users).set({ announcementsOptIn: optIn }).where(eq(users.id, userId));
}

/** The verified-buyer badge: a purchase is personal data, shown only when the person chooses. */
export async function setBuyerBadge(deps: AppDeps, userId: number, show: boolean): Promise<void> {
  await deps.db.update(users).set({ showBuyerBadge: show }).where(eq(users.id, userId));
}

const hashToken = (token: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(token)));

/**
 * Sends a link to the new address; the address changes only when the link is followed while
 * signed in to this account. Only the SHA-256 of the link's token is stored, with the address and
 * an expiry; a new request replaces the account's earlier ones, and expired requests of every
 * account are cleared on the way.
 *
 * An address that another account uses gets the same answer, and the same waiting request on the
 * account page, so that nobody learns which addresses have accounts here; the message to it says
 * that someone tried to use it and carries no link (its token is sent nowhere).
 * @throws FormError when email cannot be sent (409), the account asked too often (429), or the
 *   address is this account's already (422)
 */
export async function requestEmailChange(
  deps: AppDeps,
  user: { id: number; username: string },
  newEmail: string,
): Promise<void> {
  const { db } = deps;
  if (!deps.mailer.available) {
    throw new FormError(
      { email: 'Changing the email address is not available on this forum yet.' },
      409,
    );
  }
  // Each request sends an email to an address of the person's choosing: not too many.
  const verdict = deps.limits.emailChangesPerAccount.hit(`email-change:${user.id}`);
  if (!verdict.ok) {
    throw new FormError(
      {
        email:
          'You asked for several confirmation links in a short time. Please wait a while, then try again.',
      },
      429,
      verdict.retryAfterSeconds,
    );
  }
  const emailKey = newEmail.toLowerCase();
  const owner = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.emailKey, emailKey))
    .get();
  if (owner?.id === user.id) {
    throw new FormError({ email: 'That is already your email address.' });
  }
  const token = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
  const now = deps.now();
  const expiresAt = new Date(now + EMAIL_CONFIRMATION_MS);
  await db.batch([
    db
      .delete(emailConfirmations)
      .where(
        or(
          eq(emailConfirmations.userId, user.id),
          lte(emailConfirmations.expiresAt, new Date(now)),
        ),
      ),
    db.insert(emailConfirmations).values({
      id: hashToken(token),
      userId: user.id,
      email: newEmail,
      createdAt: new Date(now),
      expiresAt,
    }),
  ]);
  const asked = `Someone signed in as ${user.username} on the Plimus Community Forums asked to use this email address for their account.`;
  if (owner) {
    await deps.mailer.send({
      to: newEmail,
      subject: 'Someone tried to use your email address on the Plimus Community Forums',
      text: [
        asked,
        '',
        'This address already belongs to a forum account, so nothing changed: no other account can take it.',
        `If it was you, you already have an account with this address: sign in to it at ${deps.config.publicOrigin}/login.`,
        'If it was not you, ignore this message.',
      ].join('\n'),
    });
    return;
  }
  const link = `${deps.config.publicOrigin}/account/email/confirm?token=${token}`;
  await deps.mailer.send({
    to: newEmail,
    subject: 'Confirm your new email address for the Plimus Community Forums',
    text: [
      asked,
      '',
      'To confirm, open this link while signed in to the forums:',
      link,
      '',
      `The link works for 24 hours, until ${expiresAt.toISOString().replace('T', ' ').slice(0, 16)} UTC.`,
      'If it was not you, ignore this message: nothing changes.',
    ].join('\n'),
  });
}

const LINK_NOT_VALID =
  'This confirmation link is not valid any more: it has expired, was replaced by a newer one, or was used already. Ask for a new link on your account page.';

/**
 * Makes the address of a confirmation link the account's email address.
 * @throws BadRequestError when the token is unknown, expired or another account's
 * @throws ConflictError when another account took the address meanwhile, or it belonged to an
 *   account deleted while suspended and the suspension has not ended
 */
export async function confirmEmailChange(
  deps: AppDeps,
  userId: number,
  token: string,
): Promise<void> {
  const { db } = deps;
  const row = await db
    .select()
    .from(emailConfirmations)
    .where(eq(emailConfirmations.id, hashToken(token)))
    .get();
  if (!row || row.expiresAt.getTime() <= deps.now()) {
    throw new BadRequestError(LINK_NOT_VALID, 'This link has expired');
  }
  if (row.userId !== userId) {
    throw new BadRequestError(
      'This confirmation link belongs to another account. Sign out, then sign in to the account that asked for the change and open the link again.',
      'This link is for another account',
    );
  }
  // Said only here, to the person who showed that the address is theirs.
  const held = await heldBySuspension(deps, { email: row.email });
  if (held.email) throw new ConflictError(held.email);
  const emailKey = row.email.toLowerCase();
  try {
    await db.batch([
      db.update(users).set({ email: row.email, emailKey }).where(eq(users.id, userId)),
      db.delete(emailConfirmations).where(eq(emailConfirmations.userId, userId)),
    ]);
  } catch (err) {
    if (/UNIQUE/i.test(String((err as { cause?: unknown }).cause ?? err))) {
      throw new ConflictError(
        'Another account started using this email address meanwhile. Please choose a different one.',
      );
    }
    throw err;
  }
}

/**
 * An account made from a Plimus identity sets its first password, after a fresh Plimus sign-in.
 * Like a password change, it ends every other session.
 * @throws ForbiddenError when the account has a password or the sign-in is not fresh
 */
export async function setFirstPassword(
  deps: AppDeps,
  viewer: { id: number; passwordHash: string | null; session: SessionFacts & { id: string } },
  newPassword: string,
): Promise<void> {
  requireSetFirstPassword(viewer, viewer.session, deps.now());
  const passwordHash = await hashPassword(newPassword);
  await deps.db.batch([
    deps.db.update(users).set({ passwordHash }).where(eq(users.id, viewer.id)),
    invalidateUserSessions(deps, viewer.id, viewer.session.id),
  ]);
}

/** "Sign out everywhere else": ends every session of the account but this one. */
export async function endOtherSessions(
  deps: AppDeps,
  viewer: { id: number; sessionId: string },
): Promise<void> {
  await invalidateUserSessions(deps, viewer.id, viewer.sessionId);
}

/** The person has seen the current privacy notice's changes: the banner goes away. */
export async function dismissPrivacyNotice(deps: AppDeps, userId: number): Promise<void> {
  await deps.db
    .update(users)
    .set({ policyVersionSeen: CURRENT_PRIVACY.version })
    .where(eq(users.id, userId));
}
