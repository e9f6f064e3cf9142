/**
 * Whom the rate limits count on Workers: through the real Worker entry (src/worker.ts) in
 * workerd, the client is the address Cloudflare puts in CF-Connecting-IP; what a client forwards
 * itself (X-Forwarded-For, X-Real-IP) counts for nothing without TRUSTED_PROXY. The search's
 * limit (30 a minute per client) is the one counted.
 */
import { describe, expect, it } from 'vitest';
import { createRateLimits } from '../../src/auth/rate-limit';
import { edgeForum } from './forum';

const SEARCH_LIMIT = createRateLimits(Date.now).searchPerClient.rule.limit;

describe('the client on Workers', () => {
  const forum = edgeForum();
  // Addresses of this file's own (the Worker's limits live as long as its isolate).
  const client = (n: number) => `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}::${n}`;
  const search = (headers: Record<string, string>) =>
    forum.request('/search?q=backup', { headers, redirect: 'manual' });

  it('is the address in CF-Connecting-IP, whatever the client forwards', async () => {
    const [one, two] = [client(1), client(2)];
    const forged = (i: number) => ({
      'CF-Connecting-IP': one,
      'X-Forwarded-For': `198.51.100.${i}`,
      'X-Real-IP': `198.51.100.${i}`,
    });
    const statuses: number[] = [];
    for (let i = 0; i < SEARCH_LIMIT; i++) statuses.push((await search(forged(i))).status);
    expect(
      statuses.every((s) => s === 200),
      `statuses ${statuses.join(' ')}`,
    ).toBe(true);
    const limited = await search(forged(99));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // another address Cloudflare saw is another client, whatever it forwards
    expect(
      (await search({ 'CF-Connecting-IP': two, 'X-Forwarded-For': '198.51.100.1' })).status,
    ).toBe(200);
  });
});
