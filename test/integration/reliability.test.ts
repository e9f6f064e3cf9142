/**
 * The reliability suite, small (`npm run reliability` runs it at full scale): a few seconds of
 * load, three crash rounds, a few hundred hostile posts. It asserts the invariants, never a
 * timing: nothing acknowledged lost, no 5xx, the file intact and its counters consistent, no
 * refused request changing the database. (The full disk needs a file system of its own, mounted
 * as root: `npm run reliability` runs it; `faults.test.ts` covers a full and a read-only database
 * in every run.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runFuzz } from '../reliability/fuzz';
import { type PartResult, runCrash, runLoad, scratch } from '../reliability/reliability';

const { dir, done } = scratch();
afterAll(done);

/** Every figure that failed, and every problem, by name: empty when the part held. */
const failures = (r: PartResult) => [
  ...r.figures.filter((f) => !f.ok).map((f) => `${f.name}: ${f.value}`),
  ...r.problems,
];

describe('the reliability suite, small', () => {
  it('under load, loses no acknowledged reply, answers no 5xx, and shows each reply at once', async () => {
    const r = await runLoad({ seconds: 6, readers: 6, writers: 3, dir: `${dir}/load` });
    expect(failures(r)).toEqual([]);
    expect(r.figures.find((f) => f.name === 'load: replies acknowledged')?.value).not.toBe('0');
  }, 120_000);

  it('killed with kill -9 during writes three times, keeps the file intact and every acknowledged reply', async () => {
    const r = await runCrash({ rounds: 3, writers: 4, dir: `${dir}/crash` });
    expect(failures(r)).toEqual([]);
  }, 180_000);

  it('fed hostile posts and GETs, answers no 5xx and changes nothing when it refuses', async () => {
    const r = await runFuzz({ posts: 300, gets: 100, seed: 7 });
    expect(failures(r)).toEqual([]);
  }, 180_000);
});
