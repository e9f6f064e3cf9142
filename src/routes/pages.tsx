import { Hono } from 'hono';
import * as z from 'zod';
import { OutboundPage } from '../../views/pages/outbound';
import { PrivacyPage } from '../../views/pages/privacy';
import { PRIVACY_REVISIONS } from '../content/privacy';
import type { AppEnv } from '../context';
import { BadRequestError } from '../errors';
import { databaseAnswers, readiness } from '../services/health';
import { frameOf } from './frame';

const outboundUrl = z
  .string({ error: 'This page needs the address of the other site (?url=…).' })
  .max(2048, 'That address is too long to be a link from a post.')
  .transform((v, ctx) => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'That is not a full web address.' });
      return z.NEVER;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({
        code: 'custom',
        message: 'Only web addresses (http or https) can be followed from here.',
      });
      return z.NEVER;
    }
    if (url.username || url.password) {
      ctx.addIssue({
        code: 'custom',
        message: 'Addresses with a user name or password in them are not followed.',
      });
      return z.NEVER;
    }
    return url;
  });

export const pageRoutes = new Hono<AppEnv>()
  .get('/privacy', (c) => c.html(<PrivacyPage frame={frameOf(c)} revisions={PRIVACY_REVISIONS} />))
  .get('/out', (c) => {
    const parsed = outboundUrl.safeParse(c.req.query('url'));
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? 'That is not a full web address.';
      throw new BadRequestError(
        `${reason} This page only shows full web addresses that start with http:// or https://, such as https://example.com/page.`,
        'Not a link we can follow',
      );
    }
    const url = parsed.data;
    return c.html(
      <OutboundPage
        frame={frameOf(c)}
        url={url.href}
        host={url.hostname}
        backHref={backHref(c.req.header('Referer'), c.req.url)}
      />,
    );
  })
  // Liveness: 200 while the process can serve, also when the database takes no writes (a
  // restart would not help a full disk). Readiness: whether writes can happen.
  .get('/healthz', async (c) => {
    const ok = await databaseAnswers(c.get('deps'));
    return c.json(
      { status: ok ? 'ok' : 'error', database: ok ? 'ok' : 'unreachable' },
      ok ? 200 : 503,
    );
  })
  .get('/readyz', async (c) => {
    c.header('Cache-Control', 'no-store');
    const ready = await readiness(c.get('deps'));
    if (ready.ready) return c.json({ status: 'ready' });
    c.header('Retry-After', String(ready.retryAfterSeconds));
    return c.json({ status: 'not ready', reason: ready.reason, message: ready.message }, 503);
  });

/** Back goes to the forum page the reader came from; anything else goes to the index. */
function backHref(referer: string | undefined, requestUrl: string): string {
  if (!referer) return '/';
  try {
    const from = new URL(referer);
    if (from.origin !== new URL(requestUrl).origin || from.pathname === '/out') return '/';
    return `${from.pathname}${from.search}${from.hash}`;
  } catch {
    return '/';
  }
}
