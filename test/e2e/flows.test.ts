/**
 * Journeys of a first-time visitor, in a real browser: from a topic to an account (by the
 * registration form, and by the Plimus identity) and back to that topic, greeted once with
 * "Welcome, you are signed in"; a reply sent after the session ended, kept while the person
 * signs in with Plimus and back in the composer afterwards; a reply that mentions a topic's
 * author, who sees "Notifications (1)" and follows it to the post. axe-core on the forum's pages of each
 * journey; no console errors, page errors or CSP violations (the identity provider's own pages
 * are not the forum's).
 *
 * Each describe has a browser context (and so a session) of its own; its steps run in order.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  acknowledgePublic,
  chooseDevPerson,
  clickAndLoad,
  completePlimusSignup,
  expectAccessible,
  expectNoProblems,
  type ForumServer,
  failedLoadOf,
  fillRegistration,
  headerAccountLink,
  launchBrowser,
  onIdentityProvider,
  openPage,
  pathOf,
  printedStaff,
  signInAsDemoStaff,
  signUpWithPlimus,
  startForumServer,
  type WatchedPage,
} from './browser';

const SEEDED_TOPIC = 'What are you working on this week?';
const WELCOME = 'Welcome, you are signed in.';

let server: ForumServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const opened: WatchedPage[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startForumServer();
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

/** The watched page of a visitor's page, to accept a problem shown on purpose. */
function watchedOf(page: Page): WatchedPage {
  const watched = opened.find((w) => w.page === page);
  if (!watched) throw new Error('not a visitor page of this file');
  return watched;
}

/** Opens the seeded topic from the home page, as a visitor finds it. */
async function openSeededTopic(page: Page): Promise<string> {
  await page.goto(`${server.url}/`);
  await clickAndLoad(page, page.getByRole('link', { name: 'Off-topic', exact: true }));
  await clickAndLoad(page, page.getByRole('link', { name: SEEDED_TOPIC, exact: true }));
  return pathOf(page);
}

const notice = (page: Page) => page.locator('main .flash[role="status"]');

describe('"Create an account to reply" comes back to the topic', () => {
  let page: Page;
  let topicPath = '';

  beforeAll(async () => {
    page = await newVisitor();
  });

  it('the reply box of a topic offers to sign in or join, and both links keep the topic', async () => {
    topicPath = await openSeededTopic(page);
    const reply = page.locator('section.reply');
    await expect(reply.textContent()).resolves.toMatch(/Sign in or create an account to reply\./);
    await expect(
      reply.getByRole('link', { name: 'create an account' }).getAttribute('href'),
    ).resolves.toBe(`/register?next=${encodeURIComponent(topicPath)}`);
    await expect(reply.getByRole('link', { name: 'Sign in' }).getAttribute('href')).resolves.toBe(
      `/login?next=${encodeURIComponent(topicPath)}`,
    );
  });

  it('joins through the registration form and lands on the topic, greeted, with the reply form', async () => {
    await clickAndLoad(page, page.getByRole('link', { name: 'create an account' }));
    expect(pathOf(page)).toBe(`/register?next=${encodeURIComponent(topicPath)}`);
    await expectAccessible(page, 'the registration page');
    const res = await fillRegistration(page, {
      username: 'back_to_topic',
      email: 'back.to.topic@example.com',
      password: 'lantern-orchard-kettle-92',
    });
    expect(res.status()).toBe(200);
    expect(pathOf(page)).toBe(topicPath);
    await expect(notice(page).textContent()).resolves.toBe(`${WELCOME} Your account is ready.`);
    await expect(headerAccountLink(page, 'back_to_topic').isVisible()).resolves.toBe(true);
    await expect(page.locator('section.reply form.composer').isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'the topic with the welcome');
  });

  it('says it once: the next page has no welcome', async () => {
    await page.reload();
    expect(pathOf(page)).toBe(topicPath);
    await expect(notice(page).count()).resolves.toBe(0);
  });
});

