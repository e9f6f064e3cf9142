/**
 * The forum when its database cannot take writes (a full disk, a read-only file), through the
 * real app on a real libSQL file: reads keep working for everyone, writes answer 503 with
 * Retry-After and the person's text, /readyz says why, and no log line holds what people sent.
 */
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { posts, sessions, topics, users } from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import { hashPassword } from '../../src/auth/password';
import { type Agent, agent } from '../shared/agent';
import { insertAccount, PASSWORD, signIn } from '../shared/people';
import { createTestForum, type TestForum } from '../support/forum';
import { parseHtml } from '../support/html';
import { allowWrites, fillDatabase, makeReadOnly } from '../support/storage-faults';

let forum: TestForum;
let member: Agent;
let moderator: Agent;
let topic: { id: number; slug: string };
let firstPostId: number;
/** a post by someone else */
let othersPostId: number;

const MINUTE = 60_000;

beforeAll(async () => {
  forum = await createTestForum();
  await seedDemo(forum.deps);
  const passwordHash = await hashPassword(PASSWORD);
  const now = forum.clock.now();
  await insertAccount(forum.db, { username: 'faulty_member', passwordHash, now });
  await insertAccount(forum.db, {
    username: 'faulty_mod',
    passwordHash,
    now,
    values: { role: 'moderator' },
  });
  member = await signIn(forum.request, 'faulty_member', { remember: true });
  moderator = await signIn(forum.request, 'faulty_mod');
  const t = await forum.db
    .select()
    .from(topics)
    .where(eq(topics.slug, 'what-are-you-working-on-this-week'))
    .get();
  if (!t) throw new Error('demo topic missing');
  topic = { id: t.id, slug: t.slug };
  othersPostId = t.firstPostId ?? 0;
  const mine = await member.post('/f/off-topic', {
    kind: 'discussion',
    title: 'A topic of my own',
    body: 'Written while the disk had room.',
  });
  expect(mine.status).toBe(303);
  const own = await forum.db
    .select()
    .from(topics)
    .where(eq(topics.title, 'A topic of my own'))
    .get();
  firstPostId = own?.firstPostId ?? 0;
});

afterAll(() => forum.close());

beforeEach(async () => {
  await allowWrites(forum.client);
  // Past the refusals of the test before, which /readyz remembers for 30 seconds.
  forum.clock.advance(MINUTE);
});

const postCount = async () => (await forum.db.select({ n: count() }).from(posts).get())?.n ?? 0;

/** The reading pages, as a visitor, a member and a moderator see them. */
const readingPages = () => [
  '/',
  '/f/off-topic',
  `/t/${topic.id}/${topic.slug}`,
  '/u/marta',
  '/privacy',
  `/t/${topic.id}/replies/new`,
  '/account',
  '/account/export',
];

/** A long reply: its text needs pages of its own, which a full database cannot add. */
const LONG_REPLY = `A reply long enough to need new pages. ${'Lorem ipsum dolor sit amet. '.repeat(600)}`;

const faults = [
  { name: 'full', make: fillDatabase, reason: 'full', code: 'SQLITE_FULL' },
  { name: 'read-only', make: makeReadOnly, reason: 'read-only', code: 'SQLITE_READONLY' },
] as const;

