/** Forms and queries of moderation: one schema each. */
import * as z from 'zod';
import { REPORT_REASONS } from '../../domain/words';
import { LOG_ACTIONS } from '../services/moderation';
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

export const suspendForm = z.object({ until: lastDay, reason: suspensionReason });

/** Removing every post of a spam account and suspending it: permanently unless a day is given. */
export const purgeForm = z.object({
  until: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.union([z.literal('').transform(() => null), lastDay])),
  reason: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim() || 'Spam.')
    .pipe(suspensionReason),
  confirm: z.literal('1', 'Tick the box to confirm: every post of the account goes.'),
});

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
