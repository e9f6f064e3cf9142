/**
 * The fuzz part of the reliability suite: hostile values on every POST route of the app's own
 * route table, as a visitor, a member and a moderator, and hostile GETs. Invariants: no answer is
 * a 5xx, and no refused request (4xx) changes the database (the whole database is compared after
 * each one). The app runs in this process against a real libSQL file with the real migrations.
 */
import { eq } from 'drizzle-orm';
import { reports, topics, users, watchedWords } from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import { hashPassword } from '../../src/auth/password';
import { createSession } from '../../src/auth/session';
import { WORST_INPUTS } from '../fixtures/cooking/worst';
import { payloads } from '../fixtures/xss/payloads';
import { dumpDatabase } from '../shared/dump';
import { createTestForum, ORIGIN } from '../support/forum';
import { postRoutes } from '../support/routes';
import { type Figure, insertPerson, type PartResult } from './reliability';

/** A small deterministic generator, so that a failing run can be repeated with its seed. */
function generator(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T,
  };
}

/** A value in a URL, lone surrogates included (as the bytes a client may send for them). */
const enc = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return v.replace(/[\uD800-\uDFFF]/g, '%ED%A0%80').replace(/[^%\w.-]/g, (c) => {
      try {
        return encodeURIComponent(c);
      } catch {
        return '%EF%BF%BD';
      }
    });
  }
};

/** Values that have broken forms elsewhere, and some of the worst inputs this forum knows. */
function hostileValues(): string[] {
  const xss = payloads.filter((_, i) => i % 25 === 0).map((p) => p.payload);
  const worst = WORST_INPUTS.slice(0, 6).map((w) => w.make(20_000));
  return [
    '',
    ' ',
    '\u0000',
    '\u0000'.repeat(100),
    '\uD800',
    '\uFFFF\uFFFE',
    '\u202Eevil',
    'e\u0301'.repeat(50),
    '💥'.repeat(2000),
    '-1',
    '0',
    '1e309',
    '99999999999999999999999',
    'NaN',
    'true',
    '[]',
    '{"__proto__":{"admin":true}}',
    '__proto__',
    'constructor',
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    '../../../../etc/passwd',
    '%00%0d%0aSet-Cookie: x=1',
    'javascript:alert(1)',
    '//evil.example',
    '/\\evil.example',
    'http://127.0.0.1:1/',
    // template syntaxes of several engines ($\u007B is the dollar and brace of JavaScript's)
    '{{7*7}}$\u007B7*7}<%= 7*7 %>',
    '\r\n\r\n',
    'a'.repeat(300),
    'a'.repeat(70_000),
    'x@y',
    `${'x'.repeat(64)}@${'y'.repeat(250)}.com`,
    '2026-02-30',
    '9999-12-31T23:59:59Z',
    'spam',
    'other',
    'question',
    'admin',
    'moderator',
    'on',
    ...xss,
    ...worst,
  ];
}

/** The names of the fields the forum's forms use, and a few that none does. */
const FIELDS = [
  'title',
  'body',
  'kind',
  'reason',
  'note',
  'username',
  'login',
  'email',
  'password',
  'new_password',
  'current_password',
  'display_name',
  'bio',
  'name',
  'slug',
  'description',
  'category',
  'word',
  'action',
  'role',
  'until',
  'days',
  'q',
  'keep_posts',
  'public_ack',
  'age_confirmed',
  'post_anyway',
  'preview',
  'remember',
  'next',
  'token',
  'forum',
  'product',
  '__proto__',
  'constructor',
  'x'.repeat(200),
];

const HOSTILE_GETS = (v: (s: string) => string) => [
  `/t/${v('x')}`,
  `/t/1/${v('x')}?page=${v('x')}`,
  `/f/${v('x')}?before=${v('x')}`,
  `/u/${v('x')}`,
  `/search?q=${v('x')}`,
  `/search?q=${v('x')}&page=${v('x')}`,
  `/out?url=${v('x')}`,
  `/latest?filter=${v('x')}&before=${v('x')}`,
  `/login?next=${v('x')}`,
  `/p/${v('x')}`,
  `/feeds/${v('x')}`,
  `/sitemap/topics/${v('x')}.xml`,
  `/${v('x')}`,
];

/** Composer routes whose refusal for want of a session keeps the text (src/services/kept-drafts.ts). */
const KEEPS_DRAFT = new Set(['/f/:forum', '/t/:id/replies']);

/** A dump (test/shared/dump.ts) without one table's line. */
const withoutTable = (dump: string, table: string) =>
  dump
    .split('\n')
    .filter((line) => !line.startsWith(`${table}: `))
    .join('\n');

