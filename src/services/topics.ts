/**
 * Reading topics and their posts. A topic page reads posts by their per-topic number
 * (`posts_topic_number_unique`), so the last page of a long topic costs what the first does.
 */
import { and, asc, between, eq } from 'drizzle-orm';
import { forums, posts, topics, users } from '../../db/schema';
import type { AppDeps } from '../context';
import { NotFoundError } from '../errors';

export const POSTS_PER_PAGE = 20;

export type Topic = typeof topics.$inferSelect;

export type TopicWithForum = Topic & {
  forum: { id: number; slug: string; name: string; archived: boolean; productId: number | null };
};

/** @throws NotFoundError when there is no such topic (or it was removed) */
export async function getTopic(deps: AppDeps, id: number): Promise<TopicWithForum> {
  const row = await deps.db
    .select({
      topic: topics,
      forum: {
        id: forums.id,
        slug: forums.slug,
        name: forums.name,
        archived: forums.archived,
        productId: forums.productId,
      },
    })
    .from(topics)
    .innerJoin(forums, eq(forums.id, topics.forumId))
    .where(eq(topics.id, id))
    .get();
  if (!row || row.topic.removedAt) throw new NotFoundError('There is no topic at this address.');
  return { ...row.topic, forum: row.forum };
}

export type PostAuthor = { id: number; username: string; displayName: string | null };

export type PostView = {
  id: number;
  number: number;
  author: PostAuthor | null;
  createdAt: Date;
  editedAt: Date | null;
  bodyHtml: string;
  deletedAt: Date | null;
  removedAt: Date | null;
  removedReason: string | null;
  state: 'visible' | 'held';
};

export function pageOfNumber(number: number): number {
  return Math.max(1, Math.ceil(number / POSTS_PER_PAGE));
}

export function topicPageCount(topic: Pick<Topic, 'highestNumber'>): number {
  return pageOfNumber(topic.highestNumber);
}

export async function listPosts(deps: AppDeps, topic: Topic, page: number): Promise<PostView[]> {
  const from = (page - 1) * POSTS_PER_PAGE + 1;
  const rows = await deps.db
    .select({
      id: posts.id,
      number: posts.number,
      createdAt: posts.createdAt,
      editedAt: posts.editedAt,
      bodyHtml: posts.bodyHtml,
      deletedAt: posts.deletedAt,
      removedAt: posts.removedAt,
      removedReason: posts.removedReason,
      state: posts.state,
      authorId: users.id,
      authorUsername: users.username,
      authorDisplayName: users.displayName,
    })
    .from(posts)
    .leftJoin(users, eq(users.id, posts.userId))
    .where(and(eq(posts.topicId, topic.id), between(posts.number, from, from + POSTS_PER_PAGE - 1)))
    .orderBy(asc(posts.number));
  return rows
    .filter((r) => r.state === 'visible')
    .map((r) => ({
      id: r.id,
      number: r.number,
      author:
        r.authorId !== null && r.authorUsername !== null
          ? { id: r.authorId, username: r.authorUsername, displayName: r.authorDisplayName }
          : null,
      createdAt: r.createdAt,
      editedAt: r.editedAt,
      // A deleted or removed post keeps its place in the thread but not its text.
      bodyHtml: r.deletedAt || r.removedAt ? '' : r.bodyHtml,
      deletedAt: r.deletedAt,
      removedAt: r.removedAt,
      removedReason: r.removedReason,
      state: r.state,
    }));
}

export type PostLocation = { topicId: number; slug: string; page: number; postId: number };

/** Where a post sits: its topic and the page of that topic that shows it. */
export async function locatePost(deps: AppDeps, postId: number): Promise<PostLocation> {
  const row = await deps.db
    .select({
      topicId: posts.topicId,
      number: posts.number,
      state: posts.state,
      slug: topics.slug,
      topicRemoved: topics.removedAt,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .where(eq(posts.id, postId))
    .get();
  if (!row || row.topicRemoved || row.state !== 'visible') {
    throw new NotFoundError('There is no post at this address.');
  }
  return { topicId: row.topicId, slug: row.slug, page: pageOfNumber(row.number), postId };
}
