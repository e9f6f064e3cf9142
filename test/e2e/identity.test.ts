/**
 * Signing up with the Plimus identity, in a real browser (issue 4): from the home page to the
 * development identity provider (started by src/server.ts beside the forum), "Sign in as Vera
 * Vendor", the forum's "Choose your username" form, then the account with its identity link and
 * vendor staff status, the data export, and the deletion of the password-less account after a
 * fresh sign-in with Plimus. axe-core on the forum's pages of the journey; no console errors,
 * page errors or CSP violations (the identity provider's own pages are not the forum's: they are
 * exempt from the CSP and axe checks, but console and page errors there still count).
 *
 * The steps share one browser page (and so one session) and run in order.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccountExport } from '../../src/services/account-data';
import {
  chooseDevPerson,
  clickAndLoad,
  completePlimusSignup,
  expectAccessible,
  expectNoProblems,
  type ForumServer,
  failedLoadOf,
  headerAccountLink,
  launchBrowser,
  onIdentityProvider,
  openPage,
  pathOf,
  startForumServer,
  type WatchedPage,
} from './browser';

/** what the development provider says about Vera Vendor (dev/plimus-idp.ts) */
const VERA = {
  name: 'Vera Vendor',
  username: 'vera_acme',
  sub: 'plimus-2001',
  email: 'vera@acme.example',
  vendorId: 'vendor-acme',
  vendorName: 'Acme Software',
} as const;

