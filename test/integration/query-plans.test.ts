/**
 * Every query of every page, for every kind of reader, through EXPLAIN QUERY PLAN: a visitor, a
 * member, vendor staff, a moderator and an administrator each read the pages they can read (the
 * moderation queue and log with and without filters and on their older pages, the account pages,
 * every administration page, the vendor dashboard...), and no query may scan a table that grows
 * with the forum or sort outside an index. A GET route of the app that no page here reaches fails
 * the last test, so a new page cannot escape the check.
 *
 * The database holds enough to make every page do its real work: the demo content and a busy
 * forum (test/shared/fixture.ts), open reports, held posts and an edit waiting for approval,
 * more moderation-log rows than one page of the log, a question with an accepted answer in a
 * product forum, and a vendor with more open questions than one page of its dashboard.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityLinks, passwordResets, pendingEdits, users, vendors } from '../../db/schema';
import { createSession } from '../../src/auth/session';
import { CURRENT_PRIVACY } from '../../src/content/privacy';
import { notMeToken, unsubscribeToken } from '../../src/mail/links';
import { createMember } from '../../src/services/accounts';
import { addWatchedWord } from '../../src/services/admin';
import { acceptAnswer } from '../../src/services/answers';
import { createForum, ensureProduct, ensureVendor } from '../../src/services/catalog';
import { getForumBySlug } from '../../src/services/forums';
import { LOG_PAGE, removePost, setTopicFlag } from '../../src/services/moderation';
import { createReply, createTopic, editPost, getPost } from '../../src/services/posting';
import { reportPost } from '../../src/services/reports';
import { type Agent, agent } from '../shared/agent';
import { buildFixture, type Fixture } from '../shared/fixture';
import { createTestForum, type TestForum } from '../support/forum';
import { parseHtml } from '../support/html';

let forum: TestForum;
let fx: Fixture;
const queries: { sql: string; params: unknown[] }[] = [];

type User = typeof users.$inferSelect;
type Role = 'visitor' | 'member' | 'vendor' | 'moderator' | 'admin';
const ROLES: Role[] = ['visitor', 'member', 'vendor', 'moderator', 'admin'];

/** What the pages below need: who reads them, and the ids of what they show. */
type World = {
  people: Record<Exclude<Role, 'visitor'>, { user: User; a: Agent }>;
  visitor: Agent;
  memberTopic: { topicId: number; path: string; postId: number };
  question: { topicId: number; path: string; answerId: number };
  reportedPostId: number;
  heldAuthor: User;
  acmeForumId: number;
  offTopicForumId: number;
  vendorNextPage: string;
  /** the older pages of the log, unfiltered and by one moderator */
  logOlderPages: string[];
  tokens: { notMe: string; unsubscribe: string; reset: string };
};
let world: World;

/** An account (not signed in), as its row. */
async function account(username: string, values: Partial<typeof users.$inferInsert> = {}) {
  const created = await createMember(forum.deps, { username });
  const [user] = await forum.db
    .update(users)
    .set({
      policyVersionSeen: CURRENT_PRIVACY.version,
      publicAckAt: new Date(forum.deps.now()),
      ...values,
    })
    .where(eq(users.id, created.id))
    .returning();
  if (!user) throw new Error(`no account ${username}`);
  return user;
}

/** Signed in with a session made directly (the session a sign-in makes). */
async function signedIn(username: string, values: Partial<typeof users.$inferInsert> = {}) {
  const user = await account(username, values);
  const a = agent(forum.request, { client: `plans-${username}` });
  a.jar.set('session', (await createSession(forum.deps, user.id, { remember: true })).token);
  return { user, a };
}

