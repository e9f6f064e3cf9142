/**
 * What every reading page must be besides correct: valid HTML with headings in order, cheap
 * queries (no table scans, no sorting outside an index), and a log without personal data.
 */
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('every page', () => {
  const validator = new HtmlValidate({
    extends: ['html-validate:standard', 'html-validate:a11y'],
    rules: { 'no-trailing-whitespace': 'off' },
  });

  it('is valid HTML', async () => {
    for (const path of pages()) {
      const res = await forum.request(path);
      const report = await validator.validateString(await res.text());
      const messages = report.results.flatMap((r) =>
        r.messages.map((m) => `${m.ruleId}: ${m.message}`),
      );
      expect(messages, path).toEqual([]);
    }
  });

  it('has one h1 first and headings that never skip a level', async () => {
    for (const path of pages()) {
      const doc = parseHtml(await (await forum.request(path)).text());
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
