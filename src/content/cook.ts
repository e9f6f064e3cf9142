/**
 * The cooking pipeline: markdown -> HTML (marked, GitHub-flavoured) -> sanitize-html with an
 * explicit allowlist -> links to other sites rewritten through the /out interstitial.
 * Posts are cooked once, at write time; pages serve the stored HTML and never render markdown.
 * Cooking runs on a budget (src/content/cooking-budget.ts): markdown that would cost far more
 * than a post of its length is refused with an `UncookableMarkdown`.
 */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import {
  chargeLexing,
  chargeSanitizing,
  cookingBudget,
  MeteredLexer,
  metered,
  meteredSteps,
  type Work,
} from './cooking-budget';

import { linkMentions, type MentionNames } from './mentions';

export { UncookableMarkdown } from './cooking-budget';

/**
 * Bump when the output of `cook` changes for the same input, so stored posts can be re-cooked
 * (posts keep the version that produced their HTML).
 */
export const COOK_VERSION = 3;

export type CookOptions = {
  /** the forum's own origin: links to it stay direct */
  origin: string;
  /** other hosts of the house (plimus.com); their subdomains count too */
  houseHosts: readonly string[];
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    // Images become links. From other sites they would tell those sites who reads the forum
    // (the link goes through the interstitial like any other); from this site they would make
    // every reader's browser request an address of the poster's choosing. The forum has no
    // image uploads, so no image needs to load by itself.
    image({ href, text }) {
      return `<a href="${escapeHtml(href)}">Image: ${escapeHtml(text || href)}</a>`;
    },
    // Task-list boxes as text: the post is not a form.
    checkbox({ checked }) {
      return checked ? '☑ ' : '☐ ';
    },
  },
  ...meteredSteps,
});

const OUT_REL = 'nofollow ugc noopener';

/** Hosts whose links stay direct: the forum itself and the house hosts with their subdomains. */
export function isHouseHost(host: string, opts: CookOptions): boolean {
  const h = host.toLowerCase();
  if (h === originOf(opts).host.toLowerCase()) return true;
  return opts.houseHosts.some((house) => h === house || h.endsWith(`.${house}`));
}

/** The forum's origin, parsed once per cooking options (every link is compared with it). */
const origins = new WeakMap<CookOptions, URL>();
function originOf(opts: CookOptions): URL {
  let origin = origins.get(opts);
  if (!origin) {
    origin = new URL(opts.origin);
    origins.set(opts, origin);
  }
  return origin;
}

/** The interstitial URL for an external link. */
export function outboundHref(url: string): string {
  return `/out?url=${encodeURIComponent(url)}`;
}

type LinkTarget =
  | { kind: 'internal'; href: string }
  | { kind: 'external'; url: string }
  | { kind: 'mailto'; href: string }
  /** anything else (javascript:, data:, unparseable): the link loses its address */
  | { kind: 'dropped' };