async function linkVendor(userId: number, plimusVendorId: string) {
  const vendor =
    (await forum.db
      .select()
      .from(vendors)
      .where(eq(vendors.plimusVendorId, plimusVendorId))
      .get()) ?? (await ensureVendor(forum.deps, { plimusVendorId, name: plimusVendorId }));
  await forum.db.insert(identityLinks).values({
    userId,
    issuer: 'https://login.plimus.example/',
    subject: `plans-${userId}`,
    linkedAt: new Date(forum.deps.now()),
    claimsRefreshedAt: new Date(forum.deps.now()),
    vendorId: vendor.id,
  });
  return vendor;
}

const pathOfTopic = async (topicId: number) => {
  const res = await forum.request(`/t/${topicId}`);
  expect(res.status).toBe(301);
  return new URL(res.headers.get('location') ?? '', 'http://forum.test').pathname;
};

async function buildWorld(): Promise<World> {
  const deps = forum.deps;
  const member = await signedIn('plans_member');
  const vendorStaff = await signedIn('plans_vendor');
  const moderator = await signedIn('plans_moderator', { role: 'moderator' });
  const admin = await signedIn('plans_admin', { role: 'admin' });
  const acmeVendor = await linkVendor(vendorStaff.user.id, 'vendor-acme');
  const acme = await getForumBySlug(deps, 'acme-backup-pro');
  const offTopic = await getForumBySlug(deps, 'off-topic');

  // The member's own topic, reply and question (for the edit, history, delete and report pages).
  const own = await createTopic(deps, {
    forumId: fx.busy.id,
    authorId: member.user.id,
    title: 'A topic of the query-plan member',
    body: 'Some text to edit.',
    kind: 'discussion',
  });
  const ownPost = await createReply(deps, {
    topicId: own.topicId,
    authorId: member.user.id,
    body: 'A reply to edit, with history.',
  });
  await editPost(deps, member.user, await getPost(deps, ownPost.postId), {
    body: 'A reply to edit, with history, edited.',
    postAnyway: false,
  });

  // A question in Acme's product forum, answered by its staff; the asker accepted the answer.
  const question = await createTopic(deps, {
    forumId: acme.id,
    authorId: member.user.id,
    title: 'Does the backup run on battery power?',
    body: 'My laptop skips the nightly job when it is unplugged.',
    kind: 'question',
  });
  const answer = await createReply(deps, {
    topicId: question.topicId,
    authorId: vendorStaff.user.id,
    body: 'Tick *Run on battery* in the job options.',
  });
  await acceptAnswer(deps, member.user, answer.postId);

  // The queue: open reports, held posts, and an edit waiting for approval.
  const reporters = [];
  for (let i = 1; i <= 3; i++) reporters.push(await account(`plans_r${i}`));
  for (const [i, reporter] of reporters.entries()) {
    await reportPost(deps, reporter, fx.replyIds[i] as number, { reason: 'spam', note: '' });
  }
  const heldAuthor = await account('plans_held', { postsNeedApproval: true });
  await createReply(deps, {
    topicId: own.topicId,
    authorId: heldAuthor.id,
    body: 'A held reply.',
    held: true,
  });
  const published = await createReply(deps, {
    topicId: own.topicId,
    authorId: heldAuthor.id,
    body: 'A published reply of a held member.',
  });
  expect(
    await editPost(deps, heldAuthor, await getPost(deps, published.postId), {
      body: 'An edit that waits.',
      postAnyway: false,
    }),
  ).toBe('waiting');
  expect(await forum.db.select().from(pendingEdits).all()).toHaveLength(1);

  // More log rows than a page of the log holds, by two moderators and of several actions.
  for (let i = 0; i < LOG_PAGE; i++) {
    const topicId = (fx.created[i % fx.created.length] as { topicId: number }).topicId;
    await setTopicFlag(deps, i % 2 ? admin.user : moderator.user, topicId, 'lock', '');
    await setTopicFlag(deps, i % 2 ? admin.user : moderator.user, topicId, 'unlock', '');
  }
  await removePost(deps, moderator.user, fx.replyIds[10] as number, { reason: 'spam', note: '' });
  await addWatchedWord(deps, admin.user, { word: 'free money', action: 'hold' });

  // A vendor whose dashboard has a second page.
  const product = await ensureProduct(deps, {
    plimusProductId: 'product-acme-many',
    name: 'Acme Many Questions',
    vendorId: acmeVendor.id,
  });
  const many = await createForum(deps, {
    slug: 'acme-many',
    name: 'Acme Many Questions',
    category: 'products',
    productId: product.id,
  });
  let at = deps.now();
  for (let i = 1; i <= 32; i++) {
    at += 1000;
    await createTopic(
      { ...deps, now: () => at },
      {
        forumId: many.id,
        authorId: member.user.id,
        title: `Open question number ${i}`,
        body: 'Anyone?',
        kind: 'question',
      },
    );
  }
  const dashboard = parseHtml(await (await vendorStaff.a.get('/vendor')).text());
  const vendorNextPage = dashboard.querySelector('a[rel=next]')?.getAttribute('href') ?? '';
  expect(vendorNextPage).toMatch(/^\/vendor\?/);

  const logOlderPages: string[] = [];
  for (const path of ['/mod/log', '/mod/log?moderator=plans_moderator']) {
    const log = parseHtml(await (await moderator.a.get(path)).text());
    const older = log.querySelector('a[rel=next]')?.getAttribute('href') ?? '';
    expect(older, path).toMatch(/^\/mod\/log\?.*before=\d+/);
    logOlderPages.push(older);
  }

  // Links people get by email.
  const reset = 'planresettokenaaaaaaaaaaaaaaaaaa';
  await forum.db.insert(passwordResets).values({
    id: encodeHexLowerCase(sha256(new TextEncoder().encode(reset))),
    userId: member.user.id,
    createdAt: new Date(deps.now()),
    expiresAt: new Date(deps.now() + 3600_000),
  });

  return {
    people: { member, vendor: vendorStaff, moderator, admin },
    visitor: agent(forum.request, { client: 'plans-visitor' }),
    memberTopic: {
      topicId: own.topicId,
      path: await pathOfTopic(own.topicId),
      postId: ownPost.postId,
    },
    question: {
      topicId: question.topicId,
      path: await pathOfTopic(question.topicId),
      answerId: answer.postId,
    },
    reportedPostId: fx.replyIds[0] as number,
    heldAuthor,
    acmeForumId: acme.id,
    offTopicForumId: offTopic.id,
    vendorNextPage,
    logOlderPages,
    tokens: {
      notMe: notMeToken(deps.keys, member.user.id, deps.now()),
      unsubscribe: unsubscribeToken(deps.keys, member.user.id, 'announcements'),
      reset,
    },
  };
}

