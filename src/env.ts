/**
 * The forum's configuration, validated once. Nothing else reads `process.env` or Worker bindings:
 * entries call `loadConfig(source)` and pass the result down.
 */
import * as z from 'zod';

/** true or false; undefined when unset, so that the default can depend on other variables */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], {
    error: 'must be true or false',
  })
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes'));

const origin = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((v, ctx) => {
    const u = new URL(v);
    if (u.pathname !== '/' || u.search || u.hash) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an origin only, like https://forum.example',
      });
      return z.NEVER;
    }
    return u.origin;
  });

const hostList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[a-z0-9.-]+$/, 'must be a comma-separated list of host names')));

/** The key of an encrypted embedded database (DATABASE_ENCRYPTION_KEY, and a new one to change to). */
export const databaseEncryptionKey = z
  .string()
  .min(16, 'must be at least 16 characters (e.g. the output of `openssl rand -base64 32`)')
  .max(512, 'must be at most 512 characters');
const SMTP_URL = /^smtps?:\/\/[^\s/?#]+(?::\d{1,5})?\/?$/;
/** `Name <address>` or `address`; the name without the characters that would break a header. */
const MAIL_FROM =
  /^(?:([^<>"\r\n]{1,100}?) *<([^\s<>@]{1,64}@[^\s<>@]{1,190})>|([^\s<>@]{1,64}@[^\s<>@]{1,190}))$/;

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce
      .number({ error: 'must be a port number' })
      .int('must be a port number')
      .min(0, 'must be a port number')
      .max(65535, 'must be a port number')
      .default(8787),
    HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .regex(/^(file:|libsql:\/\/|https?:\/\/)/, {
        message: 'must start with file:, libsql:// or https://',
      })
      .default('file:data/forum.db'),
    DATABASE_AUTH_TOKEN: z.string().optional(),
    /** encrypts an embedded database file (libSQL's encryptionKey); Turso and D1 encrypt their own */
    DATABASE_ENCRYPTION_KEY: databaseEncryptionKey.optional(),
    PUBLIC_ORIGIN: origin.optional(),
    /** default: true, except in production (src/env.ts `loadConfig`) */
    SEED_DEMO: bool,
    /** hosts whose links stay direct (the forum's own host always does); subdomains included */
    HOUSE_HOSTS: hostList.default(['plimus.com']),
    /** on Node behind a proxy that adds the visitor's country: the name of that header */
    TRUSTED_COUNTRY_HEADER: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'must be a header name, like CF-IPCountry')
      .optional(),
    /**
     * On Node behind reverse proxies: how many of them to believe in X-Forwarded-For (1 to 10),
     * or the name of the header the nearest one sets to the client's address
     */
    TRUSTED_PROXY: z
      .string()
      .regex(
        /^(?:[1-9]|10|[A-Za-z][A-Za-z0-9-]*)$/,
        'must be the number of proxies in front (1 to 10) or a header name, like X-Real-IP',
      )
      .optional(),
    /** seconds a page for visitors who are not signed in may be served from the Node page cache */
    PAGE_CACHE_SECONDS: z.coerce
      .number({ error: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(0, 'must be 0 (off) or more')
      .max(3600, 'must be at most 3600')
      .default(10),
    PLIMUS_ISSUER: z
      .url({
        protocol: /^https?$/,
        error: 'must be the http(s) URL of the Plimus identity provider',
      })
      .optional(),
    PLIMUS_CLIENT_ID: z.string().optional(),
    PLIMUS_CLIENT_SECRET: z.string().optional(),
    /** days a vendor staff status stays valid after the Plimus sign-in that last confirmed it */
    VENDOR_CLAIMS_MAX_AGE_DAYS: z.coerce
      .number({ error: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(1, 'must be at least 1')
      .max(365, 'must be at most 365')
      .default(30),
    /** the server secret every signing and hashing key is derived from (src/auth/keys.ts) */
    FORUM_SECRET: z
      .string()
      .min(32, 'must be at least 32 characters (e.g. the output of `openssl rand -base64 32`)')
      .max(512, 'must be at most 512 characters')
      .optional(),
    /** smtp://user:pass@host:port or smtps://…: where Node sends email */
    SMTP_URL: z
      .string()
      .max(2048, 'is too long')
      .regex(SMTP_URL, 'must be smtp://host:port or smtps://user:password@host:port')
      .optional(),
    MAIL_FROM: z
      .string()
      .regex(MAIL_FROM, 'must be an address, or a name and an address: Forums <forums@example.com>')
      .optional(),
    /** emails sent at most per minute, so that a large mailing does not get the domain blocked */
    MAIL_RATE_PER_MINUTE: z.coerce
      .number({ error: 'must be a number of emails' })
      .int('must be a whole number of emails')
      .min(1, 'must be at least 1')
      .max(100_000, 'must be at most 100000')
      .default(60),
    /** how long a notification waits before it is emailed (skipped if read meanwhile) */
    NOTIFICATION_EMAIL_WAIT_SECONDS: z.coerce
      .number({ error: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(0, 'must be at least 0')
      .max(86_400, 'must be at most 86400 (a day)')
      .default(600),
    /** DKIM signing of SMTP mail: the domain, the selector and the private key (PEM) */
    DKIM_DOMAIN: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,253}$/, 'must be a domain name, like plimus.com')
      .optional(),
    DKIM_SELECTOR: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,63}$/, 'must be a DNS label, like forums2026')
      .optional(),
    DKIM_PRIVATE_KEY: z
      .string()
      .max(10_000, 'is too long for a private key')
      // Environment files often carry a PEM on one line, with \n for the line breaks.
      .transform((v) => v.replaceAll('\\n', '\n'))
      .refine(
        (v) =>
          /^-----BEGIN (?:RSA )?PRIVATE KEY-----\n[\s\S]+\n-----END (?:RSA )?PRIVATE KEY-----\s*$/.test(
            v,
          ),
        'must be a private key in PEM format (-----BEGIN PRIVATE KEY----- ...)',
      )
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.PLIMUS_ISSUER) {
      for (const name of ['PLIMUS_CLIENT_ID', 'PLIMUS_CLIENT_SECRET'] as const) {
        if (!v[name])
          ctx.addIssue({ code: 'custom', path: [name], message: 'is required with PLIMUS_ISSUER' });
      }
      if (v.NODE_ENV === 'production' && !v.PLIMUS_ISSUER.startsWith('https:')) {
        ctx.addIssue({
          code: 'custom',
          path: ['PLIMUS_ISSUER'],
          message: 'must be https in production',
        });
      }
    }
    const dkim = ['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY'] as const;
    if (dkim.some((name) => v[name]) && !dkim.every((name) => v[name])) {
      for (const name of dkim) {
        if (!v[name]) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'is required with the other DKIM_ variables (all three, or none)',
          });
        }
      }
    }
    if (v.NODE_ENV === 'production' && v.SMTP_URL && !v.MAIL_FROM) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_FROM'],
        message: 'is required with SMTP_URL in production (the address mail is sent from)',
      });
    }
    if (v.NODE_ENV === 'production' && !v.FORUM_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['FORUM_SECRET'],
        message: 'is required in production (e.g. the output of `openssl rand -base64 32`)',
      });
    }
    if (v.DATABASE_ENCRYPTION_KEY && !v.DATABASE_URL.startsWith('file:')) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_ENCRYPTION_KEY'],
        message: 'is only for an embedded database (a file: DATABASE_URL); Turso encrypts its own',
      });
    }
    if (
      /^(libsql|https?):/.test(v.DATABASE_URL) &&
      !v.DATABASE_AUTH_TOKEN &&
      v.NODE_ENV === 'production'
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_AUTH_TOKEN'],
        message: 'is required with a remote DATABASE_URL in production',
      });
    }
  });

