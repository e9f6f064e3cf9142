/**
 * Vendors answering and moderators at work, in a real browser (issue 5): Vera Vendor (signed up
 * with the development Plimus identity) answers the Acme Backup Pro question and accepts her
 * reply as the answer (shown under the question with who accepted it, named by the QAPage
 * JSON-LD, her reply carrying the "Vendor · Acme Software" badge); a member who joined through
 * the registration form reports another post; a moderator (joined through the form, made one
 * with the command line) opens the queue from the header, sees the report with its age and
 * removes the post; a visitor sees the placeholder; the log shows the removal; an administrator
 * (made with the command line) opens /admin. axe-core on each of those pages; no console
 * errors, page errors or CSP violations anywhere (the only accepted ones: the 404 of nothing,
 * and CSP reports from the identity provider's own pages, which are not the forum's).
 *
 * With SCREENSHOTS=1 the README's screenshots are written to docs/screenshots/ (1280px wide);
 * without it the same pages are visited and checked, and nothing is written.
 *
 * The steps share their pages (one per person) and run in order.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  clickAndLoad,
  expectAccessible,
  expectNoProblems,
  type ForumServer,
  fillRegistration,
  headerAccountLink,
  launchBrowser,
  onIdentityProvider,
  openPage,
  pathOf,
  setRole,
  signUpWithPlimus,
  startForumServer,
  type WatchedPage,
} from './browser';

const SCREENSHOTS = process.env.SCREENSHOTS === '1';
const SCREENSHOT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

const FORUM = 'Acme Backup Pro';
const QUESTION = 'Scheduled backup skips files that are open in another program';
const ANSWER = [
  'Acme Backup Pro backs up open files from a snapshot when the job allows it:',
  '',
  '1. Open the job and choose **Advanced**.',
  '2. Tick *Use Volume Shadow Copy* and save.',
  '',
  'The next run copies files that are in use, and the log shows `0 skipped`.',
].join('\n');
/** the answer as the page shows it (and as the QAPage markup gives it) */
const ANSWER_START = 'Acme Backup Pro backs up open files from a snapshot';

const MEMBER: Account = {
  username: 'rhea_reports',
  email: 'rhea.reports@example.com',
  password: 'copper-meadow-signal-58',
};
const MODERATOR: Account = {
  username: 'mo_moderates',
  email: 'mo.moderates@example.com',
  password: 'harbour-violet-engine-24',
};
const ADMIN: Account = {
  username: 'ada_admin',
  email: 'ada.admin@example.com',
  password: 'glacier-ribbon-lamp-63',
};
/** the post the member reports: the first reply of the question */
const REPORTED_AUTHOR = 'tomasz';
const REPORT_NOTE = 'The same text was posted in three other topics today.';

let server: ForumServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
/** everyone's pages, checked for problems after every step */
const pages: WatchedPage[] = [];

/** the vendor's page (signed in with Plimus as Vera Vendor) */
let vendor: Page;
/** the moderator's page (joined through the form, made a moderator with the command line) */
let moderator: Page;
let vendorName = '';
let topicPath = '';
let answerId = 0;
let reportedId = 0;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startForumServer();
});

afterAll(async () => {
  for (const w of pages) await w.close();
  await browser?.close();
  await server?.close();
});

afterEach(() => {
  expectNoProblems(...pages);
  expect(server.serverErrors()).toEqual([]);
});

/** A page of its own (a person with their own cookies), checked after every step. */
async function personPage(): Promise<Page> {
  const issuer = server.identity?.issuer;
  const watched = await openPage(browser, {
    allowOrigin: server.url,
    alsoAllowOrigins: issuer ? [issuer] : [],
  });
  watched.expectProblems(onIdentityProvider(server));
  pages.push(watched);
  return watched.page;
}

/**
 * Writes a screenshot 1280px wide, with SCREENSHOTS=1 only: the viewport, or the top of the page
 * down to the bottom of `until` (for a page whose point is further down than one screen).
 */
async function screenshot(page: Page, name: string, until?: Locator) {
  expect(page.viewportSize()?.width).toBe(1280);
  let clip: { x: number; y: number; width: number; height: number } | undefined;
  if (until) {
    const bottom = await until.evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY);
    clip = { x: 0, y: 0, width: 1280, height: Math.ceil(bottom) + 24 };
  }
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, name);
  await page.screenshot(clip ? { path, clip, fullPage: true } : { path });
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Site' });
const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const text = async (l: Locator) => ((await l.textContent()) ?? '').replace(/\s+/g, ' ').trim();
/** The list of open reports on /mod (the queue of posts waiting for approval follows it). */
const openReports = (page: Page) => page.locator('main h2:text-is("Open reports") + ol.queue > li');
/** The post of the topic page whose body contains `snippet`. */
const postWith = (page: Page, snippet: string) =>
  page.locator('.posts article.post').filter({ hasText: snippet });

