import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'turso',
  schema: './db/schema.ts',
  out: './db/migrations',
  dbCredentials: {
    url: process.env.DATABASE_URL ?? 'file:data/forum.db',
    authToken: process.env.DATABASE_AUTH_TOKEN,
  },
  // The full-text index is a hand-written migration; keep drizzle-kit from dropping it.
  tablesFilter: ['!posts_fts*'],
});
