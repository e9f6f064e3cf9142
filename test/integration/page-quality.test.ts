/**
 * What every page must be besides correct: valid HTML with headings in order, the audits of
 * search engines, and a log without personal data. (Its queries are checked in
 * query-plans.test.ts.)
 */

import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { eq } from 'drizzle-orm';
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  identityLinks,
  identityPurchases,
  passwordResets,
  reports,
  sessions,
  users,
  vendors,
} from '../../db/schema';
import { createSession } from '../../src/auth/session';
import { CURRENT_PRIVACY } from '../../src/content/privacy';
import { notMeToken, unsubscribeToken } from '../../src/mail/links';
import { createMember } from '../../src/services/accounts';
import { createForum, ensureProduct, ensureVendor } from '../../src/services/catalog';
import { getForumBySlug } from '../../src/services/forums';
import { createTopic } from '../../src/services/posting';
import { agent, location } from '../shared/agent';
import { buildFixture, type Fixture } from '../shared/fixture';
import { createTestForum, type TestForum } from '../support/forum';
import { parseHtml } from '../support/html';

let forum: TestForum;
let fx: Fixture;

beforeAll(async () => {
  forum = await createTestForum();
  fx = await buildFixture(forum.deps);
});
afterAll(() => forum.close());

/** The visitor's pages, each with the status it must answer (a page in error is a page too). */
const pages = (): [path: string, status: number][] => [
  ['/', 200],
  ['/f/busy', 200],
  ['/f/busy?page=3', 200],
  [`/t/${fx.long.topicId}/${fx.long.slug}`, 200],
  [`/t/${fx.long.topicId}/${fx.long.slug}?page=3`, 200],
  [fx.scheduled.path, 200],
  ['/u/Writer_One', 200],
  ['/u/devon_r', 200],
  ['/privacy', 200],
  ['/latest', 200],
  ['/latest?filter=unanswered', 200],
  ['/search', 200],
  ['/search?q=backup', 200],
  ['/search?q=backup+files+order%3Alatest', 200],
  ['/search?q=%22busy+topic%22+-number+order%3Aoldest', 200],
  ['/search?q=backup+forum%3Aacme-backup-pro+is%3Aunanswered', 200],
  [`/search?q=reply+topic%3A${fx.long.topicId}`, 200],
  ['/search?q=reply+user%3AWriter_One+in%3Atitle', 200],
  ['/search?q=body+after%3A2026-01-01+before%3A2027-01-01', 200],
  ['/search?q=nothing+matches+this+at+all', 200],
  ['/search?q=bad%3Aoperator', 400],
  ['/out?url=https%3A%2F%2Fexample.com%2F', 200],
  ['/out?url=javascript%3Aalert(1)', 400],
  ['/no-such-page', 404],
];

/** A visitor's page, after checking that it answered what it must (not, say, an empty redirect). */
async function visitorPage([path, status]: [string, number]) {
  const res = await forum.request(path);
  expect(res.status, path).toBe(status);
  return { path, html: await res.text() };
}