export type Config = {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string;
  databaseAuthToken: string | undefined;
  /** the key an embedded database file is encrypted with; absent: not encrypted */
  databaseEncryptionKey: string | undefined;
  /** the forum's public origin; links to it stay direct and redirects point to it */
  publicOrigin: string;
  seedDemo: boolean;
  houseHosts: string[];
  /** how long the Node page cache may serve a page to visitors (0: off) */
  pageCacheSeconds: number;
  /** the request header with the visitor's country, set by a trusted proxy (Node) */
  trustedCountryHeader: string | undefined;
  /**
   * What the proxies in front say about the client's address, for rate limits (TRUSTED_PROXY);
   * absent: the runtime's own (the socket on Node, CF-Connecting-IP on Workers)
   */
  trustedProxy: TrustedProxy | undefined;
  /** the Plimus identity (OpenID Connect); absent when not configured */
  plimus: PlimusConfig | undefined;
  /** days vendor staff status counts after the Plimus sign-in that last confirmed it */
  vendorClaimsMaxAgeDays: number;
  /**
   * The server secret keys are derived from. Always set in production; elsewhere the Node server
   * keeps a generated one in the data folder, and without it `makeDeps` uses one per process.
   */
  forumSecret: string | undefined;
  mail: MailConfig;
};

