/**
 * A visitor reading the forums in a real browser: clicking from the index to a forum, a topic and
 * a link to another site (which must stop at the /out interstitial), the keyboard path through
 * the skip link, axe-core on every kind of reading page, and no console errors, page errors or
 * CSP violations anywhere. Screenshots for a human look go to /tmp/forum-e2e-screenshots.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  clickAndLoad,
  expectAccessible,
  expectNoProblems,
  expectStaysPut,
  type ForumServer,
  failedLoadOf,
  launchBrowser,
  openPage,
  startForumServer,
  type WatchedPage,
} from './browser';

const SCREENSHOT_DIR = '/tmp/forum-e2e-screenshots';

const FORUM_NAME = 'Acme Backup Pro';
const TOPIC_TITLE = 'Scheduled backup skips files that are open in another program';
const LINK_TEXT = 'Microsoft documentation on the Volume Shadow Copy Service';
const EXTERNAL_URL =
  'https://learn.microsoft.com/en-us/windows-server/storage/file-server/volume-shadow-copy-service';

let server: ForumServer;
let browser: Browser;
let watched: WatchedPage | undefined;

beforeAll(async () => {
  // Browser first: if Chromium is missing, say so before anything else.
  browser = await launchBrowser();
  server = await startForumServer();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh page for one test; closed (and checked for problems) after it. */
async function newPage(viewportWidth = 1280): Promise<Page> {
  watched = await openPage(browser, {
    viewport: { width: viewportWidth, height: 800 },
    allowOrigin: server.url,
  });
  return watched.page;
}

afterEach(async () => {
  const w = watched;
  watched = undefined;
  if (!w) return;
  try {
    expectNoProblems(w);
  } finally {
    await w.close();
  }
  expect(server.serverErrors()).toEqual([]);
});

/** Clicks a link and waits until the browser has loaded the page it leads to. */
/** Clicks the link and waits for the page it leads to; that page's response. */
function follow(page: Page, link: ReturnType<Page['getByRole']>) {
  return clickAndLoad(page, link);
}

const path = (page: Page) => {
  const u = new URL(page.url());
  return `${u.pathname}${u.search}`;
};

