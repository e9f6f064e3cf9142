/**
 * What every reading page must be besides correct: valid HTML with headings in order, cheap
 * queries (no table scans, no sorting outside an index), and a log without personal data.
 */
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, location } from '../shared/agent';
import { buildFixture, type Fixture } from '../shared/fixture';
import { createTestForum, type TestForum } from '../support/forum';
import { parseHtml } from '../support/html';

let forum: TestForum;
let fx: Fixture;
const queries: { sql: string; params: unknown[] }[] = [];

beforeAll(async () => {
  forum = await createTestForum({}, { onQuery: (sql, params) => queries.push({ sql, params }) });
  fx = await buildFixture(forum.deps);
});
afterAll(() => forum.close());

const pages = () => [
  '/',
  '/f/busy',
  '/f/busy?page=3',
  `/t/${fx.long.topicId}/${fx.long.slug}`,
  `/t/${fx.long.topicId}/${fx.long.slug}?page=3`,
  '/t/2/scheduled-backup-skips-files-that-are-open-in-another',
  '/u/Writer_One',
  '/u/devon_r',
  '/privacy',
  '/out?url=https%3A%2F%2Fexample.com%2F',
  '/out?url=javascript%3Aalert(1)',
  '/no-such-page',
];

/** Pages of a signed-in member, including forms coming back with errors. */
async function memberPages(): Promise<{ path: string; html: string }[]> {
  const a = agent(forum.request, { client: 'quality' });
  const out: { path: string; html: string }[] = [];
  const keep = async (path: string, res: Response | Promise<Response>) => {
    out.push({ path, html: await (await res).text() });
  };
  await keep('/register', a.get('/register'));
  await keep('/login', a.get('/login?next=%2Ff%2Fbusy'));
  await keep(
    'POST /register (errors)',
    a.post('/register', { username: 'x', email: 'nope', password: 'short' }),
  );
  await keep(
    'POST /login (error)',
    a.post('/login', { login: 'nobody', password: 'wrong password' }),
  );
  await a.post('/register', {
    username: 'quality_member',
    email: 'quality@example.com',
    password: 'correct horse battery staple',
    age_confirmed: '1',
  });
  await keep('/ (signed in)', a.get('/'));
  await keep('/f/busy/new', a.get('/f/busy/new'));
  await keep('POST /f/busy (errors)', a.post('/f/busy', { title: 'x', body: '' }));
  await keep(
    'POST /f/busy (personal data)',
    a.post('/f/busy', { title: 'Contact details', body: 'Mail me: a@b.example', public_ack: '1' }),
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
  const topicPath = location(created);
  const topicId = topicPath.split('/')[2];
  await keep('topic (signed in)', a.get(topicPath));
  await keep('reply page', a.get(`/t/${topicId}/replies/new?quote=${fx.long.postId}`));
  const postId = parseHtml(out[out.length - 2]?.html ?? '')
    .querySelector('article.post')
    ?.getAttribute('id')
    ?.slice(1);
  await a.post(`/posts/${postId}`, { body: 'Some edited text.' });
  await keep('edit page', a.get(`/posts/${postId}/edit`));
  await keep('history page', a.get(`/posts/${postId}/history`));
  await keep('delete page', a.get(`/posts/${postId}/delete`));
  await keep('account page', a.get('/account'));
  await keep(
    'POST /account/password (errors)',
    a.post('/account/password', { current_password: 'x', new_password: 'y' }),
  );
  // The journey really happened: signed in, the topic and its edit exist.
  const html = (path: string) => out.find((p) => p.path === path)?.html ?? '';
  expect(html('topic (signed in)')).toContain('Post reply');
  expect(html('history page')).toContain('Some edited text.');
  expect(html('POST /f/busy (personal data)')).toContain('<mark>a@b.example</mark>');
  return out;
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
    ...(await Promise.all(
      pages().map(async (path) => ({ path, html: await (await forum.request(path)).text() })),
    )),
    ...(await memberPagesOnce()),
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

  it('reads through indexes: no scan of posts, topics or users, no sort outside an index', async () => {
    const paths = [
      ...pages(),
      // the cursor links of a deep forum page, and a permalink redirect
      `/p/${fx.replyIds[30]}`,
    ];
    const doc = parseHtml(await (await forum.request('/f/busy')).text());
    paths.push(doc.querySelector('a[rel=next]')?.getAttribute('href') as string);
    const page2 = parseHtml(await (await forum.request(paths[paths.length - 1] as string)).text());
    paths.push(page2.querySelector('a[rel=prev]')?.getAttribute('href') as string);
    for (const path of paths) {
      queries.length = 0;
      await forum.request(path);
      if (/^\/(f|t|u|p)\/|^\/$/.test(path)) expect(queries.length, path).toBeGreaterThan(0);
      for (const q of queries) {
        const plan = await forum.client.execute({
          sql: `EXPLAIN QUERY PLAN ${q.sql}`,
          args: q.params as never,
        });
        const steps = plan.rows.map((r) => String(r.detail));
        // The forum index reads the whole (small) forums table by design; nothing else may scan.
        const readsForumsOnly = /^select .* from "forums"/.test(q.sql);
        const bad = steps.filter(
          (s) =>
            /^SCAN (posts|topics|users|post_revisions|reports|moderation_log)\b/.test(s) ||
            (/TEMP B-TREE/.test(s) && !readsForumsOnly),
        );
        expect(bad, `${path}: ${q.sql}\n${steps.join('\n')}`).toEqual([]);
      }
    }
  });

  it('logs the route pattern, never the address, query or names', async () => {
    forum.logs.length = 0;
    await forum.request('/out?url=https%3A%2F%2Fsecret.example%2F%3Ftoken%3Dabc');
    await forum.request('/u/Writer_One');
    expect(forum.logs).toEqual([
      expect.stringMatching(/^GET \/out 200 [\d.]+ms$/),
      expect.stringMatching(/^GET \/u\/:username 200 [\d.]+ms$/),
    ]);
  });
});