/** Joins through the registration form on a fresh page; ends signed in on the home page. */
async function joinWithForm(account: Account): Promise<Page> {
  const page = await personPage();
  await page.goto(`${server.url}/`);
  await clickAndLoad(page, nav(page).getByRole('link', { name: 'Join', exact: true }));
  const res = await fillRegistration(page, account);
  expect(res.status()).toBe(200);
  await expect(headerAccountLink(page, account.username).isVisible()).resolves.toBe(true);
  return page;
}

/** The QAPage JSON-LD of the page the browser is on. */
async function qaPage(page: Page) {
  const scripts = await page.locator('script[type="application/ld+json"]').allTextContents();
  expect(scripts).toHaveLength(1);
  return JSON.parse(scripts[0] as string) as {
    '@type': string;
    mainEntity: {
      name: string;
      answerCount: number;
      acceptedAnswer?: { text: string; url: string; author: { name: string; url?: string } };
      suggestedAnswer?: { url: string }[];
    };
  };
}

describe('a vendor answers a question and accepts the answer', () => {
  it('signs up with Plimus as Vera Vendor', async () => {
    vendor = await personPage();
    vendorName = await signUpWithPlimus(vendor, server, 'Vera Vendor');
    expect(vendorName).toBe('vera_acme');
    await expect(
      nav(vendor)
        .getByRole('link', { name: /^Vendor\b/ })
        .isVisible(),
    ).resolves.toBe(true);
  });

  it('replies to the Acme question with the vendor badge', async () => {
    await clickAndLoad(vendor, vendor.getByRole('link', { name: FORUM, exact: true }));
    await clickAndLoad(vendor, vendor.getByRole('link', { name: QUESTION, exact: true }));
    topicPath = new URL(vendor.url()).pathname;
    expect(topicPath).toMatch(/^\/t\/\d+\/scheduled-backup-skips-files/);
    // A question without an answer yet.
    await expect(vendor.locator('.accepted-answer').count()).resolves.toBe(0);

    const reply = vendor.locator('section.reply form.composer');
    // The acknowledgement was given when the account was made.
    await expect(reply.getByLabel('I understand that my posts are public').count()).resolves.toBe(
      0,
    );
    await reply.getByLabel('Your post').fill(ANSWER);
    const posted = await clickAndLoad(vendor, reply.getByRole('button', { name: 'Post reply' }));
    expect(posted.status()).toBe(200);
    expect(new URL(vendor.url()).pathname).toBe(topicPath);

    const mine = postWith(vendor, ANSWER_START);
    await expect(mine.count()).resolves.toBe(1);
    answerId = Number((await mine.getAttribute('id'))?.slice(1));
    expect(answerId).toBeGreaterThan(0);
    expect(new URL(vendor.url()).hash).toBe(`#p${answerId}`);
    await expect(text(mine.locator('.post-badges .badge-vendor'))).resolves.toBe(
      'Vendor · Acme Software',
    );
    await expect(mine.locator('.post-body ol > li').count()).resolves.toBe(2);
    // Nobody else's reply carries a vendor badge.
    await expect(vendor.locator('.badge-vendor').count()).resolves.toBe(1);
  });

  it('accepts the reply: shown under the question with who accepted it, and in the QAPage', async () => {
    const mine = postWith(vendor, ANSWER_START);
    const accept = mine.getByRole('button', { name: 'Mark as solution' });
    // Only replies can be the answer: the question itself has no such button.
    await expect(
      vendor
        .locator('.posts article.post')
        .first()
        .getByRole('button', { name: /Mark as solution/ })
        .count(),
    ).resolves.toBe(0);
    // A real button, filled in the colour of a solution: the primary action on a reply.
    await expect(
      accept.evaluate((el) => [el.tagName, getComputedStyle(el).backgroundColor]),
    ).resolves.toEqual(['BUTTON', 'rgb(17, 99, 41)']);
    const res = await clickAndLoad(vendor, accept);
    expect(res.status()).toBe(200);
    expect(new URL(vendor.url()).pathname).toBe(topicPath);
    expect(new URL(vendor.url()).hash).toBe(`#p${answerId}`);

    // The block right under the question.
    const block = vendor.getByRole('region', { name: 'Accepted answer' });
    await expect(block.count()).resolves.toBe(1);
    const question = vendor.locator('.posts article.post').first();
    await expect(
      question.evaluate((el) => el.nextElementSibling?.classList.contains('accepted-answer')),
    ).resolves.toBe(true);
    const meta = await text(block.locator('.accepted-answer-meta'));
    expect(meta).toMatch(/^Reply #4 by Vera Vendor\. Accepted by Vera Vendor on .+\.$/);
    await expect(
      block.locator('.accepted-answer-meta a').first().getAttribute('href'),
    ).resolves.toBe(`/p/${answerId}`);
    // Two lines of its text, not the whole answer again, and a link down to it.
    await expect(block.locator('.post-body').count()).resolves.toBe(0);
    const excerpt = block.locator('.accepted-answer-excerpt');
    await expect(text(excerpt)).resolves.toContain(ANSWER_START);
    // At most two lines high, however wide the window.
    await expect(
      excerpt.evaluate(
        (el) =>
          el.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(el).lineHeight),
      ),
    ).resolves.toBeLessThanOrEqual(2.05);
    await expect(
      block.getByRole('link', { name: 'Jump to the answer' }).getAttribute('href'),
    ).resolves.toBe(`#p${answerId}`);
    // The reply itself is marked, keeps its badge, and can be unaccepted instead.
    const mine2 = postWith(vendor, ANSWER_START).and(vendor.locator('.post-accepted'));
    await expect(text(mine2.locator('.accepted-mark'))).resolves.toBe('✓ Accepted answer');
    await expect(text(mine2.locator('.badge-vendor'))).resolves.toBe('Vendor · Acme Software');
    await expect(mine2.getByRole('button', { name: 'Unaccept answer' }).isVisible()).resolves.toBe(
      true,
    );

    // The QAPage markup names it as the accepted answer, and not as a suggested one.
    const ld = await qaPage(vendor);
    expect(ld['@type']).toBe('QAPage');
    expect(ld.mainEntity.name).toBe(QUESTION);
    expect(ld.mainEntity.answerCount).toBe(3);
    expect(ld.mainEntity.acceptedAnswer?.url).toBe(`${server.url}/p/${answerId}`);
    expect(ld.mainEntity.acceptedAnswer?.text).toContain(ANSWER_START);
    expect(ld.mainEntity.acceptedAnswer?.author).toEqual({
      '@type': 'Person',
      name: 'Vera Vendor',
      url: `${server.url}/u/${vendorName}`,
    });
    expect(ld.mainEntity.suggestedAnswer?.map((a) => a.url)).not.toContain(
      `${server.url}/p/${answerId}`,
    );
    expect(ld.mainEntity.suggestedAnswer).toHaveLength(2);

    await expectAccessible(vendor, 'the topic with the accepted answer');
    // For the README: the question with its accepted answer, down to the vendor's badged reply.
    await screenshot(vendor, 'topic-answered.png', mine2);
  });

  it('opens the vendor dashboard from the header', async () => {
    const res = await clickAndLoad(vendor, nav(vendor).getByRole('link', { name: /^Vendor\b/ }));
    expect(res.status()).toBe(200);
    expect(pathOf(vendor)).toBe('/vendor');
    await expect(h1(vendor)).resolves.toBe('Vendor dashboard: Acme Software');
    const main = await text(vendor.locator('main'));
    expect(main).toContain('Your replies carry the “Vendor · Acme Software” badge there.');
    // The answered question is no longer open; the recent answer is listed.
    const open = vendor.getByRole('region', { name: 'Open questions' });
    await expect(open.getByRole('link', { name: QUESTION, exact: true }).count()).resolves.toBe(0);
    await expect(vendor.getByRole('link', { name: QUESTION }).count()).resolves.toBeGreaterThan(0);
    await expectAccessible(vendor, '/vendor');
    await screenshot(vendor, 'vendor-dashboard.png');
  });
});

