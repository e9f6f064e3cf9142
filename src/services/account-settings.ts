/**
 * The signed-in person's own account: what /account shows them, and the changes they make there
 * (profile, email address and its confirmation, a first password, email choices, sessions, the
 * privacy-notice banner), and the one-click unsubscribe link of emails. Every change takes effect
 * at once.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { and, count, desc, eq, gt, lte, not, or, type SQL, sql } from 'drizzle-orm';
import {
  emailConfirmations,
  identityLinks,
  identityPurchases,
  sessions,
  topics,
  topicWatches,
  users,
  vendors,
} from '../../db/schema';
import type { DigestChoice, NotificationKind, UnsubscribeScope } from '../../domain/words';
import { hashPassword } from '../auth/password';
import { invalidateUserSessions } from '../auth/session';
import { CURRENT_PRIVACY } from '../content/privacy';
import type { AppDeps } from '../context';
import { BadRequestError, ConflictError, ForbiddenError, FormError } from '../errors';
import { readUnsubscribeToken } from '../mail/links';
import { queueMail } from '../mail/outbox';
import type { Actor } from '../policy';
import { requireEditProfile, requireSetFirstPassword, type SessionFacts } from '../policy/account';
import { vendorStatus } from '../policy/vendors';
import { emailKindsOf, storedEmailKinds } from './notification-mail';
import { heldBySuspension } from './suspended-accounts';

/** A confirmation is for the account's own address (not a change) when it names that address. */
const forCurrentAddress = sql`lower(${emailConfirmations.email}) = (select ${users.emailKey} from ${users} where ${users.id} = ${emailConfirmations.userId})`;

/** How long a link to confirm an email address works. */
export const EMAIL_CONFIRMATION_MS = 24 * 3600_000;

export type AccountSession = {
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  remember: boolean;
  /** the browser and system that signed in ("Firefox on Linux"), null when not recognised */
  device: string | null;
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
  /** when the address was confirmed (a link followed, or the Plimus identity verified it) */
  emailConfirmedAt: Date | null;
  /** mail to the address was refused for good since `since`, with the reply code */
  emailFailing: { since: Date; code: string | null } | null;
  /** a link to confirm the address on file was sent and still works until then */
  confirmationExpiresAt: Date | null;
  announcementsOptIn: boolean;
  /** no email at all but service notices */
  optionalEmailOff: boolean;
  /** the notification kinds emailed "when away" */
  emailKinds: NotificationKind[];
  digest: DigestChoice;
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
  const [[user], pending, [confirmation], [link], sessionRows] = await db.batch([
    db
      .select({
        username: users.username,
        displayName: users.displayName,
        bio: users.bio,
        email: users.email,
        emailConfirmedAt: users.emailConfirmedAt,
        emailFailedAt: users.emailFailedAt,
        emailFailure: users.emailFailure,
        announcementsOptIn: users.announcementsOptIn,
        optionalEmailOff: users.optionalEmailOff,
        notificationEmailKinds: users.notificationEmailKinds,
        digest: users.digest,
        showBuyerBadge: users.showBuyerBadge,
      })
      .from(users)
      .where(eq(users.id, viewer.id)),
    db
      .select({ email: emailConfirmations.email, expiresAt: emailConfirmations.expiresAt })
      .from(emailConfirmations)
      .where(
        and(
          eq(emailConfirmations.userId, viewer.id),
          gt(emailConfirmations.expiresAt, now),
          not(forCurrentAddress),
        ),
      )
      .orderBy(desc(emailConfirmations.createdAt))
      .limit(1),
    db
      .select({ expiresAt: emailConfirmations.expiresAt })
      .from(emailConfirmations)
      .where(
        and(
          eq(emailConfirmations.userId, viewer.id),
          gt(emailConfirmations.expiresAt, now),
          forCurrentAddress,
        ),
      )
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
        device: sessions.device,
      })
      .from(sessions)
      .where(and(eq(sessions.userId, viewer.id), gt(sessions.expiresAt, now)))
      .orderBy(desc(sessions.lastUsedAt)),
  ]);
  if (!user) throw new Error('the signed-in account has no row');
  const { emailFailedAt, emailFailure, notificationEmailKinds, ...rest } = user;
  return {
    ...rest,
    emailKinds: emailKindsOf(notificationEmailKinds),
    emailFailing: emailFailedAt ? { since: emailFailedAt, code: emailFailure } : null,
    confirmationExpiresAt: confirmation?.expiresAt ?? null,
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

/**
 * The person's email choices: announcements (off unless chosen), no optional email at all, the
 * notification kinds emailed "when away", and the summary. Service notices come whatever they
 * choose.
 */
export async function setEmailChoices(
  deps: AppDeps,
  userId: number,
  choices: {
    announcements: boolean;
    optionalEmailOff: boolean;
    emailKinds: NotificationKind[];
    digest: DigestChoice;
  },
): Promise<void> {
  await deps.db
    .update(users)
    .set({
      announcementsOptIn: choices.announcements,
      optionalEmailOff: choices.optionalEmailOff,
      notificationEmailKinds: storedEmailKinds(choices.emailKinds),
      digest: choices.digest,
    })
    .where(eq(users.id, userId));
}

/**
 * What a one-click unsubscribe link (src/mail/links.ts) stops, while its account exists.
 * @throws BadRequestError for a link the forum did not make, or whose account is gone
 */
export async function unsubscribeLinkScope(deps: AppDeps, token: string) {
  const link = readUnsubscribeToken(deps.keys, token);
  const user =
    link &&
    (await deps.db.select({ id: users.id }).from(users).where(eq(users.id, link.userId)).get());
  if (!link || !user) {
    throw new BadRequestError(
      'This unsubscribe link is not valid: it may have been cut short. Your email choices are on your account page.',
      'This link does not work',
    );
  }
  return link;
}

/**
 * One-click unsubscribe (RFC 8058): the link's MAC is the proof, so nobody signs in. It stops
 * announcements, the summary of notifications, email about one topic (the topic is muted for
 * the person: no more notices of its new posts), email of one kind of notification, or (scope
 * `all`) every email but service notices, at once: emails already queued are dropped when their
 * turn comes.
 * @throws BadRequestError as unsubscribeLinkScope
 */
export async function unsubscribeByLink(deps: AppDeps, token: string): Promise<UnsubscribeScope> {
  const { userId, scope } = await unsubscribeLinkScope(deps, token);
  const { db } = deps;
  if (scope.startsWith('topic-')) {
    const topicId = Number(scope.slice('topic-'.length));
    const at = new Date(deps.now());
    // Nothing when the topic is gone.
    await db
      .insert(topicWatches)
      .select(
        db
          .select({
            userId: sql<number>`${userId}`.as('user_id'),
            topicId: topics.id,
            level: sql<'muted'>`'muted'`.as('level'),
            updatedAt: sql<Date>`${at.getTime()}`.as('updated_at'),
          })
          .from(topics)
          .where(eq(topics.id, topicId)),
      )
      .onConflictDoUpdate({
        target: [topicWatches.userId, topicWatches.topicId],
        set: { level: 'muted', updatedAt: at },
      });
  } else if (scope.startsWith('kind-')) {
    const kind = scope.slice('kind-'.length) as NotificationKind;
    const row = await db
      .select({ kinds: users.notificationEmailKinds })
      .from(users)
      .where(eq(users.id, userId))
      .get();
    const kinds = emailKindsOf(row?.kinds ?? null).filter((k) => k !== kind);
    await db
      .update(users)
      .set({ notificationEmailKinds: storedEmailKinds(kinds) })
      .where(eq(users.id, userId));
  } else {
    const set =
      scope === 'all'
        ? { optionalEmailOff: true }
        : scope === 'digest'
          ? { digest: 'off' as const }
          : { announcementsOptIn: false };
    await db.update(users).set(set).where(eq(users.id, userId));
  }
  return scope;
}

/** The verified-buyer badge: a purchase is personal data, shown only when the person chooses. */
export async function setBuyerBadge(deps: AppDeps, userId: number, show: boolean): Promise<void> {
  await deps.db.update(users).set({ showBuyerBadge: show }).where(eq(users.id, userId));
}

const hashToken = (token: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(token)));

