/**
 * The forum's email as the suites see it on both runtimes: a pass of the real delivery loop over
 * the real outbox, then the messages as the receiving side got them. On Node they arrive at a real
 * SMTP server in the test process and are parsed with a MIME parser (test/support/forum.ts); in
 * workerd they go through the Email Service binding the local runtime provides (test/edge/forum.ts).
 */
import type { DeliveryOptions, DeliveryReport } from '../../src/mail/delivery';

export type ReceivedMail = {
  to: string;
  subject: string;
  text: string;
  html: string | undefined;
  /** header names in lower case */
  headers: Record<string, string>;
};

export type TestMailbox = {
  /** one pass of the delivery loop */
  deliver(options?: DeliveryOptions): Promise<DeliveryReport>;
  /** every message received so far, oldest first */
  received(): ReceivedMail[];
};

/** The link in a message's text that starts with `prefix` (the forum's origin and a path). */
export function linkIn(mail: ReceivedMail | undefined, path: string): string | undefined {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return mail?.text.match(new RegExp(`https?://[^\\s/]+${escaped}[^\\s]*`))?.[0];
}
