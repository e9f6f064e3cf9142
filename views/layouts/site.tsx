import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { FlashKind } from '../../src/auth/cookies';
import { SearchBox } from '../components/search-box';

/** What every page knows about the request: who is looking, and where. */
export type Frame = {
  /** `vendor`: the person is vendor staff (the navigation links to /vendor) */
  viewer: {
    username: string;
    vendor?: boolean;
    moderator?: boolean;
    admin?: boolean;
    /** unread notifications; null when not known (the count could not be read) */
    notifications?: number | null;
    /** for moderators: open reports and held posts */
    queue?: number | null;
    /** for vendor staff: open questions in their product forums */
    questions?: number | null;
  } | null;
  /** the path and query of the page, for "sign in and come back" links */
  path: string;
  /** the search on the search page, kept in the header's box */
  query?: string;
  /**
   * The privacy notice changed since the signed-in person last dismissed this banner: shown on
   * every page until they do. Absent for visitors and for people who have seen the change.
   */
  banner?: PrivacyBanner | null;
  /** what just happened, said once on this page (after joining or signing in) */
  flash?: FlashKind | undefined;
};

/** The one-time notices, by what happened. */
const FLASH_TEXT: Record<FlashKind, string> = {
  'signed-in': 'Welcome, you are signed in.',
  joined: 'Welcome, you are signed in. Your account is ready.',
};

/** A change of the privacy notice, as the banner announces it. */
export type PrivacyBanner = { version: string; date: string; summary: string };

export type LayoutProps = {
  frame: Frame;
  /** the page's own title; the site name is appended */
  title: string;
  description?: string;
  /** absolute canonical URL, for pages reachable under several addresses */
  canonical?: string;
  /** keep search engines away from pages that only make sense to one reader */
  noindex?: boolean;
  /** JSON-LD for the page (serialized here, escaped for a script element) */
  jsonLd?: unknown;
  /** Atom feeds of this page's content, advertised besides the whole forum's */
  feeds?: { href: string; title: string }[];
  children?: Child;
};

export const SITE_NAME = 'Plimus Community Forums';

/** The whole forum's feed of new topics, advertised on every page. */
const FORUM_FEED = { href: '/feed.atom', title: `${SITE_NAME}: latest topics` };

function jsonLdScript(data: unknown) {
  // `<` is escaped so that no text inside can end the script element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return raw(`<script type="application/ld+json">${json}</script>`);
}

/** `href` with the page to come back to (`next`), unless that is the home page. */
export function withNext(href: string, next: string | undefined): string {
  return !next || next === '/' ? href : `${href}?next=${encodeURIComponent(next)}`;
}

/** Sign-in and join pages come back to them, not to themselves. */
const isWayIn = (path: string) =>
  path.startsWith('/login') || path.startsWith('/register') || path.startsWith('/auth/');

/** The sign-in link comes back to the page it was followed from. */
export function signInHref(path: string): string {
  return withNext('/login', isWayIn(path) ? '/' : path);
}

/** So does the link to join. */
export function joinHref(path: string): string {
  return withNext('/register', isWayIn(path) ? '/' : path);
}

