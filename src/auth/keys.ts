/**
 * Keys derived from the one server secret (`FORUM_SECRET`): a separate key per purpose, so that a
 * MAC made for one use (a sign-in flow's state, an unsubscribe link) is never accepted for
 * another, and a keyed hash kept for one rule (a suspended account's address) cannot be compared
 * with one kept for another. The rate limits keep their own per-process key (rate-limit.ts): they
 * need nothing to survive a restart.
 */
import { hmac } from '@oslojs/crypto/hmac';
import { SHA256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';

/** Every use of a derived key, named once so that two uses cannot share one by accident. */
export type KeyPurpose =
  /** the server-side state of a sign-in with Plimus, carried in a cookie */
  | 'plimus-flow'
  /** a pending sign-up with Plimus and the page it comes back to, carried in a cookie */
  | 'plimus-signup'
  /** a one-time notice for the next page of a session ("Welcome, you are signed in") */
  | 'flash'
  /** keyed hashes of a suspended account's email address and username (suspension evasion) */
  | 'suspended-account'
  /** one-click unsubscribe links in emails */
  | 'unsubscribe'
  /** the "this wasn't me" link in the email that says a password was reset */
  | 'password-changed'
  /** a keep-a-draft cookie's key */
  | 'draft'
  /** private feed tokens */
  | 'feed'
  /** the passwords of a development forum's demo staff (dev/demo.ts) */
  | 'demo-password';

export type Keys = {
  /** A MAC of `message` for `purpose`, base64url without padding (43 characters). */
  sign(purpose: KeyPurpose, message: string): string;
  /** Whether `mac` is `sign(purpose, message)`, compared in constant time. */
  verify(purpose: KeyPurpose, message: string, mac: string): boolean;
  /** A keyed hash of an identifying value (the same as `sign`, named for what it is used for). */
  hash(purpose: KeyPurpose, value: string): string;
};

const encoder = new TextEncoder();

export function createKeys(secret: string): Keys {
  const root = encoder.encode(secret);
  const derived = new Map<KeyPurpose, Uint8Array>();
  const keyFor = (purpose: KeyPurpose) => {
    let key = derived.get(purpose);
    if (!key) {
      key = hmac(SHA256, root, encoder.encode(`plimus-forums/${purpose}`));
      derived.set(purpose, key);
    }
    return key;
  };
  const macBytes = (purpose: KeyPurpose, message: string) =>
    hmac(SHA256, keyFor(purpose), encoder.encode(message));
  const sign = (purpose: KeyPurpose, message: string) =>
    encodeBase64urlNoPadding(macBytes(purpose, message));
  return {
    sign,
    hash: sign,
    verify(purpose, message, mac) {
      let given: Uint8Array;
      try {
        given = decodeBase64urlIgnorePadding(mac);
      } catch {
        return false;
      }
      const expected = macBytes(purpose, message);
      return given.length === expected.length && constantTimeEqual(given, expected);
    },
  };
}

/**
 * A random secret for a process that was given none (tests, development without a data folder).
 * Never used in production, where the configuration requires `FORUM_SECRET`. Made on call, not at
 * module load: Workers refuse random values in a module's global scope.
 */
export function ephemeralSecret(): string {
  return encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(32)));
}
