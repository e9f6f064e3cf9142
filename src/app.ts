/**
 * createApp(deps): the whole forum as one Hono app, free of any runtime. The Node server and the
 * Worker build their database and configuration and hand them in; tests do the same.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorPage } from '../views/pages/error';
import type { AppDeps, AppEnv } from './context';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
} from './errors';
import { type LogLine, requestLog } from './middleware/request-log';
import { securityHeaders } from './middleware/security-headers';
import { forumRoutes } from './routes/forums';
import { pageRoutes } from './routes/pages';
import { topicRoutes } from './routes/topics';
import { userRoutes } from './routes/users';

export type AppOptions = {
  /** where request and error lines go; tests capture them */
  log?: LogLine;
  /** serves public/ where the runtime does not do it itself (Node; Workers use static assets) */
  assets?: MiddlewareHandler;
};

export function createApp(deps: AppDeps, options: AppOptions = {}) {
  const log = options.log ?? console.log;
  const app = new Hono<AppEnv>();

  app.use(requestLog(log));
  app.use(securityHeaders());
  if (options.assets) app.use(options.assets);
  app.use(async function provideDeps(c, next) {
    c.set('deps', deps);
    await next();
  });

  app.route('/', forumRoutes);
  app.route('/', topicRoutes);
  app.route('/', userRoutes);
  app.route('/', pageRoutes);

  app.notFound((c) =>
    c.html(
      ErrorPage({ status: 404, title: 'Page not found', message: 'We could not find that page.' }),
      404,
    ),
  );

  app.onError((err, c) => {
    const page = (status: ContentfulStatusCode, title: string, message: string) =>
      c.html(ErrorPage({ status, title, message }), status);
    if (err instanceof NotFoundError) return page(404, 'Page not found', err.message);
    if (err instanceof BadRequestError) return page(400, err.title, err.message);
    if (err instanceof ForbiddenError) return page(403, 'Not allowed', err.message);
    if (err instanceof ConflictError) return page(409, 'That cannot be done now', err.message);
    if (err instanceof TooManyRequestsError) {
      c.header('Retry-After', String(err.retryAfterSeconds));
      return page(429, 'Please slow down', err.message);
    }
    if (err instanceof HTTPException) {
      if (err.status >= 500) log(`error ${describe(err)}`);
      return page(
        err.status as ContentfulStatusCode,
        'Request refused',
        err.message || 'The request was refused.',
      );
    }
    log(`error ${describe(err)}`);
    return page(
      500,
      'Something went wrong',
      'Something went wrong on our side. Please try again in a moment.',
    );
  });

  return app;
}

export type App = ReturnType<typeof createApp>;

/**
 * An error for the log: its kind and the innermost driver message. Query parameters (which can
 * hold names or addresses) are left out; drizzle puts them in its own message, not the cause's.
 */
function describe(err: unknown): string {
  let e: unknown = err;
  while (e && typeof e === 'object' && 'cause' in e && (e as { cause?: unknown }).cause) {
    e = (e as { cause: unknown }).cause;
  }
  const outer = err instanceof Error ? err.name : typeof err;
  const inner = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const frame = err instanceof Error ? (err.stack?.split('\n')[1]?.trim() ?? '') : '';
  return `${outer} ${inner} ${frame}`.trim();
}
