/**
 * The notifications journey of a product forum, in a real browser on the forum `npm start`
 * runs (the development Plimus identity and mail catcher beside it): the vendor's staff member
 * signs in with Plimus, a customer asks a question in the vendor's product forum, the vendor is
 * told and answers, the customer sees "Notifications (1)", follows it and accepts the answer,
 * and the vendor is told of that; a mention and a like each notify; the emails of what is
 * addressed to them arrive at the development mail catcher, and the one-click link of one stops
 * email about its topic. axe-core on the pages with
 * notifications; no console errors, page errors or CSP violations (the identity provider's own
 * pages are not the forum's).
 *
 * This file is one journey: its steps run in order and build on each other.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  acknowledgePublic,
  clickAndLoad,
  expectAccessible,
  expectNoProblems,
  type ForumServer,
  launchBrowser,
  onIdentityProvider,
  openPage,
  pathOf,
  signInAsDemoStaff,
  signUpWithPlimus,
  startForumServer,
  type WatchedPage,
} from './browser';

let server: ForumServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const opened: WatchedPage[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  // Emails go as soon as they are due: "when away" is the suites' to test, with a clock.
  server = await startForumServer({ NOTIFICATION_EMAIL_WAIT_SECONDS: '0' });
});

afterAll(async () => {
  for (const w of opened) await w.close();
  await browser?.close();
  await server?.close();
});

afterEach(() => {
  expectNoProblems(...opened);
  expect(server.serverErrors()).toEqual([]);
});

async function newVisitor(): Promise<Page> {
  const issuer = server.identity?.issuer;
  const watched = await openPage(browser, {
    allowOrigin: server.url,
    alsoAllowOrigins: issuer ? [issuer] : [],
  });
  watched.expectProblems(onIdentityProvider(server));
  opened.push(watched);
  return watched.page;
}

const notificationsLink = (page: Page) =>
  page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: /^Notifications/ });

/** The header's notifications link text, once the server's loop has written what is due. */
async function waitForHeader(page: Page, expected: string): Promise<void> {
  await expect
    .poll(
      async () => {
        await page.goto(`${server.url}/latest`);
        return (await notificationsLink(page).textContent())?.replace(/\s+/g, ' ').trim();
      },
      { timeout: 10_000, interval: 250 },
    )
    .toBe(expected);
}

/**
 * Waits until the email `subject` (without the forum's name) has reached `to` at the mail
 * catcher. The notification loop queues it after the notification (at once for a post, at its
 * next sweep within 30 s for an acceptance or a like); it is sent only if still unread then.
 */
async function waitForMail(to: string, subject: string): Promise<void> {
  await expect
    .poll(
      () =>
        (server.mail?.messages ?? []).filter((m) => m.to.includes(to)).map((m) => m.parsed.subject),
      { timeout: 45_000, interval: 250 },
    )
    .toContain(`${subject} (Plimus Community Forums)`);
}