describe('a member reports a post and a moderator removes it', () => {
  it('a member who joined through the form reports a post', async () => {
    const member = await joinWithForm(MEMBER);
    await member.goto(`${server.url}${topicPath}`);
    const reported = member.locator('.posts article.post').nth(1);
    await expect(reported.locator('.post-author a').getAttribute('href')).resolves.toBe(
      `/u/${REPORTED_AUTHOR}`,
    );
    reportedId = Number((await reported.getAttribute('id'))?.slice(1));

    const open = await clickAndLoad(
      member,
      reported.getByRole('link', { name: 'Report', exact: true }),
    );
    expect(open.status()).toBe(200);
    expect(pathOf(member)).toBe(`/posts/${reportedId}/report`);
    await expect(h1(member)).resolves.toBe('Report post #2');
    await expect(text(member.locator('main blockquote.post-body'))).resolves.toContain(
      'Volume Shadow Copy',
    );
    await expectAccessible(member, 'the report form');

    const form = member.locator(`form[action="/posts/${reportedId}/report"]`);
    await form.getByRole('radio', { name: /^Spam/ }).check();
    await form.getByLabel('Note for the moderators (optional)').fill(REPORT_NOTE);
    const sent = await clickAndLoad(member, form.getByRole('button', { name: 'Send report' }));
    expect(sent.status()).toBe(200);
    await expect(h1(member)).resolves.toBe('Thank you for your report');
    await expectAccessible(member, 'the page after a report');
  });

  it('a moderator made with the command line sees the report in the queue', async () => {
    moderator = await joinWithForm(MODERATOR);
    // Not a moderator yet.
    await expect(nav(moderator).getByRole('link', { name: 'Moderation' }).count()).resolves.toBe(0);
    await expect(setRole(server, MODERATOR.username, 'moderator')).resolves.toBe(
      `${MODERATOR.username} is now a moderator (was member).`,
    );
    await moderator.reload();
    const res = await clickAndLoad(
      moderator,
      nav(moderator).getByRole('link', { name: /^Moderation\b/ }),
    );
    expect(res.status()).toBe(200);
    expect(pathOf(moderator)).toBe('/mod');
    await expect(h1(moderator)).resolves.toBe('Moderation');

    const items = openReports(moderator);
    await expect(items.count()).resolves.toBe(1);
    const item = items.first();
    await expect(text(item.getByRole('heading', { level: 3 }))).resolves.toBe(
      `Post #2 in “${QUESTION}”`,
    );
    await expect(
      item.getByRole('heading', { level: 3 }).getByRole('link').getAttribute('href'),
    ).resolves.toBe(`/p/${reportedId}`);
    // Its age, in words under a day (not "0.0 business days"), and not overdue.
    await expect(text(item.locator('.queue-age'))).resolves.toMatch(
      /^reported (less than a minute|\d+ minutes?) ago · 1 report$/,
    );
    await expect(item.locator('.overdue-text').count()).resolves.toBe(0);
    const report = await text(item.locator('.queue-reports li'));
    expect(report).toMatch(
      new RegExp(`^Spam: “${REPORT_NOTE}” — ${MEMBER.username}, reported .+ ago$`),
    );
    await expect(text(item.locator('.excerpt'))).resolves.toMatch(/^tomasz: I had the same thing/);
    await expectAccessible(moderator, '/mod with a report');
    await screenshot(moderator, 'moderation-queue.png');
  });

  it("the moderator looks at the post's moderation panel", async () => {
    await moderator.goto(`${server.url}${topicPath}`);
    const post = moderator.locator(`#p${reportedId}`);
    const res = await clickAndLoad(
      moderator,
      post.getByRole('link', { name: 'Moderate', exact: true }),
    );
    expect(res.status()).toBe(200);
    expect(pathOf(moderator)).toBe(`/mod/posts/${reportedId}`);
    await expect(h1(moderator)).resolves.toBe('Moderate post #2');
    // The panel lists the post's report, and says that removing it resolves it.
    const reports = moderator.getByRole('region', { name: 'Reports' });
    await expect(reports.locator('li').allTextContents()).resolves.toEqual([
      expect.stringMatching(
        new RegExp(`^Spam: “${REPORT_NOTE}” — ${MEMBER.username}, reported .+ ago \\(open\\)$`),
      ),
    ]);
    await expect(text(moderator.getByRole('region', { name: 'Remove' }))).resolves.toContain(
      'Removing it resolves its open report.',
    );
    await expect(
      moderator.getByRole('button', { name: 'Remove the post', exact: true }).isVisible(),
    ).resolves.toBe(true);
    await expectAccessible(moderator, 'the moderation panel of a post');
    await screenshot(moderator, 'moderate-post.png');
    // Back to the queue by the breadcrumb.
    await clickAndLoad(
      moderator,
      moderator.getByRole('navigation', { name: /Breadcrumb/i }).getByRole('link', {
        name: 'Moderation',
      }),
    );
    expect(pathOf(moderator)).toBe('/mod');
  });

  it('the moderator removes the post from the queue', async () => {
    const item = openReports(moderator).first();
    const res = await clickAndLoad(
      moderator,
      item.getByRole('button', { name: 'Remove the post', exact: true }),
    );
    expect(res.status()).toBe(200);
    expect(pathOf(moderator)).toBe('/mod?done=resolved');
    await expect(text(moderator.getByRole('status'))).resolves.toBe(
      'The report was resolved and the post removed.',
    );
    await expect(openReports(moderator).count()).resolves.toBe(0);
    await expect(
      text(moderator.locator('main h2:text-is("Open reports") + p.empty')),
    ).resolves.toBe('No open reports. Nothing is waiting.');
    await expectAccessible(moderator, '/mod, empty');
  });

  it('a visitor sees spam collapsed in place of the post, and the answer still', async () => {
    const visitor = await personPage();
    const res = await visitor.goto(`${server.url}${topicPath}`);
    expect(res?.status()).toBe(200);
    const removed = visitor.locator(`#p${reportedId}`);
    await expect(text(removed.locator('details.post-collapsed > summary'))).resolves.toBe(
      'Post removed as spam',
    );
    await expect(removed.locator('.post-placeholder').count()).resolves.toBe(0);
    await expect(removed.locator('.post-body').count()).resolves.toBe(0);
    await expect(text(visitor.locator('.posts'))).resolves.not.toContain('I had the same thing');
    // The note is for the author and the moderators, not for visitors.
    await expect(removed.locator('.removal-note').count()).resolves.toBe(0);
    // The accepted answer is untouched, and visitors get no post actions.
    await expect(visitor.getByRole('region', { name: 'Accepted answer' }).count()).resolves.toBe(1);
    await expect(visitor.locator('.post-actions').count()).resolves.toBe(0);
    // The removed post is no longer offered to search engines as an answer.
    const ld = await qaPage(visitor);
    expect(ld.mainEntity.acceptedAnswer?.url).toBe(`${server.url}/p/${answerId}`);
    expect(ld.mainEntity.suggestedAnswer?.map((a) => a.url)).not.toContain(
      `${server.url}/p/${reportedId}`,
    );
    await expectAccessible(visitor, 'the topic with a removed post, as a visitor');
  });

  it('the moderation log shows the removal', async () => {
    await moderator.goto(`${server.url}/mod`);
    const res = await clickAndLoad(
      moderator,
      moderator.getByRole('link', { name: 'Moderation log', exact: true }),
    );
    expect(res.status()).toBe(200);
    expect(pathOf(moderator)).toBe('/mod/log');
    await expect(h1(moderator)).resolves.toBe('Moderation log');
    const rows = await moderator
      .locator('table.log tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) =>
          [...tr.querySelectorAll('td')].map((td) => td.textContent?.replace(/\s+/g, ' ').trim()),
        ),
      );
    const removal = rows.find((r) => r[2] === 'post remove');
    expect(removal, JSON.stringify(rows)).toBeDefined();
    expect(removal?.slice(1)).toEqual([
      MODERATOR.username,
      'post remove',
      `post ${reportedId}`,
      'spam',
    ]);
    expect(rows.find((r) => r[2] === 'report resolve')?.[1]).toBe(MODERATOR.username);
    await expect(
      moderator
        .locator('table.log')
        .getByRole('link', { name: `post ${reportedId}` })
        .getAttribute('href'),
    ).resolves.toBe(`/p/${reportedId}`);
    await expectAccessible(moderator, '/mod/log');
    await screenshot(moderator, 'moderation-log.png');
  });
});

describe('an administrator', () => {
  it('made with the command line opens /admin from the header', async () => {
    const admin = await joinWithForm(ADMIN);
    await expect(setRole(server, ADMIN.username, 'admin')).resolves.toBe(
      `${ADMIN.username} is now an admin (was member).`,
    );
    await admin.reload();
    const res = await clickAndLoad(
      admin,
      nav(admin).getByRole('link', { name: 'Admin', exact: true }),
    );
    expect(res.status()).toBe(200);
    expect(pathOf(admin)).toBe('/admin');
    await expect(h1(admin)).resolves.toBe('Administration');
    await expect(admin.getByRole('link', { name: FORUM }).count()).resolves.toBeGreaterThan(0);
    // Administrators moderate too.
    await expect(
      nav(admin)
        .getByRole('link', { name: /^Moderation\b/ })
        .isVisible(),
    ).resolves.toBe(true);
    await expectAccessible(admin, '/admin');
    await screenshot(admin, 'admin.png');
  });
});
