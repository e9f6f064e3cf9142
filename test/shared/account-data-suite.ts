/**
 * Rights over one's own data, the same on Node (libSQL) and in workerd (D1): the account page and
 * its forms, the email change through the outbox, sessions, the export, account deletion (checked
 * in the database itself) and the privacy-notice banner.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { and, count, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  emailConfirmations,
  forums,
  identityLinks,
  identityPurchases,
  moderationLog,
  pendingEdits,
  postRevisions,
  posts,
  reports,
  sessions,
  suspendedAccounts,
  topics,
  users,
} from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import type { PlimusClaims } from '../../src/auth/oidc';
import { hashPassword } from '../../src/auth/password';
import { createSession } from '../../src/auth/session';
import { CURRENT_PRIVACY } from '../../src/content/privacy';
import { noPostbox } from '../../src/mail/transport';
import { FRESH_AUTH_MS } from '../../src/policy/account';
import type { AccountExport } from '../../src/services/account-data';
import { ensureProduct, ensureVendor } from '../../src/services/catalog';
import { resolvePlimusSignIn } from '../../src/services/identity';
import { createReply, createTopic } from '../../src/services/posting';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { type Agent, agent, location } from './agent';
import { dumpDatabase } from './dump';
import type { ReceivedMail, TestMailbox } from './mail';

export type AccountDataForum = ClockedForum & { mail: TestMailbox };

const PASSWORD = 'correct horse battery staple';
const DAY = 24 * 3600_000;
let seq = 0;
/** a unique part for names, letters only; no tag is a prefix or a part of another */
const tag = () => {
  let n = ++seq;
  let s = '';
  do {
    s += String.fromCharCode(97 + (n % 25));
    n = Math.floor(n / 25);
  } while (n > 0);
  return `q${s}z`;
};
/**
 * A word nobody else wrote, one search token that the stemmer leaves alone (it ends in "qk").
 * Random letters make it share no long prefix with its neighbours in the index, whose pages store
 * each term after the prefix it shares with the one before.
 */
const word = () =>
  `${Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) => String.fromCharCode(97 + (b % 26))).join('')}qk`;
const sha256Hex = (s: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(s)));

