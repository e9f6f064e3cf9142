/**
 * Watching: how closely each person follows a topic or a forum.
 *
 * A topic's levels: watching (told of every new post), tracking and normal (told only when
 * addressed: mentioned, quoted, a reply in their topic; tracking differs in unread counts only),
 * muted (told of nothing but mentions). A forum's are the same plus watching first post (told of
 * new topics only); watching a forum means every new post of its topics, unless the person chose
 * a level for the topic. No row is normal. The fan-out (src/services/notifications.ts) reads the
 * tables directly.
 *
 * Defaults, written in the post's batch: the author of a new topic watches it; someone replying
 * in a topic they have no level for tracks it. Otherwise each signed-in person chooses on the
 * topic's or forum's page. Their own data: shown in /account, exported, erased with the account.
 */
import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { forums, forumWatches, topics, topicWatches } from '../../db/schema';
import type { ForumWatchLevel, TopicWatchLevel } from '../../domain/words';
import type { AppDeps } from '../context';
import { type Actor, requireChooseWatch } from '../policy';
import { getForumBySlug } from './forums';
import { getTopic } from './topics';

/** The author of a new topic watches it: for the topic's batch (`topicId` may be an expression). */
export const authorWatches = (db: Db, userId: number, topicId: number | SQL, at: Date) =>
  db
    .insert(topicWatches)
    .values({ userId, topicId, level: 'watching', updatedAt: at })
    .onConflictDoNothing();

/** Someone replying in a topic tracks it, unless they chose a level: for the reply's batch. */
export const replierTracks = (db: Db, userId: number, topicId: number, at: Date) =>
  db
    .insert(topicWatches)
    .values({ userId, topicId, level: 'tracking', updatedAt: at })
    .onConflictDoNothing();

/** The person's level for the topic (normal when they have none). */
export async function topicWatchLevel(
  deps: AppDeps,
  userId: number,
  topicId: number,
): Promise<TopicWatchLevel> {
  const row = await deps.db
    .select({ level: topicWatches.level })
    .from(topicWatches)
    .where(and(eq(topicWatches.userId, userId), eq(topicWatches.topicId, topicId)))
    .get();
  return row?.level ?? 'normal';
}

/** The person's level for the forum (normal when they have none). */
export async function forumWatchLevel(
  deps: AppDeps,
  userId: number,
  forumId: number,
): Promise<ForumWatchLevel> {
  const row = await deps.db
    .select({ level: forumWatches.level })
    .from(forumWatches)
    .where(and(eq(forumWatches.userId, userId), eq(forumWatches.forumId, forumId)))
    .get();
  return row?.level ?? 'normal';
}

/**
 * Sets the viewer's level for a topic they may read.
 * @throws ForbiddenError for visitors; NotFoundError when there is no such topic for them
 */
export async function watchTopic(
  deps: AppDeps,
  viewer: Actor,
  topicId: number,
  level: TopicWatchLevel,
): Promise<{ topicId: number; slug: string }> {
  requireChooseWatch(viewer);
  const topic = await getTopic(deps, viewer, topicId);
  const at = new Date(deps.now());
  await deps.db
    .insert(topicWatches)
    .values({ userId: viewer.id, topicId: topic.id, level, updatedAt: at })
    .onConflictDoUpdate({
      target: [topicWatches.userId, topicWatches.topicId],
      set: { level, updatedAt: at },
    });
  return { topicId: topic.id, slug: topic.slug };
}

/**
 * Sets the viewer's level for a forum.
 * @throws ForbiddenError for visitors; NotFoundError when there is no such forum
 */
export async function watchForum(
  deps: AppDeps,
  viewer: Actor,
  slug: string,
  level: ForumWatchLevel,
): Promise<{ slug: string }> {
  requireChooseWatch(viewer);
  const forum = await getForumBySlug(deps, slug);
  const at = new Date(deps.now());
  await deps.db
    .insert(forumWatches)
    .values({ userId: viewer.id, forumId: forum.id, level, updatedAt: at })
    .onConflictDoUpdate({
      target: [forumWatches.userId, forumWatches.forumId],
      set: { level, updatedAt: at },
    });
  return { slug: forum.slug };
}

export type WatchedTopic = {
  topicId: number;
  title: string;
  slug: string;
  level: TopicWatchLevel;
  updatedAt: Date;
};
export type WatchedForum = {
  forumId: number;
  name: string;
  slug: string;
  level: ForumWatchLevel;
  updatedAt: Date;
};

/**
 * Everything the person chose or was given a level for, oldest topic and forum first (the order
 * of the person's index): /account's list. Topics nobody may read any more are left out
 * (`readableOnly`).
 */
export async function watchesOf(
  deps: Pick<AppDeps, 'db'>,
  userId: number,
  opts: { readableOnly: boolean },
): Promise<{ topics: WatchedTopic[]; forums: WatchedForum[] }> {
  const topicRows = await deps.db
    .select({
      topicId: topicWatches.topicId,
      title: topics.title,
      slug: topics.slug,
      level: topicWatches.level,
      updatedAt: topicWatches.updatedAt,
    })
    .from(topicWatches)
    .innerJoin(topics, eq(topics.id, topicWatches.topicId))
    .where(
      and(
        eq(topicWatches.userId, userId),
        opts.readableOnly
          ? sql`${topics.state} = 'visible' and ${topics.removedAt} is null`
          : undefined,
      ),
    )
    .orderBy(asc(topicWatches.topicId));
  const forumRows = await deps.db
    .select({
      forumId: forumWatches.forumId,
      name: forums.name,
      slug: forums.slug,
      level: forumWatches.level,
      updatedAt: forumWatches.updatedAt,
    })
    .from(forumWatches)
    .innerJoin(forums, eq(forums.id, forumWatches.forumId))
    .where(eq(forumWatches.userId, userId))
    .orderBy(asc(forumWatches.forumId));
  return { topics: topicRows, forums: forumRows };
}
