/**
 * In-memory rate limits: a fixed window per key. Keys (a client's network address, an account
 * name) are replaced by a keyed hash before they are kept, and the hash key is random per process
 * and never written anywhere: the limiter can tell two requests apart, nothing more.
 * On Workers each isolate counts on its own, which bounds abuse per isolate, not globally.
 */
import { hmac } from '@oslojs/crypto/hmac';
import { SHA256 } from '@oslojs/crypto/sha2';
import { encodeBase64 } from '@oslojs/encoding';

// Made on first use: Workers refuse random values in a module's global scope.
let processKey: Uint8Array | undefined;

/** A keyed hash of an identifying value, usable as a map key and nothing else. */
export function keyedHash(value: string): string {
  processKey ??= crypto.getRandomValues(new Uint8Array(32));
  return encodeBase64(hmac(SHA256, processKey, new TextEncoder().encode(value)));
}

export type Limit = { limit: number; windowMs: number };
export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly rule: Limit,
    private readonly now: () => number,
  ) {}

  /**
   * Counts one attempt for `key` (or `cost` of them, for a limit on an amount of work) and says
   * whether the limit had not been reached.
   */
  hit(key: string, cost = 1): Verdict {
    const verdict = this.check(key);
    if (!verdict.ok) return verdict;
    const now = this.now();
    const k = keyedHash(key);
    const w = this.windows.get(k);
    if (!w || w.resetAt <= now)
      this.windows.set(k, { count: cost, resetAt: now + this.rule.windowMs });
    else w.count += cost;
    this.sweep(now);
    return { ok: true };
  }

  /** Whether another attempt would be allowed, without counting one. */
  check(key: string): Verdict {
    const now = this.now();
    const w = this.windows.get(keyedHash(key));
    if (!w || w.resetAt <= now || w.count < this.rule.limit) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
  }

  /**
   * Gives back one attempt counted by `hit` (an attempt reserved before slow work, that turned
   * out not to count, such as a sign-in with the right password).
   */
  release(key: string): void {
    const w = this.windows.get(keyedHash(key));
    if (w && w.resetAt > this.now() && w.count > 0) w.count--;
  }

  reset(key: string): void {
    this.windows.delete(keyedHash(key));
  }

  private sweep(now: number) {
    if (this.windows.size < 10_000) return;
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}

export type RateLimits = ReturnType<typeof createRateLimits>;

/** The forum's limits, in one place. */
export function createRateLimits(now: () => number) {
  const minute = 60_000;
  return {
    /** sign-in attempts from one client */
    loginPerClient: new RateLimiter({ limit: 20, windowMs: 15 * minute }, now),
    /**
     * sign-ins for one account that did not succeed, from anywhere; counted before the password
     * is checked (so that parallel guesses cannot slip past) and given back when it was right
     */
    loginPerAccount: new RateLimiter({ limit: 8, windowMs: 15 * minute }, now),
    /**
     * sign-ins of one client for one account; once the account has reached its limit, only
     * clients below this one may still try, so that guessing slows down without locking the
     * account's owner out
     */
    loginPerAccountClient: new RateLimiter({ limit: 3, windowMs: 15 * minute }, now),
    /** attempts to create an account from one client */
    registerPerClient: new RateLimiter({ limit: 10, windowMs: 60 * minute }, now),
    /** reports one account files */
    reportsPerAccount: new RateLimiter({ limit: 10, windowMs: 60 * minute }, now),
    /** attempts to create an account with one email address */
    registerPerAccount: new RateLimiter({ limit: 5, windowMs: 60 * minute }, now),
    /**
     * searches from one client: each ranks up to a thousand posts, so a client that searches
     * faster than a person reads is slowed down
     */
    searchPerClient: new RateLimiter({ limit: 30, windowMs: minute }, now),
    /** confirmation links one account has sent to new email addresses (each is an email) */
    emailChangesPerAccount: new RateLimiter({ limit: 5, windowMs: 60 * minute }, now),
    /**
     * drafts kept for signed-out writers from one client (each is a row of up to a post's size,
     * for an hour); replacing the draft a browser already has does not count
     */
    keptDraftsPerClient: new RateLimiter({ limit: 30, windowMs: 60 * minute }, now),
    /** password-reset requests from one client */
    resetPerClient: new RateLimiter({ limit: 10, windowMs: 60 * minute }, now),
    /** password-reset requests for one account (each is an email to it), counted also for names no account has */
    resetPerAccount: new RateLimiter({ limit: 3, windowMs: 60 * minute }, now),
    /**
     * cooking work one account's previews and edits may spend (new posts pay with the posting
     * interval): units of src/content/cooking-budget.ts, about eight of the costliest posts a
     * minute, or thousands of ordinary ones (docs/decisions/011-cooking-budget.md)
     */
    cookingPerAccount: new RateLimiter({ limit: 300_000_000, windowMs: minute }, now),
  };
}