/** Every page's frame: skip link, banner with navigation, main landmark, footer. */
export function Layout(props: LayoutProps) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · ${SITE_NAME}`}</title>
          {props.description ? <meta name="description" content={props.description} /> : null}
          {props.canonical ? <link rel="canonical" href={props.canonical} /> : null}
          {props.noindex ? <meta name="robots" content="noindex" /> : null}
          <link rel="stylesheet" href="/styles.css" />
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          <link
            rel="search"
            type="application/opensearchdescription+xml"
            href="/opensearch.xml"
            title={SITE_NAME}
          />
          {[...(props.feeds ?? []), FORUM_FEED].map((f) => (
            <link rel="alternate" type="application/atom+xml" href={f.href} title={f.title} />
          ))}
          {props.jsonLd ? jsonLdScript(props.jsonLd) : null}
        </head>
        <body>
          <a class="skip-link" href="#main">
            Skip to content
          </a>
          <header class="site-header">
            <div class="wrap site-header-inner">
              <a class="site-name" href="/">
                {SITE_NAME}
              </a>
              {/* On a phone the search box and the links fold into this menu (no script needed);
                  on wider screens the summary is hidden and the content always shows. */}
              <details class="site-menu">
                <summary class="site-menu-toggle">Menu</summary>
                <div class="site-menu-body">
                  <SearchBox query={props.frame.query} />
                  <nav class="site-nav" aria-label="Site">
                    <ul>
                      <li>
                        <a href="/">Forums</a>
                      </li>
                      <li>
                        <a href="/latest">Latest</a>
                      </li>
                      <li>
                        <a href="/privacy">Privacy</a>
                      </li>
                      {props.frame.viewer ? (
                        <>
                          <li>
                            <a href={`/u/${props.frame.viewer.username}`}>
                              {props.frame.viewer.username}
                            </a>
                          </li>
                          <li>
                            <CountedLink
                              href="/notifications"
                              label="Notifications"
                              count={props.frame.viewer.notifications ?? null}
                              what="unread"
                            />
                          </li>
                          {props.frame.viewer.vendor ? (
                            <li>
                              <CountedLink
                                href="/vendor"
                                label="Vendor"
                                count={props.frame.viewer.questions ?? null}
                                what="open questions"
                              />
                            </li>
                          ) : null}
                          {props.frame.viewer.moderator ? (
                            <li>
                              <CountedLink
                                href="/mod"
                                label="Moderation"
                                count={props.frame.viewer.queue ?? null}
                                what="waiting"
                              />
                            </li>
                          ) : null}
                          {props.frame.viewer.admin ? (
                            <li>
                              <a href="/admin">Admin</a>
                            </li>
                          ) : null}
                          <li>
                            <a href="/account">Account</a>
                          </li>
                          <li>
                            <form method="post" action="/logout" class="inline-form">
                              <button type="submit" class="link-button">
                                Sign out
                              </button>
                            </form>
                          </li>
                        </>
                      ) : (
                        <>
                          <li>
                            <a href={signInHref(props.frame.path)}>Sign in</a>
                          </li>
                          <li>
                            <a href={joinHref(props.frame.path)}>Join</a>
                          </li>
                        </>
                      )}
                    </ul>
                  </nav>
                </div>
              </details>
            </div>
          </header>
          {props.frame.banner ? (
            <PrivacyNoticeBanner banner={props.frame.banner} next={props.frame.path} />
          ) : null}
          <main id="main" class="wrap" tabindex={-1}>
            {props.frame.flash ? (
              <p class="notice notice-ok flash" role="status">
                {FLASH_TEXT[props.frame.flash]}
              </p>
            ) : null}
            {props.children}
          </main>
          <footer class="site-footer">
            <div class="wrap">
              <p>
                <a href="/privacy">How we handle your data</a>
              </p>
              <p>
                The forums of the <a href="https://www.plimus.com/">Plimus</a> software marketplace.
              </p>
            </div>
          </footer>
        </body>
      </html>
    </>
  );
}

const bannerDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "The privacy notice changed on …", with a link to the changes and a Dismiss button. */
function PrivacyNoticeBanner({ banner, next }: { banner: PrivacyBanner; next: string }) {
  const date = new Date(`${banner.date}T00:00:00Z`);
  return (
    <aside class="policy-banner" aria-label="Privacy notice changed">
      <div class="wrap policy-banner-inner">
        <p>
          The privacy notice changed on{' '}
          <time datetime={banner.date}>{bannerDate.format(date)}</time>: {banner.summary}{' '}
          <a href="/privacy#changes">Read what changed</a>
        </p>
        <form method="post" action="/account/privacy-notice/dismiss" class="inline-form">
          <input type="hidden" name="next" value={next} />
          <button type="submit" class="button-secondary">
            Dismiss
          </button>
        </form>
      </div>
    </aside>
  );
}

/** "Notifications (3)": the count is read out in words, and marked for the eye. */
function CountedLink(p: { href: string; label: string; count: number | null; what: string }) {
  return (
    <a href={p.href} class={p.count ? 'counted-link has-count' : 'counted-link'}>
      {p.label}
      {p.count ? (
        <>
          {' '}
          <span aria-hidden="true">({p.count > 99 ? '99+' : p.count})</span>
          <span class="visually-hidden">
            , {p.count} {p.what}
          </span>
        </>
      ) : null}
    </a>
  );
}