export async function runFuzz(o: {
  posts: number;
  gets: number;
  seed?: number;
}): Promise<PartResult> {
  const rand = generator(o.seed ?? 1);
  const forum = await createTestForum();
  try {
    const deps = forum.deps;
    await seedDemo(deps);
    // A reply and a report to aim at, and a watched word.
    const topic = await deps.db.select().from(topics).limit(1).get();
    if (!topic?.firstPostId) throw new Error('no demo topic');
    const [word] = await deps.db
      .insert(watchedWords)
      .values({ word: 'fuzzword', action: 'hold', createdAt: new Date(deps.now()) })
      .returning();
    const passwordHash = await hashPassword('correct horse battery staple');
    const persona = async (role: 'member' | 'moderator') => {
      const username = `fuzz_${role}`;
      const id = await insertPerson(deps, { username, role, passwordHash });
      const { token } = await createSession(deps, id, { remember: false });
      return { name: role, cookie: `session=${token}`, username };
    };
    const people = [
      { name: 'guest', cookie: '', username: 'nobody' },
      await persona('member'),
      await persona('moderator'),
    ];
    // A report by the member on the demo topic's first post.
    const [report] = await deps.db
      .insert(reports)
      .values({ postId: topic.firstPostId, reporterId: null, reason: 'spam' })
      .returning();
    const values = hostileValues();
    const value = () => rand.pick(values);
    const param = (route: string) =>
      route
        .replace(/^\/t\/:id/, `/t/${rand.next() < 0.8 ? topic.id : enc(value())}`)
        .replace(/^\/posts\/:id/, `/posts/${rand.next() < 0.8 ? topic.firstPostId : enc(value())}`)
        .replace(/^\/edits\/:id/, '/edits/1')
        .replace(/^\/mod\/reports\/:id/, `/mod/reports/${report?.id}`)
        .replace(/^\/admin\/forums\/:id/, `/admin/forums/${topic.forumId}`)
        .replace(/^\/admin\/watched-words\/:id/, `/admin/watched-words/${word?.id}`)
        .replace(':forum', 'off-topic')
        .replace(':username', rand.pick(people).username)
        .replace(/:\w+/g, () => enc(value()));
    const routes = postRoutes(forum.routes);

    // Sessions are used once first, so that no request below writes "last used".
    for (const p of people) await forum.request('/privacy', { headers: { Cookie: p.cookie } });
    await deps.visits.flush(deps.db);
    let before = await dumpDatabase(deps);
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    let changedByRefused = 0;
    let accepted = 0;
    for (let i = 0; i < o.posts; i++) {
      const route = rand.pick(routes);
      const who = rand.pick(people);
      const fields = new URLSearchParams();
      const n = 1 + rand.int(6);
      for (let f = 0; f < n; f++) fields.append(rand.pick(FIELDS), value());
      const kind = rand.int(20);
      const body =
        kind === 0
          ? `--x\r\nContent-Disposition: form-data; name="${rand.pick(FIELDS)}"\r\n\r\n${value()}`
          : fields.toString();
      const res = await forum.request(param(route), {
        method: 'POST',
        redirect: 'manual',
        headers: {
          Origin: rand.int(30) === 0 ? 'https://evil.example' : ORIGIN,
          'Content-Type':
            kind === 0
              ? 'multipart/form-data; boundary=x'
              : kind === 1
                ? 'text/plain'
                : 'application/x-www-form-urlencoded',
          'x-test-client': `fuzz-${rand.int(50)}`,
          ...(who.cookie ? { Cookie: who.cookie } : {}),
        },
        body,
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) problems.push(`POST ${route} as ${who.name}: ${res.status}`);
      await deps.visits.flush(deps.db);
      const after = await dumpDatabase(deps);
      // A reply or topic sent signed out is kept for after the sign-in (401): that refusal may
      // write its draft, and nothing else.
      const keepsDraft = res.status === 401 && KEEPS_DRAFT.has(route);
      const changed = keepsDraft
        ? withoutTable(after, 'kept_drafts') !== withoutTable(before, 'kept_drafts')
        : after !== before;
      if (res.status >= 400 && changed) {
        changedByRefused++;
        problems.push(
          `POST ${route} as ${who.name} was refused (${res.status}) but changed the database`,
        );
      }
      if (res.status < 400) accepted++;
      before = after;
    }
    let getFailures = 0;
    for (let i = 0; i < o.gets; i++) {
      const path = rand.pick(HOSTILE_GETS((_) => enc(value()).slice(0, 2000)));
      const who = rand.pick(people);
      const res = await forum.request(path, {
        redirect: 'manual',
        headers: {
          'x-test-client': `fuzz-get-${rand.int(50)}`,
          ...(who.cookie ? { Cookie: who.cookie } : {}),
        },
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) {
        getFailures++;
        problems.push(`GET ${path.slice(0, 80)} as ${who.name}: ${res.status}`);
      }
    }
    const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
    const errorLines = forum.logs.filter((l) => l.startsWith('error')).length;
    const figures: Figure[] = [
      {
        name: 'fuzz: hostile form posts',
        value: `${o.posts.toLocaleString('en-US')} over ${routes.length} routes as visitor, member and moderator (${accepted} accepted)`,
        ok: true,
      },
      { name: 'fuzz: hostile GETs', value: o.gets.toLocaleString('en-US'), ok: true },
      { name: 'fuzz: 5xx answers', value: String(fivexx), ok: fivexx === 0 && getFailures === 0 },
      {
        name: 'fuzz: refused requests that changed the database',
        value: String(changedByRefused),
        ok: changedByRefused === 0,
      },
      { name: 'fuzz: error lines in the log', value: String(errorLines), ok: errorLines === 0 },
    ];
    // The account of the member still exists and is not an admin.
    const member = await deps.db
      .select()
      .from(users)
      .where(eq(users.username, 'fuzz_member'))
      .get();
    if (member?.role !== 'member') problems.push('the member is no longer a plain member');
    return { part: 'fuzz', figures, problems: problems.slice(0, 20) };
  } finally {
    await forum.close();
  }
}
