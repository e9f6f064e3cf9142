/**
 * What the forum emails, the same on Node (libSQL, a real SMTP server in the test process) and in
 * workerd (D1, the local Email Service binding): every message is checked as the receiving side
 * got it, after a pass of the real delivery loop over the real outbox.
 *
 * - confirmed addresses: the link sent at registration (the account works at once), sending it
 *   again, who gets what while an address is not confirmed;
 * - password reset: the same answer for every name, the token's life (one hour, once, replaced by
 *   a newer one, stored as its SHA-256, out of the address bar before the form), success ending
 *   every session and mailing a notice whose "this wasn't me" link ends them again, accounts that
 *   sign in with Plimus, limits.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { eq } from 'drizzle-orm';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mailOutbox, passwordResets, sessions, users } from '../../db/schema';
import { hashPassword } from '../../src/auth/password';
import { createSession } from '../../src/auth/session';
import { CURRENT_PRIVACY } from '../../src/content/privacy';
import { notMeToken } from '../../src/mail/links';
import { noPostbox } from '../../src/mail/transport';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { type Agent, agent, location } from './agent';
import { dumpDatabase } from './dump';
import { linkIn, type ReceivedMail, type TestMailbox } from './mail';
import { DAY, insertAccount, PASSWORD } from './people';

export type EmailForum = ClockedForum & { mail: TestMailbox };

const NEW_PASSWORD = 'another long passphrase';
const HOUR = 3600_000;
let seq = 0;
const unique = (prefix: string) => `${prefix}${++seq}`;
const sha256Hex = (s: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(s)));
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

export function emailSuite(setup: () => Promise<EmailForum>) {
  let forum: EmailForum;
  let passwordHash: string;
  const db = () => forum.deps.db;
  const page = async (res: Response) => parseHtml(await res.text());
  const userRow = (id: number) => db().select().from(users).where(eq(users.id, id)).get();

  /** The messages sent since `before` (a count of received messages). */
  async function newMail(before: number): Promise<ReceivedMail[]> {
    await forum.mail.deliver();
    return forum.mail.received().slice(before);
  }
  const mailCount = () => forum.mail.received().length;

  /** An account with a password (and the usual address), signed in with a session of its own. */
  async function member(values: Partial<typeof users.$inferInsert> = {}) {
    const username = unique('mailer_');
    const user = await insertAccount(db(), {
      username,
      passwordHash,
      now: forum.deps.now(),
      values,
    });
    const a = await sessionOf(user.id);
    return { user, username, a };
  }

  async function sessionOf(userId: number): Promise<Agent> {
    const a = agent(forum.request, { client: unique('client-') });
    a.jar.set('session', (await createSession(forum.deps, userId, { remember: true })).token);
    return a;
  }

  const signedIn = async (a: Agent) => (await a.get('/account')).status === 200;

  beforeAll(async () => {
    forum = await setup();
    passwordHash = await hashPassword(PASSWORD);
  });
  // What an earlier test queued is sent before the next one counts.
  beforeEach(() => forum.mail.deliver());

  describe('confirming the address', () => {
    it('sends a link at registration; the account works at once, and the link confirms it', async () => {
      const a = agent(forum.request, { client: unique('joiner-') });
      const username = unique('joiner_');
      const before = mailCount();
      const res = await a.post('/register', {
        username,
        email: `${username}@example.org`,
        password: PASSWORD,
        age_confirmed: '1',
      });
      expect(res.status).toBe(303);
      // Signed in at once, the address not confirmed yet.
      const waiting = await page(await a.get('/account'));
      expect(waiting.querySelector('.email-state')?.text).toMatch(/Not confirmed yet/);
      expect(waiting.querySelector('form[action="/account/email/confirmation"]')).not.toBeNull();

      const [mail, ...more] = await newMail(before);
      expect(more).toEqual([]);
      expect(mail?.to).toBe(`${username}@example.org`);
      expect(mail?.subject).toBe('Confirm your email address for the Plimus Community Forums');
      expect(mail?.text).toContain(`the account ${username}`);
      const link = linkIn(mail, '/account/email/confirm?token=') ?? '';
      expect(link.startsWith(`${forum.deps.config.publicOrigin}/`)).toBe(true);
      // Only the SHA-256 of the token is kept, and the email's copy went once it was sent.
      expect(await dumpDatabase(forum.deps)).not.toContain(new URL(link).searchParams.get('token'));

      // Opened in another browser, signed out: it confirms the address.
      const elsewhere = await agent(forum.request).get(pathOf(link));
      expect(elsewhere.status).toBe(200);
      expect((await page(elsewhere)).querySelector('h1')?.text).toBe(
        'Your email address is confirmed',
      );
      const user = await db().select().from(users).where(eq(users.username, username)).get();
      expect(user?.emailConfirmedAt?.getTime()).toBe(forum.deps.now());
      const confirmed = await page(await a.get('/account'));
      expect(confirmed.querySelector('.email-state')?.text).toMatch(/^Confirmed on/);
      expect(confirmed.querySelector('form[action="/account/email/confirmation"]')).toBeNull();
      // The link works once.
      expect((await a.get(pathOf(link))).status).toBe(400);
    });

    it('sends the link again on request, and only the newest one works', async () => {
      const { a, user } = await member();
      const before = mailCount();
      expect(location(await a.post('/account/email/confirmation'))).toBe(
        '/account?done=confirmation-sent',
      );
      expect(location(await a.post('/account/email/confirmation'))).toBe(
        '/account?done=confirmation-sent',
      );
      const [first, second] = await newMail(before);
      const firstLink = linkIn(first, '/account/email/confirm?token=') ?? '';
      const secondLink = linkIn(second, '/account/email/confirm?token=') ?? '';
      expect(firstLink).not.toBe(secondLink);
      expect((await a.get(pathOf(firstLink))).status).toBe(400);
      const ok = await a.get(pathOf(secondLink));
      expect(location(ok)).toBe('/account?done=email-confirmed');
      expect((await page(await a.get(location(ok)))).querySelector('[role=status]')?.text).toMatch(
        /address is confirmed/,
      );
      // Once confirmed there is nothing to send.
      const again = await a.post('/account/email/confirmation');
      expect(again.status).toBe(422);
      expect((await page(again)).querySelector('.error-summary')?.text).toMatch(
        /confirmed already/,
      );
      expect(await newMail(mailCount())).toEqual([]);
      expect((await userRow(user.id))?.emailConfirmedAt).not.toBeNull();
    });

    it('keeps a pending address change when the link for the address on file is sent again', async () => {
      const { a, user } = await member();
      const newAddress = `${unique('moving')}@example.org`;
      await a.post('/account/email', { email: newAddress });
      await a.post('/account/email/confirmation');
      const doc = await page(await a.get('/account'));
      expect(doc.querySelector('main')?.text).toContain(
        `We sent a confirmation link to ${newAddress}`,
      );
      const mails = await newMail(0);
      const change = mails.filter((m) => m.to === newAddress).at(-1);
      const link = linkIn(change, '/account/email/confirm?token=') ?? '';
      expect(location(await a.get(pathOf(link)))).toBe('/account?done=email');
      // Taking on the new address confirms it: the link reached it.
      expect(await userRow(user.id)).toMatchObject({ email: newAddress });
      expect((await userRow(user.id))?.emailConfirmedAt).not.toBeNull();
    });

    it('counts accounts made before confirmation existed as not confirmed', async () => {
      const { a, user } = await member();
      expect((await userRow(user.id))?.emailConfirmedAt).toBeNull();
      expect((await page(await a.get('/account'))).querySelector('.email-state')?.text).toMatch(
        /Not confirmed yet/,
      );
    });

    it('limits the links to 5 an hour with the address changes, and says when it cannot send', async () => {
      const { a } = await member();
      for (let i = 0; i < 5; i++) {
        expect((await a.post('/account/email/confirmation')).status).toBe(303);
      }
      const sixth = await a.post('/account/email/confirmation');
      expect(sixth.status).toBe(429);
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
      const mail = forum.deps.mail;
      forum.deps.mail = noPostbox;
      try {
        const { a: other } = await member();
        const refused = await other.post('/account/email/confirmation');
        expect(refused.status).toBe(409);
        const doc = await page(await other.get('/account'));
        expect(doc.querySelector('form[action="/account/email/confirmation"]')).toBeNull();
      } finally {
        forum.deps.mail = mail;
      }
    });
  });

  describe('password reset', () => {
    async function askReset(login: string, client = unique('forgetful-')) {
      return agent(forum.request, { client }).post('/password/forgot', { login });
    }

    async function resetLink(mail: ReceivedMail | undefined) {
      const link = linkIn(mail, '/password/reset?token=');
      expect(link).toBeDefined();
      return pathOf(link ?? '');
    }

    it('is offered on the sign-in page', async () => {
      const doc = await page(await agent(forum.request).get('/login'));
      expect(doc.querySelector('a[href="/password/forgot"]')?.text).toBe('Forgot your password?');
      const forgot = await agent(forum.request).get('/password/forgot');
      expect(forgot.status).toBe(200);
      expect((await page(forgot)).querySelector('form[action="/password/forgot"]')).not.toBeNull();
    });

    it('answers the same for a username, an address and a name no account has, and mails only the account', async () => {
      const { user, username } = await member();
      const before = mailCount();
      const answers = await Promise.all(
        [username, user.email ?? '', 'nobody_here', 'nobody@nowhere.example'].map(async (login) => {
          const res = await askReset(login);
          return {
            status: res.status,
            location: location(res),
            cookies: res.headers.getSetCookie(),
          };
        }),
      );
      for (const answer of answers) {
        expect(answer).toEqual({ status: 303, location: '/password/forgot?sent=1', cookies: [] });
      }
      const sent = await page(await agent(forum.request).get('/password/forgot?sent=1'));
      expect(sent.querySelector('[role=status]')?.text).toMatch(/If an account has that username/);
      const mails = await newMail(before);
      expect(mails.map((m) => m.to)).toEqual([user.email, user.email]);
      expect(mails[0]?.subject).toBe('Reset your password on the Plimus Community Forums');
      expect(mails[0]?.text).toMatch(/works once, for an hour/);
      // The second request replaced the first link; one row, the SHA-256 of the newest token.
      const rows = await db()
        .select()
        .from(passwordResets)
        .where(eq(passwordResets.userId, user.id));
      const newest = new URLSearchParams((await resetLink(mails[1])).split('?')[1]).get('token');
      expect(newest).toMatch(/^[a-z2-7]{32}$/);
      expect(rows.map((r) => r.id)).toEqual([sha256Hex(newest ?? '')]);
      expect(rows[0]?.expiresAt.getTime()).toBe(forum.deps.now() + HOUR);
      expect(await dumpDatabase(forum.deps)).not.toContain(newest);
      expect((await agent(forum.request).get(await resetLink(mails[0]))).status).toBe(400);
    });

    it('moves the token out of the address before the form, then sets the password, ends every session and signs nobody in', async () => {
      const { user, username, a: before } = await member();
      const count = mailCount();
      await askReset(username);
      const [mail] = await newMail(count);
      const browser = agent(forum.request, { client: unique('resetting-') });
      const fromLink = await browser.get(await resetLink(mail));
      expect(fromLink.status).toBe(303);
      expect(location(fromLink)).toBe('/password/reset');
      expect(fromLink.headers.get('referrer-policy')).toBe('no-referrer');
      const cookie = fromLink.headers.getSetCookie().find((c) => c.startsWith('password_reset='));
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/Path=\/password\/reset/);
      expect(cookie).toMatch(/SameSite=Lax/);
      const form = await browser.get('/password/reset');
      expect(form.status).toBe(200);
      expect(form.headers.get('referrer-policy')).toBe('no-referrer');
      const doc = await page(form);
      expect(
        doc.querySelector('form[action="/password/reset"] input[name=new_password]'),
      ).not.toBeNull();
      expect(doc.querySelector('main')?.text).not.toContain(
        browser.jar.get('password_reset') ?? '?',
      );

      // A weak password comes back, and the link still works.
      const weak = await browser.post('/password/reset', { new_password: 'password123' });
      expect(weak.status).toBe(422);
      expect((await page(weak)).querySelector('#new_password-error')?.text).toMatch(/common/);
      expect((await userRow(user.id))?.passwordHash).toBe(passwordHash);

      const done = await browser.post('/password/reset', { new_password: NEW_PASSWORD });
      expect(done.status).toBe(303);
      expect(location(done)).toBe('/login?done=password-reset');
      expect(browser.jar.has('session')).toBe(false);
      expect(browser.jar.has('password_reset')).toBe(false);
      const login = await page(await browser.get('/login?done=password-reset'));
      expect(login.querySelector('[role=status]')?.text).toMatch(/signed out everywhere/);
      // Every session ended; the new password works, the old one not; the link is used up.
      expect(await db().select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
      expect(await signedIn(before)).toBe(false);
      expect(
        (await agent(forum.request).post('/login', { login: username, password: PASSWORD })).status,
      ).toBe(422);
      expect(
        (await agent(forum.request).post('/login', { login: username, password: NEW_PASSWORD }))
          .status,
      ).toBe(303);
      expect((await agent(forum.request).get(await resetLink(mail))).status).toBe(400);
      expect(
        await db().select().from(passwordResets).where(eq(passwordResets.userId, user.id)),
      ).toEqual([]);

      // The notice, with its "this wasn't me" link.
      const [notice] = await newMail(count + 1);
      expect(notice?.to).toBe(user.email);
      expect(notice?.subject).toBe(
        'The password of your Plimus Community Forums account was changed',
      );
      expect(notice?.text).toContain('Every session of the account was signed out.');
      expect(linkIn(notice, `/password/not-me/${user.id}.`)).toBeDefined();
    });

    it('"this wasn\'t me" asks first, then ends every session again without signing in', async () => {
      const { user, a } = await member();
      const token = notMeToken(forum.deps.keys, user.id, forum.deps.now());
      const visitor = agent(forum.request);
      const asks = await visitor.get(`/password/not-me/${token}`);
      expect(asks.status).toBe(200);
      const doc = await page(asks);
      expect(doc.querySelector(`form[action="/password/not-me/${token}"] button`)?.text).toMatch(
        /Sign my account out everywhere/,
      );
      // Following the link (as a mail scanner does) changes nothing.
      expect(await signedIn(a)).toBe(true);
      const done = await visitor.post(`/password/not-me/${token}`);
      expect(done.status).toBe(200);
      expect((await page(done)).querySelector('h1')?.text).toBe(
        'Your account is signed out everywhere',
      );
      expect(await signedIn(a)).toBe(false);
      expect(visitor.jar.has('session')).toBe(false);

      // A forged, changed or week-old link does nothing.
      const b = await sessionOf(user.id);
      for (const bad of [
        `${user.id}.${forum.deps.now()}.${'A'.repeat(43)}`,
        token.replace(`${user.id}.`, `${user.id + 1}.`),
        'nonsense',
      ]) {
        expect((await visitor.get(`/password/not-me/${bad}`)).status).toBe(400);
        expect((await visitor.post(`/password/not-me/${bad}`)).status).toBe(400);
      }
      forum.clock.advance(7 * DAY + 1000);
      expect((await visitor.post(`/password/not-me/${token}`)).status).toBe(400);
      expect(await signedIn(b)).toBe(true);
    });

    it('stops working after an hour', async () => {
      const { username, user } = await member();
      const count = mailCount();
      await askReset(username);
      const [mail] = await newMail(count);
      forum.clock.advance(HOUR);
      const late = await agent(forum.request).get(await resetLink(mail));
      expect(late.status).toBe(400);
      expect((await page(late)).querySelector('h1')?.text).toBe('This link has expired');
      expect((await agent(forum.request).get('/password/reset')).status).toBe(400);
      expect((await userRow(user.id))?.passwordHash).toBe(passwordHash);
    });

    it('tells an account that signs in with Plimus to reset its password at Plimus', async () => {
      const { user, username } = await member({ passwordHash: null });
      const count = mailCount();
      expect(location(await askReset(username))).toBe('/password/forgot?sent=1');
      const [mail] = await newMail(count);
      expect(mail?.to).toBe(user.email);
      expect(mail?.subject).toBe('Your Plimus Community Forums account signs in with Plimus');
      expect(mail?.text).toMatch(/reset it at Plimus/);
      expect(mail?.text).not.toMatch(/password\/reset/);
      expect(
        await db().select().from(passwordResets).where(eq(passwordResets.userId, user.id)),
      ).toEqual([]);
    });

    it('goes to an address that is not confirmed: a reset is a service notice', async () => {
      const { user, username } = await member();
      expect(user.emailConfirmedAt).toBeNull();
      const count = mailCount();
      await askReset(username);
      expect((await newMail(count)).map((m) => m.to)).toEqual([user.email]);
    });

    it('refuses a fourth request for one account in an hour, and for a name no account has alike', async () => {
      const { username } = await member();
      for (const name of [username, 'no_such_person']) {
        for (let i = 0; i < 3; i++) {
          expect((await askReset(name)).status, name).toBe(303);
        }
        const fourth = await askReset(name);
        expect(fourth.status, name).toBe(429);
        expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
        expect((await page(fourth)).querySelector('#login')?.getAttribute('value')).toBe(name);
      }
    });

    it('refuses a client after 10 requests in an hour', async () => {
      const client = unique('busy-');
      for (let i = 0; i < 10; i++) expect((await askReset(unique('x_'), client)).status).toBe(303);
      expect((await askReset(unique('x_'), client)).status).toBe(429);
    });

    it('refuses an empty name with the form again, and says so when the forum cannot send email', async () => {
      const empty = await askReset('   ');
      expect(empty.status).toBe(422);
      expect((await page(empty)).querySelector('#login-error')?.text).toMatch(
        /Enter your username/,
      );
      const mail = forum.deps.mail;
      forum.deps.mail = noPostbox;
      try {
        const doc = await page(await agent(forum.request).get('/password/forgot'));
        expect(doc.querySelector('form[action="/password/forgot"]')).toBeNull();
        expect(doc.querySelector('main')?.text).toMatch(/not available on this forum/);
        const refused = await askReset('someone');
        expect(refused.status).toBe(409);
      } finally {
        forum.deps.mail = mail;
      }
      expect(
        await db().select().from(mailOutbox).where(eq(mailOutbox.kind, 'password_reset')),
      ).not.toHaveLength(0);
    });
  });

  describe("the privacy notice's change", () => {
    it('is emailed from /admin/mail to every member with an address, once, with its progress shown', async () => {
      const { a: admin } = await member({ role: 'admin' });
      const { user: unconfirmed } = await member();
      const { user: confirmed } = await member({ emailConfirmedAt: new Date(forum.deps.now()) });
      const { user: failing } = await member({ emailFailedAt: new Date(forum.deps.now()) });
      // joined after the change: they agreed to this version when they joined
      const { user: later } = await member({
        createdAt: new Date(`${CURRENT_PRIVACY.date}T12:00:00Z`),
      });
      const { user: noAddress } = await member({ email: null, emailKey: null });

      const before = mailCount();
      const res = await admin.post('/admin/mail/privacy-notice');
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/admin/mail?done=privacy-mailed');
      const waiting = await page(await admin.get('/admin/mail?done=privacy-mailed'));
      expect(waiting.querySelector('[role=status]')?.text).toMatch(/on its way/);
      const bar = waiting.querySelector('section[aria-labelledby="privacy-title"] progress');
      const max = Number(bar?.getAttribute('max'));
      expect(max).toBeGreaterThan(1);
      expect(Number(bar?.getAttribute('value'))).toBeLessThan(max);

      const mails = await newMail(before);
      const to = (u: { email: string | null }) => mails.filter((m) => m.to === u.email);
      expect(to(unconfirmed)).toHaveLength(1);
      expect(to(confirmed)).toHaveLength(1);
      for (const u of [failing, later]) expect(to(u)).toEqual([]);
      expect(mails).toHaveLength(max);
      const [mail] = to(unconfirmed);
      expect(mail?.subject).toMatch(
        /^The privacy notice of the Plimus Community Forums changed \(version [\d.]+ of \d{4}-\d{2}-\d{2}\)$/,
      );
      expect(mail?.text).toContain(`${forum.deps.config.publicOrigin}/privacy`);
      expect(mail?.headers['list-unsubscribe']).toBeUndefined();
      for (const u of [unconfirmed, confirmed, failing, later, noAddress]) {
        const row = await userRow(u.id);
        expect(row?.policyVersionMailed !== null, u.username).toBe(
          u === unconfirmed || u === confirmed,
        );
      }

      const done = await page(await admin.get('/admin/mail'));
      const full = done.querySelector('section[aria-labelledby="privacy-title"] progress');
      expect(full?.getAttribute('value')).toBe(full?.getAttribute('max'));
      expect(done.querySelector('section[aria-labelledby="privacy-title"]')?.text).toMatch(
        new RegExp(`${max} of ${max} sent`),
      );

      // Again: nobody is emailed twice.
      const again = await admin.post('/admin/mail/privacy-notice');
      expect(location(again)).toBe('/admin/mail?done=privacy-unchanged');
      expect(await newMail(mailCount())).toEqual([]);
      // A member who could not be mailed then is mailed now, and only they.
      await db().update(users).set({ emailFailedAt: null }).where(eq(users.id, failing.id));
      await admin.post('/admin/mail/privacy-notice');
      expect((await newMail(mailCount())).map((m) => m.to)).toEqual([failing.email]);
    });

    it('is for administrators only', async () => {
      const { a } = await member({ role: 'moderator' });
      expect((await a.get('/admin/mail')).status).toBe(403);
      expect((await a.post('/admin/mail/privacy-notice')).status).toBe(403);
    });
  });
}
