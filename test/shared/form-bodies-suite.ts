/**
 * Bodies a browser would never send, on every POST route, the same on Node (libSQL) and in
 * workerd (D1): a broken `multipart/form-data` body is a 400 that explains, never a 500, and
 * changes nothing.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { reports, topics, watchedWords } from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import { hashPassword } from '../../src/auth/password';
import { resolvePlimusSignIn } from '../../src/services/identity';
import { parseHtml } from '../support/html';
import { postRoutes } from '../support/routes';
import type { ClockedForum } from './accounts-suite';
import { type Agent, agent, ORIGIN } from './agent';
import { dumpDatabase } from './dump';
import { insertAccount, PASSWORD, signIn } from './people';

/**
 * Routes that read no form: whatever their body, it is never parsed. Every other POST route
 * reads one, so a route added without a form must be named here.
 */
const NO_FORM = new Set([
  '/logout',
  '/posts/:id/delete',
  '/posts/:id/approve',
  '/edits/:id/approve',
  '/posts/:id/accept',
  '/posts/:id/unaccept',
  '/posts/:id/like',
  '/posts/:id/unlike',
  '/notifications/read-all',
  '/account/notification-feed/reset',
  '/account/sessions/end-others',
  '/account/plimus/unlink',
  '/admin/forums/:id/product/remove',
  '/admin/forums/:id/archive',
  '/admin/forums/:id/unarchive',
  '/admin/watched-words/:id/remove',
  '/admin/mail/privacy-notice',
  '/account/email/confirmation',
  '/password/not-me/:token',
  '/email/unsubscribe/:token',
]);

/** Routes for people who are not signed in (a signed-in person is sent home before the form). */
const SIGNED_OUT = new Set(['/register', '/login', '/password/forgot', '/password/reset']);

/** Broken bodies: no boundary, a part that never ends, no parts at all, a part without a name. */
const BROKEN: [string, string][] = [
  ['multipart/form-data', 'title=Hello&body=World'],
  [
    'multipart/form-data; boundary=XyZ',
    '--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nnever ends',
  ],
  ['multipart/form-data; boundary=XyZ', 'this is not multipart at all'],
  ['multipart/form-data; boundary=XyZ', '--XyZ\r\n\r\nvalue\r\n--XyZ--\r\n'],
];

let seq = 0;

