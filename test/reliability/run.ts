/**
 * `npm run reliability [-- --seconds 60 --readers 200 --writers 20 --crash-rounds 20
 *   --crash-writers 10 --fuzz 10000 --gets 2000 --seed 1 --only load|crash|fuzz|full-disk]`
 *
 * The forum under load, killed with kill -9 during writes, fed hostile input, and on a full
 * disk (test/reliability/reliability.ts). Prints a table of figures; exits 1 on any loss,
 * corruption, 5xx or changed database. The defaults are the scale the README records.
 */
import { runFuzz } from './fuzz';
import { type PartResult, partOk, runCrash, runFullDisk, runLoad, scratch } from './reliability';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
const parts = ['load', 'crash', 'fuzz', 'full-disk'];
if (only !== undefined && !parts.includes(only)) {
  console.error(`--only takes ${parts.join(', ')}, not ${only}`);
  process.exit(2);
}
const wanted = (part: string) => only === undefined || only === part;

const { dir, done } = scratch();
const results: PartResult[] = [];
const run = async (part: string, go: (dir: string) => Promise<PartResult>) => {
  if (!wanted(part)) return;
  const started = Date.now();
  console.log(`${part}…`);
  let result: PartResult;
  try {
    result = await go(`${dir}/${part}`);
  } catch (err) {
    // A part that could not finish is a failure with its reason, and the others still run.
    result = {
      part,
      figures: [],
      problems: [`did not finish: ${err instanceof Error ? err.message : err}`],
    };
  }
  console.log(
    `${part}: ${partOk(result) ? 'ok' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  results.push(result);
};
try {
  await run('load', (d) =>
    runLoad({
      seconds: arg('seconds', 60),
      readers: arg('readers', 200),
      writers: arg('writers', 20),
      dir: d,
    }),
  );
  await run('crash', (d) =>
    runCrash({ rounds: arg('crash-rounds', 20), writers: arg('crash-writers', 10), dir: d }),
  );
  await run('fuzz', () =>
    runFuzz({ posts: arg('fuzz', 10_000), gets: arg('gets', 2_000), seed: arg('seed', 1) }),
  );
  await run('full-disk', (d) => runFullDisk({ dir: d }));
} finally {
  done();
}

console.log('\n| figure | value | |');
console.log('| --- | --- | --- |');
for (const r of results) {
  if (r.skipped) console.log(`| ${r.part} | skipped: ${r.skipped} | |`);
  for (const f of r.figures) console.log(`| ${f.name} | ${f.value} | ${f.ok ? 'ok' : 'FAIL'} |`);
}
const problems = results.flatMap((r) => r.problems.map((p) => `${r.part}: ${p}`));
if (problems.length) console.log(`\nProblems:\n${problems.map((p) => `- ${p}`).join('\n')}`);
const ok = results.every(partOk);
console.log(ok ? '\nEvery invariant held.' : '\nSome invariants did not hold.');
process.exit(ok ? 0 : 1);
