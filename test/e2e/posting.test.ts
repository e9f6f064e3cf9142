/**
 * A person joining the forums and writing, in a real browser, by typing and clicking: the
 * registration form, a reply of several lines refused for personal data (highlighted where it is,
 * though the browser sends its line breaks as CRLF, with Post anyway), a new
 * topic refused without the one-time public acknowledgement (error by the checkbox, text kept),
 * the posted topic with its markdown rendered and its external link going through /out, the
 * public notice by every submit button, Preview on the reply form (nothing saved), axe-core on
 * the forms, and no console errors, page errors or CSP violations anywhere.
 *
 * The steps share one browser page (and so one signed-in session) and run in order.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  clickAndLoad,
  expectAccessible,
  expectNoProblems,
  expectStaysPut,
  type ForumServer,
  failedLoadOf,
  fillRegistration,
  headerAccountLink,
  launchBrowser,
  openPage,
  startForumServer,
  type WatchedPage,
} from './browser';

const ACCOUNT: Account = {
  username: 'sam_writes',
  email: 'sam.writes@example.com',
  password: 'lantern-orchard-kettle-91',
};

const SEEDED_TOPIC = 'What are you working on this week?';
const EMAIL_IN_REPLY = 'sam.photos@example.net';
const PHONE_IN_REPLY = '+44 20 7946 0958';
/** Several lines typed with Enter: the browser sends each break as CRLF. */
const REPLY_WITH_EMAIL = [
  'Editing photos too.',
  '',
  `Write to me at ${EMAIL_IN_REPLY}`,
  `or call ${PHONE_IN_REPLY}, and I send you the raw files.`,
].join('\n');

const TITLE = 'Notes from my home lab';
const EXTERNAL_URL = 'https://example.org/docs';
/** Markdown with a heading, bold, a list, a fenced code block and one link to another site. */
const BODY = [
  '## Setting up a home lab',
  '',
  'I finally have **three machines** running at home:',
  '',
  '- a NAS for backups',
  '- a small router',
  '- an old laptop as a build box',
  '',
  '```',
  'rsync -a --delete /home/ nas:/backup/home/',
  '```',
  '',
  `Everything I used is in [the rsync docs](${EXTERNAL_URL}).`,
].join('\n');
const PREVIEW_REPLY = 'Thanks for reading. **More soon**, with `code` too.';

const ACK_LABEL = 'I understand that my posts are public';

let server: ForumServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let watched: WatchedPage;
let page: Page;
/** the address of the topic this person starts */
let topicUrl = '';

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startForumServer();
  watched = await openPage(browser, { allowOrigin: server.url });
  page = watched.page;
});

afterAll(async () => {
  await watched?.close();
  await browser?.close();
  await server?.close();
});

afterEach(() => {
  expectNoProblems(watched);
  expect(server.serverErrors()).toEqual([]);
});

/**
 * Chromium logs the document of a 422 answer as a failed resource load; the refusals below are
 * 422 on purpose, so that one message is expected for the address the form was sent to.
 */
function expectRefusalAt(path: string) {
  watched.expectProblems(failedLoadOf(`${server.url}${path}`, 422));
}

const pathOf = (p: Page) => {
  const u = new URL(p.url());
  return `${u.pathname}${u.search}`;
};

/** The public notice of a composer is visible and sits right by its submit button. */
async function expectPublicNoticeBy(composer: Locator, submitLabel: string) {
  const notice = composer.locator('.composer-actions .public-notice');
  await expect(notice.isVisible()).resolves.toBe(true);
  await expect(notice.textContent()).resolves.toMatch(/Your post will be public:/);
  const submit = composer.getByRole('button', { name: submitLabel, exact: true });
  await expect(submit.isVisible()).resolves.toBe(true);
  // Screen readers hear the notice with the button.
  await expect(submit.getAttribute('aria-describedby')).resolves.toBe(
    await notice.getAttribute('id'),
  );
  const [n, b] = [await notice.boundingBox(), await submit.boundingBox()];
  expect(n && b, 'notice and button have boxes').toBeTruthy();
  if (n && b) {
    // Directly above the button (the notice, then the row of buttons), no more than a line apart.
    expect(b.y).toBeGreaterThanOrEqual(n.y + n.height - 1);
    expect(b.y - (n.y + n.height)).toBeLessThan(48);
  }
}

