/**
 * Likes, the same on Node (libSQL) and in workerd (D1): one per person per post, never on one's
 * own, the count public and the names for signed-in members, at most 50 a day, exported and
 * erased with the account.
 */
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { forums, postLikes, posts } from '../../db/schema';
import { hashPassword } from '../../src/auth/password';
import { createForum } from '../../src/services/catalog';
import { LIKES_PER_DAY } from '../../src/services/likes';
import { createReply, createTopic } from '../../src/services/posting';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { type Agent, agent, location } from './agent';
import { dumpDatabase } from './dump';
import { PASSWORD, type Person, peopleOf } from './people';

const DAY = 24 * 3600_000;
let seq = 0;

export function likesSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  let passwordHash: string;
  let forumId: number;
  let archivedForumId: number;
  const db = () => forum.deps.db;
  const visitor = () => agent(forum.request, { client: `likes_visitor_${++seq}` });
  const page = async (res: Response | Promise<Response>) => parseHtml(await (await res).text());

  const person = peopleOf(
    () => forum,
    'likes_',
    () => passwordHash,
  );

  /** A topic by `author` with `replies` more posts by them; returns the posts' ids and path. */
  async function thread(author: Person, replies = 0, inForum = forumId) {
    forum.clock.advance(1000);
    const topic = await createTopic(forum.deps, {
      forumId: inForum,
      authorId: author.user.id,
      title: `Likes topic ${++seq}`,
      body: `The opening post of topic ${seq}.`,
      kind: 'discussion',
    });
    const ids = [topic.postId];
    for (let i = 0; i < replies; i++) {
      forum.clock.advance(1000);
      const r = await createReply(forum.deps, {
        topicId: topic.topicId,
        authorId: author.user.id,
        body: `Reply ${i + 1} in topic ${seq}.`,
      });
      ids.push(r.postId);
    }
    return { ids, path: `/t/${topic.topicId}` };
  }

  const likesOf = (postId: number) =>
    db().select().from(postLikes).where(eq(postLikes.postId, postId)).all();

  /** The post's article on its topic page, as `who` sees it (a visitor when not given). */
  async function article(path: string, postId: number, who?: Person) {
    let res = await (who?.a ?? visitor()).get(path);
    if (res.status === 301) res = await (who?.a ?? visitor()).get(location(res));
    expect(res.status).toBe(200);
    const el = (await page(res)).querySelector(`#p${postId}`);
    expect(el, `post ${postId}`).not.toBeNull();
    return el as NonNullable<typeof el>;
  }

  beforeAll(async () => {
    forum = await setup();
    passwordHash = await hashPassword(PASSWORD);
    forumId = (
      await createForum(forum.deps, { slug: 'likes', name: 'Likes', category: 'community' })
    ).id;
    archivedForumId = (
      await createForum(forum.deps, { slug: 'likes-archive', name: 'Old', category: 'community' })
    ).id;
  });

  describe('liking a post', () => {
    it('counts for everyone, names the people for members, and goes back to the post', async () => {
      const author = await person();
      const fan = await person();
      const other = await person();
      const { ids, path } = await thread(author, 1);
      const postId = ids[1] as number;

      const res = await fan.a.post(`/posts/${postId}/like`);
      expect(res.status).toBe(303);
      expect(location(res)).toMatch(new RegExp(`^/t/\\d+/[^#]+#p${postId}$`));
      expect((await likesOf(postId)).map((l) => l.userId)).toEqual([fan.user.id]);

      // A visitor sees the count, not the names.
      const seenByVisitor = await article(path, postId);
      expect(seenByVisitor.querySelector('.post-likes')?.text.trim()).toBe('1 like');
      expect(seenByVisitor.querySelector('.post-likes a')).toBeNull();
      expect(seenByVisitor.querySelector('form[action$="/like"]')).toBeNull();
      // A member sees who liked it, and may like it too.
      const seenByOther = await article(path, postId, other);
      expect(seenByOther.querySelector('.post-likes summary')?.text).toBe('1 like');
      expect(seenByOther.querySelector('.post-likes a')?.getAttribute('href')).toBe(
        `/u/${fan.user.username}`,
      );
      expect(seenByOther.querySelector(`form[action="/posts/${postId}/like"]`)).not.toBeNull();
      // The one who liked it may take it back.
      const seenByFan = await article(path, postId, fan);
      expect(seenByFan.querySelector(`form[action="/posts/${postId}/unlike"]`)).not.toBeNull();
      expect(seenByFan.querySelector(`form[action="/posts/${postId}/like"]`)).toBeNull();

      // Two likes read as a plural.
      expect((await other.a.post(`/posts/${postId}/like`)).status).toBe(303);
      expect((await article(path, postId)).querySelector('.post-likes')?.text.trim()).toBe(
        '2 likes',
      );
    });

    it('is one per person: liking again changes nothing, and a like can be taken back', async () => {
      const author = await person();
      const fan = await person();
      const { ids, path } = await thread(author);
      const postId = ids[0] as number;
      expect((await fan.a.post(`/posts/${postId}/like`)).status).toBe(303);
      const before = await dumpDatabase(forum.deps);
      expect((await fan.a.post(`/posts/${postId}/like`)).status).toBe(303);
      expect(await dumpDatabase(forum.deps)).toBe(before);

      const res = await fan.a.post(`/posts/${postId}/unlike`);
      expect(res.status).toBe(303);
      expect(await likesOf(postId)).toEqual([]);
      expect((await article(path, postId)).querySelector('.post-likes')).toBeNull();
      // Taking back a like that is not there changes nothing either.
      const after = await dumpDatabase(forum.deps);
      expect((await fan.a.post(`/posts/${postId}/unlike`)).status).toBe(303);
      expect(await dumpDatabase(forum.deps)).toBe(after);
    });
  });

  describe('who may like what', () => {
    it('refuses, with the reason and nothing changed: your own post, signed out, suspended, an archived forum', async () => {
      const author = await person();
      const suspended = await person({
        values: { suspendedUntil: new Date(forum.deps.now() + 7 * DAY), suspendedReason: 'Spam' },
      });
      const fan = await person();
      const own = await thread(author);
      const ids = own.ids;
      const archived = await thread(author, 0, archivedForumId);
      await db().update(forums).set({ archived: true }).where(eq(forums.id, archivedForumId));
      const before = await dumpDatabase(forum.deps);

      const cases: [Agent, number, RegExp][] = [
        [author.a, ids[0] as number, /cannot like your own posts/],
        [visitor(), ids[0] as number, /sign in to like/],
        [suspended.a, ids[0] as number, /suspended/],
        [fan.a, archived.ids[0] as number, /archived/],
      ];
      for (const [who, postId, message] of cases) {
        const res = await who.post(`/posts/${postId}/like`);
        expect(res.status, String(message)).toBe(403);
        expect(await res.text()).toMatch(message);
      }
      expect((await visitor().post(`/posts/${ids[0]}/unlike`)).status).toBe(403);
      expect(await dumpDatabase(forum.deps)).toBe(before);
      // Nobody is offered the button where it would be refused.
      for (const [path, postId, who] of [
        [archived.path, archived.ids[0], fan],
        [own.path, ids[0], author],
        [own.path, ids[0], suspended],
      ] as const) {
        const el = await article(path, postId as number, who);
        expect(el.querySelector('form[action$="/like"]'), who.user.username).toBeNull();
      }
    });

    it('answers 404 for a held post of someone else, and shows no likes on a removed post', async () => {
      const author = await person();
      const fan = await person();
      const { ids, path } = await thread(author, 1);
      const replyId = ids[1] as number;
      expect((await fan.a.post(`/posts/${replyId}/like`)).status).toBe(303);

      const stranger = await person();
      await db().update(posts).set({ state: 'held' }).where(eq(posts.id, replyId));
      const before = await dumpDatabase(forum.deps);
      const res = await stranger.a.post(`/posts/${replyId}/like`);
      expect(res.status).toBe(404);
      expect(await dumpDatabase(forum.deps)).toBe(before);

      await db()
        .update(posts)
        .set({ state: 'visible', removedAt: new Date(forum.deps.now()), removedReason: 'spam' })
        .where(eq(posts.id, replyId));
      const removed = await article(path, replyId, stranger);
      expect(removed.querySelector('.post-likes')).toBeNull();
      expect(removed.querySelector('form[action$="/like"]')).toBeNull();
      const refused = await stranger.a.post(`/posts/${replyId}/like`);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toMatch(/Only posts that everyone can read/);
    });
  });

  it(`allows ${LIKES_PER_DAY} likes a day, then 429 with Retry-After until the oldest is a day old`, async () => {
    const author = await person();
    const fan = await person();
    const { ids } = await thread(author, LIKES_PER_DAY);
    for (const id of ids.slice(0, LIKES_PER_DAY)) {
      forum.clock.advance(1000);
      expect((await fan.a.post(`/posts/${id}/like`)).status).toBe(303);
    }
    const last = ids[LIKES_PER_DAY] as number;
    const before = await dumpDatabase(forum.deps);
    const res = await fan.a.post(`/posts/${last}/like`);
    expect(res.status).toBe(429);
    expect(await res.text()).toMatch(/50 likes in the last 24 hours/);
    const retry = Number(res.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(DAY / 1000 - 3600);
    expect(retry).toBeLessThanOrEqual(DAY / 1000);
    expect(await dumpDatabase(forum.deps)).toBe(before);
    forum.clock.advance(retry * 1000);
    expect((await fan.a.post(`/posts/${last}/like`)).status).toBe(303);
  });

  describe('own data', () => {
    it('exports the likes a person gave, and deleting the account erases them', async () => {
      const author = await person();
      const fan = await person();
      const { ids } = await thread(author, 1);
      for (const id of ids) {
        forum.clock.advance(1000);
        expect((await fan.a.post(`/posts/${id}/like`)).status).toBe(303);
      }
      const res = await fan.a.get('/account/export');
      expect(res.status).toBe(200);
      const data = (await res.json()) as { likes: { postId: number; url: string }[] };
      expect(data.likes.map((l) => l.postId)).toEqual(ids);
      expect(data.likes[0]?.url).toMatch(new RegExp(`/p/${ids[0]}$`));

      const deleted = await fan.a.post('/account/delete', {
        keep_posts: 'true',
        password: PASSWORD,
      });
      expect(deleted.status).toBe(303);
      expect(
        await db().select().from(postLikes).where(eq(postLikes.userId, fan.user.id)).all(),
      ).toEqual([]);
    });

    it('erases the likes of posts whose author deleted them with the account', async () => {
      const author = await person();
      const fan = await person();
      const { ids } = await thread(author, 1);
      expect((await fan.a.post(`/posts/${ids[1]}/like`)).status).toBe(303);
      const deleted = await author.a.post('/account/delete', {
        keep_posts: 'false',
        password: PASSWORD,
      });
      expect(deleted.status).toBe(303);
      expect(
        await db()
          .select()
          .from(postLikes)
          .where(and(eq(postLikes.userId, fan.user.id), eq(postLikes.postId, ids[1] as number)))
          .all(),
      ).toEqual([]);
    });
  });
}
