/**
 * Vendors and customers: who may mark an accepted answer, who is vendor staff where, who sees the
 * vendor dashboard. Vendor staff status comes only from the linked Plimus identity (actor.vendorId).
 */
import { ForbiddenError } from '../errors';
import { type Actor, isStaff, isSuspended } from './index';

/** A topic as these rules need it: its kind, who asked, and the vendor of its forum's product. */
export type QuestionFacts = {
  kind: 'discussion' | 'question';
  userId: number | null;
  /** the vendor whose product the forum is about, or null for a general forum */
  productVendorId: number | null;
};

export const isVendorStaffOf = (actor: Actor, vendorId: number | null) =>
  !!actor && vendorId !== null && actor.vendorId === vendorId;

/** The asker, staff of the product's vendor, or a moderator choose (change, clear) the answer. */
export const canAcceptAnswer = (actor: Actor, topic: QuestionFacts, now: number) =>
  !!actor &&
  topic.kind === 'question' &&
  !isSuspended(actor, now) &&
  (topic.userId === actor.id || isVendorStaffOf(actor, topic.productVendorId) || isStaff(actor));

export function requireAcceptAnswer(
  actor: Actor,
  topic: QuestionFacts,
  now: number,
): asserts actor is NonNullable<Actor> {
  if (!actor) throw new ForbiddenError('Please sign in to choose an answer.');
  if (topic.kind !== 'question')
    throw new ForbiddenError('Only questions have an accepted answer.');
  if (!canAcceptAnswer(actor, topic, now)) {
    throw new ForbiddenError(
      'The person who asked, staff of the product\u2019s vendor and moderators choose the answer.',
    );
  }
}

/** The vendor dashboard is for staff of a vendor. */
export const canSeeVendorDashboard = (actor: Actor) => !!actor?.vendorId;

export function requireVendorStaff(
  actor: Actor,
): asserts actor is NonNullable<Actor> & { vendorId: number } {
  if (!actor)
    throw new ForbiddenError(
      'Please sign in with your Plimus identity to see the vendor dashboard.',
    );
  if (!actor.vendorId) {
    throw new ForbiddenError(
      'The vendor dashboard is for vendor staff. Staff status comes from your linked Plimus identity.',
    );
  }
}
