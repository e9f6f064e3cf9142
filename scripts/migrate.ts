/**
 * `npm run db:migrate`: applies db/migrations to DATABASE_URL. The server does this on start too;
 * this is for deployments that migrate before they switch traffic (e.g. Turso with Workers).
 */
import { openLibsql } from '../db/open';
import { ConfigError, loadConfig } from '../src/env';

try {
  const client = await openLibsql(loadConfig(process.env));
  client.close();
  console.log('Migrations applied.');
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
