/**
 * Reading state, the same on Node (libSQL) and in workerd (D1): a topic page notes how far a
 * signed-in person read, lists then say how many posts are new and link to where they start, the
 * topic page marks that place; visitors get none of it; the marks are exported and erased with
 * the account.
 */
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { topicReads } from '../../db/schema';
import { hashPassword } from '../../src/auth/password';
import { createForum } from '../../src/services/catalog';
import { removePost } from '../../src/services/moderation';
import { createReply, createTopic } from '../../src/services/posting';
import { POSTS_PER_PAGE } from '../../src/services/topics';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { type Agent, agent, location } from './agent';
import { PASSWORD, type Person, peopleOf } from './people';

let seq = 0;

export function readingSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  let passwordHash: string;
  let forumId: number;
  let forumSlug: string;
  const db = () => forum.deps.db;
  const page = async (res: Response | Promise<Response>) => parseHtml(await (await res).text());
  /** The marks still in memory, written as the server would after its responses. */
  const written = () => forum.deps.reads.write(forum.deps.db, () => {});

  const person = peopleOf(
    () => forum,
    'reader_',
    () => passwordHash,
  );

  /** A topic with `replies` replies by `author`; its id, path and the posts' ids in order. */
  async function thread(author: Person, replies: number) {
    forum.clock.advance(1000);
    const title = `Reading topic ${++seq}`;
    const topic = await createTopic(forum.deps, {
      forumId,
      authorId: author.user.id,
      title,
      body: `The opening post of topic ${seq}.`,
      kind: 'discussion',
    });
    const ids = [topic.postId];
    for (let i = 0; i < replies; i++) ids.push(await reply(author, topic.topicId));
    return { id: topic.topicId, path: `/t/${topic.topicId}/${topic.slug}`, ids, title };
  }

  async function reply(author: Person, topicId: number) {
    forum.clock.advance(1000);
    const r = await createReply(forum.deps, {
      topicId,
      authorId: author.user.id,
      body: `A reply ${++seq}.`,
    });
    return r.postId;
  }

  const markOf = async (userId: number, topicId: number) => {
    await written();
    const row = await db()
      .select()
      .from(topicReads)
      .where(and(eq(topicReads.userId, userId), eq(topicReads.topicId, topicId)))
      .get();
    return row?.lastReadNumber;
  };

  /** The topic's entry in the forum's list, as `who` sees it. */
  async function listed(who: Agent, topicId: number) {
    const doc = await page(who.get(`/f/${forumSlug}`));
    const item = doc
      .querySelectorAll('.topic-item')
      .find((li) => li.querySelector(`h2 a[href^="/t/${topicId}/"]`));
    expect(item, `topic ${topicId} listed`).toBeDefined();
    return item as NonNullable<typeof item>;
  }

  beforeAll(async () => {
    forum = await setup();
    passwordHash = await hashPassword(PASSWORD);
    forumSlug = `reading-${Date.now().toString(36)}`;
    forumId = (
      await createForum(forum.deps, { slug: forumSlug, name: 'Reading', category: 'community' })
    ).id;
  });

  describe('a signed-in reader', () => {
    it('is remembered up to the last post a page showed them, and never lowered', async () => {
      const author = await person();
      const reader = await person();
      const t = await thread(author, POSTS_PER_PAGE + 2);
      expect((await reader.a.get(t.path)).status).toBe(200);
      expect(await markOf(reader.user.id, t.id)).toBe(POSTS_PER_PAGE);
      expect((await reader.a.get(`${t.path}?page=2`)).status).toBe(200);
      expect(await markOf(reader.user.id, t.id)).toBe(POSTS_PER_PAGE + 3);
      // Going back to page 1 does not forget page 2.
      expect((await reader.a.get(t.path)).status).toBe(200);
      expect(await markOf(reader.user.id, t.id)).toBe(POSTS_PER_PAGE + 3);
    });

    it('sees "N new" in the list, linking to the page where the new posts start, marked there', async () => {
      const author = await person();
      const reader = await person();
      const t = await thread(author, 2);
      // Never opened: nothing is said.
      expect((await listed(reader.a, t.id)).querySelector('.unread-count')).toBeNull();
      expect((await page(reader.a.get(t.path))).querySelector('#new')).toBeNull();
      // Read to the end: nothing new.
      expect((await listed(reader.a, t.id)).querySelector('.unread-count')).toBeNull();

      const first = await reply(author, t.id);
      await reply(author, t.id);
      const link = (await listed(reader.a, t.id)).querySelector('.unread-count');
      expect(link?.text.replace(/\s+/g, ' ').trim()).toBe(`2 new posts in ${t.title}`);
      expect(link?.getAttribute('href')).toBe(`${t.path}#new`);
      // The mark sits right before the first post the reader has not seen.
      const doc = await page(reader.a.get(t.path));
      const mark = doc.querySelector('#new');
      expect(mark?.text.trim()).toBe('New since your last visit');
      const next = mark?.nextElementSibling;
      expect(next?.getAttribute('id')).toBe(`p${first}`);
      // Having seen them, the list has nothing new again, and the mark is gone.
      expect((await listed(reader.a, t.id)).querySelector('.unread-count')).toBeNull();
      expect((await page(reader.a.get(t.path))).querySelector('#new')).toBeNull();
    });

    it('links to the later page when the new posts start there, and counts only posts one can read', async () => {
      const author = await person();
      const reader = await person();
      const t = await thread(author, POSTS_PER_PAGE - 1); // exactly one full page
      expect((await reader.a.get(t.path)).status).toBe(200);
      const gone = await reply(author, t.id);
      const kept = await reply(author, t.id);
      const moderator = await person({ values: { role: 'moderator' } });
      await removePost(forum.deps, { ...moderator.user }, gone, { reason: 'spam', note: '' });
      const link = (await listed(reader.a, t.id)).querySelector('.unread-count');
      expect(link?.text).toContain('1 new');
      expect(link?.getAttribute('href')).toBe(`${t.path}?page=2#new`);
      const doc = await page(reader.a.get(`${t.path}?page=2`));
      expect(doc.querySelector('#new')).not.toBeNull();
      expect(doc.querySelector(`#p${kept}`)).not.toBeNull();
    });

    it('sees the same on the latest topics', async () => {
      const author = await person();
      const reader = await person();
      const t = await thread(author, 0);
      expect((await reader.a.get(t.path)).status).toBe(200);
      await reply(author, t.id);
      const doc = await page(reader.a.get('/latest'));
      const item = doc
        .querySelectorAll('.topic-item')
        .find((li) => li.querySelector(`h2 a[href^="/t/${t.id}/"]`));
      expect(item?.querySelector('.unread-count')?.getAttribute('href')).toBe(`${t.path}#new`);
    });
  });

  describe('visitors', () => {
    it('are noted nowhere and told nothing about new posts', async () => {
      const author = await person();
      const t = await thread(author, 1);
      const visitor = agent(forum.request, { client: `reading_visitor_${++seq}` });
      let res = await visitor.get(t.path);
      if (res.status === 301) res = await visitor.get(location(res));
      expect(res.status).toBe(200);
      await written();
      expect(
        await db().select().from(topicReads).where(eq(topicReads.topicId, t.id)).all(),
      ).toEqual([]);
      expect((await listed(visitor, t.id)).querySelector('.unread-count')).toBeNull();
    });
  });

  describe('own data', () => {
    it('exports how far the person read, and deleting the account erases it', async () => {
      const author = await person();
      const reader = await person();
      const t = await thread(author, 1);
      expect((await reader.a.get(t.path)).status).toBe(200);
      await written();
      const res = await reader.a.get('/account/export');
      expect(res.status).toBe(200);
      const data = (await res.json()) as {
        reading: { topicId: number; url: string; lastReadPostNumber: number }[];
      };
      expect(data.reading).toEqual([
        expect.objectContaining({ topicId: t.id, lastReadPostNumber: 2 }),
      ]);
      expect(data.reading[0]?.url).toMatch(new RegExp(`/t/${t.id}$`));

      const deleted = await reader.a.post('/account/delete', {
        keep_posts: 'true',
        password: PASSWORD,
      });
      expect(deleted.status).toBe(303);
      expect(
        await db().select().from(topicReads).where(eq(topicReads.userId, reader.user.id)).all(),
      ).toEqual([]);
    });
  });
}