/** A confirmation link's token: 160 random bits (only its SHA-256 is stored). */
const newToken = () => encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));

/** Each link is an email to an address of the person's choosing: not too many. */
function limitConfirmationLinks(deps: AppDeps, userId: number) {
  const verdict = deps.limits.emailChangesPerAccount.hit(`email-change:${userId}`);
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
}

/**
 * The statements that make a confirmation link for the address on file and queue the email that
 * carries it, replacing the account's earlier links for that address: for the batch that creates
 * the account, or for "send the link again".
 */
export function addressConfirmationStatements(
  deps: AppDeps,
  userId: number | SQL<number>,
  email: string,
) {
  const { db } = deps;
  const token = newToken();
  const now = deps.now();
  const expiresAt = now + EMAIL_CONFIRMATION_MS;
  return [
    db
      .delete(emailConfirmations)
      .where(
        or(
          and(sql`${emailConfirmations.userId} = ${userId}`, forCurrentAddress),
          lte(emailConfirmations.expiresAt, new Date(now)),
        ),
      ),
    db.insert(emailConfirmations).values({
      id: hashToken(token),
      userId,
      email,
      createdAt: new Date(now),
      expiresAt: new Date(expiresAt),
    }),
    queueMail(deps, {
      kind: 'email_confirmation',
      userId,
      payload: { token, expiresAt },
      urgent: true,
    }),
  ] as const;
}

/**
 * "Send the link again": a new link to confirm the address on file.
 * @throws FormError when email cannot be sent (409), the address is confirmed already or there is
 *   none (422), or the account asked too often (429)
 */
