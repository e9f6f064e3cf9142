/**
 * Helpers for browser tests: a real forum server (src/server.ts) on a temporary database, a
 * headless Chromium from the system packages, pages that record what went wrong in them (console
 * errors, uncaught exceptions, Content Security Policy violations, requests to other sites), and
 * an axe-core accessibility check.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AxeBuilder } from '@axe-core/playwright';
import type { Result as AxeResult } from 'axe-core';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
  type Response,
} from 'playwright-core';
import { expect } from 'vitest';
import type { MailCatcher } from '../../dev/mail-catcher';
import type { DevIdentityProvider } from '../../dev/plimus-idp';
import type { Config } from '../../src/env';
import { startServer } from '../../src/server';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---------------------------------------------------------------------------------------------
// The forum server

export type ForumServer = {
  /** the origin the browser uses, e.g. http://127.0.0.1:41234 (also the forum's PUBLIC_ORIGIN) */
  url: string;
  /** the lines the app logged (one per request, plus `error …` lines for server errors) */
  logs: string[];
  /** the logged server errors so far */
  serverErrors: () => string[];
  /** stops the server and deletes its database */
  close: () => Promise<void>;
  /** the server's configuration (its DATABASE_URL, for the command line: see `runCli`) */
  config: Config;
  /**
   * the development Plimus identity provider the server started beside itself (without
   * PLIMUS_ISSUER, outside production); its pages are on `identity.issuer`
   */
  identity: DevIdentityProvider | undefined;
  /** the development mail catcher the server started beside itself (without SMTP_URL); its page is `mail.url` */
  mail: MailCatcher | undefined;
};

/**
 * Starts the Node server on a fresh database file in a temporary directory, with the demo
 * content unless `env` says otherwise. PUBLIC_ORIGIN is the address the browser will use.
 */
export async function startForumServer(env: Record<string, string> = {}): Promise<ForumServer> {
  const dir = mkdtempSync(join(tmpdir(), 'forum-e2e-'));
  const logs: string[] = [];
  let running: Awaited<ReturnType<typeof startServer>>;
  try {
    running = await startServer(
      {
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        // Any free port, bound at once (a port probed first could be taken before the server
        // binds it); the default PUBLIC_ORIGIN then names it.
        PORT: '0',
        DATABASE_URL: `file:${join(dir, 'forum.db')}`,
        SEED_DEMO: 'true',
        ...env,
      },
      (line) => logs.push(line),
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: running.url,
    logs,
    serverErrors: () => logs.filter((l) => l.startsWith('error ')),
    config: running.config,
    identity: running.devIdentityProvider,
    mail: running.mailCatcher,
    close: async () => {
      try {
        await running.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Chromium

/** Launches the system Chromium; fails (never skips) with instructions when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}; the browser tests need it.\n` +
        'Install it from Debian with:\n' +
        '  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium\n' +
        '(do not use `npx playwright install`).',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

// ---------------------------------------------------------------------------------------------
// Pages that record problems

export type ProblemKind = 'console-error' | 'page-error' | 'csp-violation' | 'external-request';

export type Problem = { kind: ProblemKind; text: string; pageUrl: string };

export type WatchedPage = {
  page: Page;
  context: BrowserContext;
  /** everything that went wrong since the page was opened (or since the last `takeProblems`) */
  problems: Problem[];
  /** returns the recorded problems and forgets them */
  takeProblems: () => Problem[];
  /** from now on, problems the predicate accepts are expected and not recorded */
  expectProblems: (expected: (p: Problem) => boolean) => void;
  close: () => Promise<void>;
};

export type OpenPageOptions = BrowserContextOptions & {
  /**
   * the forum's origin: requests anywhere else are aborted and recorded as `external-request`
   * problems, so a test can tell that the browser never left the forum by itself
   */
  allowOrigin?: string;
  /** more origins the browser may reach besides `allowOrigin` (e.g. the identity provider) */
  alsoAllowOrigins?: string[];
};

type CspReport = {
  directive: string;
  blockedURI: string;
  sourceFile: string;
  line: number;
  sample: string;
};

const CSP_BINDING = '__e2eReportCspViolation';

/**
 * A new context and page that record console errors, uncaught page errors and CSP violations
 * (from `securitypolicyviolation` events and from Chromium's console messages about the Content
 * Security Policy). The CSP is not bypassed: the page runs under the forum's real headers.
 */
export async function openPage(
  browser: Browser,
  options: OpenPageOptions = {},
): Promise<WatchedPage> {
  const { allowOrigin, alsoAllowOrigins = [], ...contextOptions } = options;
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    ...contextOptions,
  });
  let problems: Problem[] = [];
  const expected: ((p: Problem) => boolean)[] = [];
  const page = await context.newPage();
  const push = (p: Problem) => {
    if (!expected.some((accept) => accept(p))) problems.push(p);
  };
  const record = (kind: ProblemKind, text: string) => push({ kind, text, pageUrl: page.url() });

  await context.exposeBinding(CSP_BINDING, ({ frame }, report: CspReport) => {
    push({
      kind: 'csp-violation',
      text: `${report.directive} blocked ${report.blockedURI || '(inline)'} at ${report.sourceFile}:${report.line} ${report.sample}`.trim(),
      pageUrl: frame.url(),
    });
  });
  await context.addInitScript((binding) => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as Record<string, (r: unknown) => void>)[binding];
      report?.({
        directive: e.effectiveDirective || e.violatedDirective,
        blockedURI: e.blockedURI,
        sourceFile: e.sourceFile,
        line: e.lineNumber,
        sample: e.sample,
      });
    });
  }, CSP_BINDING);

  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy/i.test(text)) record('csp-violation', text);
    else if (msg.type() === 'error') {
      const where = msg.location().url;
      record('console-error', where ? `${text} (${where})` : text);
    }
  });
  page.on('pageerror', (err) => record('page-error', err.stack ?? String(err)));

  if (allowOrigin) {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      const origin = new URL(url).origin;
      if (url.startsWith('data:') || origin === allowOrigin || alsoAllowOrigins.includes(origin))
        return route.continue();
      record('external-request', `${route.request().method()} ${url}`);
      return route.abort('blockedbyclient');
    });
  }

  return {
    page,
    context,
    get problems() {
      return problems;
    },
    takeProblems: () => {
      const taken = problems;
      problems = [];
      return taken;
    },
    expectProblems: (accept) => {
      expected.push(accept);
    },
    close: () => context.close(),
  };
}

