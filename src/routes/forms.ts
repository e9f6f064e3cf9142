import type { Context } from 'hono';
import type { AppEnv } from '../context';
import { BadRequestError, type FormError } from '../errors';

/**
 * The submitted fields of a form, as strings (files are not accepted anywhere).
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
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') fields[k] = v;
  return fields;
}

/** Sets Retry-After for a refusal that asks the person to wait. */
export function retryAfter(c: Context, err: FormError): void {
  if (err.retryAfterSeconds !== undefined) c.header('Retry-After', String(err.retryAfterSeconds));
}

/** A "come back to" path from a form or query: only paths of this forum, never another site. */
export function safeNext(next: string | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
