/**
 * The cooking budget's benchmark (`npm run bench -- --only cooking [--length 50k] [--rounds 15]`):
 * what a submission's text costs (cooking within the budget, watched words, the personal-data
 * check: the work `checkText` in src/services/posting.ts does) for each of the worst inputs
 * known (test/fixtures/cooking/worst.ts), against realistic prose with links of the same length
 * (the long posts of scripts/seed-large.ts). The target: at most twice the realistic post.
 *
 * In this process, without servers. Each round measures the realistic post and then each worst
 * input, one after the other, in CPU time (other load on a shared machine moves it less than
 * wall time); a row shows the median over the rounds of the ratio within a round. Writes
 * test/bench/results/cooking.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { realisticMarkdown } from '../../scripts/seed-large';
import { cook, cookingWork, UncookableMarkdown } from '../../src/content/cook';
import { cookingBudget } from '../../src/content/cooking-budget';
import { findPersonalData } from '../../src/content/personal-data';
import { matchPostWords, type WatchedWord } from '../../src/content/watched-words';
import { MAX_BODY } from '../../src/validation/forms';
import { WORST_INPUTS } from '../fixtures/cooking/worst';
import { fmtCount, median, RESULTS_DIR } from './lib';

/** The project's target: the worst input at most this many times a realistic post. */
export const MAX_VS_REALISTIC = 2;

const COOK_OPTIONS = { origin: 'https://forums.plimus.example', houseHosts: ['plimus.com'] };

/** A watched-word list of a realistic size. */
const WATCHED: WatchedWord[] = Array.from({ length: 20 }, (_, i) => ({
  word: i % 10 === 0 ? `cheap offer ${i}` : `watchedword${i}`,
  action: i % 2 ? 'block' : 'hold',
}));

/** What one submission's text costs the forum: the outcome, for the table. */
function submission(markdown: string): string {
  let bodyHtml: string;
  try {
    bodyHtml = cook(markdown, COOK_OPTIONS);
  } catch (err) {
    if (err instanceof UncookableMarkdown) return `refused (${err.reason})`;
    throw err;
  }
  matchPostWords({ title: 'A title for the benchmark', body: markdown, bodyHtml }, WATCHED);
  findPersonalData(markdown);
  return 'cooked';
}

const cpuMs = (work: () => void) => {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

/** CPU time of `work`, repeated until it has run for at least `floorMs` (per run). */
function measure(work: () => void, floorMs = 20): number {
  let runs = 0;
  let total = 0;
  while (total < floorMs || runs < 1) {
    total += cpuMs(work);
    runs++;
  }
  return total / runs;
}

const realisticOf = new Map<number, string>();

/**
 * What `markdown` costs as a submission, as a ratio to realistic prose of `length` (the median
 * of `rounds` rounds, each measuring both), and what became of it.
 */
export function submissionCost(
  markdown: string,
  length: number,
  rounds: number,
): { ratio: number; outcome: string } {
  let realistic = realisticOf.get(length);
  if (!realistic) {
    realistic = realisticMarkdown(length);
    realisticOf.set(length, realistic);
    for (let i = 0; i < 5; i++) submission(realistic);
  }
  const real = realistic;
  const ratios = Array.from(
    { length: rounds },
    () => measure(() => submission(markdown), 5) / measure(() => submission(real), 5),
  );
  return { ratio: median(ratios), outcome: submission(markdown) };
}

export type CookingRow = {
  name: string;
  why: string;
  outcome: string;
  /** work units used, as a share of the budget (cooked inputs only) */
  budgetShare: number | null;
  ms: number;
  ratio: number;
  ratios: number[];
  ok: boolean;
};

export type CookingResult = {
  length: number;
  rounds: number;
  budget: number;
  realistic: { ms: number; budgetShare: number };
  rows: CookingRow[];
};

export function benchCooking(opts: {
  length?: number;
  rounds?: number;
  log: (line: string) => void;
}): CookingResult {
  const length = opts.length ?? MAX_BODY;
  const rounds = opts.rounds ?? 15;
  const { log } = opts;
  const budget = cookingBudget(length);
  const realistic = realisticMarkdown(length);
  const inputs = WORST_INPUTS.map((w) => ({ ...w, markdown: w.make(length) }));
  log(`\n## The cooking budget: ${fmtCount(length)} characters, ${rounds} rounds`);

  // Warm-up: the JIT sees every input before anything is measured.
  for (let i = 0; i < 5; i++) {
    submission(realistic);
    for (const input of inputs) submission(input.markdown);
  }
  const realisticMs: number[] = [];
  const ratios = inputs.map(() => [] as number[]);
  const ms = inputs.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    inputs.forEach((input, i) => {
      const base = measure(() => submission(realistic));
      const cost = measure(() => submission(input.markdown));
      realisticMs.push(base);
      ms[i]?.push(cost);
      ratios[i]?.push(cost / base);
    });
    log(`  round ${r + 1}/${rounds}: realistic ${median(realisticMs).toFixed(1)} ms so far`);
  }
  const share = (md: string) => cookingWork(md, COOK_OPTIONS).units / budget;
  const rows: CookingRow[] = inputs.map((input, i) => {
    const outcome = submission(input.markdown);
    const ratio = median(ratios[i] ?? []);
    return {
      name: input.name,
      why: input.why,
      outcome,
      budgetShare: outcome === 'cooked' ? share(input.markdown) : null,
      ms: median(ms[i] ?? []),
      ratio,
      ratios: ratios[i] ?? [],
      ok: ratio <= MAX_VS_REALISTIC,
    };
  });
  return {
    length,
    rounds,
    budget,
    realistic: { ms: median(realisticMs), budgetShare: share(realistic) },
    rows,
  };
}

export function reportCooking(result: CookingResult, log: (line: string) => void) {
  const { realistic } = result;
  log(
    `\nRealistic prose with links, ${fmtCount(result.length)} characters: ${realistic.ms.toFixed(1)} ms of CPU per submission (cooking, watched words, personal data), ${(realistic.budgetShare * 100).toFixed(0)} % of its cooking budget (${fmtCount(result.budget)} units).\n`,
  );
  log(`| worst input | outcome | ms | × realistic | target ≤ ${MAX_VS_REALISTIC}× |`);
  log('| --- | --- | ---: | ---: | --- |');
  for (const row of result.rows) {
    const outcome =
      row.budgetShare === null
        ? row.outcome
        : `${row.outcome}, ${(row.budgetShare * 100).toFixed(0)} % of the budget`;
    log(
      `| ${row.name} | ${outcome} | ${row.ms.toFixed(1)} | ${row.ratio.toFixed(2)} | ${row.ok ? 'PASS' : 'FAIL'} |`,
    );
  }
}

/** Runs, reports and writes the cooking benchmark; true when every row meets the target. */
export function runCookingBench(opts: {
  length?: number;
  rounds?: number;
  log: (line: string) => void;
}): boolean {
  const result = benchCooking(opts);
  reportCooking(result, opts.log);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, 'cooking.json');
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2)}\n`);
  opts.log(`\nWrote ${file}`);
  return result.rows.every((r) => r.ok);
}
