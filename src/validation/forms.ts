/**
 * One schema per form; shared fields are defined once and reused by every form that has them.
 */
import * as z from 'zod';
import {
  DIGEST_CHOICES,
  FORUM_WATCH_LEVELS,
  NOTIFICATION_KINDS,
  type NotificationKind,
  TOPIC_KINDS,
  TOPIC_WATCH_LEVELS,
} from '../../domain/words';
import { isCommonPassword } from '../auth/password';
import { textLine, textLines } from './fields';

export const RESERVED_USERNAMES = new Set([
  'account',
  'admin',
  'administrator',
  'anonymous',
  'api',
  'auth',
  'deleted',
  'forum',
  'forums',
  'guest',
  'help',
  'login',
  'logout',
  'me',
  'mod',
  'moderator',
  'moderators',
  'new',
  'null',
  'official',
  'plimus',
  'privacy',
  'register',
  'root',
  'security',
  'staff',
  'support',
  'system',
  'team',
  'undefined',
  'vendor',
  'vendors',
  'webmaster',
]);

export const MAX_PASSWORD = 200;
export const MIN_PASSWORD = 10;
export const MAX_BODY = 50_000;

/** a checkbox: present (any of the values browsers send) or absent */
export const checkbox = z
  .string()
  .optional()
  .transform((v) => v === 'on' || v === '1' || v === 'true' || v === 'yes');

export const username = z
  .string({ error: 'Choose a username.' })
  .trim()
  .pipe(
    textLine
      .min(3, 'Usernames have 3 to 20 characters.')
      .max(20, 'Usernames have 3 to 20 characters.')
      .regex(/^[A-Za-z0-9_-]+$/, 'Use only letters, digits, _ and - in a username.')
      .refine(
        (v) => !RESERVED_USERNAMES.has(v.toLowerCase()),
        'That username is reserved. Please choose another.',
      ),
  );

export const email = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .pipe(textLine.max(254, 'That email address is too long.'))
  .pipe(z.email('Enter an email address like name@example.com.'));

export const newPassword = z
  .string({ error: 'Choose a password.' })
  .min(MIN_PASSWORD, `Passwords need at least ${MIN_PASSWORD} characters.`)
  .max(MAX_PASSWORD, `Passwords can have at most ${MAX_PASSWORD} characters.`)
  .refine(
    (v) => !isCommonPassword(v),
    'That password is one of the most common ones. Please choose another.',
  );

const requiredText = (message: string, max = 500) =>
  z.string({ error: message }).min(1, message).max(max, 'That is too long.');

export const registerForm = z.object({
  username,
  email,
  password: newPassword,
  age_confirmed: checkbox.refine((v) => v, 'Please confirm that you are 13 or older.'),
  /** the page to come back to (made safe by the route) */
  next: z.string().optional(),
});

/** A Plimus identity new to the forums: its public username and the two confirmations. */
export const plimusSignupForm = z.object({
  username,
  age_confirmed: checkbox.refine((v) => v, 'Please confirm that you are 13 or older.'),
  public_ack: checkbox.refine(
    (v) => v,
    'Please confirm that you understand your posts are public.',
  ),
});

/** "Forgot your password?": the username or the email address of the account. */
export const forgotPasswordForm = z.object({
  login: requiredText('Enter your username or email address.', 254)
    .transform((v) => v.trim())
    .pipe(z.string().min(1, 'Enter your username or email address.')),
});

export const loginForm = z.object({
  login: requiredText('Enter your username or email address.', 254).transform((v) => v.trim()),
  password: requiredText('Enter your password.', MAX_PASSWORD),
  remember: checkbox,
  next: z.string().optional(),
});

export const body = z
  .string({ error: 'Write something before posting.' })
  .refine((v) => v.trim().length > 0, 'Write something before posting.')
  .refine(
    (v) => v.length <= MAX_BODY,
    `Posts can have at most ${MAX_BODY.toLocaleString('en-US')} characters.`,
  );

