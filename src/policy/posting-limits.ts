/**
 * Posting limits, in one place. New accounts (first 24 hours) get stricter limits, while spammers
 * are most likely; moderators and admins never count as new.
 */
import type { Role } from '../../domain/words';

export type PostingLimits = {
  /** minimum time between two posts */
  intervalMs: number;
  /** most links one post may contain (Infinity: no limit) */
  maxLinks: number;
  /** most people one post may mention (each is told) */
  maxMentions: number;
};

export const NEW_ACCOUNT_MS = 24 * 3600_000;

const NEW_ACCOUNT: PostingLimits = { intervalMs: 30_000, maxLinks: 2, maxMentions: 2 };
const EVERYONE: PostingLimits = {
  intervalMs: 5_000,
  maxLinks: Number.POSITIVE_INFINITY,
  maxMentions: 10,
};

export function postingLimitsFor(
  actor: { role: Role; createdAt: Date },
  now: number,
): PostingLimits {
  const staff = actor.role === 'moderator' || actor.role === 'admin';
  if (!staff && now - actor.createdAt.getTime() < NEW_ACCOUNT_MS) return NEW_ACCOUNT;
  return EVERYONE;
}