let server: ForumServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let watched: WatchedPage;
let page: Page;
let issuer = '';

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startForumServer();
  issuer = server.identity?.issuer ?? '';
  expect(issuer, 'the server started the development identity provider').toMatch(/^http:\/\//);
  watched = await openPage(browser, { allowOrigin: server.url, alsoAllowOrigins: [issuer] });
  watched.expectProblems(onIdentityProvider(server));
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

const onProvider = () => new URL(page.url()).origin === issuer;
const nav = () => page.getByRole('navigation', { name: 'Site' });
const mainText = async () =>
  ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');

describe('a vendor joining with the Plimus identity', () => {
  it('goes from Sign in to the development identity provider', async () => {
    await page.goto(`${server.url}/`);
    await clickAndLoad(page, nav().getByRole('link', { name: 'Sign in', exact: true }));
    expect(pathOf(page)).toBe('/login');

    // The sign-in page offers exactly one way to Plimus, and that is how the person goes there.
    const plimusLink = page
      .getByRole('main')
      .getByRole('link', { name: 'Sign in with Plimus', exact: true });
    await expect(plimusLink.count()).resolves.toBe(1);
    await expect(plimusLink.getAttribute('href')).resolves.toBe('/auth/plimus');
    const res = await clickAndLoad(page, plimusLink);
    expect(res.status()).toBe(200);

    // The provider's own page, which says it is a development stand-in.
    expect(onProvider(), page.url()).toBe(true);
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
    await expect(page.title()).resolves.toBe('Plimus identity (development)');
    await expect(page.locator('.dev').textContent()).resolves.toMatch(
      /^Development only\. This is a stand-in for the Plimus identity/,
    );
    await expect(page.locator('body').textContent()).resolves.toContain('plimus-forums-dev');
    for (const person of ['Casey Customer', 'Vera Vendor', 'Nia Newcomer']) {
      await expect(
        page.getByRole('button', { name: `Sign in as ${person}`, exact: true }).count(),
      ).resolves.toBe(1);
    }
  });

  it('chooses Vera Vendor and creates a forum account with the prefilled username', async () => {
    const res = await chooseDevPerson(page, server, 'Vera Vendor');
    expect(res.status()).toBe(200);
    expect(pathOf(page)).toBe('/auth/plimus/complete');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Choose your username',
    );
    await expect(page.locator('main .lede').textContent()).resolves.toMatch(
      /^Welcome, Vera Vendor\. You signed in with Plimus for the first time\./,
    );
    const username = page.getByLabel('Username', { exact: true });
    await expect(username.inputValue()).resolves.toBe(VERA.username);
    // Nothing is ticked for the person.
    await expect(page.getByLabel('I am 13 or older.').isChecked()).resolves.toBe(false);
    await expect(
      page.getByLabel('I understand that my posts are public').isChecked(),
    ).resolves.toBe(false);
    await expectAccessible(page, 'the "Choose your username" page');

    const created = await completePlimusSignup(page);
    expect(created.status()).toBe(200);
    expect(pathOf(page)).toBe('/');

    // Signed in: the header shows the username, and the Vendor link of vendor staff.
    await expect(headerAccountLink(page, VERA.username).isVisible()).resolves.toBe(true);
    const vendor = nav().getByRole('link', { name: /^Vendor\b/ });
    await expect(vendor.isVisible()).resolves.toBe(true);
    await expect(vendor.getAttribute('href')).resolves.toBe('/vendor');
    await expect(nav().getByRole('link', { name: 'Sign in' }).count()).resolves.toBe(0);
    // Vendor staff moderate nothing and administer nothing.
    await expect(nav().getByRole('link', { name: 'Moderation' }).count()).resolves.toBe(0);
    await expect(nav().getByRole('link', { name: 'Admin' }).count()).resolves.toBe(0);
  });

  it('sees the linked Plimus identity and the vendor staff status on /account', async () => {
    const res = await clickAndLoad(page, nav().getByRole('link', { name: 'Account', exact: true }));
    expect(res.status()).toBe(200);
    expect(pathOf(page)).toBe('/account');

    const identity = page.getByRole('region', { name: 'Plimus identity' });
    const facts = await identity
      .locator('dl')
      .evaluate((dl) =>
        Object.fromEntries(
          [...dl.querySelectorAll('dt')].map((dt) => [
            dt.textContent?.trim(),
            dt.nextElementSibling?.textContent?.replace(/\s+/g, ' ').trim(),
          ]),
        ),
      );
    expect(facts).toMatchObject({
      'Linked to': `the Plimus identity at ${new URL(issuer).host}`,
      'Vendor staff': `of ${VERA.vendorName}`,
      'Purchases on record': '0',
    });
    expect(facts.Since).toMatch(/\d{4}/);
    // No password here, so the identity cannot be unlinked.
    await expect(identity.textContent()).resolves.toContain('Unlinking is not offered');
    await expect(identity.getByRole('button', { name: /Unlink/ }).count()).resolves.toBe(0);

    const email = page.getByRole('region', { name: 'Email address', exact: true });
    await expect(email.textContent()).resolves.toContain(`Your email address is ${VERA.email}.`);
    // The Plimus identity verified it: it counts as confirmed.
    await expect(email.locator('.email-state').textContent()).resolves.toMatch(/^Confirmed on/);
    const password = page.getByRole('region', { name: 'Password' });
    await expect(password.textContent()).resolves.toContain('has no password here');
    // The session signed in with Plimus is named after this browser (headless Chromium on Linux).
    const sessions = page.getByRole('region', { name: 'Where you are signed in' });
    await expect(sessions.locator('tr.current-session td').first().textContent()).resolves.toBe(
      'Chrome on Linux (this browser)',
    );
    // The list at the top leads to each section.
    await page
      .getByRole('navigation', { name: 'On this page' })
      .getByRole('link', { name: 'Where you are signed in' })
      .click();
    expect(new URL(page.url()).hash).toBe('#account-sessions');
    await expectAccessible(page, '/account');
  });

  it('downloads the export: the profile and the identity link, and no secrets', async () => {
    expect(pathOf(page)).toBe('/account');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download everything we hold about you' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^.*${VERA.username}.*\\.json$`));
    const path = await download.path();
    const text = await readFile(path, 'utf8');
    const data = JSON.parse(text) as AccountExport;

    expect(data.format).toBe('plimus-forums-account-export');
    expect(data.forum).toBe(server.url);
    expect(data.profile).toMatchObject({
      username: VERA.username,
      displayName: VERA.name,
      email: VERA.email,
      role: 'member',
      hasPassword: false,
      postCount: 0,
    });
    expect(data.profile.ageConfirmedAt).not.toBeNull();
    expect(data.profile.publicAckAt).not.toBeNull();
    expect(data.identity).toMatchObject({
      issuer,
      subject: VERA.sub,
      vendor: { id: VERA.vendorId, name: VERA.vendorName },
      purchases: [],
    });
    expect(data.sessions).toHaveLength(1);

    // No secret: not the session cookie, not the forum's client secret, no hash, no token.
    const cookies = await page.context().cookies(server.url);
    const session = cookies.find((c) => c.name === 'session');
    expect(session?.value).toBeTruthy();
    expect(text).not.toContain(session?.value);
    const clientSecret = server.config.plimus?.clientSecret;
    expect(clientSecret).toBeTruthy();
    expect(text).not.toContain(clientSecret);
    expect(text, 'no JSON Web Token').not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+/);
    const keys: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, child] of Object.entries(v)) {
          keys.push(k);
          walk(child);
        }
      }
    };
    walk(data);
    expect(keys.filter((k) => /hash|secret|token|salt|^password$/i.test(k))).toEqual([]);
    // The page did not go anywhere.
    expect(pathOf(page)).toBe('/account');
  });

  it('asks for a fresh sign-in with Plimus before deleting the password-less account', async () => {
    const res = await clickAndLoad(page, page.getByRole('link', { name: 'Delete your account' }));
    expect(res.status()).toBe(200);
    expect(pathOf(page)).toBe('/account/delete');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Delete your account',
    );
    // No deletion form yet: first the confirmation with Plimus.
    await expect(page.locator('form[action="/account/delete"]').count()).resolves.toBe(0);
    expect(await mainText()).toContain('Your account has no password, so we ask you to confirm');
    await expectAccessible(page, 'the delete page before the fresh sign-in');

    await clickAndLoad(page, page.getByRole('link', { name: 'Confirm with Plimus' }));
    // prompt=login: the provider asks again even though its session is still there.
    expect(onProvider(), page.url()).toBe(true);
    const back = await chooseDevPerson(page, server, 'Vera Vendor');
    expect(back.status()).toBe(200);
    expect(pathOf(page)).toBe('/account?done=reauthenticated');
    await expect(page.getByRole('status').textContent()).resolves.toContain(
      'You confirmed that it is you by signing in with Plimus',
    );
    // Still the same account, still signed in.
    await expect(headerAccountLink(page, VERA.username).isVisible()).resolves.toBe(true);
  });

  it('deletes the account, is signed out, and the profile is gone', async () => {
    const open = await clickAndLoad(page, page.getByRole('link', { name: 'Delete your account' }));
    expect(open.status()).toBe(200);
    const form = page.locator('form[action="/account/delete"]');
    await expect(form.count()).resolves.toBe(1);
    // Confirmed with Plimus: no password field, a notice instead.
    await expect(form.locator('input[type="password"]').count()).resolves.toBe(0);
    await expect(form.locator('.notice').textContent()).resolves.toContain(
      'You confirmed that it is you by signing in with Plimus a moment ago.',
    );
    await expectAccessible(page, 'the delete page with its form');

    await form.getByLabel('Remove my posts too').check();
    const deleted = await clickAndLoad(
      page,
      form.getByRole('button', { name: 'Delete my account' }),
    );
    expect(deleted.status()).toBe(200);
    expect(pathOf(page)).toBe('/account/deleted?posts=removed');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Your account was deleted',
    );
    await expectAccessible(page, 'the page after the deletion');

    // Signed out: the header offers Sign in and Join again, and the session cookie is gone.
    await expect(
      nav().getByRole('link', { name: 'Sign in', exact: true }).isVisible(),
    ).resolves.toBe(true);
    await expect(headerAccountLink(page, VERA.username).count()).resolves.toBe(0);
    await expect(nav().getByRole('link', { name: 'Vendor' }).count()).resolves.toBe(0);
    const cookies = await page.context().cookies(server.url);
    expect(cookies.map((c) => c.name)).not.toContain('session');

    // The public profile is gone.
    const profileUrl = `${server.url}/u/${VERA.username}`;
    watched.expectProblems(failedLoadOf(profileUrl, 404));
    const profile = await page.goto(profileUrl);
    expect(profile?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Page not found',
    );
  });
});
