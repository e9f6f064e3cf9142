/**
 * Moderation and administration permissions. Pure predicates over the actor and the target;
 * services call `require*`, routes hand the booleans to views.
 */
import type { Role } from '../../domain/words';
import { ForbiddenError } from '../errors';
import { type Actor, isStaff, isSuspended, suspensionEnd } from './index';

/** A suspended moderator or admin has no staff powers until the suspension ends. */
export const isAdmin = (actor: Actor, now: number) =>
  actor?.role === 'admin' && !isSuspended(actor, now);

/** Moderators and admins moderate every forum. */
export const canModerate = (actor: Actor, now: number) =>
  isStaff(actor) && !isSuspended(actor, now);

/**
 * Suspending: moderators suspend members; admins suspend members and moderators; nobody suspends
 * an admin or themselves.
 */
export const canSuspend = (actor: Actor, target: { id: number; role: Role }, now: number) =>
  !!actor &&
  actor.id !== target.id &&
  target.role !== 'admin' &&
  (target.role === 'member' ? canModerate(actor, now) : isAdmin(actor, now));

/**
 * Removing every post of an account as spam and suspending it: the same people as suspending
 * it (a moderator may not do it to a moderator or an administrator).
 */
export const canPurge = canSuspend;

/** Reporting a post: any signed-in member who is not suspended, about someone else's post. */
export const canReport = (actor: Actor, post: { userId: number | null }, now: number) =>
  !!actor && !isSuspended(actor, now) && post.userId !== actor.id;

/** Held posts (awaiting approval) are seen by their author and by moderators only. */
export const canSeeHeldPost = (actor: Actor, post: { userId: number | null }) =>
  !!actor && (post.userId === actor.id || isStaff(actor));

/** Admins manage forums, roles and watched words. */
export const canAdminister = (actor: Actor, now: number) => isAdmin(actor, now);

function requireNotSuspendedStaff(actor: NonNullable<Actor>, now: number) {
  if (isSuspended(actor, now)) {
    throw new ForbiddenError(
      `Your account is suspended ${suspensionEnd(actor.suspendedUntil)}: staff powers return when the suspension ends.`,
    );
  }
}

export function requireModerator(actor: Actor, now: number): asserts actor is NonNullable<Actor> {
  if (!actor) throw new ForbiddenError('Please sign in as a moderator to do this.');
  if (!isStaff(actor)) throw new ForbiddenError('Only moderators can do this.');
  requireNotSuspendedStaff(actor, now);
}

export function requireAdmin(actor: Actor, now: number): asserts actor is NonNullable<Actor> {
  if (!actor) throw new ForbiddenError('Please sign in as an administrator to do this.');
  if (actor.role !== 'admin') throw new ForbiddenError('Only administrators can do this.');
  requireNotSuspendedStaff(actor, now);
}

export function requireSuspend(
  actor: Actor,
  target: { id: number; role: Role },
  now: number,
): asserts actor is NonNullable<Actor> {
  requireModerator(actor, now);
  if (!canSuspend(actor, target, now)) {
    throw new ForbiddenError(
      target.id === actor.id
        ? 'You cannot suspend yourself.'
        : 'Moderators suspend members; only administrators suspend moderators, and nobody suspends an administrator.',
    );
  }
}

export function requireReport(
  actor: Actor,
  post: { userId: number | null },
  now: number,
): asserts actor is NonNullable<Actor> {
  if (!actor) throw new ForbiddenError('Please sign in to report a post.');
  if (isSuspended(actor, now)) {
    throw new ForbiddenError(
      `Your account is suspended ${suspensionEnd(actor.suspendedUntil)}: you cannot report posts until then.`,
    );
  }
  if (post.userId === actor.id)
    throw new ForbiddenError('You cannot report your own post; edit or delete it instead.');
}

export function requirePurge(
  actor: Actor,
  target: { id: number; role: Role },
  now: number,
): asserts actor is NonNullable<Actor> {
  requireModerator(actor, now);
  if (!canPurge(actor, target, now)) {
    throw new ForbiddenError(
      target.id === actor.id
        ? 'You cannot do this to your own account.'
        : 'Moderators do this to members; only administrators do it to moderators, and nobody to an administrator.',
    );
  }
}
