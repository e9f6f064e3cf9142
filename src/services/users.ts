/**
 * Public profiles. Only what a person has made public appears here: never an email address.
 */
import { and, desc, eq, lt, or } from 'drizzle-orm';
import { posts, topics, users } from '../../db/schema';
import { plainText } from '../content/plain-text';
import type { AppDeps } from '../context';
import { NotFoundError } from '../errors';
import { publicPost, publicTopic } from './visibility';

export const PROFILE_POSTS_PER_PAGE = 20;

export type PublicProfile = {
  id: number;
  username: string;
  displayName: string | null;
  bio: string;
  role: 'member' | 'moderator' | 'admin';
  joinedAt: Date;
  postCount: number;
};

export type ProfilePost = {
  id: number;
  number: number;
  topicId: number;
  topicTitle: string;
  topicSlug: string;
  createdAt: Date;
  excerpt: string;
};

/** @throws NotFoundError when no account has this username */
export async function getPublicProfile(deps: AppDeps, username: string): Promise<PublicProfile> {
  const row = await deps.db
    .select({
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      bio: users.bio,
      role: users.role,
      joinedAt: users.createdAt,
      postCount: users.postCount,
    })
    .from(users)
    .where(eq(users.usernameKey, username.toLowerCase()))
    .get();
  if (!row) throw new NotFoundError('There is no member with this username.');
  return row;
}

/** A plain-text excerpt of cooked HTML, for lists. */
export const excerptOf = (html: string, max = 200): string => plainText(html, max);

export type ProfilePostPage = { posts: ProfilePost[]; olderCursor: string | null };

/**
 * A person's public posts, newest first; `before` is the cursor of the last post of the
 * previous page ("createdAt.id").
 */
export async function listProfilePosts(
  deps: AppDeps,
  userId: number,
  before?: string,
): Promise<ProfilePostPage> {
  const m = before?.match(/^(\d{1,15})\.(\d{1,15})$/);
  const cursor = m ? { at: new Date(Number(m[1])), id: Number(m[2]) } : undefined;
  const rows = await deps.db
    .select({
      id: posts.id,
      number: posts.number,
      topicId: posts.topicId,
      topicTitle: topics.title,
      topicSlug: topics.slug,
      createdAt: posts.createdAt,
      bodyHtml: posts.bodyHtml,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .where(
      and(
        eq(posts.userId, userId),
        publicPost(),
        publicTopic(),
        cursor
          ? or(
              lt(posts.createdAt, cursor.at),
              and(eq(posts.createdAt, cursor.at), lt(posts.id, cursor.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(posts.createdAt), desc(posts.id))
    .limit(PROFILE_POSTS_PER_PAGE + 1);
  const page = rows.slice(0, PROFILE_POSTS_PER_PAGE);
  const last = page[page.length - 1];
  return {
    posts: page.map((r) => ({
      id: r.id,
      number: r.number,
      topicId: r.topicId,
      topicTitle: r.topicTitle,
      topicSlug: r.topicSlug,
      createdAt: r.createdAt,
      excerpt: excerptOf(r.bodyHtml),
    })),
    olderCursor:
      rows.length > PROFILE_POSTS_PER_PAGE && last
        ? `${last.createdAt.getTime()}.${last.id}`
        : null,
  };
}
