/**
 * `npm run test:mutation [-- --files GLOB] [stryker options]`: mutation testing with Stryker
 * (stryker.config.mjs). `--files` narrows the files mutated (a glob, or several separated by
 * commas: `--files 'src/policy/**\/*.ts'`); without it, every file the config names.
 * `--tests GLOBS` (comma-separated) picks the test files instead of the per-directory choice below
 * (`--tests all`: every node file). Any other
 * option goes to `stryker run` as it is (`--concurrency 1`, `--force` to ignore the incremental
 * results). The report is written to reports/mutation/index.html.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
let files: string | undefined;
let tests: string | undefined;
const rest: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i] as string;
  if (arg === '--files') files = args[++i] ?? '';
  else if (arg.startsWith('--files=')) files = arg.slice('--files='.length);
  else if (arg === '--tests') tests = args[++i] ?? '';
  else rest.push(arg);
}
if (files === '') {
  console.error('--files needs a glob, e.g. --files "src/policy/**/*.ts".');
  process.exit(2);
}
/**
 * The tests that run against the mutants of each directory (vitest.mutation.config.ts reads them
 * from MUTATION_TESTS): fast unit and integration files that exercise it, without the permission
 * matrix. `--tests GLOBS` replaces the choice; `--tests all` runs every node file.
 */
const testsFor: Record<string, string[]> = {
  'src/policy': [
    'test/integration/moderation.test.ts',
    'test/integration/posting.test.ts',
    'test/integration/admin.test.ts',
    'test/integration/vendors.test.ts',
    'test/integration/likes.test.ts',
    'test/integration/drafts.test.ts',
  ],
  'src/content': ['test/unit/**/*.test.ts', 'test/integration/{posting,mentions,crawlers}.test.ts'],
  'src/auth': [
    'test/unit/{password,common-passwords,device,keys,client-address}.test.ts',
    'test/integration/{accounts,identity,client-address}.test.ts',
  ],
  'src/services': [
    'test/unit/**/*.test.ts',
    'test/integration/{accounts,posting,moderation,likes,drafts,notifications,account-data,search}.test.ts',
  ],
};
const dir = Object.keys(testsFor).find((d) => files?.startsWith(d));
const env = { ...process.env };
if (tests && tests !== 'all') env.MUTATION_TESTS = tests;
else if (!tests && dir) env.MUTATION_TESTS = (testsFor[dir] as string[]).join(',');

const stryker = fileURLToPath(
  new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url),
);
const run = spawnSync(
  process.execPath,
  [stryker, 'run', ...(files ? ['--mutate', files] : []), ...rest],
  { stdio: 'inherit', env },
);
process.exit(run.status ?? 1);
