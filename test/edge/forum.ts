/** The forum inside workerd: requests go through the real Worker entry, data lives in local D1. */
import { env, exports } from 'cloudflare:workers';
import { createDb } from '../../db/client';
import { makeDeps } from '../../src/context';
import { loadConfig } from '../../src/env';

export const ORIGIN = 'http://forum.test';

export function edgeForum() {
  const deps = makeDeps(
    createDb({ d1: env.DB }),
    loadConfig({ NODE_ENV: 'test', PUBLIC_ORIGIN: ORIGIN }),
  );
  const worker = (exports as unknown as { default: Fetcher }).default;
  return {
    deps,
    request: (path: string, init?: RequestInit) =>
      worker.fetch(new Request(new URL(path, ORIGIN), init)),
  };
}