export type MailConfig = {
  /** the From header: `Name <address>` */
  from: string;
  /** the sending address alone (the envelope sender; the domain of Message-IDs) */
  fromAddress: string;
  /** Node: where SMTP mail goes; absent: no SMTP (in development a mail catcher starts) */
  smtpUrl: string | undefined;
  dkim: { domain: string; selector: string; privateKey: string } | undefined;
  ratePerMinute: number;
  /** how long a notification waits before it is emailed, "when away" */
  notificationWaitMs: number;
};

/** `hops` proxies append to X-Forwarded-For, or the nearest one sets `header` to the address. */
export type TrustedProxy = { hops: number } | { header: string };

export type PlimusConfig = { issuer: string; clientId: string; clientSecret: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates configuration from environment variables or Worker bindings.
 * @throws ConfigError naming every variable with a bad value
 */
export function loadConfig(source: Record<string, unknown>): Config {
  const strings: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) {
    // Empty values count as unset, the way shells and .env files use them.
    if (typeof v === 'string' && v !== '') strings[k] = v;
  }
  const parsed = schema.safeParse(strings);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0] ?? '?')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const v = parsed.data;
  const host = v.HOST === '0.0.0.0' || v.HOST === '::' ? '127.0.0.1' : v.HOST;
  const publicOrigin =
    v.PUBLIC_ORIGIN ?? `http://${host.includes(':') ? `[${host}]` : host}:${v.PORT}`;
  return {
    nodeEnv: v.NODE_ENV,
    port: v.PORT,
    host: v.HOST,
    databaseUrl: v.DATABASE_URL,
    databaseAuthToken: v.DATABASE_AUTH_TOKEN,
    databaseEncryptionKey: v.DATABASE_ENCRYPTION_KEY,
    publicOrigin,
    // A production forum never fills itself with demo content unless asked to.
    seedDemo: v.SEED_DEMO ?? v.NODE_ENV !== 'production',
    houseHosts: v.HOUSE_HOSTS,
    trustedCountryHeader: v.TRUSTED_COUNTRY_HEADER,
    pageCacheSeconds: v.PAGE_CACHE_SECONDS,
    trustedProxy:
      v.TRUSTED_PROXY === undefined
        ? undefined
        : /^\d+$/.test(v.TRUSTED_PROXY)
          ? { hops: Number(v.TRUSTED_PROXY) }
          : { header: v.TRUSTED_PROXY },
    plimus:
      v.PLIMUS_ISSUER && v.PLIMUS_CLIENT_ID && v.PLIMUS_CLIENT_SECRET
        ? {
            issuer: v.PLIMUS_ISSUER,
            clientId: v.PLIMUS_CLIENT_ID,
            clientSecret: v.PLIMUS_CLIENT_SECRET,
          }
        : undefined,
    vendorClaimsMaxAgeDays: v.VENDOR_CLAIMS_MAX_AGE_DAYS,
    forumSecret: v.FORUM_SECRET,
    mail: mailConfig(v, publicOrigin),
  };
}

const FORUM_NAME = 'Plimus Community Forums';

function mailConfig(v: z.output<typeof schema>, publicOrigin: string): MailConfig {
  const m = v.MAIL_FROM ? MAIL_FROM.exec(v.MAIL_FROM) : null;
  const host = new URL(publicOrigin).hostname;
  // Without MAIL_FROM (development, tests): an address at the forum's own host.
  const fromAddress =
    m?.[2] ?? m?.[3] ?? `forums@${/^[\d.]+$|^\[|^localhost$/.test(host) ? 'localhost' : host}`;
  const name = m ? m[1]?.trim() : FORUM_NAME;
  return {
    from: name ? `${name} <${fromAddress}>` : fromAddress,
    fromAddress,
    smtpUrl: v.SMTP_URL,
    dkim:
      v.DKIM_DOMAIN && v.DKIM_SELECTOR && v.DKIM_PRIVATE_KEY
        ? { domain: v.DKIM_DOMAIN, selector: v.DKIM_SELECTOR, privateKey: v.DKIM_PRIVATE_KEY }
        : undefined,
    ratePerMinute: v.MAIL_RATE_PER_MINUTE,
    notificationWaitMs: v.NOTIFICATION_EMAIL_WAIT_SECONDS * 1000,
  };
}
