/**
 * What feed readers, browsers and crawlers read, the same on Node and in workerd: Atom feeds
 * (parsed by a feed reader's library), conditional requests, sitemaps, robots.txt, the
 * OpenSearch description, /latest, and the links every page carries to them.
 */
import { parseFeed } from '@rowanmanning/feed-parser';
import { eq } from 'drizzle-orm';
import { XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { posts, topics } from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import { createMember } from '../../src/services/accounts';
import { createForum } from '../../src/services/catalog';
import { removeTopic } from '../../src/services/moderation';
import { createReply, createTopic } from '../../src/services/posting';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { ORIGIN } from './agent';

let seq = 0;

export function crawlersSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  let slug: string;
  let topicId: number;
  let hiddenTopicId: number;
  let firstPostId: number;
  const get = (path: string, headers: Record<string, string> = {}) =>
    forum.request(path, { headers });
  const later = () => {
    forum.clock.advance(60_000);
    return forum.deps;
  };

  beforeAll(async () => {
    forum = await setup();
    await seedDemo(forum.deps);
    const author = await createMember(forum.deps, { username: `feeder${++seq}` });
    slug = `feed-lab-${++seq}`;
    const lab = await createForum(forum.deps, {
      slug,
      name: 'Feed lab',
      description: 'Where feeds are tried.',
      category: 'community',
    });
    const t = await createTopic(later(), {
      forumId: lab.id,
      authorId: author.id,
      title: 'Feeds & <things>',
      body: 'See [the docs](https://example.com/docs?a=1&b=2) and [the topic](/t/1).',
      kind: 'discussion',
    });
    topicId = t.topicId;
    firstPostId = t.postId;
    for (let i = 2; i <= 45; i++)
      await createReply(later(), { topicId, authorId: author.id, body: `Reply ${i}.` });
    const hidden = await createTopic(later(), {
      forumId: lab.id,
      authorId: author.id,
      title: 'Removed from everything',
      body: 'Nobody sees this.',
      kind: 'discussion',
    });
    hiddenTopicId = hidden.topicId;
    const moderator = {
      id: author.id,
      createdAt: new Date(0),
      role: 'moderator' as const,
      suspendedUntil: null,
      suspendedReason: null,
    };
    await removeTopic(later(), moderator, hiddenTopicId, { reason: 'spam', note: '' });
  });

  async function feed(path: string) {
    const res = await get(path);
    expect(res.status, path).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/atom+xml');
    const xml = await res.text();
    expect(XMLValidator.validate(xml), path).toBe(true);
    return { res, xml, feed: parseFeed(xml) };
  }

  describe('Atom feeds', () => {
    it('the whole forum’s: its newest public topics, parsed by a feed reader’s library', async () => {
      const { feed: f, xml } = await feed('/feed.atom');
      expect(f.meta.type).toBe('atom');
      expect(f.self).toBe(`${ORIGIN}/feed.atom`);
      expect(f.url).toBe(`${ORIGIN}/latest`);
      expect(f.title).toContain('latest topics');
      expect(f.authors[0]?.name).toBeTruthy();
      expect(f.updated).toBeInstanceOf(Date);
      const first = f.items[0];
      expect(first?.title).toBe('Feeds & <things>');
      expect(first?.id).toBe(`${ORIGIN}/t/${topicId}`);
      expect(first?.url).toMatch(new RegExp(`^${ORIGIN}/t/${topicId}/`));
      expect(first?.authors[0]?.name).toMatch(/^feeder/);
      expect(first?.updated).toBeInstanceOf(Date);
      // Links are absolute; other sites' go through the absolute /out address.
      expect(first?.content).toContain(
        `href="${ORIGIN}/out?url=https%3A%2F%2Fexample.com%2Fdocs%3Fa%3D1%26b%3D2"`,
      );
      expect(first?.content).toContain(`href="${ORIGIN}/t/1"`);
      expect(f.items.map((i) => i.title)).not.toContain('Removed from everything');
      expect(xml).not.toContain('Nobody sees this');
    });

    it('one forum’s, and one topic’s newest posts', async () => {
      const { feed: forumFeed } = await feed(`/f/${slug}/feed.atom`);
      expect(forumFeed.self).toBe(`${ORIGIN}/f/${slug}/feed.atom`);
      expect(forumFeed.url).toBe(`${ORIGIN}/f/${slug}`);
      expect(forumFeed.items.map((i) => i.title)).toEqual(['Feeds & <things>']);
      const { feed: topicFeed } = await feed(`/t/${topicId}/feed.atom`);
      expect(topicFeed.items).toHaveLength(20);
      expect(topicFeed.items[0]?.title).toBe('Reply #45 to Feeds & <things>');
      expect(topicFeed.items[0]?.url).toMatch(new RegExp(`^${ORIGIN}/p/\\d+$`));
      expect((await get(`/t/${hiddenTopicId}/feed.atom`)).status).toBe(404);
      expect((await get('/f/no-such-forum/feed.atom')).status).toBe(404);
    });

    it('say when they changed: ETag and Last-Modified, 304 when unchanged, updated from the last edit', async () => {
      const { res, feed: before } = await feed(`/t/${topicId}/feed.atom`);
      const etag = res.headers.get('etag') ?? '';
      const modified = res.headers.get('last-modified') ?? '';
      expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(res.headers.get('cache-control')).toBe('public, max-age=300');
      expect((await get(`/t/${topicId}/feed.atom`, { 'If-None-Match': etag })).status).toBe(304);
      expect((await get(`/t/${topicId}/feed.atom`, { 'If-Modified-Since': modified })).status).toBe(
        304,
      );
      expect((await get(`/t/${topicId}/feed.atom`, { 'If-None-Match': '"other"' })).status).toBe(
        200,
      );
      // An edit of the opening post moves the forum feed's `updated`, and its ETag.
      const { res: forumRes } = await feed(`/f/${slug}/feed.atom`);
      forum.clock.advance(3_600_000);
      await forum.deps.db
        .update(posts)
        .set({ editedAt: new Date(forum.deps.now()) })
        .where(eq(posts.id, firstPostId));
      const { res: after, feed: edited } = await feed(`/f/${slug}/feed.atom`);
      expect(after.headers.get('etag')).not.toBe(forumRes.headers.get('etag'));
      expect(edited.items[0]?.updated?.getTime()).toBe(
        forum.deps.now() - (forum.deps.now() % 1000),
      );
      expect(before.items.length).toBeGreaterThan(0);
    });
  });

  describe('sitemaps and robots.txt', () => {
    const locs = (xml: string) =>
      [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1] as string);

    it('an index of the forums’ sitemap and the topic sitemaps by id', async () => {
      const res = await get('/sitemap.xml');
      const xml = await res.text();
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml).toContain('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
      expect(locs(xml)).toEqual([`${ORIGIN}/sitemap/forums.xml`, `${ORIGIN}/sitemap/topics/1.xml`]);
      const forums = locs(await (await get('/sitemap/forums.xml')).text());
      expect(forums).toContain(`${ORIGIN}/`);
      expect(forums).toContain(`${ORIGIN}/latest`);
      expect(forums).toContain(`${ORIGIN}/f/${slug}`);
    });

    it('public topics in id order with lastmod, long topics with their pages, no profiles', async () => {
      const xml = await (await get('/sitemap/topics/1.xml')).text();
      expect(XMLValidator.validate(xml)).toBe(true);
      const urls = locs(xml);
      const topicUrl = urls.find((u) => u.startsWith(`${ORIGIN}/t/${topicId}/`)) ?? '';
      expect(urls).toContain(`${topicUrl}?page=2`);
      expect(urls).toContain(`${topicUrl}?page=3`);
      expect(urls).not.toContain(`${topicUrl}?page=4`);
      expect(urls.some((u) => u.includes(`/t/${hiddenTopicId}/`))).toBe(false);
      expect(urls.some((u) => u.includes('/u/'))).toBe(false);
      const ids = urls.filter((u) => !u.includes('?')).map((u) => Number(u.split('/')[4]));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(xml).toMatch(/<lastmod>\d{4}-\d{2}-\d{2}T[\d:.]+Z<\/lastmod>/);
      expect((await get('/sitemap/topics/2.xml')).status).toBe(404);
      expect((await get('/sitemap/topics/0.xml')).status).toBe(404);
    });

    it('robots.txt keeps crawlers out of private pages, forms and search, and names the sitemap', async () => {
      const text = await (await get('/robots.txt')).text();
      for (const path of [
        '/account',
        '/admin',
        '/mod',
        '/auth/',
        '/search',
        '/out',
        '/f/*/new',
        '/posts/',
        '/login',
        '/register',
      ]) {
        expect(text).toContain(`Disallow: ${path}\n`);
      }
      expect(text).toContain(`Sitemap: ${ORIGIN}/sitemap.xml`);
      expect(text).not.toMatch(/Disallow: \/(t|f|u)\/?\n/);
    });
  });

  describe('what pages advertise', () => {
    it('an OpenSearch description that browsers can use', async () => {
      const res = await get('/opensearch.xml');
      expect(res.headers.get('content-type')).toContain('application/opensearchdescription+xml');
      const xml = await res.text();
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml).toContain(`template="${ORIGIN}/search?q={searchTerms}"`);
    });

    it('every page links the search, its feeds and the whole forum’s feed', async () => {
      const doc = parseHtml(await (await get(`/f/${slug}`)).text());
      expect(doc.querySelector('link[rel=search]')?.getAttribute('href')).toBe('/opensearch.xml');
      const feeds = doc
        .querySelectorAll('link[rel=alternate][type="application/atom+xml"]')
        .map((l) => l.getAttribute('href'));
      expect(feeds).toEqual([`/f/${slug}/feed.atom`, '/feed.atom']);
      const box = doc.querySelector('header search form');
      expect(box?.getAttribute('action')).toBe('/search');
      expect(box?.getAttribute('method')).toBe('get');
      expect(
        doc.querySelector(`label[for=${box?.querySelector('input')?.getAttribute('id')}]`),
      ).not.toBeNull();
    });
  });

  describe('/latest', () => {
    it('lists every forum’s public topics by last activity, and open questions of product forums', async () => {
      const doc = parseHtml(await (await get('/latest')).text());
      const titles = doc.querySelectorAll('.topic-title a').map((a) => a.text);
      expect(titles[0]).toBe('Feeds & <things>');
      expect(titles).not.toContain('Removed from everything');
      const open = parseHtml(await (await get('/latest?filter=unanswered')).text());
      const openTitles = open.querySelectorAll('.topic-title a').map((a) => a.text);
      expect(openTitles.length).toBeGreaterThan(0);
      const rows = await forum.deps.db.select().from(topics);
      for (const title of openTitles) {
        const t = rows.find((r) => r.title === title);
        expect(t?.kind, title).toBe('question');
        expect(t?.acceptedPostId, title).toBeNull();
      }
      expect((await get('/latest?filter=answered')).status).toBe(400);
      expect((await get('/latest?page=99')).status).toBe(404);
    });
  });
}
