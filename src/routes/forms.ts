import type { Context } from 'hono';
import type { AppEnv } from '../context';
import {
  describeError,
  type FormError,
  type StorageUnavailableError,
  storageFailure,
} from '../errors';

/** The submitted fields of a form, as strings (files are not accepted anywhere). */
export async function readForm(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
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