describe('"Sign in with Plimus" from a topic comes back to it', () => {
  let page: Page;
  let topicPath = '';

  beforeAll(async () => {
    page = await newVisitor();
  });

  it('goes from the topic to the sign-in page, then to the identity provider', async () => {
    topicPath = await openSeededTopic(page);
    await clickAndLoad(
      page,
      page.locator('section.reply').getByRole('link', { name: 'Sign in', exact: true }),
    );
    expect(pathOf(page)).toBe(`/login?next=${encodeURIComponent(topicPath)}`);
    await expectAccessible(page, 'the sign-in page');
    const plimus = page.getByRole('main').getByRole('link', { name: 'Sign in with Plimus' });
    await expect(plimus.getAttribute('href')).resolves.toBe(
      `/auth/plimus?next=${encodeURIComponent(topicPath)}`,
    );
    await clickAndLoad(page, plimus);
    expect(new URL(page.url()).origin).toBe(server.identity?.issuer);
    // The provider is never told where the person was.
    expect(page.url()).not.toContain(encodeURIComponent(topicPath));
  });

  it('a person new to the forums chooses a username and lands on the topic, greeted', async () => {
    await chooseDevPerson(page, server, 'Casey Customer');
    expect(pathOf(page)).toBe('/auth/plimus/complete');
    const res = await completePlimusSignup(page);
    expect(res.status()).toBe(200);
    expect(pathOf(page)).toBe(topicPath);
    await expect(notice(page).textContent()).resolves.toBe(`${WELCOME} Your account is ready.`);
    await expect(headerAccountLink(page, 'casey_customer').isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'the topic with the welcome');
  });

  it('signs out, and signing in with Plimus again from the topic comes back to it', async () => {
    await clickAndLoad(page, page.getByRole('button', { name: 'Sign out' }));
    await page.goto(`${server.url}${topicPath}`);
    await clickAndLoad(
      page,
      page.locator('section.reply').getByRole('link', { name: 'Sign in', exact: true }),
    );
    // The provider's session lives on: it answers without its login page.
    await clickAndLoad(
      page,
      page.getByRole('main').getByRole('link', { name: 'Sign in with Plimus' }),
    );
    expect(pathOf(page)).toBe(topicPath);
    await expect(notice(page).textContent()).resolves.toBe(WELCOME);
    await page.reload();
    await expect(notice(page).count()).resolves.toBe(0);
  });
});

describe('a reply written after the session ended comes back after signing in', () => {
  let page: Page;
  let topicPath = '';
  let composerPath = '';
  const REPLY = ['I tried that too.', '', 'It worked after a restart.'].join('\n');

  beforeAll(async () => {
    page = await newVisitor();
  });

  it('is kept when sent signed out, and the sign-in page says so', async () => {
    await signUpWithPlimus(page, server, 'Nia Newcomer');
    topicPath = await openSeededTopic(page);
    const reply = page.locator('section.reply form.composer');
    await reply.getByLabel('Your post').pressSequentially(REPLY);
    // The session ends while the person writes (the browser drops it, as after a day unused).
    await page.context().clearCookies({ name: 'session' });
    const id = topicPath.match(/^\/t\/(\d+)\//)?.[1];
    composerPath = `/t/${id}/replies/new`;
    watchedOf(page).expectProblems(failedLoadOf(`${server.url}/t/${id}/replies`, 401));
    const res = await clickAndLoad(page, reply.getByRole('button', { name: 'Post reply' }));
    expect(res.status()).toBe(401);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    await expect(page.locator('main p.notice-ok[role=status]').textContent()).resolves.toBe(
      'Your reply is kept for an hour: sign in to post it.',
    );
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'kept_draft')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
    });
    await expectAccessible(page, 'the sign-in page with a kept reply');
  });

  it('signing in with Plimus comes back to the composer, filled; posting it empties it', async () => {
    // The provider's session lives on: it answers without its login page.
    await clickAndLoad(
      page,
      page.getByRole('main').getByRole('link', { name: 'Sign in with Plimus' }),
    );
    expect(pathOf(page)).toBe(composerPath);
    const form = page.locator('form.composer');
    await expect(form.locator('textarea#body').inputValue()).resolves.toBe(REPLY);
    await expect(page.locator('main .kept-draft').isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'the composer with the kept reply');
    const res = await clickAndLoad(page, form.getByRole('button', { name: 'Post reply' }));
    expect(res.status()).toBe(200);
    expect(pathOf(page)).toMatch(new RegExp(`^${topicPath}(\\?page=\\d+)?$`));
    await expect(page.locator('.posts').textContent()).resolves.toContain(
      'It worked after a restart.',
    );
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'kept_draft')).toBeUndefined();
    await page.goto(`${server.url}${composerPath}`);
    await expect(page.locator('textarea#body').inputValue()).resolves.toBe('');
  });
});

