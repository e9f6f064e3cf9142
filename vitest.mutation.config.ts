/**
 * The tests a mutation run (`npm run test:mutation`, stryker.config.mjs) measures: the node
 * project's, in process. scripts/mutation.ts sets MUTATION_TESTS (comma-separated globs) to the
 * fast unit and integration files that cover the directory being mutated, so that a run on one
 * directory does not execute the whole suite (the permission matrix, test/shared/permissions-suite.ts,
 * alone takes minutes per mutant). Without MUTATION_TESTS, every unit and integration file except
 * those below. Always left out: the files that run the forum in another process (the server, the
 * command line, start-up and signals, backups, encryption, the large seed, the edge development
 * server), where a mutant is never active; the reliability run; the workerd and Chromium projects,
 * which Stryker's vitest runner cannot instrument.
 */
import { defineConfig } from 'vitest/config';

const selected = process.env.MUTATION_TESTS?.split(',')
  .map((glob) => glob.trim())
  .filter(Boolean);

export default defineConfig({
  test: {
    include: selected?.length
      ? selected
      : ['test/unit/**/*.test.{ts,tsx}', 'test/integration/**/*.test.{ts,tsx}'],
    exclude: [
      'test/integration/{server,startup,signals,cli,backup,encryption,seed-large,dev-edge,reliability}.test.ts',
      'test/edge/**',
      'test/browser/**',
      'test/e2e/**',
      'test/bench/**',
    ],
    setupFiles: ['test/support/fail-on-console-error.ts'],
    testTimeout: 30_000,
  },
});