beforeAll(async () => {
  forum = await createTestForum({}, { onQuery: (sql, params) => queries.push({ sql, params }) });
  fx = await buildFixture(forum.deps);
  world = await buildWorld();
}, 120_000);
afterAll(() => forum.close());

/** A page to read, the status it must answer, and (for redirects) nothing more. */
type Page = [path: string, status: number];

/** What everyone reads, signed in or not. */
const readingPages = (): Page[] => [
  ['/', 200],
  ['/latest', 200],
  ['/latest?filter=unanswered', 200],
  ['/f/busy', 200],
  ['/f/busy?page=3', 200],
  ['/f/acme-backup-pro?filter=unanswered', 200],
  ['/f/acme-backup-pro?filter=answered', 200],
  [`/t/${fx.long.topicId}/${fx.long.slug}`, 200],
  [`/t/${fx.long.topicId}/${fx.long.slug}?page=3`, 200],
  [world.question.path, 200],
  [world.memberTopic.path, 200],
  [fx.scheduled.path, 200],
  [`/t/${fx.long.topicId}/wrong-slug`, 301],
  [`/p/${fx.replyIds[30]}`, 302],
  ['/u/Writer_One', 200],
  ['/u/plans_member', 200],
  ['/search', 200],
  ['/search?q=backup', 200],
  ['/search?q=backup+files+order%3Alatest', 200],
  ['/search?q=%22busy+topic%22+-number+order%3Aoldest', 200],
  ['/search?q=backup+forum%3Aacme-backup-pro+is%3Aunanswered', 200],
  [`/search?q=reply+topic%3A${fx.long.topicId}`, 200],
  ['/search?q=reply+user%3AWriter_One+in%3Atitle', 200],
  ['/search?q=body+after%3A2026-01-01+before%3A2027-01-01', 200],
  ['/feed.atom', 200],
  ['/f/busy/feed.atom', 200],
  // a private feed's address that is nobody's (the real ones read what /notifications reads)
  ['/notifications/1.0.not-a-mac/feed.atom', 404],
  [`/t/${fx.long.topicId}/feed.atom`, 200],
  ['/sitemap.xml', 200],
  ['/sitemap/forums.xml', 200],
  ['/sitemap/topics/1.xml', 200],
  ['/robots.txt', 200],
  ['/opensearch.xml', 200],
  ['/privacy', 200],
  ['/out?url=https%3A%2F%2Fexample.com%2F', 200],
  ['/healthz', 200],
  ['/readyz', 200],
];