/** Opens the newest unread notification from the header and follows it to its post. */
async function followNewest(page: Page, says: string, title: string): Promise<string> {
  await clickAndLoad(page, notificationsLink(page));
  const entry = page.locator('.notification.unread').first();
  await expect(entry.textContent()).resolves.toContain(says);
  await expectAccessible(page, '/notifications with an unread entry');
  await clickAndLoad(page, entry.getByRole('link', { name: title }));
  const hash = new URL(page.url()).hash;
  expect(hash).toMatch(/^#p\d+$/);
  return hash;
}

describe('a question in a product forum, answered by the vendor and accepted', () => {
  let customer: Page;
  let vendor: Page;
  let topicPath = '';
  const title = `Does Acme Backup Pro keep old versions? ${Date.now().toString(36)}`;

  beforeAll(async () => {
    customer = await newVisitor();
    vendor = await newVisitor();
  });

  it('the vendor’s staff member joins with Plimus; the customer joins and asks', async () => {
    expect(await signUpWithPlimus(vendor, server, 'Vera Vendor')).toBe('vera_acme');
    expect(await signUpWithPlimus(customer, server, 'Casey Customer')).toBe('casey_customer');
    await customer.goto(`${server.url}/f/acme-backup-pro/new`);
    await customer.getByLabel('Title', { exact: true }).fill(title);
    await customer.getByLabel('Your post').fill('I need last month’s copy of a file. Is it kept?');
    await acknowledgePublic(customer);
    await clickAndLoad(customer, customer.getByRole('button', { name: 'Post topic' }));
    await expect(customer.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(title);
    topicPath = pathOf(customer);
  });

  it('the vendor is told of the new question, follows it and answers', async () => {
    await waitForHeader(vendor, 'Notifications (1), 1 unread');
    await followNewest(vendor, 'casey_customer started a topic in a forum you watch:', title);
    expect(pathOf(vendor)).toBe(topicPath);
    await vendor.getByLabel('Your post').fill('Yes: every version is kept for 90 days.');
    await acknowledgePublic(vendor);
    await clickAndLoad(vendor, vendor.getByRole('button', { name: 'Post reply' }));
  });

  it('the customer sees "Notifications (1)", follows it to the answer and accepts it', async () => {
    await waitForHeader(customer, 'Notifications (1), 1 unread');
    // Away from the forum a moment: the email comes first.
    await waitForMail(
      'casey@customer.example',
      `vera_acme, of the vendor, answered your question ${title}`,
    );
    const hash = await followNewest(
      customer,
      'vera_acme, of the vendor, answered your question',
      title,
    );
    const answer = customer.locator(hash);
    await expect(answer.locator('.post-body').textContent()).resolves.toContain('90 days');
    await clickAndLoad(customer, answer.getByRole('button', { name: /^Mark as solution/ }));
    await expect(customer.locator(`${hash} .accepted-mark`).textContent()).resolves.toContain(
      'Accepted answer',
    );
  });

  it('the vendor is told the answer was accepted', async () => {
    await waitForHeader(vendor, 'Notifications (1), 1 unread');
    await waitForMail('vera@acme.example', `casey_customer accepted your answer in ${title}`);
    await followNewest(vendor, 'casey_customer accepted your answer in', title);
  });

  it('a like and a mention each notify', async () => {
    // The customer likes the answer.
    await customer.goto(`${server.url}${topicPath}`);
    await clickAndLoad(customer, customer.getByRole('button', { name: /^Like post #2$/ }));
    await waitForHeader(vendor, 'Notifications (1), 1 unread');
    await followNewest(vendor, 'casey_customer liked your post in', title);

    // A moderator (the vendor, new here, waits a while between posts) names the customer.
    const moderator = await newVisitor();
    await signInAsDemoStaff(moderator, server, 'demo_moderator');
    await moderator.goto(`${server.url}${topicPath}`);
    await moderator.getByLabel('Your post').fill('Thanks for sharing the answer, @casey_customer.');
    await acknowledgePublic(moderator);
    await clickAndLoad(moderator, moderator.getByRole('button', { name: 'Post reply' }));
    await waitForHeader(customer, 'Notifications (1), 1 unread');
    await waitForMail('casey@customer.example', `demo_moderator mentioned you in ${title}`);
    const hash = await followNewest(customer, 'demo_moderator mentioned you in', title);
    await expect(
      customer.locator(`${hash} .post-body a[href="/u/casey_customer"]`).count(),
    ).resolves.toBe(1);
  });

  it('the mail catcher shows the emails, and the topic’s one-click link stops email about it', async () => {
    const catcher = server.mail?.url ?? '';
    expect(catcher, 'the server started the development mail catcher').toMatch(/^http:\/\//);
    const watched = await openPage(browser, {
      allowOrigin: server.url,
      alsoAllowOrigins: [catcher],
    });
    opened.push(watched);
    const page = watched.page;
    await page.goto(catcher);
    const row = page.getByRole('row').filter({ hasText: 'mentioned you in' });
    await clickAndLoad(page, row.getByRole('link', { name: /mentioned you in/ }));
    const stop = page.locator('.mail-text a', { hasText: '.topic-' });
    expect(await stop.count()).toBe(1);
    await clickAndLoad(page, stop);
    expect(await page.locator('h1').textContent()).toBe('Unsubscribe?');
    await expectAccessible(page, 'the unsubscribe page');
    await clickAndLoad(page, page.getByRole('button', { name: 'Unsubscribe' }));
    expect(await page.getByRole('status').textContent()).toContain(
      'notifications by email about this topic',
    );
    // The topic is muted for the customer now.
    await customer.goto(`${server.url}${topicPath}`);
    await expect(customer.locator('#topic-watch-level').inputValue()).resolves.toBe('muted');
  });
});
