/**
 * Field schemas shared by every route and form: each rule is written once.
 */
import * as z from 'zod';
import { BadRequestError, NotFoundError } from '../errors';

/**
 * Characters nobody types into a name or a line of text on purpose, and that can disguise what it
 * says: control characters (NUL, escape, backspace…) and the bidirectional controls (the
 * right-to-left override, embeddings, isolates and marks) that reorder how the text around them is
 * shown, so that a name or a title reads differently from what it is. One character at a time,
 * so any input costs one pass.
 */
const HIDDEN_CHARACTERS = /[\p{Cc}\p{Bidi_Control}]/u;
/** The same, except line breaks and tabs, for text of several lines. */
const HIDDEN_CHARACTERS_BUT_BREAKS = /[^\P{Cc}\n\t]|\p{Bidi_Control}/u;

export const HIDDEN_CHARACTERS_MESSAGE =
  'This has invisible control characters (such as a NUL or a right-to-left override) that can disguise what it says. Please type it again without them.';

/**
 * The rule for every line of text a person writes and others read (usernames, display names,
 * titles, reasons, forum names, watched words): pipe into it, then add the field's own limits.
 */
export const textLine = z
  .string()
  .refine((v) => !HIDDEN_CHARACTERS.test(v), HIDDEN_CHARACTERS_MESSAGE);

/**
 * `textLine` for text that keeps its line breaks (bios, notes). Line breaks are `\n`: `readForm`
 * has made them so for every field, and a `\r` left is refused like any control character.
 */
export const textLines = z
  .string()
  .refine((v) => !HIDDEN_CHARACTERS_BUT_BREAKS.test(v), HIDDEN_CHARACTERS_MESSAGE);

/** Line breaks as browsers send them in every field (`\r\n`, or a lone `\r`), as `\n`. */
export const lineBreaks = (v: string) => v.replace(/\r\n?/g, '\n');

/** Text from elsewhere (an identity's claims) made to follow `textLine`: the characters go. */
export const withoutHiddenCharacters = (v: string) =>
  v.replace(new RegExp(HIDDEN_CHARACTERS.source, 'gu'), '');

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
