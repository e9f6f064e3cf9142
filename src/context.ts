/** What every request handler and service can reach: database, configuration, clock. */
import type { Db, WriteCheck } from '../db/client';
import type { FlashKind } from './auth/cookies';
import { createKeys, ephemeralSecret, type Keys } from './auth/keys';
import { type RelyingParty, relyingParty } from './auth/oidc';
import { createRateLimits, type RateLimits } from './auth/rate-limit';
import type { Session, SessionUser } from './auth/session';
import type { CookOptions } from './content/cook';
import type { Config } from './env';
import { noPostbox, type Postbox } from './mail/transport';
import { StorageHealth } from './services/health';
import { ReadMarks } from './services/read-marks';
import { VisitCounter } from './services/stats';

export type AppDeps = {
  db: Db;
  config: Config;
  /** cooking options derived from the configuration once */
  cook: CookOptions;
  /** milliseconds since the epoch; tests move it */
  now: () => number;
  /** in-memory rate limits (per process or isolate) */
  limits: RateLimits;
  /** MACs and keyed hashes, from keys derived from FORUM_SECRET (src/auth/keys.ts) */
  keys: Keys;
  /** the Plimus identity as an OpenID Connect relying party; absent when not configured */
  plimus: RelyingParty | undefined;
  /** email: whether it leaves the forum, and asking for urgent mail to go now (src/mail/) */
  mail: Postbox;
  /**
   * notification jobs were written: run them soon (Node: the server's loop; Workers: after the
   * response; tests run them themselves). See src/services/notifications.ts.
   */
  notify: { nudge(): void };
  /** page views and countries, counted per day; see src/services/stats.ts */
  visits: VisitCounter;
  /** how far signed-in people have read topics, on its way to the database; src/services/read-marks.ts */
  reads: ReadMarks;
  /** whether the database takes writes, for `/readyz`; see src/services/health.ts */
  storage: StorageHealth;
  /** a development forum's demo people, listed on its sign-in page; absent otherwise */
  demo?: DemoSignIns | undefined;
};

/** A demo staff account of a development forum (dev/demo.ts), and its password. */
export type DemoStaff = { username: string; role: 'moderator' | 'admin'; password: string };

/**
 * Who a development forum's visitors can sign in as, for its sign-in page (the Node server sets
 * it outside production). Passwords are printed at start-up, never shown on a page.
 */
export type DemoSignIns = {
  /** the development Plimus identity's people, when it runs beside the forum */
  plimus: { name: string; about: string }[];
  /** the demo staff whose demo password works */
  staff: Omit<DemoStaff, 'password'>[];
};

export type DepsOptions = {
  now?: () => number;
  /** how email leaves: the Node server's delivery loop, the Worker's binding; none by default */
  mail?: Postbox;
  /** the runtime's check that the database would take a write (an embedded database has one) */
  writeCheck?: WriteCheck;
  /** what runs notification jobs when some were written; nothing by default */
  notify?: { nudge(): void };
};

export function makeDeps(db: Db, config: Config, options: DepsOptions = {}): AppDeps {
  const now = options.now ?? Date.now;
  return {
    db,
    config,
    cook: { origin: config.publicOrigin, houseHosts: config.houseHosts },
    now,
    limits: createRateLimits(now),
    // Production always has FORUM_SECRET (src/env.ts); elsewhere a process may run without one.
    keys: createKeys(
      config.forumSecret ?? (config.nodeEnv === 'production' ? missingSecret() : ephemeralSecret()),
    ),
    plimus: config.plimus
      ? relyingParty(config.plimus, {
          publicOrigin: config.publicOrigin,
          // A local development provider speaks plain http; production never may.
          allowHttp: config.nodeEnv !== 'production',
        })
      : undefined,
    mail: options.mail ?? noPostbox,
    notify: options.notify ?? { nudge() {} },
    visits: new VisitCounter(now),
    reads: new ReadMarks(now),
    storage: new StorageHealth(now, options.writeCheck),
  };
}

function missingSecret(): never {
  throw new Error('FORUM_SECRET is required in production');
}

/** The signed-in person looking at a page. */
export type Viewer = SessionUser & { session: Session };

export type AppEnv = {
  Variables: {
    deps: AppDeps;
    /** null for visitors who are not signed in */
    viewer: Viewer | null;
    /**
     * Who the client is, for rate limits only: an opaque value derived from the network address
     * (which is never stored or logged).
     */
    client: string;
    /** the app's log: one line per entry, never personal data */
    log: (line: string) => void;
    /** a one-time notice for this page (src/middleware/flash.ts), when there is one */
    flash: FlashKind | undefined;
    /** the counts in a signed-in person's header, on pages (src/middleware/header-counts.ts) */
    headerCounts:
      | { notifications: number; queue: number | undefined; questions: number | undefined }
      | undefined;
  };
};
