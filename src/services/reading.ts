/**
 * Reading state: how far each signed-in person has read each topic (the highest post number a
 * topic page showed them), so that lists say "3 new" and the topic page marks where the new posts
 * start.
 *
 * A topic page never waits for this write: it records the mark in memory (`ReadMarks`) and the
 * marks are written after the response, many at a time (a write started while one is running
 * waits for it and takes everything gathered meanwhile). A mark not yet written is still seen by
 * this process's own pages. The write is best effort: when the database cannot take it (a full
 * disk), the marks are dropped and the pages keep working.
 *
 * The marks in memory are src/services/read-marks.ts. They are the person's personal data: exported (src/services/account-data.ts) and erased
 * with the account (the rows cascade with it, and with the topic).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { posts, topicReads } from '../../db/schema';
import type { AppDeps } from '../context';
import { pageOfNumber } from './topics';

/** Records what a topic page showed a signed-in person, and starts the write. */
export function markRead(
  deps: AppDeps,
  userId: number,
  topicId: number,
  number: number,
  log: (line: string) => void,
): Promise<void> {
  deps.reads.record(userId, topicId, number);
  return deps.reads.write(deps.db, log);
}

/** How far `userId` has read each of `topicIds` (topics never opened are absent). */
export async function readMarksOf(
  deps: AppDeps,
  userId: number,
  topicIds: number[],
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (topicIds.length === 0) return out;
  const rows = await deps.db
    .select({ topicId: topicReads.topicId, number: topicReads.lastReadNumber })
    .from(topicReads)
    .where(and(eq(topicReads.userId, userId), inArray(topicReads.topicId, topicIds)));
  for (const r of rows) out.set(r.topicId, r.number);
  for (const [id, n] of deps.reads.pendingOf(userId, topicIds)) {
    out.set(id, Math.max(n, out.get(id) ?? 0));
  }
  return out;
}

/** What a list says about a topic the person has read before and that has new posts since. */
export type Unread = {
  /** visible posts after the last one the person saw */
  count: number;
  /** the page of the topic where the first of them is */
  page: number;
};

/**
 * The unread posts of the listed topics that `userId` has opened before: one query for the
 * marks and one counting only the posts after them (by the topic's post-number index).
 */
export async function unreadIn(
  deps: AppDeps,
  userId: number,
  topicIds: number[],
): Promise<Map<number, Unread>> {
  const out = new Map<number, Unread>();
  const marks = await readMarksOf(deps, userId, topicIds);
  if (marks.size === 0) return out;
  const counts = await deps.db.all<{ topic_id: number; n: number }>(sql`
    select p.topic_id as topic_id, count(*) as n from ${posts} p
    join (${sql.join(
      [...marks].map(([id, n]) => sql`select ${id} as topic_id, ${n} as seen`),
      sql` union all `,
    )}) m on p.topic_id = m.topic_id and p.number > m.seen
    where p.state = 'visible' and p.removed_at is null and p.deleted_at is null
    group by p.topic_id`);
  for (const c of counts) {
    const id = Number(c.topic_id);
    const seen = marks.get(id) ?? 0;
    out.set(id, { count: Number(c.n), page: pageOfNumber(seen + 1) });
  }
  return out;
}