/**
 * Accepts Chromium's console error for a page that answers with an error status on purpose
 * ("Failed to load resource: the server responded with a status of 404 (Not Found)").
 */
export function failedLoadOf(url: string, status: number): (p: Problem) => boolean {
  return (p) =>
    p.kind === 'console-error' &&
    p.text.startsWith(`Failed to load resource: the server responded with a status of ${status}`) &&
    p.text.endsWith(`(${url})`);
}

/** Problems as readable lines, for assertion messages. */
export function describeProblems(problems: Problem[]): string {
  return problems.map((p) => `[${p.kind}] on ${p.pageUrl}: ${p.text}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Accessibility

/** Fails the test, saying what went wrong, when anything did on these pages since the last check. */
export function expectNoProblems(...watched: (WatchedPage | undefined)[]): void {
  const problems = watched.flatMap((w) => w?.takeProblems() ?? []);
  expect(problems, describeProblems(problems)).toEqual([]);
}

/** Fails the test with axe-core's findings (WCAG 2.1 AA) on the page as it is now. */
export async function expectAccessible(page: Page, what?: string): Promise<void> {
  const violations = await axeViolations(page);
  const where = what ? `${what} (${page.url()})` : page.url();
  expect(violations, `axe on ${where}:\n${describeViolations(violations)}`).toEqual([]);
}

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe-core on the page as it is now, against WCAG 2.1 A and AA; returns the violations. */
export async function axeViolations(page: Page): Promise<AxeResult[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations;
}

/** Violations as readable lines: rule, impact, help, and the offending elements. */
export function describeViolations(violations: AxeResult[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map(
          (n) => `    ${n.target.join(' ')}\n      ${n.failureSummary?.replace(/\n/g, '\n      ')}`,
        )
        .join('\n');
      return `${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Navigation and forms

const isRedirect = (status: number) => status >= 300 && status < 400;

/**
 * Clicks a link or a submit button and waits until the page it leads to has loaded. Returns the
 * response of that page (after any redirect), so that the test can check its status.
 * `force` skips Playwright's actionability checks (visible, stable, not covered): still a real
 * mouse click, a little faster, for loops that click the same button many times.
 */
export async function clickAndLoad(
  page: Page,
  target: Locator,
  options: { force?: boolean } = {},
): Promise<Response> {
  const main = page.mainFrame();
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.frame() === main && r.request().isNavigationRequest() && !isRedirect(r.status()),
    ),
    page.waitForEvent('load'),
    target.click({ force: options.force ?? false }),
  ]);
  return response;
}

