/**
 * Accounts and sessions, the same on Node (libSQL) and in workerd (D1).
 */
import { count, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '../../db/schema';
import type { AppDeps } from '../../src/context';
import { parseHtml } from '../support/html';
import { type Agent, agent, location } from './agent';
import { dumpDatabase } from './dump';

export type ClockedForum = {
  request: (path: string, init?: RequestInit) => Response | Promise<Response>;
  deps: AppDeps;
  clock: { advance: (ms: number) => void };
  /** every route of the app, to check that no POST route escapes the cross-site check */
  routes: { method: string; path: string }[];
};

const DAY = 24 * 3600_000;
const STRONG = 'correct horse battery staple';
let seq = 0;
const unique = (prefix: string) => `${prefix}${++seq}`;

export function accountsSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  const userCount = async () =>
    (await forum.deps.db.select({ n: count() }).from(users).get())?.n ?? 0;
  const sessionRows = (userId: number) =>
    forum.deps.db.select().from(sessions).where(eq(sessions.userId, userId));
  const newAgent = (client = unique('client-')) => agent(forum.request, { client });

  async function registered(opts: { remember?: boolean } = {}) {
    const a = newAgent();
    const username = unique('member_');
    const email = `${username}@example.com`;
    const res = await a.post('/register', {
      username,
      email,
      password: STRONG,
      age_confirmed: '1',
    });
    expect(res.status).toBe(303);
    if (opts.remember) {
      await a.post('/logout');
      const again = await a.post('/login', { login: username, password: STRONG, remember: '1' });
      expect(again.status).toBe(303);
    }
    const user = await forum.deps.db
      .select()
      .from(users)
      .where(eq(users.usernameKey, username.toLowerCase()))
      .get();
    if (!user) throw new Error('not registered');
    return { a, username, email, user };
  }

  const signedInAs = async (a: Agent) => {
    const doc = parseHtml(await (await a.get('/')).text());
    return doc.querySelector('.site-nav a[href^="/u/"]')?.text ?? null;
  };

  beforeAll(async () => {
    forum = await setup();
  });

  describe('POST /register', () => {
    it('creates the account, signs it in with a session cookie, and keeps no birth date', async () => {
      const a = newAgent();
      const res = await a.post('/register', {
        username: 'New_Member',
        email: 'New.Member@Example.com',
        password: STRONG,
        age_confirmed: '1',
      });
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/');
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='));
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Secure/); // plain http here; https is tested below
      expect(cookie).not.toMatch(/Expires|Max-Age/); // a browser-session cookie
      expect(await signedInAs(a)).toBe('New_Member');
      const user = await forum.deps.db
        .select()
        .from(users)
        .where(eq(users.usernameKey, 'new_member'))
        .get();
      expect(user?.email).toBe('New.Member@Example.com');
      expect(user?.emailKey).toBe('new.member@example.com');
      expect(user?.ageConfirmedAt).toBeInstanceOf(Date);
      expect(user?.passwordHash).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$/);
      expect(Object.keys(user ?? {}).some((k) => /birth/i.test(k))).toBe(false);
    });

    it('marks the cookie Secure on https', async () => {
      const res = await forum.request('https://forum.test/register', {
        method: 'POST',
        headers: {
          // what a browser sends with a form of the page it is on
          Origin: 'https://forum.test',
          'Sec-Fetch-Site': 'same-origin',
          'Content-Type': 'application/x-www-form-urlencoded',
          'x-test-client': unique('https-'),
        },
        body: new URLSearchParams({
          username: unique('secure_'),
          email: `${unique('s')}@example.com`,
          password: STRONG,
          age_confirmed: '1',
        }).toString(),
        redirect: 'manual',
      });
      expect(res.status).toBe(303);
      expect(res.headers.getSetCookie().find((c) => c.startsWith('session='))).toMatch(/Secure/);
    });

    const bad: [string, Record<string, string>, string, RegExp][] = [
      ['a too short username', { username: 'ab' }, 'username', /3 to 20 characters/],
      ['a username with spaces', { username: 'two words' }, 'username', /letters, digits/],
      ['a reserved username', { username: 'Admin' }, 'username', /reserved/],
      ['a username taken in another case', { username: 'NEW_MEMBER' }, 'username', /taken/],
      ['a bad email', { email: 'not-an-address' }, 'email', /email address like/],
      ['an email taken in another case', { email: 'new.member@EXAMPLE.com' }, 'email', /exists/],
      ['a short password', { password: 'short' }, 'password', /at least 10/],
      ['a common password', { password: 'qwertyuiop' }, 'password', /most common/],
      ['a password beyond the limit', { password: 'x'.repeat(201) }, 'password', /at most 200/],
      ['no age confirmation', { age_confirmed: '' }, 'age_confirmed', /13 or older/],
    ];
    it.each(bad)(
      'refuses %s with the form, the text kept and nothing written',
      async (_, change, field, message) => {
        const before = await userCount();
        const fields = {
          username: unique('fresh_'),
          email: `${unique('fresh')}@example.com`,
          password: STRONG,
          age_confirmed: '1',
          ...change,
        };
        const res = await newAgent().post('/register', fields);
        expect([409, 422]).toContain(res.status);
        expect(res.headers.getSetCookie()).toEqual([]);
        const doc = parseHtml(await res.text());
        expect(doc.querySelector(`#${field}-error`)?.text).toMatch(message);
        expect(doc.querySelector('#username')?.getAttribute('value')).toBe(fields.username);
        expect(doc.querySelector('#email')?.getAttribute('value')).toBe(fields.email);
        expect(doc.querySelector('#password')?.getAttribute('value') ?? '').toBe('');
        expect(await userCount()).toBe(before);
      },
    );
  });

  describe('POST /login and /logout', () => {
    it('signs in by username or email, in any case', async () => {
      const { username, email } = await registered();
      for (const login of [username.toUpperCase(), email.toUpperCase()]) {
        const a = newAgent();
        const res = await a.post('/login', { login, password: STRONG });
        expect(res.status).toBe(303);
        expect(await signedInAs(a)).toBe(username);
      }
    });

    it('says the same thing for a wrong password and for an unknown account', async () => {
      const { username } = await registered();
      const wrong = await newAgent().post('/login', {
        login: username,
        password: 'not the password',
      });
      const unknown = await newAgent().post('/login', {
        login: 'nobody_here',
        password: 'not the password',
      });
      expect(wrong.status).toBe(422);
      expect(unknown.status).toBe(422);
      const message = (res: string) => parseHtml(res).querySelector('.error-summary li')?.text;
      const [w, u] = [message(await wrong.text()), message(await unknown.text())];
      expect(w).toBe('That username or email and password do not match an account.');
      expect(u).toBe(w);
    });

    it('goes back to the page it was asked from, but never to another site', async () => {
      const { username } = await registered();
      const back = await newAgent().post('/login', {
        login: username,
        password: STRONG,
        next: '/f/off-topic?page=1',
      });
      expect(location(back)).toBe('/f/off-topic?page=1');
      for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example']) {
        const res = await newAgent().post('/login', { login: username, password: STRONG, next });
        expect(location(res)).toBe('/');
      }
    });

    it('"remember me" gives a 30-day cookie; otherwise the cookie ends with the browser', async () => {
      const { username } = await registered();
      const remembered = await newAgent().post('/login', {
        login: username,
        password: STRONG,
        remember: '1',
      });
      const expires = remembered.headers.getSetCookie()[0]?.match(/Expires=([^;]+)/)?.[1];
      expect(Date.parse(expires ?? '') - forum.deps.now()).toBeGreaterThan(29 * DAY);
      const plain = await newAgent().post('/login', { login: username, password: STRONG });
      expect(plain.headers.getSetCookie()[0]).not.toMatch(/Expires|Max-Age/);
    });

    it('logs out: the session row is gone and the cookie cleared', async () => {
      const { a, user } = await registered();
      expect(await sessionRows(user.id)).toHaveLength(1);
      const res = await a.post('/logout');
      expect(res.status).toBe(303);
      expect(res.headers.getSetCookie()[0]).toMatch(/^session=;/);
      expect(await sessionRows(user.id)).toHaveLength(0);
      expect(await signedInAs(a)).toBeNull();
    });
  });

  describe('sessions', () => {
    it('keep only a hash of the secret: the token is nowhere in the database', async () => {
      const { a, user } = await registered();
      const token = a.jar.get('session') as string;
      const [id, secret] = token.split('.');
      expect(id?.length).toBe(24); // 120 random bits
      expect(secret?.length).toBe(32); // 160 random bits
      const [row] = await sessionRows(user.id);
      expect(row?.id).toBe(id);
      expect(row?.secretHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(secret);
      // a forged secret for a real id is refused
      const forged = agent(forum.request);
      forged.jar.set('session', `${id}.${'a'.repeat(32)}`);
      expect(await signedInAs(forged)).toBeNull();
    });

    it('remembered: slide to 30 days again once past half, end after 30 days unused', async () => {
      const { a, user } = await registered({ remember: true });
      forum.clock.advance(16 * DAY);
      const res = await a.get('/');
      expect(res.headers.getSetCookie()[0]).toMatch(/^session=.*Expires=/);
      const [row] = await sessionRows(user.id);
      expect((row?.expiresAt.getTime() ?? 0) - forum.deps.now()).toBe(30 * DAY);
      forum.clock.advance(30 * DAY + 1000);
      expect(await signedInAs(a)).toBeNull();
      expect(await sessionRows(user.id)).toHaveLength(0);
    });

    it('not remembered: end after one day without use, live on while used', async () => {
      const { a, user } = await registered();
      for (let i = 0; i < 3; i++) {
        forum.clock.advance(20 * 3600_000);
        expect(await signedInAs(a)).not.toBeNull();
      }
      forum.clock.advance(DAY + 1000);
      expect(await signedInAs(a)).toBeNull();
      expect(await sessionRows(user.id)).toHaveLength(0);
    });

    it('a password change ends every other session, keeps this one, and the old password stops working', async () => {
      const { a, username, user } = await registered();
      const other = newAgent();
      await other.post('/login', { login: username, password: STRONG });
      expect(await sessionRows(user.id)).toHaveLength(2);
      const wrong = await a.post('/account/password', {
        current_password: 'wrong one here',
        new_password: 'a brand new passphrase',
      });
      expect(wrong.status).toBe(422);
      expect(await sessionRows(user.id)).toHaveLength(2);
      const res = await a.post('/account/password', {
        current_password: STRONG,
        new_password: 'a brand new passphrase',
      });
      expect(res.status).toBe(303);
      expect(await signedInAs(a)).toBe(username);
      expect(await signedInAs(other)).toBeNull();
      expect(await sessionRows(user.id)).toHaveLength(1);
      expect((await newAgent().post('/login', { login: username, password: STRONG })).status).toBe(
        422,
      );
      expect(
        (await newAgent().post('/login', { login: username, password: 'a brand new passphrase' }))
          .status,
      ).toBe(303);
    });
  });

  describe('rate limits', () => {
    it('refuse a client after 20 sign-in attempts, with Retry-After, without storing its address', async () => {
      const a = newAgent('198.51.100.7');
      for (let i = 0; i < 20; i++) {
        expect(
          (await a.post('/login', { login: unique('nobody'), password: 'whatever it is' })).status,
        ).toBe(422);
      }
      const res = await a.post('/login', { login: 'someone', password: 'whatever it is' });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(
        parseHtml(await res.text())
          .querySelector('#login')
          ?.getAttribute('value'),
      ).toBe('someone');
      forum.clock.advance(16 * 60_000);
      expect(
        (await a.post('/login', { login: 'someone', password: 'whatever it is' })).status,
      ).toBe(422);
      expect(await dumpDatabase(forum.deps)).not.toContain('198.51.100.7');
    });

    it('refuse an account after 8 failed sign-ins from anywhere', async () => {
      const { username } = await registered();
      for (let i = 0; i < 8; i++) {
        expect(
          (await newAgent().post('/login', { login: username, password: 'wrong password!' }))
            .status,
        ).toBe(422);
      }
      const res = await newAgent().post('/login', { login: username, password: STRONG });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    });

    it('refuse a client after 10 attempts to register in an hour', async () => {
      const a = newAgent('203.0.113.9');
      for (let i = 0; i < 10; i++) {
        const res = await a.post('/register', {
          username: 'New_Member', // taken: the attempt reaches the rules and counts
          email: `${unique('probe')}@example.com`,
          password: STRONG,
          age_confirmed: '1',
        });
        expect(res.status).toBe(409);
      }
      const before = await userCount();
      const res = await a.post('/register', {
        username: unique('late_'),
        email: `${unique('late')}@example.com`,
        password: STRONG,
        age_confirmed: '1',
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await userCount()).toBe(before);
    });
  });

  describe('cross-site requests', () => {
    it('are refused on every POST route with a 403 page that explains, before anything is read or written', async () => {
      const { a, user } = await registered();
      const posts = forum.routes.filter((r) => r.method === 'POST').map((r) => r.path);
      expect(posts.length).toBeGreaterThanOrEqual(8);
      const snapshot = async () => ({
        users: await userCount(),
        sessions: (await sessionRows(user.id)).length,
        hash: (
          await forum.deps.db
            .select({ h: users.passwordHash })
            .from(users)
            .where(eq(users.id, user.id))
            .get()
        )?.h,
      });
      const before = await snapshot();
      for (const pattern of posts) {
        const path = pattern.replace(':forum', 'off-topic').replace(/:[a-z]+/gi, '1');
        const attempts: Record<string, string>[] = [
          { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
          { Origin: 'null' },
          { Origin: '' },
        ];
        for (const headers of attempts) {
          const res = await a.post(
            path,
            { current_password: STRONG, new_password: 'evil takes over now' },
            headers,
          );
          expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
          const doc = parseHtml(await res.text());
          expect(doc.querySelector('h1')?.text).toBe('Request refused');
          expect(doc.querySelector('main')?.text).toContain('not sent from a page of this forum');
        }
      }
      expect(await snapshot()).toEqual(before);
    });

    it('let same-origin forms through (by Origin, or by Sec-Fetch-Site alone)', async () => {
      const { a } = await registered();
      const res = await a.post('/logout', {}, { Origin: '', 'Sec-Fetch-Site': 'same-origin' });
      expect(res.status).toBe(303);
    });
  });
}
