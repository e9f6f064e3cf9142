/**
 * The delivery loop: claims due rows of the outbox, writes each message from its row and the
 * database as it is now (an announcement whose topic was removed, or an address that is no longer
 * confirmed, is dropped), hands it to the transport, and marks the row. A temporary failure is
 * tried again after an exponential backoff with jitter; a permanent one (an SMTP 5xx), or too many
 * attempts, gives the row up and marks the account's address as failing.
 *
 * `deliverDue` is one pass (the server's loop runs it every few seconds and when urgent mail is
 * queued; `npm run cli -- mail:send` once; Workers after a response and from a Cron Trigger).
 * Addresses are never logged: a log line names the row, its kind and a reply code.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { forums, mailings, posts, topics, users } from '../../db/schema';
import type { MailKind, UnsubscribeScope } from '../../domain/words';
import type { Keys } from '../auth/keys';
import { NOTIFICATION_KIND_LABELS } from '../content/notification-text';
import { PRIVACY_REVISIONS } from '../content/privacy';
import type { Config } from '../env';
import { describeError } from '../errors';
import { mayReceive, type Recipient } from '../policy/mail';
import { notMeToken, unsubscribeToken } from './links';
import * as messages from './messages';
import { loadNotificationMail, type NotificationMailFacts } from './notification-facts';
import {
  type ClaimedMail,
  claimDue,
  markDead,
  markDropped,
  markRetry,
  markSent,
  purgeOldRecords,
  releaseClaim,
} from './outbox';
import type { OutgoingMail, Transport } from './transport';

export type DeliveryDeps = {
  db: Db;
  now: () => number;
  config: Pick<Config, 'publicOrigin' | 'mail'>;
  keys: Keys;
};

export type DeliveryOptions = {
  /** rows claimed at a time */
  batchSize?: number;
  /** how long a claim lasts; a loop that dies leaves its rows to others after this */
  leaseMs?: number;
  /** attempts before a message is given up */
  maxAttempts?: number;
  /** the first retry's delay; each next one doubles, up to `maxBackoffMs` */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** only links people wait for */
  urgentOnly?: boolean;
  /** where failures are noted (never with an address) */
  log?: (line: string) => void;
  /** jitter's source, for tests */
  random?: () => number;
};

export const DELIVERY_DEFAULTS = {
  batchSize: 20,
  leaseMs: 30_000,
  maxAttempts: 10,
  backoffMs: 60_000,
  maxBackoffMs: 6 * 3600_000,
} as const;

export type DeliveryReport = { sent: number; retrying: number; dead: number; dropped: number };

/** A claim is not used for a send when less than this is left of it. */
const LEASE_MARGIN_MS = 5_000;

/**
 * The delay before the next attempt: `backoffMs` × 2^(attempts − 1), capped, times a random
 * factor between ½ and 1, so that messages that failed together do not come back together.
 */
export function retryDelay(
  attempts: number,
  o: Required<Pick<DeliveryOptions, 'backoffMs' | 'maxBackoffMs'>>,
  random: () => number,
): number {
  const exponential = Math.min(o.maxBackoffMs, o.backoffMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential * (0.5 + random() / 2));
}

/**
 * One pass: claims and sends due messages until none is due or the minute's rate is used up.
 * Safe to run in several processes at once.
 */
export async function deliverDue(
  deps: DeliveryDeps,
  transport: Transport,
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  const o = { ...DELIVERY_DEFAULTS, ...options };
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => {});
  const report: DeliveryReport = { sent: 0, retrying: 0, dead: 0, dropped: 0 };
  for (;;) {
    const rows = await claimDue(deps, {
      limit: o.batchSize,
      leaseMs: o.leaseMs,
      ratePerMinute: deps.config.mail.ratePerMinute,
      urgentOnly: o.urgentOnly,
    });
    if (rows.length === 0) break;
    const facts = await loadFacts(deps, rows);
    for (const [i, row] of rows.entries()) {
      if ((row.leaseUntil?.getTime() ?? 0) - deps.now() < LEASE_MARGIN_MS) {
        // The claim is nearly over: give the rest back rather than race another loop for them.
        for (const rest of rows.slice(i)) await releaseClaim(deps, rest);
        break;
      }
      const mail = compose(deps, row, facts);
      if (!mail) {
        await markDropped(deps, row);
        report.dropped++;
        continue;
      }
      let result: Awaited<ReturnType<Transport['send']>>;
      try {
        result = await transport.send(mail);
      } catch (err) {
        result = { ok: false, permanent: false, code: (err as Error)?.name ?? 'error' };
      }
      if (result.ok) {
        await markSent(deps, row);
        report.sent++;
      } else if (result.permanent || row.attempts >= o.maxAttempts) {
        await markDead(deps, row, result.code);
        log(`mail dead id=${row.id} kind=${row.kind} attempts=${row.attempts} code=${result.code}`);
        report.dead++;
      } else {
        await markRetry(deps, row, result.code, deps.now() + retryDelay(row.attempts, o, random));
        log(
          `mail retry id=${row.id} kind=${row.kind} attempts=${row.attempts} code=${result.code}`,
        );
        report.retrying++;
      }
    }
  }
  await purgeOldRecords(deps);
  return report;
}

