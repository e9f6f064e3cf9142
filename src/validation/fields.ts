/**
 * Field schemas shared by every route and form: each rule is written once.
 */
import { z } from 'zod';
import { BadRequestError, NotFoundError } from '../errors';

/** `?page=N`: a positive whole number, 1 when absent. */
export const pageQuery = z.object({
  page: z
    .string()
    .regex(/^\d{1,7}$/, 'The page must be a whole number, like ?page=2.')
    .transform(Number)
    .pipe(z.number().min(1, 'Pages start at 1.'))
    .optional()
    .transform((v) => v ?? 1),
});

/** Parses a query against a schema, or fails the request with the schema's message. */
export function parseQuery<T extends z.ZodType>(
  schema: T,
  query: Record<string, string>,
): z.output<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    throw new BadRequestError(parsed.error.issues[0]?.message ?? 'The address is not valid.');
  }
  return parsed.data;
}

/** A numeric id from the path; anything else is a page that does not exist. */
export function idParam(value: string | undefined): number {
  if (!value || !/^[1-9]\d{0,14}$/.test(value)) throw new NotFoundError();
  return Number(value);
}