describe('a visitor reading the forums', () => {
  it('goes from the index to a topic and stops at the interstitial before another site', async () => {
    const page = await newPage();
    const home = await page.goto(`${server.url}/`);
    expect(home?.status()).toBe(200);
    await expect(page.title()).resolves.toBe('Forums · Plimus Community Forums');
    expectNoProblems(watched);

    // The index: a product forum.
    await follow(page, page.getByRole('link', { name: FORUM_NAME, exact: true }));
    expect(path(page)).toBe('/f/acme-backup-pro');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(FORUM_NAME);
    expectNoProblems(watched);

    // The forum: the topic with a link to another site.
    await follow(page, page.getByRole('link', { name: TOPIC_TITLE, exact: true }));
    expect(path(page)).toMatch(/^\/t\/\d+\/scheduled-backup-skips-files/);
    const topicUrl = page.url();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(TOPIC_TITLE);
    expectNoProblems(watched);

    // The post's link goes through the interstitial, never straight to the other site.
    const postLink = page.locator('.post-body').getByRole('link', { name: LINK_TEXT });
    await expect(postLink.getAttribute('href')).resolves.toBe(
      `/out?url=${encodeURIComponent(EXTERNAL_URL)}`,
    );
    const interstitial = await follow(page, postLink);
    expect(path(page)).toBe(`/out?url=${encodeURIComponent(EXTERNAL_URL)}`);

    // The interstitial says where the link goes and that the other site is not ours.
    const h1 = page.getByRole('heading', { level: 1 });
    await expect(h1.textContent()).resolves.toBe('You are leaving for learn.microsoft.com');
    await expect(page.locator('main code').textContent()).resolves.toBe(EXTERNAL_URL);
    const main = ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');
    expect(main).toContain('learn.microsoft.com is not operated by Plimus');
    expect(main).toContain('own privacy policy');
    const cont = page.getByRole('link', { name: 'Continue to learn.microsoft.com' });
    await expect(cont.getAttribute('href')).resolves.toBe(EXTERNAL_URL);
    await expect(cont.getAttribute('rel')).resolves.toBe('noopener noreferrer nofollow');
    const back = page.getByRole('link', { name: 'Back', exact: true });
    await expect(back.isVisible()).resolves.toBe(true);

    // Nothing takes the browser on by itself: no redirect, no refresh, no script, and no
    // request went elsewhere.
    await expectStaysPut(page, interstitial);
    expect(new URL(page.url()).origin).toBe(server.url);
    expect(new URL(page.url()).pathname).toBe('/out');
    expectNoProblems(watched); // would include any external-request

    // Back returns to the topic the reader came from.
    await follow(page, back);
    expect(page.url()).toBe(topicUrl);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(TOPIC_TITLE);
  });

  it('can use the keyboard: skip link first, visible focus', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/`);

    // The first Tab lands on the skip link, which shows itself.
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    await expect(focused.textContent()).resolves.toBe('Skip to content');
    await expect(focused.getAttribute('href')).resolves.toBe('#main');
    const box = await focused.boundingBox();
    const viewport = page.viewportSize();
    expect(box).not.toBeNull();
    expect(viewport).not.toBeNull();
    if (box && viewport) {
      expect(box.width).toBeGreaterThan(1);
      expect(box.height).toBeGreaterThan(1);
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    }
    expect((await focusRing(page)).style).not.toBe('none');

    // Enter moves focus into main; the next Tab reaches the first link of the content.
    await page.keyboard.press('Enter');
    await expect(
      page.evaluate(() => document.getElementById('main')?.contains(document.activeElement)),
    ).resolves.toBe(true);
    await page.keyboard.press('Tab');
    await expect(
      page.evaluate(() => {
        const el = document.activeElement;
        return el?.tagName === 'A' && document.getElementById('main')?.contains(el);
      }),
    ).resolves.toBe(true);
    await expectVisibleFocusRing(page);

    // A link in the blue banner shows its focus too.
    await page.getByRole('link', { name: 'Privacy' }).first().focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await expect(page.locator(':focus').textContent()).resolves.toBe('Privacy');
    await expectVisibleFocusRing(page);
  });

  for (const [width, scheme] of [
    [1280, 'light'],
    [375, 'light'],
    [1280, 'dark'],
    [375, 'dark'],
  ] as const) {
    it(`meets WCAG 2.1 AA on every kind of reading page, ${width}px wide, ${scheme} scheme`, async () => {
      const page = await newPage(width);
      await page.emulateMedia({ colorScheme: scheme });
      const check = async (target: string) => {
        const res = await page.goto(`${server.url}${target}`);
        expect(res?.status(), target).toBe(200);
        await expectAccessible(page);
        expectNoProblems(watched);
      };
      await check('/');
      // The scheme is the one asked for: the page's background follows it.
      await expect(
        page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor),
      ).resolves.toBe(scheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)');
      await check('/f/acme-backup-pro');
      await follow(page, page.getByRole('link', { name: TOPIC_TITLE, exact: true }));
      const topicPath = path(page);
      await check(topicPath);
      await follow(page, page.locator('.post-author a').first());
      expect(path(page)).toBe('/u/devon_r');
      await check('/u/devon_r');
      // The initials avatar is drawn under the forum's CSP (no problem recorded by `check`).
      const avatar = page.locator('.profile-head .avatar');
      await expect(avatar.isVisible()).resolves.toBe(true);
      await expect(avatar.evaluate((el) => getComputedStyle(el).borderRadius)).resolves.toBe('50%');
      await check('/privacy');
      await check(`/out?url=${encodeURIComponent(EXTERNAL_URL)}`);
      await check('/latest');
      await check('/latest?filter=unanswered');
      await check('/search');
      await check('/search?q=backup');
      await check('/search?q=nothing+matches+these+words');
    });
  }

  it('fits the header in one row on a phone, the links and the search box folded into a menu', async () => {
    watched = await openPage(browser, {
      viewport: { width: 390, height: 844 },
      allowOrigin: server.url,
    });
    const page = watched.page;
    await page.goto(`${server.url}/latest`);
    const header = page.locator('.site-header');
    const name = page.getByRole('link', { name: 'Plimus Community Forums', exact: true });
    const toggle = page.locator('summary', { hasText: 'Menu' });
    await expect(toggle.isVisible()).resolves.toBe(true);
    const nav = page.getByRole('navigation', { name: 'Site' });
    const box = page.getByRole('searchbox', { name: 'Search the forums' });
    // Closed: one row, the site's name beside the toggle; links and box hidden.
    await expect(nav.isVisible()).resolves.toBe(false);
    await expect(box.isVisible()).resolves.toBe(false);
    const [h, n, t] = await Promise.all([
      header.boundingBox(),
      name.boundingBox(),
      toggle.boundingBox(),
    ]);
    expect(h && n && t).toBeTruthy();
    if (h && n && t) {
      expect(h.height).toBeLessThan(70);
      expect(Math.abs(n.y + n.height / 2 - (t.y + t.height / 2))).toBeLessThan(6);
      expect(t.x + t.width).toBeLessThanOrEqual(390);
    }
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'phone header, menu closed');

    // Opened with the keyboard (no script): the links and a search box that fits.
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(nav.getByRole('link', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await expect(box.isVisible()).resolves.toBe(true);
    const b = await box.boundingBox();
    expect(b && b.x >= 0 && b.x + b.width <= 390).toBe(true);
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'phone header, menu open');
    await box.fill('shadow copy');
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
    expect(path(page)).toBe('/search?q=shadow+copy');

    // On a desktop the links show without opening anything, and there is no toggle.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/latest`);
    await expect(toggle.isVisible()).resolves.toBe(false);
    await expect(nav.getByRole('link', { name: 'Latest' }).isVisible()).resolves.toBe(true);
    await expect(box.isVisible()).resolves.toBe(true);
    const [desk, deskName, deskNav] = await Promise.all([
      header.boundingBox(),
      name.boundingBox(),
      nav.boundingBox(),
    ]);
    expect(desk && deskName && deskNav && Math.abs(deskNav.y - deskName.y) < 20).toBe(true);
  });

  it('searches from the header, opens a result and lands on the post', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/privacy`);
    // The box is reachable with the keyboard: Tab from the site's name.
    await page.getByRole('link', { name: 'Plimus Community Forums', exact: true }).focus();
    await page.keyboard.press('Tab');
    const box = page.getByRole('searchbox', { name: 'Search the forums' });
    await expect(box.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.type('shadow copy');
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
    expect(path(page)).toBe('/search?q=shadow+copy');
    await expect(page.getByRole('searchbox', { name: 'Search for' }).inputValue()).resolves.toBe(
      'shadow copy',
    );
    const result = page.locator('.search-hit').filter({ hasText: TOPIC_TITLE });
    await expect(result.locator('mark').first().textContent()).resolves.toMatch(/shadow|copy/i);
    const link = result.getByRole('link', { name: TOPIC_TITLE });
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/p\/\d+$/);
    await follow(page, link);
    const landed = new URL(page.url());
    expect(landed.pathname).toMatch(/^\/t\/\d+\//);
    expect(landed.hash).toBe(`#p${href.split('/')[2]}`);
    await expect(page.locator(landed.hash).isVisible()).resolves.toBe(true);
    await expect(page.locator(`${landed.hash} .post-body`).textContent()).resolves.toMatch(
      /shadow cop/i,
    );
  });

  // Two ways to a 404: a topic that does not exist (the routes throw NotFoundError) and an address
  // no route matches (the app's notFound handler).
  for (const [what, target] of [
    ['a topic that does not exist', '/t/999999/no-such-topic'],
    ['an address that matches no route', '/no-such-page'],
  ] as const) {
    it(`shows the forum's own accessible 404 page for ${what}`, async () => {
      const page = await newPage();
      // Chromium reports the 404 of the document itself as a failed load; that one is expected.
      watched?.expectProblems(failedLoadOf(`${server.url}${target}`, 404));
      const res = await page.goto(`${server.url}${target}`);
      expect(res?.status()).toBe(404);
      expect(res?.headers()['content-type'], 'the 404 is an HTML page').toMatch(/^text\/html/);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Page not found',
      );
      await expectAccessible(page);
    });
  }

  it('lays out the index and a topic at desktop and phone widths', async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    for (const width of [1280, 375]) {
      const page = await newPage(width);
      await page.goto(`${server.url}/`);
      await expectNoHorizontalScroll(page);
      await page.screenshot({ path: join(SCREENSHOT_DIR, `home-${width}.png`), fullPage: true });
      await follow(page, page.getByRole('link', { name: FORUM_NAME, exact: true }));
      await follow(page, page.getByRole('link', { name: TOPIC_TITLE, exact: true }));
      await expectNoHorizontalScroll(page);
      await page.screenshot({ path: join(SCREENSHOT_DIR, `topic-${width}.png`), fullPage: true });
      expectNoProblems(watched);
      const w = watched;
      watched = undefined;
      await w?.close();
    }
  });
});

