/**
 * A suspension outlives the account: a member suspended until Friday who deletes the account and
 * joins again at once with the same email address and username is still suspended until Friday.
 *
 * Deleting an account while it is suspended keeps a keyed hash of its email address and of its
 * username (`deps.keys.hash('suspended-account', …)`, from FORUM_SECRET) with the day the
 * suspension ends, a year after the deletion at most; nothing else of the account. Until then
 * joining (with a password or with Plimus) and confirming a new email address refuse them, with
 * a message that says until when. Expired hashes are deleted whenever the list is read or added
 * to. See docs/decisions/006-own-data.md.
 *
 * Every deleted account also keeps, for a year, a keyed hash of its username alone (kind
 * `retired-username`, in the same table): nobody else gets the name before then, so that old
 * @mentions and links to the profile never point at a stranger.
 */
import { and, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import { suspendedAccounts, users } from '../../db/schema';
import type { AppDeps } from '../context';
import { FormError } from '../errors';

/** The longest a deleted account's suspension is kept: a year. */
export const SUSPENSION_RECORD_MAX_MS = 365 * 24 * 3600_000;
/** How long a deleted account's username is given to nobody else. */
export const USERNAME_RETIRED_MS = 365 * 24 * 3600_000;

type Identifiers = { username?: string | null | undefined; email?: string | null | undefined };

/** The hashes kept for an email address or a username, without regard to case. */
function hashesOf(deps: AppDeps, ids: Identifiers) {
  const hash = (kind: string, value: string) =>
    deps.keys.hash('suspended-account', `${kind}:${value.toLowerCase()}`);
  return {
    username: ids.username ? hash('username', ids.username) : null,
    email: ids.email ? hash('email', ids.email) : null,
    retired: ids.username ? hash('retired-username', ids.username) : null,
  };
}

/**
 * Until when deleting an account now would hold its email address and username: the end of its
 * suspension, a year at most; null when it is not suspended.
 */
export function suspensionHeldUntil(suspendedUntil: Date | null, now: number): Date | null {
  if (!suspendedUntil || suspendedUntil.getTime() <= now) return null;
  return new Date(Math.min(suspendedUntil.getTime(), now + SUSPENSION_RECORD_MAX_MS));
}

const purgeExpired = (deps: AppDeps) =>
  deps.db.delete(suspendedAccounts).where(lte(suspendedAccounts.until, new Date(deps.now())));

/**
 * The statements, for the deletion's batch, that keep the hashes of a suspended account's email
 * address and username. Whether the account is suspended, and until when, is read by the
 * statements themselves: a suspension given while the deletion was being confirmed counts.
 */
export function keepSuspension(
  deps: AppDeps,
  account: { id: number; username: string; email: string | null },
) {
  const { db } = deps;
  const now = deps.now();
  const { username, email } = hashesOf(deps, account);
  const hashes = [username, email].filter((h): h is string => h !== null);
  return [
    purgeExpired(deps),
    ...hashes.map((hash) =>
      db
        .insert(suspendedAccounts)
        .select(
          db
            .select({
              hash: sql<string>`${hash}`.as('hash'),
              until: sql<Date>`min(${users.suspendedUntil}, ${now + SUSPENSION_RECORD_MAX_MS})`.as(
                'until',
              ),
            })
            .from(users)
            .where(and(eq(users.id, account.id), gt(users.suspendedUntil, new Date(now)))),
        )
        .onConflictDoUpdate({
          target: suspendedAccounts.hash,
          set: { until: sql`max(${suspendedAccounts.until}, excluded.until)` },
        }),
    ),
  ];
}

/** The statement, for the deletion's batch, that keeps the account's username from others. */
export function retireUsername(deps: AppDeps, username: string) {
  const hash = hashesOf(deps, { username }).retired as string;
  const until = new Date(deps.now() + USERNAME_RETIRED_MS);
  return deps.db
    .insert(suspendedAccounts)
    .values({ hash, until })
    .onConflictDoUpdate({
      target: suspendedAccounts.hash,
      set: { until: sql`max(${suspendedAccounts.until}, excluded.until)` },
    });
}

const day = (at: Date) => at.toISOString().slice(0, 10);

/**
 * What is held of an email address and a username by the suspension of an account deleted
 * while suspended: a message for each that cannot be used yet, saying until when.
 */
export async function heldBySuspension(
  deps: AppDeps,
  ids: Identifiers,
): Promise<{ username?: string; email?: string }> {
  const hashes = hashesOf(deps, ids);
  const wanted = [hashes.username, hashes.email, hashes.retired].filter(
    (h): h is string => h !== null,
  );
  if (wanted.length === 0) return {};
  const { db } = deps;
  const [, held] = await db.batch([
    purgeExpired(deps),
    db
      .select()
      .from(suspendedAccounts)
      .where(
        and(
          inArray(suspendedAccounts.hash, wanted),
          gt(suspendedAccounts.until, new Date(deps.now())),
        ),
      ),
  ]);
  const messages: { username?: string; email?: string } = {};
  for (const row of held) {
    if (row.hash === hashes.retired && !messages.username) {
      messages.username = `That username belonged to an account deleted less than a year ago; it cannot be chosen again before ${day(row.until)}, so that what was said to or about that account never points at someone else. Please choose another.`;
    }
    if (row.hash === hashes.username) {
      messages.username = `That username belonged to an account that was deleted while it was suspended; it cannot be chosen again before ${day(row.until)}. Please choose another.`;
    }
    if (row.hash === hashes.email) {
      messages.email = `This email address belonged to an account that was deleted while it was suspended; it cannot be used for an account again before ${day(row.until)}.`;
    }
  }
  return messages;
}

/**
 * Refuses an email address or username that `heldBySuspension` holds.
 * @throws FormError (409) with the message next to `username`, and next to `email` or the field
 *   the caller names for it
 */
export async function refuseSuspended(
  deps: AppDeps,
  ids: Identifiers,
  fields: { email: string } = { email: 'email' },
): Promise<void> {
  const held = await heldBySuspension(deps, ids);
  const errors: Record<string, string> = {};
  if (held.username) errors.username = held.username;
  if (held.email) errors[fields.email] = held.email;
  if (Object.keys(errors).length > 0) throw new FormError(errors, 409);
}