/** Pages of a signed-in member, including forms coming back with errors. */
async function memberPages(): Promise<{ path: string; html: string }[]> {
  const a = agent(forum.request, { client: 'quality' });
  const out: { path: string; html: string }[] = [];
  /** Keeps the page, after checking its status: an error page or an empty redirect is no page. */
  const keep = async (path: string, res: Response | Promise<Response>, status = 200) => {
    const answer = await res;
    expect(answer.status, path).toBe(status);
    out.push({ path, html: await answer.text() });
  };
  await keep('/register', a.get('/register'));
  await keep('/login', a.get('/login?next=%2Ff%2Fbusy'));
  // A development forum's sign-in page lists its demo people (src/server.ts sets them).
  forum.deps.demo = {
    plimus: [{ name: 'Casey Customer', about: 'a customer' }],
    staff: [{ username: 'demo_admin', role: 'admin' }],
  };
  await keep('/login (development forum)', a.get('/login'));
  forum.deps.demo = undefined;
  await keep(
    'POST /register (errors)',
    a.post('/register', { username: 'x', email: 'nope', password: 'short' }),
    422,
  );
  await keep(
    'POST /login (error)',
    a.post('/login', { login: 'nobody', password: 'wrong password' }),
    422,
  );
  const joined = await a.post('/register', {
    username: 'quality_member',
    email: 'quality@example.com',
    password: 'correct horse battery staple',
    age_confirmed: '1',
  });
  expect(joined.status).toBe(303);
  await keep('/ (signed in)', a.get('/'));
  await keep('/f/busy/new', a.get('/f/busy/new'));
  await keep('POST /f/busy (errors)', a.post('/f/busy', { title: 'x', body: '' }), 422);
  await keep(
    'POST /f/busy (personal data)',
    a.post('/f/busy', { title: 'Contact details', body: 'Mail me: a@b.example', public_ack: '1' }),
    422,
  );
  await keep(
    'POST /f/busy (preview)',
    a.post('/f/busy', { title: 'Preview me', body: '# Hi\n\n**there**', preview: '1' }),
  );
  const created = await a.post('/f/busy', {
    title: 'Quality topic',
    body: 'Some text.',
    public_ack: '1',
  });
  expect(created.status).toBe(303);
  const topicPath = location(created);
  const topicId = topicPath.split('/')[2];
  await keep('topic (signed in)', a.get(topicPath));
  const postId = parseHtml(out[out.length - 1]?.html ?? '')
    .querySelector('article.post')
    ?.getAttribute('id')
    ?.slice(1);
  expect(postId).toMatch(/^\d+$/);
  await keep('reply page', a.get(`/t/${topicId}/replies/new?quote=${postId}`));
  expect((await a.post(`/posts/${postId}`, { body: 'Some edited text.' })).status).toBe(303);
  await keep('edit page', a.get(`/posts/${postId}/edit`));
  // Held, the member's next edit waits for approval: the topic and the edit page say so.
  await forum.db
    .update(users)
    .set({ postsNeedApproval: true })
    .where(eq(users.usernameKey, 'quality_member'));
  expect(
    (await a.post(`/posts/${postId}`, { body: 'Some text edited again, **waiting**.' })).status,
  ).toBe(303);
  await keep('topic (an edit waiting)', a.get(topicPath));
  await keep('edit page (an edit waiting)', a.get(`/posts/${postId}/edit`));
  await keep('history page', a.get(`/posts/${postId}/history`));
  await keep('delete page', a.get(`/posts/${postId}/delete`));
  await keep('account page', a.get('/account'));
  await keep(
    'POST /account/password (errors)',
    a.post('/account/password', { current_password: 'x', new_password: 'y' }),
    422,
  );
  // The account page with every notice, and each of its forms coming back with errors.
  await keep('/account?done=linked', a.get('/account?done=linked'));
  await keep('/account?done=email-sent', a.get('/account?done=email-sent'));
  await keep(
    'POST /account/profile (errors)',
    a.post('/account/profile', { display_name: 'n'.repeat(51), bio: 'b'.repeat(1001) }),
    422,
  );
  await keep('POST /account/email (errors)', a.post('/account/email', { email: 'nope' }), 422);
  expect((await a.post('/account/email', { email: 'quality.new@example.com' })).status).toBe(303);
  await keep('/account (pending email change)', a.get('/account'));
  await keep(
    '/account/email/confirm (bad link)',
    a.get('/account/email/confirm?token=not-a-real-token'),
    400,
  );
  const member = await forum.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.usernameKey, 'quality_member'))
    .get();
  const memberId = member?.id ?? 0;
  await linkIdentity(memberId);
  await keep('/account (linked to Plimus)', a.get('/account'));
  await keep('/account/delete', a.get('/account/delete'));
  await keep(
    'POST /account/delete (errors)',
    a.post('/account/delete', { keep_posts: 'maybe', password: 'wrong password' }),
    422,
  );
  await keep('/account/deleted', a.get('/account/deleted?posts=removed'));
  // Email: the address failing, the choices saved; a reset, the notice's and unsubscribe links.
  await forum.db
    .update(users)
    .set({ emailFailedAt: new Date(forum.deps.now()), emailFailure: '550 5.1.1' })
    .where(eq(users.id, memberId));
  await keep('/account (address failing)', a.get('/account?done=email-choices'));
  const visitor = agent(forum.request, { client: 'quality-visitor' });
  await keep('/password/forgot', visitor.get('/password/forgot'));
  await keep(
    'POST /password/forgot (errors)',
    visitor.post('/password/forgot', { login: ' ' }),
    422,
  );
  await keep('/password/forgot?sent=1', visitor.get('/password/forgot?sent=1'));
  const resetToken = 'qualityresettokenaaaaaaaaaaaaaaa';
  await forum.db.insert(passwordResets).values({
    id: encodeHexLowerCase(sha256(new TextEncoder().encode(resetToken))),
    userId: memberId,
    createdAt: new Date(forum.deps.now()),
    expiresAt: new Date(forum.deps.now() + 3600_000),
  });
  visitor.jar.set('password_reset', resetToken);
  await keep('/password/reset', visitor.get('/password/reset'));
  await keep(
    'POST /password/reset (errors)',
    visitor.post('/password/reset', { new_password: 'short' }),
    422,
  );
  await keep('/password/reset (bad link)', visitor.get('/password/reset?token=nope'), 400);
  const notMe = notMeToken(forum.deps.keys, memberId, forum.deps.now());
  await keep('/password/not-me/:token', visitor.get(`/password/not-me/${notMe}`));
  const stop = unsubscribeToken(forum.deps.keys, memberId, 'announcements');
  await keep('/email/unsubscribe/:token', visitor.get(`/email/unsubscribe/${stop}`));
  await keep('POST /email/unsubscribe/:token', visitor.post(`/email/unsubscribe/${stop}`));
  // The privacy-notice banner, for an account that has not seen the latest change.
  await forum.db.update(users).set({ policyVersionSeen: null }).where(eq(users.id, memberId));
  await keep('/ (privacy-notice banner)', a.get('/'));
  await keep('/account (privacy-notice banner)', a.get('/account'));
  // An account made from a Plimus identity, without a password: before and after a fresh
  // sign-in (set here directly; the sign-in itself is tested with the identity provider).
  const plimusOnly = await createMember(forum.deps, { username: 'quality_plimus' });
  await forum.db
    .update(users)
    .set({ policyVersionSeen: CURRENT_PRIVACY.version })
    .where(eq(users.id, plimusOnly.id));
  await linkIdentity(plimusOnly.id);
  const b = agent(forum.request, { client: 'quality-plimus' });
  const { token, session } = await createSession(forum.deps, plimusOnly.id, { remember: false });
  b.jar.set('session', token);
  await keep('/account (no password)', b.get('/account'));
  await keep('/account/delete (no password)', b.get('/account/delete'));
  await forum.db
    .update(sessions)
    .set({ freshAuthAt: new Date(forum.deps.now()) })
    .where(eq(sessions.id, session.id));
  await keep('/account (fresh Plimus sign-in)', b.get('/account'));
  await keep('/account/delete (fresh Plimus sign-in)', b.get('/account/delete'));
  // The journey really happened: signed in, the topic and its edit exist.
  const html = (path: string) => out.find((p) => p.path === path)?.html ?? '';
  expect(html('topic (signed in)')).toContain('Post reply');
  expect(html('reply page')).toContain('&gt; Some text.');
  expect(html('history page')).toContain('Some edited text.');
  expect(html('topic (an edit waiting)')).toContain('pending-edit-mark');
  expect(html('edit page (an edit waiting)')).toContain('waits for a moderator');
  expect(html('POST /f/busy (personal data)')).toContain('<mark>a@b.example</mark>');
  expect(html('/account?done=linked')).toContain('role="status"');
  expect(html('POST /account/profile (errors)')).toContain('id="bio-error"');
  expect(html('/account/email/confirm (bad link)')).toContain('This link has expired');
  expect(html('/account (linked to Plimus)')).toContain('Unlink your Plimus identity');
  expect(html('/account (privacy-notice banner)')).toContain('class="policy-banner"');
  expect(html('/account (fresh Plimus sign-in)')).toContain('Set password');
  expect(html('/account/delete (no password)')).toContain('Your account has no password');
  expect(html('/account (address failing)')).toContain('could not be delivered');
  expect(html('/password/reset')).toContain('Choose a new password');
  expect(html('POST /password/reset (errors)')).toContain('id="new_password-error"');
  expect(html('/password/not-me/:token')).toContain('Sign my account out everywhere');
  expect(html('POST /email/unsubscribe/:token')).toContain('You are unsubscribed');
  return out;
}

