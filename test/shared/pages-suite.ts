/**
 * The reading pages, tested the same way on Node (libSQL file) and in workerd (D1): the runtime
 * only supplies `request` and the services' dependencies.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../db/schema';
import type { AppDeps } from '../../src/context';
import { createTopic } from '../../src/services/posting';
import { avatarColour } from '../../views/components/avatar';
import { parseHtml as parse } from '../support/html';
import { buildFixture, type Fixture } from './fixture';

export type SuiteForum = {
  request: (path: string, init?: RequestInit) => Response | Promise<Response>;
  deps: AppDeps;
};

const html = async (res: Response) => parse(await res.text());

export function pagesSuite(setup: () => Promise<SuiteForum>) {
  let forum: SuiteForum;
  let fx: Fixture;
  const get = (path: string, init?: RequestInit) =>
    forum.request(path, { redirect: 'manual', ...init });

  beforeAll(async () => {
    forum = await setup();
    fx = await buildFixture(forum.deps);
  });

  describe('GET /', () => {
    it('lists the forums grouped by category, with counts and the latest activity', async () => {
      const res = await get('/');
      expect(res.status).toBe(200);
      const doc = await html(res);
      const groups = doc.querySelectorAll('section.forum-group h2').map((h) => h.text);
      expect(groups).toEqual(['Products', 'Marketplace', 'Community']);
      const busy = doc
        .querySelectorAll('.forum-item')
        .find((li) => li.querySelector('.forum-name a')?.getAttribute('href') === '/f/busy');
      expect(busy?.querySelector('.forum-counts')?.text).toContain('66 topics');
      expect(busy?.querySelector('.forum-counts')?.text).toContain('110 posts');
      expect(busy?.querySelector('.forum-latest a')?.text).toBe('A long thread');
      expect(busy?.querySelector('.forum-latest time')?.getAttribute('datetime')).toBe(
        new Date(fx.lastAt).toISOString(),
      );
    });
  });

  describe('the header', () => {
    it('folds the search box and the links into a <details> menu that needs no script', async () => {
      const doc = await html(await get('/latest'));
      const menu = doc.querySelector('.site-header details.site-menu');
      expect(menu).not.toBeNull();
      expect(menu?.getAttribute('open')).toBeUndefined();
      expect(menu?.querySelector('summary')?.text).toBe('Menu');
      expect(menu?.querySelector('search form[action="/search"] input[name=q]')).not.toBeNull();
      expect(menu?.querySelectorAll('nav[aria-label=Site] a').map((a) => a.text)).toEqual([
        'Forums',
        'Latest',
        'Privacy',
        'Sign in',
        'Join',
      ]);
      expect(doc.querySelectorAll('script:not([type="application/ld+json"])')).toHaveLength(0);
    });
  });

  describe('GET /f/:forum', () => {
    it('shows pinned topics first, then by last activity, 30 a page', async () => {
      const doc = await html(await get('/f/busy'));
      const titles = doc.querySelectorAll('.topic-title a').map((a) => a.text);
      expect(titles).toHaveLength(30);
      expect(titles[0]).toBe(fx.oldest.title);
      expect(titles[1]).toBe('A long thread');
      expect(titles[2]).toBe('Busy topic number 65');
      expect(doc.querySelector('.pagination-position')?.text).toBe('Page 1 of 3');
      expect(doc.querySelector('a[rel=prev]')).toBeNull();
    });

    it('walks the pages with next and previous links and never repeats a topic', async () => {
      const seen: string[] = [];
      let path: string | undefined = '/f/busy';
      const visited: string[] = [];
      while (path) {
        const doc = await html(await get(path));
        seen.push(...doc.querySelectorAll('.topic-title a').map((a) => a.text));
        visited.push(path);
        path = doc.querySelector('a[rel=next]')?.getAttribute('href');
      }
      expect(visited).toHaveLength(3);
      expect(new Set(seen).size).toBe(66);
      // and back again from the last page
      const last = await html(await get(visited[2] as string));
      const prev = last.querySelector('a[rel=prev]')?.getAttribute('href') as string;
      const middle = await html(await get(prev));
      expect(middle.querySelector('.pagination-position')?.text).toBe('Page 2 of 3');
      expect(middle.querySelectorAll('.topic-title a').map((a) => a.text)).toEqual(
        seen.slice(30, 60),
      );
    });

    it('serves a typed ?page=N as well as the links do', async () => {
      const doc = await html(await get('/f/busy?page=3'));
      expect(doc.querySelectorAll('.topic-title a')).toHaveLength(6);
      expect(doc.querySelector('link[rel=canonical]')?.getAttribute('href')).toBe(
        'http://forum.test/f/busy?page=3',
      );
    });

    it('refuses a page that is not a number and a page past the end', async () => {
      const bad = await get('/f/busy?page=two');
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('The page must be a whole number');
      expect((await get('/f/busy?page=0')).status).toBe(400);
      expect((await get('/f/busy?page=4')).status).toBe(404);
      expect((await get('/f/busy?page=2&after=garbage')).status).toBe(400);
    });

    it('answers 404 in the site layout for an unknown forum', async () => {
      const res = await get('/f/no-such-forum');
      expect(res.status).toBe(404);
      const doc = await html(res);
      expect(doc.querySelector('h1')?.text).toBe('Page not found');
      expect(doc.querySelector('a.skip-link')).not.toBeNull();
    });

    it('shows an empty state for a forum without topics', async () => {
      const { createForum } = await import('../../src/services/catalog');
      await createForum(forum.deps, { slug: 'quiet', name: 'Quiet', category: 'community' });
      const doc = await html(await get('/f/quiet'));
      expect(doc.querySelector('.empty')?.text).toBe('No topics here yet.');
      expect(doc.querySelector('.pagination')).toBeNull();
    });
  });

  describe('GET /t/:id/:slug', () => {
    const longPath = () => `/t/${fx.long.topicId}/${fx.long.slug}`;

    it('shows 20 posts a page, each an article with author, time and number', async () => {
      const doc = await html(await get(longPath()));
      const articles = doc.querySelectorAll('article.post');
      expect(articles).toHaveLength(20);
      const first = articles[0];
      expect(first?.getAttribute('id')).toBe(`p${fx.long.postId}`);
      expect(first?.querySelector('.post-author a')?.getAttribute('href')).toBe('/u/Writer_One');
      expect(first?.querySelector('.post-number')?.text).toBe('#1');
      expect(first?.querySelector('time')?.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(doc.querySelector('link[rel=canonical]')?.getAttribute('href')).toBe(
        `http://forum.test${longPath()}`,
      );
      expect(doc.querySelector('h1')?.text).toBe('A long thread');
    });

    it('shows the last page of a long topic', async () => {
      const doc = await html(await get(`${longPath()}?page=3`));
      const numbers = doc.querySelectorAll('.post-number').map((a) => a.text);
      expect(numbers).toEqual(['#41', '#42', '#43', '#44', '#45']);
      expect(doc.querySelector('a[rel=prev]')?.getAttribute('href')).toBe(`${longPath()}?page=2`);
      expect(doc.querySelector('a[rel=next]')).toBeNull();
    });

    it('redirects a wrong or missing slug to the right one, keeping the page', async () => {
      const wrong = await get(`/t/${fx.long.topicId}/wrong-slug?page=2`);
      expect(wrong.status).toBe(301);
      expect(
        new URL(wrong.headers.get('location') as string, 'http://forum.test').pathname +
          new URL(wrong.headers.get('location') as string, 'http://forum.test').search,
      ).toBe(`${longPath()}?page=2`);
      const missing = await get(`/t/${fx.long.topicId}`);
      expect(missing.status).toBe(301);
    });

    it('answers 404 for unknown topics, bad ids and pages past the end', async () => {
      expect((await get('/t/999999/x')).status).toBe(404);
      expect((await get('/t/abc/x')).status).toBe(404);
      const past = await get(`${longPath()}?page=4`);
      expect(past.status).toBe(404);
      expect(await past.text()).toContain('This topic has 3 pages.');
    });

    it('routes links to other sites through the interstitial', async () => {
      const doc = await html(await get(longPath()));
      const link = doc.querySelector(`#p${fx.long.postId} .post-body a`);
      expect(link?.getAttribute('href')).toBe(
        `/out?url=${encodeURIComponent('https://example.com/docs?a=1&b=2')}`,
      );
      expect(link?.getAttribute('rel')).toBe('nofollow ugc noopener');
    });
  });

  describe('initials avatars', () => {
    it('are drawn beside post authors and on profiles by the stylesheet, never an image or an inline style', async () => {
      const topic = await html(await get(`/t/${fx.long.topicId}/${fx.long.slug}`));
      const first = topic.querySelector('article.post');
      const avatar = first?.querySelector('.post-header .post-byline > .avatar');
      // From the display name (Wendy Writer), the colour from the username.
      expect(avatar?.text).toBe('WW');
      expect(avatar?.getAttribute('aria-hidden')).toBe('true');
      expect(avatar?.getAttribute('class')).toBe(`avatar avatar-${avatarColour('Writer_One')}`);
      expect(avatar?.nextElementSibling?.getAttribute('class')).toBe('post-author');
      expect(topic.querySelectorAll('[style], img.avatar, .avatar img')).toHaveLength(0);

      const profile = await html(await get('/u/Writer_One'));
      const big = profile.querySelector('.profile-head > .avatar');
      expect(big?.getAttribute('class')).toBe(
        `avatar avatar-${avatarColour('Writer_One')} avatar-large`,
      );
      expect(big?.text).toBe('WW');
      expect(profile.querySelector('.profile-head > h1')).not.toBeNull();
      expect(profile.querySelectorAll('[style]')).toHaveLength(0);
    });
  });

  describe('GET /p/:postId', () => {
    it('redirects to the page and anchor of the post', async () => {
      const post25 = fx.replyIds[23] as number; // reply ids start at post number 2
      const res = await get(`/p/${post25}`);
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') as string, 'http://forum.test');
      expect(`${location.pathname}${location.search}${location.hash}`).toBe(
        `/t/${fx.long.topicId}/${fx.long.slug}?page=2#p${post25}`,
      );
      const page = await html(await get(`${location.pathname}${location.search}`));
      expect(page.querySelector(`#p${post25} .post-number`)?.text).toBe('#25');
    });

    it('answers 404 for an unknown post', async () => {
      expect((await get('/p/987654')).status).toBe(404);
    });
  });

  describe('GET /u/:username', () => {
    it('shows the public profile with recent posts, never the email address', async () => {
      await forum.deps.db
        .update(users)
        .set({ email: 'wendy@example.com', emailKey: 'wendy@example.com' })
        .where(eq(users.id, fx.writer.id));
      const res = await get('/u/writer_one');
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).not.toContain('wendy@example.com');
      const doc = parse(body);
      expect(doc.querySelector('h1')?.text).toContain('Wendy Writer');
      const items = doc.querySelectorAll('.profile-posts li');
      expect(items).toHaveLength(20);
      expect(items[0]?.querySelector('.excerpt')?.text).toBe('Reply number 45.');
    });

    it('pages through older posts', async () => {
      const doc = await html(await get('/u/Writer_One'));
      const older = doc.querySelector('a[rel=next]')?.getAttribute('href') as string;
      const page2 = await html(await get(older));
      expect(page2.querySelectorAll('.profile-posts li .excerpt')[0]?.text).toBe(
        'Reply number 25.',
      );
    });

    it('answers 404 for an unknown member', async () => {
      expect((await get('/u/nobody-here')).status).toBe(404);
    });

    it('shows an empty state for a member who has not posted', async () => {
      const { createMember } = await import('../../src/services/accounts');
      await createMember(forum.deps, { username: 'silent_sam' });
      const doc = await html(await get('/u/silent_sam'));
      expect(doc.querySelector('.empty')?.text).toBe('silent_sam has not posted yet.');
    });
  });

  describe('GET /privacy', () => {
    it('is the privacy notice, with version and date', async () => {
      const doc = await html(await get('/privacy'));
      expect(doc.querySelector('h1')?.text).toBe('Privacy notice');
      expect(doc.querySelector('.lede')?.text).toMatch(/^Version \d+\.\d+, \d{1,2} \w+ \d{4}\.$/);
      expect(doc.text).toContain('becomes public knowledge');
      expect(doc.text).toContain('own privacy policy');
    });
  });

  describe('GET /out', () => {
    it('names the host, shows the full URL, and offers Continue and Back without redirecting', async () => {
      const target = 'https://docs.example.org/guide?x=1#part';
      const res = await get(`/out?url=${encodeURIComponent(target)}`, {
        headers: { Referer: `http://forum.test/t/${fx.long.topicId}/${fx.long.slug}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('location')).toBeNull();
      const doc = await html(res);
      expect(doc.querySelector('h1 .out-host')?.text).toBe('docs.example.org');
      expect(doc.querySelector('.out-url code')?.text).toBe(target);
      expect(doc.text).toContain('not operated by Plimus');
      expect(doc.text).toContain('own privacy policy');
      const [cont, back] = doc.querySelectorAll('.out-actions a');
      expect(cont?.getAttribute('href')).toBe(target);
      expect(cont?.getAttribute('rel')).toBe('noopener noreferrer nofollow');
      expect(back?.getAttribute('href')).toBe(`/t/${fx.long.topicId}/${fx.long.slug}`);
      expect(doc.querySelector('meta[http-equiv]')).toBeNull();
    });

    it('refuses anything but an absolute http(s) URL with 400 and an explanation', async () => {
      for (const url of [
        'javascript:alert(1)',
        'data:text/html,hi',
        '/t/1',
        '//evil.example',
        'ftp://x.example/',
        'https://user:pw@x.example/',
      ]) {
        const res = await get(`/out?url=${encodeURIComponent(url)}`);
        expect(res.status, url).toBe(400);
        expect(res.headers.get('location')).toBeNull();
        const doc = await html(res);
        expect(doc.querySelector('h1')?.text).toBe('Not a link we can follow');
        expect(doc.text).toContain('http://');
      }
      expect((await get('/out')).status).toBe(400);
    });

    it('sends Back to the forum index when the reader came from elsewhere', async () => {
      const doc = await html(
        await get('/out?url=https%3A%2F%2Fexample.com%2F', {
          headers: { Referer: 'https://evil.example/x' },
        }),
      );
      expect(doc.querySelectorAll('.out-actions a')[1]?.getAttribute('href')).toBe('/');
    });
  });

  describe('GET /healthz', () => {
    it('answers 200 with JSON when the database answers', async () => {
      const res = await get('/healthz');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', database: 'ok' });
    });
  });

  // HSTS follows the forum's own origin: see test/integration/server.test.ts (Node, configured)
  // and test/edge/pages.test.ts (Workers, the request's when PUBLIC_ORIGIN is unset).
  describe('security headers', () => {
    it('are on every response, errors included', async () => {
      for (const path of ['/', '/f/busy', '/nope', '/out?url=x', '/healthz']) {
        const res = await get(path);
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp, path).toContain("script-src 'self'");
        expect(csp).toContain("style-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).not.toContain('unsafe-inline');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('same-origin');
        expect(res.headers.get('strict-transport-security')).toBeNull();
      }
    });
  });

  describe('posted content', () => {
    it('is sanitized: scripts, handlers and javascript: URLs never reach the page', async () => {
      const payloads = [
        '<script>alert(1)</script>',
        '<img src=x onerror=alert(1)>',
        '[click](javascript:alert(1))',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<svg><script>alert(1)</script></svg>',
        '<div style="background:url(javascript:alert(1))">styled</div>',
        '<form action="https://evil.example"><button>go</button></form>',
      ];
      const t = await createTopic(forum.deps, {
        forumId: fx.busy.id,
        authorId: fx.writer.id,
        title: 'Payloads',
        body: payloads.join('\n\n'),
        kind: 'discussion',
      });
      const body = (await html(await get(`/t/${t.topicId}/${t.slug}`))).querySelector('.post-body');
      const inner = body?.innerHTML ?? '';
      expect(inner).not.toMatch(/<script|<iframe|<svg|<form|onerror|javascript:|style=/i);
      expect(body?.text).toContain('styled');
    });
  });
}
