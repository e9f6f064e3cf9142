/**
 * Vendors and customers: who may mark an accepted answer, who is vendor staff where, who sees the
 * vendor dashboard. Vendor staff status comes only from the linked Plimus identity (actor.vendorId),
 * and only for a while after the Plimus sign-in that last confirmed it (`vendorStatus`).
 */
import { ForbiddenError } from '../errors';
import { type Actor, isStaff, isSuspended } from './index';

const DAY_MS = 24 * 3600_000;

/** What the linked identity's claims said about vendor staff status, and when they were read. */
export type VendorClaims = { vendorId: number | null; confirmedAt: Date };

/** Vendor staff status as it counts now. */
export type VendorStatus = {
  /** the vendor the person acts for now; null when none, or when the claims are too old */
  vendorId: number | null;
  /** the claims name a vendor, but were last confirmed more than the allowed age ago */
  vendorClaimsExpired: boolean;
};

/**
 * Claims are refreshed only at a Plimus sign-in; someone who signs in with a password keeps the
 * last ones. So they count for `maxAgeDays` after the sign-in that confirmed them (a person who
 * left the vendor loses the powers within that time), and after that only once the person signs
 * in with Plimus again.
 */
export function vendorStatus(
  claims: VendorClaims | null,
  now: number,
  maxAgeDays: number,
): VendorStatus {
  if (claims?.vendorId == null) return { vendorId: null, vendorClaimsExpired: false };
  const expired = now - claims.confirmedAt.getTime() >= maxAgeDays * DAY_MS;
  return expired
    ? { vendorId: null, vendorClaimsExpired: true }
    : { vendorId: claims.vendorId, vendorClaimsExpired: false };
}

/** Why a person whose claims are too old has no vendor powers, and what to do about it. */
export const VENDOR_CLAIMS_EXPIRED =
  'Your vendor staff status comes from your Plimus identity, and it was last confirmed too long ago, so it does not count for now. Sign in with Plimus again to confirm it.';

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
  actor: (NonNullable<Actor> & Partial<VendorStatus>) | null,
): asserts actor is NonNullable<Actor> & { vendorId: number } {
  if (!actor)
    throw new ForbiddenError(
      'Please sign in with your Plimus identity to see the vendor dashboard.',
    );
  if (actor.vendorClaimsExpired) throw new ForbiddenError(VENDOR_CLAIMS_EXPIRED);
  if (!actor.vendorId) {
    throw new ForbiddenError(
      'The vendor dashboard is for vendor staff. Staff status comes from your linked Plimus identity.',
    );
  }
}
