/**
 * Writing posts: a new topic with its first post, and replies. Every write is one `db.batch`,
 * atomic on libSQL and D1: the post, the topic's and forum's counters and the author's counters
 * change together or not at all.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { forums, posts, type TopicKind, topics, users } from '../../db/schema';
import { COOK_VERSION, cook } from '../content/cook';
import { slugify } from '../content/slug';
import type { AppDeps } from '../context';
import { ConflictError } from '../errors';

/** The id SQLite gave the row most recently inserted in this batch (same connection). */
const lastInsertId = sql<number>`last_insert_rowid()`;

export type NewTopic = {
  forumId: number;
  authorId: number;
  title: string;
  body: string;
  kind: TopicKind;
};

export type Created = { topicId: number; postId: number; number: number; slug: string };

/**
 * Creates a topic and its first post. Input must already be validated.
 */
export async function createTopic(deps: AppDeps, input: NewTopic): Promise<Created> {
  const { db } = deps;
  const at = new Date(deps.now());
  const slug = slugify(input.title);
  const bodyHtml = cook(input.body, deps.cook);
  const [[topic], [post]] = await db.batch([
    db
      .insert(topics)
      .values({
        forumId: input.forumId,
        userId: input.authorId,
        title: input.title,
        slug,
        kind: input.kind,
        postCount: 1,
        highestNumber: 1,
        lastPosterId: input.authorId,
        lastPostAt: at,
        createdAt: at,
      })
      .returning({ id: topics.id }),
    db
      .insert(posts)
      .values({
        topicId: lastInsertId,
        number: 1,
        userId: input.authorId,
        bodyMarkdown: input.body,
        bodyHtml,
        cookVersion: COOK_VERSION,
        createdAt: at,
      })
      .returning({ id: posts.id }),
    db
      .update(topics)
      .set({ firstPostId: lastInsertId, lastPostId: lastInsertId })
      .where(sql`${topics.id} = (select topic_id from posts where id = last_insert_rowid())`),
    db
      .update(forums)
      .set({
        topicCount: sql`${forums.topicCount} + 1`,
        postCount: sql`${forums.postCount} + 1`,
        lastPostId: lastInsertId,
        lastTopicId: sql`(select topic_id from posts where id = last_insert_rowid())`,
        lastPostAt: at,
      })
      .where(eq(forums.id, input.forumId)),
    db
      .update(users)
      .set({ postCount: sql`${users.postCount} + 1`, lastPostedAt: at })
      .where(eq(users.id, input.authorId)),
  ]);
  if (!topic || !post) throw new Error('topic insert returned no row');
  return { topicId: topic.id, postId: post.id, number: 1, slug };
}

export type NewReply = {
  topicId: number;
  authorId: number;
  body: string;
};

/**
 * Adds a reply at the end of a topic. The post number comes from the topic's counter inside the
 * same batch, so concurrent replies never share a number.
 * @throws ConflictError when the topic is locked or removed by the time the batch runs
 */
export async function createReply(deps: AppDeps, input: NewReply): Promise<Created> {
  const { db } = deps;
  const at = new Date(deps.now());
  const bodyHtml = cook(input.body, deps.cook);
  const topicForum = sql`(select forum_id from topics where id = ${input.topicId})`;
  try {
    const [, [post], , , , [topic]] = await db.batch([
      // When the topic cannot take replies this matches nothing, the number below repeats an
      // existing one, and the unique (topic_id, number) index aborts the whole batch.
      db
        .update(topics)
        .set({
          postCount: sql`${topics.postCount} + 1`,
          highestNumber: sql`${topics.highestNumber} + 1`,
          lastPosterId: input.authorId,
          lastPostAt: at,
        })
        .where(
          and(eq(topics.id, input.topicId), eq(topics.locked, false), isNull(topics.removedAt)),
        ),
      db
        .insert(posts)
        .values({
          topicId: input.topicId,
          number: sql`(select highest_number from topics where id = ${input.topicId})`,
          userId: input.authorId,
          bodyMarkdown: input.body,
          bodyHtml,
          cookVersion: COOK_VERSION,
          createdAt: at,
        })
        .returning({ id: posts.id, number: posts.number }),
      db.update(topics).set({ lastPostId: lastInsertId }).where(eq(topics.id, input.topicId)),
      db
        .update(forums)
        .set({
          postCount: sql`${forums.postCount} + 1`,
          lastPostId: lastInsertId,
          lastTopicId: input.topicId,
          lastPostAt: at,
        })
        .where(sql`${forums.id} = ${topicForum}`),
      db
        .update(users)
        .set({ postCount: sql`${users.postCount} + 1`, lastPostedAt: at })
        .where(eq(users.id, input.authorId)),
      db.select({ slug: topics.slug }).from(topics).where(eq(topics.id, input.topicId)),
    ]);
    if (!post || !topic) throw new Error('reply insert returned no row');
    return { topicId: input.topicId, postId: post.id, number: post.number, slug: topic.slug };
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('This topic no longer takes replies.');
    throw err;
  }
}

function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (/UNIQUE constraint failed/i.test(String((e as Error).message ?? e))) return true;
  }
  return false;
}