/**
 * Checks, without waiting to see, that nothing can take the browser from the page it is on by
 * itself: the page came as a 200 (no redirect) without a Refresh header, and the document has no
 * <meta http-equiv> (a refresh), no script that runs (JSON-LD is data), and nothing that loads
 * another document (frames, objects). Waiting a while and looking would prove none of it.
 */
export async function expectStaysPut(page: Page, response: Response): Promise<void> {
  expect(response.url()).toBe(page.url());
  expect(response.status()).toBe(200);
  expect(await response.headerValue('refresh')).toBeNull();
  const found = await page.evaluate(() =>
    Array.from(
      document.querySelectorAll(
        'meta[http-equiv], script:not([type="application/ld+json"]), iframe, frame, object, embed',
      ),
      (el) => el.outerHTML.slice(0, 120),
    ),
  );
  expect(found).toEqual([]);
}

export type Account = { username: string; email: string; password: string };

/**
 * Fills the registration form of the page the browser is on (/register) by typing, ticks
 * "I am 13 or older" and submits it. Returns the response of the page the form leads to.
 */
export async function fillRegistration(page: Page, account: Account): Promise<Response> {
  const form = page.locator('form[action="/register"]');
  await form.getByLabel('Username', { exact: true }).pressSequentially(account.username);
  await form.getByLabel('Email address', { exact: true }).pressSequentially(account.email);
  await form.getByLabel('Password', { exact: true }).pressSequentially(account.password);
  await form.getByLabel('I am 13 or older.').check();
  return clickAndLoad(page, form.getByRole('button', { name: 'Create account' }));
}

/** The account's name in the site header (shown only when signed in as that account). */
export function headerAccountLink(page: Page, username: string): Locator {
  return page
    .getByRole('navigation', { name: 'Site' })
    .getByRole('link', { name: username, exact: true });
}

/** The path and query of the page the browser is on. */
export function pathOf(page: Page): string {
  const u = new URL(page.url());
  return `${u.pathname}${u.search}`;
}

// ---------------------------------------------------------------------------------------------
// Signing in with the (development) Plimus identity

/** The demo people of dev/plimus-idp.ts, by the name its login page shows. */
export type DevPersonName = 'Casey Customer' | 'Vera Vendor' | 'Nia Newcomer';

/**
 * Accepts CSP reports from the development identity provider's own pages (its inline style):
 * they are not the forum's pages, and its CSP is not the forum's to check. Page errors and
 * console errors there are still recorded.
 */
export function onIdentityProvider(server: ForumServer): (p: Problem) => boolean {
  const issuer = server.identity?.issuer;
  return (p) =>
    !!issuer && p.kind === 'csp-violation' && new URL(p.pageUrl).origin === new URL(issuer).origin;
}

/**
 * On the development identity provider's login page (which says it is for development only),
 * clicks "Sign in as <name>" and waits until the browser is back on the forum and the page the
 * forum sent it to has loaded. Returns that page's response.
 */
export async function chooseDevPerson(
  page: Page,
  server: ForumServer,
  name: DevPersonName,
): Promise<Response> {
  const issuer = server.identity?.issuer;
  if (!issuer) throw new Error('the forum runs without the development identity provider');
  if (new URL(page.url()).origin !== new URL(issuer).origin) {
    throw new Error(`expected the identity provider's page, the browser is on ${page.url()}`);
  }
  const dev = page.locator('.dev');
  if (!/Development only/.test((await dev.textContent()) ?? '')) {
    throw new Error(`the identity provider's page does not say it is for development`);
  }
  const response = await clickAndLoad(
    page,
    page.getByRole('button', { name: `Sign in as ${name}`, exact: true }),
  );
  if (new URL(page.url()).origin !== server.url) {
    throw new Error(`after choosing ${name} the browser is on ${page.url()}, not on the forum`);
  }
  return response;
}

