/**
 * Administration: forums, roles and watched words. Admins do it in /admin; the operator does it
 * with the command line (`npm run cli`), which is how the first admin is made.
 */
import type { Role } from '../../domain/words';
import { ForbiddenError } from '../errors';
import type { Actor } from './index';
import { isAdmin, requireAdmin } from './moderation';

/**
 * The operator at the command line. Whoever runs it holds the database itself, so the forum's
 * permissions do not apply to them; what they do is logged without a moderator.
 */
export const COMMAND_LINE = 'command-line' as const;

/** Who administers: a person in /admin (checked here), or the command line. */
export type Administrator = Actor | typeof COMMAND_LINE;

export function requireAdministrator(
  by: Administrator,
  now: number,
): asserts by is NonNullable<Actor> | typeof COMMAND_LINE {
  if (by !== COMMAND_LINE) requireAdmin(by, now);
}

/**
 * Changing a role: admins change anyone's, except that nobody takes their own admin role away,
 * so the forum always keeps an admin while admins are the ones changing roles.
 */
export const canChangeRole = (by: Administrator, target: { id: number }, role: Role, now: number) =>
  by === COMMAND_LINE || (isAdmin(by, now) && !(by?.id === target.id && role !== 'admin'));

export function requireChangeRole(
  by: Administrator,
  target: { id: number },
  role: Role,
  now: number,
) {
  requireAdministrator(by, now);
  if (!canChangeRole(by, target, role, now)) {
    throw new ForbiddenError(
      'You cannot remove your own administrator role: another administrator has to do it. This way the forum always has one.',
    );
  }
}

/**
 * "Also email this to subscribers": an administrator's new topic in an announcement forum (that
 * is open) may be emailed to the members who chose announcements.
 */
export const canEmailAnnouncement = (
  actor: Actor,
  forum: { announcements: boolean; archived: boolean },
  now: number,
) => isAdmin(actor, now) && forum.announcements && !forum.archived;

export function requireEmailAnnouncement(
  actor: Actor,
  forum: { announcements: boolean; archived: boolean },
  now: number,
) {
  if (!canEmailAnnouncement(actor, forum, now)) {
    throw new ForbiddenError(
      'Only administrators can email a topic to subscribers, and only from an announcement forum.',
    );
  }
}
