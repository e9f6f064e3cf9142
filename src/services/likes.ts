/**
 * Likes: one per person per post, never on one's own posts, at most LIKES_PER_DAY a day. The
 * count is public; who liked is shown to signed-in members. A like is its giver's personal data:
 * exported with the account (src/services/account-data.ts) and erased with it (the rows cascade
 * with the account, and with the post).
 */
import { and, count, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { forums, postLikes, posts, topics, users } from '../../db/schema';
import type { AppDeps } from '../context';
import { NotFoundError, TooManyRequestsError } from '../errors';
import { type Actor, requireLike, requireUnlike } from '../policy';
import { canSeeHeldPost } from '../policy/moderation';
import { likeNotice } from './notifications';
import { type PostLocation, pageOfNumber } from './topics';
import { isPublicTopic } from './visibility';

/** likes one person may give in 24 hours */
export const LIKES_PER_DAY = 50;
/** the names listed under a post's likes, newest first */
export const LIKERS_SHOWN = 20;
const DAY_MS = 24 * 60 * 60 * 1000;

export type PostLikes = {
  count: number;
  /** the viewer liked this post */
  mine: boolean;
  /** usernames of the newest LIKERS_SHOWN who liked it: for signed-in viewers only */
  likers: string[];
};

/**
 * The likes of the posts of a page: counts for everyone; whether the viewer liked each one and
 * the newest names for signed-in viewers. Likes of posts that are not public are not counted
 * (a removed post shows no likes).
 */
export async function likesOfPosts(
  deps: AppDeps,
  postIds: number[],
  viewer: Actor,
): Promise<Map<number, PostLikes>> {
  const out = new Map<number, PostLikes>();
  if (postIds.length === 0) return out;
  const counts = await deps.db
    .select({ postId: postLikes.postId, n: count() })
    .from(postLikes)
    .where(inArray(postLikes.postId, postIds))
    .groupBy(postLikes.postId);
  for (const c of counts) out.set(c.postId, { count: c.n, mine: false, likers: [] });
  if (!viewer || counts.length === 0) return out;
  const liked = counts.map((c) => c.postId);
  // The newest names of each post, by its primary key's order and then the date.
  const names = await deps.db.all<{ post_id: number; username: string; uid: number }>(sql`
    select post_id, username, uid from (
      select l.post_id as post_id, u.username as username, u.id as uid,
        row_number() over (partition by l.post_id order by l.created_at desc, l.user_id) as n
      from ${postLikes} l join ${users} u on u.id = l.user_id
      where l.post_id in (${sql.join(
        liked.map((id) => sql`${id}`),
        sql`, `,
      )}))
    where n <= ${LIKERS_SHOWN}`);
  for (const row of names) {
    const entry = out.get(Number(row.post_id));
    if (entry) entry.likers.push(String(row.username));
  }
  const mine = await deps.db
    .select({ postId: postLikes.postId })
    .from(postLikes)
    .where(and(eq(postLikes.userId, viewer.id), inArray(postLikes.postId, liked)));
  for (const m of mine) {
    const entry = out.get(m.postId);
    if (entry) entry.mine = true;
  }
  return out;
}

/** A post with what the rule about liking it needs. @throws NotFoundError */
async function likeable(deps: AppDeps, actor: Actor, postId: number) {
  const row = await deps.db
    .select({
      topicId: topics.id,
      slug: topics.slug,
      number: posts.number,
      userId: posts.userId,
      state: posts.state,
      deletedAt: posts.deletedAt,
      removedAt: posts.removedAt,
      topicState: topics.state,
      topicRemovedAt: topics.removedAt,
      locked: topics.locked,
      archived: forums.archived,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .innerJoin(forums, eq(forums.id, topics.forumId))
    .where(eq(posts.id, postId))
    .get();
  // Someone who may not see a held post is told there is none, as on its page.
  const shown =
    !!row &&
    !row.topicRemovedAt &&
    ((row.state === 'visible' && isPublicTopic({ state: row.topicState, removedAt: null })) ||
      canSeeHeldPost(actor, row));
  if (!row || !shown) throw new NotFoundError('There is no post at this address.');
  const location: PostLocation = {
    topicId: row.topicId,
    slug: row.slug,
    page: pageOfNumber(row.number),
    postId,
  };
  return {
    location,
    post: {
      userId: row.userId,
      state: row.state,
      deletedAt: row.deletedAt,
      removedAt: row.removedAt,
    },
    topic: { locked: row.locked, removedAt: row.topicRemovedAt, forum: { archived: row.archived } },
  };
}

/**
 * Likes a post (liking it again changes nothing).
 * @throws NotFoundError for a post the actor cannot read
 * @throws ForbiddenError when the actor may not like it (see requireLike)
 * @throws TooManyRequestsError after LIKES_PER_DAY likes in 24 hours
 */
export async function likePost(deps: AppDeps, actor: Actor, postId: number) {
  const { location, post, topic } = await likeable(deps, actor, postId);
  const now = deps.now();
  requireLike(actor, post, topic, now);
  const recent = await deps.db
    .select({ at: postLikes.createdAt })
    .from(postLikes)
    .where(and(eq(postLikes.userId, actor.id), gt(postLikes.createdAt, new Date(now - DAY_MS))))
    .orderBy(desc(postLikes.createdAt))
    .limit(LIKES_PER_DAY);
  const oldest = recent[LIKES_PER_DAY - 1];
  if (oldest) {
    throw new TooManyRequestsError(
      `You have given ${LIKES_PER_DAY} likes in the last 24 hours, the most a day allows. Your likes so far are kept.`,
      Math.max(1, Math.ceil((oldest.at.getTime() + DAY_MS - now) / 1000)),
    );
  }
  await deps.db.batch([
    deps.db
      .insert(postLikes)
      .values({ postId, userId: actor.id, createdAt: new Date(now) })
      .onConflictDoNothing(),
    likeNotice(deps.db, postId, actor.id, new Date(now)),
  ]);
  deps.notify.nudge();
  return location;
}

/**
 * Takes a like back (when there is none, nothing changes). Allowed to anyone signed in who can
 * still read the post, suspended or not: it removes their own data.
 * @throws NotFoundError for a post the actor cannot read
 */
export async function unlikePost(deps: AppDeps, actor: Actor, postId: number) {
  requireUnlike(actor);
  const { location } = await likeable(deps, actor, postId);
  await deps.db
    .delete(postLikes)
    .where(and(eq(postLikes.postId, postId), eq(postLikes.userId, actor.id)));
  return location;
}