/**
 * On the forum's "Choose your username" page (an identity new to the forums): keeps the
 * prefilled username unless one is given, ticks "I am 13 or older" and the public
 * acknowledgement, and submits. Returns the response of the page the form leads to.
 */
export async function completePlimusSignup(page: Page, username?: string): Promise<Response> {
  const form = page.locator('form[action="/auth/plimus/complete"]');
  if (username !== undefined) await form.getByLabel('Username', { exact: true }).fill(username);
  await form.getByLabel('I am 13 or older.').check();
  await form.getByLabel('I understand that my posts are public').check();
  return clickAndLoad(page, form.getByRole('button', { name: 'Create my forum account' }));
}

/**
 * A person new to the forums signs up with Plimus: /auth/plimus, the provider's "Sign in as
 * <name>", then the "Choose your username" form with the prefilled name. Ends signed in, on the
 * page the forum leads to (the home page). Returns the username.
 */
export async function signUpWithPlimus(
  page: Page,
  server: ForumServer,
  name: DevPersonName,
): Promise<string> {
  await page.goto(`${server.url}/auth/plimus`);
  await chooseDevPerson(page, server, name);
  if (pathOf(page) !== '/auth/plimus/complete') {
    throw new Error(`expected the "Choose your username" page, the browser is on ${page.url()}`);
  }
  const username = await page.getByLabel('Username', { exact: true }).inputValue();
  const res = await completePlimusSignup(page);
  if (res.status() !== 200 || pathOf(page) !== '/') {
    throw new Error(`signing up as ${username} ended at ${page.url()} (${res.status()})`);
  }
  return username;
}

// ---------------------------------------------------------------------------------------------
// The command line (scripts/cli.ts) against a test server's database

const execFileAsync = promisify(execFile);
const TSX_CLI = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
const FORUM_CLI = fileURLToPath(new URL('../../scripts/cli.ts', import.meta.url));

/**
 * Runs `npm run cli -- <args>` (scripts/cli.ts with tsx, without npm's own start-up) against the
 * server's database, as an administrator would while the server runs. Rejects when it fails.
 */
export async function runCli(
  server: ForumServer,
  args: string[],
): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync(process.execPath, [TSX_CLI, FORUM_CLI, ...args], {
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: server.config.databaseUrl },
    timeout: 30_000,
  });
}

/** `npm run cli -- set-role <username> <role>`; returns what it printed. */
export async function setRole(
  server: ForumServer,
  username: string,
  role: 'member' | 'moderator' | 'admin',
): Promise<string> {
  const { stdout } = await runCli(server, ['set-role', username, role]);
  return stdout.trim();
}

/** The demo staff and passwords a development server printed at start-up. */
export function printedStaff(server: ForumServer): { username: string; password: string }[] {
  const line = server.logs.find((l) => l.startsWith('Demo staff (development only)')) ?? '';
  return [...line.matchAll(/(\w+) with the password (\S+) \(/g)].map((m) => ({
    username: m[1] ?? '',
    password: m[2] ?? '',
  }));
}

/** Signs a demo staff member in through `/login`, with the password printed at start-up. */
export async function signInAsDemoStaff(
  page: Page,
  server: ForumServer,
  username: string,
): Promise<void> {
  const staff = printedStaff(server).find((s) => s.username === username);
  expect(staff?.password, username).toBeTruthy();
  await page.goto(`${server.url}/login`);
  const form = page.locator('form[action="/login"]');
  await form.getByLabel('Username or email address').fill(username);
  await form.getByLabel('Password', { exact: true }).fill(staff?.password ?? '');
  await clickAndLoad(page, form.getByRole('button', { name: 'Sign in' }));
}

/** Ticks the one-time "posts are public" box when the composer asks for it. */
export async function acknowledgePublic(page: Page): Promise<void> {
  const box = page.getByLabel('I understand that my posts are public.');
  if (await box.count()) await box.check();
}