/** A Plimus identity with vendor staff status and a purchase, linked to an account. */
async function linkIdentity(userId: number) {
  const vendor = await ensureVendor(forum.deps, { plimusVendorId: 'vendor-acme', name: 'Acme' });
  const [link] = await forum.db
    .insert(identityLinks)
    .values({
      userId,
      issuer: 'https://login.plimus.example/',
      subject: `quality-${userId}`,
      linkedAt: new Date(forum.deps.now()),
      claimsRefreshedAt: new Date(forum.deps.now()),
      vendorId: vendor.id,
    })
    .returning();
  await forum.db
    .insert(identityPurchases)
    .values({ linkId: link?.id ?? 0, plimusProductId: 'product-acme-backup' });
}

let memberJourney: ReturnType<typeof memberPages> | undefined;
/** The member journey registers an account, so it runs once for all tests. */
function memberPagesOnce() {
  memberJourney ??= memberPages();
  return memberJourney;
}

describe('every page', () => {
  const validator = new HtmlValidate({
    extends: ['html-validate:standard', 'html-validate:a11y'],
    rules: { 'no-trailing-whitespace': 'off' },
  });

  const everyPage = async () => [
    ...(await Promise.all(pages().map(visitorPage))),
    ...(await memberPagesOnce()),
    ...(await adminPagesOnce()).pages,
  ];

  it('is valid HTML', async () => {
    for (const { path, html } of await everyPage()) {
      const report = await validator.validateString(html);
      const messages = report.results.flatMap((r) =>
        r.messages.map((m) => `${m.ruleId}: ${m.message}`),
      );
      expect(messages, path).toEqual([]);
    }
  });

  it('has one h1 first and headings that never skip a level', async () => {
    for (const { path, html } of await everyPage()) {
      const doc = parseHtml(html);
      const levels = doc
        .querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')
        .map((h) => Number(h.tagName[1]));
      expect(levels[0], path).toBe(1);
      expect(
        levels.filter((l) => l === 1),
        path,
      ).toHaveLength(1);
      for (let i = 1; i < levels.length; i++) {
        expect(
          (levels[i] as number) - (levels[i - 1] as number),
          `${path} heading ${i}`,
        ).toBeLessThanOrEqual(1);
      }
    }
  });

  it('logs the route pattern, never the address, query or names', async () => {
    forum.logs.length = 0;
    await forum.request('/out?url=https%3A%2F%2Fsecret.example%2F%3Ftoken%3Dabc');
    await forum.request('/u/Writer_One');
    // the route that answered, not another one the path also matches (/t/:id/:slug?)
    await forum.request(`/t/${fx.long.topicId}/feed.atom`);
    expect(forum.logs).toEqual([
      expect.stringMatching(/^GET \/out 200 [\d.]+ms$/),
      expect.stringMatching(/^GET \/u\/:username 200 [\d.]+ms$/),
      expect.stringMatching(/^GET \/t\/:id\/feed\.atom 200 [\d.]+ms$/),
    ]);
  });
});

