/**
 * Opening the database on Node: an embedded file (its folder created when missing) or a remote
 * libSQL server, with the connection settings applied and the migrations run.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Client, createClient } from '@libsql/client';
import type { Config } from '../src/env';
import { prepareLibsql } from './client';
import { migrateLibsql } from './migrate';

export async function openLibsql(
  config: Pick<Config, 'databaseUrl' | 'databaseAuthToken'>,
): Promise<Client> {
  const embedded = config.databaseUrl.startsWith('file:');
  if (embedded) {
    const path = config.databaseUrl.slice('file:'.length).split('?')[0] ?? '';
    if (path && path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  }
  const client = createClient({ url: config.databaseUrl, authToken: config.databaseAuthToken });
  await prepareLibsql(client, { embedded });
  await migrateLibsql(client);
  return client;
}