export async function resendAddressConfirmation(deps: AppDeps, userId: number): Promise<void> {
  if (!deps.mail.available) {
    throw new FormError({ email: 'This forum cannot send email at the moment.' }, 409);
  }
  const user = await deps.db
    .select({ email: users.email, confirmedAt: users.emailConfirmedAt })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  if (!user?.email) throw new FormError({ email: 'Your account has no email address to confirm.' });
  if (user.confirmedAt) throw new FormError({ email: 'Your email address is confirmed already.' });
  limitConfirmationLinks(deps, userId);
  await deps.db.batch(addressConfirmationStatements(deps, userId, user.email));
  deps.mail.nudge();
}

/**
 * Sends a link to the new address; the address changes only when the link is followed while
 * signed in to this account. Only the SHA-256 of the link's token is stored, with the address and
 * an expiry; a new request replaces the account's earlier ones, and expired requests of every
 * account are cleared on the way. The email is queued in the same batch (src/mail/outbox.ts).
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
  if (!deps.mail.available) {
    throw new FormError(
      { email: 'Changing the email address is not available on this forum yet.' },
      409,
    );
  }
  limitConfirmationLinks(deps, user.id);
  const emailKey = newEmail.toLowerCase();
  const owner = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.emailKey, emailKey))
    .get();
  if (owner?.id === user.id) {
    throw new FormError({ email: 'That is already your email address.' });
  }
  const token = newToken();
  const now = deps.now();
  const expiresAt = now + EMAIL_CONFIRMATION_MS;
  await db.batch([
    db
      .delete(emailConfirmations)
      .where(
        or(
          and(eq(emailConfirmations.userId, user.id), not(forCurrentAddress)),
          lte(emailConfirmations.expiresAt, new Date(now)),
        ),
      ),
    db.insert(emailConfirmations).values({
      id: hashToken(token),
      userId: user.id,
      email: newEmail,
      createdAt: new Date(now),
      expiresAt: new Date(expiresAt),
    }),
    owner
      ? queueMail(deps, {
          kind: 'email_in_use',
          userId: owner.id,
          payload: { requesterId: user.id },
          urgent: true,
        })
      : queueMail(deps, {
          kind: 'email_change',
          userId: user.id,
          toAddress: newEmail,
          payload: { token, expiresAt },
          urgent: true,
        }),
  ]);
  deps.mail.nudge();
}

const LINK_NOT_VALID =
  'This confirmation link is not valid any more: it has expired, was replaced by a newer one, or was used already. Ask for a new link on your account page.';

/**
 * Follows a confirmation link. A link for the account's own address confirms it (signed in or
 * not: it only shows that the address receives mail). A link for a new address makes it the
 * account's address, confirmed, and only in a session of that account.
 * @returns what happened, to which account
 * @throws BadRequestError when the token is unknown, expired or another account's
 * @throws ForbiddenError when a link for a new address is followed signed out
 * @throws ConflictError when another account took the address meanwhile, or it belonged to an
 *   account deleted while suspended and the suspension has not ended
 */
export async function confirmEmail(
  deps: AppDeps,
  viewerId: number | null,
  token: string,
): Promise<{ outcome: 'confirmed' | 'changed'; userId: number }> {
  const { db } = deps;
  const row = await db
    .select({
      userId: emailConfirmations.userId,
      email: emailConfirmations.email,
      expiresAt: emailConfirmations.expiresAt,
      current: users.emailKey,
    })
    .from(emailConfirmations)
    .innerJoin(users, eq(users.id, emailConfirmations.userId))
    .where(eq(emailConfirmations.id, hashToken(token)))
    .get();
  if (!row || row.expiresAt.getTime() <= deps.now()) {
    throw new BadRequestError(LINK_NOT_VALID, 'This link has expired');
  }
  const emailKey = row.email.toLowerCase();
  const at = new Date(deps.now());
  const works = { emailConfirmedAt: at, emailFailedAt: null, emailFailure: null };
  if (emailKey === row.current) {
    await db.batch([
      db.update(users).set(works).where(eq(users.id, row.userId)),
      db
        .delete(emailConfirmations)
        .where(and(eq(emailConfirmations.userId, row.userId), forCurrentAddress)),
    ]);
    return { outcome: 'confirmed', userId: row.userId };
  }
  if (viewerId === null)
    throw new ForbiddenError('Please sign in to confirm your new email address.');
  if (row.userId !== viewerId) {
    throw new BadRequestError(
      'This confirmation link belongs to another account. Sign out, then sign in to the account that asked for the change and open the link again.',
      'This link is for another account',
    );
  }
  // Said only here, to the person who showed that the address is theirs.
  const held = await heldBySuspension(deps, { email: row.email });
  if (held.email) throw new ConflictError(held.email);
  try {
    await db.batch([
      db
        .update(users)
        .set({ email: row.email, emailKey, ...works })
        .where(eq(users.id, row.userId)),
      db.delete(emailConfirmations).where(eq(emailConfirmations.userId, row.userId)),
    ]);
  } catch (err) {
    if (/UNIQUE/i.test(String((err as { cause?: unknown }).cause ?? err))) {
      throw new ConflictError(
        'Another account started using this email address meanwhile. Please choose a different one.',
      );
    }
    throw err;
  }
  return { outcome: 'changed', userId: row.userId };
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
