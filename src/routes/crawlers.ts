import { Hono } from 'hono';
import { el, xmlDocument } from '../content/xml';
import type { AppEnv } from '../context';
import {
  forumSitemap,
  type SitemapUrl,
  topicSitemap,
  topicSitemapCount,
} from '../services/sitemap';
import { idParam } from '../validation/fields';

const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const XML = { 'Content-Type': 'application/xml; charset=utf-8' };

/** Where crawlers should not go: pages for one person, forms, and the search (its queries). */
const DISALLOWED = [
  '/account',
  '/admin',
  '/mod',
  '/vendor',
  '/notifications',
  '/auth/',
  '/login',
  '/register',
  '/password',
  '/search',
  '/out',
  '/f/*/new',
  '/t/*/replies',
  '/posts/',
];

const urlset = (urls: SitemapUrl[]) =>
  xmlDocument(
    el(
      'urlset',
      { xmlns: SITEMAP_NS },
      ...urls.map((u) =>
        el(
          'url',
          {},
          el('loc', {}, u.loc),
          ...(u.lastmod ? [el('lastmod', {}, u.lastmod.toISOString())] : []),
        ),
      ),
    ),
  );

/** robots.txt, the sitemaps, and the OpenSearch description that lets browsers offer search. */
export const crawlerRoutes = new Hono<AppEnv>()
  .get('/robots.txt', (c) => {
    const origin = c.get('deps').config.publicOrigin;
    const lines = [
      'User-agent: *',
      ...DISALLOWED.map((p) => `Disallow: ${p}`),
      '',
      `Sitemap: ${origin}/sitemap.xml`,
      '',
    ];
    return c.text(lines.join('\n'));
  })
  .get('/sitemap.xml', async (c) => {
    const deps = c.get('deps');
    const origin = deps.config.publicOrigin;
    const count = await topicSitemapCount(deps);
    const loc = (path: string) => el('sitemap', {}, el('loc', {}, `${origin}${path}`));
    const body = xmlDocument(
      el(
        'sitemapindex',
        { xmlns: SITEMAP_NS },
        loc('/sitemap/forums.xml'),
        ...Array.from({ length: count }, (_, i) => loc(`/sitemap/topics/${i + 1}.xml`)),
      ),
    );
    return c.body(body, 200, XML);
  })
  .get('/sitemap/forums.xml', async (c) =>
    c.body(urlset(await forumSitemap(c.get('deps'))), 200, XML),
  )
  .get('/sitemap/topics/:file{[0-9]+\\.xml}', async (c) => {
    const n = idParam(c.req.param('file').replace(/\.xml$/, ''));
    return c.body(urlset(await topicSitemap(c.get('deps'), n)), 200, XML);
  })
  .get('/opensearch.xml', (c) => {
    const origin = c.get('deps').config.publicOrigin;
    const body = xmlDocument(
      el(
        'OpenSearchDescription',
        { xmlns: 'http://a9.com/-/spec/opensearch/1.1/' },
        el('ShortName', {}, 'Plimus Forums'),
        el('Description', {}, 'Search the Plimus Community Forums'),
        el('InputEncoding', {}, 'UTF-8'),
        el('Image', { width: '16', height: '16', type: 'image/svg+xml' }, `${origin}/favicon.svg`),
        el('Url', {
          type: 'text/html',
          method: 'get',
          template: `${origin}/search?q={searchTerms}`,
        }),
        el('Url', {
          type: 'application/opensearchdescription+xml',
          rel: 'self',
          template: `${origin}/opensearch.xml`,
        }),
      ),
    );
    return c.body(body, 200, { 'Content-Type': 'application/opensearchdescription+xml' });
  });
