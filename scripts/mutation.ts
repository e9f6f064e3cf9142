/**
 * `npm run test:mutation [-- --files GLOB] [stryker options]`: mutation testing with Stryker
 * (stryker.config.mjs). `--files` narrows the files mutated (a glob, or several separated by
 * commas: `--files 'src/policy/**\/*.ts'`); without it, every file the config names. Any other
 * option goes to `stryker run` as it is (`--concurrency 1`, `--force` to ignore the incremental
 * results). The report is written to reports/mutation/index.html.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
let files: string | undefined;
const rest: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i] as string;
  if (arg === '--files') files = args[++i] ?? '';
  else if (arg.startsWith('--files=')) files = arg.slice('--files='.length);
  else rest.push(arg);
}
if (files === '') {
  console.error('--files needs a glob, e.g. --files "src/policy/**/*.ts".');
  process.exit(2);
}
const stryker = fileURLToPath(
  new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url),
);
const run = spawnSync(
  process.execPath,
  [stryker, 'run', ...(files ? ['--mutate', files] : []), ...rest],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
