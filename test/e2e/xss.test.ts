/**
 * Cross-site scripting through the real posting route, in a real browser under the forum's real
 * Content Security Policy. Every payload of test/fixtures/xss/payloads.ts (and a few markdown
 * ones of our own) is put in the new-topic form and previewed with a click on Preview
 * (POST /f/off-topic with preview=1: the real cooking pipeline, nothing saved, no posting
 * limits); then a topic holding the nastiest ones is actually posted and read back on every page
 * that shows it.
 *
 * A payload that executes shows up as a dialog, a call of a trapped function (alert, confirm,
 * prompt, print), a CSP violation (the CSP allows no inline script, so an inline handler that
 * fires is blocked and reported), a page error or a navigation. The DOM is checked as well, so
 * that markup which would execute under a weaker policy, or on a click, is caught too.
 */
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payloads as PAYLOADS, type Payload } from '../fixtures/xss/payloads';
import {
  clickAndLoad,
  describeProblems,
  type ForumServer,
  fillRegistration,
  headerAccountLink,
  launchBrowser,
  openPage,
  type Problem,
  startForumServer,
  type WatchedPage,
} from './browser';

const ACCOUNT = {
  username: 'xss_prober',
  email: 'xss.prober@example.com',
  password: 'gravel-lantern-pocket-37',
};
const PREVIEW_TITLE = 'Checking what the preview shows';
/** the topic that is actually posted: its title is a payload too */
const POSTED_TITLE = '"><img src=x onerror=alert(1)><script>alert(2)</script>';

/** The nastiest fixtures (by source prefix and id): mutation XSS, handlers, script URLs, frames. */
const NASTIEST: [string, number][] = [
  ['cure53/DOMPurify', 25],
  ['cure53/DOMPurify', 37],
  ['cure53/DOMPurify', 66],
  ['cure53/DOMPurify', 94],
  ['cure53/DOMPurify', 97],
  ['cure53/DOMPurify', 110],
  ['cure53/DOMPurify', 173],
  ['cure53/DOMPurify', 194],
  ['cure53/DOMPurify', 197],
  ['cure53/DOMPurify', 200],
  ['cure53/DOMPurify', 206],
  ['cure53/DOMPurify', 209],
  ['cure53/DOMPurify', 212],
  ['cure53/H5SC', 1],
  ['cure53/H5SC', 7],
  ['cure53/H5SC', 33],
  ['cure53/H5SC', 51],
  ['cure53/H5SC', 101],
  ['cure53/H5SC', 146],
  ['payloadbox', 2452],
  ['payloadbox', 4397],
  ['payloadbox', 6198],
  ['payloadbox', 6345],
];

/**
 * Nastiest fixtures that leave a `<style>` open inside MathML, where the sanitizer's parser reads
 * everything up to the next `</style>` as the style's text and drops it (fail-closed: nothing of
 * it is shown). In the combined post the next payload brings that `</style>`, so the marker in
 * between is the one text of the post that is not shown.
 */
const SWALLOW_THE_NEXT_MARKER: [string, number][] = [
  ['cure53/DOMPurify', 197],
  ['cure53/DOMPurify', 206],
];

/** Markdown's own ways to a script: links, images, autolinks and references. */
const MARKDOWN_PAYLOADS: Payload[] = [
  '[markdown link](javascript:alert(1))',
  '[entity link](jav&#x61;script:alert(1))',
  '[tab link](java\tscript:alert(1))',
  '![markdown image](javascript:alert(1))',
  '![data image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '<javascript:alert(1)>',
  '[reference link][evil]\n\n[evil]: javascript:alert(1)',
  '[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[vb link](vbscript:msgbox(1))',
  '[titled](https://example.org/x "\\" onmouseover=\\"alert(1)")',
  '`<script>alert(1)</script>` and ```<img src=x onerror=alert(1)>```',
].map((payload, id) => ({ source: 'e2e:markdown', id, payload }));

/**
 * Browser pages previewing payloads side by side, each in its own context (signed in with the
 * same session cookie) so that every problem it records belongs to the payload it is showing.
 */