/** What a visitor reads besides: joining, signing in, the links of emails. */
const visitorPages = (): Page[] => [
  ['/register', 200],
  ['/login', 200],
  ['/password/forgot', 200],
  [`/password/reset?token=${world.tokens.reset}`, 303],
  [`/password/not-me/${world.tokens.notMe}`, 200],
  [`/email/unsubscribe/${world.tokens.unsubscribe}`, 200],
  ['/account/email/confirm?token=not-a-real-token', 400],
  ['/account/deleted?posts=kept', 200],
  ['/auth/plimus', 404],
  ['/auth/plimus/callback?code=x&state=y', 404],
  ['/auth/plimus/complete', 400],
  // asked to sign in first, to come back to the composer
  ['/f/busy/new', 303],
  ['/account', 403],
  ['/notifications', 303],
  ['/mod', 403],
  ['/admin', 403],
  ['/vendor', 403],
];

/** What every signed-in person reads: the composers, their own posts, their account. */
const signedInPages = (): Page[] => [
  ['/f/busy/new', 200],
  ['/f/acme-backup-pro/new', 200],
  [`/t/${world.memberTopic.topicId}/replies/new`, 200],
  [`/t/${world.memberTopic.topicId}/replies/new?quote=${world.memberTopic.postId}`, 200],
  [`/posts/${fx.replyIds[5]}/report`, 200],
  ['/account', 200],
  ['/account/delete', 200],
  ['/account/export', 200],
  ['/notifications', 200],
];

/** The member's own post: edit, history and delete pages. */
const authorPages = (): Page[] => [
  [`/posts/${world.memberTopic.postId}/edit`, 200],
  [`/posts/${world.memberTopic.postId}/history`, 200],
  [`/posts/${world.memberTopic.postId}/delete`, 200],
];

const moderatorPages = (): Page[] => [
  ['/mod', 200],
  ['/mod/log', 200],
  ['/mod/log?moderator=plans_moderator', 200],
  ['/mod/log?action=topic_lock', 200],
  [`/mod/log?target=topic:${fx.created[0]?.topicId}`, 200],
  [`/mod/log?target=post:${fx.replyIds[10]}`, 200],
  [
    `/mod/log?moderator=plans_admin&action=topic_unlock&target=topic:${fx.created[1]?.topicId}`,
    200,
  ],
  ['/mod/log?moderator=plans_moderator&action=topic_lock', 200],
  ['/mod/log?action=nothing-like-this', 400],
  ...world.logOlderPages.map((path): Page => [path, 200]),
  [`/mod/posts/${world.reportedPostId}`, 200],
  [`/mod/topics/${world.memberTopic.topicId}`, 200],
  ['/mod/users/plans_held', 200],
  [`/posts/${world.memberTopic.postId}/history`, 200],
];

