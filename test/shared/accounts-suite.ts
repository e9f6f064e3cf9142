/**
 * Accounts and sessions, the same on Node (libSQL) and in workerd (D1).
 */
import { Buffer } from 'node:buffer';
import { scrypt } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '../../db/schema';
import type { AppDeps } from '../../src/context';
import { parseHtml } from '../support/html';
import { type Agent, agent, location } from './agent';
import { dumpDatabase } from './dump';
import { insertAccount } from './people';

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

/**
 * A hash of `password` in the stored format, made with weaker scrypt parameters than today's
 * (an account from before they were raised).
 */
function olderHash(password: string, params: { ln: number; r: number; p: number }) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return new Promise<string>((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      32,
      { N: 2 ** params.ln, r: params.r, p: params.p, maxmem: 64 * 1024 * 1024 },
      (err, key) =>
        err
          ? reject(err)
          : resolve(
              `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${Buffer.from(salt).toString('base64')}$${key.toString('base64')}`,
            ),
    );
  });
}

export type LoggedForum = ClockedForum & { logs: string[] };

/**
 * `next` values that must never lead away from the forum, or to a 500: other sites, and paths
 * that a browser reads as another host once it drops control characters, turns backslashes into
 * slashes or normalises dot segments.
 */
const HOSTILE_NEXT = [
  'https://evil.example/',
  '//evil.example/',
  '/\\evil.example',
  '\\\\evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r/x',
  '/\r\nSet-Cookie: a=b',
  '/\u0000/evil.example',
  '/%09/evil.example',
  '/%0d/x',
  '/%0a/x',
  '/%5c/evil.example',
  '/%5Cevil.example',
  '/%2F/evil.example',
  '/..//evil.example',
  '/.//evil.example',
  '/f/%2e%2e/%2e%2e//evil.example',
  ' //evil.example',
  'http:/evil.example',
  'javascript:alert(1)',
  `/${'a'.repeat(3000)}`,
];

/** `next` values of this forum, and the normalised path the redirect goes to. */
const OWN_NEXT: [string, string][] = [
  ['/f/off-topic?page=1', '/f/off-topic?page=1'],
  ['/t/1/some-topic#p4', '/t/1/some-topic#p4'],
  ['/f/./off-topic/../off-topic', '/f/off-topic'],
  ['/search?q=caf\u00e9', '/search?q=caf%C3%A9'],
  ['/u/\u00e9l\u00e8ve', '/u/%C3%A9l%C3%A8ve'],
];