/** /admin as an administrator sees it: every page, with notices and with forms in error. */
async function adminPages() {
  const admin = await createMember(forum.deps, { username: 'quality_admin' });
  await forum.db
    .update(users)
    .set({ role: 'admin', policyVersionSeen: CURRENT_PRIVACY.version })
    .where(eq(users.id, admin.id));
  const a = agent(forum.request, { client: 'quality-admin' });
  a.jar.set('session', (await createSession(forum.deps, admin.id, { remember: false })).token);
  const acme = await getForumBySlug(forum.deps, 'acme-backup-pro');
  const offTopic = await getForumBySlug(forum.deps, 'off-topic');
  expect(
    (await a.post('/admin/watched-words', { word: 'free money', action: 'hold' })).status,
  ).toBe(303);
  expect((await a.post('/admin/watched-words', { word: 'casino', action: 'block' })).status).toBe(
    303,
  );
  // The member's journey leaves a held post and an edit waiting in the moderation queue.
  await memberPagesOnce();
  // A reported post: the queue and the post's moderation panel list its reports.
  await forum.db.insert(reports).values([
    {
      postId: fx.long.postId,
      reporterId: admin.id,
      reason: 'spam',
      note: 'Ads',
      createdAt: new Date(forum.deps.now() - 240_000),
    },
  ]);
  const gets = [
    '/mod',
    `/mod/posts/${fx.long.postId}`,
    `/mod/posts/${fx.replyIds[3]}`,
    '/admin',
    '/admin?done=moved',
    '/admin/forums/new',
    `/admin/forums/${acme.id}`,
    `/admin/forums/${offTopic.id}?done=saved`,
    '/admin/roles',
    '/admin/roles?username=writer_one',
    '/admin/roles?username=quality_admin',
    '/admin/roles?username=nobody-at-all',
    '/admin/watched-words?done=word-added',
    '/admin/mail',
  ];
  const pages: { path: string; html: string }[] = [];
  const keep = async (path: string, res: Response | Promise<Response>, status = 200) => {
    const answer = await res;
    expect(answer.status, path).toBe(status);
    pages.push({ path, html: await answer.text() });
  };
  for (const path of gets) await keep(path, a.get(path));
  await keep(
    'POST /admin/forums (errors)',
    a.post('/admin/forums', { slug: 'Bad slug', name: '', vendor_id: 'v' }),
    422,
  );
  await keep(
    'POST /admin/forums/:id (errors)',
    a.post(`/admin/forums/${acme.id}`, { name: '', category: 'x' }),
    422,
  );
  await keep(
    'POST /admin/forums/:id/product (errors)',
    a.post(`/admin/forums/${offTopic.id}/product`, { vendor_id: 'a b' }),
    422,
  );
  await keep('POST /admin/roles/:username (errors)', a.post('/admin/roles/Writer_One', {}), 422);
  await keep(
    'POST /admin/watched-words (errors)',
    a.post('/admin/watched-words', { word: '!' }),
    422,
  );
  expect((await a.post(`/admin/forums/${offTopic.id}/archive`)).status).toBe(303);
  await keep('/admin (archived forum)', a.get('/admin'));
  await keep('/admin/forums/:id (archived)', a.get(`/admin/forums/${offTopic.id}`));
  expect((await a.post(`/admin/forums/${offTopic.id}/unarchive`)).status).toBe(303);
  await keep('/admin (visitor)', forum.request('/admin'), 403);
  await keep('/f/announcements/new (an administrator)', a.get('/f/announcements/new'));
  expect((await a.post('/admin/mail/privacy-notice')).status).toBe(303);
  await keep('/admin/mail (a mailing on its way)', a.get('/admin/mail?done=privacy-mailed'));
  // The journey really happened.
  const html = (path: string) => pages.find((p) => p.path === path)?.html ?? '';
  expect(html('/mod')).toContain('Refuse the edit');
  expect(html('/mod')).toContain('reported <time');
  expect(html(`/mod/posts/${fx.long.postId}`)).toContain('class="post-reports"');
  expect(html(`/mod/posts/${fx.replyIds[3]}`)).toContain('Nobody has reported this post.');
  expect(html(`/admin/forums/${acme.id}`)).toContain('Untie from Acme Backup Pro');
  expect(html('/admin/roles?username=writer_one')).toContain('name="role"');
  expect(html('/admin/roles?username=quality_admin')).toContain('This is you');
  expect(html('/admin/watched-words?done=word-added')).toContain('free money');
  expect(html('POST /admin/forums (errors)')).toContain('id="slug-error"');
  expect(html('/admin/forums/:id (archived)')).toContain('Open the forum again');
  expect(html('/admin (visitor)')).toContain('Error 403');
  expect(html('/admin/mail (a mailing on its way)')).toContain('<progress');
  expect(html('/f/announcements/new (an administrator)')).toContain('name="email_subscribers"');
  return { pages };
}

