/**
 * What the sitemaps list for crawlers: the forum index, /latest and every forum; then every
 * public topic (with the pages of long ones) in sitemaps of TOPICS_PER_SITEMAP topic ids each,
 * in id order, so that a sitemap's content stays where it is as the forum grows. Profiles are
 * not listed. Every read walks an index: the topics' primary key over one id range.
 */
import { and, asc, between, sql } from 'drizzle-orm';
import { topics } from '../../db/schema';
import type { AppDeps } from '../context';
import { NotFoundError } from '../errors';
import { listForumGroups } from './forums';
import { topicPageCount } from './topics';
import { publicTopic } from './visibility';

/** Topic ids per sitemap. With at most PAGES_PER_TOPIC pages each: 50,000 URLs at most. */
export const TOPICS_PER_SITEMAP = 1000;
/** pages of a long topic listed (the others are linked from these) */
export const PAGES_PER_TOPIC = 50;

export type SitemapUrl = { loc: string; lastmod: Date | null };

/** How many topic sitemaps there are: one per TOPICS_PER_SITEMAP ids up to the highest. */
export async function topicSitemapCount(deps: AppDeps): Promise<number> {
  const row = await deps.db
    .select({ max: sql<number | null>`max(${topics.id})` })
    .from(topics)
    .get();
  return Math.ceil((row?.max ?? 0) / TOPICS_PER_SITEMAP);
}

/** The forum index, /latest and the forums. */
export async function forumSitemap(deps: AppDeps): Promise<SitemapUrl[]> {
  const origin = deps.config.publicOrigin;
  const forums = (await listForumGroups(deps)).flatMap((g) => g.forums);
  const newest = forums.reduce<Date | null>(
    (at, f) => (f.lastPostAt && (!at || f.lastPostAt > at) ? f.lastPostAt : at),
    null,
  );
  return [
    { loc: `${origin}/`, lastmod: newest },
    { loc: `${origin}/latest`, lastmod: newest },
    ...forums.map((f) => ({ loc: `${origin}/f/${f.slug}`, lastmod: f.lastPostAt })),
  ];
}

/**
 * The public topics with ids in the n-th range (1-based), each page of them.
 * @throws NotFoundError past the last sitemap
 */
export async function topicSitemap(deps: AppDeps, n: number): Promise<SitemapUrl[]> {
  if (n < 1 || n > (await topicSitemapCount(deps))) {
    throw new NotFoundError('There is no such sitemap.');
  }
  const origin = deps.config.publicOrigin;
  const first = (n - 1) * TOPICS_PER_SITEMAP + 1;
  const rows = await deps.db
    .select({
      id: topics.id,
      slug: topics.slug,
      lastPostAt: topics.lastPostAt,
      highestNumber: topics.highestNumber,
    })
    .from(topics)
    .where(and(between(topics.id, first, first + TOPICS_PER_SITEMAP - 1), publicTopic()))
    .orderBy(asc(topics.id));
  return rows.flatMap((t) => {
    const url = `${origin}/t/${t.id}/${t.slug}`;
    const pages = Math.min(topicPageCount(t), PAGES_PER_TOPIC);
    return Array.from({ length: pages }, (_, i) => ({
      loc: i === 0 ? url : `${url}?page=${i + 1}`,
      lastmod: t.lastPostAt,
    }));
  });
}