export function accountsSuite(setup: () => Promise<LoggedForum>) {
  let forum: LoggedForum;
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

    it('answers every problem in one response, a taken username with the others, keeping the fields', async () => {
      const { username } = await registered();
      const before = await userCount();
      const fields = {
        username: username.toUpperCase(),
        email: 'not-an-address',
        password: STRONG,
        age_confirmed: '1',
      };
      const res = await newAgent().post('/register', fields);
      expect(res.status).toBe(422);
      const doc = parseHtml(await res.text());
      expect(doc.querySelector('#username-error')?.text).toMatch(/taken/);
      expect(doc.querySelector('#email-error')?.text).toMatch(/email address like/);
      // The password was fine: it is asked for again, never written back into the page.
      expect(doc.querySelector('#password-error')?.text).toMatch(/^Enter your password again/);
      expect(doc.querySelector('#password')?.getAttribute('value') ?? '').toBe('');
      expect(doc.querySelector('#username')?.getAttribute('value')).toBe(fields.username);
      expect(doc.querySelector('#email')?.getAttribute('value')).toBe(fields.email);
      expect(doc.querySelector('#age_confirmed')?.hasAttribute('checked')).toBe(true);
      const summary = doc
        .querySelectorAll('.error-summary li a')
        .map((a) => a.getAttribute('href'));
      expect(summary).toEqual(['#username', '#email', '#password']);
      expect(await userCount()).toBe(before);
    });

    it('says what is wrong with a refused password, and does not ask for it again when the rest was fine', async () => {
      const { username } = await registered();
      const doc = parseHtml(
        await (
          await newAgent().post('/register', {
            username,
            email: `${unique('fresh')}@example.com`,
            password: 'short',
          })
        ).text(),
      );
      expect(doc.querySelector('#username-error')?.text).toMatch(/taken/);
      expect(doc.querySelector('#password-error')?.text).toMatch(/at least 10/);
      expect(doc.querySelector('#age_confirmed-error')?.text).toMatch(/13 or older/);
      expect(doc.querySelector('#age_confirmed')?.hasAttribute('checked')).toBe(false);
      expect(doc.text).not.toMatch(/Enter your password again/);
    });

    it('asks for the password again when only the username was taken', async () => {
      const { username } = await registered();
      const res = await newAgent().post('/register', {
        username,
        email: `${unique('fresh')}@example.com`,
        password: STRONG,
        age_confirmed: '1',
      });
      expect(res.status).toBe(409);
      const doc = parseHtml(await res.text());
      expect(doc.querySelector('#username-error')?.text).toMatch(/taken/);
      expect(doc.querySelector('#password-error')?.text).toMatch(/^Enter your password again/);
      expect(doc.querySelector('#age_confirmed')?.hasAttribute('checked')).toBe(true);
    });

    it('promises only what the forum does with the email address: sign-in and password reset', async () => {
      const doc = parseHtml(await (await newAgent().get('/register')).text());
      expect(forum.deps.mail.available).toBe(true);
      expect(doc.querySelector('#email-hint')?.text).toBe(
        'Never shown on the forums. Used to sign in, and to send you a link to reset your password if you forget it.',
      );
      expect(doc.querySelector('.error-summary')).toBeNull();
      expect(doc.querySelector('#password-error')).toBeNull();
    });
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

    it('upgrades a hash made with older scrypt parameters at sign-in, and only then', async () => {
      const username = unique('old_hash_');
      const old = await olderHash(STRONG, { ln: 12, r: 8, p: 1 });
      const user = await insertAccount(forum.deps.db, {
        username,
        passwordHash: old,
        now: forum.deps.now(),
      });
      const hashOf = async () =>
        (
          await forum.deps.db
            .select({ h: users.passwordHash })
            .from(users)
            .where(eq(users.id, user.id))
            .get()
        )?.h;
      // A wrong password changes nothing.
      expect(
        (await newAgent().post('/login', { login: username, password: 'not it at all' })).status,
      ).toBe(422);
      expect(await hashOf()).toBe(old);
      // The right one signs in with the old hash, and stores today's in its place.
      expect((await newAgent().post('/login', { login: username, password: STRONG })).status).toBe(
        303,
      );
      const upgraded = await hashOf();
      expect(upgraded).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$/);
      expect(upgraded).not.toContain(old.split('$')[4]);
      // The new hash is of the same password; a current hash is left as it is.
      const a = newAgent();
      expect((await a.post('/login', { login: username, password: STRONG })).status).toBe(303);
      expect(await signedInAs(a)).toBe(username);
      expect(await hashOf()).toBe(upgraded);
      expect(
        (await newAgent().post('/login', { login: username, password: 'not it at all' })).status,
      ).toBe(422);
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

  describe('coming back after signing in (next)', () => {
    /** The Location header as sent: a browser resolves it, so it must already be harmless. */
    const sentLocation = (res: Response) => res.headers.get('location');
    /** Only request lines (method, route pattern, status, time): nothing anyone typed. */
    const expectCleanLog = (from: number) => {
      for (const line of forum.logs.slice(from)) {
        expect(line).toMatch(/^(GET|POST) \/[\w/:?-]* \d{3} [\d.]+ms$/);
      }
    };

    it('POST /login goes to the normalised path of this forum it was asked from', async () => {
      const { username } = await registered();
      for (const [next, expected] of OWN_NEXT) {
        const res = await newAgent().post('/login', { login: username, password: STRONG, next });
        expect(res.status, next).toBe(303);
        expect(sentLocation(res), next).toBe(expected);
      }
    });

    it('POST /login never goes to another site, never fails, and logs none of it', async () => {
      const { username } = await registered();
      const from = forum.logs.length;
      for (const next of HOSTILE_NEXT) {
        const res = await newAgent().post('/login', { login: username, password: STRONG, next });
        expect(res.status, JSON.stringify(next)).toBe(303);
        expect(sentLocation(res), JSON.stringify(next)).toBe('/');
        // A form that comes back carries no hostile next either.
        const wrong = await newAgent().post('/login', { login: username, password: 'nope', next });
        expect(wrong.status).toBe(422);
        const hidden = parseHtml(await wrong.text())
          .querySelector('input[name="next"]')
          ?.getAttribute('value');
        expect(hidden ?? '/', JSON.stringify(next)).toBe('/');
      }
      expectCleanLog(from);
      // two password checks for each hostile value: scrypt's time, on a busy machine
    }, 120_000);

    it('GET /login?next= sends a signed-in person on, the same way', async () => {
      const { a } = await registered();
      const from = forum.logs.length;
      // The raw query of the report: %0d decodes to a carriage return.
      for (const query of [
        '/%0d/x',
        '/%09/evil.example',
        '/%5c%5cevil.example',
        '//evil.example',
      ]) {
        const res = await a.get(`/login?next=${query}`);
        expect(res.status, query).toBe(303);
        expect(sentLocation(res), query).toBe('/');
      }
      for (const next of HOSTILE_NEXT) {
        const res = await a.get(`/login?next=${encodeURIComponent(next)}`);
        expect(res.status, JSON.stringify(next)).toBe(303);
        expect(sentLocation(res), JSON.stringify(next)).toBe('/');
      }
      for (const [next, expected] of OWN_NEXT) {
        const res = await a.get(`/login?next=${encodeURIComponent(next)}`);
        expect(sentLocation(res), next).toBe(expected);
      }
      expectCleanLog(from);
    });

    it('the privacy-notice banner\u2019s Dismiss comes back the same way', async () => {
      const { a } = await registered();
      const from = forum.logs.length;
      for (const next of HOSTILE_NEXT.filter((n) => n.length <= 2048)) {
        const res = await a.post('/account/privacy-notice/dismiss', { next });
        expect(res.status, JSON.stringify(next)).toBe(303);
        expect(sentLocation(res), JSON.stringify(next)).toBe('/');
      }
      for (const [next, expected] of OWN_NEXT) {
        const res = await a.post('/account/privacy-notice/dismiss', { next });
        expect(sentLocation(res), next).toBe(expected);
      }
      expectCleanLog(from);
    });
  });

  describe('joining and signing in bring the person back, greeted once', () => {
    const welcome = (html: string) =>
      parseHtml(html).querySelector('main .flash[role="status"]')?.text.trim() ?? null;
    const hiddenNext = (html: string) =>
      parseHtml(html).querySelector('form[action] input[name="next"]')?.getAttribute('value') ??
      null;

    it('GET /register?next= keeps the page in the form, and in its links to sign in', async () => {
      const page = parseHtml(
        await (await newAgent().get('/register?next=%2Fprivacy%3Fx%3D1')).text(),
      );
      expect(
        page.querySelector('form[action="/register"] input[name="next"]')?.getAttribute('value'),
      ).toBe('/privacy?x=1');
      expect(page.querySelector('main a[href^="/login"]')?.getAttribute('href')).toBe(
        '/login?next=%2Fprivacy%3Fx%3D1',
      );
      const login = parseHtml(await (await newAgent().get('/login?next=%2Fprivacy')).text());
      expect(login.querySelector('main a[href^="/register"]')?.getAttribute('href')).toBe(
        '/register?next=%2Fprivacy',
      );
      // a hostile next is not carried at all
      for (const next of HOSTILE_NEXT) {
        const html = await (
          await newAgent().get(`/register?next=${encodeURIComponent(next)}`)
        ).text();
        expect(hiddenNext(html), JSON.stringify(next)).toBeNull();
      }
    });

    it('POST /register goes to the page it was asked from, and never to another site', async () => {
      // safeNext is the one /login uses (tried with every hostile next above); a few here.
      const hostile = [
        '//evil.example/',
        '/\\evil.example',
        '/%2F/evil.example',
        '/\r\nSet-Cookie: a=b',
      ];
      for (const [next, expected] of [...OWN_NEXT, ...hostile.map((n) => [n, '/'])]) {
        const name = unique('back_');
        const res = await newAgent().post('/register', {
          username: name,
          email: `${name}@example.com`,
          password: STRONG,
          age_confirmed: '1',
          next: next as string,
        });
        expect(res.status, JSON.stringify(next)).toBe(303);
        expect(res.headers.get('location'), JSON.stringify(next)).toBe(expected);
      }
      // A form that comes back keeps the page, made safe.
      const refused = await newAgent().post('/register', { username: 'x', next: '/privacy' });
      expect(refused.status).toBe(422);
      expect(hiddenNext(await refused.text())).toBe('/privacy');
      const elsewhere = await newAgent().post('/register', {
        username: 'x',
        next: '//evil.example',
      });
      expect(hiddenNext(await elsewhere.text())).toBeNull();
    });

    it('GET /register sends a signed-in person on to next', async () => {
      const { a } = await registered();
      const res = await a.get('/register?next=%2Fprivacy');
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/privacy');
      expect(location(await a.get('/register?next=%2F%2Fevil.example'))).toBe('/');
    });

    it('the next page says "Welcome, you are signed in", once, after joining and after signing in', async () => {
      const { a, username } = await registered();
      const joined = await a.get('/');
      expect(welcome(await joined.text())).toBe(
        'Welcome, you are signed in. Your account is ready.',
      );
      expect(joined.headers.getSetCookie().some((c) => /^flash=;/.test(c))).toBe(true);
      expect(welcome(await (await a.get('/')).text())).toBeNull();

      const b = newAgent();
      const res = await b.post('/login', { login: username, password: STRONG, next: '/privacy' });
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('flash='));
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      expect(cookie).toMatch(/Max-Age=60/);
      // A redirect on the way passes it on; the page shows it.
      expect(welcome(await (await b.get('/privacy')).text())).toBe('Welcome, you are signed in.');
      expect(welcome(await (await b.get('/privacy')).text())).toBeNull();
      // A failed sign-in greets nobody.
      const failed = await newAgent().post('/login', { login: username, password: 'wrong one!' });
      expect(failed.headers.getSetCookie().some((c) => c.startsWith('flash='))).toBe(false);
    });

    it('the greeting is for the session it was made for, within its minute, as it was made', async () => {
      const { username } = await registered();
      const signedInAgent = async () => {
        const a = newAgent();
        await a.post('/login', { login: username, password: STRONG });
        return a;
      };
      // carried to another session (another browser of the same person)
      const first = await signedInAgent();
      const other = await signedInAgent();
      other.jar.set('flash', first.jar.get('flash') as string);
      const moved = await other.get('/');
      expect(welcome(await moved.text())).toBeNull();
      expect(moved.headers.getSetCookie().some((c) => /^flash=;/.test(c))).toBe(true);
      // a visitor without a session
      const visitor = newAgent();
      visitor.jar.set('flash', first.jar.get('flash') as string);
      expect(welcome(await (await visitor.get('/')).text())).toBeNull();
      // edited to say something else
      const edited = await signedInAgent();
      edited.jar.set('flash', (edited.jar.get('flash') as string).replace(/^signed-in/, 'joined'));
      expect(welcome(await (await edited.get('/')).text())).toBeNull();
      // the one that was made for this session, in time
      expect(welcome(await (await first.get('/')).text())).toBe('Welcome, you are signed in.');
      // too late
      const late = await signedInAgent();
      forum.clock.advance(61_000);
      expect(welcome(await (await late.get('/')).text())).toBeNull();
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

    it('remembered: do not slide while more than half is left (no new cookie, the same expiry)', async () => {
      const { a, user } = await registered({ remember: true });
      // The next page shows the welcome once, and clears its cookie.
      expect((await a.get('/')).status).toBe(200);
      const [created] = await sessionRows(user.id);
      const expiresAt = created?.expiresAt.getTime();
      expect((expiresAt ?? 0) - forum.deps.now()).toBe(30 * DAY);
      // Used now and then until just before the half: the expiry stays where it was.
      for (const step of [DAY, 6 * DAY, 8 * DAY - 60_000]) {
        forum.clock.advance(step);
        const res = await a.get('/');
        expect(res.status).toBe(200);
        expect(res.headers.getSetCookie(), `after ${step} ms more`).toEqual([]);
        const [row] = await sessionRows(user.id);
        expect(row?.expiresAt.getTime(), `after ${step} ms more`).toBe(expiresAt);
        expect(row?.lastUsedAt.getTime()).toBe(forum.deps.now());
      }
      // Past the half, it slides.
      forum.clock.advance(2 * 60_000);
      expect((await a.get('/')).headers.getSetCookie()[0]).toMatch(/^session=.*Expires=/);
      const [slid] = await sessionRows(user.id);
      expect(slid?.expiresAt.getTime()).toBe(forum.deps.now() + 30 * DAY);
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

    it('an account that failed 8 times refuses the clients that failed for it, even with the right password, and lets its owner in from elsewhere', async () => {
      const { username } = await registered();
      const guesser = newAgent();
      for (let i = 0; i < 8; i++) {
        expect(
          (await guesser.post('/login', { login: username, password: 'wrong password!' })).status,
        ).toBe(422);
      }
      const refused = await guesser.post('/login', { login: username, password: 'wrong again!' });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      // Even the right password: this client has been guessing.
      expect((await guesser.post('/login', { login: username, password: STRONG })).status).toBe(
        429,
      );
      // The owner, from a client that has not been failing, gets in.
      const owner = newAgent();
      expect((await owner.post('/login', { login: username, password: STRONG })).status).toBe(303);
      expect(await signedInAs(owner)).toBe(username);
      // Another client gets a few tries of its own, then waits too.
      const other = newAgent();
      for (let i = 0; i < 3; i++) {
        expect(
          (await other.post('/login', { login: username, password: 'a typo here!' })).status,
        ).toBe(422);
      }
      expect((await other.post('/login', { login: username, password: STRONG })).status).toBe(429);
      forum.clock.advance(16 * 60_000);
      expect((await guesser.post('/login', { login: username, password: STRONG })).status).toBe(
        303,
      );
    });

    it('a right password clears the client\u2019s failed attempts for the account', async () => {
      const { username } = await registered();
      const guesser = newAgent();
      for (let i = 0; i < 8; i++) {
        await guesser.post('/login', { login: username, password: 'wrong password!' });
      }
      expect((await guesser.post('/login', { login: username, password: STRONG })).status).toBe(
        429,
      );
      // While the account is past its limit, the owner's typos count: 3 attempts, then a wait.
      // A right password before that starts the count again.
      const owner = newAgent();
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 2; i++) {
          expect(
            (await owner.post('/login', { login: username, password: 'a typo here!' })).status,
            `round ${round}, typo ${i}`,
          ).toBe(422);
        }
        expect(
          (await owner.post('/login', { login: username, password: STRONG })).status,
          `round ${round}`,
        ).toBe(303);
        await owner.post('/logout');
      }
    });

    it('a right password does not count against the account\u2019s limit', async () => {
      const { username } = await registered();
      const owner = newAgent();
      for (let i = 0; i < 10; i++) {
        expect((await owner.post('/login', { login: username, password: STRONG })).status).toBe(
          303,
        );
      }
      // All 8 failures the account allows are still there for anyone, from one client.
      const guesser = newAgent();
      for (let i = 0; i < 8; i++) {
        expect(
          (await guesser.post('/login', { login: username, password: 'wrong password!' })).status,
          `guess ${i}`,
        ).toBe(422);
      }
      expect(
        (await guesser.post('/login', { login: username, password: 'wrong password!' })).status,
      ).toBe(429);
    });

    it('count a guess before checking it: 60 parallel wrong guesses get 8 checks', async () => {
      const { username, email } = await registered();
      const guesser = newAgent();
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          guesser.post('/login', {
            // by username and by email address: the same account
            login: i % 2 === 0 ? username : email,
            password: `wrong password ${i}`,
          }),
        ),
      );
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 422)).toHaveLength(8);
      expect(statuses.filter((s) => s === 429)).toHaveLength(52);
      expect(
        (await newAgent().post('/login', { login: email, password: STRONG })).status,
        'the owner still gets in',
      ).toBe(303);
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
    it('refuse attempts to register one email address after 5 in an hour, from any client', async () => {
      const { email } = await registered(); // the first attempt with this address
      for (let i = 0; i < 4; i++) {
        const res = await newAgent().post('/register', {
          username: unique('probe_'),
          email: email.toUpperCase(),
          password: STRONG,
          age_confirmed: '1',
        });
        // Registration signs in at once, so it says when an address is taken; but not often.
        expect(res.status).toBe(409);
      }
      const res = await newAgent().post('/register', {
        username: unique('probe_'),
        email,
        password: STRONG,
        age_confirmed: '1',
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(parseHtml(await res.text()).querySelector('#email-error')).toBeNull();
    });
  });

  describe('cross-site requests', () => {
    it('are refused on every POST route with a 403 page that explains, before anything is read or written', async () => {
      const { a, user } = await registered();
      const posts = forum.routes
        .filter((r) => r.method === 'POST')
        .map((r) => r.path)
        // The one-click unsubscribe link is posted to by mailbox providers' servers: its MAC is
        // its proof, and it can only turn email off (the email suite tries it cross-site).
        .filter((path) => path !== '/email/unsubscribe/:token');
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
