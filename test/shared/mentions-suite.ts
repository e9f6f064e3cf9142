/**
 * @mentions through the real posting routes, the same on Node (libSQL) and in workerd (D1): the
 * names of members become links to their profiles, in posts, edits and previews; unknown names
 * stay text; a post mentions at most 10 people (2 in an account's first day), and more is refused
 * with the text kept.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { posts } from '../../db/schema';
import { hashPassword } from '../../src/auth/password';
import { createForum } from '../../src/services/catalog';
import { createTopic } from '../../src/services/posting';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { agent, location } from './agent';
import { dumpDatabase } from './dump';
import { DAY, insertAccount, PASSWORD, type Person, peopleOf } from './people';

let seq = 0;

export function mentionsSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  let passwordHash: string;
  let topicId: number;
  const db = () => forum.deps.db;
  const page = async (res: Response | Promise<Response>) => parseHtml(await (await res).text());

  const newPerson = peopleOf(
    () => forum,
    'Ment_',
    () => passwordHash,
  );
  const person = (ageDays = 30) => newPerson({ ageDays });

  const reply = (who: Person, body: string, extra: Record<string, string> = {}) => {
    forum.clock.advance(60_000);
    return who.a.post(`/t/${topicId}/replies`, { body, ...extra });
  };

  const mentionsIn = (html: string) =>
    parseHtml(html)
      .querySelectorAll('a.mention')
      .map((a) => [a.getAttribute('href'), a.text]);

  beforeAll(async () => {
    forum = await setup();
    passwordHash = await hashPassword(PASSWORD);
    const f = await createForum(forum.deps, {
      slug: 'mentions',
      name: 'Mentions',
      category: 'community',
    });
    const author = await insertAccount(db(), {
      username: 'ment_author',
      passwordHash,
      now: forum.deps.now(),
    });
    topicId = (
      await createTopic(forum.deps, {
        forumId: f.id,
        authorId: author.id,
        title: 'Mentions here',
        body: 'Say hello.',
        kind: 'discussion',
      })
    ).topicId;
  });

  it('links the members a post names to their profiles; unknown names stay text', async () => {
    const writer = await person();
    const named = await person();
    const res = await reply(writer, `Hi @${named.user.username.toLowerCase()} and @nobody_here`);
    expect(res.status).toBe(303);
    const postId = Number(location(res).split('#p')[1]);
    const row = await db().select().from(posts).where(eq(posts.id, postId)).get();
    expect(mentionsIn(row?.bodyHtml ?? '')).toEqual([
      [`/u/${named.user.username}`, `@${named.user.username}`],
    ]);
    expect(row?.bodyHtml).toContain('@nobody_here');
    const shown = await page(writer.a.get(location(res)));
    expect(shown.querySelector(`#p${postId} a.mention`)?.getAttribute('href')).toBe(
      `/u/${named.user.username}`,
    );
  });

  it('shows mentions in a preview exactly as they will be posted, and in edits', async () => {
    const writer = await person();
    const named = await person();
    forum.clock.advance(60_000);
    const preview = await writer.a.post(`/t/${topicId}/replies`, {
      body: `Asking @${named.user.username}`,
      preview: '1',
    });
    expect(preview.status).toBe(200);
    const doc = await page(preview);
    expect(doc.querySelector('.preview a.mention')?.getAttribute('href')).toBe(
      `/u/${named.user.username}`,
    );

    const res = await reply(writer, 'No mention yet.');
    const postId = Number(location(res).split('#p')[1]);
    forum.clock.advance(60_000);
    const edited = await writer.a.post(`/posts/${postId}`, {
      body: `Now asking @${named.user.username}`,
    });
    expect(edited.status).toBe(303);
    const row = await db().select().from(posts).where(eq(posts.id, postId)).get();
    expect(mentionsIn(row?.bodyHtml ?? '')).toHaveLength(1);
  });

  it('refuses more than 10 people in a post, 2 in an account’s first day: 422, text kept, nothing written', async () => {
    const people = [];
    for (let i = 0; i < 11; i++) people.push(await person());
    const names = people.map((p) => `@${p.user.username}`).join(' ');
    const writer = await person();
    const newcomer = await person(0);
    const three = people
      .slice(0, 3)
      .map((p) => `@${p.user.username}`)
      .join(' ');
    for (const [who, body, message] of [
      [writer, names, /at most 10 people; this one mentions 11/],
      [newcomer, three, /at most 2 people during an account’s first day; this one mentions 3/],
    ] as const) {
      forum.clock.advance(60_000);
      // The session's last use is written at once: the request is the first after the wait.
      expect((await who.a.get('/')).status).toBe(200);
      const before = await dumpDatabase(forum.deps);
      const res = await who.a.post(`/t/${topicId}/replies`, { body });
      expect(res.status).toBe(422);
      const doc = await page(res);
      expect(doc.querySelector('.error-summary')?.text ?? doc.text).toMatch(message);
      expect(doc.querySelector('textarea#body')?.text.trim()).toBe(body);
      expect(await dumpDatabase(forum.deps)).toBe(before);
    }
    // Ten are fine, and a name said twice is one mention.
    expect(
      (
        await reply(
          writer,
          `${people
            .slice(0, 10)
            .map((p) => `@${p.user.username}`)
            .join(' ')} @${people[0]?.user.username}`,
        )
      ).status,
    ).toBe(303);
  });

  it('does not count mentions as links in the first day’s limit of two links', async () => {
    const newcomer = await person(0);
    const a = await person();
    const b = await person();
    const res = await reply(
      newcomer,
      `@${a.user.username} @${b.user.username} https://example.com/one https://example.com/two`,
    );
    expect(res.status, await res.clone().text()).toBe(303);
  });

  it('gives the username of a deleted account to nobody else for a year, so old mentions keep their person', async () => {
    const gone = await person();
    const name = gone.user.username;
    const register = (username: string) =>
      agent(forum.request, { client: `ment_join_${++seq}` }).post('/register', {
        username,
        email: `${username}_${seq}@example.org`,
        password: PASSWORD,
        age_confirmed: '1',
      });
    const deleted = await gone.a.post('/account/delete', {
      keep_posts: 'true',
      password: PASSWORD,
    });
    expect(deleted.status).toBe(303);
    const until = new Date(forum.deps.now() + 365 * DAY).toISOString().slice(0, 10);
    for (const username of [name, name.toUpperCase()]) {
      const res = await register(username);
      expect(res.status, username).toBe(409);
      expect((await page(res)).querySelector('#username-error')?.text).toContain(
        `deleted less than a year ago; it cannot be chosen again before ${until}`,
      );
    }
    forum.clock.advance(365 * DAY);
    expect((await register(name)).status).toBe(303);
  });
}
