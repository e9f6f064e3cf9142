import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/auth/keys';
import { loadConfig } from '../../src/env';
import { developmentSecret } from '../../src/server';

describe('keys derived from FORUM_SECRET', () => {
  const keys = createKeys('s'.repeat(32));

  it('verifies its own MAC and nothing else', () => {
    const mac = keys.sign('plimus-flow', 'state-1');
    expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keys.verify('plimus-flow', 'state-1', mac)).toBe(true);
    expect(keys.verify('plimus-flow', 'state-2', mac)).toBe(false);
    const flipped = `${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    expect(keys.verify('plimus-flow', 'state-1', flipped)).toBe(false);
    expect(keys.verify('plimus-flow', 'state-1', 'not base64!')).toBe(false);
    expect(keys.verify('plimus-flow', 'state-1', '')).toBe(false);
  });

  it('keeps purposes and secrets apart', () => {
    const mac = keys.sign('plimus-flow', 'x');
    expect(keys.verify('unsubscribe', 'x', mac)).toBe(false);
    expect(keys.hash('suspended-account', 'x')).not.toBe(keys.hash('unsubscribe', 'x'));
    expect(createKeys('t'.repeat(32)).verify('plimus-flow', 'x', mac)).toBe(false);
    expect(createKeys('s'.repeat(32)).verify('plimus-flow', 'x', mac)).toBe(true);
  });
});

describe('the development secret of the Node server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'forum-secret-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated once next to the database, readable by its owner only', () => {
    const config = loadConfig({ DATABASE_URL: `file:${join(dir, 'forum.db')}` });
    const first = developmentSecret(config);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(developmentSecret(config)).toBe(first);
    const file = join(dir, 'forum-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('is the configured one when there is one, and never generated in production', () => {
    const secret = 'c'.repeat(40);
    expect(developmentSecret(loadConfig({ FORUM_SECRET: secret }))).toBe(secret);
    expect(
      developmentSecret(
        loadConfig({
          NODE_ENV: 'production',
          FORUM_SECRET: secret,
          DATABASE_URL: `file:${join(dir, 'other.db')}`,
        }),
      ),
    ).toBe(secret);
    expect(developmentSecret(loadConfig({ DATABASE_URL: 'file::memory:' }))).toBeUndefined();
  });
});