export function formBodiesSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  let admin: Agent;
  /** the author of the reply the `/posts/:id` routes act on (only authors edit their posts) */
  let author: Agent;
  /** a visitor half-way through joining with a Plimus identity: choosing a username */
  let joining: Agent;
  /** what each route's parameters stand for: things that exist, so that the route reads on */
  let params: (route: string) => string;

  async function person(role: 'member' | 'admin') {
    const username = `fb_${role}_${++seq}`;
    const user = await insertAccount(forum.deps.db, {
      username,
      passwordHash: await hashPassword(PASSWORD),
      now: forum.deps.now(),
      values: { role },
    });
    return { a: await signIn(forum.request, username), user };
  }

  beforeAll(async () => {
    forum = await setup();
    await seedDemo(forum.deps);
    ({ a: admin } = await person('admin'));
    const { a: member, user } = await person('member');
    author = member;
    expect(
      (await member.post('/f/off-topic', { title: 'A topic for bodies', body: 'Opening.' })).status,
    ).toBe(303);
    forum.clock.advance(6_000);
    const topicRow = () =>
      forum.deps.db.select().from(topics).where(eq(topics.title, 'A topic for bodies')).get();
    const topic = await topicRow();
    if (!topic) throw new Error('no topic');
    await member.post(`/t/${topic.id}/replies`, { body: 'A reply.' });
    const reply = (await topicRow())?.lastPostId as number;
    const { a: reporter } = await person('member');
    await reporter.post(`/posts/${reply}/report`, { reason: 'spam', note: '' });
    const [report] = await forum.deps.db.select().from(reports);
    const [word] = await forum.deps.db
      .insert(watchedWords)
      .values({ word: 'bodyword', action: 'hold', createdAt: new Date(forum.deps.now()) })
      .returning();
    const pending = await resolvePlimusSignIn(
      forum.deps,
      'https://login.plimus.example/',
      { sub: 'form-bodies-subject' },
      null,
    );
    if (pending.kind !== 'choose-username') throw new Error(`no pending sign-up: ${pending.kind}`);
    joining = agent(forum.request);
    joining.jar.set('plimus_signup', pending.token);
    const ids: [RegExp, string][] = [
      [/^\/t\/:id/, `/t/${topic.id}`],
      [/^\/posts\/:id/, `/posts/${reply}`],
      // The form is read before the edit is looked up: any id shows it.
      [/^\/edits\/:id/, '/edits/1'],
      [/^\/mod\/reports\/:id/, `/mod/reports/${report?.id}`],
      [/^\/admin\/forums\/:id/, `/admin/forums/${topic.forumId}`],
      [/^\/admin\/watched-words\/:id/, `/admin/watched-words/${word?.id}`],
    ];
    params = (route) => {
      let path = route
        .replace(':forum', 'off-topic')
        .replace(':username', user.username)
        .replace(':token', 'not-a-real-token');
      for (const [pattern, value] of ids) path = path.replace(pattern, value);
      if (path.includes(':')) throw new Error(`no value for the parameters of ${route}`);
      return path;
    };
  });

  /** Sends `body` as `type` to `path`, from a page of the forum, with the agent's cookies. */
  function sendBroken(a: Agent, path: string, [type, body]: [string, string]) {
    const cookie = [...a.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    return forum.request(path, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: ORIGIN, 'Content-Type': type, ...(cookie ? { Cookie: cookie } : {}) },
      body,
    });
  }

  describe('a broken multipart/form-data body', () => {
    it('is a 400 that explains on every POST route that reads a form, and changes nothing', async () => {
      const routes = postRoutes(forum.routes);
      const withForm = routes.filter((r) => !NO_FORM.has(r));
      expect(withForm.length).toBeGreaterThan(30);
      // Small forms of one field are forms too: a broken body never reaches their rule.
      expect(withForm).toContain('/t/:id/kind');
      expect(withForm).toContain('/t/:id/watch');
      expect(withForm).toContain('/f/:forum/watch');
      expect(
        [...NO_FORM].filter((r) => !routes.includes(r)),
        'routes named as reading no form that the app does not have',
      ).toEqual([]);
      // Use the sessions once first, so that no request below writes "last used".
      for (const a of [admin, author]) expect((await a.get('/privacy')).status).toBe(200);
      await forum.deps.visits.flush(forum.deps.db);
      const before = await dumpDatabase(forum.deps);
      const wrong: string[] = [];
      for (const route of withForm) {
        const a =
          route === '/auth/plimus/complete'
            ? joining
            : route === '/posts/:id'
              ? author
              : SIGNED_OUT.has(route)
                ? agent(forum.request)
                : admin;
        for (const broken of BROKEN) {
          const res = await sendBroken(a, params(route), broken);
          const doc = parseHtml(await res.text());
          if (res.status !== 400 || !/could not be read/.test(doc.querySelector('h1')?.text ?? ''))
            wrong.push(`${route} (${broken[0]}): ${res.status} ${doc.querySelector('h1')?.text}`);
        }
      }
      expect(wrong).toEqual([]);
      expect(await dumpDatabase(forum.deps)).toBe(before);
    });

    it('is a 400 for someone signed out too, on the composers that keep their text', async () => {
      await forum.deps.visits.flush(forum.deps.db);
      const before = await dumpDatabase(forum.deps);
      for (const route of ['/t/:id/replies', '/f/:forum']) {
        for (const broken of BROKEN) {
          const visitor = agent(forum.request, { client: `fb_visitor_${++seq}` });
          const res = await sendBroken(visitor, params(route), broken);
          expect(res.status, `${route} (${broken[0]})`).toBe(400);
          expect(res.headers.getSetCookie().some((c) => c.startsWith('kept_draft='))).toBe(false);
        }
      }
      await forum.deps.visits.flush(forum.deps.db);
      expect(await dumpDatabase(forum.deps)).toBe(before);
    });

    it('never answers 5xx on a route that reads no form', async () => {
      const { a } = await person('admin');
      for (const route of NO_FORM) {
        const res = await sendBroken(a, params(route), BROKEN[1] as [string, string]);
        expect(res.status, route).toBeLessThan(500);
      }
    });
  });
}