const textareaValue = (composer: Locator) => composer.locator('textarea#body').inputValue();

describe('a person joining and writing', () => {
  it('joins through the registration form and is signed in', async () => {
    await page.goto(`${server.url}/`);
    const res = await clickAndLoad(page, page.getByRole('link', { name: 'Join', exact: true }));
    expect(res.status()).toBe(200);
    expect(pathOf(page)).toBe('/register');
    await expectAccessible(page, 'the registration page');

    const joined = await fillRegistration(page, ACCOUNT);
    expect(joined.status()).toBe(200);
    expect(pathOf(page)).toBe('/');
    // The header now shows the account instead of Sign in / Join.
    const nav = page.getByRole('navigation', { name: 'Site' });
    await expect(headerAccountLink(page, ACCOUNT.username).isVisible()).resolves.toBe(true);
    await expect(nav.getByRole('link', { name: 'Account' }).isVisible()).resolves.toBe(true);
    await expect(nav.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
    await expect(nav.getByRole('link', { name: 'Join' }).count()).resolves.toBe(0);
    await expect(nav.getByRole('link', { name: 'Sign in' }).count()).resolves.toBe(0);
  });

  it('is warned about an email address in a reply, with the text kept', async () => {
    // Before the account's first post, so that no posting interval stands in the way: the
    // personal-data check comes after the public acknowledgement and the interval.
    const forumPage = await clickAndLoad(
      page,
      page.getByRole('link', { name: 'Off-topic', exact: true }),
    );
    expect(forumPage.status()).toBe(200);
    expect(pathOf(page)).toBe('/f/off-topic');
    const topicPage = await clickAndLoad(
      page,
      page.getByRole('link', { name: SEEDED_TOPIC, exact: true }),
    );
    expect(topicPage.status()).toBe(200);
    const topicPath = pathOf(page);
    const id = topicPath.match(/^\/t\/(\d+)\/[a-z0-9-]+$/)?.[1];
    expect(id, topicPath).toBeDefined();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(SEEDED_TOPIC);
    const postsBefore = await page.locator('.posts article.post').count();
    expect(postsBefore).toBeGreaterThan(0);

    const reply = page.locator('section.reply form.composer');
    await expectPublicNoticeBy(reply, 'Post reply');
    // First post: the acknowledgement is asked on the reply form too.
    const ack = reply.getByLabel(ACK_LABEL);
    await expect(ack.isVisible()).resolves.toBe(true);
    await reply.getByLabel('Your post').pressSequentially(REPLY_WITH_EMAIL);
    await ack.check();

    expectRefusalAt(`/t/${id}/replies`);
    const sent = page.waitForRequest((r) => r.method() === 'POST');
    const res = await clickAndLoad(page, reply.getByRole('button', { name: 'Post reply' }));
    expect(res.status()).toBe(422);
    expect(pathOf(page)).toBe(`/t/${id}/replies`);
    // What the browser sent had its line breaks as CRLF.
    const sentBody = new URLSearchParams((await sent).postData() ?? '').get('body');
    expect(sentBody).toBe(REPLY_WITH_EMAIL.replaceAll('\n', '\r\n'));

    const form = page.locator('form.composer');
    const findings = form.locator('.findings');
    await expect(findings.getByRole('heading').textContent()).resolves.toBe(
      'This looks like personal information',
    );
    // The address and the number are highlighted, in the list of findings and in the text
    // itself: exactly them, not shifted by the line breaks before them.
    await expect(findings.locator('li mark').allTextContents()).resolves.toEqual([
      EMAIL_IN_REPLY,
      PHONE_IN_REPLY,
    ]);
    const copy = findings.locator('pre.findings-text');
    await expect(copy.locator('mark').allTextContents()).resolves.toEqual([
      EMAIL_IN_REPLY,
      PHONE_IN_REPLY,
    ]);
    await expect(copy.textContent()).resolves.toBe(REPLY_WITH_EMAIL);
    await expect(form.getByRole('button', { name: 'Post anyway' }).isVisible()).resolves.toBe(true);
    // Nothing is lost: the text and the ticked acknowledgement come back.
    await expect(textareaValue(form)).resolves.toBe(REPLY_WITH_EMAIL);
    await expect(form.getByLabel(ACK_LABEL).isChecked()).resolves.toBe(true);
    await expectAccessible(page, 'the reply form with personal data highlighted');

    // Nothing was posted: the topic has the posts it had.
    const back = await clickAndLoad(
      page,
      page.getByRole('link', { name: SEEDED_TOPIC, exact: true }),
    );
    expect(back.status()).toBe(200);
    expect(pathOf(page)).toBe(topicPath);
    await expect(page.locator('.posts article.post').count()).resolves.toBe(postsBefore);
    await expect(page.locator('.posts').textContent()).resolves.not.toContain(EMAIL_IN_REPLY);
  });

  it('starts a topic: refused without the public acknowledgement, then posted', async () => {
    const forumPage = await clickAndLoad(
      page,
      page.getByRole('link', { name: 'Off-topic', exact: true }),
    );
    expect(forumPage.status()).toBe(200);
    const open = await clickAndLoad(page, page.getByRole('link', { name: 'New topic' }));
    expect(open.status()).toBe(200);
    expect(pathOf(page)).toBe('/f/off-topic/new');

    let form = page.locator('form.composer');
    await expectPublicNoticeBy(form, 'Post topic');
    await form.getByLabel('Title').pressSequentially(TITLE);
    await form.getByLabel('Your post').pressSequentially(BODY);
    await expect(textareaValue(form)).resolves.toBe(BODY);

    // Without ticking "I understand…": the form comes back, text kept, error by the checkbox.
    expectRefusalAt('/f/off-topic');
    const refused = await clickAndLoad(page, form.getByRole('button', { name: 'Post topic' }));
    expect(refused.status()).toBe(422);
    form = page.locator('form.composer');
    await expect(form.getByLabel('Title').inputValue()).resolves.toBe(TITLE);
    await expect(textareaValue(form)).resolves.toBe(BODY);

    const ack = form.getByLabel(ACK_LABEL);
    await expect(ack.isChecked()).resolves.toBe(false);
    await expect(ack.getAttribute('aria-invalid')).resolves.toBe('true');
    const error = form.locator('#public_ack-error');
    await expect(error.isVisible()).resolves.toBe(true);
    await expect(error.textContent()).resolves.toMatch(/confirm that you understand/);
    // The message is in the checkbox's own field and read with it.
    const field = form.locator('.field.checkbox.field-error');
    await expect(field.locator('#public_ack').count()).resolves.toBe(1);
    await expect(field.locator('#public_ack-error').count()).resolves.toBe(1);
    await expect(ack.getAttribute('aria-describedby')).resolves.toContain('public_ack-error');
    // The summary at the top of the form links to the checkbox.
    const summary = form.locator('.error-summary');
    await expect(summary.getByRole('link').getAttribute('href')).resolves.toBe('#public_ack');
    await expectAccessible(page, 'the new-topic form with its error');

    // Tick it and post.
    await ack.check();
    const posted = await clickAndLoad(page, form.getByRole('button', { name: 'Post topic' }));
    expect(posted.status()).toBe(200);
    expect(pathOf(page)).toMatch(/^\/t\/\d+\/notes-from-my-home-lab$/);
    topicUrl = page.url();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(TITLE);

    // The markdown is rendered (headings sit below the post's own h2).
    const post = page.locator('.posts article.post');
    await expect(post.count()).resolves.toBe(1);
    await expect(post.locator('.post-author').textContent()).resolves.toBe(ACCOUNT.username);
    const body = post.locator('.post-body');
    await expect(body.locator('h3').textContent()).resolves.toBe('Setting up a home lab');
    await expect(body.locator('strong').textContent()).resolves.toBe('three machines');
    await expect(body.locator('ul > li').allTextContents()).resolves.toEqual([
      'a NAS for backups',
      'a small router',
      'an old laptop as a build box',
    ]);
    await expect(body.locator('pre > code').textContent()).resolves.toBe(
      'rsync -a --delete /home/ nas:/backup/home/\n',
    );
    const link = body.getByRole('link', { name: 'the rsync docs' });
    await expect(link.getAttribute('href')).resolves.toBe(
      `/out?url=${encodeURIComponent(EXTERNAL_URL)}`,
    );
    await expect(link.getAttribute('rel')).resolves.toBe('nofollow ugc noopener');
  });

  it('shows the public notice on the reply form, and no longer asks the acknowledgement', async () => {
    expect(page.url()).toBe(topicUrl);
    const reply = page.locator('section.reply form.composer');
    await expect(reply.count()).resolves.toBe(1);
    await expectPublicNoticeBy(reply, 'Post reply');
    await expect(page.locator('#public_ack').count()).resolves.toBe(0);
    await expect(page.getByLabel(ACK_LABEL).count()).resolves.toBe(0);
    await expectAccessible(page, 'the topic page with the reply form');
  });

  it('previews a reply without posting it', async () => {
    expect(page.url()).toBe(topicUrl);
    const topicPath = pathOf(page);
    const id = topicPath.match(/^\/t\/(\d+)\//)?.[1];
    const before = await page.locator('.posts article.post').count();

    const reply = page.locator('section.reply form.composer');
    await reply.getByLabel('Your post').pressSequentially(PREVIEW_REPLY);
    const res = await clickAndLoad(page, reply.getByRole('button', { name: 'Preview' }));
    expect(res.status()).toBe(200);
    expect(pathOf(page)).toBe(`/t/${id}/replies`);

    const preview = page.getByRole('region', { name: 'Preview' });
    await expect(preview.isVisible()).resolves.toBe(true);
    await expect(preview.textContent()).resolves.toContain('It is not saved yet.');
    const cooked = preview.locator('.post-body');
    await expect(cooked.locator('strong').textContent()).resolves.toBe('More soon');
    await expect(cooked.locator('code').textContent()).resolves.toBe('code');
    await expect(cooked.textContent()).resolves.toBe(
      'Thanks for reading. More soon, with code too.',
    );
    const form = page.locator('form.composer');
    await expect(textareaValue(form)).resolves.toBe(PREVIEW_REPLY);
    await expect(form.getByLabel(ACK_LABEL).count()).resolves.toBe(0);
    await expectPublicNoticeBy(form, 'Post reply');
    await expectAccessible(page, 'the reply form with a preview');

    // Beside the text box on a wide screen, below it on a phone; never above the form.
    const box = async () => {
      const [t, p, f] = [
        await form.locator('textarea#body').boundingBox(),
        await preview.boundingBox(),
        await form.boundingBox(),
      ];
      if (!t || !p || !f) throw new Error('no boxes for the text box and its preview');
      return { t, p, f };
    };
    const wide = await box();
    expect(wide.p.x).toBeGreaterThanOrEqual(wide.t.x + wide.t.width);
    expect(wide.p.y).toBeLessThan(wide.t.y + wide.t.height);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const narrow = await box();
      expect(narrow.p.y).toBeGreaterThanOrEqual(narrow.t.y + narrow.t.height);
      expect(narrow.p.y).toBeGreaterThan(narrow.f.y);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }

    // Back on the topic, nothing was added.
    const back = await clickAndLoad(page, page.getByRole('link', { name: TITLE, exact: true }));
    expect(back.status()).toBe(200);
    expect(page.url()).toBe(topicUrl);
    await expect(page.locator('.posts article.post').count()).resolves.toBe(before);
    await expect(page.locator('.posts').textContent()).resolves.not.toContain('More soon');
  });

  it('follows the link in the post to the interstitial, which stays put', async () => {
    expect(page.url()).toBe(topicUrl);
    const link = page.locator('.post-body').getByRole('link', { name: 'the rsync docs' });
    const res = await clickAndLoad(page, link);
    expect(res.status()).toBe(200);
    expect(pathOf(page)).toBe(`/out?url=${encodeURIComponent(EXTERNAL_URL)}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'You are leaving for example.org',
    );
    await expect(page.locator('main code').textContent()).resolves.toBe(EXTERNAL_URL);
    const cont = page.getByRole('link', { name: 'Continue to example.org' });
    await expect(cont.getAttribute('href')).resolves.toBe(EXTERNAL_URL);

    // No redirect, no refresh, no script, no request to the other site (openPage records those).
    await expectStaysPut(page, res);
    expect(pathOf(page)).toBe(`/out?url=${encodeURIComponent(EXTERNAL_URL)}`);
    expect(new URL(page.url()).origin).toBe(server.url);

    // Back returns to the topic.
    const back = await clickAndLoad(page, page.getByRole('link', { name: 'Back', exact: true }));
    expect(back.status()).toBe(200);
    expect(page.url()).toBe(topicUrl);
  });
});
