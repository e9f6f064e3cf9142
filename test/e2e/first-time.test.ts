/**
 * What a first-time member and a moderator see, in a real browser: registration says every
 * problem at once and keeps what it may; a topic in a product forum starts as a question, its
 * asker is prompted to mark the solution and may make it a discussion; a moderator removes a
 * spam account's posts and suspends it in one step, with a preset length. axe-core on each page;
 * no console errors, page errors or CSP violations.
 *
 * The steps of a describe share their pages and run in order.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  acknowledgePublic,
  clickAndLoad,
  expectAccessible,
  expectNoProblems,
  type ForumServer,
  failedLoadOf,
  fillRegistration,
  launchBrowser,
  openPage,
  pathOf,
  signInAsDemoStaff,
  startForumServer,
  type WatchedPage,
} from './browser';

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

async function newPerson(): Promise<Page> {
  return (await newWatched()).page;
}

async function newWatched(): Promise<WatchedPage> {
  const watched = await openPage(browser, { allowOrigin: server.url });
  opened.push(watched);
  return watched;
}

const stamp = Date.now().toString(36).slice(-5);

describe('joining', () => {
  it('says every problem at once, the taken username included, and keeps what it may', async () => {
    const watched = await newWatched();
    const { page } = watched;
    // The form comes back with 422, which the browser notes on its console.
    watched.expectProblems(failedLoadOf(`${server.url}/register`, 422));
    await page.goto(`${server.url}/register`);
    const res = await fillRegistration(page, {
      username: 'demo_admin',
      email: 'not-an-address',
      password: 'correct horse battery staple',
    });
    expect(res.status()).toBe(422);
    const form = page.locator('form[action="/register"]');
    const errors = (await form.locator('.error-message').allTextContents()).join('\n');
    expect(errors).toMatch(/taken/i);
    expect(errors).toMatch(/email/i);
    // Kept: the username and the address; the password is asked again, and says so.
    await expect(form.getByLabel('Username', { exact: true }).inputValue()).resolves.toBe(
      'demo_admin',
    );
    await expect(form.getByLabel('Email address', { exact: true }).inputValue()).resolves.toBe(
      'not-an-address',
    );
    await expect(form.getByLabel('Password', { exact: true }).inputValue()).resolves.toBe('');
    expect(errors).toContain('Enter your password again');
    await expectAccessible(page, 'the registration form with every problem');
  });
});

describe('a question in a product forum', () => {
  let asker: Page;
  let helper: Page;
  const title = `The nightly job stops at 90 percent ${stamp}`;

  beforeAll(async () => {
    asker = await newPerson();
    helper = await newPerson();
  });

  it('starts as a question', async () => {
    await asker.goto(`${server.url}/register`);
    await fillRegistration(asker, {
      username: `asker_${stamp}`,
      email: `asker_${stamp}@example.com`,
      password: 'correct horse battery staple',
    });
    await asker.goto(`${server.url}/f/acme-backup-pro/new`);
    await expect(asker.getByLabel(/^Question/).isChecked()).resolves.toBe(true);
    await asker.getByLabel('Title', { exact: true }).fill(title);
    await asker.getByLabel('Your post').fill('It stops every night at the same place. Why?');
    await acknowledgePublic(asker);
    await clickAndLoad(asker, asker.getByRole('button', { name: 'Post topic' }));
    await expect(asker.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(title);
    // No replies yet: nothing to mark.
    await expect(asker.getByText('Did a reply solve it?').count()).resolves.toBe(0);
  });

  it('prompts its asker once it has a reply, who marks it as the solution', async () => {
    const path = pathOf(asker);
    await signInAsDemoStaff(helper, server, 'demo_admin');
    await helper.goto(`${server.url}${path}`);
    await helper.getByLabel('Your post').fill('The log directory is full: empty it and run again.');
    await acknowledgePublic(helper);
    await clickAndLoad(helper, helper.getByRole('button', { name: 'Post reply' }));

    await asker.goto(`${server.url}${path}`);
    await expect(asker.getByText('Did a reply solve it?').isVisible()).resolves.toBe(true);
    const mark = asker.getByRole('button', { name: 'Mark as solution' });
    await expect(mark.count()).resolves.toBe(1);
    await expectAccessible(asker, 'a question with a reply, to its asker');
    await clickAndLoad(asker, mark);
    await expect(asker.getByText('Did a reply solve it?').count()).resolves.toBe(0);
    await expect(asker.locator('.post-accepted .accepted-mark').textContent()).resolves.toContain(
      'Accepted answer',
    );
    // The answer is the very next post: no box repeats it above itself.
    await expect(asker.locator('.accepted-answer').count()).resolves.toBe(0);
  });

  it('may be made a discussion by its asker, which clears the answer', async () => {
    await clickAndLoad(asker, asker.getByRole('button', { name: 'Make this a discussion' }));
    await expect(asker.locator('.post-accepted').count()).resolves.toBe(0);
    await expect(asker.getByRole('button', { name: 'Make this a question' }).count()).resolves.toBe(
      1,
    );
  });
});

describe('a spam account', () => {
  let spammer: Page;
  let moderator: Page;
  const name = `spammer_${stamp}`;

  beforeAll(async () => {
    spammer = await newPerson();
    moderator = await newPerson();
  });

  it('is removed and suspended in one step, for a preset length, from its moderation page', async () => {
    await spammer.goto(`${server.url}/register`);
    await fillRegistration(spammer, {
      username: name,
      email: `${name}@example.com`,
      password: 'correct horse battery staple',
    });
    await spammer.goto(`${server.url}/f/off-topic/new`);
    await spammer.getByLabel('Title', { exact: true }).fill(`Cheap watches here ${stamp}`);
    await spammer.getByLabel('Your post').fill('The best prices anywhere, ask me.');
    await acknowledgePublic(spammer);
    await clickAndLoad(spammer, spammer.getByRole('button', { name: 'Post topic' }));
    const topic = pathOf(spammer);

    await signInAsDemoStaff(moderator, server, 'demo_moderator');
    await moderator.goto(`${server.url}/mod/users/${name}`);
    const form = moderator.locator('form.purge-form');
    await expect(form.isVisible()).resolves.toBe(true);
    await expectAccessible(moderator, "a spam account's moderation page");
    await form.getByLabel('1 week').check();
    await form.getByLabel(/^Yes, remove every post/).check();
    await clickAndLoad(
      moderator,
      form.getByRole('button', { name: 'Remove all posts and suspend' }),
    );
    expect(pathOf(moderator)).toMatch(new RegExp(`/mod/users/${name}`));

    // Its topic is gone for readers.
    const visitor = await newWatched();
    visitor.expectProblems(failedLoadOf(`${server.url}${topic}`, 404));
    const res = await visitor.page.goto(`${server.url}${topic}`);
    expect(res?.status()).toBe(404);
  });
});