type Person = Recipient & {
  id: number;
  username: string;
  digest: 'off' | 'daily' | 'weekly';
};

/** Notification emails ("when away") one person is sent at most in 24 hours. */
export const NOTIFICATION_MAILS_PER_DAY = 20;

type Facts = {
  people: Map<number, Person>;
  /** the privacy-notice version or the announcement each mailing is about */
  mailings: Map<
    number,
    { policyVersion: string | null; announcement: messages.AnnouncementFacts | null }
  >;
  notifications: NotificationMailFacts;
};

const payloadOf = (row: ClaimedMail): Record<string, unknown> => {
  try {
    return row.payload ? (JSON.parse(row.payload) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** Everything the claimed rows' messages are written from, in one batch. */
async function loadFacts(deps: DeliveryDeps, rows: ClaimedMail[]): Promise<Facts> {
  const { db } = deps;
  const ids = new Set(rows.map((r) => r.userId));
  for (const r of rows) {
    const requester = payloadOf(r).requesterId;
    if (typeof requester === 'number') ids.add(requester);
  }
  const mailingIds = [...new Set(rows.flatMap((r) => (r.mailingId === null ? [] : [r.mailingId])))];
  const [people, mailingRows] = await db.batch([
    db
      .select({
        id: users.id,
        username: users.username,
        email: users.email,
        emailConfirmedAt: users.emailConfirmedAt,
        emailFailedAt: users.emailFailedAt,
        announcementsOptIn: users.announcementsOptIn,
        optionalEmailOff: users.optionalEmailOff,
        digest: users.digest,
      })
      .from(users)
      .where(inArray(users.id, [...ids])),
    db
      .select({
        id: mailings.id,
        policyVersion: mailings.policyVersion,
        // Inside a batch, D1 returns rows as objects: no two columns may share a name.
        topicId: sql<number | null>`${topics.id}`.as('topic_id'),
        title: topics.title,
        slug: topics.slug,
        forumName: forums.name,
        html: posts.bodyHtml,
      })
      .from(mailings)
      .leftJoin(
        topics,
        and(eq(topics.id, mailings.topicId), isNull(topics.removedAt), eq(topics.state, 'visible')),
      )
      .leftJoin(forums, eq(forums.id, topics.forumId))
      .leftJoin(
        posts,
        and(eq(posts.id, topics.firstPostId), isNull(posts.deletedAt), isNull(posts.removedAt)),
      )
      .where(inArray(mailings.id, mailingIds.length > 0 ? mailingIds : [0])),
  ]);
  const origin = deps.config.publicOrigin;
  return {
    notifications: await loadNotificationMail(db, origin, rows, deps.now()),
    people: new Map(people.map((p) => [p.id, p])),
    mailings: new Map(
      mailingRows.map((m) => [
        m.id,
        {
          policyVersion: m.policyVersion,
          announcement:
            m.topicId !== null && m.title !== null && m.html !== null && m.forumName !== null
              ? {
                  title: m.title,
                  forumName: m.forumName,
                  url: `${origin}/t/${m.topicId}/${m.slug}`,
                  html: m.html,
                }
              : null,
        },
      ]),
    ),
  };
}

/** The message of a row as things are now, or null when it is not to be sent any more. */
function compose(deps: DeliveryDeps, row: ClaimedMail, facts: Facts): OutgoingMail | null {
  const person = facts.people.get(row.userId);
  if (!person) return null;
  // A new address to confirm is the account's own request; every other message goes to the
  // account's address as it is now, if the person may get it.
  const to = row.toAddress ?? person.email;
  if (!to) return null;
  if (row.toAddress === null && !mayReceive(row.kind, person, { bulk: row.mailingId !== null })) {
    return null;
  }
  const message = write(deps, row.kind, row, person, facts);
  if (!message) return null;
  const { mail } = deps.config;
  const domain = mail.fromAddress.slice(mail.fromAddress.lastIndexOf('@') + 1);
  return {
    from: mail.from,
    to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: message.headers ?? {},
    key: row.key,
    messageId: `<${row.key}@${domain}>`,
  };
}

function write(
  deps: DeliveryDeps,
  kind: MailKind,
  row: ClaimedMail,
  person: Person,
  facts: Facts,
): messages.Message | null {
  const origin = deps.config.publicOrigin;
  const p = payloadOf(row);
  const token = typeof p.token === 'string' ? p.token : '';
  const expiresAt = typeof p.expiresAt === 'number' ? p.expiresAt : 0;
  switch (kind) {
    case 'email_confirmation':
      return token ? messages.emailConfirmation(origin, person.username, token, expiresAt) : null;
    case 'email_change':
      return token ? messages.emailChange(origin, person.username, token, expiresAt) : null;
    case 'email_in_use': {
      const requester =
        typeof p.requesterId === 'number' ? facts.people.get(p.requesterId) : undefined;
      return messages.emailInUse(origin, requester?.username ?? null);
    }
    case 'password_reset':
      return token ? messages.passwordReset(origin, person.username, token, expiresAt) : null;
    case 'password_reset_plimus':
      return messages.passwordResetPlimus(origin, person.username);
    case 'password_changed': {
      const changedAt = typeof p.changedAt === 'number' ? p.changedAt : 0;
      return messages.passwordChanged(
        origin,
        person.username,
        changedAt,
        notMeToken(deps.keys, person.id, changedAt),
      );
    }
    case 'policy_change': {
      const version =
        row.mailingId === null ? undefined : facts.mailings.get(row.mailingId)?.policyVersion;
      const revision = PRIVACY_REVISIONS.find((r) => r.version === version);
      return revision ? messages.policyChange(origin, revision) : null;
    }
    case 'announcement': {
      const a = row.mailingId === null ? null : facts.mailings.get(row.mailingId)?.announcement;
      if (!a) return null;
      const stop = (scope: 'announcements' | 'all') =>
        `${origin}/email/unsubscribe/${unsubscribeToken(deps.keys, person.id, scope)}`;
      return messages.announcement(origin, a, {
        announcements: stop('announcements'),
        all: stop('all'),
      });
    }
    case 'notification':
    case 'digest': {
      const n = facts.notifications.rows.get(row.id);
      if (!n || n.items.length === 0) return null;
      const stop = (scope: UnsubscribeScope) =>
        `${origin}/email/unsubscribe/${unsubscribeToken(deps.keys, person.id, scope)}`;
      const kinds = [...new Set(n.items.map((i) => i.kind))].map((k) => ({
        label: NOTIFICATION_KIND_LABELS[k],
        url: stop(`kind-${k}`),
      }));
      if (kind === 'digest') {
        if (person.digest === 'off') return null;
        return messages.notificationDigest(
          origin,
          { every: person.digest, items: n.items },
          { kinds: [], digest: stop('digest'), all: stop('all') },
        );
      }
      if (!n.topic) return null;
      const sent = facts.notifications.sentToday.get(person.id) ?? 0;
      if (sent >= NOTIFICATION_MAILS_PER_DAY) return null;
      facts.notifications.sentToday.set(person.id, sent + 1);
      return messages.notificationMail(
        origin,
        { topicTitle: n.topic.title, items: n.items },
        { topic: stop(`topic-${n.topic.id}`), kinds, all: stop('all') },
      );
    }
  }
}

export type DeliveryLoop = {
  /** urgent mail was queued: run a pass now (or right after the one running) */
  nudge(): void;
  /** stops after the pass under way */
  stop(): Promise<void>;
};

/**
 * The server's loop: a pass at once, then one every `intervalMs` and whenever `nudge` is called;
 * passes never overlap. A pass that fails (the database went away) is logged and the next one
 * tries again.
 */
export function startDeliveryLoop(
  deps: DeliveryDeps,
  transport: Transport,
  options: DeliveryOptions & { intervalMs?: number; log: (line: string) => void },
): DeliveryLoop {
  const interval = options.intervalMs ?? 5_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(run, interval);
    (timer as { unref?: () => void }).unref?.();
  };
  function run() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = deliverDue(deps, transport, options)
      .then(
        () => {},
        (err) => options.log(`mail ${describeError(err)}`),
      )
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        } else schedule();
      });
  }
  run();
  return {
    nudge: run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
