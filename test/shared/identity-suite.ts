/**
 * Sign in with the Plimus identity, against the real development OpenID Provider, with the
 * relying party on Node (libSQL) and in workerd (D1): new accounts, linking, signing in again,
 * unlinking, claims that change between sign-ins, and every check that must fail.
 */
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';
import { and, count, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { identityLinks, identityPurchases, sessions, users, vendors } from '../../db/schema';
import type { DevPerson } from '../../dev/plimus-idp';
import { hashPassword } from '../../src/auth/password';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { type Agent, agent, location } from './agent';
import { DAY, insertAccount, PASSWORD, signIn } from './people';

export type IdentityForum = ClockedForum & { logs: string[] };

const CUSTOMER = 'plimus-1001';
const VENDOR = 'plimus-2001';
const NEWCOMER = 'plimus-3001';
/** identities of the test provider that no demo person has (test/support/idp.ts) */
const SPARE = (n: 1 | 2 | 3 | 4) => `plimus-test-${n}`;
let seq = 0;

export function identitySuite(setup: () => Promise<{ forum: IdentityForum; issuer: string }>) {
  let forum: IdentityForum;
  let issuer: string;
  const db = () => forum.deps.db;

  /** Tells the provider (over its test control endpoint) what to do. */
  const control = async (what: 'tamper' | 'people' | 'person', body: unknown) => {
    const res = await fetch(`${issuer}/__test/${what}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(204);
  };

  /**
   * A Plimus identity of the calling test's own, new to the forum and to every other test (the
   * provider is shared: in workerd by every test file). Returns its `sub`.
   */
  async function newIdentity(claims: Partial<DevPerson> = {}): Promise<string> {
    const n = ++seq;
    const tag = `${n}-${Math.random().toString(36).slice(2, 8)}`;
    const sub = `plimus-test-${tag}`;
    await control('person', {
      sub,
      name: `Test Person ${n}`,
      preferred_username: `test_person_${n}`,
      email: `person-${tag}@identity.example`,
      email_verified: true,
      plimus_purchases: [],
      about: 'a person of one test',
      ...claims,
    });
    return sub;
  }

  /** A browser's cookie jar at the provider (its session there lives on between sign-ins). */
  const providerAgent = () => agent((url, init) => fetch(new URL(url, issuer), init));

  /**
   * Follows the provider from `url` until it sends the browser back to the forum, signing in as
   * `sub` if it shows its login page. Returns the callback path (not yet followed) and whether
   * the provider asked the person to sign in.
   */
  async function throughProvider(provider: Agent, url: string, sub: string) {
    let asked = false;
    let res = await provider.get(url);
    let next = new URL(url);
    for (let i = 0; i < 8 && res.status >= 300 && res.status < 400; i++) {
      next = new URL(res.headers.get('location') as string, next);
      if (next.origin !== issuer) break;
      if (/^\/interaction\/[^/]+$/.test(next.pathname)) {
        const login = await provider.get(next.href);
        expect(await login.text()).toContain('Development only');
        asked = true;
        res = await provider.post(`${next.pathname}/login`, { sub });
      } else {
        res = await provider.get(next.href);
      }
    }
    expect(next.pathname).toBe('/auth/plimus/callback');
    return { callback: `${next.pathname}${next.search}`, asked };
  }

  /** Starts "Sign in with Plimus" at `path` in the forum; returns the provider's address. */
  async function startAt(a: Agent, path = '/auth/plimus'): Promise<URL> {
    const start = await a.get(path);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location') as string);
    expect(authorize.origin).toBe(issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('scope')).toBe('openid email profile plimus');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    const flowCookie = start.headers.getSetCookie().find((c) => c.startsWith('plimus_flow='));
    expect(flowCookie).toMatch(/HttpOnly/);
    expect(flowCookie).toMatch(/Max-Age=600/);
    return authorize;
  }

  /**
   * Starts "Sign in with Plimus" in the forum, signs in at the provider as `sub` (in a browser
   * new to it), and returns the callback address the provider sends the browser back to (not yet
   * followed).
   */
  async function atProvider(a: Agent, sub: string): Promise<string> {
    const { callback, asked } = await throughProvider(
      providerAgent(),
      (await startAt(a)).href,
      sub,
    );
    expect(asked).toBe(true);
    return callback;
  }

  async function signInWithPlimus(a: Agent, sub: string) {
    return a.get(await atProvider(a, sub));
  }

  async function passwordMember(email?: string) {
    const username = `pw_member_${++seq}`;
    const user = await insertAccount(db(), {
      username,
      passwordHash: await hashPassword(PASSWORD),
      now: forum.deps.now(),
      ageDays: 0,
      values: {
        ...(email ? { email, emailKey: email.toLowerCase() } : {}),
        ageConfirmedAt: null,
        publicAckAt: null,
      },
    });
    return { a: await signIn(forum.request, username), user };
  }

  const linkOf = (sub: string) =>
    db()
      .select()
      .from(identityLinks)
      .where(and(eq(identityLinks.issuer, issuer), eq(identityLinks.subject, sub)))
      .get();
  const linkOfAccount = (userId: number) =>
    db().select().from(identityLinks).where(eq(identityLinks.userId, userId)).get();
  const purchasesOf = async (linkId: number) =>
    (await db().select().from(identityPurchases).where(eq(identityPurchases.linkId, linkId)))
      .map((p) => p.plimusProductId)
      .sort();
  const counts = async () => ({
    users: (await db().select({ n: count() }).from(users).get())?.n,
    sessions: (await db().select({ n: count() }).from(sessions).get())?.n,
    links: (await db().select({ n: count() }).from(identityLinks).get())?.n,
  });
  const signedInAs = async (a: Agent) =>
    parseHtml(await (await a.get('/')).text()).querySelector('.site-nav a[href^="/u/"]')?.text ??
    null;

  beforeAll(async () => {
    ({ forum, issuer } = await setup());
  });

  describe('the way in', () => {
    it('the sign-in and registration pages offer "Sign in with Plimus"', async () => {
      for (const path of ['/login', '/register']) {
        const doc = parseHtml(await (await agent(forum.request).get(path)).text());
        expect(doc.querySelector('a[href="/auth/plimus"]')?.text.trim(), path).toBe(
          'Sign in with Plimus',
        );
      }
    });
  });

  describe('a Plimus identity new to the forums', () => {
    it('chooses a username (prefilled), confirms age and publicity, and gets a linked account', async () => {
      const a = agent(forum.request, { client: 'customer' });
      const callback = await a.get(await atProvider(a, CUSTOMER));
      expect(callback.status).toBe(303);
      expect(location(callback)).toBe('/auth/plimus/complete');
      expect(callback.headers.getSetCookie().some((c) => c.startsWith('session='))).toBe(false);
      const form = parseHtml(await (await a.get('/auth/plimus/complete')).text());
      expect(form.querySelector('#username')?.getAttribute('value')).toBe('casey_customer');
      expect(form.querySelector('.public-notice')).not.toBeNull();

      const missing = await a.post('/auth/plimus/complete', { username: 'casey_customer' });
      expect(missing.status).toBe(422);
      const doc = parseHtml(await missing.text());
      expect(doc.querySelector('#age_confirmed-error')).not.toBeNull();
      expect(doc.querySelector('#public_ack-error')).not.toBeNull();
      expect(await linkOf(CUSTOMER)).toBeUndefined();

      const done = await a.post('/auth/plimus/complete', {
        username: 'casey_customer',
        age_confirmed: '1',
        public_ack: '1',
      });
      expect(done.status).toBe(303);
      expect(await signedInAs(a)).toBe('casey_customer');
      const user = await db()
        .select()
        .from(users)
        .where(eq(users.usernameKey, 'casey_customer'))
        .get();
      expect(user).toMatchObject({
        email: 'casey@customer.example',
        displayName: 'Casey Customer',
        passwordHash: null,
      });
      expect(user?.publicAckAt).toBeInstanceOf(Date);
      expect(user?.ageConfirmedAt).toBeInstanceOf(Date);
      // The identity verified the address: it counts as confirmed.
      expect(user?.emailConfirmedAt?.getTime()).toBe(forum.deps.now());
      const link = await linkOf(CUSTOMER);
      expect(link).toMatchObject({ userId: user?.id, provider: 'plimus', vendorId: null });
      expect(await purchasesOf(link?.id ?? 0)).toEqual([
        'product-acme-backup',
        'product-pixelsmith-studio',
      ]);
      // the pending sign-up is used up
      expect(
        (
          await a.post('/auth/plimus/complete', {
            username: 'another_name',
            age_confirmed: '1',
            public_ack: '1',
          })
        ).status,
      ).toBe(400);
    });

    it('signs straight in the next time, with the claims refreshed', async () => {
      await control('people', {
        sub: CUSTOMER,
        patch: { plimus_purchases: ['product-northwind-invoice'] },
      });
      const a = agent(forum.request, { client: 'customer-again' });
      const res = await signInWithPlimus(a, CUSTOMER);
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/');
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='));
      expect(cookie).toMatch(/HttpOnly/);
      expect(await signedInAs(a)).toBe('casey_customer');
      const link = await linkOf(CUSTOMER);
      expect(await purchasesOf(link?.id ?? 0)).toEqual(['product-northwind-invoice']);
    });

    it('vendor staff status comes from the claims and follows them between sign-ins', async () => {
      const a = agent(forum.request, { client: 'vendor' });
      await a.get(await atProvider(a, VENDOR));
      expect(
        (
          await a.post('/auth/plimus/complete', {
            username: 'vera_acme',
            age_confirmed: '1',
            public_ack: '1',
          })
        ).status,
      ).toBe(303);
      const acme = await db()
        .select()
        .from(vendors)
        .where(eq(vendors.plimusVendorId, 'vendor-acme'))
        .get();
      expect((await linkOf(VENDOR))?.vendorId).toBe(acme?.id);

      await control('people', {
        sub: VENDOR,
        patch: { plimus_vendor_id: 'vendor-brandnew', plimus_vendor_name: 'Brand New Tools' },
      });
      await signInWithPlimus(agent(forum.request), VENDOR);
      const created = await db()
        .select()
        .from(vendors)
        .where(eq(vendors.plimusVendorId, 'vendor-brandnew'))
        .get();
      expect(created?.name).toBe('Brand New Tools');
      expect((await linkOf(VENDOR))?.vendorId).toBe(created?.id);

      await control('people', {
        sub: VENDOR,
        patch: { plimus_vendor_id: null, plimus_vendor_name: null },
      });
      await signInWithPlimus(agent(forum.request), VENDOR);
      expect((await linkOf(VENDOR))?.vendorId).toBeNull();
    });
  });

  describe('linking', () => {
    it('confirms the address of the account when the identity has verified the same one, and no other', async () => {
      const { a, user } = await passwordMember('NIA.Linked@newcomer.example');
      await control('people', {
        sub: NEWCOMER,
        patch: { email: 'nia.linked@newcomer.example', email_verified: false },
      });
      expect(location(await signInWithPlimus(a, NEWCOMER))).toBe('/account?done=linked');
      const row = () => db().select().from(users).where(eq(users.id, user.id)).get();
      expect((await row())?.emailConfirmedAt).toBeNull();
      await control('people', { sub: NEWCOMER, patch: { email_verified: true } });
      await signInWithPlimus(agent(forum.request), NEWCOMER);
      expect((await row())?.emailConfirmedAt?.getTime()).toBe(forum.deps.now());
      const other = await passwordMember('someone.else@example.org');
      expect((await other.a.post('/account/plimus/unlink')).status).toBe(303);
      expect((await a.post('/account/plimus/unlink')).status).toBe(303);
      await signInWithPlimus(other.a, NEWCOMER);
      expect(
        (await db().select().from(users).where(eq(users.id, other.user.id)).get())
          ?.emailConfirmedAt,
      ).toBeNull();
      expect((await other.a.post('/account/plimus/unlink')).status).toBe(303);
      await control('people', { sub: NEWCOMER, patch: { email: 'nia@newcomer.example' } });
    });

    it('a signed-in account links its Plimus identity, and can unlink it because it has a password', async () => {
      const { a, user } = await passwordMember();
      const res = await signInWithPlimus(a, NEWCOMER);
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/account?done=linked');
      expect((await linkOf(NEWCOMER))?.userId).toBe(user.id);
      // signing in with Plimus now reaches the same account
      const b = agent(forum.request);
      await signInWithPlimus(b, NEWCOMER);
      expect(await signedInAs(b)).toBe(user.username);

      expect((await a.post('/account/plimus/unlink')).status).toBe(303);
      expect(await linkOf(NEWCOMER)).toBeUndefined();
    });

    it('an account without a password cannot unlink: it could not sign in any more', async () => {
      const a = agent(forum.request);
      await signInWithPlimus(a, CUSTOMER);
      expect(await signedInAs(a)).toBe('casey_customer');
      const res = await a.post('/account/plimus/unlink');
      expect(location(res)).toBe('/account?done=unlink-refused');
      expect(await linkOf(CUSTOMER)).toBeDefined();
    });

    it('an identity linked to another account is not linked again', async () => {
      const owner = await passwordMember();
      expect(location(await signInWithPlimus(owner.a, SPARE(1)))).toBe('/account?done=linked');
      const { a, user } = await passwordMember();
      const before = await counts();
      const res = await signInWithPlimus(a, SPARE(1));
      expect(res.status).toBe(409);
      expect(parseHtml(await res.text()).querySelector('h1')?.text).toBe(
        'This Plimus identity belongs to another account',
      );
      expect((await linkOf(SPARE(1)))?.userId).toBe(owner.user.id);
      expect(await linkOfAccount(user.id)).toBeUndefined();
      expect(await counts()).toEqual(before);
      expect(await signedInAs(a)).toBe(user.username);
    });

    it('an account linked to one identity does not take a second', async () => {
      const { a, user } = await passwordMember();
      const first = await newIdentity();
      const second = await newIdentity();
      expect(location(await signInWithPlimus(a, first))).toBe('/account?done=linked');
      expect((await linkOf(first))?.userId).toBe(user.id);
      const before = await counts();
      // The second identity is linked to nobody: only the account's own link stands in the way.
      const res = await signInWithPlimus(a, second);
      expect(res.status).toBe(409);
      expect(parseHtml(await res.text()).querySelector('h1')?.text).toBe(
        'Your account is linked to another Plimus identity',
      );
      expect(await linkOf(second)).toBeUndefined();
      expect((await linkOf(first))?.userId).toBe(user.id);
      expect(await counts()).toEqual(before);
    });
  });

  describe('an existing forum account with the same email address', () => {
    it('is never linked or signed in by that match, verified or not', async () => {
      const { user } = await passwordMember('Nia@Newcomer.example');
      for (const verified of [true, false]) {
        await control('people', { sub: NEWCOMER, patch: { email_verified: verified } });
        const before = await counts();
        const a = agent(forum.request);
        const res = await signInWithPlimus(a, NEWCOMER);
        expect(res.status).toBe(409);
        const doc = parseHtml(await res.text());
        expect(doc.querySelector('h1')?.text).toBe('You already have a forum account');
        expect(doc.querySelector('main')?.text).toContain(
          'never connect accounts by email address alone',
        );
        expect(res.headers.getSetCookie().some((c) => c.startsWith('session='))).toBe(false);
        expect(await signedInAs(a)).toBeNull();
        expect(await linkOf(NEWCOMER)).toBeUndefined();
        expect(await counts()).toEqual(before);
      }
      expect(user.id).toBeGreaterThan(0);
      await control('people', { sub: NEWCOMER, patch: { email_verified: true } });
    });
  });

  describe('a callback that fails a check signs nobody in', () => {
    const refused = async (res: Response, before: Awaited<ReturnType<typeof counts>>) => {
      expect(res.status).toBe(400);
      expect(
        res.headers
          .getSetCookie()
          .some((c) => c.startsWith('session=') && !c.startsWith('session=;')),
      ).toBe(false);
      expect(parseHtml(await res.text()).querySelector('h1')?.text).toMatch(/failed|expired/);
      expect(await counts()).toEqual(before);
    };

    it('a state that does not match', async () => {
      const a = agent(forum.request);
      const callback = new URL(await atProvider(a, CUSTOMER), 'http://forum.test');
      callback.searchParams.set('state', 'forged-state');
      const before = await counts();
      await refused(await a.get(`${callback.pathname}${callback.search}`), before);
    });

    it('a callback without the flow cookie (expired, or from another browser)', async () => {
      const a = agent(forum.request);
      const callback = await atProvider(a, CUSTOMER);
      a.jar.delete('plimus_flow');
      const before = await counts();
      await refused(await a.get(callback), before);
    });

    it.each([
      ['a wrong nonce', { set: { nonce: 'not-the-nonce' }, resign: true }],
      ['a wrong audience', { set: { aud: 'another-forum' }, resign: true }],
      ['an expired ID token', { set: { exp: 1_000_000_000 }, resign: true }],
      ['another issuer', { set: { iss: 'https://evil.example' }, resign: true }],
      [
        'a tampered ID token (signature no longer matches)',
        { set: { sub: VENDOR }, resign: false },
      ],
    ])('%s', async (_, tamper) => {
      const a = agent(forum.request);
      const callback = await atProvider(a, CUSTOMER);
      await control('tamper', tamper);
      const before = await counts();
      await refused(await a.get(callback), before);
    });

    it('a replayed authorization code', async () => {
      const a = agent(forum.request);
      const callback = await atProvider(a, CUSTOMER);
      const flow = a.jar.get('plimus_flow') as string;
      expect((await a.get(callback)).status).toBe(303);
      // the same code again, even with the flow cookie put back
      const b = agent(forum.request);
      b.jar.set('plimus_flow', flow);
      const before = await counts();
      await refused(await b.get(callback), before);
    });

    it('and the log says why without tokens or addresses', async () => {
      const relevant = forum.logs.filter((l) => l.startsWith('identity'));
      expect(relevant.length).toBeGreaterThan(0);
      for (const line of forum.logs) {
        expect(line).not.toMatch(/@|eyJ|code=|state=/);
      }
    });
  });
  describe('confirming with Plimus again (before a first password or a deletion)', () => {
    /**
     * A browser signed in to the forum with Plimus as `sub`, whose provider session lives on, the
     * way a person leaves it on their computer.
     */
    async function plimusBrowser(sub: string) {
      const a = agent(forum.request, { client: `reauth-${++seq}` });
      const provider = providerAgent();
      const { callback } = await throughProvider(provider, (await startAt(a)).href, sub);
      expect((await a.get(callback)).status).toBe(303);
      return { a, provider };
    }
    const sessionOf = (a: Agent) =>
      db()
        .select()
        .from(sessions)
        .where(eq(sessions.id, (a.jar.get('session') ?? '').split('.')[0] ?? ''))
        .get();
    const passwordOf = async (username: string) =>
      (await db().select().from(users).where(eq(users.usernameKey, username)).get())?.passwordHash;
    /** Setting a first password is what the confirmation allows: it must be refused. */
    const expectNotConfirmed = async (a: Agent, username: string) => {
      expect((await sessionOf(a))?.freshAuthAt).toBeNull();
      const set = await a.post('/account/password', { new_password: 'an attacker passphrase' });
      expect(set.status).toBe(403);
      expect(await passwordOf(username)).toBeNull();
    };
    const reauthenticate = '/auth/plimus?intent=reauthenticate';

    beforeAll(() => {
      // The provider says when people signed in by the real clock: the forum's follows it here.
      forum.clock.advance(Math.max(0, Date.now() - forum.deps.now()));
    });

    it('asks the provider for a new sign-in (max_age=0, prompt=login), which it makes though its session lives on', async () => {
      const { a, provider } = await plimusBrowser(VENDOR);
      const authorize = await startAt(a, reauthenticate);
      expect(authorize.searchParams.get('max_age')).toBe('0');
      expect(authorize.searchParams.get('prompt')).toBe('login');
      // max_age=0 alone is enough for the provider to ask again.
      authorize.searchParams.delete('prompt');
      const { callback, asked } = await throughProvider(provider, authorize.href, VENDOR);
      expect(asked).toBe(true);
      const res = await a.get(callback);
      expect(location(res)).toBe('/account?done=reauthenticated');
      expect((await sessionOf(a))?.freshAuthAt?.getTime()).toBe(forum.deps.now());
      const set = await a.post('/account/password', { new_password: 'a brand new passphrase' });
      expect(location(set)).toBe('/account?done=password-set');
      expect(await passwordOf('vera_acme')).toBeTruthy();
    });

    it('a sign-in whose flow cookie was edited to say "confirm" confirms nothing', async () => {
      const { a, provider } = await plimusBrowser(CUSTOMER);
      const authorize = await startAt(a);
      expect(authorize.searchParams.get('prompt')).toBeNull();
      // The attacker's edit: the cookie's JSON says what the flow is for.
      const [payload = '', ...rest] = decodeURIComponent(a.jar.get('plimus_flow') ?? '').split('.');
      const flow = JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(payload)));
      expect(flow.intent).toBe('sign-in');
      flow.intent = 'reauthenticate';
      a.jar.set(
        'plimus_flow',
        [encodeBase64urlNoPadding(new TextEncoder().encode(JSON.stringify(flow))), ...rest].join(
          '.',
        ),
      );
      // The provider answers from its session, without asking.
      const { callback, asked } = await throughProvider(provider, authorize.href, CUSTOMER);
      expect(asked).toBe(false);
      const res = await a.get(callback);
      expect(res.status).toBe(400);
      await expectNotConfirmed(a, 'casey_customer');
    });

    it('a confirmation flow finishes only in the session that started it', async () => {
      const { a, provider } = await plimusBrowser(CUSTOMER);
      const { a: other } = await plimusBrowser(CUSTOMER);
      const authorize = await startAt(a, reauthenticate);
      other.jar.set('plimus_flow', a.jar.get('plimus_flow') ?? '');
      const { callback } = await throughProvider(provider, authorize.href, CUSTOMER);
      const res = await other.get(callback);
      expect(res.status).toBe(400);
      await expectNotConfirmed(other, 'casey_customer');
      await expectNotConfirmed(a, 'casey_customer');
    });

    it('a confirmation answered from the provider\u2019s session (max_age and prompt taken out of the request) confirms nothing', async () => {
      const { a, provider } = await plimusBrowser(CUSTOMER);
      // Someone at the person's computer, two minutes after they signed in with Plimus.
      forum.clock.advance(2 * 60_000);
      const authorize = await startAt(a, reauthenticate);
      authorize.searchParams.delete('max_age');
      authorize.searchParams.delete('prompt');
      const { callback, asked } = await throughProvider(provider, authorize.href, CUSTOMER);
      expect(asked).toBe(false);
      const logged = forum.logs.length;
      const res = await a.get(callback);
      expect(res.status).toBe(400);
      expect(parseHtml(await res.text()).querySelector('h1')?.text).toBe(
        'Sign-in with Plimus failed',
      );
      expect(forum.logs.slice(logged).some((l) => l.startsWith('identity '))).toBe(true);
      await expectNotConfirmed(a, 'casey_customer');
    });
  });
  describe('coming back to the page the person started from', () => {
    const welcome = async (a: Agent, path: string) =>
      parseHtml(await (await a.get(path)).text())
        .querySelector('main .flash[role="status"]')
        ?.text.trim() ?? null;
    /** Signs in (signed out) as `sub` from `/auth/plimus?next=…`; returns the callback's answer. */
    async function fromPage(a: Agent, sub: string, next: string) {
      const authorize = await startAt(a, `/auth/plimus?next=${encodeURIComponent(next)}`);
      // The page stays in the flow's MAC'd cookie: the provider never sees it.
      expect(authorize.href).not.toContain('privacy');
      expect(authorize.href).not.toContain('evil');
      const { callback } = await throughProvider(providerAgent(), authorize.href, sub);
      return a.get(callback);
    }

    it('the sign-in and join pages carry next to "Sign in with Plimus"', async () => {
      for (const path of ['/login', '/register']) {
        const doc = parseHtml(
          await (await agent(forum.request).get(`${path}?next=%2Fprivacy`)).text(),
        );
        expect(
          doc.querySelector('a.button[href^="/auth/plimus"]')?.getAttribute('href'),
          path,
        ).toBe('/auth/plimus?next=%2Fprivacy');
      }
    });

    it('a known identity signs in and lands on that page, greeted once; another site is never it', async () => {
      const a = agent(forum.request, { client: 'back-known' });
      const res = await fromPage(a, CUSTOMER, '/privacy?from=topic#top');
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/privacy?from=topic#top');
      expect(await welcome(a, '/privacy?from=topic')).toBe('Welcome, you are signed in.');
      expect(await welcome(a, '/privacy?from=topic')).toBeNull();
      for (const next of ['//evil.example/', '/\\evil.example', 'https://evil.example/']) {
        const b = agent(forum.request, { client: 'back-hostile' });
        const hostile = await fromPage(b, CUSTOMER, next);
        expect(hostile.headers.get('location'), next).toBe('/');
      }
    });

    it('an identity new to the forums chooses a username and then lands there, greeted', async () => {
      /** NEWCOMER as an identity no account has: no link, an address nobody uses. */
      const freshNewcomer = async (n: number) => {
        await db().delete(identityLinks).where(eq(identityLinks.subject, NEWCOMER));
        await control('people', {
          sub: NEWCOMER,
          patch: { email: `nia.back${n}@newcomer.example` },
        });
      };
      try {
        await freshNewcomer(1);
        const a = agent(forum.request, { client: 'back-new' });
        const callback = await fromPage(a, NEWCOMER, '/privacy?x=1');
        expect(location(callback)).toBe('/auth/plimus/complete');
        const done = await a.post('/auth/plimus/complete', {
          username: 'nia_back_one',
          age_confirmed: '1',
          public_ack: '1',
        });
        expect(done.status).toBe(303);
        expect(done.headers.get('location')).toBe('/privacy?x=1');
        expect(await welcome(a, '/privacy?x=1')).toBe(
          'Welcome, you are signed in. Your account is ready.',
        );
        expect(await signedInAs(a)).toBe('nia_back_one');

        // The page in the sign-up cookie is under its MAC: an edited one leads home.
        await freshNewcomer(2);
        const b = agent(forum.request, { client: 'back-edited' });
        await fromPage(b, NEWCOMER, '/privacy');
        const [token, , mac] = (b.jar.get('plimus_signup') ?? '').split('.');
        b.jar.set(
          'plimus_signup',
          `${token}.${encodeBase64urlNoPadding(new TextEncoder().encode('/account'))}.${mac}`,
        );
        const edited = await b.post('/auth/plimus/complete', {
          username: 'nia_back_two',
          age_confirmed: '1',
          public_ack: '1',
        });
        expect(edited.status).toBe(303);
        expect(edited.headers.get('location')).toBe('/');
        expect(await signedInAs(b)).toBe('nia_back_two');
      } finally {
        await db().delete(identityLinks).where(eq(identityLinks.subject, NEWCOMER));
        await control('people', { sub: NEWCOMER, patch: { email: 'nia@newcomer.example' } });
      }
    });
  });

  // After the confirmations above, which need the forum's clock near the provider's: this one
  // moves it a month on.
  describe('vendor staff status, confirmed by each Plimus sign-in', () => {
    it('stops counting a while after the last Plimus sign-in, and the next one confirms it again', async () => {
      await control('people', {
        sub: NEWCOMER,
        patch: { plimus_vendor_id: 'vendor-acme', plimus_vendor_name: 'Acme Software' },
      });
      try {
        const { a, user } = await passwordMember();
        expect(location(await signInWithPlimus(a, NEWCOMER))).toBe('/account?done=linked');
        expect((await a.get('/vendor')).status).toBe(200);
        forum.clock.advance(forum.deps.config.vendorClaimsMaxAgeDays * DAY);
        // A password sign-in keeps the old claims, which no longer count.
        const b = await signIn(forum.request, user.username);
        const refused = await b.get('/vendor');
        expect(refused.status).toBe(403);
        expect(await refused.text()).toContain('Sign in with Plimus again to confirm it.');
        expect(location(await signInWithPlimus(b, NEWCOMER))).toBe('/account?done=refreshed');
        expect((await b.get('/vendor')).status).toBe(200);
        expect((await b.post('/account/plimus/unlink')).status).toBe(303);
      } finally {
        await control('people', {
          sub: NEWCOMER,
          patch: { plimus_vendor_id: null, plimus_vendor_name: null },
        });
      }
    });
  });
}