const adminPages = (): Page[] => [
  ['/admin', 200],
  ['/admin/forums/new', 200],
  [`/admin/forums/${world.acmeForumId}`, 200],
  [`/admin/forums/${world.offTopicForumId}?done=saved`, 200],
  ['/admin/roles', 200],
  ['/admin/roles?username=writer_one', 200],
  ['/admin/roles?username=writer', 200],
  ['/admin/roles?username=nobody-at-all', 200],
  ['/admin/watched-words', 200],
  ['/admin/mail', 200],
];

const vendorPages = (): Page[] => [
  ['/vendor', 200],
  [world.vendorNextPage, 200],
  ['/vendor?page=2', 200],
];

/** Every page of a kind of reader, with the status it must answer. */
function pagesOf(role: Role): Page[] {
  switch (role) {
    case 'visitor':
      return [...readingPages(), ...visitorPages()];
    case 'member':
      return [
        ...readingPages(),
        ...signedInPages(),
        ...authorPages(),
        ['/mod', 403],
        ['/mod/log', 403],
        ['/admin', 403],
        ['/vendor', 403],
      ];
    case 'vendor':
      return [...readingPages(), ...signedInPages(), ...vendorPages()];
    case 'moderator':
      return [...readingPages(), ...signedInPages(), ...moderatorPages(), ['/admin', 403]];
    case 'admin':
      return [...readingPages(), ...signedInPages(), ...moderatorPages(), ...adminPages()];
  }
}

/**
 * Lists of every forum (/latest, the whole forum's feed) walk an index in its order and stop at
 * their LIMIT: SQLite calls that a SCAN because no equality narrows the walk first. So does a
 * list read in the order of its table's key (the moderation log without filters, the edits
 * waiting for approval), when nothing can skip rows on the way but what the public may not see
 * (held, removed or deleted rows), which are few.
 */
function walksInOrder(sql: string, step: string): boolean {
  if (!/ limit \?( offset \?)?$/.test(sql)) return false;
  if (/^SCAN topics USING INDEX topics_latest(_unanswered)?_idx$/.test(step)) return true;
  const table = /^SCAN (\w+)$/.exec(step)?.[1];
  if (!table || !new RegExp(`order by "${table}"\\."id" (asc|desc) limit \\?$`).test(sql))
    return false;
  const where = / where (.*) order by /.exec(sql)?.[1] ?? '';
  return where
    .replace(/[()]/g, '')
    .split(' and ')
    .filter(Boolean)
    .every((c) => /^"\w+"\."(state" = 'visible'|removed_at" is null|deleted_at" is null)$/.test(c));
}

/**
 * The administrators' email page counts the outbox by status, through a covering index: what it
 * counts is what the outbox holds (a message's record goes 30 days after it is finished).
 */
const countsTheOutbox = (sql: string) =>
  /^select "status", count\(\*\) from "mail_outbox" group by "mail_outbox"\."status"$/.test(sql);

/**
 * The search sorts and groups only the posts it ranks, at most RANKED_POSTS of them
 * (docs/decisions/012-search-ranking-bound.md), never a table.
 */
const ranksSearchHits = (sql: string) => /posts_fts match/.test(sql);

/**
 * Tables that stay small whatever the forum's size, read whole on purpose: the forums (the
 * index lists them all), their vendors and products, the watched words (matched against every
 * post) and the mailings of the administration page.
 */
const SMALL_TABLES = new Set(['forums', 'vendors', 'products', 'watched_words', 'mailings']);

const SQL_WORDS = new Set(['where', 'on', 'join', 'left', 'inner', 'cross', 'order', 'group']);

