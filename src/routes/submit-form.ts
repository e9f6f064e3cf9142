import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type * as z from 'zod';
import type { AppEnv } from '../context';
import { FormError } from '../errors';
import { parseForm } from '../validation/forms';
import { readForm, retryAfter } from './forms';

type Fields = Record<string, string>;

/**
 * A form post in the shape the forum's forms share: the form's page again, with what was sent and
 * a message next to each field, when the form is not valid (422) or the service refuses it with a
 * FormError (its status, and Retry-After when it asks to wait); otherwise `done` answers, and a
 * path for `done` is a 303 redirect to it. `alsoInvalid` adds the problems a service finds in the
 * fields that are valid, so that an invalid form answers every field's problem in one response.
 */
export async function submitForm<T, R>(
  c: Context<AppEnv>,
  schema: z.ZodType<T>,
  page: (input: Fields, errors: Fields) => JSX.Element,
  act: (data: T) => Promise<R>,
  done: string | ((result: R, data: T) => Response | Promise<Response>),
  alsoInvalid?: (input: Fields, errors: Fields) => Promise<Fields>,
) {
  const input = await readForm(c);
  const parsed = parseForm(schema, input);
  if (!parsed.ok) {
    const errors = alsoInvalid
      ? { ...(await alsoInvalid(input, parsed.errors)), ...parsed.errors }
      : parsed.errors;
    return c.html(page(input, errors), 422);
  }
  let result: R;
  try {
    result = await act(parsed.data);
  } catch (err) {
    if (!(err instanceof FormError)) throw err;
    retryAfter(c, err);
    return c.html(page(input, err.fields), err.status);
  }
  return typeof done === 'string' ? c.redirect(done, 303) : done(result, parsed.data);
}
