/**
 * What the delivery loop hands a transport, and what a transport answers. The transports: SMTP
 * with nodemailer on Node (smtp.ts), the Email Service binding on Workers (workers.ts).
 */

export type OutgoingMail = {
  from: string;
  to: string;
  subject: string;
  /** always there */
  text: string;
  html?: string | undefined;
  /** extra headers (List-Unsubscribe and its one-click partner for bulk mail) */
  headers: Record<string, string>;
  /**
   * the message's stable key, the same for every attempt: its Message-ID where the transport
   * lets the forum set one, otherwise a header of the forum's own
   */
  key: string;
  /** `<key@domain>`, from the sending address's domain */
  messageId: string;
};

export type SendResult =
  | { ok: true }
  | {
      ok: false;
      /** refused for good (an SMTP 5xx): trying again would not help */
      permanent: boolean;
      /** what to keep of the failure: a reply code or an error kind, never a reply's text */
      code: string;
    };

export type Transport = {
  /** for the log: `smtp`, `email-binding` */
  name: string;
  send(mail: OutgoingMail): Promise<SendResult>;
  close?(): Promise<void>;
};

/** The header that carries the message's key where the transport sets its own Message-ID. */
export const MESSAGE_KEY_HEADER = 'X-Plimus-Forums-Message';

/** What the app knows about sending: whether it can, and how to ask for urgent mail to go now. */
export type Postbox = {
  /** a transport is configured: email leaves the forum */
  available: boolean;
  /** urgent mail was queued: deliver it soon (Node: wake the loop; Workers: after the response) */
  nudge(): void;
};

export const noPostbox: Postbox = { available: false, nudge() {} };
