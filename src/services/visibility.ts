/**
 * What the public may see, said once. A topic is public when it is approved (not held for a
 * moderator) and not removed; a post is public when it is approved, not removed, not deleted by
 * its author, and in a public topic. Everything shown, counted or indexed for everyone follows
 * these conditions: a forum's counters and latest activity, the topic lists, profiles, the
 * vendor dashboard, accepted answers and the search index (src/services/search-index.ts). Authors and moderators see more
 * (held posts, removed posts' placeholders), and the pages that show them ask src/policy.
 *
 * The statements here are for a `db.batch` with the change that calls for them: they compute
 * what they write by SQL inside the batch, after the change, never from values read before it.
 */
import { and, desc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { alias, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { forums, posts, topics } from '../../db/schema';
import type { AppDeps } from '../context';

type Db = AppDeps['db'];

/** The columns of `topics` (or of an alias of it) that say whether the public may see a topic. */
type TopicColumns = { state: SQLiteColumn; removedAt: SQLiteColumn };
/** The columns of `posts` (or of an alias of it) that say whether the public may see a post. */
type PostColumns = { state: SQLiteColumn; deletedAt: SQLiteColumn; removedAt: SQLiteColumn };

// `'visible'` is written as a literal, not a bound parameter, so that a partial index with the
// same condition can serve these queries.

/** A topic the public may see: approved and not removed. */
export const publicTopic = (t: TopicColumns = topics): SQL =>
  and(sql`${t.state} = 'visible'`, isNull(t.removedAt)) as SQL;

/** A post the public may see, as far as the post itself goes (its topic must be public too). */
export const publicPost = (p: PostColumns = posts): SQL =>
  and(sql`${p.state} = 'visible'`, isNull(p.deletedAt), isNull(p.removedAt)) as SQL;

/** The same as `publicPost`, for a row already read. */
export const isPublicPost = (p: {
  state: string;
  deletedAt: Date | null;
  removedAt: Date | null;
}): boolean => p.state === 'visible' && !p.deletedAt && !p.removedAt;

/** The same as `publicTopic`, for a row already read. */
export const isPublicTopic = (t: { state: string; removedAt: Date | null }): boolean =>
  t.state === 'visible' && !t.removedAt;

/**
 * The statement that sets the counters and the latest activity of the forums `which` selects
 * (e.g. `eq(forums.id, 3)`) from their public topics: how many there are, the posts in them
 * (deleted and removed replies keep their place in a thread and count; held ones do not), and
 * the most recently active one. Posting adds to the counters as it writes; everything that hides
 * or shows a topic (removing, restoring, moving, approving, deleting an account) recounts with
 * this, so that a held or removed topic can never be counted or shown as a forum's latest.
 */
export function refreshForumSummary(db: Db, which: SQL) {
  const t = alias(topics, 'public_topic');
  const inForum = and(eq(t.forumId, forums.id), publicTopic(t));
  const latest = (column: SQLiteColumn) =>
    sql`(${db
      .select({ value: column })
      .from(t)
      .where(inForum)
      .orderBy(desc(t.lastPostAt), desc(t.id))
      .limit(1)})`;
  return db
    .update(forums)
    .set({
      topicCount: sql`(${db.select({ n: sql`count(*)` }).from(t).where(inForum)})`,
      postCount: sql`(${db
        .select({ n: sql`coalesce(sum(${t.postCount}), 0)` })
        .from(t)
        .where(inForum)})`,
      lastTopicId: latest(t.id),
      lastPostId: latest(t.lastPostId),
      lastPostAt: latest(t.lastPostAt),
    })
    .where(which);
}

/** `refreshForumSummary` for one forum. */
export const refreshForum = (db: Db, forumId: number) =>
  refreshForumSummary(db, eq(forums.id, forumId));