function classifyLink(rawHref: string, opts: CookOptions): LinkTarget {
  // As browsers read an address: control characters and spaces at the ends, tabs and newlines
  // anywhere, do not count. (Trimmed by hand: /[\0- ]+$/ backtracks over every run of spaces.)
  let from = 0;
  let to = rawHref.length;
  while (from < to && rawHref.charCodeAt(from) <= 0x20) from++;
  while (to > from && rawHref.charCodeAt(to - 1) <= 0x20) to--;
  const href = rawHref.slice(from, to).replace(/[\t\n\r]/g, '');
  // Anything before a colon that comes ahead of the first / ? or # reads as a scheme: only web
  // and mail links are kept, whatever else it is (javascript:, data:, or garbled ones).
  const end = href.search(/[:/?#]/);
  if (end >= 0 && href[end] === ':' && !/^(https?|mailto)$/i.test(href.slice(0, end)))
    return { kind: 'dropped' };
  let url: URL;
  try {
    url = new URL(href, originOf(opts));
  } catch {
    return { kind: 'dropped' };
  }
  // An address has no < or >; left in, they would let the sanitizer look for comments in it.
  if (url.protocol === 'mailto:')
    return { kind: 'mailto', href: url.href.replace(/[<>]/g, encodeURIComponent) };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { kind: 'dropped' };
  if (isHouseHost(url.host, opts)) {
    // Same-site links become root-relative so they survive a change of origin.
    const self = url.origin === originOf(opts).origin;
    return { kind: 'internal', href: self ? `${url.pathname}${url.search}${url.hash}` : url.href };
  }
  return { kind: 'external', url: url.href };
}

/**
 * Headings: a post sits under the page's h1 and its own h2, so its largest heading becomes h3 and
 * the others keep their distance from it (capped at h6). `shift` is how many levels that moves.
 */
function headingMap(shift: number): Record<string, string> {
  const map: Record<string, string> = {};
  for (let level = 1; level <= 6; level++)
    map[`h${level}`] = `h${Math.min(6, Math.max(3, level + shift))}`;
  return map;
}

function sanitizeOptions(opts: CookOptions, shift: number): sanitizeHtml.IOptions {
  return {
    allowedTags: [
      'p',
      'br',
      'hr',
      'h3',
      'h4',
      'h5',
      'h6',
      'blockquote',
      'ul',
      'ol',
      'li',
      'strong',
      'em',
      'del',
      's',
      'code',
      'pre',
      'a',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
      'sup',
      'sub',
      'kbd',
    ],
    allowedAttributes: {
      a: ['href', 'title', 'rel', 'class'],
      ol: ['start'],
      code: ['class'],
    },
    allowedClasses: { code: ['language-*'], a: ['mention'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    // Post headings sit below the page's h1 and each post's h2, so the outline stays in order.
    transformTags: {
      ...headingMap(shift),
      a: (_tag, attribs) => {
        const href = attribs.href;
        const out: Record<string, string> = {};
        if (attribs.title) out.title = attribs.title;
        if (href !== undefined) {
          const target = classifyLink(href, opts);
          // A mention links a profile of this forum (see src/content/mentions.ts).
          if (
            attribs.class === 'mention' &&
            target.kind === 'internal' &&
            MENTION_HREF.test(target.href)
          )
            out.class = 'mention';
          if (target.kind === 'external') {
            out.href = outboundHref(target.url);
            out.rel = OUT_REL;
          } else if (target.kind !== 'dropped') {
            out.href = target.href;
          }
        }
        return { tagName: 'a', attribs: out };
      },
    },
  };
}

const MENTION_HREF = /^\/u\/[A-Za-z0-9_-]{3,20}$/;

/** Sanitizer options per cooking options, one per heading shift (made when first needed). */
const sanitizers = new WeakMap<CookOptions, Map<number, sanitizeHtml.IOptions>>();

/**
 * Markdown to the HTML stored in `posts.body_html`. `mentions` are the names the text may mention
 * that are members' (looked up by the caller, see src/content/mentions.ts): they become links.
 * @throws UncookableMarkdown when the markdown would cost more than its budget
 */
export function cook(markdown: string, opts: CookOptions, mentions?: MentionNames): string {
  return cookCounted(markdown, opts, mentions).html;
}

export type Cooked = {
  html: string;
  /** the work it took, in the units of src/content/cooking-budget.ts */
  units: number;
  /** the usernames the post mentions, each once */
  mentioned: string[];
};

/**
 * `cook`, the work it spent and whom the post mentions.
 * @throws UncookableMarkdown (with the work spent before it gave up)
 */
export function cookCounted(markdown: string, opts: CookOptions, mentions?: MentionNames): Cooked {
  const { result, work } = metered(cookingBudget(markdown.length), () =>
    cookHtml(markdown, opts, mentions),
  );
  return { ...result, units: work.units };
}

/** The work `cook` does for some markdown, without a budget: for the benchmark and tests. */
export function cookingWork(markdown: string, opts: CookOptions): Work {
  return metered(Number.POSITIVE_INFINITY, () => cookHtml(markdown, opts)).work;
}

function cookHtml(
  markdown: string,
  opts: CookOptions,
  mentions?: MentionNames,
): { html: string; mentioned: string[] } {
  chargeLexing(markdown);
  const tokens = new MeteredLexer(marked.defaults).lex(markdown);
  const mentioned = mentions ? linkMentions(tokens, mentions) : [];
  const html = marked.parser(tokens);
  chargeSanitizing(html);
  let largest = 7;
  for (const m of html.matchAll(/<h([1-6])[\s>]/gi)) largest = Math.min(largest, Number(m[1]));
  const shift = largest === 7 ? 0 : 3 - largest;
  let byShift = sanitizers.get(opts);
  if (!byShift) {
    byShift = new Map();
    sanitizers.set(opts, byShift);
  }
  let sanitize = byShift.get(shift);
  if (!sanitize) {
    sanitize = sanitizeOptions(opts, shift);
    byShift.set(shift, sanitize);
  }
  return { html: sanitizeHtml(html, sanitize).trim(), mentioned };
}