const composerFlags = {
  public_ack: checkbox,
  post_anyway: checkbox,
  preview: checkbox,
  show_buyer_badge: checkbox,
};

export const topicForm = z.object({
  title: z
    .string({ error: 'Give your topic a title.' })
    .transform((v) => v.replace(/\s+/g, ' ').trim())
    .pipe(
      textLine
        .min(5, 'Titles have 5 to 150 characters.')
        .max(150, 'Titles have 5 to 150 characters.'),
    ),
  body,
  /** absent: the forum's default (src/services/topic-kind.ts: defaultTopicKind) */
  kind: z.enum(TOPIC_KINDS, 'Choose whether this is a discussion or a question.').optional(),
  /** "Also email this to subscribers" (offered to administrators in announcement forums) */
  email_subscribers: checkbox,
  ...composerFlags,
});

/** POST /t/:id/kind: the kind a topic becomes. */
export const topicKindForm = z.object({
  kind: z.enum(TOPIC_KINDS, 'Choose whether this topic is a discussion or a question.'),
});

export const topicWatchForm = z.object({
  level: z.enum(TOPIC_WATCH_LEVELS, 'Choose watching, tracking, normal or muted.'),
});

export const forumWatchForm = z.object({
  level: z.enum(
    FORUM_WATCH_LEVELS,
    'Choose watching, watching first post, tracking, normal or muted.',
  ),
});

export const replyForm = z.object({ body, ...composerFlags });

export const editForm = z.object({ body, post_anyway: checkbox, preview: checkbox });

export const changePasswordForm = z.object({
  current_password: requiredText('Enter your current password.', MAX_PASSWORD),
  new_password: newPassword,
});

/**
 * A new password without the current one: an account created from a Plimus identity sets its
 * first one (after a fresh sign-in), or a reset link sets one.
 */
export const setPasswordForm = z.object({ new_password: newPassword });

export const MAX_DISPLAY_NAME = 50;
export const MAX_BIO = 1000;

/** Shown on the public profile; empty means none (the username is shown instead). */
export const displayName = z
  .string()
  .optional()
  .transform((v) => (v ?? '').replace(/\s+/g, ' ').trim())
  .pipe(
    textLine
      .max(MAX_DISPLAY_NAME, `Display names have at most ${MAX_DISPLAY_NAME} characters.`)
      .transform((v) => (v === '' ? null : v)),
  );

export const bio = z
  .string()
  .optional()
  .transform((v) => (v ?? '').trim())
  .pipe(
    textLines.max(
      MAX_BIO,
      `Your bio can have at most ${MAX_BIO.toLocaleString('en-US')} characters.`,
    ),
  );

export const profileForm = z.object({ display_name: displayName, bio });

export const emailChangeForm = z.object({ email });

/**
 * The email choices of /account: announcements, no optional email at all, each kind of
 * notification by email "when away" (a checkbox `email_<kind>` each), and the summary.
 */
export const emailChoicesForm = z.object({
  announcements: checkbox,
  optional_email_off: checkbox,
  ...(Object.fromEntries(NOTIFICATION_KINDS.map((k) => [`email_${k}`, checkbox])) as Record<
    `email_${NotificationKind}`,
    typeof checkbox
  >),
  digest: z
    .enum(DIGEST_CHOICES, { error: 'Choose never, daily or weekly for the summary.' })
    .default('off'),
});

export const buyerBadgeForm = z.object({ show_buyer_badge: checkbox });

/** `keep_posts`: true keeps the posts under "deleted user", false removes their text too. */
export const deleteAccountForm = z.object({
  keep_posts: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], {
      error: 'Choose whether to keep your posts or to remove them.',
    })
    .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  /** required when the account has a password (the service checks it) */
  password: z.string().max(MAX_PASSWORD, 'That is not your password.').optional(),
});

export const dismissForm = z.object({ next: z.string().max(2048).optional() });

export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Validates a submitted form: the data, or one message per field that is wrong. */
export function parseForm<T extends z.ZodType>(
  schema: T,
  input: Record<string, string>,
): FormResult<z.output<T>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}
