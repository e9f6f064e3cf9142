// @ts-check
/**
 * Mutation testing (`npm run test:mutation [-- --files GLOB]`, scripts/mutation.ts): Stryker
 * changes the code of src/policy, src/auth, src/content and src/services one small change at a
 * time and runs the node project's tests that cover each change (vitest.mutation.config.ts); a
 * change no test notices survives. Incremental: results are kept in reports/mutation/ and only
 * mutants of changed code, or covered by changed tests, run again.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  mutate: [
    'src/{policy,auth,content,services}/**/*.ts',
    '!src/**/*.d.ts',
    // Workers only: the node tests never load it.
    '!src/auth/common-passwords.workerd.ts',
  ],
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowEmojis: false, logTests: false, reportMutants: false },
  // The machines have two cores, shared.
  concurrency: 2,
  timeoutMS: 30_000,
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['data', '.wrangler', 'dist', 'coverage', 'reports', 'test/bench/results'],
  cleanTempDir: 'always',
};

export default config;
