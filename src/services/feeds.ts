/**
 * What the Atom feeds hold: the whole forum's newest topics, one forum's, and one topic's newest
 * posts. Only what the public may see; each entry's `updated` is its last edit. The XML is
 * written by src/content/atom.ts.
 */
import { and, desc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { forums, posts, topics, users } from '../../db/schema';
import { type AtomEntry, type AtomFeed, absoluteLinks } from '../content/atom';
import type { AppDeps } from '../context';
import { NotFoundError } from '../errors';
import { getForumBySlug } from './forums';
import { isPublicPost, publicPost, publicTopic } from './visibility';

export const FEED_ENTRIES = 20;
const SITE = 'Plimus Community Forums';
const DELETED = 'deleted user';

const latest = (entries: AtomEntry[], fallback: Date) =>
  new Date(Math.max(fallback.getTime(), ...entries.map((e) => e.updated.getTime())));

/** The newest public topics (of one forum, or of all), each with its opening post. */
async function newestTopics(deps: AppDeps, forumId?: number): Promise<AtomEntry[]> {
  const origin = deps.config.publicOrigin;
  const author = alias(users, 'author');
  const rows = await deps.db
    .select({
      id: topics.id,
      title: topics.title,
      slug: topics.slug,
      createdAt: topics.createdAt,
      author: author.username,
      html: posts.bodyHtml,
      editedAt: posts.editedAt,
      state: posts.state,
      deletedAt: posts.deletedAt,
      removedAt: posts.removedAt,
    })
    .from(topics)
    .innerJoin(posts, eq(posts.id, topics.firstPostId))
    .leftJoin(author, eq(author.id, topics.userId))
    .where(and(publicTopic(), forumId === undefined ? undefined : eq(topics.forumId, forumId)))
    .orderBy(desc(topics.id))
    .limit(FEED_ENTRIES);
  return rows.map((r) => ({
    id: `${origin}/t/${r.id}`,
    title: r.title,
    link: `${origin}/t/${r.id}/${r.slug}`,
    published: r.createdAt,
    updated: r.editedAt ?? r.createdAt,
    author: r.author ?? DELETED,
    html: isPublicPost(r) ? absoluteLinks(r.html, origin) : '',
  }));
}

/** The whole forum's newest topics. */
export async function forumWideFeed(deps: AppDeps): Promise<AtomFeed> {
  const origin = deps.config.publicOrigin;
  const entries = await newestTopics(deps);
  return {
    self: `${origin}/feed.atom`,
    title: `${SITE}: latest topics`,
    subtitle: 'New topics in every forum.',
    alternate: `${origin}/latest`,
    updated: latest(entries, new Date(0)),
    author: SITE,
    entries,
  };
}

/** One forum's newest topics. @throws NotFoundError when there is no such forum */
export async function forumFeed(deps: AppDeps, slug: string): Promise<AtomFeed> {
  const origin = deps.config.publicOrigin;
  const forum = await getForumBySlug(deps, slug);
  const entries = await newestTopics(deps, forum.id);
  return {
    self: `${origin}/f/${forum.slug}/feed.atom`,
    title: `${forum.name}: latest topics`,
    ...(forum.description ? { subtitle: forum.description } : {}),
    alternate: `${origin}/f/${forum.slug}`,
    updated: latest(entries, forum.createdAt),
    author: SITE,
    entries,
  };
}

/** One topic's newest posts. @throws NotFoundError when the public cannot see the topic */
export async function topicFeed(deps: AppDeps, topicId: number): Promise<AtomFeed> {
  const origin = deps.config.publicOrigin;
  const topic = await deps.db
    .select({
      id: topics.id,
      title: topics.title,
      slug: topics.slug,
      createdAt: topics.createdAt,
      forumName: forums.name,
    })
    .from(topics)
    .innerJoin(forums, eq(forums.id, topics.forumId))
    .where(and(eq(topics.id, topicId), publicTopic()))
    .get();
  if (!topic) throw new NotFoundError('There is no topic at this address.');
  const rows = await deps.db
    .select({
      id: posts.id,
      number: posts.number,
      html: posts.bodyHtml,
      createdAt: posts.createdAt,
      editedAt: posts.editedAt,
      author: users.username,
    })
    .from(posts)
    .leftJoin(users, eq(users.id, posts.userId))
    .where(and(eq(posts.topicId, topicId), publicPost()))
    .orderBy(desc(posts.number))
    .limit(FEED_ENTRIES);
  const entries = rows.map(
    (r): AtomEntry => ({
      id: `${origin}/p/${r.id}`,
      title: r.number === 1 ? topic.title : `Reply #${r.number} to ${topic.title}`,
      link: `${origin}/p/${r.id}`,
      published: r.createdAt,
      updated: r.editedAt ?? r.createdAt,
      author: r.author ?? DELETED,
      html: absoluteLinks(r.html, origin),
    }),
  );
  return {
    self: `${origin}/t/${topic.id}/feed.atom`,
    title: `${topic.title}: latest posts`,
    subtitle: `A topic in ${topic.forumName}.`,
    alternate: `${origin}/t/${topic.id}/${topic.slug}`,
    updated: latest(entries, topic.createdAt),
    author: SITE,
    entries,
  };
}
