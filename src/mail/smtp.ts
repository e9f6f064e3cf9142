/**
 * Node's transport: SMTP with nodemailer, on a small pool of kept connections, with DKIM signing
 * when a key is configured (mailbox providers want the List-Unsubscribe headers of bulk mail
 * signed). The forum sets each message's Message-ID to its stable key. nodemailer needs Node's
 * `net`, so only the Node server and the command line load this file.
 */
import { createTransport } from 'nodemailer';
import type { MailConfig } from '../env';
import type { SendResult, Transport } from './transport';

/** An SMTP reply code with its enhanced status (`550 5.1.1`), or an error kind: no reply text. */
function failureCode(err: {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  rejectedErrors?: { responseCode?: unknown; response?: unknown }[];
}): { code: string; permanent: boolean } {
  const first = err.rejectedErrors?.[0];
  const reply = typeof err.responseCode === 'number' ? err : first;
  const responseCode = typeof reply?.responseCode === 'number' ? reply.responseCode : undefined;
  if (responseCode === undefined) {
    return { code: typeof err.code === 'string' ? err.code : 'error', permanent: false };
  }
  const enhanced =
    typeof reply?.response === 'string'
      ? /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply.response)?.[1]
      : undefined;
  return {
    code: enhanced ? `${responseCode} ${enhanced}` : String(responseCode),
    permanent: responseCode >= 500 && responseCode < 600,
  };
}

export function smtpTransport(
  mail: Pick<MailConfig, 'dkim' | 'fromAddress'> & { smtpUrl: string },
): Transport {
  const transporter = createTransport({
    url: mail.smtpUrl,
    pool: true,
    maxConnections: 2,
    // A send must end well inside the delivery loop's 30-second claim.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    ...(mail.dkim
      ? {
          dkim: {
            domainName: mail.dkim.domain,
            keySelector: mail.dkim.selector,
            privateKey: mail.dkim.privateKey,
          },
        }
      : {}),
  });
  return {
    name: 'smtp',
    async send(m): Promise<SendResult> {
      try {
        await transporter.sendMail({
          from: m.from,
          to: m.to,
          envelope: { from: mail.fromAddress, to: m.to },
          subject: m.subject,
          text: m.text,
          ...(m.html ? { html: m.html } : {}),
          headers: m.headers,
          messageId: m.messageId,
        });
        return { ok: true };
      } catch (err) {
        return { ok: false, ...failureCode(err as Parameters<typeof failureCode>[0]) };
      }
    },
    async close() {
      transporter.close();
    },
  };
}