type FocusRing = { element: string; style: string; width: number; contrast: number };

/**
 * The outline of the focused element: its style, width in pixels, and the contrast of its colour
 * against the background it is drawn on (the nearest ancestor with an opaque background).
 */
function focusRing(page: Page): Promise<FocusRing> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body)
      return { element: 'body', style: 'none', width: 0, contrast: 1 };
    const rgba = (color: string) => {
      const [r = 0, g = 0, b = 0, a = 1] = (color.match(/[\d.]+/g) ?? []).map(Number);
      return { r, g, b, a };
    };
    const channel = (v: number) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    const luminance = (c: { r: number; g: number; b: number }) =>
      0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
    let backdrop = { r: 255, g: 255, b: 255, a: 1 };
    for (let n = el.parentElement; n; n = n.parentElement) {
      const bg = rgba(getComputedStyle(n).backgroundColor);
      if (bg.a >= 1) {
        backdrop = bg;
        break;
      }
    }
    const s = getComputedStyle(el);
    const [hi, lo] = [luminance(rgba(s.outlineColor)), luminance(backdrop)].sort((a, b) => b - a);
    return {
      element: el.outerHTML.slice(0, 120),
      style: s.outlineStyle,
      width: Number.parseFloat(s.outlineWidth),
      contrast: ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05),
    };
  });
}

/** The focused element has an outline at least 2px wide with 3:1 contrast (WCAG 1.4.11). */
async function expectVisibleFocusRing(page: Page) {
  const ring = await focusRing(page);
  expect(ring.style, ring.element).not.toBe('none');
  expect(ring.width, ring.element).toBeGreaterThanOrEqual(2);
  expect(ring.contrast, ring.element).toBeGreaterThanOrEqual(3);
}

/** The page is no wider than the viewport (wide content scrolls inside its own box). */
async function expectNoHorizontalScroll(page: Page) {
  const sizes = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(sizes.scroll, `page wider than the viewport at ${page.url()}`).toBeLessThanOrEqual(
    sizes.client,
  );
}
