/** Forms and queries of moderation: one schema each. */
import * as z from 'zod';
import { REPORT_REASONS } from '../../domain/words';
import { LOG_ACTIONS, SUSPENSION_PRESETS, type SuspensionPreset } from '../services/moderation';
import { textLine, textLines } from './fields';

const note = z
  .string()
  .optional()
  .transform((v) => (v ?? '').trim())
  .pipe(textLines.max(1000, 'Notes can have at most 1,000 characters.'));

const reason = z.enum(REPORT_REASONS, 'Choose a reason.');

export const reportForm = z.object({ reason, note });

export const removeForm = z.object({ reason, note });

export const noteForm = z.object({ note });

export const moveForm = z.object({
  forum: z
    .string({ error: 'Choose the forum to move the topic to.' })
    .min(1, 'Choose the forum to move the topic to.'),
});

const lastDay = z
  .string({ error: 'Enter the last day of the suspension.' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the last day as YYYY-MM-DD.')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), 'That is not a date.');

const suspensionReason = z
  .string({ error: 'Say why: the member is told.' })
  .transform((v) => v.trim())
  .pipe(
    textLine
      .min(1, 'Say why: the member is told.')
      .max(500, 'Keep the reason under 500 characters.'),
  );

/** The last day, which may be left empty when a length is chosen instead. */
const optionalDay = z
  .string()
  .optional()
  .transform((v) => (v ?? '').trim())
  .pipe(z.union([z.literal('').transform(() => null), lastDay]));

/** How long: one of the presets, or `date` (through the day in `until`). */
const preset = z
  .enum(['date', ...SUSPENSION_PRESETS], 'Choose how long the suspension lasts.')
  .optional();

type Length = { until: string | null; preset?: 'date' | SuspensionPreset | undefined };

/**
 * A length that names no day when it should is refused next to the date field; then the preset
 * is handed on (null for a day).
 */
const withLength =
  (fallback: 'date' | 'permanent') =>
  <T extends Length>(v: T, ctx: z.RefinementCtx) => {
    const chosen = v.preset ?? (v.until === null ? fallback : 'date');
    if (chosen === 'date' && v.until === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['until'],
        message: 'Enter the last day of the suspension, or choose a length.',
      });
      return z.NEVER;
    }
    return { ...v, preset: chosen === 'date' ? null : chosen };
  };

/**
 * Suspending: through a day, or for one of the presets (1 day, 1 week, 1 month, permanently),
 * which the service turns into the end of the suspension.
 */
export const suspendForm = z
  .object({ until: optionalDay, preset, reason: suspensionReason })
  .transform(withLength('date'));

/**
 * Removing every post of a spam account and suspending it: permanently unless a day or another
 * length is chosen.
 */
export const purgeForm = z
  .object({
    until: optionalDay,
    preset,
    reason: z
      .string()
      .optional()
      .transform((v) => (v ?? '').trim() || 'Spam.')
      .pipe(suspensionReason),
    confirm: z.literal('1', 'Tick the box to confirm: every post of the account goes.'),
  })
  .transform(withLength('permanent'));

export const resolveForm = z.object({
  action: z.enum(['remove', 'dismiss'], 'Choose to remove the post or to dismiss the report.'),
  note,
});

export const logQuery = z.object({
  moderator: z.string().max(20).optional(),
  action: z
    .enum(LOG_ACTIONS, 'Unknown action.')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  target: z
    .string()
    .regex(
      /^(post|topic|user|report|forum|watched_word):\d{1,15}$/,
      'A target looks like post:12, topic:3 or user:7.',
    )
    .optional()
    .or(z.literal('').transform(() => undefined)),
  before: z
    .string()
    .regex(/^\d{1,15}$/, 'That page link is not valid.')
    .transform(Number)
    .optional(),
});
