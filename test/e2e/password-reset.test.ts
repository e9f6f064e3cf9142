/**
 * Resetting a forgotten password in a real browser, as a newcomer does on `npm start`: the
 * forum's "Forgot your password?", the email read on the development mail catcher's page (started
 * by src/server.ts beside the forum, a real SMTP server), its link, the new password, and the
 * sessions that were open before gone. axe-core on the forum's pages; no console errors, page
 * errors or CSP violations (the catcher is a development tool, not a forum page: only its errors
 * count).
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  clickAndLoad,
  expectAccessible,
  expectNoProblems,
  type ForumServer,
  failedLoadOf,
  fillRegistration,
  headerAccountLink,
  launchBrowser,
  openPage,
  pathOf,
  startForumServer,
  type WatchedPage,
} from './browser';

const ACCOUNT: Account = {
  username: 'rosa_forgets',
  email: 'rosa.forgets@example.com',
  password: 'meadow-copper-lantern-27',
};
const NEW_PASSWORD = 'harbour-violet-engine-58';

let server: ForumServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
/** the browser Rosa joined with: its session is open when she resets the password elsewhere */
let before: WatchedPage;
/** another browser, where she forgot it */
let watched: WatchedPage;
let page: Page;
let catcher = '';

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startForumServer();
  catcher = server.mail?.url ?? '';
  expect(catcher, 'the server started the development mail catcher').toMatch(/^http:\/\//);
  before = await openPage(browser, { allowOrigin: server.url });
  watched = await openPage(browser, { allowOrigin: server.url, alsoAllowOrigins: [catcher] });
  page = watched.page;
});

afterAll(async () => {
  await before?.close();
  await watched?.close();
  await browser?.close();
  await server?.close();
});

afterEach(() => {
  expectNoProblems(before, watched);
  expect(server.serverErrors()).toEqual([]);
});

describe('a forgotten password', () => {
  it('belongs to an account signed in elsewhere', async () => {
    await before.page.goto(`${server.url}/register`);
    const res = await fillRegistration(before.page, ACCOUNT);
    expect(res.status()).toBe(200);
    await expect.poll(() => headerAccountLink(before.page, ACCOUNT.username).count()).toBe(1);
  });

  it('is asked for from the sign-in page, with the same answer for every name', async () => {
    await page.goto(`${server.url}/login`);
    await clickAndLoad(page, page.getByRole('link', { name: 'Forgot your password?' }));
    expect(pathOf(page)).toBe('/password/forgot');
    await expectAccessible(page, 'forgot your password');
    await page.getByLabel('Username or email address').fill(ACCOUNT.username);
    await clickAndLoad(page, page.getByRole('button', { name: 'Email me a link' }));
    expect(pathOf(page)).toBe('/password/forgot?sent=1');
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toMatch(/If an account has that username or email address, we sent a link/);
    await expectAccessible(page, 'reset link sent');
  });

  it('arrives at the mail catcher, whose page shows the email and its link', async () => {
    await server.mail?.waitFor(2); // the confirmation of the address, then the reset link
    await page.goto(catcher);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Caught mail');
    const row = page.getByRole('row').filter({ hasText: 'Reset your password' });
    expect(await row.textContent()).toContain(ACCOUNT.email);
    await clickAndLoad(page, row.getByRole('link', { name: /Reset your password/ }));
    expect(await page.locator('.mail-text').textContent()).toMatch(/works once, for an hour/);
  });

  it('has a link whose page takes the token out of the address before the form', async () => {
    const link = page.locator('.mail-text a', { hasText: '/password/reset?token=' });
    expect(await link.count()).toBe(1);
    const res = await clickAndLoad(page, link);
    expect(res.status()).toBe(200);
    expect(page.url()).toBe(`${server.url}/password/reset`);
    expect(res.headers()['referrer-policy']).toBe('no-referrer');
    expect(await page.locator('h1').textContent()).toBe('Choose a new password');
    await expectAccessible(page, 'choose a new password');
    // The token is not in the page either; the browser keeps it in a cookie for this path only.
    const cookies = await watched.context.cookies(`${server.url}/password/reset`);
    const token = cookies.find((c) => c.name === 'password_reset')?.value ?? '';
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    expect(await page.content()).not.toContain(token);
  });

  it('sets the new password, signs nobody in, and ends the session that was open elsewhere', async () => {
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await clickAndLoad(page, page.getByRole('button', { name: 'Save the new password' }));
    expect(pathOf(page)).toBe('/login?done=password-reset');
    expect(await page.getByRole('status').textContent()).toMatch(/signed out everywhere/);
    expect(await headerAccountLink(page, ACCOUNT.username).count()).toBe(0);

    // The browser Rosa joined with is signed out.
    await before.page.reload();
    expect(await headerAccountLink(before.page, ACCOUNT.username).count()).toBe(0);

    // The new password signs in; the old one does not.
    watched.expectProblems(failedLoadOf(`${server.url}/login`, 422));
    await page.getByLabel('Username or email address').fill(ACCOUNT.username);
    await page.getByLabel('Password', { exact: true }).fill(ACCOUNT.password);
    const refused = await clickAndLoad(page, page.getByRole('button', { name: 'Sign in' }));
    expect(refused.status()).toBe(422);
    expect(await headerAccountLink(page, ACCOUNT.username).count()).toBe(0);
    await page.getByLabel('Username or email address').fill(ACCOUNT.username);
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await clickAndLoad(page, page.getByRole('button', { name: 'Sign in' }));
    expect(await headerAccountLink(page, ACCOUNT.username).count()).toBe(1);
  });

  it('was followed by a notice with a "this wasn\'t me" link', async () => {
    const messages = await server.mail?.waitFor(3);
    const notice = messages?.at(-1)?.parsed;
    expect(notice?.subject).toBe(
      'The password of your Plimus Community Forums account was changed',
    );
    expect(notice?.text).toMatch(new RegExp(`${server.url}/password/not-me/\\d+\\.\\d+\\.`));
  });
});