/** The tables a query reads, by the names its plan gives them (their own, or their aliases). */
function tableNames(sql: string, tables: Set<string>): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of sql.matchAll(/\b(?:from|join) "?(\w+)"?(?: (?:as )?"?(\w+)"?)?/gi)) {
    const table = m[1] as string;
    if (!tables.has(table)) continue; // a common table expression or a subquery
    const alias = m[2] && !SQL_WORDS.has(m[2].toLowerCase()) ? m[2] : table;
    names.set(alias, table);
  }
  return names;
}

let schemaTables: Set<string> | undefined;

/** The steps of a query's plan that read more than an index walk: scans and sorts. */
async function badSteps(q: { sql: string; params: unknown[] }): Promise<string[]> {
  schemaTables ??= new Set(
    (await forum.client.execute("select name from sqlite_master where type = 'table'")).rows.map(
      (r) => String(r.name),
    ),
  );
  const plan = await forum.client.execute({
    sql: `EXPLAIN QUERY PLAN ${q.sql}`,
    args: q.params as never,
  });
  const steps = plan.rows.map((r) => String(r.detail));
  const names = tableNames(q.sql, schemaTables);
  const readsSmallTablesOnly = [...names.values()].every((t) => SMALL_TABLES.has(t));
  const bad = steps.filter((s) => {
    const scanned = /^SCAN (\w+)/.exec(s)?.[1];
    const table = scanned && names.get(scanned);
    // The search index answers MATCH itself (its plan says M), in its own index.
    const matches = / VIRTUAL TABLE INDEX \d+:\S*M/.test(s);
    if (table && !SMALL_TABLES.has(table) && !matches && !walksInOrder(q.sql, s))
      return !countsTheOutbox(q.sql);
    return /TEMP B-TREE/.test(s) && !readsSmallTablesOnly && !ranksSearchHits(q.sql);
  });
  return bad.length ? [`${q.sql}\n    ${bad.join('\n    ')}`] : [];
}

/** The route patterns the pages below reached (from the request log: `GET /u/:username 200 …`). */
const reached = new Set<string>();

/** Reads the page as `a`, checks its status, and returns what is wrong with its queries. */
async function check(label: string, a: Agent, [path, status]: Page): Promise<string[]> {
  queries.length = 0;
  const logged = forum.logs.length;
  const res = await a.get(path);
  await res.arrayBuffer();
  const problems: string[] = [];
  if (res.status !== status)
    problems.push(
      `${label} ${path}: status ${res.status}, not ${status}`,
      ...forum.logs.slice(logged),
    );
  const line = forum.logs.slice(logged).find((l) => l.startsWith('GET '));
  if (line) reached.add(line.split(' ')[1] as string);
  for (const q of queries) {
    for (const bad of await badSteps(q)) problems.push(`${label} ${path}: ${bad}`);
  }
  return problems;
}

/** Every page of a role, read once (the coverage test reads them all, each test its own). */
const checked = new Map<Role, Promise<string[]>>();
function checkRole(role: Role): Promise<string[]> {
  let done = checked.get(role);
  if (!done) {
    done = (async () => {
      const a = role === 'visitor' ? world.visitor : world.people[role].a;
      const problems: string[] = [];
      for (const page of pagesOf(role)) problems.push(...(await check(role, a, page)));
      return problems;
    })();
    checked.set(role, done);
  }
  return done;
}

describe('every query of every page', () => {
  for (const role of ROLES) {
    it(`reads through indexes for ${role === 'admin' ? 'an' : 'a'} ${role}: no scan of a growing table, no sort outside an index`, async () => {
      const problems = await checkRole(role);
      expect(problems, problems.join('\n\n')).toEqual([]);
    });
  }

  it('the pages above reach every GET route of the app', async () => {
    for (const role of ROLES) await checkRole(role);
    const routes = [
      ...new Set(forum.routes.filter((r) => r.method === 'GET').map((r) => r.path)),
    ].sort();
    expect(routes.filter((r) => !reached.has(r))).toEqual([]);
  });
});
