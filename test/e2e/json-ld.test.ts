/**
 * The schema.org markup of a question page is a script element (JSON-LD) that holds the
 * question's title and text. A title or a body with `</script>`, `<!--` or a line separator must
 * stay data: posted through the real composer, read back in Chromium under the forum's real
 * Content Security Policy, nothing runs, the markup still parses, and the page shows the text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clickAndLoad,
  describeProblems,
  type ForumServer,
  fillRegistration,
  launchBrowser,
  openPage,
  startForumServer,
  type WatchedPage,
} from './browser';

const TITLE = 'Why </script><script>alert(1)</script> and <!-- <script>\u2028here?';
const BODY =
  'Does `</script><script>alert(2)</script>` end the markup?\u2028Or `<!-- <script>` on a line of its own?';
/** What the forum stores as the title: a line separator is whitespace, made one space. */
const STORED_TITLE = TITLE.replace('\u2028', ' ');

let server: ForumServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let watched: WatchedPage;
/** alert(), confirm() and prompt() calls and dialogs: anything the text would run to prove it */
const executed: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startForumServer();
  watched = await openPage(browser, { allowOrigin: server.url });
  const { page } = watched;
  page.on('dialog', (dialog) => {
    executed.push(`dialog ${dialog.type()}(${dialog.message()})`);
    dialog.dismiss().catch(() => {});
  });
  await page.exposeBinding('__e2eRan', (_source, call: string) => {
    executed.push(call);
  });
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    for (const name of ['alert', 'confirm', 'prompt']) {
      w[name] = (...args: unknown[]) => {
        (w.__e2eRan as (c: string) => void)(`${name}(${args.map(String).join(', ')})`);
      };
    }
  });
});

afterAll(async () => {
  await watched?.close();
  await browser?.close();
  await server?.close();
});

describe('a question whose text could end its JSON-LD', () => {
  it('posted through the composer, runs nothing and keeps its markup and text', async () => {
    const { page } = watched;
    await page.goto(`${server.url}/register`);
    const joined = await fillRegistration(page, {
      username: 'markup_asker',
      email: 'markup.asker@example.com',
      password: 'lantern-gravel-pocket-73',
    });
    expect(joined.status()).toBe(200);

    await page.goto(`${server.url}/f/off-topic/new`);
    const form = page.locator('form.composer');
    await form.getByLabel('Title').fill(TITLE);
    await form.getByLabel('Question: one reply can be marked as the answer').check();
    await form.locator('textarea#body').fill(BODY);
    await form.getByLabel('I understand that my posts are public').check();
    const res = await clickAndLoad(page, form.getByRole('button', { name: 'Post topic' }));
    const main = await page.evaluate(() => document.querySelector('main')?.textContent ?? '');
    expect(res.status(), main).toBe(200);
    expect(new URL(page.url()).pathname).toMatch(/^\/t\/\d+\//);

    // Read again as a visitor would (the author's page is the same here, but not cached).
    await page.reload();
    const seen = await page.evaluate(() => {
      const scripts = Array.from(document.querySelectorAll('script'));
      const ld = scripts.filter((s) => s.type === 'application/ld+json');
      let parsed: { mainEntity?: { name?: string; text?: string } } | string;
      try {
        parsed = JSON.parse(ld[0]?.textContent ?? '');
      } catch (err) {
        parsed = `does not parse: ${String(err)}`;
      }
      const comments: string[] = [];
      const walker = document.createTreeWalker(document, NodeFilter.SHOW_COMMENT);
      while (walker.nextNode()) comments.push(walker.currentNode.textContent ?? '');
      return {
        scripts: scripts.map((s) => s.type || `script ${s.src || s.textContent?.slice(0, 60)}`),
        parsed,
        comments,
        h1: document.querySelector('h1')?.textContent,
        title: document.title,
        code: Array.from(document.querySelectorAll('.post-body code'), (c) => c.textContent),
        body: document.querySelector('.post-body')?.textContent ?? '',
      };
    });
    expect(seen.scripts).toEqual(['application/ld+json']);
    expect(typeof seen.parsed === 'object' ? seen.parsed.mainEntity?.name : seen.parsed).toBe(
      STORED_TITLE,
    );
    const text = typeof seen.parsed === 'object' ? seen.parsed.mainEntity?.text : '';
    expect(text).toContain('</script><script>alert(2)</script>');
    expect(text).toContain('<!-- <script>');
    expect(seen.comments).toEqual([]);
    expect(seen.h1).toBe(STORED_TITLE);
    expect(seen.title).toBe(`${STORED_TITLE} · Plimus Community Forums`);
    expect(seen.code).toEqual(['</script><script>alert(2)</script>', '<!-- <script>']);
    expect(seen.body).toContain('\u2028');

    expect(executed).toEqual([]);
    const problems = watched.takeProblems();
    expect(problems, describeProblems(problems)).toEqual([]);
    expect(server.serverErrors()).toEqual([]);
  });
});
