import type { D1Migration } from '@cloudflare/vitest-plugin';

declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      EMAIL: SendEmail;
      EMAIL_ONE_ADDRESS: SendEmail;
      TEST_MIGRATIONS: D1Migration[];
      PLIMUS_ISSUER: string;
      PLIMUS_CLIENT_ID: string;
      PLIMUS_CLIENT_SECRET: string;
    }
  }
}
