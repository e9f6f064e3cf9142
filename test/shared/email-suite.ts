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
import { desc, eq } from 'drizzle-orm';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  forums,
  mailings,
  mailOutbox,
  moderationLog,
  passwordResets,
  sessions,
  topics,
  users,
} from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import { hashPassword } from '../../src/auth/password';
import { createSession } from '../../src/auth/session';
import { CURRENT_PRIVACY } from '../../src/content/privacy';
import { notMeToken, unsubscribeToken } from '../../src/mail/links';
import { noPostbox } from '../../src/mail/transport';
import type { Forum } from '../../src/services/forums';
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
    await seedDemo(forum.deps);
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

    it("confirms the link's own account when it is opened signed in as another", async () => {
      const { a, user } = await member();
      const { a: other, user: otherUser } = await member();
      const before = mailCount();
      await a.post('/account/email/confirmation');
      const [mail] = await newMail(before);
      const res = await other.get(pathOf(linkIn(mail, '/account/email/confirm?token=') ?? ''));
      expect(res.status).toBe(200);
      expect((await page(res)).querySelector('h1')?.text).toBe('Your email address is confirmed');
      expect((await userRow(user.id))?.emailConfirmedAt).not.toBeNull();
      expect((await userRow(otherUser.id))?.emailConfirmedAt).toBeNull();
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

  describe('announcements', () => {
    /** The demo's Announcements forum, which the demo content marks as an announcement forum. */
    const announcementsForum = async () =>
      (await db().select().from(forums).where(eq(forums.slug, 'announcements')).get()) as Forum;

    /** People in every state of choice, with a session each. */
    async function audience() {
      const at = new Date(forum.deps.now());
      return {
        subscriber: (await member({ announcementsOptIn: true, emailConfirmedAt: at })).user,
        unconfirmed: (await member({ announcementsOptIn: true })).user,
        notOptedIn: (await member({ emailConfirmedAt: at })).user,
        allOff: (
          await member({ announcementsOptIn: true, emailConfirmedAt: at, optionalEmailOff: true })
        ).user,
        failing: (
          await member({ announcementsOptIn: true, emailConfirmedAt: at, emailFailedAt: at })
        ).user,
      };
    }

    async function announce(a: Agent, fields: Record<string, string> = {}) {
      forum.clock.advance(60_000);
      const title = unique('Big news number ');
      const res = await a.post('/f/announcements', {
        title,
        body: `We have **news**: see [the docs](https://example.org/docs) and [our forum](/f/off-topic). ${title}`,
        kind: 'discussion',
        public_ack: '1',
        ...fields,
      });
      expect(res.status, await res.clone().text()).toBe(303);
      return { title, location: location(res) };
    }

    it('are offered to administrators in an announcement forum only, which administrators mark', async () => {
      expect((await announcementsForum()).announcements).toBe(true);
      const { a: admin } = await member({ role: 'admin' });
      const { a: someone } = await member();
      const box = async (a: Agent, slug: string) =>
        (await page(await a.get(`/f/${slug}/new`))).querySelector('input[name=email_subscribers]');
      expect(await box(admin, 'announcements')).not.toBeNull();
      expect(await box(someone, 'announcements')).toBeNull();
      expect(await box(admin, 'off-topic')).toBeNull();

      const offTopic = await db().select().from(forums).where(eq(forums.slug, 'off-topic')).get();
      const on = await admin.post(`/admin/forums/${offTopic?.id}/announcements`, {
        announcements: '1',
      });
      expect(location(on)).toBe(`/admin/forums/${offTopic?.id}?done=announcements-on`);
      expect(await box(admin, 'off-topic')).not.toBeNull();
      const edit = await page(await admin.get(`/admin/forums/${offTopic?.id}`));
      expect(edit.querySelector('#announcements')?.hasAttribute('checked')).toBe(true);
      const log = await db()
        .select()
        .from(moderationLog)
        .where(eq(moderationLog.targetId, offTopic?.id ?? 0));
      expect(log.map((l) => [l.action, l.note])).toContainEqual([
        'forum_update',
        'announcements: off -> on',
      ]);
      await admin.post(`/admin/forums/${offTopic?.id}/announcements`, {});
      expect(await box(admin, 'off-topic')).toBeNull();
    });

    it('are emailed to members who chose them at a confirmed address, with one-click unsubscribe headers', async () => {
      const people = await audience();
      const { a: admin } = await member({ role: 'admin' });
      const before = mailCount();
      const posted = await announce(admin, { email_subscribers: '1' });
      // One row per recipient who may have it; the others are not even queued.
      const [mailing] = await db()
        .select()
        .from(mailings)
        .where(eq(mailings.kind, 'announcement'))
        .orderBy(desc(mailings.id))
        .limit(1);
      const queued = await db()
        .select()
        .from(mailOutbox)
        .where(eq(mailOutbox.mailingId, mailing?.id ?? 0));
      expect(queued.map((r) => r.userId)).toContain(people.subscriber.id);
      for (const u of [people.unconfirmed, people.notOptedIn, people.allOff, people.failing]) {
        expect(queued.map((r) => r.userId)).not.toContain(u.id);
      }

      const mails = (await newMail(before)).filter((m) => m.subject.startsWith(posted.title));
      expect(mails.map((m) => m.to)).toContain(people.subscriber.email);
      expect(mails).toHaveLength(queued.length);
      const mail = mails.find((m) => m.to === people.subscriber.email);
      expect(mail?.subject).toBe(`${posted.title} (Plimus Community Forums)`);
      const origin = forum.deps.config.publicOrigin;
      const topicUrl = `${origin}${posted.location}`;
      expect(mail?.text).toContain(`Read it and reply on the forums: ${topicUrl}`);
      expect(mail?.text).toContain('We have news: see the docs');
      // RFC 8058: a one-click https (here http) link and its POST partner.
      const unsubscribe = mail?.headers['list-unsubscribe'] ?? '';
      expect(unsubscribe).toMatch(
        new RegExp(
          `^<${origin}/email/unsubscribe/${people.subscriber.id}\\.announcements\\.[A-Za-z0-9_-]{43}>$`,
        ),
      );
      expect(mail?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      // The HTML part is the post as cooked, every link on the forum's own address (other sites
      // through /out), no image at all.
      const html = mail?.html ?? '';
      expect(html).toContain('<strong>news</strong>');
      expect(html).not.toMatch(/<img/i);
      const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1] ?? '');
      expect(hrefs).toContain(`${origin}/out?url=https%3A%2F%2Fexample.org%2Fdocs`);
      expect(hrefs).toContain(`${origin}/f/off-topic`);
      for (const href of hrefs) expect(href.startsWith(`${origin}/`), href).toBe(true);
      for (const link of mail?.text.match(/https?:\/\/[^\s)]+/g) ?? []) {
        expect(link.startsWith(`${origin}/`), link).toBe(true);
      }
    });

    it('are not emailed without the box, nor by anyone but an administrator', async () => {
      await audience();
      const { a: admin } = await member({ role: 'admin' });
      const { a: moderator } = await member({ role: 'moderator' });
      const before = (await db().select().from(mailings)).length;
      await announce(admin);
      await announce(moderator, { email_subscribers: '1' });
      expect(await db().select().from(mailings)).toHaveLength(before);
    });

    it('one click unsubscribes: GET only asks, POST (from a mailbox provider, signed out) stops them at once', async () => {
      const { subscriber } = await audience();
      const link = `/email/unsubscribe/${unsubscribeToken(forum.deps.keys, subscriber.id, 'announcements')}`;
      const visitor = agent(forum.request);
      const asks = await visitor.get(link);
      expect(asks.status).toBe(200);
      expect((await page(asks)).querySelector(`form[action="${link}"] button`)?.text).toBe(
        'Unsubscribe',
      );
      expect((await userRow(subscriber.id))?.announcementsOptIn).toBe(true);

      // As RFC 8058 has it: a POST with List-Unsubscribe=One-Click, from the provider's servers.
      const res = await forum.request(link, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);
      expect((await page(res)).querySelector('[role=status]')?.text).toMatch(
        /no more email announcements/,
      );
      expect(await userRow(subscriber.id)).toMatchObject({
        announcementsOptIn: false,
        optionalEmailOff: false,
      });

      const all = `/email/unsubscribe/${unsubscribeToken(forum.deps.keys, subscriber.id, 'all')}`;
      expect((await visitor.post(all)).status).toBe(200);
      expect((await userRow(subscriber.id))?.optionalEmailOff).toBe(true);

      // A link the forum did not make does nothing, for any method.
      const { subscriber: other } = await audience();
      for (const bad of [
        `${other.id}.announcements.${'A'.repeat(43)}`,
        `${other.id}.all.${unsubscribeToken(forum.deps.keys, subscriber.id, 'all').split('.')[2]}`,
        'nonsense',
      ]) {
        expect((await visitor.get(`/email/unsubscribe/${bad}`)).status, bad).toBe(400);
        expect(
          (await forum.request(`/email/unsubscribe/${bad}`, { method: 'POST' })).status,
          bad,
        ).toBe(400);
      }
      expect(await userRow(other.id)).toMatchObject({
        announcementsOptIn: true,
        optionalEmailOff: false,
      });
    });

    it('are dropped, not sent, for someone who unsubscribed or a topic removed before their turn', async () => {
      const { subscriber } = await audience();
      const { a: admin, user: adminUser } = await member({ role: 'admin' });
      const before = mailCount();
      await announce(admin, { email_subscribers: '1' });
      const link = `/email/unsubscribe/${unsubscribeToken(forum.deps.keys, subscriber.id, 'announcements')}`;
      await agent(forum.request).post(link);
      const mails = await newMail(before);
      expect(mails.map((m) => m.to)).not.toContain(subscriber.email);
      const [row] = await db()
        .select()
        .from(mailOutbox)
        .where(eq(mailOutbox.userId, subscriber.id))
        .orderBy(desc(mailOutbox.id))
        .limit(1);
      expect(row?.status).toBe('dropped');

      const { subscriber: second } = await audience();
      const posted = await announce(admin, { email_subscribers: '1' });
      const topicId = Number(/\/t\/(\d+)\//.exec(posted.location)?.[1]);
      await db()
        .update(topics)
        .set({ removedAt: new Date(forum.deps.now()), removedById: adminUser.id })
        .where(eq(topics.id, topicId));
      const after = await newMail(mailCount());
      expect(after.filter((m) => m.subject.startsWith(posted.title))).toEqual([]);
      const [dropped] = await db()
        .select()
        .from(mailOutbox)
        .where(eq(mailOutbox.userId, second.id))
        .orderBy(desc(mailOutbox.id))
        .limit(1);
      expect(dropped?.status).toBe('dropped');
    });
  });
}
