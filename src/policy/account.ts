/**
 * What a person may do with their own account, and how they prove it is them. Pure predicates,
 * like src/policy/index.ts: services call `require*`, routes hand the booleans to views.
 */
import { ForbiddenError } from '../errors';
import { type Actor, isSuspended, suspensionEnd } from './index';

/** how long a fresh Plimus sign-in confirms the person (to delete the account, set a password) */
export const FRESH_AUTH_MS = 10 * 60_000;

export type AccountHolder = { passwordHash: string | null };
export type SessionFacts = { freshAuthAt: Date | null };

/** The person signed in with Plimus again, in this session, a few minutes ago. */
export const hasFreshSignIn = (session: SessionFacts, now: number) =>
  !!session.freshAuthAt &&
  now >= session.freshAuthAt.getTime() &&
  now - session.freshAuthAt.getTime() < FRESH_AUTH_MS;

/**
 * How the person confirms a step that cannot be undone (deleting the account) or that adds a way
 * to sign in (setting a first password): with their password when they have one; otherwise with a
 * fresh Plimus sign-in, which they may still have to make.
 */
export type Confirmation = 'password' | 'fresh-sign-in' | 'sign-in-needed';

export function confirmationFor(
  user: AccountHolder,
  session: SessionFacts,
  now: number,
): Confirmation {
  if (user.passwordHash) return 'password';
  return hasFreshSignIn(session, now) ? 'fresh-sign-in' : 'sign-in-needed';
}

/** Unlinking the Plimus identity would lock out an account that has no password. */
export const canUnlinkIdentity = (user: AccountHolder) => !!user.passwordHash;

/** A first password, for an account made from a Plimus identity, after a fresh sign-in. */
export const canSetFirstPassword = (user: AccountHolder, session: SessionFacts, now: number) =>
  confirmationFor(user, session, now) === 'fresh-sign-in';

export function requireSetFirstPassword(user: AccountHolder, session: SessionFacts, now: number) {
  if (user.passwordHash) {
    throw new ForbiddenError('This account has a password: change it with your current one.');
  }
  if (!canSetFirstPassword(user, session, now)) {
    throw new ForbiddenError(
      'To set a password, first confirm that it is you by signing in with Plimus again.',
    );
  }
}

/**
 * The public profile (display name, bio) stays as it is while the account is suspended: a
 * suspension stops what others read from the person, the profile included.
 */
export const canEditProfile = (actor: Actor, now: number) => !!actor && !isSuspended(actor, now);

export function requireEditProfile(actor: Actor, now: number): asserts actor is NonNullable<Actor> {
  if (!actor) throw new ForbiddenError('Please sign in to change your profile.');
  if (!canEditProfile(actor, now)) {
    throw new ForbiddenError(
      `Your account is suspended ${suspensionEnd(actor.suspendedUntil)}: you cannot change your display name or bio until then.`,
    );
  }
}
