/** What every request handler and service can reach: database, configuration, clock. */
import type { Db } from '../db/client';
import { createRateLimits, type RateLimits } from './auth/rate-limit';
import type { Session, SessionUser } from './auth/session';
import type { CookOptions } from './content/cook';
import type { Config } from './env';

export type AppDeps = {
  db: Db;
  config: Config;
  /** cooking options derived from the configuration once */
  cook: CookOptions;
  /** milliseconds since the epoch; tests move it */
  now: () => number;
  /** in-memory rate limits (per process or isolate) */
  limits: RateLimits;
};

export function makeDeps(db: Db, config: Config, now: () => number = Date.now): AppDeps {
  return {
    db,
    config,
    cook: { origin: config.publicOrigin, houseHosts: config.houseHosts },
    now,
    limits: createRateLimits(now),
  };
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
  };
};
