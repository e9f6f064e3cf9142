import type { Context } from 'hono';
import type { AppEnv } from '../context';
import {
  BadRequestError,
  describeError,
  type FormError,
  type StorageUnavailableError,
  storageFailure,
} from '../errors';
import { lineBreaks } from '../validation/fields';

/**
 * The submitted fields of a form, as strings (files are not accepted anywhere), every line break
 * as `\n`. Browsers send each line break of every field as `\r\n`; normalising here, once, means
 * that what is validated, checked (the personal-data findings are offsets into the text), saved
 * and shown again in the form is one and the same text.
 * @throws BadRequestError when the body cannot be read as a form (a broken multipart body)
 */
export async function readForm(c: Context<AppEnv>): Promise<Record<string, string>> {
  let body: Awaited<ReturnType<typeof c.req.parseBody>>;
  try {
    body = await c.req.parseBody();
  } catch {
    throw new BadRequestError(
      'The form arrived damaged, so nothing was saved. Go back, reload the page and send it again.',
      'That form could not be read',
    );
  }
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') fields[k] = lineBreaks(v);
  return fields;
}

/** Sets Retry-After for a refusal that asks the person to wait. */
export function retryAfter(c: Context, err: FormError): void {
  if (err.retryAfterSeconds !== undefined) c.header('Retry-After', String(err.retryAfterSeconds));
}

/**
 * Characters that browsers drop from a URL or read as a slash (control characters, backslash),
 * as they are and percent-encoded: `/\t/evil.example` becomes `//evil.example` in a browser.
 */
const UNSAFE_IN_NEXT = /[\p{Cc}\\]|%(?:[01][0-9a-f]|7f|5c)/iu;

/**
 * A "come back to" path from a form or query: a path of this forum, normalised, never another
 * site. `next` is resolved against the public origin and must stay on it; anything with control
 * characters or backslashes, or that normalises to a path a browser would read as another host
 * (`/..//evil.example`), is replaced by `/`. The answer is plain ASCII, safe in a Location header.
 */
export function safeNext(next: string | undefined, publicOrigin: string): string {
  if (!next?.startsWith('/') || next.length > 2048 || UNSAFE_IN_NEXT.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, publicOrigin);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== new URL(publicOrigin).origin || /^\/(?:\/|%2f)/i.test(path)) return '/';
  return path;
}

/**
 * A request the database refused for lack of storage (full, read-only, busy): noted for
 * `/readyz`, logged by kind (never with the query's values), Retry-After set. Undefined for any
 * other error. The caller answers 503: `app.onError` with a page, a composer with its form.
 */
export function storageRefusal(
  c: Context<AppEnv>,
  err: unknown,
): StorageUnavailableError | undefined {
  const refused = storageFailure(err);
  if (!refused) return undefined;
  c.get('deps').storage.noteRefusal(refused);
  c.get('log')(`storage ${refused.problem} ${describeError(err)}`);
  c.header('Retry-After', String(refused.retryAfterSeconds));
  return refused;
}
