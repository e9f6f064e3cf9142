import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { plimusEnv } from './test/support/idp-client.ts';

const migrations = await readD1Migrations(new URL('./db/migrations', import.meta.url).pathname);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.{ts,tsx}', 'test/integration/**/*.test.{ts,tsx}'],
          setupFiles: ['test/support/fail-on-console-error.ts'],
          // Password hashing (scrypt) is slow on purpose; sign-in tests hash dozens of times.
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: './src/worker.ts',
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              // wrangler.toml's EMAIL, and one that takes mail for one address only, whose
              // refusal of any other shows what the forum does with a permanent failure.
              email: {
                send_email: [
                  { name: 'EMAIL' },
                  { name: 'EMAIL_ONE_ADDRESS', allowed_destination_addresses: ['only@forum.test'] },
                ],
              },
              bindings: {
                TEST_MIGRATIONS: migrations,
                NODE_ENV: 'test',
                // The development identity provider started by test/edge/global-setup.ts.
                ...plimusEnv(inject('plimusIssuer')),
              },
            },
          })),
        ],
        test: {
          name: 'edge',
          // The content pipeline's unit tests run in workerd too: it must behave the same there;
          // so does the common-password list, which Workers load their own way.
          include: [
            'test/edge/**/*.test.{ts,tsx}',
            'test/unit/{cook,mentions,personal-data,common-passwords}.test.ts',
          ],
          globalSetup: ['test/edge/global-setup.ts'],
          setupFiles: ['test/edge/apply-migrations.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/e2e/**/*.test.{ts,tsx}'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One Chromium at a time: the machines have two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