describe.each(faults)('a $name database', ({ make, reason, code }) => {
  it('serves every reading page to visitors, members and moderators', async () => {
    await make(forum.client);
    // Long enough since the last request that each session's "last used" is written again.
    forum.clock.advance(2 * MINUTE);
    const visitor = agent(forum.request);
    for (const path of readingPages().slice(0, 5)) {
      expect((await visitor.get(path)).status, path).toBe(200);
    }
    for (const [who, a] of [
      ['member', member],
      ['moderator', moderator],
    ] as const) {
      const own = who === 'moderator' ? ['/mod', '/mod/log'] : [`/posts/${firstPostId}/edit`];
      for (const path of [...readingPages(), ...own]) {
        const res = await a.get(path);
        expect(res.status, `${who} ${path}`).toBe(200);
        // still signed in: the page (or the export) is the person's, not a visitor's
        const text = await res.text();
        if (path === '/account/export')
          expect(JSON.parse(text).profile.username).toBe(
            who === 'member' ? 'faulty_member' : 'faulty_mod',
          );
        else expect(text, `${who} ${path}`).toContain('Sign out');
      }
    }
  });

  it('answers a reply with 503, Retry-After and the form with the text kept', async () => {
    await make(forum.client);
    const before = await postCount();
    const res = await member.post(`/t/${topic.id}/replies`, { body: LONG_REPLY });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const doc = parseHtml(await res.text());
    expect(doc.querySelector('textarea[name="body"]')?.text.trim()).toBe(LONG_REPLY.trim());
    expect(doc.querySelector('.error-summary')?.text).toContain('cannot save anything right now');
    expect(doc.querySelector('.error-summary')?.text).toContain('Your text is kept');
    expect(await postCount()).toBe(before);
  });

  it('answers a new topic with 503 and the title and text kept', async () => {
    await make(forum.client);
    const before = await postCount();
    const res = await member.post('/f/off-topic', {
      kind: 'question',
      title: 'A question the disk has no room for',
      body: LONG_REPLY,
    });
    expect(res.status).toBe(503);
    const doc = parseHtml(await res.text());
    expect(doc.querySelector('input[name="title"]')?.getAttribute('value')).toBe(
      'A question the disk has no room for',
    );
    expect(doc.querySelector('textarea[name="body"]')?.text.trim()).toBe(LONG_REPLY.trim());
    expect(await postCount()).toBe(before);
  });

  it('says /readyz 503 with the reason while /healthz stays 200', async () => {
    await make(forum.client);
    const ready = await forum.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not ready', reason });
    expect(Number(ready.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await forum.request('/healthz')).status).toBe(200);

    await allowWrites(forum.client);
    forum.clock.advance(MINUTE);
    expect((await forum.request('/readyz')).status).toBe(200);
  });

  it('takes the same reply once the storage has room again', async () => {
    await make(forum.client);
    const body = `${LONG_REPLY} (${reason})`;
    expect((await member.post(`/t/${topic.id}/replies`, { body })).status).toBe(503);
    await allowWrites(forum.client);
    forum.clock.advance(MINUTE);
    const again = await member.post(`/t/${topic.id}/replies`, { body });
    expect(again.status).toBe(303);
    const saved = await forum.db.select().from(posts).where(eq(posts.bodyMarkdown, body)).get();
    expect(saved).toBeDefined();
  });

  it(`logs the refusal by kind (${code}), never the values that were sent`, async () => {
    forum.logs.length = 0;
    await make(forum.client);
    const secret = `my-secret-reply-${reason}`;
    expect(
      (await member.post(`/t/${topic.id}/replies`, { body: `${LONG_REPLY} ${secret}` })).status,
    ).toBe(503);
    const refused = forum.logs.filter((line) => line.startsWith('storage '));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toContain(code);
    // which statement of which write: the shape of its SQL, never its values
    expect(refused[0]).toMatch(/\((batch: )?(insert|update) (posts|topics)/);
    expect(forum.logs.join('\n')).not.toContain(secret);
  });
});

describe('any other form, on a read-only database', () => {
  // (a full database may still take a row this small: its pages have room)
  it('answers 503 with a page saying nothing was saved', async () => {
    await makeReadOnly(forum.client);
    const res = await member.post(`/posts/${othersPostId}/report`, {
      reason: 'other',
      note: 'A note the person wrote.',
    });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const doc = parseHtml(await res.text());
    expect(doc.querySelector('h1')?.text).toBe('The forum cannot save right now');
    expect(doc.querySelector('main')?.text).toContain('Nothing was changed.');
    expect(doc.querySelector('main')?.text).toContain('What you typed is kept');
  });
});

describe('the log, when writes fail', () => {
  it('never holds a username, an email address, a password, its hash or a session id', async () => {
    forum.logs.length = 0;
    await fillDatabase(forum.client);
    // People join until the database has no room left for one more.
    const sent: string[] = [];
    const joined: number[] = [];
    for (let i = 0; i < 100 && joined.at(-1) !== 503; i++) {
      const username = `joiner_${nth(i)}`;
      const email = `${username}@mail.example`;
      const password = `${username} has a long password`;
      sent.push(username, email, password);
      const res = await agent(forum.request, { client: username }).post('/register', {
        username,
        email,
        password,
        age_confirmed: '1',
      });
      joined.push(res.status);
      if (res.status !== 303) break;
    }

    // A signed-in person's writes carry the session id; a read-only database refuses them all.
    await allowWrites(forum.client);
    await makeReadOnly(forum.client);
    const sessionIds = (await forum.db.select({ id: sessions.id }).from(sessions).all()).map(
      (s) => s.id,
    );
    const hashes = (await forum.db.select({ h: users.passwordHash }).from(users).all())
      .map((u) => u.h)
      .filter((h): h is string => !!h);
    const signedIn = [
      (await member.post('/account/sessions/end-others', {})).status,
      (await member.post('/logout', {})).status,
      (await moderator.post(`/posts/${firstPostId}/remove`, { reason: 'spam', note: 'x' })).status,
    ];

    const log = forum.logs.join('\n');
    expect(log).not.toMatch(/params/i);
    expect(log).not.toContain('$scrypt$');
    for (const value of [...sent, ...sessionIds, ...hashes, PASSWORD, 'faulty_member']) {
      expect(log, value).not.toContain(value);
    }
    // and the writes were refused, and logged, as the database refused them
    expect(joined.at(-1)).toBe(503);
    expect(joined.slice(0, -1).every((status) => status === 303)).toBe(true);
    expect(signedIn).toEqual([503, 503, 503]);
    expect(forum.logs.filter((l) => l.startsWith('storage ')).length).toBe(4);
  });
});

/** A distinct, lower-case name part for the n-th person. */
function nth(n: number): string {
  return String.fromCharCode(97 + (n % 26)) + String(n).padStart(3, '0');
}