describe('the sign-in page of a development forum says who one can be', () => {
  let page: Page;

  beforeAll(async () => {
    page = await newVisitor();
  });

  it('lists the Plimus demo people and the demo staff, without passwords', async () => {
    await page.goto(`${server.url}/`);
    await clickAndLoad(
      page,
      page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Sign in' }),
    );
    const box = page.getByRole('region', { name: 'Demo people of this development forum' });
    await expect(box.isVisible()).resolves.toBe(true);
    const text = ((await box.textContent()) ?? '').replace(/\s+/g, ' ');
    for (const person of ['Casey Customer', 'Vera Vendor', 'Nia Newcomer']) {
      expect(text).toContain(person);
    }
    expect(text).toContain('demo_moderator, a moderator');
    expect(text).toContain('demo_admin, an administrator');
    for (const { password } of printedStaff(server)) expect(text).not.toContain(password);
    await expectAccessible(page, 'the sign-in page of a development forum');
  });

  it('the demo administrator signs in with the password printed at start-up', async () => {
    const admin = printedStaff(server).find((s) => s.username === 'demo_admin');
    expect(admin?.password).toBeTruthy();
    const form = page.locator('form[action="/login"]');
    await form.getByLabel('Username or email address').fill('demo_admin');
    await form.getByLabel('Password', { exact: true }).fill(admin?.password ?? '');
    await clickAndLoad(page, form.getByRole('button', { name: 'Sign in' }));
    await expect(notice(page).textContent()).resolves.toBe(WELCOME);
    const nav = page.getByRole('navigation', { name: 'Site' });
    await expect(nav.getByRole('link', { name: 'Admin', exact: true }).isVisible()).resolves.toBe(
      true,
    );
    await expect(nav.getByRole('link', { name: /^Moderation\b/ }).isVisible()).resolves.toBe(true);
  });
});

describe('a reply notifies the topic’s author, who follows it to the post', () => {
  let asker: Page;
  let helper: Page;
  const title = `Where do I find the export button? ${Date.now().toString(36)}`;

  const notificationsLink = (page: Page) =>
    page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: /^Notifications/ });

  beforeAll(async () => {
    asker = await newVisitor();
    helper = await newVisitor();
  });

  it('the asker starts a topic and the helper replies, mentioning them', async () => {
    await signInAsDemoStaff(asker, server, 'demo_moderator');
    await asker.goto(`${server.url}/f/off-topic/new`);
    await asker.getByLabel('Title', { exact: true }).fill(title);
    await asker.getByLabel('Your post').fill('I cannot find it anywhere.');
    await acknowledgePublic(asker);
    await clickAndLoad(asker, asker.getByRole('button', { name: 'Post topic' }));
    await expect(asker.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(title);

    await signInAsDemoStaff(helper, server, 'demo_admin');
    await helper.goto(`${server.url}${pathOf(asker)}`);
    await helper.getByLabel('Your post').fill('It is under Settings, @demo_moderator.');
    await acknowledgePublic(helper);
    await clickAndLoad(helper, helper.getByRole('button', { name: 'Post reply' }));
  });

  it('the asker sees "Notifications (1)", follows it to the reply, and it is read', async () => {
    // The server's loop writes the notification just after the reply's answer.
    await expect
      .poll(
        async () => {
          await asker.goto(`${server.url}/latest`);
          return (await notificationsLink(asker).textContent())?.replace(/\s+/g, ' ').trim();
        },
        { timeout: 10_000, interval: 250 },
      )
      .toBe('Notifications (1), 1 unread');
    await expectAccessible(asker, 'a page with an unread notification');
    await clickAndLoad(asker, notificationsLink(asker));
    const entry = asker.locator('.notification.unread');
    await expect(entry.textContent()).resolves.toContain('demo_admin mentioned you in');
    await expectAccessible(asker, '/notifications');
    await clickAndLoad(asker, entry.getByRole('link', { name: title }));
    expect(new URL(asker.url()).hash).toMatch(/^#p\d+$/);
    await expect(
      asker.locator(`${new URL(asker.url()).hash} .post-body`).textContent(),
    ).resolves.toContain('It is under Settings');
    // Seen: the header has no count any more.
    await expect
      .poll(
        async () => {
          await asker.goto(`${server.url}/latest`);
          return (await notificationsLink(asker).textContent())?.trim();
        },
        { timeout: 10_000, interval: 250 },
      )
      .toBe('Notifications');
  });
});
