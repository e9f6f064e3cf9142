/**
 * createApp(deps): the whole forum as one Hono app, free of any runtime. The Node server and the
 * Worker build their database and configuration and hand them in; tests do the same.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorPage } from '../views/pages/error';
import { keyedHash } from './auth/rate-limit';
import type { AppDeps, AppEnv } from './context';
import {
  BadRequestError,
  ConflictError,
  CrossSiteError,
  describeError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
} from './errors';
import { refuseCrossSite } from './middleware/cross-site';
import { flashNotice } from './middleware/flash';
import { headerCounts } from './middleware/header-counts';
import { publicPage } from './middleware/public-pages';
import { type LogLine, requestLog } from './middleware/request-log';
import { securityHeaders } from './middleware/security-headers';
import { loadSession } from './middleware/session';
import { countVisits } from './middleware/visits';
import { accountRoutes } from './routes/account';
import { adminRoutes } from './routes/admin';
import { authRoutes } from './routes/auth';
import { crawlerRoutes } from './routes/crawlers';
import { feedRoutes } from './routes/feeds';
import { storageRefusal } from './routes/forms';
import { forumRoutes } from './routes/forums';
import { frameOf } from './routes/frame';
import { identityRoutes } from './routes/identity';
import { moderationRoutes } from './routes/moderation';
import { notificationRoutes } from './routes/notifications';
import { pageRoutes } from './routes/pages';
import { passwordRoutes } from './routes/password';
import { postingRoutes } from './routes/posting';
import { searchRoutes } from './routes/search';
import { topicRoutes } from './routes/topics';
import { unsubscribeRoutes } from './routes/unsubscribe';
import { userRoutes } from './routes/users';
import { vendorRoutes } from './routes/vendor';

export type AppOptions = {
  /** where request and error lines go; tests capture them */
  log?: LogLine;
  /** serves public/ where the runtime does not do it itself (Node; Workers use static assets) */
  assets?: MiddlewareHandler;
  /**
   * The client's network address as the runtime knows it, for rate limits only. It is turned
   * into a keyed hash at once and never stored or logged.
   */
  clientAddress?: (c: Context) => string | undefined;
  /**
   * The request header that carries the visitor's country, set by a platform the forum trusts
   * (CF-IPCountry on Workers); only counted per day, never kept with anything else.
   */
  countryHeader?: string;
  /** name the kind of each page in a response header, for a page cache in front of the app */
  namePageKind?: boolean;
  /**
   * The forum's own origin is the request's (Workers without PUBLIC_ORIGIN, where the platform
   * routes only the forum's hosts to it). Otherwise it is the configured public origin, whatever
   * Host a request names.
   */
  originFromRequest?: boolean;
};

/** Forms are small; a larger body is refused before anything reads it. */
const MAX_BODY_BYTES = 256 * 1024;

export function createApp(deps: AppDeps, options: AppOptions = {}) {
  const log = options.log ?? console.log;
  const clientAddress = options.clientAddress ?? (() => undefined);
  const ownOrigin = options.originFromRequest
    ? (c: Context) => new URL(c.req.url).origin
    : () => deps.config.publicOrigin;
  const app = new Hono<AppEnv>();

  app.use(requestLog(log));
  app.use(securityHeaders(ownOrigin));
  if (options.assets) app.use(options.assets);
  app.use(async function provideDeps(c, next) {
    c.set('deps', deps);
    c.set('client', keyedHash(`client:${clientAddress(c) ?? 'unknown'}`));
    c.set('log', log);
    await next();
  });
  app.use(refuseCrossSite(ownOrigin));
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.html(
          ErrorPage({
            frame: frameOf(c as Context<AppEnv>),
            status: 413,
            title: 'That was too much',
            message:
              'The form sent more than the forum accepts. Posts can have at most 50,000 characters.',
          }),
          413,
        ),
    }),
  );
  app.use(loadSession());
  app.use(headerCounts());
  app.use(flashNotice());
  app.use(countVisits(options.countryHeader, { namePageKind: options.namePageKind }));
  // The reading pages, the same for every visitor who is not signed in.
  for (const path of ['/', '/latest', '/f/:forum', '/t/:id/:slug?', '/u/:username', '/privacy']) {
    app.use(path, publicPage());
  }

  app.route('/', crawlerRoutes);
  // Before the topic pages: /t/:id/feed.atom would otherwise read as a slug.
  app.route('/', feedRoutes);
  app.route('/', forumRoutes);
  app.route('/', topicRoutes);
  app.route('/', postingRoutes);
  app.route('/', userRoutes);
  app.route('/', authRoutes);
  app.route('/', passwordRoutes);
  app.route('/', unsubscribeRoutes);
  app.route('/', moderationRoutes);
  app.route('/', identityRoutes);
  app.route('/', accountRoutes);
  app.route('/', notificationRoutes);
  app.route('/', adminRoutes);
  app.route('/', vendorRoutes);
  app.route('/', pageRoutes);
  app.route('/', searchRoutes);

  app.notFound((c) =>
    c.html(
      ErrorPage({
        frame: frameOf(c),
        status: 404,
        title: 'Page not found',
        message: 'We could not find that page.',
      }),
      404,
    ),
  );

  app.onError((err, c) => {
    const page = (status: ContentfulStatusCode, title: string, message: string) =>
      c.html(ErrorPage({ frame: frameOf(c), status, title, message }), status);
    if (err instanceof NotFoundError) return page(404, 'Page not found', err.message);
    if (err instanceof BadRequestError) return page(400, err.title, err.message);
    if (err instanceof CrossSiteError) return page(403, 'Request refused', err.message);
    if (err instanceof ForbiddenError) return page(403, 'Not allowed', err.message);
    if (err instanceof ConflictError) return page(409, 'That cannot be done now', err.message);
    const refused = storageRefusal(c, err);
    if (refused) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') {
        return page(
          503,
          'This page cannot be shown right now',
          `The forum cannot read this page right now: ${refused.explanation}. Please try again in a few minutes.`,
        );
      }
      return page(
        503,
        'The forum cannot save right now',
        `${refused.message} What you typed is kept in the form you sent: go back, wait a few minutes and send it again.`,
      );
    }
    if (err instanceof TooManyRequestsError) {
      c.header('Retry-After', String(err.retryAfterSeconds));
      return page(429, 'Please slow down', err.message);
    }
    if (err instanceof HTTPException) {
      if (err.status >= 500) log(`error ${describeError(err)}`);
      return page(
        err.status as ContentfulStatusCode,
        'Request refused',
        err.message || 'The request was refused.',
      );
    }
    log(`error ${describeError(err)}`);
    return page(
      500,
      'Something went wrong',
      'Something went wrong on our side. Please try again in a moment.',
    );
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