export function accountDataSuite(setup: () => Promise<AccountDataForum>) {
  let forum: AccountDataForum;
  let passwordHash: string;
  const db = () => forum.deps.db;
  const page = async (res: Response) => parseHtml(await res.text());
  const userRow = (id: number) => db().select().from(users).where(eq(users.id, id)).get();
  const forumId = async (slug: string) =>
    (await db().select({ id: forums.id }).from(forums).where(eq(forums.slug, slug)).get())?.id ?? 0;

  /** A signed-in member (the session is made directly: signing in is tested elsewhere). */
  async function member(
    opts: {
      name?: string;
      password?: boolean;
      role?: 'member' | 'moderator';
      policyVersionSeen?: string | null;
      remember?: boolean;
      /** a hash of its own (same password, another salt), to look for it after a deletion */
      ownHash?: boolean;
    } = {},
  ) {
    const username = opts.name ?? `member_${tag()}`;
    const [user] = await db()
      .insert(users)
      .values({
        username,
        usernameKey: username.toLowerCase(),
        email: `${username}@example.com`,
        emailKey: `${username}@example.com`.toLowerCase(),
        passwordHash:
          opts.password === false
            ? null
            : opts.ownHash
              ? await hashPassword(PASSWORD)
              : passwordHash,
        role: opts.role ?? 'member',
        createdAt: new Date(forum.deps.now() - 10 * DAY),
        ageConfirmedAt: new Date(forum.deps.now() - 10 * DAY),
        publicAckAt: new Date(forum.deps.now() - 10 * DAY),
        policyVersionSeen:
          opts.policyVersionSeen === undefined ? CURRENT_PRIVACY.version : opts.policyVersionSeen,
      })
      .returning();
    if (!user) throw new Error('no user');
    const a = await signIn(user.id, opts.remember);
    return { a, user, username };
  }

  async function signIn(
    userId: number,
    remember = false,
    device: string | null = null,
  ): Promise<Agent> {
    const a = agent(forum.request, { client: `client-${tag()}` });
    const { token } = await createSession(forum.deps, userId, { remember, device });
    a.jar.set('session', token);
    return a;
  }

  const accountPage = async (a: Agent) => {
    const res = await a.get('/account');
    expect(res.status).toBe(200);
    return page(res);
  };

  /**
   * Every forum's counters agree with its listed topics (approved, not removed); its latest topic
   * is the most recently active of them.
   */
  async function expectForumCountersConsistent() {
    const listed = sql.raw(`t.forum_id = f.id and t.state = 'visible' and t.removed_at is null`);
    const rows = await db().all<{
      slug: string;
      topic_count: number;
      post_count: number;
      last_topic_id: number | null;
      listed: number;
      listed_posts: number;
      latest: number | null;
    }>(sql`select f.slug, f.topic_count, f.post_count, f.last_topic_id,
      (select count(*) from topics t where ${listed}) as listed,
      (select coalesce(sum(t.post_count), 0) from topics t where ${listed}) as listed_posts,
      (select t.id from topics t where ${listed} order by t.last_post_at desc, t.id desc limit 1) as latest
      from forums f`);
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) {
      expect(r.topic_count, r.slug).toBe(r.listed);
      expect(r.post_count, r.slug).toBe(r.listed_posts);
      expect(r.last_topic_id, r.slug).toBe(r.latest);
    }
  }

  /**
   * A visitor half-way through joining with a Plimus identity new to the forum: the sign-in
   * itself (OpenID Connect) is tested with the identity provider; this is what it leaves.
   */
  async function joiningWithPlimus(claims: PlimusClaims): Promise<Agent> {
    const pending = await resolvePlimusSignIn(
      forum.deps,
      'https://login.plimus.example/',
      claims,
      null,
    );
    if (pending.kind !== 'choose-username') throw new Error(`not a new identity: ${pending.kind}`);
    const joining = agent(forum.request, { client: `client-${tag()}` });
    joining.jar.set('plimus_signup', pending.token);
    return joining;
  }

  /** The moderation log's entries about an account: action, target deleted, reason, note. */
  const logAbout = async (userId: number) =>
    (
      await db()
        .select()
        .from(moderationLog)
        .where(and(eq(moderationLog.targetType, 'user'), eq(moderationLog.targetId, userId)))
    ).map((l) => [l.action, l.targetDeleted, l.reason, l.note]);

  /** The columns that hold a user's id: every foreign key to users, as SQLite reports them. */
  async function userColumns(): Promise<[string, string][]> {
    const tables = await db().all<{ name: string }>(
      sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name not like 'd1_%' and name not like 'posts_fts%'`,
    );
    const columns: [string, string][] = [['users', 'id']];
    for (const { name } of tables) {
      const fks = await db().all<{ table: string; from: string }>(
        sql.raw(`select "table", "from" from pragma_foreign_key_list('${name}')`),
      );
      for (const fk of fks) if (fk.table === 'users') columns.push([name, fk.from]);
    }
    // sessions, email confirmations, identity links, topics (4), posts (2), revisions, reports
    // (2), moderation log: the list is SQLite's own, and it is not empty.
    expect(columns.length).toBeGreaterThanOrEqual(14);
    return columns;
  }

  /** Where the search index could still hold a word: a match, its content table, its blobs. */
  async function searchIndexHolds(term: string) {
    const [match] = await db().all<{ n: number }>(
      sql`select count(*) as n from posts_fts where posts_fts match ${term}`,
    );
    const [content] = await db().all<{ n: number }>(
      sql`select count(*) as n from posts_fts_content where instr(lower(c0 || ' ' || c1), ${term}) > 0`,
    );
    // A term is stored after the prefix it shares with the term before it: look for the rest.
    const [blobs] = await db().all<{ n: number }>(
      sql`select count(*) as n from posts_fts_data where instr(block, cast(${term.slice(4)} as blob)) > 0`,
    );
    return { match: match?.n ?? 0, content: content?.n ?? 0, blobs: blobs?.n ?? 0 };
  }

  beforeAll(async () => {
    forum = await setup();
    passwordHash = await hashPassword(PASSWORD);
    await seedDemo(forum.deps);
  });

  describe('GET /account', () => {
    it('is refused to visitors, like every route of the account', async () => {
      const visitor = agent(forum.request);
      for (const path of ['/account', '/account/export', '/account/delete']) {
        expect((await visitor.get(path)).status, path).toBe(403);
      }
      for (const path of [
        '/account/profile',
        '/account/email',
        '/account/email/confirmation',
        '/account/email-choices',
        '/account/password',
        '/account/sessions/end-others',
        '/account/privacy-notice/dismiss',
        '/account/delete',
      ]) {
        expect((await visitor.post(path, { display_name: 'x' })).status, path).toBe(403);
      }
    });

    it('shows the person their own data in sections, each with a heading and its own form', async () => {
      const { a, username } = await member();
      const doc = await accountPage(a);
      expect(doc.querySelector('h1')?.text).toBe('Your account');
      const sections = [
        'Profile',
        'Email address',
        'What we email you',
        'Password',
        'Plimus identity',
        'Where you are signed in',
        'Your notifications as a feed',
        'What you watch',
        'Your data',
      ];
      expect(doc.querySelectorAll('main h2').map((h) => h.text)).toEqual([
        'On this page',
        ...sections,
      ]);
      // A table of contents at the top, linking to each section, which its heading names.
      const toc = doc.querySelector('main nav.toc');
      expect(toc?.getAttribute('aria-labelledby')).toBe('toc-title');
      const entries = toc?.querySelectorAll('ol li a') ?? [];
      expect(entries.map((l) => l.text)).toEqual(sections);
      for (const link of entries) {
        const target = doc.querySelector(`main section${link.getAttribute('href')}`);
        expect(target, link.text).not.toBeNull();
        const heading = target?.querySelector('h2');
        expect(heading?.text).toBe(link.text);
        expect(target?.getAttribute('aria-labelledby')).toBe(heading?.id);
      }
      // The list comes before every section and every form.
      const html = doc.querySelector('main')?.innerHTML ?? '';
      expect(html.indexOf('class="toc"')).toBeLessThan(html.indexOf('<section'));
      expect(html.indexOf('class="toc"')).toBeLessThan(html.indexOf('<form'));
      // Each form is in its section: the email choices have one of their own.
      expect(doc.querySelector('#account-email-choices form')?.getAttribute('action')).toBe(
        '/account/email-choices',
      );
      expect(doc.querySelector('#account-email form[action="/account/email"]')).not.toBeNull();
      expect(doc.querySelector('main')?.text).toContain(`${username}@example.com`);
      const actions = doc.querySelectorAll('main form').map((f) => f.getAttribute('action'));
      expect(actions).toEqual([
        '/account/profile',
        // the address is not confirmed yet: the link can be sent again
        '/account/email/confirmation',
        '/account/email',
        '/account/email-choices',
        '/account/password',
        '/account/notification-feed/reset',
      ]);
      const links = doc.querySelectorAll('main a').map((l) => l.getAttribute('href'));
      expect(links).toContain('/account/export');
      expect(links).toContain('/account/delete');
      expect(links).toContain(`/u/${username}`);
    });

    it.each([
      ['linked', /Plimus identity is now linked/],
      ['refreshed', /already linked/],
      ['unlinked', /was unlinked/],
      ['unlink-refused', /was not unlinked.*no password/],
      ['reauthenticated', /confirmed that it is you/],
    ])('says what happened after ?done=%s', async (done, text) => {
      const { a } = await member();
      const doc = await page(await a.get(`/account?done=${done}`));
      expect(doc.querySelector('[role=status]')?.text).toMatch(text);
    });

    it('shows no notice for an unknown ?done', async () => {
      const { a } = await member();
      const doc = await page(await a.get('/account?done=%3Cscript%3E'));
      expect(doc.querySelector('[role=status]')).toBeNull();
    });
  });

  describe('POST /account/profile', () => {
    it('saves the display name (trimmed) and bio, shown on the public profile at once', async () => {
      const { a, user, username } = await member();
      const form = (await accountPage(a)).querySelector('form[action="/account/profile"]');
      const notice = form?.querySelector('.public-notice');
      expect(notice?.text).toContain('Your profile will be public');
      expect(form?.querySelector('button')?.getAttribute('aria-describedby')).toBe(
        notice?.getAttribute('id'),
      );
      const res = await a.post('/account/profile', {
        display_name: '  Ada   Lovelace ',
        bio: 'Writes about engines.\r\nAnd notes.',
      });
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/account?done=profile');
      const row = await userRow(user.id);
      expect(row?.displayName).toBe('Ada Lovelace');
      expect(row?.bio).toBe('Writes about engines.\nAnd notes.');
      const profile = await page(await agent(forum.request).get(`/u/${username}`));
      expect(profile.querySelector('h1')?.text).toContain('Ada Lovelace');
      expect(profile.querySelector('.profile-bio')?.text).toContain('Writes about engines.');
      const again = await page(await a.get(location(res)));
      expect(again.querySelector('[role=status]')?.text).toMatch(/profile was saved/);
      expect(again.querySelector('#display_name')?.getAttribute('value')).toBe('Ada Lovelace');

      expect((await a.post('/account/profile', { display_name: '   ', bio: '' })).status).toBe(303);
      expect(await userRow(user.id)).toMatchObject({ displayName: null, bio: '' });
    });

    it.each([
      ['a display name over 50 characters', { display_name: 'n'.repeat(51) }, 'display_name'],
      ['a bio over 1,000 characters', { bio: 'b'.repeat(1001) }, 'bio'],
      ['a NUL in the display name', { display_name: 'Ada\u0000 Lovelace' }, 'display_name'],
      [
        'a right-to-left override in the display name',
        { display_name: 'Ada \u202eecalevoL' },
        'display_name',
      ],
      ['an isolate in the bio', { bio: 'Writes \u2067about\u2069 engines.' }, 'bio'],
    ])('refuses %s: 422, the text kept, nothing saved', async (_, change, field) => {
      const { a, user } = await member();
      await a.post('/account/profile', { display_name: 'Before', bio: 'Old bio.' });
      const before = await userRow(user.id);
      const fields = { display_name: 'Typed name', bio: 'Typed bio.', ...change };
      const res = await a.post('/account/profile', fields);
      expect(res.status).toBe(422);
      const doc = await page(res);
      expect(doc.querySelector(`#${field}-error`)?.text).toMatch(
        /at most|invisible control characters/,
      );
      expect(doc.querySelector('.error-summary a')?.getAttribute('href')).toBe(`#${field}`);
      expect(doc.querySelector('#display_name')?.getAttribute('value')).toBe(fields.display_name);
      expect(doc.querySelector('#bio')?.text.replace(/^\n/, '')).toBe(fields.bio);
      expect(await userRow(user.id)).toEqual(before);
    });
  });

  describe('a display name from a Plimus identity', () => {
    it('loses the hidden characters a typed one is refused', async () => {
      const joining = await joiningWithPlimus({
        sub: `named-${tag()}`,
        name: 'Ada\u202e ecalevoL\u0000',
      });
      const username = `named_${tag()}`;
      const res = await joining.post('/auth/plimus/complete', {
        username,
        age_confirmed: '1',
        public_ack: '1',
      });
      expect(res.status).toBe(303);
      const row = await db().select().from(users).where(eq(users.username, username)).get();
      expect(row?.displayName).toBe('Ada ecalevoL');
    });
  });

  describe('changing the email address', () => {
    const confirmationRows = (userId: number) =>
      db().select().from(emailConfirmations).where(eq(emailConfirmations.userId, userId));
    const linkIn = (mail: ReceivedMail | undefined) =>
      mail?.text.match(/https?:\/\/\S+\/account\/email\/confirm\?token=[a-z2-7]+/)?.[0];
    /** the messages the forum sends now, as received */
    const deliver = async () => {
      await forum.mail.deliver();
      return forum.mail.received();
    };
    const lastMail = async () => (await deliver()).at(-1);

    it('sends a link to the new address and changes it when the link is opened', async () => {
      const { a, user } = await member();
      const sent = (await deliver()).length;
      const res = await a.post('/account/email', { email: '  New.Address@Example.org ' });
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/account?done=email-sent');
      const received = await deliver();
      expect(received).toHaveLength(sent + 1);
      const mail = received[sent];
      // (nodemailer writes the domain in lower case, as domains are)
      expect(mail?.to.replace(/@.*/, (d) => d.toLowerCase())).toBe('New.Address@example.org');
      const link = linkIn(mail);
      expect(
        link?.startsWith(`${forum.deps.config.publicOrigin}/account/email/confirm?token=`),
      ).toBe(true);
      const token = new URL(link ?? '').searchParams.get('token') ?? '';
      // Only the token's hash is stored, with the address and a 24-hour expiry.
      const [row] = await confirmationRows(user.id);
      expect(row?.id).toBe(sha256Hex(token));
      expect(row?.email).toBe('New.Address@Example.org');
      expect(row?.expiresAt.getTime()).toBe(forum.deps.now() + DAY);
      expect(await dumpDatabase(forum.deps)).not.toContain(token);
      // Nothing changes until the link is opened.
      expect((await userRow(user.id))?.email).toBe(user.email);
      const waiting = await page(await a.get(location(res)));
      expect(waiting.querySelector('[role=status]')?.text).toMatch(/sent a confirmation link/);
      expect(waiting.querySelector('main')?.text).toContain('New.Address@Example.org');

      const confirmed = await a.get(new URL(link ?? '').pathname + new URL(link ?? '').search);
      expect(confirmed.status).toBe(303);
      expect(location(confirmed)).toBe('/account?done=email');
      expect(await userRow(user.id)).toMatchObject({
        email: 'New.Address@Example.org',
        emailKey: 'new.address@example.org',
      });
      expect(await confirmationRows(user.id)).toEqual([]);
      const after = await page(await a.get(location(confirmed)));
      expect(after.querySelector('[role=status]')?.text).toMatch(/email address was changed/);
      // The link works once.
      expect((await a.get(new URL(link ?? '').pathname + new URL(link ?? '').search)).status).toBe(
        400,
      );
    });

    it('answers for an address another account uses as for a free one, and tells that address someone tried', async () => {
      const { username: otherName, user: other } = await member();
      const { a: asksTaken, user } = await member();
      const { a: asksFree, user: freeUser } = await member();
      const taken = `${otherName.toUpperCase()}@EXAMPLE.COM`;
      const free = `free_${tag()}@example.org`;
      const sent = (await deliver()).length;
      const takenRes = await asksTaken.post('/account/email', { email: taken });
      const freeRes = await asksFree.post('/account/email', { email: free });
      expect(takenRes.status).toBe(303);
      expect(freeRes.status).toBe(303);
      expect(location(takenRes)).toBe(location(freeRes));
      // The account pages say the same, each with the address its person typed.
      const shown = async (a: typeof asksFree, who: typeof user, typed: string) =>
        (await page(await a.get('/account?done=email-sent')))
          .querySelector('main')
          ?.text.replaceAll(typed, 'TYPED')
          .replaceAll(who.email ?? '', 'OWN')
          .replaceAll(who.username, 'NAME');
      const takenPage = await shown(asksTaken, user, taken);
      expect(takenPage).toContain('TYPED');
      expect(takenPage).toBe(await shown(asksFree, freeUser, free));
      // Nothing changes for either account.
      expect((await userRow(user.id))?.email).toBe(user.email);
      expect((await userRow(other.id))?.email).toBe(other.email);
      // The taken address hears that someone tried, with no link to follow.
      const received = await deliver();
      expect(received).toHaveLength(sent + 2);
      const [toTaken, toFree] = received.slice(sent);
      // to the address as the account has it: the same mailbox as the one typed
      expect(toTaken?.to).toBe(other.email);
      expect(toTaken?.subject).toMatch(/Someone tried to use your email address/);
      expect(toTaken?.text).toContain(`Someone signed in as ${user.username}`);
      expect(toTaken?.text).toMatch(/already belongs to a forum account, so nothing changed/);
      expect(toTaken?.text).not.toMatch(/token=/);
      expect(linkIn(toFree)).toBeTruthy();
    });

    it.each([
      ['not an address', 'not-an-address', /email address like/],
      ['its own address', 'SELF', /already your email address/],
    ])('refuses %s with 422, the text kept', async (_, email, message) => {
      const { a, user, username } = await member();
      const typed = email === 'SELF' ? `${username}@example.com` : email;
      const sent = (await deliver()).length;
      const res = await a.post('/account/email', { email: typed });
      expect(res.status).toBe(422);
      const doc = await page(res);
      expect(doc.querySelector('#email-error')?.text).toMatch(message);
      expect(doc.querySelector('#email')?.getAttribute('value')).toBe(typed);
      expect(await deliver()).toHaveLength(sent);
      expect(await confirmationRows(user.id)).toEqual([]);
      expect((await userRow(user.id))?.email).toBe(user.email);
    });

    it('refuses an expired, unknown or other account’s link with a clear 400 page', async () => {
      const { a, user } = await member({ remember: true });
      const { a: other } = await member();
      await a.post('/account/email', { email: `late_${tag()}@example.org` });
      const link = new URL(linkIn(await lastMail()) ?? '');
      const path = `${link.pathname}${link.search}`;
      // A new address is taken on only in a session of its account.
      expect((await agent(forum.request).get(path)).status).toBe(403);

      const foreign = await other.get(path);
      expect(foreign.status).toBe(400);
      expect((await page(foreign)).querySelector('h1')?.text).toBe(
        'This link is for another account',
      );

      forum.clock.advance(DAY + 1000);
      const expired = await a.get(path);
      expect(expired.status).toBe(400);
      const doc = await page(expired);
      expect(doc.querySelector('h1')?.text).toBe('This link has expired');
      expect(doc.querySelector('main')?.text).toMatch(/Ask for a new link/);
      expect((await userRow(user.id))?.email).toBe(user.email);

      expect((await a.get('/account/email/confirm?token=nosuchtoken')).status).toBe(400);
      expect((await a.get('/account/email/confirm')).status).toBe(400);
    });

    it('a new request replaces the earlier one, whose link stops working', async () => {
      const { a, user } = await member();
      await a.post('/account/email', { email: `first_${tag()}@example.org` });
      const first = new URL(linkIn(await lastMail()) ?? '');
      const second = `second_${tag()}@example.org`;
      await a.post('/account/email', { email: second });
      expect(await confirmationRows(user.id)).toHaveLength(1);
      expect((await a.get(`${first.pathname}${first.search}`)).status).toBe(400);
      const link = new URL(linkIn(await lastMail()) ?? '');
      expect((await a.get(`${link.pathname}${link.search}`)).status).toBe(303);
      expect((await userRow(user.id))?.email).toBe(second);
    });

    it('sends at most 5 links an hour for one account (each is an email to any address)', async () => {
      const { a, user } = await member();
      for (let i = 0; i < 5; i++) {
        expect(
          (await a.post('/account/email', { email: `try${i}_${tag()}@example.org` })).status,
        ).toBe(303);
      }
      const sent = (await deliver()).length;
      const res = await a.post('/account/email', { email: `sixth_${tag()}@example.org` });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await page(res)).querySelector('#email-error')?.text).toMatch(/Please wait/);
      expect(await deliver()).toHaveLength(sent);
      expect(await confirmationRows(user.id)).toHaveLength(1);
    });

    it('says that it is not available when the forum cannot send email, and pretends nothing', async () => {
      const { a, user } = await member();
      const mail = forum.deps.mail;
      forum.deps.mail = noPostbox;
      try {
        const doc = await accountPage(a);
        expect(doc.querySelector('form[action="/account/email"]')).toBeNull();
        expect(doc.querySelector('main')?.text).toMatch(
          /Changing the email address is not available on this forum yet/,
        );
        const res = await a.post('/account/email', { email: `nomail_${tag()}@example.org` });
        expect(res.status).toBe(409);
        expect((await page(res)).querySelector('.error-summary')?.text).toMatch(
          /not available on this forum yet/,
        );
        expect(await confirmationRows(user.id)).toEqual([]);
      } finally {
        forum.deps.mail = mail;
      }
    });
  });

  describe('POST /account/password', () => {
    it('refuses a weak new password with 422 and changes nothing', async () => {
      const { a, user } = await member();
      const res = await a.post('/account/password', {
        current_password: PASSWORD,
        new_password: 'short',
      });
      expect(res.status).toBe(422);
      expect((await page(res)).querySelector('#new_password-error')?.text).toMatch(/at least 10/);
      expect((await userRow(user.id))?.passwordHash).toBe(passwordHash);
    });

    it('lets an account without a password set one only after a fresh Plimus sign-in', async () => {
      const { a, user } = await member({ password: false });
      const other = await signIn(user.id);
      const before = await accountPage(a);
      const section = before.querySelector('section[aria-labelledby="password-title"]');
      expect(section?.querySelector('form')).toBeNull();
      expect(section?.text).toMatch(/no password here/);
      expect(!!section?.querySelector('a[href="/auth/plimus?intent=reauthenticate"]')).toBe(
        !!forum.deps.plimus,
      );
      const refused = await a.post('/account/password', { new_password: 'a fine new passphrase' });
      expect(refused.status).toBe(403);
      expect((await userRow(user.id))?.passwordHash).toBeNull();

      // The fresh sign-in itself (OpenID Connect) is tested with the identity provider.
      const sessionId = (a.jar.get('session') ?? '').split('.')[0] ?? '';
      await db()
        .update(sessions)
        .set({ freshAuthAt: new Date(forum.deps.now()) })
        .where(eq(sessions.id, sessionId));
      const fresh = await accountPage(a);
      expect(fresh.querySelector('form[action="/account/password"] #current_password')).toBeNull();
      expect(fresh.querySelector('form[action="/account/password"] #new_password')).not.toBeNull();
      const weak = await a.post('/account/password', { new_password: 'qwertyuiop' });
      expect(weak.status).toBe(422);
      expect((await page(weak)).querySelector('#new_password-error')?.text).toMatch(/common/);
      expect((await userRow(user.id))?.passwordHash).toBeNull();

      const ok = await a.post('/account/password', { new_password: 'a fine new passphrase' });
      expect(ok.status).toBe(303);
      expect(location(ok)).toBe('/account?done=password-set');
      expect((await userRow(user.id))?.passwordHash).toMatch(/^\$scrypt\$/);
      expect((await other.get('/account')).status).toBe(403);
      expect((await a.get('/account')).status).toBe(200);
    });

    it('does not count a sign-in older than the confirmation window', async () => {
      const { a, user } = await member({ password: false });
      const sessionId = (a.jar.get('session') ?? '').split('.')[0] ?? '';
      await db()
        .update(sessions)
        .set({ freshAuthAt: new Date(forum.deps.now() - FRESH_AUTH_MS - 1) })
        .where(eq(sessions.id, sessionId));
      expect(
        (await a.post('/account/password', { new_password: 'a fine new passphrase' })).status,
      ).toBe(403);
      expect((await userRow(user.id))?.passwordHash).toBeNull();
    });
  });

  describe('the Plimus identity section', () => {
    async function link(userId: number, t: string) {
      const vendor = await ensureVendor(forum.deps, {
        plimusVendorId: `vendor-${t}`,
        name: `Vendor ${t.toUpperCase()}`,
      });
      const [row] = await db()
        .insert(identityLinks)
        .values({
          userId,
          issuer: 'https://login.plimus.example/',
          subject: `subject-${t}`,
          linkedAt: new Date(Date.parse('2026-11-02T10:00:00Z')),
          claimsRefreshedAt: new Date(forum.deps.now()),
          vendorId: vendor.id,
        })
        .returning();
      await ensureProduct(forum.deps, {
        plimusProductId: `product-${t}`,
        name: `Product ${t}`,
        vendorId: vendor.id,
      });
      await db()
        .insert(identityPurchases)
        .values([
          { linkId: row?.id ?? 0, plimusProductId: `product-${t}` },
          { linkId: row?.id ?? 0, plimusProductId: `unknown-product-${t}` },
        ]);
      return { vendor, subject: `subject-${t}` };
    }

    it('offers to link when unlinked (where Plimus sign-in is configured)', async () => {
      const { a } = await member();
      const section = (await accountPage(a)).querySelector(
        'section[aria-labelledby="plimus-title"]',
      );
      expect(section?.text).toMatch(/not linked/);
      expect(!!section?.querySelector('a[href="/auth/plimus"]')).toBe(!!forum.deps.plimus);
      expect(section?.querySelector('form')).toBeNull();
    });

    it('shows the link, vendor staff and purchases; Unlink only with a password', async () => {
      const t = tag();
      const { a, user } = await member();
      await link(user.id, t);
      const section = (await accountPage(a)).querySelector(
        'section[aria-labelledby="plimus-title"]',
      );
      const text = section?.text.replace(/\s+/g, ' ');
      expect(text).toContain('login.plimus.example');
      expect(text).toContain('2 November 2026');
      expect(text).toContain(`of Vendor ${t.toUpperCase()}`);
      expect(text).toMatch(/Purchases on record\s*2/);
      expect(section?.querySelector('form[action="/account/plimus/unlink"]')).not.toBeNull();
      // the buyer-badge setting lives beside the identity that brings the purchases
      expect(section?.querySelector('form[action="/account/buyer-badge"]')).not.toBeNull();

      const t2 = tag();
      const { a: noPassword, user: u2 } = await member({ password: false });
      await link(u2.id, t2);
      const other = (await accountPage(noPassword)).querySelector(
        'section[aria-labelledby="plimus-title"]',
      );
      expect(other?.querySelector('form[action="/account/plimus/unlink"]')).toBeNull();
      expect(other?.text).toMatch(/Unlinking is not offered: this account has no password/);
    });
  });

  describe('POST /account/email-choices', () => {
    it('keeps announcements off by default; both choices can be changed at any time', async () => {
      const { a, user } = await member();
      const box = async (name: string) =>
        (await accountPage(a)).querySelector(`#${name}`)?.hasAttribute('checked');
      expect(await box('announcements')).toBe(false);
      expect(await box('optional_email_off')).toBe(false);
      expect(await userRow(user.id)).toMatchObject({
        announcementsOptIn: false,
        optionalEmailOff: false,
      });
      const on = await a.post('/account/email-choices', { announcements: '1' });
      expect(location(on)).toBe('/account?done=email-choices');
      expect((await userRow(user.id))?.announcementsOptIn).toBe(true);
      expect(await box('announcements')).toBe(true);
      await a.post('/account/email-choices', { announcements: '1', optional_email_off: '1' });
      expect(await userRow(user.id)).toMatchObject({
        announcementsOptIn: true,
        optionalEmailOff: true,
      });
      expect(await box('optional_email_off')).toBe(true);
      const off = await a.post('/account/email-choices', {});
      expect(location(off)).toBe('/account?done=email-choices');
      expect(await userRow(user.id)).toMatchObject({
        announcementsOptIn: false,
        optionalEmailOff: false,
      });
      const saved = await page(await a.get('/account?done=email-choices'));
      expect(saved.querySelector('[role=status]')?.text).toMatch(/email choices were saved/);
    });
  });

  describe('sessions', () => {
    it('names the browser and system of each sign-in, and keeps only that name', async () => {
      const { user, username } = await member();
      forum.clock.advance(60_000);
      const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
      const iphone =
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
      const signInWith = async (userAgent: string) => {
        const a = agent(forum.request, { client: `client-${tag()}` });
        const res = await a.post(
          '/login',
          { login: username, password: PASSWORD },
          { 'User-Agent': userAgent },
        );
        expect(res.status).toBe(303);
        return a;
      };
      const onLinux = await signInWith(firefox);
      forum.clock.advance(60_000);
      await signInWith(iphone);
      forum.clock.advance(60_000);
      await signInWith('NoSuchAgent/7.7.7 (probe-qz)');
      const rows = await db()
        .select({ device: sessions.device })
        .from(sessions)
        .where(eq(sessions.userId, user.id))
        .orderBy(sessions.createdAt);
      expect(rows.map((r) => r.device)).toEqual([
        null, // the session member() made, without a User-Agent
        'Firefox on Linux',
        'Safari on iOS',
        null,
      ]);
      // Only the name: no version, no other part of the header, anywhere in the database.
      const dump = await dumpDatabase(forum.deps);
      expect(dump).not.toContain('rv:133.0');
      expect(dump).not.toContain('15E148');
      expect(dump).not.toContain('probe-qz');

      forum.clock.advance(60_000);
      const doc = await accountPage(onLinux);
      const names = doc
        .querySelectorAll('section[aria-labelledby="sessions-title"] tbody tr')
        .map((r) => r.querySelector('td')?.text);
      // Most recently used first: this browser, then the others.
      expect(names).toEqual([
        'Firefox on Linux (this browser)',
        'Unknown browser',
        'Safari on iOS',
        'Unknown browser',
      ]);
      expect(doc.querySelector('table.sessions th')?.text).toBe('Browser');
      // The privacy notice says so.
      const privacy = await page(await agent(forum.request).get('/privacy'));
      expect(privacy.text.replace(/\s+/g, ' ')).toContain(
        'the name of the browser and system that signed in (such as “Firefox on Linux”)',
      );
    });

    it('lists each session (no address), marks this one, and signs out everywhere else', async () => {
      const { a, user } = await member();
      forum.clock.advance(5 * 60_000);
      const remembered = await signIn(user.id, true);
      const third = await signIn(user.id);
      const doc = await accountPage(a);
      const section = doc.querySelector('section[aria-labelledby="sessions-title"]');
      const rows = section?.querySelectorAll('tbody tr') ?? [];
      expect(rows).toHaveLength(3);
      expect(rows.filter((r) => r.text.includes('(this browser)'))).toHaveLength(1);
      expect(rows.filter((r) => r.text.includes('Yes, for 30 days'))).toHaveLength(1);
      expect(rows.every((r) => r.querySelectorAll('time').length === 2)).toBe(true);
      expect(section?.text).not.toMatch(/\b\d{1,3}(\.\d{1,3}){3}\b|::/);
      // Sessions made without a User-Agent name no browser.
      expect(rows.map((r) => r.querySelector('td')?.text.replace(' (this browser)', ''))).toEqual([
        'Unknown browser',
        'Unknown browser',
        'Unknown browser',
      ]);

      const res = await a.post('/account/sessions/end-others');
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/account?done=signed-out-elsewhere');
      expect((await remembered.get('/account')).status).toBe(403);
      expect((await third.get('/account')).status).toBe(403);
      const after = await accountPage(a);
      expect(
        after.querySelectorAll('section[aria-labelledby="sessions-title"] tbody tr'),
      ).toHaveLength(1);
      expect(after.querySelector('form[action="/account/sessions/end-others"]')).toBeNull();
      expect(
        await db().select({ n: count() }).from(sessions).where(eq(sessions.userId, user.id)).get(),
      ).toEqual({ n: 1 });
    });
  });

  /**
   * A person with something in every place the forum keeps personal data: a moderator with
   * topics (one nobody answered, one others replied to), a reply in someone else's topic that
   * was edited, moderation actions, a report, a Plimus identity with vendor and purchases, a
   * pending email change and two sessions. Every word they wrote is unique to them.
   */
  async function busyPerson() {
    const t = tag();
    const words = {
      lonelyTitle: word(),
      lonely: word(),
      answeredTitle: word(),
      answered: word(),
      reply: word(),
      oldReply: word(),
      pending: word(),
      note: word(),
      bio: word(),
    };
    const name = `Leaver_${t}`;
    const { a, user } = await member({ name, role: 'moderator', ownHash: true });
    await a.post('/account/profile', { display_name: `Display ${t}`, bio: words.bio });
    const { user: other } = await member();
    const { user: otherModerator } = await member({ role: 'moderator' });
    const offTopic = await forumId('off-topic');
    const help = await forumId('marketplace-help');

    const answered = await createTopic(forum.deps, {
      forumId: help,
      authorId: user.id,
      title: `Question ${words.answeredTitle}`,
      body: `Please help with ${words.answered}.`,
      kind: 'question',
    });
    forum.clock.advance(1000);
    const othersReply = await createReply(forum.deps, {
      topicId: answered.topicId,
      authorId: other.id,
      body: 'Here is how that works.',
    });
    forum.clock.advance(1000);
    const othersTopic = await createTopic(forum.deps, {
      forumId: offTopic,
      authorId: other.id,
      title: 'Someone else started this',
      body: 'A topic by another member.',
      kind: 'discussion',
    });
    forum.clock.advance(1000);
    const reply = await createReply(forum.deps, {
      topicId: othersTopic.topicId,
      authorId: user.id,
      body: `First version ${words.oldReply}.`,
    });
    forum.clock.advance(1000);
    const edited = await a.post(`/posts/${reply.postId}`, {
      body: `Second version ${words.reply}.`,
    });
    expect(edited.status).toBe(303);
    forum.clock.advance(1000);
    // An edit of the first post, waiting for a moderator's approval.
    await db()
      .insert(pendingEdits)
      .values({
        postId: answered.postId,
        bodyMarkdown: `Waiting ${words.pending}.`,
        bodyHtml: `<p>Waiting ${words.pending}.</p>`,
        cookVersion: 1,
        createdAt: new Date(forum.deps.now()),
      });
    // Started last: the latest topic of its forum.
    const lonely = await createTopic(forum.deps, {
      forumId: offTopic,
      authorId: user.id,
      title: `Alone ${words.lonelyTitle}`,
      body: `Nobody answers ${words.lonely}.`,
      kind: 'discussion',
    });

    // As a moderator: an accepted answer, a removal, an edit of someone else's post, a resolved
    // report, a log entry; and a moderator's record about this account.
    const now = new Date(forum.deps.now());
    await db()
      .update(topics)
      .set({ acceptedPostId: othersReply.postId, acceptedById: user.id, acceptedAt: now })
      .where(eq(topics.id, answered.topicId));
    await db()
      .update(posts)
      .set({ removedAt: now, removedById: user.id, removedReason: 'off_topic' })
      .where(eq(posts.id, othersTopic.postId));
    await db().insert(postRevisions).values({
      postId: othersReply.postId,
      number: 1,
      bodyMarkdown: 'Here is how that works, before a moderator fixed a typo.',
      bodyHtml: '<p>Here is how that works, before a moderator fixed a typo.</p>',
      editorId: user.id,
      createdAt: now,
    });
    await db().insert(reports).values({
      postId: othersReply.postId,
      reporterId: other.id,
      reason: 'spam',
      status: 'resolved',
      resolvedAt: now,
      resolvedById: user.id,
      createdAt: now,
    });
    await db()
      .insert(moderationLog)
      .values([
        {
          moderatorId: user.id,
          action: 'remove_post',
          targetType: 'post',
          targetId: othersTopic.postId,
          createdAt: now,
        },
        {
          moderatorId: otherModerator.id,
          action: 'warn_user',
          targetType: 'user',
          targetId: user.id,
          reason: 'off_topic',
          createdAt: now,
        },
      ]);
    // As a member: a report with a note of their own.
    const [report] = await db()
      .insert(reports)
      .values({
        postId: othersReply.postId,
        reporterId: user.id,
        reason: 'personal_data',
        note: `It shows ${words.note}.`,
        createdAt: now,
      })
      .returning();
    // A Plimus identity, vendor staff, with purchases.
    const vendor = await ensureVendor(forum.deps, {
      plimusVendorId: `vendor-${t}`,
      name: `Vendor ${t}`,
    });
    const [link] = await db()
      .insert(identityLinks)
      .values({
        userId: user.id,
        issuer: 'https://login.plimus.example/',
        subject: `subject-${t}`,
        linkedAt: now,
        claimsRefreshedAt: now,
        vendorId: vendor.id,
      })
      .returning();
    await db()
      .insert(identityPurchases)
      .values([
        { linkId: link?.id ?? 0, plimusProductId: 'product-acme-backup' },
        { linkId: link?.id ?? 0, plimusProductId: `product-${t}` },
      ]);
    // A pending email change and a second, remembered session.
    const newEmail = `pending_${t}@example.org`;
    expect((await a.post('/account/email', { email: newEmail })).status).toBe(303);
    const second = await signIn(user.id, true, 'Firefox on Linux');
    const account = await userRow(user.id);
    if (!account || !report) throw new Error('no account');
    const sessionRows = await db().select().from(sessions).where(eq(sessions.userId, user.id));
    expect(sessionRows).toHaveLength(2);
    const confirmation = await db()
      .select()
      .from(emailConfirmations)
      .where(eq(emailConfirmations.userId, user.id))
      .get();
    return {
      a,
      second,
      t,
      words,
      name,
      user: account,
      other,
      vendor,
      newEmail,
      report,
      sessionRows,
      confirmationHash: confirmation?.id ?? '',
      topics: { answered, lonely, othersTopic },
      posts: { reply, othersReply },
    };
  }

  describe('GET /account/export', () => {
    it('downloads everything the forum holds about the person, and no secret', async () => {
      const p = await busyPerson();
      const res = await p.a.get('/account/export');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const day = new Date(forum.deps.now()).toISOString().slice(0, 10);
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="plimus-forums-${p.name}-${day}.json"`,
      );
      expect(res.headers.get('cache-control')).toMatch(/no-store/);
      const text = await res.text();
      const data = JSON.parse(text) as AccountExport;

      expect(Object.keys(data)).toEqual([
        'format',
        'formatVersion',
        'exportedAt',
        'forum',
        'profile',
        'posts',
        'topicsStarted',
        'reports',
        'likes',
        'reading',
        'notifications',
        'watching',
        'identity',
        'sessions',
        'pendingEmailConfirmations',
        'pendingPasswordResets',
        'emails',
        'moderationLog',
      ]);
      expect(data.format).toBe('plimus-forums-account-export');
      expect(data.formatVersion).toBe(3);
      expect(data.exportedAt).toBe(new Date(forum.deps.now()).toISOString());
      expect(data.profile).toEqual({
        id: p.user.id,
        username: p.name,
        displayName: `Display ${p.t}`,
        bio: p.words.bio,
        email: `${p.name}@example.com`,
        emailConfirmedAt: null,
        emailFailing: null,
        role: 'moderator',
        createdAt: p.user.createdAt.toISOString(),
        hasPassword: true,
        ageConfirmedAt: p.user.ageConfirmedAt?.toISOString(),
        publicAckAt: p.user.publicAckAt?.toISOString(),
        policyVersionSeen: CURRENT_PRIVACY.version,
        postCount: 3,
        lastPostedAt: p.user.lastPostedAt?.toISOString(),
        preferences: {
          announcementsOptIn: false,
          optionalEmailOff: false,
          showBuyerBadge: false,
          notificationEmails: ['reply', 'quote', 'mention', 'answer_accepted', 'vendor_answered'],
          digest: 'off',
          digestQueuedAt: null,
        },
        policyVersionMailed: null,
        moderation: { suspendedUntil: null, suspendedReason: null, postsNeedApproval: false },
      });

      expect(data.posts.map((x) => x.id)).toEqual([
        p.topics.answered.postId,
        p.posts.reply.postId,
        p.topics.lonely.postId,
      ]);
      const reply = data.posts[1];
      expect(reply).toMatchObject({
        topic: { id: p.topics.othersTopic.topicId, title: 'Someone else started this' },
        number: 2,
        state: 'visible',
        deletedAt: null,
        removal: null,
        bodyMarkdown: `Second version ${p.words.reply}.`,
        url: `${forum.deps.config.publicOrigin}/p/${p.posts.reply.postId}`,
      });
      expect(reply?.editedAt).not.toBeNull();
      expect(reply?.revisions).toEqual([
        {
          number: 1,
          bodyMarkdown: `First version ${p.words.oldReply}.`,
          writtenAt: expect.any(String),
          editedByYou: true,
        },
      ]);
      expect(reply?.pendingEdit).toBeNull();
      expect(data.posts[0]?.pendingEdit).toEqual({
        bodyMarkdown: `Waiting ${p.words.pending}.`,
        writtenAt: expect.any(String),
      });
      expect(data.posts[0]?.topic.title).toBe(`Question ${p.words.answeredTitle}`);
      expect(data.topicsStarted.map((x) => [x.id, x.title, x.forum.slug, x.removedAt])).toEqual([
        [p.topics.answered.topicId, `Question ${p.words.answeredTitle}`, 'marketplace-help', null],
        [p.topics.lonely.topicId, `Alone ${p.words.lonelyTitle}`, 'off-topic', null],
      ]);
      expect(data.reports).toEqual([
        {
          id: p.report.id,
          postId: p.posts.othersReply.postId,
          reason: 'personal_data',
          note: `It shows ${p.words.note}.`,
          status: 'open',
          createdAt: expect.any(String),
          resolvedAt: null,
        },
      ]);
      expect(data.identity).toEqual({
        provider: 'plimus',
        issuer: 'https://login.plimus.example/',
        subject: `subject-${p.t}`,
        linkedAt: expect.any(String),
        claimsRefreshedAt: expect.any(String),
        vendor: { id: `vendor-${p.t}`, name: `Vendor ${p.t}` },
        purchases: [
          { productId: 'product-acme-backup', name: 'Acme Backup Pro' },
          { productId: `product-${p.t}`, name: null },
        ],
      });
      expect(data.sessions).toHaveLength(2);
      expect(data.sessions.map((s) => s.remembered).sort()).toEqual([false, true]);
      for (const s of data.sessions) {
        expect(Object.keys(s).sort()).toEqual([
          'createdAt',
          'device',
          'expiresAt',
          'freshSignInAt',
          'lastUsedAt',
          'remembered',
        ]);
      }
      expect(data.sessions.map((s) => s.device).sort()).toEqual(['Firefox on Linux', null]);
      expect(data.pendingEmailConfirmations).toEqual([
        {
          email: p.newEmail,
          purpose: 'change',
          createdAt: expect.any(String),
          expiresAt: expect.any(String),
        },
      ]);
      expect(data.pendingPasswordResets).toEqual([]);
      // The email with the link to the new address, waiting for the delivery loop: its record,
      // never its link or address.
      expect(data.emails).toEqual([
        {
          kind: 'email_change',
          status: 'queued',
          createdAt: new Date(forum.deps.now()).toISOString(),
          finishedAt: null,
          attempts: 0,
          lastError: null,
        },
      ]);
      expect(data.moderationLog.aboutYou).toEqual([
        { action: 'warn_user', reason: 'off_topic', createdAt: expect.any(String) },
      ]);
      expect(data.moderationLog.byYou).toMatchObject([
        { action: 'remove_post', targetType: 'post', targetId: p.topics.othersTopic.postId },
      ]);

      // No secret, in any field.
      for (const secret of [
        p.user.passwordHash ?? 'no hash',
        p.confirmationHash,
        ...p.sessionRows.flatMap((s) => [s.id, s.secretHash]),
        ...[p.a, p.second].map((x) => x.jar.get('session') ?? 'no token'),
      ]) {
        expect(secret.length).toBeGreaterThan(20);
        expect(text).not.toContain(secret);
      }
      expect(text).not.toMatch(/token|secret|hash/i);
    });
  });

  describe('deleting the account', () => {
    /** Each kind of trace the person left, as it should be after the deletion. */
    async function expectNoPersonalDataLeft(
      p: Awaited<ReturnType<typeof busyPerson>>,
      suspendedBefore: (typeof suspendedAccounts.$inferSelect)[],
    ) {
      for (const [table, column] of await userColumns()) {
        const [row] = await db().all<{ n: number }>(
          sql.raw(`select count(*) as n from "${table}" where "${column}" = ${p.user.id}`),
        );
        expect(row?.n, `${table}.${column}`).toBe(0);
      }
      // What moderators did about them stays, about "deleted user", without reason or note.
      expect(await logAbout(p.user.id)).toEqual([['warn_user', true, null, null]]);
      // Not suspended: no hash of their address is kept, only one that keeps their username
      // from anyone else for a year.
      const kept = (await db().select().from(suspendedAccounts)).filter(
        (h) => !suspendedBefore.some((b) => b.hash === h.hash),
      );
      expect(kept.map((h) => h.until.getTime())).toEqual([forum.deps.now() + 365 * DAY]);
      const dump = await dumpDatabase(forum.deps);
      const gone = [
        p.name,
        p.name.toLowerCase(),
        `${p.name}@example.com`.toLowerCase(),
        p.newEmail,
        `Display ${p.t}`,
        p.words.bio,
        p.words.note,
        p.words.pending,
        `subject-${p.t}`,
        p.user.passwordHash ?? 'no hash',
        p.confirmationHash,
        ...p.sessionRows.flatMap((s) => [s.id, s.secretHash]),
      ];
      for (const value of gone)
        expect(dump.toLowerCase(), value).not.toContain(value.toLowerCase());
      // The moderation they did stays, without them.
      const log = await db()
        .select()
        .from(moderationLog)
        .where(eq(moderationLog.action, 'remove_post'))
        .all();
      expect(
        log.some((l) => l.targetId === p.topics.othersTopic.postId && l.moderatorId === null),
      ).toBe(true);
      // The report they filed stays with the moderators, without their name or words.
      expect(
        await db().select().from(reports).where(eq(reports.id, p.report.id)).get(),
      ).toMatchObject({ reporterId: null, note: '', reason: 'personal_data' });
      // Their sessions are over, and the public profile is gone.
      expect((await p.second.get('/account')).status).toBe(403);
      expect((await agent(forum.request).get(`/u/${p.name}`)).status).toBe(404);
    }

    async function confirmPage(a: Agent) {
      const res = await a.get('/account/delete');
      expect(res.status).toBe(200);
      return page(res);
    }

    it('explains what happens, offers the choice for posts and asks for the password', async () => {
      const p = await busyPerson();
      const doc = await confirmPage(p.a);
      const main = doc.querySelector('main')?.text.replace(/\s+/g, ' ') ?? '';
      expect(main).toMatch(/cannot be undone/);
      expect(main).toMatch(/email address, password/);
      expect(main).toMatch(/You wrote 3 posts and started 2 topics/);
      expect(main).toMatch(/1 topic you started has replies from others: it stays, with its title/);
      expect(
        doc.querySelectorAll('input[name=keep_posts]').map((i) => i.getAttribute('value')),
      ).toEqual(['true', 'false']);
      expect(doc.querySelector('input[name=password][type=password]')).not.toBeNull();
      expect(doc.querySelector('a[href="/account/export"]')).not.toBeNull();
    });

    it('refuses a wrong or missing password, or no choice, with 422 and deletes nothing', async () => {
      const p = await busyPerson();
      const before = await dumpDatabase(forum.deps);
      for (const [fields, field, message] of [
        [{ keep_posts: 'false', password: 'not my password' }, 'password', /not your password/],
        [{ keep_posts: 'true' }, 'password', /Enter your password/],
        [{ password: PASSWORD }, 'keep_posts', /Choose whether/],
        [{ keep_posts: 'maybe', password: PASSWORD }, 'keep_posts', /Choose whether/],
      ] as const) {
        const res = await p.a.post('/account/delete', fields);
        expect(res.status, JSON.stringify(fields)).toBe(422);
        const doc = await page(res);
        expect(doc.querySelector('.error-summary')?.text).toMatch(message);
        expect(doc.querySelector(`#${field}`)).not.toBeNull();
        expect(res.headers.getSetCookie()).toEqual([]);
      }
      expect(await dumpDatabase(forum.deps)).toBe(before);
      expect((await p.a.get('/account')).status).toBe(200);
    });

    it('keep_posts=true: everything personal goes; posts stay, by "deleted user"', async () => {
      const p = await busyPerson();
      await expectForumCountersConsistent();
      const countersBefore = await db().select().from(forums).all();
      const suspendedBefore = await db().select().from(suspendedAccounts);
      const res = await p.a.post('/account/delete', { keep_posts: 'true', password: PASSWORD });
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/account/deleted?posts=kept');
      expect(res.headers.getSetCookie().find((c) => c.startsWith('session='))).toMatch(
        /^session=;/,
      );
      const done = await page(await p.a.get(location(res)));
      expect(done.querySelector('h1')?.text).toBe('Your account was deleted');
      expect(done.querySelector('main')?.text).toMatch(/posts stay, shown as by “deleted user”/);
      expect((await p.a.get('/account')).status).toBe(403);

      await expectNoPersonalDataLeft(p, suspendedBefore);
      // The posts keep their text (and earlier versions), without an author.
      const kept = await db().select().from(posts).where(eq(posts.id, p.posts.reply.postId)).get();
      expect(kept).toMatchObject({
        userId: null,
        bodyMarkdown: `Second version ${p.words.reply}.`,
      });
      expect(kept?.deletedAt).toBeNull();
      expect(
        await db()
          .select()
          .from(postRevisions)
          .where(eq(postRevisions.postId, p.posts.reply.postId)),
      ).toHaveLength(1);
      expect((await searchIndexHolds(p.words.reply)).match).toBe(1);
      const lonely = await db()
        .select()
        .from(topics)
        .where(eq(topics.id, p.topics.lonely.topicId))
        .get();
      expect(lonely).toMatchObject({
        userId: null,
        removedAt: null,
        title: `Alone ${p.words.lonelyTitle}`,
      });
      // Shown as by "deleted user", with no link to the old profile.
      const thread = await agent(forum.request).get(
        `/t/${p.topics.othersTopic.topicId}/${p.topics.othersTopic.slug}`,
      );
      const article = (await page(thread)).querySelector(`#p${p.posts.reply.postId}`);
      expect(article?.querySelector('.deleted-user')?.text).toBe('deleted user');
      expect(article?.querySelector('.post-author a')).toBeNull();
      expect(article?.text).toContain(p.words.reply);
      expect(await db().select().from(forums).all()).toEqual(countersBefore);
      await expectForumCountersConsistent();
    });

    it('keep_posts=false: the posts lose their text, history and index entries; lonely topics go', async () => {
      const p = await busyPerson();
      await expectForumCountersConsistent();
      const offTopicBefore = await db()
        .select()
        .from(forums)
        .where(eq(forums.slug, 'off-topic'))
        .get();
      expect(offTopicBefore?.lastTopicId).toBe(p.topics.lonely.topicId);
      // Newer than every listed topic, but held for a moderator: never the forum's latest.
      forum.clock.advance(1000);
      const held = await createTopic(forum.deps, {
        forumId: await forumId('off-topic'),
        authorId: p.other.id,
        title: `Held ${word()}`,
        body: 'Waiting for a moderator.',
        kind: 'discussion',
        held: true,
      });
      const written = [p.words.lonely, p.words.answered, p.words.reply, p.words.lonelyTitle];
      for (const word of written) {
        const held = await searchIndexHolds(word);
        // The checks below could not fail if the words were never in the index.
        expect(held.match, word).toBe(1);
        expect(held.blobs, word).toBeGreaterThan(0);
      }
      const dumpBefore = await dumpDatabase(forum.deps);
      expect(dumpBefore).toContain(p.words.oldReply);

      const suspendedBefore = await db().select().from(suspendedAccounts);
      const res = await p.a.post('/account/delete', { keep_posts: 'false', password: PASSWORD });
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/account/deleted?posts=removed');
      await expectNoPersonalDataLeft(p, suspendedBefore);

      // No text of theirs anywhere: posts, revisions, the search index (and its blobs).
      const dump = await dumpDatabase(forum.deps);
      for (const word of [...written, p.words.oldReply]) {
        expect(dump, word).not.toContain(word);
        expect(await searchIndexHolds(word), word).toEqual({ match: 0, content: 0, blobs: 0 });
      }
      for (const id of [p.posts.reply.postId, p.topics.lonely.postId, p.topics.answered.postId]) {
        const post = await db().select().from(posts).where(eq(posts.id, id)).get();
        expect(post).toMatchObject({
          userId: null,
          bodyMarkdown: '',
          bodyHtml: '',
          revisionCount: 0,
        });
        expect(post?.deletedAt).not.toBeNull();
      }
      expect(
        await db()
          .select()
          .from(postRevisions)
          .where(eq(postRevisions.postId, p.posts.reply.postId)),
      ).toEqual([]);
      // Someone else's earlier version that they made as a moderator stays, without them.
      expect(
        await db()
          .select()
          .from(postRevisions)
          .where(eq(postRevisions.postId, p.posts.othersReply.postId)),
      ).toMatchObject([{ editorId: null }]);

      // The topic nobody answered is gone from the lists; its forum's counters follow.
      const lonely = await db()
        .select()
        .from(topics)
        .where(eq(topics.id, p.topics.lonely.topicId))
        .get();
      expect(lonely?.removedAt).not.toBeNull();
      expect(lonely?.userId).toBeNull();
      const offTopic = await db().select().from(forums).where(eq(forums.slug, 'off-topic')).get();
      expect(offTopic?.topicCount).toBe((offTopicBefore?.topicCount ?? 0) - 1);
      expect(offTopic?.postCount).toBe((offTopicBefore?.postCount ?? 0) - 1);
      expect(offTopic?.lastTopicId).not.toBe(p.topics.lonely.topicId);
      expect(offTopic?.lastTopicId).not.toBe(held.topicId);
      await expectForumCountersConsistent();
      const visitor = agent(forum.request);
      expect(
        (await visitor.get(`/t/${p.topics.lonely.topicId}/${p.topics.lonely.slug}`)).status,
      ).toBe(404);
      const list = await (await visitor.get('/f/off-topic')).text();
      expect(list).not.toContain(p.words.lonelyTitle);
      expect(await (await visitor.get('/')).text()).not.toContain(p.words.lonelyTitle);

      // The topic others replied to stays, with its title; its first post is a deleted post.
      const answered = await visitor.get(
        `/t/${p.topics.answered.topicId}/${p.topics.answered.slug}`,
      );
      expect(answered.status).toBe(200);
      const doc = await page(answered);
      expect(doc.querySelector('h1')?.text).toContain(`Question ${p.words.answeredTitle}`);
      const first = doc.querySelector(`#p${p.topics.answered.postId}`);
      expect(first?.querySelector('.deleted-user')).not.toBeNull();
      expect(first?.querySelector('.post-placeholder')?.text).toMatch(/deleted/);
      expect(doc.querySelector(`#p${p.posts.othersReply.postId}`)?.text).toContain(
        'Here is how that works.',
      );
    });

    it('an account without a password needs a fresh Plimus sign-in', async () => {
      const { a, user } = await member({ password: false });
      const second = await signIn(user.id);
      const doc = await confirmPage(a);
      expect(doc.querySelector('input[name=password]')).toBeNull();
      expect(doc.querySelector('button.button-danger')).toBeNull();
      expect(doc.querySelector('main')?.text).toMatch(/signing in with\s+Plimus again/);
      expect(!!doc.querySelector('a[href="/auth/plimus?intent=reauthenticate"]')).toBe(
        !!forum.deps.plimus,
      );
      const refused = await a.post('/account/delete', { keep_posts: 'true' });
      expect(refused.status).toBe(422);
      expect((await page(refused)).querySelector('.error-summary')?.text).toMatch(
        /signing in with Plimus again/,
      );
      expect(await userRow(user.id)).toBeDefined();

      // The fresh sign-in itself (OpenID Connect) is tested with the identity provider.
      const sessionId = (a.jar.get('session') ?? '').split('.')[0] ?? '';
      await db()
        .update(sessions)
        .set({ freshAuthAt: new Date(forum.deps.now()) })
        .where(eq(sessions.id, sessionId));
      // Another session of the same account is not confirmed by it.
      expect((await second.post('/account/delete', { keep_posts: 'true' })).status).toBe(422);
      const fresh = await confirmPage(a);
      expect(fresh.querySelector('button.button-danger')).not.toBeNull();
      expect(fresh.querySelector('main')?.text).toMatch(/confirmed that it is you/);
      const res = await a.post('/account/delete', { keep_posts: 'false' });
      expect(res.status).toBe(303);
      expect(await userRow(user.id)).toBeUndefined();
      expect(
        await db()
          .select({ n: count() })
          .from(sessions)
          .where(and(eq(sessions.userId, user.id)))
          .get(),
      ).toEqual({ n: 0 });
    });
  });

  describe('deleting a suspended account', () => {
    /** A member suspended by a moderator, through the moderation route, for `days` days. */
    async function suspended(days: number) {
      // Kept signed in: the tests move the clock past the suspension.
      const m = await member({ remember: true });
      const { a: moderator } = await member({ role: 'moderator' });
      const last = new Date(forum.deps.now() + days * DAY).toISOString().slice(0, 10);
      const res = await moderator.post(`/u/${m.username}/suspend`, {
        until: last,
        reason: `Insults by ${m.username}`,
      });
      expect(res.status).toBe(303);
      const until = (await userRow(m.user.id))?.suspendedUntil as Date;
      return { ...m, email: `${m.username}@example.com`, until, moderator };
    }
    const held = () => db().select().from(suspendedAccounts);
    const register = (fields: { username: string; email: string }) =>
      agent(forum.request, { client: `client-${tag()}` }).post('/register', {
        ...fields,
        password: PASSWORD,
        age_confirmed: '1',
      });
    const day = (at: Date) => at.toISOString().slice(0, 10);

    it('a suspended member cannot change their display name or bio', async () => {
      const { a, user, until } = await suspended(3);
      const before = await userRow(user.id);
      const res = await a.post('/account/profile', { display_name: 'Someone new', bio: 'Hi.' });
      expect(res.status).toBe(403);
      expect((await page(res)).querySelector('main')?.text).toContain(
        `suspended until ${day(until)}: you cannot change your display name or bio`,
      );
      expect(await userRow(user.id)).toEqual(before);
      const account = await accountPage(a);
      expect(account.querySelector('form[action="/account/profile"]')).toBeNull();
      expect(account.querySelector('section[aria-labelledby="profile-title"]')?.text).toMatch(
        /While your account is suspended you cannot change your display name or bio/,
      );
      forum.clock.advance(4 * DAY);
      expect((await a.post('/account/profile', { display_name: 'Back again' })).status).toBe(303);
      expect((await userRow(user.id))?.displayName).toBe('Back again');
    });

    it('keeps the log about them as "deleted user", and their email and username from joining until the suspension ends', async () => {
      const p = await suspended(3);
      const heldBefore = await held();
      const confirm = await page(await p.a.get('/account/delete'));
      expect(confirm.querySelector('main')?.text.replace(/\s+/g, ' ')).toMatch(
        /Deleting it does not end the suspension: before \d+ \w+ \d{4}, nobody can join again with your email address or your username/,
      );
      const res = await p.a.post('/account/delete', { keep_posts: 'true', password: PASSWORD });
      expect(res.status).toBe(303);
      const deletedAt = forum.deps.now();

      // The suspension stays in the log, about "deleted user", without the reason.
      expect(await logAbout(p.user.id)).toEqual([['user_suspend', true, null, null]]);
      const log = await page(await p.moderator.get(`/mod/log?target=user:${p.user.id}`));
      expect(log.querySelector('table.log tbody tr .deleted-user')?.text).toBe('deleted user');
      // Two keyed hashes until the suspension ends, one of the username for a year; neither the
      // name nor the address anywhere.
      const kept = (await held()).filter((h) => !heldBefore.some((b) => b.hash === h.hash));
      expect(kept.map((h) => h.until.getTime()).sort()).toEqual(
        [p.until.getTime(), p.until.getTime(), deletedAt + 365 * DAY].sort(),
      );
      const dump = (await dumpDatabase(forum.deps)).toLowerCase();
      expect(dump).not.toContain(p.username.toLowerCase());
      expect(dump).not.toContain(p.email.toLowerCase());

      // Joining again with the username, the address, or both: 409, each field says until when.
      const both = await register({ username: p.username, email: p.email });
      expect(both.status).toBe(409);
      const doc = await page(both);
      expect(doc.querySelector('#username-error')?.text).toContain(
        `deleted while it was suspended; it cannot be chosen again before ${day(p.until)}`,
      );
      expect(doc.querySelector('#email-error')?.text).toContain(
        `cannot be used for an account again before ${day(p.until)}`,
      );
      expect(doc.querySelector('#username')?.getAttribute('value')).toBe(p.username);
      const byName = await register({ username: p.username.toUpperCase(), email: `x_${p.email}` });
      expect(byName.status).toBe(409);
      expect((await page(byName)).querySelector('#email-error')).toBeNull();
      const byAddress = await register({
        username: `x${p.username}`,
        email: p.email.toUpperCase(),
      });
      expect(byAddress.status).toBe(409);
      expect((await page(byAddress)).querySelector('#username-error')).toBeNull();

      // With a Plimus identity: neither the username nor the identity's address.
      const joining = await joiningWithPlimus({
        sub: `evader-${tag()}`,
        email: p.email,
        email_verified: true,
      });
      const plimus = await joining.post('/auth/plimus/complete', {
        username: `y${p.username}`,
        age_confirmed: '1',
        public_ack: '1',
      });
      expect(plimus.status).toBe(409);
      expect((await page(plimus)).querySelector('.error-summary')?.text).toContain(
        `cannot be used for an account again before ${day(p.until)}`,
      );

      // Another account cannot take the address either (told once the link shows it is theirs).
      const other = await member();
      expect((await other.a.post('/account/email', { email: p.email })).status).toBe(303);
      await forum.mail.deliver();
      const link = forum.mail
        .received()
        .at(-1)
        ?.text.match(/\/account\/email\/confirm\?token=\w+/)?.[0];
      const taken = await other.a.get(link ?? '/');
      expect(taken.status).toBe(409);
      expect((await page(taken)).querySelector('main')?.text).toContain(day(p.until));
      expect((await userRow(other.user.id))?.email).toBe(other.user.email);

      // When the suspension ends, its hashes go and the address is free again; the username
      // stays given to nobody until a year after the deletion.
      forum.clock.advance(p.until.getTime() - forum.deps.now());
      const users0 = await db().select({ n: count() }).from(users).get();
      const sameName = await register({ username: p.username, email: p.email });
      expect(sameName.status).toBe(409);
      expect((await page(sameName)).querySelector('#username-error')?.text).toContain(
        `deleted less than a year ago; it cannot be chosen again before ${day(new Date(deletedAt + 365 * DAY))}`,
      );
      const back = await register({ username: `z${p.username}`, email: p.email });
      expect(back.status).toBe(303);
      expect((await db().select({ n: count() }).from(users).get())?.n).toBe((users0?.n ?? 0) + 1);
      expect(
        (await held()).filter((h) => h.until.getTime() <= forum.deps.now()),
        'expired hashes are deleted',
      ).toEqual([]);
    });

    it('holds them for a year at most', async () => {
      const p = await suspended(3 * 365);
      const heldBefore = await held();
      expect(
        (await p.a.post('/account/delete', { keep_posts: 'false', password: PASSWORD })).status,
      ).toBe(303);
      const kept = (await held()).filter((h) => !heldBefore.some((b) => b.hash === h.hash));
      expect(kept.map((h) => h.until.getTime())).toEqual([
        forum.deps.now() + 365 * DAY,
        forum.deps.now() + 365 * DAY,
        forum.deps.now() + 365 * DAY,
      ]);
    });
  });

  describe('the privacy-notice banner', () => {
    const noticeDate = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(new Date(`${CURRENT_PRIVACY.date}T00:00:00Z`));
    const banner = async (a: Agent, path = '/') =>
      (await page(await a.get(path))).querySelector('.policy-banner');

    it('shows on every page for an account that has not seen the latest change, until dismissed', async () => {
      const { a, user } = await member({ policyVersionSeen: '1.0' });
      for (const path of ['/', '/f/off-topic', '/account', '/privacy']) {
        const b = await banner(a, path);
        expect(b?.text.replace(/\s+/g, ' '), path).toContain(
          `The privacy notice changed on ${noticeDate}: ${CURRENT_PRIVACY.summary}`,
        );
        expect(b?.querySelector('a')?.getAttribute('href')).toBe('/privacy#changes');
        expect(b?.querySelector('input[name=next]')?.getAttribute('value')).toBe(path);
      }
      const res = await a.post('/account/privacy-notice/dismiss', { next: '/f/off-topic' });
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/f/off-topic');
      expect((await userRow(user.id))?.policyVersionSeen).toBe(CURRENT_PRIVACY.version);
      expect(await banner(a)).toBeNull();
      expect(await banner(a, '/account')).toBeNull();
    });

    it('shows for accounts that never dismissed one; Dismiss never leaves the forum', async () => {
      const { a } = await member({ policyVersionSeen: null });
      expect(await banner(a)).not.toBeNull();
      const res = await a.post('/account/privacy-notice/dismiss', {
        next: 'https://evil.example/',
      });
      expect(location(res)).toBe('/');
      expect(await banner(a)).toBeNull();
    });

    it('does not show for a new account, nor for visitors', async () => {
      const a = agent(forum.request, { client: `client-${tag()}` });
      const username = `newcomer_${tag()}`;
      const res = await a.post('/register', {
        username,
        email: `${username}@example.com`,
        password: PASSWORD,
        age_confirmed: '1',
      });
      expect(res.status).toBe(303);
      const row = await db().select().from(users).where(eq(users.usernameKey, username)).get();
      expect(row?.policyVersionSeen).toBe(CURRENT_PRIVACY.version);
      expect(await banner(a)).toBeNull();
      expect(await banner(agent(forum.request))).toBeNull();
    });
  });
}
