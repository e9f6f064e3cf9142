/**
 * The command line's email commands (scripts/cli.ts): `mail:send` drains the outbox once (for
 * cron, or a worker of its own beside the server, which may be delivering at the same time: the
 * claims keep them apart); `notify-privacy-change` mails the current privacy notice's change.
 */
import type { makeDeps } from '../src/context';
import { ConfigError } from '../src/env';
import { deliverDue } from '../src/mail/delivery';
import { outboxCounts } from '../src/mail/outbox';
import { smtpTransport } from '../src/mail/smtp';
import { COMMAND_LINE } from '../src/policy/admin';
import { mailingDueSoon, mailingProgress, mailPrivacyChange } from '../src/services/mailings';
import { Progress } from './progress';

type Deps = ReturnType<typeof makeDeps>;
type Output = { out: (line: string) => void; err: (line: string) => void };
type WithDeps = <T>(run: (deps: Deps) => Promise<T>) => Promise<T>;

/** The SMTP transport of the configuration, or a ConfigError saying what to set. */
function transportOf(deps: Deps) {
  const smtpUrl = deps.config.mail.smtpUrl;
  if (!smtpUrl) {
    throw new ConfigError(
      'SMTP_URL is not set: the command line sends email through an SMTP server (smtp://host:port or smtps://user:password@host:port).',
    );
  }
  return smtpTransport({ ...deps.config.mail, smtpUrl });
}

/** Sends every message that is due now, as far as the rate allows, and says how it went. */
export async function mailSend(withDeps: WithDeps, io: Output): Promise<void> {
  await withDeps(async (deps) => {
    const transport = transportOf(deps);
    try {
      const r = await deliverDue(deps, transport, { log: io.err });
      const { queued } = await outboxCounts(deps);
      io.out(
        `Sent ${r.sent}; ${r.retrying} to be tried again later; ${r.dead} given up; ${r.dropped} dropped. ${queued} still queued.`,
      );
    } finally {
      await transport.close?.();
    }
  });
}

/**
 * Queues the notice of the current privacy notice's version for every member who has not had it,
 * then (unless --no-wait) shows a progress bar while it goes out: sent from here when SMTP_URL is
 * set, otherwise by the server's delivery loop. It stops when nothing of the mailing is due within
 * a minute; later retries are left to the server (or `mail:send`).
 */
export async function notifyPrivacyChange(
  args: { wait: boolean; progress: boolean },
  withDeps: WithDeps,
  io: Output,
): Promise<void> {
  await withDeps(async (deps) => {
    const outcome = await mailPrivacyChange(deps, COMMAND_LINE);
    io.out(
      outcome.queued === 0
        ? `Every member with an address has had the notice of version ${outcome.version} (${outcome.recipients} in all); nobody gets it twice.`
        : `Queued ${outcome.queued} emails about version ${outcome.version} of the privacy notice${outcome.recipients > outcome.queued ? ` (${outcome.recipients - outcome.queued} were queued before)` : ''}.`,
    );
    if (!args.wait || outcome.queued === 0) return;
    const transport = deps.config.mail.smtpUrl ? transportOf(deps) : undefined;
    const progress = new Progress(outcome.recipients, args.progress, 'emails');
    let done = outcome.recipients - outcome.queued;
    progress.add(done);
    let idleSince = Date.now();
    try {
      for (;;) {
        if (transport) await deliverDue(deps, transport, { log: io.err });
        const counts = await mailingProgress(deps, outcome.mailingId);
        const now = outcome.recipients - counts.queued;
        if (now > done) {
          progress.add(now - done);
          done = now;
          idleSince = Date.now();
        }
        if (counts.queued === 0 || !(await mailingDueSoon(deps, outcome.mailingId, 60_000))) {
          progress.finish();
          io.out(
            `Sent ${counts.sent}; ${counts.dead} given up; ${counts.dropped} dropped${counts.queued ? `; ${counts.queued} to be tried again later by the server (or npm run mail:send)` : ''}.`,
          );
          return;
        }
        if (!transport && Date.now() - idleSince > 60_000) {
          progress.finish();
          io.err(
            `Nothing was sent for a minute: is the server running? ${counts.queued} emails wait in the outbox; npm run mail:send (with SMTP_URL) sends them too.`,
          );
          return;
        }
        // Wait for the rate's next minute, or for the server to send.
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      await transport?.close?.();
    }
  });
}