let adminJourney: ReturnType<typeof adminPages> | undefined;
function adminPagesOnce() {
  adminJourney ??= adminPages();
  return adminJourney;
}

/**
 * Vendors and customers: a question in a product forum with vendor and buyer badges and an
 * accepted answer, the answered/unanswered lists (with their cursor links), the composer with the
 * verified-buyer box, and /vendor (with questions, empty, and refused).
 */
async function vendorPages() {
  const signedIn = async (username: string, opts: { vendor?: string; bought?: boolean }) => {
    const user = await createMember(forum.deps, { username });
    await forum.db
      .update(users)
      .set({ policyVersionSeen: CURRENT_PRIVACY.version, publicAckAt: new Date(forum.deps.now()) })
      .where(eq(users.id, user.id));
    // An existing vendor keeps its name (ensureVendor would rename it).
    const vendor = opts.vendor
      ? ((await forum.db
          .select()
          .from(vendors)
          .where(eq(vendors.plimusVendorId, opts.vendor))
          .get()) ??
        (await ensureVendor(forum.deps, { plimusVendorId: opts.vendor, name: 'Empty' })))
      : null;
    const [link] = await forum.db
      .insert(identityLinks)
      .values({
        userId: user.id,
        issuer: 'https://login.plimus.example/',
        subject: `quality-${username}`,
        linkedAt: new Date(forum.deps.now()),
        claimsRefreshedAt: new Date(forum.deps.now()),
        vendorId: vendor?.id ?? null,
      })
      .returning();
    if (opts.bought) {
      await forum.db
        .insert(identityPurchases)
        .values({ linkId: link?.id ?? 0, plimusProductId: 'product-acme-backup' });
    }
    const a = agent(forum.request, { client: `quality-${username}` });
    a.jar.set('session', (await createSession(forum.deps, user.id, { remember: false })).token);
    return { a, user, vendorId: vendor?.id };
  };
  const staff = await signedIn('quality_staff', { vendor: 'vendor-acme' });
  const buyer = await signedIn('quality_buyer', { bought: true });
  const emptyStaff = await signedIn('quality_nothing', { vendor: 'vendor-quality-empty' });
  await forum.db.update(users).set({ showBuyerBadge: true }).where(eq(users.id, buyer.user.id));

  const asked = await buyer.a.post('/f/acme-backup-pro', {
    title: 'Does the backup run on battery?',
    kind: 'question',
    body: 'My laptop skips the **nightly** job when it is unplugged.',
  });
  expect(asked.status).toBe(303);
  const topicPath = location(asked);
  const topicId = Number(topicPath.split('/')[2]);
  // A reply before the answer: the accepted-answer box shows only where the answer is not the
  // very next post.
  expect(
    (await emptyStaff.a.post(`/t/${topicId}/replies`, { body: 'It skips mine too.' })).status,
  ).toBe(303);
  const answered = await staff.a.post(`/t/${topicId}/replies`, {
    body: '# Yes\n\nTick *Run on battery* in the job options.',
  });
  expect(answered.status).toBe(303);
  const answerId = Number(location(answered).split('#p')[1]);
  expect((await staff.a.post(`/posts/${answerId}/accept`)).status).toBe(303);

  // Enough open questions in one forum for the unanswered list to have a second page.
  // ... in the forum of a product whose vendor's dashboard then has a second page too.
  const busyStaff = await signedIn('quality_busy', { vendor: 'vendor-quality-busy' });
  const busyProduct = await ensureProduct(forum.deps, {
    plimusProductId: 'product-quality-busy',
    name: 'Quality questions',
    vendorId: busyStaff.vendorId ?? 0,
  });
  const many = await createForum(forum.deps, {
    slug: 'quality-questions',
    name: 'Quality questions',
    category: 'products',
    productId: busyProduct.id,
  });
  let at = forum.deps.now();
  for (let i = 1; i <= 32; i++) {
    at += 1000;
    await createTopic(
      { ...forum.deps, now: () => at },
      {
        forumId: many.id,
        authorId: buyer.user.id,
        title: `Open question ${i}`,
        body: 'Anyone?',
        kind: 'question',
      },
    );
  }
  const firstPage = parseHtml(
    await (await forum.request('/f/quality-questions?filter=unanswered')).text(),
  );
  const nextPage = firstPage.querySelector('a[rel=next]')?.getAttribute('href') as string;
  const dashboard = parseHtml(await (await busyStaff.a.get('/vendor')).text());
  const nextDashboard = dashboard.querySelector('a[rel=next]')?.getAttribute('href') as string;
  const prevDashboard = parseHtml(await (await busyStaff.a.get(nextDashboard)).text())
    .querySelector('a[rel=prev]')
    ?.getAttribute('href') as string;
  const publicGets = [
    topicPath,
    '/f/acme-backup-pro?filter=answered',
    '/f/acme-backup-pro?filter=unanswered',
    '/f/quality-questions?filter=unanswered',
    nextPage,
  ];
  const signedInGets: [typeof staff, string][] = [
    [staff, topicPath],
    [buyer, topicPath],
    [buyer, '/f/acme-backup-pro/new'],
    [buyer, `/t/${topicId}/replies/new`],
    [staff, '/vendor'],
    [emptyStaff, '/vendor'],
    [busyStaff, nextDashboard],
    [busyStaff, '/vendor?page=2'],
    [busyStaff, `/vendor?page=1&before=${nextDashboard.split('after=')[1]}`],
  ];
  const pages: { path: string; html: string }[] = [];
  const keep = async (path: string, res: Response | Promise<Response>, status = 200) => {
    const answer = await res;
    expect(answer.status, path).toBe(status);
    pages.push({ path, html: await answer.text() });
  };
  for (const path of publicGets) await keep(path, forum.request(path));
  for (const [who, path] of signedInGets) {
    await keep(`${path} (${who.user.username})`, who.a.get(path));
  }
  await keep('/vendor (member)', buyer.a.get('/vendor'), 403);
  await keep(
    'POST /f/acme-backup-pro (errors, buyer)',
    buyer.a.post('/f/acme-backup-pro', { title: 'x', body: '', show_buyer_badge: '1' }),
    422,
  );
  // The journey really happened.
  const html = (path: string) => pages.find((p) => p.path === path)?.html ?? '';
  expect(html(topicPath)).toMatch(/class="badge badge-vendor">Vendor · [^<]+</);
  expect(html(topicPath)).toContain('Verified buyer');
  expect(html(topicPath)).toContain('class="accepted-answer"');
  expect(html(topicPath)).toContain('application/ld+json');
  expect(html(nextPage)).toContain('Open question 2');
  expect(html(`/f/acme-backup-pro/new (${buyer.user.username})`)).toContain('show_buyer_badge');
  expect(html(`/vendor (${staff.user.username})`)).toContain('Scheduled backup skips files');
  expect(html(`/vendor (${emptyStaff.user.username})`)).toContain('No open questions');
  expect(html('/vendor (member)')).toContain('Error 403');
  expect(html(`${nextDashboard} (${busyStaff.user.username})`)).toContain('Open question 32');
  expect(prevDashboard).toBe('/vendor');
  return { pages, publicGets, signedInGets };
}

