/**
 * Whom the rate limits count: the server as a process of its own (`node --import tsx
 * src/server.ts`), its real socket and its real address lookup, nothing replaced by a test header.
 * Without TRUSTED_PROXY the socket's peer is the client whatever a request forwards; with it, the
 * address the trusted proxy gave, and the socket when a request did not come through the proxy.
 *
 * The search's limit (30 a minute per client) is the one counted: a GET, cheap, never cached.
 * Two clients with their own socket addresses are two loopback addresses (127.0.0.1, 127.0.0.2).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimits } from '../../src/auth/rate-limit';
import {
  listening,
  QUIET_ENV,
  type ServerProcess,
  spawnServer,
  stop,
} from '../support/server-process';

const SEARCH_LIMIT = createRateLimits(Date.now).searchPerClient.rule.limit;

/** Starting Node with tsx and migrating a new database takes seconds on a busy machine. */
const SLOW = { timeout: 120_000 };

/** A server process on a database of its own, stopped (and its directory gone) after the file. */
function serverWith(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'forum-client-address-'));
  const state: { server?: ServerProcess; url: string } = { url: '' };
  beforeAll(async () => {
    state.server = spawnServer({
      ...QUIET_ENV,
      DATABASE_URL: `file:${join(dir, 'forum.db')}`,
      SEED_DEMO: 'false',
      ...env,
    });
    state.url = await listening(state.server);
  }, 120_000);
  afterAll(async () => {
    if (state.server && state.server.child.exitCode === null) await stop(state.server);
    rmSync(dir, { recursive: true, force: true });
  });
  return state;
}

/**
 * GET /search from the loopback address `from`, with `headers` (which a client may forge);
 * the status and Retry-After of the answer.
 */
function search(
  url: string,
  from: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; retryAfter: string | undefined }> {
  const target = new URL('/search?q=backup', url);
  return new Promise((done, fail) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        localAddress: from,
        headers,
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string }),
        );
      },
    );
    req.on('error', fail);
    req.end();
  });
}

/** Spends one client's allowance: SEARCH_LIMIT searches, each answered 200. */
async function spend(url: string, from: string, headers: (i: number) => Record<string, string>) {
  const statuses: number[] = [];
  for (let i = 0; i < SEARCH_LIMIT; i++)
    statuses.push((await search(url, from, headers(i))).status);
  expect(
    statuses.every((s) => s === 200),
    `statuses ${statuses.join(' ')}`,
  ).toBe(true);
}

async function expectLimited(url: string, from: string, headers: Record<string, string> = {}) {
  const res = await search(url, from, headers);
  expect(res.status).toBe(429);
  expect(Number(res.retryAfter)).toBeGreaterThan(0);
}

describe('without TRUSTED_PROXY', () => {
  const forum = serverWith({});

  it('counts each client by its socket address, whatever it forwards', SLOW, async () => {
    const forged = (i: number) => ({
      'X-Forwarded-For': `198.51.100.${i}`,
      'X-Real-IP': `198.51.100.${i}`,
      'CF-Connecting-IP': `198.51.100.${i}`,
    });
    await spend(forum.url, '127.0.0.1', forged);
    // Another forged address changes nothing: the socket is the same.
    await expectLimited(forum.url, '127.0.0.1', forged(99));
    // Another socket address is another client.
    expect((await search(forum.url, '127.0.0.2')).status).toBe(200);
  });
});

describe('TRUSTED_PROXY=1 (one proxy appends to X-Forwarded-For)', () => {
  const forum = serverWith({ TRUSTED_PROXY: '1' });

  it(
    'counts each client by the address the proxy appended, not by what the client wrote',
    SLOW,
    async () => {
      // The proxy connects from 127.0.0.1 for every client.
      await spend(forum.url, '127.0.0.1', (i) => ({
        'X-Forwarded-For': `10.9.8.${i}, 198.51.100.7`,
      }));
      await expectLimited(forum.url, '127.0.0.1', { 'X-Forwarded-For': '10.9.8.99, 198.51.100.7' });
      // another client behind the proxy
      expect(
        (await search(forum.url, '127.0.0.1', { 'X-Forwarded-For': '198.51.100.8' })).status,
      ).toBe(200);
      // a request that did not come through the proxy counts by its socket
      expect((await search(forum.url, '127.0.0.1')).status).toBe(200);
    },
  );
});

describe('TRUSTED_PROXY=X-Real-IP (the proxy names the client in a header)', () => {
  const forum = serverWith({ TRUSTED_PROXY: 'X-Real-IP' });

  it('counts each client by that header alone', SLOW, async () => {
    await spend(forum.url, '127.0.0.1', (i) => ({
      'X-Real-IP': '198.51.100.7',
      'X-Forwarded-For': `10.0.0.${i}`,
    }));
    await expectLimited(forum.url, '127.0.0.2', {
      'X-Real-IP': '198.51.100.7',
      'X-Forwarded-For': '10.0.0.99',
    });
    expect((await search(forum.url, '127.0.0.1', { 'X-Real-IP': '198.51.100.8' })).status).toBe(
      200,
    );
  });
});
