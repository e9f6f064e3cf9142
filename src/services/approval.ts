/**
 * Posts held for approval: a moderator holds a new account's posts, or a post has a watched word
 * of the "hold" kind. Held posts are seen by their author and moderators only, and join the
 * counters, the forum's latest activity and the search index when a moderator approves them.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { posts, topics, users } from '../../db/schema';
import type { AppDeps } from '../context';
import { ConflictError, NotFoundError } from '../errors';
import type { Actor } from '../policy';
import { requireModerator, requireSuspend } from '../policy/moderation';
import { logAction, postWithTopic, type RemovalReason, removePostStatements } from './moderation';
import { reindexPosts } from './search-index';
import { excerptOf } from './users';
import { refreshForum } from './visibility';

export type HeldPost = {
  id: number;
  number: number;
  excerpt: string;
  author: string | null;
  createdAt: Date;
  topicId: number;
  topicTitle: string;
  topicSlug: string;
};

/** Held posts, the oldest first (by id, which follows `posts_state_idx`). */
export async function heldPosts(deps: AppDeps, actor: Actor): Promise<HeldPost[]> {
  requireModerator(actor, deps.now());
  const author = alias(users, 'author');
  const rows = await deps.db
    .select({
      id: posts.id,
      number: posts.number,
      bodyHtml: posts.bodyHtml,
      createdAt: posts.createdAt,
      author: author.username,
      topicId: topics.id,
      topicTitle: topics.title,
      topicSlug: topics.slug,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .leftJoin(author, eq(author.id, posts.userId))
    .where(and(eq(posts.state, 'held'), isNull(posts.removedAt)))
    .orderBy(asc(posts.id))
    .limit(100);
  return rows.map(({ bodyHtml, ...r }) => ({ ...r, excerpt: excerptOf(bodyHtml, 300) }));
}

async function heldPost(deps: AppDeps, postId: number) {
  const row = await postWithTopic(deps, postId);
  if (row.post.state !== 'held' || row.post.removedAt)
    throw new ConflictError('This post is not waiting for approval.');
  return row;
}

/** Publishes a held post (and its topic, when it is the first post). */
export async function approvePost(
  deps: AppDeps,
  actor: Actor,
  postId: number,
): Promise<{ topicId: number }> {
  requireModerator(actor, deps.now());
  const { post, forumId } = await heldPost(deps, postId);
  const { db } = deps;
  const topicId = post.topicId;
  const firstPost = post.number === 1;
  // The topic's last post is its newest visible one, this post included.
  const newest = sql`(select id from posts where topic_id = ${topicId} and state = 'visible' and removed_at is null order by number desc limit 1)`;
  await db.batch([
    db
      .update(posts)
      .set({ state: 'visible' })
      .where(and(eq(posts.id, postId), eq(posts.state, 'held'))),
    firstPost
      ? db.update(topics).set({ state: 'visible' }).where(eq(topics.id, topicId))
      : db
          .update(topics)
          .set({
            postCount: sql`${topics.postCount} + 1`,
            lastPostId: newest,
            lastPostAt: sql`(select created_at from posts where id = ${newest})`,
            lastPosterId: sql`(select user_id from posts where id = ${newest})`,
          })
          .where(eq(topics.id, topicId)),
    refreshForum(db, forumId),
    ...(post.userId === null
      ? []
      : [
          db
            .update(users)
            .set({ postCount: sql`${users.postCount} + 1` })
            .where(eq(users.id, post.userId)),
        ]),
    ...(await reindexPosts(db, eq(posts.id, postId))),
    logAction(deps, actor, 'post_approve', { type: 'post', id: postId }),
  ]);
  return { topicId };
}

/** Refuses a held post: it is removed (a held topic with it) and never counted. */
export async function rejectPost(
  deps: AppDeps,
  actor: Actor,
  postId: number,
  input: { reason: RemovalReason; note: string },
): Promise<void> {
  requireModerator(actor, deps.now());
  const { post } = await heldPost(deps, postId);
  const { db } = deps;
  await db.batch([
    ...removePostStatements(deps, actor, postId, input),
    ...(post.number === 1
      ? [
          db
            .update(topics)
            .set({
              removedAt: new Date(deps.now()),
              removedById: actor.id,
              removedReason: input.reason,
            })
            .where(eq(topics.id, post.topicId)),
        ]
      : []),
  ]);
}

/** Holds (or stops holding) a member's new posts for approval. */
export async function setHoldPosts(
  deps: AppDeps,
  actor: Actor,
  username: string,
  hold: boolean,
  note: string,
) {
  const target = await deps.db
    .select({ id: users.id, role: users.role, postsNeedApproval: users.postsNeedApproval })
    .from(users)
    .where(eq(users.usernameKey, username.toLowerCase()))
    .get();
  if (!target) throw new NotFoundError('There is no member with this username.');
  requireSuspend(actor, target, deps.now());
  if (target.postsNeedApproval === hold) {
    throw new ConflictError(
      hold
        ? 'This member\u2019s posts are already held.'
        : 'This member\u2019s posts are not held.',
    );
  }
  await deps.db.batch([
    deps.db.update(users).set({ postsNeedApproval: hold }).where(eq(users.id, target.id)),
    logAction(
      deps,
      actor,
      hold ? 'user_hold_posts' : 'user_release_posts',
      { type: 'user', id: target.id },
      { note },
    ),
  ]);
}
