/**
 * Notifications, the same on Node (libSQL) and in workerd (D1): a post writes a job in its own
 * batch, the jobs turn into notifications (replies gathered per topic, one per person and post
 * for its most direct reason), the header counts the unread ones, /notifications lists them and
 * marks them read, opening the post reads them; nobody hears of their own posts or of what they
 * cannot read; watchers of a topic or forum hear of its new posts or topics, muting silences all
 * but mentions, authors watch their topics and repliers track them; exported and erased with the
 * account.
 */
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  forumWatches,
  notificationJobs,
  notifications,
  reports,
  topicWatches,
  users,
} from '../../db/schema';
import { hashPassword } from '../../src/auth/password';
import { createForum } from '../../src/services/catalog';
import { removePost, removeTopic, restorePost } from '../../src/services/moderation';
import { runNotificationJobs } from '../../src/services/notifications';
import { createTopic } from '../../src/services/posting';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { location, ORIGIN } from './agent';
import { PASSWORD, type Person, peopleOf, signIn } from './people';

export function notificationsSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  let passwordHash: string;
  let forumId: number;
  const db = () => forum.deps.db;
  const page = async (res: Response | Promise<Response>) => parseHtml(await (await res).text());
  const person = peopleOf(
    () => forum,
    'notified_',
    () => passwordHash,
  );
  /** What the loop would do after the responses. */
  const fanOut = async () => {
    const lines: string[] = [];
    const done = await runNotificationJobs(forum.deps, (l) => lines.push(l));
    expect(lines, 'the loop logged no failure').toEqual([]);
    return done;
  };
  const written = () => forum.deps.reads.write(forum.deps.db, () => {});

  async function topicBy(
    author: Person,
    title = `Notified topic ${Date.now()}`,
    inForum: number = forumId,
  ) {
    forum.clock.advance(1000);
    const t = await createTopic(forum.deps, {
      forumId: inForum,
      authorId: author.user.id,
      title,
      body: 'The opening post.',
      kind: 'discussion',
    });
    return { id: t.topicId, path: `/t/${t.topicId}/${t.slug}`, firstPostId: t.postId, title };
  }

  /** A reply through the real route; its post id. */
  async function reply(who: Person, topicId: number, body: string) {
    forum.clock.advance(60_000);
    const res = await who.a.post(`/t/${topicId}/replies`, { body });
    expect(res.status, body).toBe(303);
    return Number(location(res).split('#p')[1]);
  }

  /** The header's "Notifications (N)" as `who` sees it on /latest. */
  async function headerCount(who: Person) {
    const link = (await page(who.a.get('/latest'))).querySelector('a[href="/notifications"]');
    expect(link, 'the header links to /notifications').not.toBeNull();
    const shown = link?.querySelector('[aria-hidden="true"]')?.text ?? '';
    return shown ? Number(shown.replace(/[()]/g, '')) : 0;
  }

  let forums = 0;
  /** A forum of its own, so that its watchers hear of nothing else. */
  async function newForum() {
    const slug = `watched-${Date.now().toString(36)}-${++forums}`;
    const f = await createForum(forum.deps, {
      slug,
      name: `Watched ${forums}`,
      category: 'community',
    });
    return { id: f.id, slug };
  }

  /** The person's notifications, as stored. */
  const stored = (who: Person) =>
    db().select().from(notifications).where(eq(notifications.userId, who.user.id)).all();

  const topicLevel = async (who: Person, topicId: number) =>
    (
      await db()
        .select()
        .from(topicWatches)
        .where(and(eq(topicWatches.userId, who.user.id), eq(topicWatches.topicId, topicId)))
        .get()
    )?.level;

  const entries = async (who: Person) =>
    (await page(who.a.get('/notifications'))).querySelectorAll('.notification');

  beforeAll(async () => {
    forum = await setup();
    passwordHash = await hashPassword(PASSWORD);
    forumId = (
      await createForum(forum.deps, {
        slug: `notified-${Date.now().toString(36)}`,
        name: 'Notified',
        category: 'community',
      })
    ).id;
  });

  describe('a reply in your topic', () => {
    it('is a job written with the post, turned into one entry that gathers later replies until read', async () => {
      const asker = await person();
      const helper = await person();
      const other = await person();
      const t = await topicBy(asker);
      const first = await reply(helper, t.id, 'Have you tried turning it off and on?');
      // Written in the post's batch; nothing is notified before the loop runs.
      expect(
        await db().select().from(notificationJobs).where(eq(notificationJobs.postId, first)).all(),
      ).toHaveLength(1);
      expect(await headerCount(asker)).toBe(0);
      expect(await fanOut()).toBeGreaterThanOrEqual(1);
      expect(
        await db().select().from(notificationJobs).where(eq(notificationJobs.postId, first)).all(),
      ).toEqual([]);
      expect(await headerCount(asker)).toBe(1);

      await reply(other, t.id, 'Same problem here.');
      await fanOut();
      // Still one entry: it says two replies, and leads to the first unread one.
      expect(await headerCount(asker)).toBe(1);
      const list = await entries(asker);
      const entry = list.find((li) => li.text.includes(t.title));
      expect(entry?.classList.contains('unread')).toBe(true);
      expect(entry?.text).toContain(`2 new replies, the last by ${other.user.username}, in`);
      expect(entry?.querySelector('a')?.getAttribute('href')).toBe(`${t.path}#p${first}`);
      // The repliers are told nothing: they wrote the posts, and it is not their topic.
      expect(await headerCount(helper)).toBe(0);
      expect(await headerCount(other)).toBe(0);

      // Opening the topic reads it.
      expect((await asker.a.get(t.path)).status).toBe(200);
      await written();
      expect(await headerCount(asker)).toBe(0);
      expect(
        (await entries(asker))
          .find((li) => li.text.includes(t.title))
          ?.classList.contains('unread'),
      ).toBe(false);
    });

    it('tells nobody about their own reply in their own topic', async () => {
      const asker = await person();
      const t = await topicBy(asker);
      await reply(asker, t.id, 'Bumping my own topic.');
      await fanOut();
      expect(await headerCount(asker)).toBe(0);
      expect(await entries(asker)).toHaveLength(0);
      expect((await page(asker.a.get('/notifications'))).querySelector('.empty')?.text).toContain(
        'Nothing yet',
      );
    });
  });

  describe('mentions and quotes', () => {
    it('tell the person once, for the most direct reason, and "Mark all read" reads everything', async () => {
      const asker = await person();
      const named = await person();
      const writer = await person();
      const t = await topicBy(asker);
      const quoted = await reply(named, t.id, 'My first thoughts on this.');
      await fanOut();
      // Quotes and mentions the same person: one notification, the mention.
      await reply(
        writer,
        t.id,
        `${named.user.username} wrote in [#2](/p/${quoted}):\n\n> My first thoughts\n\nI agree, @${named.user.username}.`,
      );
      await fanOut();
      const mine = await db()
        .select()
        .from(notifications)
        .where(eq(notifications.userId, named.user.id))
        .all();
      expect(mine.map((n) => n.kind)).toEqual(['mention']);
      // A quote alone is a quote.
      await reply(
        writer,
        t.id,
        `${named.user.username} wrote in [#2](/p/${quoted}):\n\n> My first thoughts`,
      );
      await fanOut();
      const kinds = (
        await db().select().from(notifications).where(eq(notifications.userId, named.user.id)).all()
      ).map((n) => n.kind);
      expect(kinds.sort()).toEqual(['mention', 'quote']);
      expect(await headerCount(named)).toBe(2);
      const list = await entries(named);
      expect(list.map((li) => li.text).join('\n')).toContain(
        `${writer.user.username} mentioned you in`,
      );
      expect(list.map((li) => li.text).join('\n')).toContain(
        `${writer.user.username} quoted you in`,
      );

      const res = await named.a.post('/notifications/read-all');
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/notifications');
      expect(await headerCount(named)).toBe(0);
      expect(
        (await page(named.a.get('/notifications'))).querySelector(
          'form[action="/notifications/read-all"]',
        ),
      ).toBeNull();
    });
  });

  describe('what nobody may read', () => {
    it('is not shown or counted once the post is removed', async () => {
      const asker = await person();
      const spammer = await person();
      const moderator = await person({ values: { role: 'moderator' } });
      const t = await topicBy(asker);
      const spam = await reply(spammer, t.id, 'Buy cheap things at my shop.');
      await fanOut();
      expect(await headerCount(asker)).toBe(1);
      await removePost(forum.deps, moderator.user, spam, { reason: 'spam', note: '' });
      expect(await headerCount(asker)).toBe(0);
      expect((await entries(asker)).find((li) => li.text.includes(t.title))).toBeUndefined();
    });

    /** The ways a post the person was told about becomes one the public cannot read. */
    const unreadable: [
      string,
      (h: { post: number; topicId: number; author: Person }) => Promise<void>,
    ][] = [
      [
        'its topic removed',
        async ({ topicId }) => {
          const moderator = await person({ values: { role: 'moderator' } });
          await removeTopic(forum.deps, moderator.user, topicId, { reason: 'off_topic', note: '' });
        },
      ],
      [
        'deleted by its author',
        async ({ post, author }) => {
          expect((await author.a.post(`/posts/${post}/delete`)).status).toBe(303);
        },
      ],
      [
        'its author’s account deleted with the posts',
        async ({ author }) => {
          const res = await author.a.post('/account/delete', {
            keep_posts: 'false',
            password: PASSWORD,
          });
          expect(res.status).toBe(303);
        },
      ],
    ];
    for (const [how, makeUnreadable] of unreadable) {
      it(`is not shown, counted or in the private feed once the post is ${how}`, async () => {
        const asker = await person();
        const helper = await person();
        const t = await topicBy(helper);
        const post = await reply(helper, t.id, `Hello @${asker.user.username}, a mention.`);
        await fanOut();
        expect(await headerCount(asker)).toBe(1);
        const address = (await page(asker.a.get('/account')))
          .querySelector('#notification-feed')
          ?.getAttribute('value');
        const feed = async () => (await forum.request(new URL(address ?? '').pathname)).text();
        expect(await feed()).toContain(`${helper.user.username} mentioned you in`);

        await makeUnreadable({ post, topicId: t.id, author: helper });
        expect(await headerCount(asker)).toBe(0);
        expect((await entries(asker)).map((li) => li.text).join('\n')).not.toContain(t.title);
        expect(await feed()).not.toContain(t.title);
      });
    }

    it('is not notified at all: a held reply waits for its approval', async () => {
      const asker = await person();
      const held = await person({ values: { postsNeedApproval: true } });
      const t = await topicBy(asker);
      const res = await held.a.post(`/t/${t.id}/replies`, {
        body: 'A reply a moderator must approve.',
      });
      expect(res.status).toBe(303);
      await fanOut();
      expect(await headerCount(asker)).toBe(0);
    });
  });

  describe('accepted answers', () => {
    it('tell the answer’s author who accepted it', async () => {
      const asker = await person();
      const helper = await person();
      forum.clock.advance(1000);
      const q = await createTopic(forum.deps, {
        forumId,
        authorId: asker.user.id,
        title: `A question ${Date.now()}`,
        body: 'How do I do this?',
        kind: 'question',
      });
      const answer = await reply(helper, q.topicId, 'Like this.');
      await fanOut();
      expect((await asker.a.post(`/posts/${answer}/accept`)).status).toBe(303);
      const list = await entries(helper);
      expect(list[0]?.text).toContain(`${asker.user.username} accepted your answer in`);
      expect(list[0]?.querySelector('a')?.getAttribute('href')).toMatch(new RegExp(`#p${answer}$`));
      // Seeing the answer's page again reads it.
      expect((await helper.a.get(`/t/${q.topicId}/${q.slug}`)).status).toBe(200);
      await written();
      expect(await headerCount(helper)).toBe(0);
    });
  });

  describe('likes', () => {
    it('notify the author once, gather on one entry, and notify again at most once a day', async () => {
      const author = await person();
      const fans = [await person(), await person(), await person()];
      const t = await topicBy(author);
      const post = await reply(author, t.id, 'A post worth liking.');
      await fanOut();
      const likesEntry = async () =>
        (await entries(author)).find((li) => li.text.includes('your post in'));
      expect((await fans[0]?.a.post(`/posts/${post}/like`))?.status).toBe(303);
      expect((await likesEntry())?.text).toContain(`${fans[0]?.user.username} liked your post in`);
      expect(await headerCount(author)).toBe(1);
      // Liking again changes nothing; a second fan counts on the same entry.
      expect((await fans[0]?.a.post(`/posts/${post}/like`))?.status).toBe(303);
      forum.clock.advance(60_000);
      expect((await fans[1]?.a.post(`/posts/${post}/like`))?.status).toBe(303);
      expect((await likesEntry())?.text).toContain(
        `2 likes, the last from ${fans[1]?.user.username}, on your post in`,
      );
      // Read, then liked again within the day: counted, not notified again.
      expect((await author.a.post('/notifications/read-all')).status).toBe(303);
      forum.clock.advance(3600_000);
      expect((await fans[2]?.a.post(`/posts/${post}/like`))?.status).toBe(303);
      expect(await headerCount(author)).toBe(0);
      expect((await likesEntry())?.text).toContain('3 likes');
      // A day after the entry, a like notifies again.
      forum.clock.advance(24 * 3600_000);
      // (Sessions end after a day without use: both sign in again.)
      const late = await person();
      const again = await signIn(forum.request, author.user.username);
      expect((await late.a.post(`/posts/${post}/like`)).status).toBe(303);
      expect(await headerCount({ ...author, a: again })).toBe(1);
    });

    it('notify on an accepted answer once its acceptance was read; not while it is unread', async () => {
      const asker = await person();
      const helper = await person();
      const fans = [await person(), await person()];
      forum.clock.advance(1000);
      const title = `A question liked ${Date.now()}`;
      const q = await createTopic(forum.deps, {
        forumId,
        authorId: asker.user.id,
        title,
        body: 'How do I do this?',
        kind: 'question',
      });
      const answer = await reply(helper, q.topicId, 'Like this.');
      await fanOut();
      expect((await asker.a.post(`/posts/${answer}/accept`)).status).toBe(303);
      const aboutAnswer = async () =>
        (await entries(helper)).filter((li) => li.text.includes(title));
      // Unread, the acceptance stays what the helper is told.
      expect((await fans[0]?.a.post(`/posts/${answer}/like`))?.status).toBe(303);
      expect((await aboutAnswer()).map((li) => li.text)).toEqual([
        expect.stringContaining(`${asker.user.username} accepted your answer in`),
      ]);
      // Read, a like is news again.
      expect((await helper.a.post('/notifications/read-all')).status).toBe(303);
      forum.clock.advance(60_000);
      expect((await fans[1]?.a.post(`/posts/${answer}/like`))?.status).toBe(303);
      expect(await headerCount(helper)).toBe(1);
      expect((await aboutAnswer()).map((li) => li.text)).toEqual([
        expect.stringContaining(`${fans[1]?.user.username} liked your post in`),
      ]);
    });
  });

  describe('what moderators did', () => {
    it('tells the author of a removed post why, and that it was restored; a reporter the outcome', async () => {
      const author = await person();
      const reporter = await person();
      const moderator = await person({ values: { role: 'moderator' } });
      const t = await topicBy(author);
      const post = await reply(author, t.id, 'Something a reader reports.');
      await fanOut();
      const report = await reporter.a.post(`/posts/${post}/report`, {
        reason: 'spam',
        note: 'Ads',
      });
      expect(report.status).toBe(200);
      const [row] = await db().select().from(reports).where(eq(reports.postId, post)).all();
      const resolved = await moderator.a.post(`/mod/reports/${row?.id}/resolve`, {
        action: 'remove',
        note: 'A private note',
      });
      expect(resolved.status).toBe(303);
      // The author sees the removal and its reason, although nobody else may read the post.
      const told = (await entries(author)).find((li) => li.text.includes('removed your post'));
      expect(told?.text).toContain(`A moderator removed your post (spam) in ${t.title}`);
      expect(await headerCount(author)).toBe(1);
      // The reporter hears the outcome, never the note.
      const outcome = (await entries(reporter)).find((li) => li.text.includes('Your report'));
      expect(outcome?.text).toContain('Your report was dealt with: the post was removed');
      expect(outcome?.text).not.toContain('A private note');
      // Restored: the same entry says so, unread again.
      expect((await author.a.post('/notifications/read-all')).status).toBe(303);
      await restorePost(forum.deps, moderator.user, post, '');
      const restored = (await entries(author)).find((li) => li.text.includes('your post in'));
      expect(restored?.text).toContain('A moderator restored your post in');
      expect(await headerCount(author)).toBe(1);
      // The moderator is told nothing about their own actions.
      expect(await headerCount(moderator)).toBe(0);
    });
  });

  describe('the header', () => {
    it('counts for moderators what waits for them: open reports and held posts', async () => {
      const moderator = await person({ values: { role: 'moderator' } });
      const waiting = async () => {
        const link = (await page(moderator.a.get('/latest'))).querySelector('a[href="/mod"]');
        expect(link, 'moderators have the Moderation link').not.toBeNull();
        return Number(
          (link?.querySelector('[aria-hidden="true"]')?.text ?? '0').replace(/[()]/g, ''),
        );
      };
      const before = await waiting();
      const asker = await person();
      const held = await person({ values: { postsNeedApproval: true } });
      const reporter = await person();
      const t = await topicBy(asker);
      expect((await held.a.post(`/t/${t.id}/replies`, { body: 'Held for approval.' })).status).toBe(
        303,
      );
      const report = await reporter.a.post(`/posts/${t.firstPostId}/report`, {
        reason: 'spam',
        note: '',
      });
      expect(report.status).toBe(200);
      expect(await waiting()).toBe(before + 2);
      // Members have no such link.
      expect((await page(asker.a.get('/latest'))).querySelector('a[href="/mod"]')).toBeNull();
    });
  });

  describe('the page', () => {
    it('asks visitors to sign in, and is not indexed', async () => {
      const visitor = forum.request;
      const res = await visitor('/notifications');
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/login?next=%2Fnotifications');
      const who = await person();
      const doc = await page(who.a.get('/notifications'));
      expect(doc.querySelector('meta[name="robots"]')?.getAttribute('content')).toBe('noindex');
    });
  });

  describe('the private feed', () => {
    it('gives the person their notifications at an address from /account, until they reset it', async () => {
      const asker = await person();
      const helper = await person();
      const t = await topicBy(asker);
      await reply(helper, t.id, 'An answer for the feed.');
      await fanOut();
      const account = await page(asker.a.get('/account'));
      const address = account.querySelector('#notification-feed')?.getAttribute('value') ?? '';
      expect(address).toMatch(/\/notifications\/\d+\.0\.[A-Za-z0-9_-]{43}\/feed\.atom$/);
      const path = new URL(address).pathname;
      // No session needed: the address is the key.
      const res = await forum.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
      expect(res.headers.get('cache-control')).toBe('private, max-age=60');
      const xml = await res.text();
      expect(xml).toContain(`${helper.user.username} replied in ${t.title}`);
      // Someone else's id with this MAC, or a changed MAC, is nobody's feed.
      const [id, version, mac] = (path.split('/')[2] ?? '').split('.');
      expect(
        (await forum.request(`/notifications/${Number(id) + 1}.${version}.${mac}/feed.atom`))
          .status,
      ).toBe(404);
      expect(
        (await forum.request(`/notifications/${id}.${version}.${'A'.repeat(43)}/feed.atom`)).status,
      ).toBe(404);
      expect((await forum.request('/notifications/not-a-key/feed.atom')).status).toBe(404);
      // Reset: the old address stops working, the new one works.
      const reset = await asker.a.post('/account/notification-feed/reset');
      expect(reset.status).toBe(303);
      expect(location(reset)).toBe('/account?done=feed-reset#account-feed');
      expect((await forum.request(path)).status).toBe(404);
      const fresh = (await page(asker.a.get('/account')))
        .querySelector('#notification-feed')
        ?.getAttribute('value');
      expect(fresh).not.toBe(address);
      expect((await forum.request(new URL(fresh ?? '').pathname)).status).toBe(200);
    });
  });

  describe('watching', () => {
    it('a watched topic tells of every new post, gathered in one entry until read', async () => {
      const asker = await person();
      const watcher = await person();
      const first = await person();
      const second = await person();
      const t = await topicBy(asker);
      // The control on the topic page: normal until chosen.
      const before = await page(watcher.a.get(t.path));
      const form = before.querySelector(`form[action="/t/${t.id}/watch"]`);
      expect(form?.querySelector('option[selected]')?.getAttribute('value')).toBe('normal');
      const res = await watcher.a.post(`/t/${t.id}/watch`, { level: 'watching' });
      expect(res.status).toBe(303);
      expect(location(res)).toBe(t.path);
      const after = await page(watcher.a.get(t.path));
      expect(
        after
          .querySelector(`form[action="/t/${t.id}/watch"] option[selected]`)
          ?.getAttribute('value'),
      ).toBe('watching');

      const p1 = await reply(first, t.id, 'A first reply the watcher hears of.');
      await fanOut();
      await reply(second, t.id, 'A second reply the watcher hears of.');
      await fanOut();
      const mine = await stored(watcher);
      expect(mine).toEqual([
        expect.objectContaining({
          kind: 'watched_topic_post',
          topicId: t.id,
          postId: p1,
          count: 2,
          actorId: second.user.id,
          readAt: null,
        }),
      ]);
      const entry = (await entries(watcher)).find((li) => li.text.includes(t.title));
      expect(entry?.text).toContain(`2 new posts, the last by ${second.user.username}, in`);
      expect(await headerCount(watcher)).toBe(1);
      expect((await watcher.a.get(t.path)).status).toBe(200);
      await written();
      expect(await headerCount(watcher)).toBe(0);
      // The asker hears of them as replies in their topic, once each way: not twice.
      expect((await stored(asker)).map((n) => [n.kind, n.count])).toEqual([['reply', 2]]);
    });

    it('a forum watched for its first posts tells of new topics only; watched fully, of every post', async () => {
      const f = await newForum();
      const firstPosts = await person();
      const everything = await person();
      const author = await person();
      const replier = await person();
      const res = await firstPosts.a.post(`/f/${f.slug}/watch`, { level: 'watching_first_post' });
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`/f/${f.slug}`);
      expect(
        (await page(firstPosts.a.get(`/f/${f.slug}`)))
          .querySelector(`form[action="/f/${f.slug}/watch"] option[selected]`)
          ?.getAttribute('value'),
      ).toBe('watching_first_post');
      expect((await everything.a.post(`/f/${f.slug}/watch`, { level: 'watching' })).status).toBe(
        303,
      );

      const t = await topicBy(author, `A new topic ${Date.now()}`, f.id);
      await fanOut();
      const kinds = async (who: Person) => (await stored(who)).map((n) => [n.kind, n.postId]);
      expect(await kinds(firstPosts)).toEqual([['watched_forum_topic', t.firstPostId]]);
      expect(await kinds(everything)).toEqual([['watched_forum_topic', t.firstPostId]]);
      expect((await entries(firstPosts))[0]?.text).toContain(
        `${author.user.username} started a topic in a forum you watch:`,
      );

      const r = await reply(replier, t.id, 'A reply in the watched forum.');
      await fanOut();
      expect(await kinds(firstPosts)).toEqual([['watched_forum_topic', t.firstPostId]]);
      expect(await kinds(everything)).toEqual([
        ['watched_forum_topic', t.firstPostId],
        ['watched_topic_post', r],
      ]);
      // A level for the topic says otherwise than the forum's.
      expect((await everything.a.post(`/t/${t.id}/watch`, { level: 'normal' })).status).toBe(303);
      await reply(replier, t.id, 'Another reply in the watched forum.');
      await fanOut();
      expect(await kinds(everything)).toHaveLength(2);
    });

    it('muting your own topic silences its replies and quotes, but not mentions', async () => {
      const asker = await person();
      const helper = await person();
      const t = await topicBy(asker);
      expect((await asker.a.post(`/t/${t.id}/watch`, { level: 'muted' })).status).toBe(303);
      await reply(helper, t.id, 'A reply the asker does not hear of.');
      await reply(
        helper,
        t.id,
        `${asker.user.username} wrote in [#1](/p/${t.firstPostId}):\n\n> The opening post.`,
      );
      await fanOut();
      expect(await stored(asker)).toEqual([]);
      const named = await reply(helper, t.id, `Still, @${asker.user.username}, look at this.`);
      await fanOut();
      expect((await stored(asker)).map((n) => [n.kind, n.postId])).toEqual([['mention', named]]);
    });

    it('a muted forum silences the replies in your topics there unless the topic says otherwise', async () => {
      const f = await newForum();
      const asker = await person();
      const helper = await person();
      expect((await asker.a.post(`/f/${f.slug}/watch`, { level: 'muted' })).status).toBe(303);
      const t = await topicBy(asker, `Muted forum topic ${Date.now()}`, f.id);
      // Their own topic is watched: the topic's level wins over the forum's.
      await reply(helper, t.id, 'Heard: the topic is watched.');
      await fanOut();
      expect((await stored(asker)).map((n) => n.kind)).toEqual(['reply']);
      // Without a level for the topic, the forum's mute decides.
      await db()
        .delete(topicWatches)
        .where(and(eq(topicWatches.userId, asker.user.id), eq(topicWatches.topicId, t.id)));
      await db().delete(notifications).where(eq(notifications.userId, asker.user.id));
      await reply(helper, t.id, 'Not heard: the forum is muted.');
      await fanOut();
      expect(await stored(asker)).toEqual([]);
    });

    it('defaults: your own topic is watched, a topic you reply in tracked (a level you chose stays)', async () => {
      const asker = await person();
      const replier = await person();
      const muter = await person();
      const res = await asker.a.post(`/f/${(await newForum()).slug}`, {
        title: `Default watching ${Date.now()}`,
        body: 'A topic through the composer.',
      });
      expect(res.status).toBe(303);
      const topicId = Number(location(res).split('/')[2]);
      expect(await topicLevel(asker, topicId)).toBe('watching');
      await reply(replier, topicId, 'A first reply.');
      expect(await topicLevel(replier, topicId)).toBe('tracking');
      expect((await muter.a.post(`/t/${topicId}/watch`, { level: 'muted' })).status).toBe(303);
      await reply(muter, topicId, 'A reply from someone who muted it.');
      expect(await topicLevel(muter, topicId)).toBe('muted');
      // Replying again leaves the asker's own level alone.
      await reply(asker, topicId, 'The asker replies too.');
      expect(await topicLevel(asker, topicId)).toBe('watching');
      // Tracking is told only when addressed.
      await fanOut();
      await reply(muter, topicId, 'A later reply.');
      await fanOut();
      expect(await stored(replier)).toEqual([]);
    });

    it('tells every one of many watchers, straight from the watch table', async () => {
      const asker = await person();
      const helper = await person();
      const t = await topicBy(asker);
      const tag = `crowd${Date.now().toString(36)}`;
      const now = forum.deps.now();
      await db().run(sql`insert into users (username, username_key, email, email_key, role, created_at)
        with recursive n(i) as (select 1 union all select i + 1 from n where i < 200)
        select ${tag} || '_' || i, ${tag} || '_' || i, ${tag} || '_' || i || '@example.com',
          ${tag} || '_' || i || '@example.com', 'member', ${now} from n`);
      await db().run(sql`insert into topic_watches (user_id, topic_id, level, updated_at)
        select id, ${t.id}, 'watching', ${now} from users where username_key like ${`${tag}\\_%`} escape '\\'`);
      const crowd = await db()
        .select({ id: users.id })
        .from(users)
        .where(sql`${users.usernameKey} like ${`${tag}\\_%`} escape '\\'`)
        .all();
      expect(crowd).toHaveLength(200);
      await reply(helper, t.id, 'A reply two hundred people hear of.');
      await fanOut();
      await reply(helper, t.id, 'And another.');
      await fanOut();
      const told = await db()
        .select({ userId: notifications.userId, count: notifications.count })
        .from(notifications)
        .where(and(eq(notifications.topicId, t.id), eq(notifications.kind, 'watched_topic_post')))
        .all();
      expect(told).toHaveLength(200);
      expect(new Set(told.map((n) => n.userId))).toEqual(new Set(crowd.map((c) => c.id)));
      expect(told.every((n) => n.count === 2)).toBe(true);
    });

    it('checks the level (422, nothing changed), and asks visitors to sign in (403)', async () => {
      const asker = await person();
      const who = await person();
      const t = await topicBy(asker);
      const bad = await who.a.post(`/t/${t.id}/watch`, { level: 'loudly' });
      expect(bad.status).toBe(422);
      const doc = parseHtml(await bad.text());
      expect(doc.querySelector('.error-message')?.text).toContain('Choose watching');
      expect(doc.querySelector(`form[action="/t/${t.id}/watch"]`)).not.toBeNull();
      // A forum's level is not a topic's.
      expect((await who.a.post(`/t/${t.id}/watch`, { level: 'watching_first_post' })).status).toBe(
        422,
      );
      const f = await newForum();
      expect((await who.a.post(`/f/${f.slug}/watch`, { level: '' })).status).toBe(422);
      expect(await topicLevel(who, t.id)).toBeUndefined();
      expect(
        await db().select().from(forumWatches).where(eq(forumWatches.userId, who.user.id)).all(),
      ).toEqual([]);
      // Visitors see no control and may not choose.
      const visitor = forum.request;
      const shown = parseHtml(await (await visitor(t.path)).text());
      expect(shown.querySelector(`form[action="/t/${t.id}/watch"]`)).toBeNull();
      const post = (path: string) =>
        visitor(path, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            Origin: ORIGIN,
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          body: 'level=watching',
        });
      expect((await post(`/t/${t.id}/watch`)).status).toBe(403);
      expect((await post(`/f/${f.slug}/watch`)).status).toBe(403);
      expect((await who.a.post('/t/999999999/watch', { level: 'watching' })).status).toBe(404);
    });
  });

  describe('own data', () => {
    it('exports the notifications and what the person watches, and deleting the account erases them', async () => {
      const asker = await person();
      const helper = await person();
      const t = await topicBy(asker);
      const first = await reply(helper, t.id, 'An answer to export.');
      await fanOut();
      const data = (await (await asker.a.get('/account/export')).json()) as {
        notifications: { kind: string; postId: number; count: number; readAt: string | null }[];
      };
      expect(data.notifications).toEqual([
        expect.objectContaining({ kind: 'reply', postId: first, count: 1, readAt: null }),
      ]);
      const f = await newForum();
      expect((await asker.a.post(`/f/${f.slug}/watch`, { level: 'muted' })).status).toBe(303);
      const watched = (await (await asker.a.get('/account/export')).json()) as {
        watching: { topics: unknown[]; forums: unknown[] };
      };
      expect(watched.watching).toEqual({
        topics: [
          {
            topicId: t.id,
            url: expect.stringMatching(new RegExp(`/t/${t.id}$`)),
            level: 'watching',
            updatedAt: expect.any(String),
          },
        ],
        forums: [
          {
            forumId: f.id,
            url: expect.stringMatching(new RegExp(`/f/${f.slug}$`)),
            level: 'muted',
            updatedAt: expect.any(String),
          },
        ],
      });
      // /account lists them, linking to each.
      const account = await page(asker.a.get('/account'));
      const section = account.querySelector('section[aria-labelledby="watching-title"]');
      expect(section?.querySelector(`a[href="${t.path}"]`)?.parentNode?.text).toContain(
        `${t.title}: Watching`,
      );
      expect(section?.querySelector(`a[href="/f/${f.slug}"]`)?.parentNode?.text).toContain(
        ': Muted',
      );
      const deleted = await asker.a.post('/account/delete', {
        keep_posts: 'true',
        password: PASSWORD,
      });
      expect(deleted.status).toBe(303);
      expect(
        await db()
          .select()
          .from(notifications)
          .where(eq(notifications.userId, asker.user.id))
          .all(),
      ).toEqual([]);
      expect(
        await db().select().from(topicWatches).where(eq(topicWatches.userId, asker.user.id)).all(),
      ).toEqual([]);
      expect(
        await db().select().from(forumWatches).where(eq(forumWatches.userId, asker.user.id)).all(),
      ).toEqual([]);
    });
  });
}
