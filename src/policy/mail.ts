/**
 * Who may be sent which email. Service notices, which every registered person must get (a
 * password reset, a security notice, a change of the privacy notice, the link that confirms an
 * address), go to any address on file. Everything else waits for a confirmed address and for the
 * person's own choice, and is dropped, not kept for later, when either is missing.
 */
import type { MailKind } from '../../domain/words';

/** The emails a person chooses to get; every other kind is a service notice. */
const OPTIONAL_MAIL_KINDS: ReadonlySet<MailKind> = new Set<MailKind>([
  'announcement',
  'notification',
  'digest',
]);

/** A service notice: it goes to any address on file, confirmed or not. */
export const isServiceMail = (kind: MailKind) => !OPTIONAL_MAIL_KINDS.has(kind);

export type Recipient = {
  email: string | null;
  emailConfirmedAt: Date | null;
  /** mail to the address was refused for good */
  emailFailedAt: Date | null;
  announcementsOptIn: boolean;
  /** no email at all but service notices */
  optionalEmailOff: boolean;
};

/**
 * Whether a message of this kind may go to the person now. Bulk service notices also skip an
 * address known to refuse mail (it would only hurt the forum's standing with mailbox providers);
 * a message the person asked for (a reset link) is always tried.
 */
export function mayReceive(kind: MailKind, r: Recipient, opts: { bulk: boolean }): boolean {
  if (!r.email) return false;
  if (isServiceMail(kind)) return !(opts.bulk && r.emailFailedAt);
  if (!r.emailConfirmedAt || r.emailFailedAt || r.optionalEmailOff) return false;
  return kind === 'announcement' ? r.announcementsOptIn : true;
}
