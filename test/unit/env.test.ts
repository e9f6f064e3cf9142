import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/env';

describe('loadConfig', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      nodeEnv: 'development',
      port: 8787,
      host: '127.0.0.1',
      databaseUrl: 'file:data/forum.db',
      databaseAuthToken: undefined,
      databaseEncryptionKey: undefined,
      publicOrigin: 'http://127.0.0.1:8787',
      seedDemo: true,
      houseHosts: ['plimus.com'],
      trustedCountryHeader: undefined,
      trustedProxy: undefined,
      pageCacheSeconds: 10,
      plimus: undefined,
      vendorClaimsMaxAgeDays: 30,
      forumSecret: undefined,
      mail: {
        from: 'Plimus Community Forums <forums@localhost>',
        fromAddress: 'forums@localhost',
        smtpUrl: undefined,
        dkim: undefined,
        ratePerMinute: 60,
        notificationWaitMs: 600_000,
      },
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      PORT: '3000',
      HOST: '0.0.0.0',
      DATABASE_URL: 'libsql://forum-acme.turso.io',
      DATABASE_AUTH_TOKEN: 'secret',
      PUBLIC_ORIGIN: 'https://forums.plimus.com/',
      SEED_DEMO: 'false',
      HOUSE_HOSTS: 'plimus.com, Plimus.net',
      FORUM_SECRET: 'a-secret-of-at-least-thirty-two-characters',
      VENDOR_CLAIMS_MAX_AGE_DAYS: '7',
    });
    expect(c).toMatchObject({
      nodeEnv: 'production',
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: 'libsql://forum-acme.turso.io',
      databaseAuthToken: 'secret',
      publicOrigin: 'https://forums.plimus.com',
      seedDemo: false,
      houseHosts: ['plimus.com', 'plimus.net'],
      vendorClaimsMaxAgeDays: 7,
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'postgres://x'],
    ['PUBLIC_ORIGIN', 'forum.example'],
    ['PUBLIC_ORIGIN', 'https://forum.example/sub/path'],
    ['SEED_DEMO', 'maybe'],
    ['NODE_ENV', 'staging'],
    ['HOUSE_HOSTS', 'plimus.com, not a host'],
    ['PLIMUS_ISSUER', 'not a url'],
    ['TRUSTED_COUNTRY_HEADER', 'Not A Header'],
    ['VENDOR_CLAIMS_MAX_AGE_DAYS', 'a month'],
    ['VENDOR_CLAIMS_MAX_AGE_DAYS', '0'],
    ['VENDOR_CLAIMS_MAX_AGE_DAYS', '1.5'],
    ['VENDOR_CLAIMS_MAX_AGE_DAYS', '366'],
    ['TRUSTED_PROXY', '0'],
    ['TRUSTED_PROXY', '11'],
    ['TRUSTED_PROXY', '-1'],
    ['TRUSTED_PROXY', 'X Real IP'],
    ['TRUSTED_PROXY', '2nd-proxy'],
    ['SMTP_URL', 'http://mail.example'],
    ['SMTP_URL', 'smtp://mail.example/path'],
    ['SMTP_URL', 'smtp://mail example'],
    ['MAIL_FROM', 'not an address'],
    ['MAIL_FROM', 'Forums <forums@example.com'],
    ['MAIL_FROM', 'Forums\r\nBcc: x@y.z <forums@example.com>'],
    ['MAIL_RATE_PER_MINUTE', '0'],
    ['MAIL_RATE_PER_MINUTE', 'fast'],
    ['MAIL_RATE_PER_MINUTE', '100001'],
    ['NOTIFICATION_EMAIL_WAIT_SECONDS', '-1'],
    ['NOTIFICATION_EMAIL_WAIT_SECONDS', '86401'],
    ['NOTIFICATION_EMAIL_WAIT_SECONDS', 'soon'],
    ['DKIM_DOMAIN', 'not a domain!'],
    ['DKIM_SELECTOR', 'two words'],
  ])('stops with a message naming %s when it is %j', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(
      new RegExp(`^Invalid configuration:\\n  ${name}: `),
    );
  });

  it('needs the client id and secret with a Plimus issuer, and https in production', () => {
    expect(() => loadConfig({ PLIMUS_ISSUER: 'https://id.plimus.com' })).toThrow(
      /PLIMUS_CLIENT_ID: is required with PLIMUS_ISSUER\n {2}PLIMUS_CLIENT_SECRET: is required/,
    );
    const plimus = {
      PLIMUS_ISSUER: 'http://id.plimus.test',
      PLIMUS_CLIENT_ID: 'forum',
      PLIMUS_CLIENT_SECRET: 's',
    };
    expect(loadConfig(plimus).plimus).toEqual({
      issuer: 'http://id.plimus.test',
      clientId: 'forum',
      clientSecret: 's',
    });
    expect(() => loadConfig({ ...plimus, NODE_ENV: 'production' })).toThrow(
      /PLIMUS_ISSUER: must be https in production/,
    );
  });

  it('requires a token for a remote database in production', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'libsql://x.turso.io' }),
    ).toThrow(/DATABASE_AUTH_TOKEN/);
  });

  it('requires FORUM_SECRET in production, of at least 32 characters', () => {
    const production = { NODE_ENV: 'production', PLIMUS_ISSUER: undefined };
    expect(() => loadConfig(production)).toThrow(/FORUM_SECRET: is required in production/);
    expect(() => loadConfig({ ...production, FORUM_SECRET: 'short' })).toThrow(
      /FORUM_SECRET: must be at least 32 characters/,
    );
    const secret = 'k'.repeat(32);
    expect(loadConfig({ ...production, FORUM_SECRET: secret }).forumSecret).toBe(secret);
    expect(loadConfig({}).forumSecret).toBeUndefined();
  });

  it('reads TRUSTED_PROXY as a number of proxies or a header name', () => {
    expect(loadConfig({ TRUSTED_PROXY: '1' }).trustedProxy).toEqual({ hops: 1 });
    expect(loadConfig({ TRUSTED_PROXY: '10' }).trustedProxy).toEqual({ hops: 10 });
    expect(loadConfig({ TRUSTED_PROXY: 'X-Real-IP' }).trustedProxy).toEqual({
      header: 'X-Real-IP',
    });
    expect(() => loadConfig({ TRUSTED_PROXY: '0' })).toThrow(
      /TRUSTED_PROXY: must be the number of proxies in front \(1 to 10\) or a header name/,
    );
  });

  it('takes DATABASE_ENCRYPTION_KEY of at least 16 characters, for an embedded database only', () => {
    const key = 'k'.repeat(16);
    expect(loadConfig({ DATABASE_ENCRYPTION_KEY: key }).databaseEncryptionKey).toBe(key);
    expect(() => loadConfig({ DATABASE_ENCRYPTION_KEY: 'short' })).toThrow(
      /DATABASE_ENCRYPTION_KEY: must be at least 16 characters/,
    );
    expect(() =>
      loadConfig({ DATABASE_URL: 'libsql://x.turso.io', DATABASE_ENCRYPTION_KEY: key }),
    ).toThrow(/DATABASE_ENCRYPTION_KEY: is only for an embedded database/);
  });

  it('reads the mail settings: SMTP_URL, MAIL_FROM, the rate and DKIM', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n';
    const mail = loadConfig({
      SMTP_URL: 'smtps://forum:p%40ss@mail.plimus.com:465',
      MAIL_FROM: 'Plimus Forums <forums@plimus.com>',
      MAIL_RATE_PER_MINUTE: '300',
      DKIM_DOMAIN: 'plimus.com',
      DKIM_SELECTOR: 'forums2026',
      // on one line, as environment files often have it
      DKIM_PRIVATE_KEY: key.replaceAll('\n', '\\n'),
      NOTIFICATION_EMAIL_WAIT_SECONDS: '90',
    }).mail;
    expect(mail).toEqual({
      from: 'Plimus Forums <forums@plimus.com>',
      fromAddress: 'forums@plimus.com',
      smtpUrl: 'smtps://forum:p%40ss@mail.plimus.com:465',
      dkim: { domain: 'plimus.com', selector: 'forums2026', privateKey: key },
      ratePerMinute: 300,
      notificationWaitMs: 90_000,
    });
    expect(loadConfig({ MAIL_FROM: 'forums@plimus.com' }).mail.from).toBe('forums@plimus.com');
    // Without MAIL_FROM: an address at the forum's own host.
    expect(loadConfig({ PUBLIC_ORIGIN: 'https://forums.example' }).mail.from).toBe(
      'Plimus Community Forums <forums@forums.example>',
    );
  });

  it('needs all three DKIM variables or none, a PEM key, and MAIL_FROM with SMTP_URL in production', () => {
    expect(() => loadConfig({ DKIM_DOMAIN: 'plimus.com' })).toThrow(
      /DKIM_SELECTOR: is required with the other DKIM_ variables.*\n {2}DKIM_PRIVATE_KEY: is required/s,
    );
    expect(() =>
      loadConfig({ DKIM_DOMAIN: 'plimus.com', DKIM_SELECTOR: 's', DKIM_PRIVATE_KEY: 'secret' }),
    ).toThrow(/DKIM_PRIVATE_KEY: must be a private key in PEM format/);
    const production = { NODE_ENV: 'production', FORUM_SECRET: 'k'.repeat(32) };
    expect(() => loadConfig({ ...production, SMTP_URL: 'smtp://mail.plimus.com' })).toThrow(
      /MAIL_FROM: is required with SMTP_URL in production/,
    );
  });

  it('seeds the demo content by default, except in production', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).seedDemo).toBe(true);
    const production = { NODE_ENV: 'production', FORUM_SECRET: 'k'.repeat(32) };
    expect(loadConfig(production).seedDemo).toBe(false);
    expect(loadConfig({ ...production, SEED_DEMO: 'true' }).seedDemo).toBe(true);
    expect(loadConfig({ ...production, SEED_DEMO: '' }).seedDemo).toBe(false);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', SEED_DEMO: '' })).toMatchObject({ port: 8787, seedDemo: true });
  });
});
