/**
 * The members a text may mention: the lookup that src/content/mentions.ts leaves to the service,
 * so that cooking stays pure. One indexed query for at most MAX_MENTION_CANDIDATES names.
 */
import { inArray } from 'drizzle-orm';
import { users } from '../../db/schema';
import { type MentionNames, mentionCandidates } from '../content/mentions';
import type { AppDeps } from '../context';

export async function mentionNames(deps: AppDeps, markdown: string): Promise<MentionNames> {
  const candidates = mentionCandidates(markdown);
  if (candidates.length === 0) return new Map();
  const rows = await deps.db
    .select({ key: users.usernameKey, username: users.username })
    .from(users)
    .where(inArray(users.usernameKey, candidates));
  return new Map(rows.map((r) => [r.key, r.username]));
}
