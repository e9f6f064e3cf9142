/**
 * Sending email. The forum has no email transport yet: in development a message is written to the
 * server log so that a developer can follow its link; elsewhere nothing is sent and the features
 * that need email say so. Tests give the app a mailer that keeps what it was asked to send.
 */
export type Mail = { to: string; subject: string; text: string };

export type Mailer = {
  /** whether mail actually reaches people (or a developer's log) */
  available: boolean;
  send(mail: Mail): Promise<void>;
};

export const noMailer: Mailer = {
  available: false,
  async send() {
    throw new Error('No email transport is configured.');
  },
};

/**
 * Development only: the message goes to the log without its recipient (no email address is ever
 * logged); the developer reading the log is the recipient.
 */
export function logMailer(log: (line: string) => void): Mailer {
  return {
    available: true,
    async send(mail) {
      log(`mail (development only, not sent): ${mail.subject}\n${mail.text}`);
    },
  };
}

/** Keeps every message, for tests. */
export function memoryMailer(): Mailer & { sent: Mail[] } {
  const sent: Mail[] = [];
  return {
    available: true,
    sent,
    async send(mail) {
      sent.push(mail);
    },
  };
}
