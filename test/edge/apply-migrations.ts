import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// The same SQL files drizzle-kit generated, applied to this test file's local D1 database.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