let vendorJourney: ReturnType<typeof vendorPages> | undefined;
function vendorPagesOnce() {
  vendorJourney ??= vendorPages();
  return vendorJourney;
}

describe('vendors and customers', () => {
  const validator = new HtmlValidate({
    extends: ['html-validate:standard', 'html-validate:a11y'],
    rules: { 'no-trailing-whitespace': 'off' },
  });

  it('are valid HTML with headings in order', async () => {
    for (const { path, html } of (await vendorPagesOnce()).pages) {
      const report = await validator.validateString(html);
      const messages = report.results.flatMap((r) =>
        r.messages.map((m) => `${m.ruleId}: ${m.message}`),
      );
      expect(messages, path).toEqual([]);
      const levels = parseHtml(html)
        .querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')
        .map((h) => Number(h.tagName[1]));
      expect(levels[0], path).toBe(1);
      expect(
        levels.filter((l) => l === 1),
        path,
      ).toHaveLength(1);
      for (let i = 1; i < levels.length; i++) {
        expect((levels[i] as number) - (levels[i - 1] as number), path).toBeLessThanOrEqual(1);
      }
    }
  });
});

/**
 * The audits of Lighthouse's SEO category that apply here (Lighthouse is not installed): the
 * page answers 200, has a title, a language, a meta description, a valid canonical URL on the
 * forum's origin, no noindex, a robots.txt that is valid and lets crawlers in, links that a
 * crawler can follow with descriptive text, a viewport; hreflang does not apply (one language).
 */
