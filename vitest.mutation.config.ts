/**
 * The tests a mutation run (`npm run test:mutation`, stryker.config.mjs) measures: the node
 * project's, in process. Left out: the files that run the forum in another process (the server,
 * the command line, start-up and signals, backups, encryption, the large seed, the edge
 * development server), where a mutant is never active and coverage is not seen; the workerd and
 * Chromium projects, which Stryker's vitest runner cannot instrument.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.{ts,tsx}', 'test/integration/**/*.test.{ts,tsx}'],
    exclude: [
      'test/integration/{server,startup,signals,cli,backup,encryption,seed-large,dev-edge}.test.ts',
    ],
    setupFiles: ['test/support/fail-on-console-error.ts'],
    testTimeout: 30_000,
  },
});
