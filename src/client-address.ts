/**
 * The client's network address, for rate limits only (hashed at once, never stored or logged).
 * Headers that carry an address are believed only as far as `TRUSTED_PROXY` says: anyone can send
 * `X-Forwarded-For`, so without that setting only the runtime's own knowledge counts.
 */
import type { Context } from 'hono';
import type { TrustedProxy } from './env';

/**
 * The address a trusted proxy saw. With `hops`, X-Forwarded-For is read from the right: each proxy
 * appends the address that connected to it, so the entry `hops` places from the end was added by
 * the outermost trusted proxy, and whatever stands before it was written by the client. A header
 * named by the setting holds one address (its last entry, should a proxy append to it). Undefined
 * when the request did not come through the proxies (too few entries, no header).
 */
export function forwardedAddress(
  trust: TrustedProxy,
  header: (name: string) => string | undefined,
): string | undefined {
  const value = header('hops' in trust ? 'x-forwarded-for' : trust.header);
  if (!value) return undefined;
  const entries = value.split(',');
  const address = entries[entries.length - ('hops' in trust ? trust.hops : 1)]?.trim();
  return address || undefined;
}

/**
 * The client address function for the app: the forwarded address when a proxy is trusted and the
 * request came through it, otherwise `runtime` (the socket's peer on Node).
 */
export function clientAddress(
  trust: TrustedProxy | undefined,
  runtime: (c: Context) => string | undefined,
): (c: Context) => string | undefined {
  if (!trust) return runtime;
  return (c) => forwardedAddress(trust, (name) => c.req.header(name)) ?? runtime(c);
}