describe('search engines (the audits of Lighthouse’s SEO category)', () => {
  const GENERIC_LINK_TEXT = new Set([
    'click here',
    'click this',
    'go',
    'here',
    'information',
    'learn more',
    'link',
    'more',
    'more info',
    'more information',
    'read more',
    'right here',
    'see more',
    'start',
    'this',
  ]);
  const ROBOTS_DIRECTIVES = /^(user-agent|disallow|allow|sitemap|crawl-delay):\s*\S*/i;

  const audited = () => [
    '/',
    '/latest',
    '/f/busy',
    `/t/${fx.long.topicId}/${fx.long.slug}`,
    `/t/${fx.long.topicId}/${fx.long.slug}?page=2`,
    fx.scheduled.path,
    '/u/Writer_One',
    '/privacy',
  ];

  it('robots.txt is valid and lets crawlers read the public pages', async () => {
    const res = await forum.request('/robots.txt');
    expect(res.status).toBe(200);
    const lines = (await res.text()).split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    for (const line of lines) expect(line).toMatch(ROBOTS_DIRECTIVES);
    const disallowed = lines
      .filter((l) => /^disallow:/i.test(l))
      .map((l) => l.slice('disallow:'.length).trim());
    const blocked = (path: string) =>
      disallowed.some((d) =>
        new RegExp(`^${d.replace(/[.?+]/g, '\\$&').replace(/\*/g, '.*')}`).test(path),
      );
    for (const path of audited()) expect(blocked(path), path).toBe(false);
    expect(blocked('/search?q=x')).toBe(true);
  });

  it('every kind of public page passes them', async () => {
    for (const path of audited()) {
      const res = await forum.request(path);
      expect(res.status, path).toBe(200);
      const doc = parseHtml(await res.text());
      expect(doc.querySelector('html')?.getAttribute('lang')).toBe('en');
      expect(doc.querySelector('title')?.text.trim().length).toBeGreaterThan(5);
      const description =
        doc.querySelector('meta[name=description]')?.getAttribute('content') ?? '';
      expect(description.trim().length, 'meta description').toBeGreaterThan(10);
      expect(doc.querySelector('meta[name=viewport]')).not.toBeNull();
      expect(doc.querySelector('meta[name=robots]')?.getAttribute('content') ?? '').not.toContain(
        'noindex',
      );
      const canonical = doc.querySelectorAll('link[rel=canonical]');
      expect(canonical.length).toBeLessThanOrEqual(1);
      if (canonical[0]) {
        const url = new URL(canonical[0].getAttribute('href') ?? '');
        expect(url.origin).toBe(forum.deps.config.publicOrigin);
      }
      if (path.startsWith('/t/') || path.startsWith('/f/') || path === '/latest')
        expect(canonical).toHaveLength(1);
      expect(doc.querySelectorAll('link[hreflang]')).toHaveLength(0);
      for (const a of doc.querySelectorAll('a')) {
        const href = a.getAttribute('href');
        expect(href, a.outerHTML).toBeTruthy();
        expect(href, a.outerHTML).not.toMatch(/^\s*javascript:/i);
        expect(
          () => new URL(href ?? '', forum.deps.config.publicOrigin),
          a.outerHTML,
        ).not.toThrow();
        const text = a.text.replace(/\s+/g, ' ').trim().toLowerCase();
        expect(text.length, a.outerHTML).toBeGreaterThan(0);
        expect(GENERIC_LINK_TEXT.has(text), a.outerHTML).toBe(false);
      }
      for (const img of doc.querySelectorAll('img')) expect(img.getAttribute('alt')).toBeDefined();
    }
  });

  it('profiles of people without posts are noindex', async () => {
    await createMember(forum.deps, { username: 'quality_silent' });
    const doc = parseHtml(await (await forum.request('/u/quality_silent')).text());
    expect(doc.querySelector('meta[name=robots]')?.getAttribute('content')).toBe('noindex');
  });
});
