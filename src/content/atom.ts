/**
 * Atom 1.0 feeds (RFC 4287): the feed and every entry have an id, a title, an updated time and an
 * author; the feed links to itself (rel="self") and to its page, each entry to its page. Entry
 * content is HTML, carried as escaped text (type="html").
 */
import { el, type XmlElement, xmlDocument } from './xml';

export type AtomEntry = {
  /** a permanent, absolute URL that never changes for this entry */
  id: string;
  title: string;
  /** the entry's page, absolute */
  link: string;
  /** when it was last edited */
  updated: Date;
  published: Date;
  author: string;
  /** the entry's HTML, with absolute links */
  html: string;
};

export type AtomFeed = {
  /** the feed's own URL, absolute: its id and its rel="self" link */
  self: string;
  title: string;
  subtitle?: string;
  /** the page the feed is about, absolute */
  alternate: string;
  /** the latest `updated` of its entries, or when the feed's subject was made */
  updated: Date;
  author: string;
  entries: AtomEntry[];
};

const time = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function atomFeed(f: AtomFeed): string {
  const entries: XmlElement[] = f.entries.map((e) =>
    el(
      'entry',
      {},
      el('id', {}, e.id),
      el('title', { type: 'text' }, e.title),
      el('link', { rel: 'alternate', type: 'text/html', href: e.link }),
      el('published', {}, time(e.published)),
      el('updated', {}, time(e.updated)),
      el('author', {}, el('name', {}, e.author)),
      el('content', { type: 'html' }, e.html),
    ),
  );
  return xmlDocument(
    el(
      'feed',
      { xmlns: 'http://www.w3.org/2005/Atom', 'xml:lang': 'en' },
      el('id', {}, f.self),
      el('title', { type: 'text' }, f.title),
      ...(f.subtitle ? [el('subtitle', { type: 'text' }, f.subtitle)] : []),
      el('link', { rel: 'self', type: 'application/atom+xml', href: f.self }),
      el('link', { rel: 'alternate', type: 'text/html', href: f.alternate }),
      el('updated', {}, time(f.updated)),
      el('author', {}, el('name', {}, f.author)),
      el('generator', {}, 'Plimus Community Forums'),
      ...entries,
    ),
  );
}

/**
 * Cooked HTML for use outside the forum's pages: its root-relative links (the forum's own pages
 * and the /out interstitial, which every link to another site goes through) made absolute.
 */
export function absoluteLinks(html: string, origin: string): string {
  return html.replace(/(<a\b[^>]*?\shref=")\/(?!\/)/g, `$1${origin}/`);
}
