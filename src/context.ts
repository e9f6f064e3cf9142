/** What every request handler and service can reach: database, configuration, clock. */
import type { Db } from '../db/client';
import type { CookOptions } from './content/cook';
import type { Config } from './env';

export type AppDeps = {
  db: Db;
  config: Config;
  /** cooking options derived from the configuration once */
  cook: CookOptions;
  /** milliseconds since the epoch; tests move it */
  now: () => number;
};

export function makeDeps(db: Db, config: Config, now: () => number = Date.now): AppDeps {
  return { db, config, cook: { origin: config.publicOrigin, houseHosts: config.houseHosts }, now };
}

export type AppEnv = {
  Variables: {
    deps: AppDeps;
  };
};
