/**
 * Drafts kept while their writer signs in, the same on Node (libSQL) and in workerd (D1): a reply
 * or new topic sent by someone whose session ended is kept for an hour under a random token in a
 * cookie, the sign-in page comes back to the composer, which shows the text again; once posted
 * (or expired) the draft is deleted and the cookie cleared. A token nobody was given restores
 * nothing, and a text larger than a post is refused before anything is kept.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { keptDrafts, posts, topics, type users } from '../../db/schema';
import { hashPassword } from '../../src/auth/password';
import { BROWSER_SESSION_IDLE_MS } from '../../src/auth/session';
import { createForum } from '../../src/services/catalog';
import { KEPT_DRAFT_MS } from '../../src/services/kept-drafts';
import { createTopic } from '../../src/services/posting';
import { MAX_BODY } from '../../src/validation/forms';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { type Agent, agent, location } from './agent';
import { insertAccount, PASSWORD } from './people';

const COOKIE = 'kept_draft';
let seq = 0;

type Person = { user: typeof users.$inferSelect; a: Agent };

export function draftsSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  let passwordHash: string;
  let forumId: number;
  const forumSlug = 'drafts';
  const db = () => forum.deps.db;
  const page = async (res: Response | Promise<Response>) => parseHtml(await (await res).text());
  const allDrafts = () => db().select().from(keptDrafts).all();
  const draftCookie = (res: Response) =>
    res.headers.getSetCookie().find((line) => line.startsWith(`${COOKIE}=`));
  /** The composer's text (an HTML textarea drops one line break after its start tag). */
  const composed = (doc: ReturnType<typeof parseHtml>) =>
    doc.querySelector('textarea#body')?.text.replace(/^\n/, '');
  const hash = (token: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(token)));

  /** An account, and a browser of its own that is not signed in (yet). */
  async function person(): Promise<Person> {
    const username = `drafts_${++seq}`;
    const user = await insertAccount(db(), { username, passwordHash, now: forum.deps.now() });
    return { user, a: agent(forum.request, { client: `drafts_client_${seq}` }) };
  }

  /** Signs the person in through the password form, coming back to `next`. */
  async function signIn(p: Person, next?: string) {
    const res = await p.a.post('/login', {
      login: p.user.username,
      password: PASSWORD,
      ...(next ? { next } : {}),
    });
    expect(res.status).toBe(303);
    return location(res);
  }

  async function topic() {
    const author = await person();
    forum.clock.advance(1000);
    const t = await createTopic(forum.deps, {
      forumId,
      authorId: author.user.id,
      title: `A topic to reply to ${++seq}`,
      body: 'What do you think?',
      kind: 'discussion',
    });
    return { id: t.topicId, composer: `/t/${t.topicId}/replies/new` };
  }

  const postsOf = (topicId: number) =>
    db().select().from(posts).where(eq(posts.topicId, topicId)).all();

  beforeAll(async () => {
    forum = await setup();
    passwordHash = await hashPassword(PASSWORD);
    forumId = (
      await createForum(forum.deps, { slug: forumSlug, name: 'Drafts', category: 'community' })
    ).id;
  });

  describe('a reply sent after the session ended', () => {
    it('is kept, the sign-in page says so and comes back to the composer, which shows it; posting deletes it', async () => {
      const t = await topic();
      const p = await person();
      expect(await signIn(p)).toBe('/');
      // The session ends while the person writes (a browser session ends after a day unused).
      forum.clock.advance(BROWSER_SESSION_IDLE_MS + 60_000);
      const text = 'First line of a long answer.\r\nSecond line, which took a while.';
      const res = await p.a.post(`/t/${t.id}/replies`, { body: text, public_ack: '1' });

      expect(res.status).toBe(401);
      const doc = await page(res);
      expect(doc.querySelector('h1')?.text).toBe('Sign in');
      expect(doc.querySelector('main .notice')?.text.trim()).toBe(
        'Your reply is kept for an hour: sign in to post it.',
      );
      expect(
        doc.querySelector('form[action="/login"] input[name=next]')?.getAttribute('value'),
      ).toBe(t.composer);
      expect(doc.querySelector('main a[href^="/register"]')?.getAttribute('href')).toBe(
        `/register?next=${encodeURIComponent(t.composer)}`,
      );
      if (forum.deps.plimus) {
        expect(doc.querySelector('.plimus-sign-in a')?.getAttribute('href')).toBe(
          `/auth/plimus?next=${encodeURIComponent(t.composer)}`,
        );
      }
      // The cookie: only a random token, for an hour, not readable by scripts.
      const cookie = draftCookie(res);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).toMatch(/Max-Age=3600/i);
      expect(cookie).not.toMatch(/Secure/i); // plain http here
      const token = p.a.jar.get(COOKIE) as string;
      expect(token).toMatch(/^[a-z2-7]{32}$/);
      // The row: the text (line breaks as the forum keeps them), under the token's hash only.
      const [row] = await db()
        .select()
        .from(keptDrafts)
        .where(eq(keptDrafts.id, hash(token)));
      expect(row?.body).toBe(text.replace(/\r\n/g, '\n'));
      expect(row?.topicId).toBe(t.id);
      expect(row?.expiresAt.getTime()).toBe(forum.deps.now() + KEPT_DRAFT_MS);
      expect(Object.keys(row ?? {})).not.toContain('userId');
      expect(await postsOf(t.id)).toHaveLength(1);

      // Signing in comes back to the composer, filled and ready to post.
      expect(await signIn(p, t.composer)).toBe(t.composer);
      const composer = await page(p.a.get(t.composer));
      expect(composed(composer)).toBe(text.replace(/\r\n/g, '\n'));
      expect(composer.querySelector('main .kept-draft')?.text.trim()).toBe(
        'What you wrote before signing in is back below: post it when it is ready.',
      );
      expect(composer.querySelector(`form[action="/t/${t.id}/replies"]`)).not.toBeNull();

      forum.clock.advance(10_000);
      const posted = await p.a.post(`/t/${t.id}/replies`, { body: text.replace(/\r\n/g, '\n') });
      expect(posted.status).toBe(303);
      expect(draftCookie(posted)).toMatch(/Max-Age=0/i);
      expect(p.a.jar.has(COOKIE)).toBe(false);
      expect(
        await db()
          .select()
          .from(keptDrafts)
          .where(eq(keptDrafts.id, hash(token))),
      ).toEqual([]);
      expect((await postsOf(t.id)).map((x) => x.bodyMarkdown)).toContain(
        text.replace(/\r\n/g, '\n'),
      );
      // The composer is empty again.
      const again = await page(p.a.get(t.composer));
      expect(composed(again)).toBe('');
      expect(again.querySelector('main .kept-draft')).toBeNull();
    });

    it('comes back after joining too, from the link on the sign-in page', async () => {
      const t = await topic();
      const a = agent(forum.request, { client: `drafts_joining_${++seq}` });
      const kept = await page(a.post(`/t/${t.id}/replies`, { body: 'Worth an account.' }));
      const join = kept.querySelector('main a[href^="/register"]')?.getAttribute('href') ?? '';
      const form = await page(a.get(join));
      const next = form.querySelector('form[action="/register"] input[name=next]');
      expect(next?.getAttribute('value')).toBe(t.composer);
      const username = `drafts_new_${seq}`;
      const joined = await a.post('/register', {
        username,
        email: `${username}@example.com`,
        password: PASSWORD,
        age_confirmed: '1',
        next: next?.getAttribute('value') ?? '',
      });
      expect(joined.status).toBe(303);
      expect(location(joined)).toBe(t.composer);
      const composer = await page(a.get(t.composer));
      expect(composed(composer)).toBe('Worth an account.');
      // A new account still gives the one-time acknowledgement before its first post.
      expect(composer.querySelector('input[name=public_ack]')).not.toBeNull();
      forum.clock.advance(10_000);
      const posted = await a.post(`/t/${t.id}/replies`, {
        body: 'Worth an account.',
        public_ack: '1',
      });
      expect(posted.status).toBe(303);
      expect(a.jar.has(COOKIE)).toBe(false);
    });

    it('one browser keeps one draft: a second one replaces the first', async () => {
      const t = await topic();
      const p = await person();
      await p.a.post(`/t/${t.id}/replies`, { body: 'The first try.' });
      const first = p.a.jar.get(COOKIE) as string;
      const res = await p.a.post(`/t/${t.id}/replies`, { body: 'The second try.' });
      expect(res.status).toBe(401);
      const second = p.a.jar.get(COOKIE) as string;
      expect(second).not.toBe(first);
      const rows = await allDrafts();
      expect(rows.filter((r) => r.id === hash(first))).toEqual([]);
      expect(rows.filter((r) => r.id === hash(second)).map((r) => r.body)).toEqual([
        'The second try.',
      ]);
    });

    it('is only shown on the composer it was written for, and stays until that one is posted', async () => {
      const t = await topic();
      const elsewhere = await topic();
      const p = await person();
      await p.a.post(`/t/${t.id}/replies`, { body: 'Meant for the first topic.' });
      const token = p.a.jar.get(COOKIE) as string;
      await signIn(p);
      const other = await page(p.a.get(elsewhere.composer));
      expect(composed(other)).toBe('');
      forum.clock.advance(10_000);
      expect(
        (await p.a.post(`/t/${elsewhere.id}/replies`, { body: 'Another reply.' })).status,
      ).toBe(303);
      expect(p.a.jar.get(COOKIE)).toBe(token);
      expect((await allDrafts()).map((r) => r.id)).toContain(hash(token));
      const own = await page(p.a.get(t.composer));
      expect(composed(own)).toBe('Meant for the first topic.');
    });

    it('keeps nothing when there is nothing to keep, and still asks to sign in', async () => {
      const t = await topic();
      const p = await person();
      const before = await allDrafts();
      const res = await p.a.post(`/t/${t.id}/replies`, { body: '   ' });
      expect(res.status).toBe(401);
      expect((await page(res)).querySelector('main .notice')?.text.trim()).toBe(
        'Please sign in to reply.',
      );
      expect(draftCookie(res)).toBeUndefined();
      expect(await allDrafts()).toEqual(before);
    });

    it('refuses a text larger than a post cheaply: 413, nothing kept, no cookie', async () => {
      const t = await topic();
      const p = await person();
      const before = await allDrafts();
      const res = await p.a.post(`/t/${t.id}/replies`, { body: 'x'.repeat(MAX_BODY + 1) });
      expect(res.status).toBe(413);
      expect((await page(res)).querySelector('main')?.text).toContain('50,000 characters');
      expect(draftCookie(res)).toBeUndefined();
      expect(await allDrafts()).toEqual(before);
      // One exactly at the limit is kept.
      const fits = await p.a.post(`/t/${t.id}/replies`, { body: 'y'.repeat(MAX_BODY) });
      expect(fits.status).toBe(401);
      expect(draftCookie(fits)).toBeDefined();
    });

    it('is not kept for a topic nobody may reply to, nor for one that does not exist', async () => {
      const p = await person();
      const before = await allDrafts();
      expect((await p.a.post('/t/999999/replies', { body: 'Into the void.' })).status).toBe(404);
      const t = await topic();
      await db()
        .update(topics)
        .set({ removedAt: new Date(forum.deps.now()) })
        .where(eq(topics.id, t.id));
      const removed = await p.a.post(`/t/${t.id}/replies`, { body: 'Too late.' });
      expect(removed.status).toBeGreaterThanOrEqual(400);
      expect(draftCookie(removed)).toBeUndefined();
      expect(await allDrafts()).toEqual(before);
    });
  });

  describe('a new topic sent after the session ended', () => {
    it('is kept with its title and kind, comes back on the new-topic page, and posting deletes it', async () => {
      const p = await person();
      const res = await p.a.post(`/f/${forumSlug}`, {
        title: 'How do I export my invoices?',
        kind: 'question',
        body: 'I looked everywhere.',
      });
      expect(res.status).toBe(401);
      const doc = await page(res);
      expect(doc.querySelector('main .notice')?.text.trim()).toBe(
        'Your topic is kept for an hour: sign in to post it.',
      );
      const composer = `/f/${forumSlug}/new`;
      expect(
        doc.querySelector('form[action="/login"] input[name=next]')?.getAttribute('value'),
      ).toBe(composer);
      const token = p.a.jar.get(COOKIE) as string;
      const [row] = await db()
        .select()
        .from(keptDrafts)
        .where(eq(keptDrafts.id, hash(token)));
      expect(row).toMatchObject({ forumId, topicId: null, kind: 'question' });

      expect(await signIn(p, composer)).toBe(composer);
      const form = await page(p.a.get(composer));
      expect(form.querySelector('input#title')?.getAttribute('value')).toBe(
        'How do I export my invoices?',
      );
      expect(form.querySelector('input#kind-question')?.hasAttribute('checked')).toBe(true);
      expect(composed(form)).toBe('I looked everywhere.');

      forum.clock.advance(10_000);
      const posted = await p.a.post(`/f/${forumSlug}`, {
        title: 'How do I export my invoices?',
        kind: 'question',
        body: 'I looked everywhere.',
      });
      expect(posted.status).toBe(303);
      expect(p.a.jar.has(COOKIE)).toBe(false);
      expect(
        await db()
          .select()
          .from(keptDrafts)
          .where(eq(keptDrafts.id, hash(token))),
      ).toEqual([]);
    });
  });

  describe('what restores nothing', () => {
    it('an expired draft: not shown, deleted, its cookie cleared', async () => {
      const t = await topic();
      const p = await person();
      await p.a.post(`/t/${t.id}/replies`, { body: 'Written long ago.' });
      const token = p.a.jar.get(COOKIE) as string;
      await signIn(p);
      forum.clock.advance(KEPT_DRAFT_MS + 1000);
      const res = await p.a.get(t.composer);
      expect(res.status).toBe(200);
      expect(composed(await page(res))).toBe('');
      expect(draftCookie(res)).toMatch(/Max-Age=0/i);
      expect(p.a.jar.has(COOKIE)).toBe(false);
      expect((await allDrafts()).map((r) => r.id)).not.toContain(hash(token));
    });

    it('expired drafts are deleted when another draft is kept', async () => {
      const t = await topic();
      const old = await person();
      await old.a.post(`/t/${t.id}/replies`, { body: 'An abandoned draft.' });
      const abandoned = hash(old.a.jar.get(COOKIE) as string);
      forum.clock.advance(KEPT_DRAFT_MS + 1000);
      const now = await person();
      await now.a.post(`/t/${t.id}/replies`, { body: 'A fresh draft.' });
      const ids = (await allDrafts()).map((r) => r.id);
      expect(ids).not.toContain(abandoned);
      expect(ids).toContain(hash(now.a.jar.get(COOKIE) as string));
      expect((await allDrafts()).every((r) => r.expiresAt.getTime() > forum.deps.now())).toBe(true);
    });

    it('a made-up token, or the stored hash of a real one, restores nothing', async () => {
      const t = await topic();
      const writer = await person();
      await writer.a.post(`/t/${t.id}/replies`, { body: 'My own words.' });
      const token = writer.a.jar.get(COOKIE) as string;
      const other = await person();
      await signIn(other);
      for (const forged of ['abcdefghijklmnopqrstuvwxyz234567', hash(token), `${token}x`]) {
        other.a.jar.set(COOKIE, forged);
        const res = await other.a.get(t.composer);
        expect(res.status).toBe(200);
        expect(composed(await page(res))).toBe('');
        expect(draftCookie(res)).toMatch(/Max-Age=0/i);
      }
      // The writer's draft is untouched.
      expect((await allDrafts()).find((r) => r.id === hash(token))?.body).toBe('My own words.');
    });
  });

  describe('a signed-out visitor following a link to a composer', () => {
    it('signs in first and comes back to it, the quote included', async () => {
      const t = await topic();
      const [first] = await postsOf(t.id);
      const p = await person();
      const quoting = `${t.composer}?quote=${first?.id}`;
      const res = await p.a.get(quoting);
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`/login?next=${encodeURIComponent(quoting)}`);
      const login = await page(p.a.get(location(res)));
      const next = login
        .querySelector('form[action="/login"] input[name=next]')
        ?.getAttribute('value');
      expect(next).toBe(quoting);
      expect(await signIn(p, next ?? '')).toBe(quoting);
      const composer = await page(p.a.get(quoting));
      expect(composed(composer)).toContain('What do you think?');

      const newTopic = await p.a.get('/f/drafts/new');
      expect(newTopic.status).toBe(200);
      const visitor = agent(forum.request);
      const topicLink = await visitor.get(`/f/${forumSlug}/new`);
      expect(topicLink.status).toBe(303);
      expect(location(topicLink)).toBe(`/login?next=${encodeURIComponent(`/f/${forumSlug}/new`)}`);
    });
  });
}
