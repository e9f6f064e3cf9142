/**
 * The Workers transport: the Cloudflare Email Service `send_email` binding (declared in
 * wrangler.toml as EMAIL). The platform sets the Message-ID itself, so the message's stable key
 * travels in a header of the forum's own (custom `X-` headers are allowed). See
 * docs/decisions/010-email.md.
 */
import { MESSAGE_KEY_HEADER, type SendResult, type Transport } from './transport';

/** The part of the binding the forum uses (the structured builder of `send`). */
export type EmailBinding = {
  send(message: {
    from: string | { email: string; name: string };
    to: string;
    subject: string;
    text: string;
    html?: string;
    headers?: Record<string, string>;
  }): Promise<{ messageId: string }>;
};

/**
 * Errors of the binding that say the message itself cannot be sent (a refused recipient or
 * sender, a header that is not allowed, a malformed message): trying again would not help. Every
 * other error (a rate limit, the service unavailable) is tried again.
 */
const PERMANENT =
  /not allowed|invalid|E_(?:VALIDATION|RECIPIENT|SENDER|HEADER|FIELD|CONTENT|TOO_LARGE)/i;

function splitFrom(from: string): string | { email: string; name: string } {
  const m = /^(.*?) *<([^<>]+)>$/.exec(from);
  return m?.[1] && m[2] ? { name: m[1], email: m[2] } : from;
}

export function workersTransport(binding: EmailBinding): Transport {
  return {
    name: 'email-binding',
    async send(m): Promise<SendResult> {
      try {
        await binding.send({
          from: splitFrom(m.from),
          to: m.to,
          subject: m.subject,
          text: m.text,
          ...(m.html ? { html: m.html } : {}),
          headers: { ...m.headers, [MESSAGE_KEY_HEADER]: m.key },
        });
        return { ok: true };
      } catch (err) {
        const text = `${(err as { code?: unknown })?.code ?? ''} ${(err as Error)?.message ?? ''}`;
        const code = /\bE_[A-Z_]+\b/.exec(text)?.[0] ?? (err as Error)?.name ?? 'error';
        return { ok: false, permanent: PERMANENT.test(text), code };
      }
    },
  };
}