const PROBERS = 3;

/** what the first test previews: the whole fixture, then the markdown payloads */
const PREVIEWED = [...PAYLOADS, ...MARKDOWN_PAYLOADS];

let server: ForumServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let probers: Prober[] = [];

const TRAP_BINDING = '__e2eXssTrap';

type Prober = {
  watched: WatchedPage;
  page: Page;
  /** what executed: dialogs and trapped calls, as they are reported */
  executed: string[];
  /** navigations of the main frame */
  navigations: number;
};

/** A page with traps for whatever a payload would do to prove it ran. */
async function openProber(storageState?: BrowserContextOptions['storageState']): Promise<Prober> {
  const watched = await openPage(browser, {
    allowOrigin: server.url,
    ...(storageState ? { storageState } : {}),
  });
  const { page } = watched;
  const prober: Prober = { watched, page, executed: [], navigations: 0 };
  page.on('dialog', (dialog) => {
    prober.executed.push(`dialog ${dialog.type()}(${dialog.message()}) on ${page.url()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) prober.navigations++;
  });
  await page.exposeBinding(TRAP_BINDING, (_source, call: string) => {
    prober.executed.push(`${call} on ${page.url()}`);
  });
  // Before any script of the page could run: the functions payloads call to prove themselves.
  await page.addInitScript((binding) => {
    const w = window as unknown as Record<string, unknown>;
    const calls: string[] = [];
    Object.defineProperty(w, '__e2eXssCalls', { value: calls });
    for (const name of ['alert', 'confirm', 'prompt', 'print']) {
      w[name] = (...args: unknown[]) => {
        const call = `${name}(${args.map(String).join(', ')})`;
        calls.push(call);
        (w[binding] as ((c: string) => void) | undefined)?.(call);
        return name === 'confirm' ? false : null;
      };
    }
  }, TRAP_BINDING);
  return prober;
}

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startForumServer();

  // One account, joined through the form; the other pages share its session.
  const first = await openProber();
  probers.push(first);
  await first.page.goto(`${server.url}/register`);
  const joined = await fillRegistration(first.page, ACCOUNT);
  expect(joined.status()).toBe(200);
  await expect(headerAccountLink(first.page, ACCOUNT.username).isVisible()).resolves.toBe(true);
  expect(first.watched.takeProblems()).toEqual([]);
  const session = await first.watched.context.storageState();
  for (let i = 1; i < PROBERS; i++) probers.push(await openProber(session));
});

afterAll(async () => {
  for (const p of probers) await p.watched.close();
  probers = [];
  await browser?.close();
  await server?.close();
});

// ---------------------------------------------------------------------------------------------
// What the page holds

type Inspection = {
  /** problems in the cooked post(s): `.preview .post-body` or every `.post-body` */
  inPost: string[];
  /** problems anywhere in the document */
  inDocument: string[];
  /** every element outside the cooked post(s): its name and attribute names, in order */
  frame: string[];
  /** the composer's text, when there is a composer */
  textarea: string | null;
  /** the trapped calls this document recorded itself */
  calls: string[];
  previewShown: boolean;
  postBodies: number;
};

/**
 * Runs in the page, once it has loaded. `postSelector` picks the cooked posts; `forms` are the
 * actions the page's own forms may have. Checks, in the posts: no element from the forbidden list or outside the cooking
 * allowlist, no attribute outside it, no on* or style attribute, no javascript:, vbscript: or
 * data: address. In the whole document: no on* or style attribute, no such address, no
 * executable or embedding element, no form the page does not have itself.
 */
async function inspect({
  postSelector,
  forms,
}: {
  postSelector: string;
  forms: string[];
}): Promise<Inspection> {
  // First let what the page queued run (CSP reports, handlers of elements that just loaded).
  await new Promise((resolve) => setTimeout(resolve, 0));
  const FORBIDDEN = new Set([
    'script',
    'iframe',
    'frame',
    'frameset',
    'object',
    'embed',
    'applet',
    'form',
    'input',
    'button',
    'textarea',
    'select',
    'base',
    'meta',
    'link',
    'style',
    'svg',
    'math',
    'template',
    'noscript',
    'portal',
    'video',
    'audio',
    'source',
    'image',
  ]);
  // src/content/cook.ts: the tags and attributes sanitize-html keeps (tbody: the parser adds it).
  const ALLOWED: Record<string, string[]> = {
    p: [],
    br: [],
    hr: [],
    h3: [],
    h4: [],
    h5: [],
    h6: [],
    blockquote: [],
    ul: [],
    ol: ['start'],
    li: [],
    strong: [],
    em: [],
    del: [],
    s: [],
    code: ['class'],
    pre: [],
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title'],
    table: [],
    thead: [],
    tbody: [],
    tr: [],
    th: [],
    td: [],
    sup: [],
    sub: [],
    kbd: [],
  };
  const TEXT_ATTRIBUTES = new Set(['title', 'alt', 'aria-label', 'content', 'value', 'class']);
  const describe = (el: Element) => el.outerHTML.slice(0, 160);
  const badScheme = (value: string) => {
    // As URL parsers read it: control characters and spaces around it dropped, tabs and
    // newlines inside it too.
    let v = value;
    while (v && v.charCodeAt(0) <= 0x20) v = v.slice(1);
    while (v && v.charCodeAt(v.length - 1) <= 0x20) v = v.slice(0, -1);
    v = v.replace(/[\t\n\r]/g, '').toLowerCase();
    return /^(javascript|vbscript|data|livescript|mocha):/.test(v);
  };
  const attributeProblems = (el: Element, out: string[]) => {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) out.push(`event handler attribute ${name}: ${describe(el)}`);
      else if (name === 'style') out.push(`style attribute: ${describe(el)}`);
      else if (!TEXT_ATTRIBUTES.has(name) && badScheme(attr.value))
        out.push(`${name} with a script or data address: ${describe(el)}`);
    }
  };

  const posts = Array.from(document.querySelectorAll(postSelector));
  const inPost: string[] = [];
  for (const post of posts) {
    for (const el of Array.from(post.querySelectorAll('*'))) {
      const tag = el.localName;
      const allowed = ALLOWED[tag];
      if (FORBIDDEN.has(tag)) inPost.push(`forbidden element <${tag}>: ${describe(el)}`);
      else if (!allowed || el.namespaceURI !== 'http://www.w3.org/1999/xhtml')
        inPost.push(`element outside the allowlist <${tag}>: ${describe(el)}`);
      for (const attr of Array.from(el.attributes)) {
        if (!allowed?.includes(attr.name))
          inPost.push(`attribute outside the allowlist ${attr.name}: ${describe(el)}`);
      }
      attributeProblems(el, inPost);
      if (el instanceof HTMLAnchorElement && el.hasAttribute('href')) {
        if (!['http:', 'https:', 'mailto:'].includes(el.protocol))
          inPost.push(`link to ${el.protocol}: ${describe(el)}`);
        else if (
          el.protocol !== 'mailto:' &&
          el.origin !== location.origin &&
          el.getAttribute('rel') !== 'nofollow ugc noopener'
        )
          inPost.push(`direct link to another site: ${describe(el)}`);
      }
      if (el instanceof HTMLImageElement && el.hasAttribute('src')) {
        const src = new URL(el.src);
        if (src.origin !== location.origin) inPost.push(`image from elsewhere: ${describe(el)}`);
      }
    }
  }

  const inDocument: string[] = [];
  const frame: string[] = [];
  for (const el of Array.from(document.querySelectorAll('*'))) {
    const inAPost = posts.some((p) => p.contains(el) && p !== el);
    if (!inAPost) {
      const names = Array.from(el.attributes, (a) => a.name).sort();
      frame.push(`${el.localName}[${names.join(',')}]`);
    }
    attributeProblems(el, inDocument);
    const tag = el.localName;
    if (tag === 'script' && el.getAttribute('type') !== 'application/ld+json')
      inDocument.push(`script: ${describe(el)}`);
    if (
      [
        'iframe',
        'frame',
        'frameset',
        'object',
        'embed',
        'applet',
        'base',
        'svg',
        'math',
        'portal',
      ].includes(tag)
    )
      inDocument.push(`<${tag}>: ${describe(el)}`);
    if ((tag === 'meta' || tag === 'link' || tag === 'style') && !document.head.contains(el))
      inDocument.push(`<${tag}> outside the head: ${describe(el)}`);
    if (tag === 'meta' && el.hasAttribute('http-equiv'))
      inDocument.push(`<meta http-equiv>: ${describe(el)}`);
    if (tag === 'form' && !forms.includes(el.getAttribute('action') ?? ''))
      inDocument.push(`a form the page does not have: ${describe(el)}`);
  }

  const textarea = document.querySelector<HTMLTextAreaElement>('textarea#body');
  return {
    inPost,
    inDocument,
    frame,
    textarea: textarea ? textarea.value : null,
    calls: ((window as unknown as { __e2eXssCalls?: string[] }).__e2eXssCalls ?? []).slice(),
    previewShown: !!document.querySelector('.preview .post-body'),
    postBodies: posts.length,
  };
}

/**
 * Problems that are not a payload executing: an image of this site that does not exist (the
 * cooking keeps same-site images, so `<img src=x>` becomes a request for /x that answers 404),
 * and the 422 of an empty draft.
 */
function harmless(p: Problem): boolean {
  if (p.kind !== 'console-error') return false;
  // "Failed to load resource: … status of 404 (Not Found) (http://…)", the address from openPage
  const m = p.text.match(
    /^Failed to load resource: the server responded with a status of (\d{3}) \([^)]*\) \((.+)\)$/,
  );
  if (!m?.[2] || !URL.canParse(m[2])) return false;
  const status = Number(m[1]);
  const url = new URL(m[2]);
  if (url.origin !== server.url) return false;
  return status === 404 || (status === 422 && url.pathname === '/f/off-topic');
}

const normalizeNewlines = (s: string) => s.replace(/\r\n?/g, '\n');

const label = (p: Payload) => `${p.source} #${p.id}`;

/** Everything that went wrong on a page since the last call: execution, CSP reports, errors. */
function takeExecution(prober: Prober): { failures: string[]; harmlessCount: number } {
  const problems = prober.watched.takeProblems();
  const failures = [
    ...prober.executed,
    ...problems.filter((p) => !harmless(p)).map((p) => describeProblems([p])),
  ];
  prober.executed = [];
  return { failures, harmlessCount: problems.filter(harmless).length };
}

/** The forms every page has: the header's search and sign-out. */
const SITE_FORMS = ['/logout', '/search'];
const OWN_FORMS = [...SITE_FORMS, '/f/off-topic'];

async function openNewTopic(page: Page) {
  const res = await page.goto(`${server.url}/f/off-topic/new`);
  expect(res?.status()).toBe(200);
  await page.locator('form.composer').getByLabel('Title').fill(PREVIEW_TITLE);
}

/** Puts the text in the new-topic composer, presses Preview, and returns what the page shows. */
async function preview(prober: Prober, body: string) {
  const { page } = prober;
  await page.evaluate((v) => {
    const textarea = document.querySelector<HTMLTextAreaElement>('form.composer textarea#body');
    if (!textarea) throw new Error('no composer on the page');
    textarea.value = v;
  }, body);
  prober.navigations = 0;
  const res = await clickAndLoad(
    page,
    page.locator('form.composer').getByRole('button', { name: 'Preview' }),
    { force: true },
  );
  const seen = await page.evaluate(inspect, {
    postSelector: '.preview .post-body',
    forms: OWN_FORMS,
  });
  return { status: res.status(), seen, navigations: prober.navigations };
}

// ---------------------------------------------------------------------------------------------

describe('cross-site scripting through the posting route', () => {
  it(`previews all ${PREVIEWED.length} payloads without anything executing`, {
    // About 2 minutes on two idle cores; more when the machine is busy.
    timeout: 420_000,
  }, async () => {
    // What a harmless preview looks like around the post: every payload page must match it.
    const baselines: string[] = [];
    for (const prober of probers) {
      await openNewTopic(prober.page);
      const baseline = await preview(prober, 'Baseline with **bold** and a [link](/privacy).');
      expect(baseline.status).toBe(200);
      expect(baseline.seen.inPost).toEqual([]);
      expect(baseline.seen.inDocument).toEqual([]);
      expect(takeExecution(prober).failures).toEqual([]);
      baselines.push(baseline.seen.frame.join(' '));
    }
    expect(new Set(baselines).size).toBe(1);
    const frame = baselines[0];

    const failures: string[] = [];
    const notPreviewed: string[] = [];
    let harmlessCount = 0;

    const probe = async (prober: Prober, p: Payload) => {
      const fail = (what: string) => failures.push(`${label(p)}: ${what}`);
      const { page } = prober;
      const { status, seen, navigations } = await preview(prober, p.payload);
      const execution = takeExecution(prober);
      harmlessCount += execution.harmlessCount;
      for (const f of execution.failures) fail(f);
      for (const f of seen.calls) fail(`called ${f}`);
      for (const f of seen.inPost) fail(f);
      for (const f of seen.inDocument) fail(f);
      if (navigations !== 1) fail(`${navigations} navigations of the page instead of 1`);
      if (new URL(page.url()).pathname !== '/f/off-topic') fail(`ended on ${page.url()}`);

      if (normalizeNewlines(p.payload).trim().length > 0) {
        if (status !== 200 || !seen.previewShown) fail(`no preview (status ${status})`);
        // The payload did not escape the preview or the composer into the page around them.
        else if (seen.frame.join(' ') !== frame)
          fail('the page around the preview differs from a harmless preview');
      } else {
        if (status !== 422) fail(`an empty draft answered ${status}`);
        notPreviewed.push(label(p));
      }
      // The composer gives the text back exactly as it was sent.
      if (seen.textarea === null) fail('no composer on the page');
      else if (seen.textarea !== normalizeNewlines(p.payload))
        fail(`the composer changed the text to ${JSON.stringify(seen.textarea.slice(0, 120))}`);

      if (seen.textarea === null || new URL(page.url()).pathname !== '/f/off-topic')
        await openNewTopic(page);
    };

    const started = Date.now();
    let next = 0;
    await Promise.all(
      probers.map(async (prober) => {
        for (let i = next++; i < PREVIEWED.length; i = next++) {
          const p = PREVIEWED[i];
          if (p) await probe(prober, p);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `xss: previewed ${PREVIEWED.length} payloads in ${seconds.toFixed(1)} s on ${probers.length} pages ` +
        `(${((seconds * 1000) / PREVIEWED.length).toFixed(0)} ms each); ` +
        `${notPreviewed.length} blank ones refused as empty (${notPreviewed.join(', ')}); ` +
        `${harmlessCount} requests for same-site images that do not exist`,
    );
    expect(failures, failures.join('\n')).toEqual([]);
    expect(notPreviewed.length).toBeLessThanOrEqual(2);
    expect(server.serverErrors()).toEqual([]);
  });

  it('posts a topic full of the nastiest payloads; nothing executes where it is shown', async () => {
    const prober = probers[0];
    if (!prober) throw new Error('no browser page');
    const { page } = prober;
    const chosen = [
      ...NASTIEST.map(([source, id]) => {
        const found = PAYLOADS.find((p) => p.source.startsWith(source) && p.id === id);
        if (!found) throw new Error(`no payload ${source} #${id} in the fixtures`);
        return found;
      }),
      ...MARKDOWN_PAYLOADS,
    ];
    // A marker before each payload shows how many survive next to the others.
    const body = chosen.map((p, i) => `Payload ${i + 1}: ${label(p)}\n\n${p.payload}`).join('\n\n');

    await page.goto(`${server.url}/f/off-topic/new`);
    const form = page.locator('form.composer');
    await form.getByLabel('Title').fill(POSTED_TITLE);
    await form.locator('textarea#body').fill(body);
    await form.getByLabel('I understand that my posts are public').check();

    // Previewed first: a new account may post at most 2 links (an <a> with any attribute).
    let res = await clickAndLoad(page, form.getByRole('button', { name: 'Preview' }));
    expect(res.status()).toBe(200);
    const links = await page
      .locator('.preview .post-body a')
      .evaluateAll((as) => as.filter((a) => a.attributes.length > 0).map((a) => a.outerHTML));
    expect(
      links.length,
      `links in the combined payloads:\n${links.join('\n')}`,
    ).toBeLessThanOrEqual(2);

    res = await clickAndLoad(page, form.getByRole('button', { name: 'Post topic' }));
    const postedAnyway =
      res.status() === 422 && (await form.getByRole('button', { name: 'Post anyway' }).count()) > 0;
    if (postedAnyway) {
      // Something in the payloads looks like personal data: post it as it is.
      res = await clickAndLoad(page, form.getByRole('button', { name: 'Post anyway' }));
    }
    expect(res.status(), (await page.locator('main').textContent()) ?? '').toBe(200);
    const topicPath = new URL(page.url()).pathname;
    expect(topicPath).toMatch(/^\/t\/\d+\//);

    const failures: string[] = [];
    const check = async (where: string, forms: string[]) => {
      const seen = await page.evaluate(inspect, { postSelector: '.post-body', forms });
      const execution = takeExecution(prober);
      for (const f of [...execution.failures, ...seen.calls, ...seen.inPost, ...seen.inDocument])
        failures.push(`${where}: ${f}`);
      return seen;
    };

    // The topic page: the post, and the title as text.
    const seen = await check('topic page', [
      ...SITE_FORMS,
      topicPath.replace(/^\/t\/(\d+)\/.*$/, '/t/$1/replies'),
      // the author may make the topic a question
      topicPath.replace(/^\/t\/(\d+)\/.*$/, '/t/$1/kind'),
      // how closely they follow it
      topicPath.replace(/^\/t\/(\d+)\/.*$/, '/t/$1/watch'),
    ]);
    expect(seen.postBodies).toBe(1);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(POSTED_TITLE);
    await expect(page.title()).resolves.toBe(`${POSTED_TITLE} · Plimus Community Forums`);
    // Every payload's marker is shown as text, in order, each a paragraph of its own: no payload
    // swallowed what comes after it (an unclosed comment, tag or attribute would) or turned it
    // into markup; the only exceptions are the markers after the payloads that leave a <style>
    // open (above).
    const swallows = (p: Payload) =>
      SWALLOW_THE_NEXT_MARKER.some(([source, id]) => p.source.startsWith(source) && p.id === id);
    const expectedMarkers = chosen
      .map((p, i) => `Payload ${i + 1}: ${label(p)}`)
      .filter((_, i) => i === 0 || !swallows(chosen[i - 1] as Payload));
    expect(expectedMarkers.length).toBe(chosen.length - SWALLOW_THE_NEXT_MARKER.length);
    const shown = await page
      .locator('.post-body p')
      .evaluateAll((ps) =>
        ps.map((p) => p.textContent ?? '').filter((t) => /^Payload \d+: /.test(t)),
      );
    expect(shown).toEqual(expectedMarkers);

    // Everywhere else the title or the post appears.
    const pages: [string, string, string[]][] = [
      // the forum page has the control of how closely one follows it
      ['forum page', '/f/off-topic', [...SITE_FORMS, '/f/off-topic/watch']],
      ['home page', '/', SITE_FORMS],
      ['profile page', `/u/${ACCOUNT.username}`, SITE_FORMS],
    ];
    for (const [where, path, forms] of pages) {
      const r = await page.goto(`${server.url}${path}`);
      expect(r?.status(), path).toBe(200);
      await check(where, forms);
    }
    await page.goto(`${server.url}/f/off-topic`);
    await expect(
      page.getByRole('link', { name: POSTED_TITLE, exact: true }).textContent(),
    ).resolves.toBe(POSTED_TITLE);

    expect(failures, failures.join('\n')).toEqual([]);
    expect(server.serverErrors()).toEqual([]);
  });
});
