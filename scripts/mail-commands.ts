/**
 * The command line's email commands (scripts/cli.ts): `mail:send` drains the outbox once (for
 * cron, or a worker of its own beside the server, which may be delivering at the same time: the
 * claims keep them apart).
 */
import type { makeDeps } from '../src/context';
import { ConfigError } from '../src/env';
import { deliverDue } from '../src/mail/delivery';
import { outboxCounts } from '../src/mail/outbox';
import { smtpTransport } from '../src/mail/smtp';

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
