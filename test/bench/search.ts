/**
 * The search and sitemap rows of `npm run bench` (alone with `npm run bench -- --only search`):
 * four kinds of query and the sitemaps, each as a whole page (route, database, view) through the
 * app in this process, one request at a time, so that a request's time is its own and not a
 * queue's. Nothing is cached: /search is never cached, and this app has no page cache.
 *
 * The queries come from the seeded database itself: a two-word query of mid-frequency words, a
 * phrase (the generator's collocations), a filtered query (forum: of the busiest forum plus
 * is:unanswered) and a common word (one that more than 10 % of the posts contain), ten of each,
 * taken in turn.
 */
import { createClient } from '@libsql/client';
import { createDb } from '../../db/client';
import { openLibsql } from '../../db/open';
import { COLLOCATIONS } from '../../scripts/seed-text';
import { createApp } from '../../src/app';
import { makeDeps } from '../../src/context';
import { loadConfig } from '../../src/env';
import { BENCH_SECRET, fmtCount, median } from './lib';

export type SearchKind = 'two-words' | 'phrase' | 'filtered' | 'common' | 'sitemap';

export const SEARCH_LABELS: Record<SearchKind, string> = {
  'two-words': 'search: two words',
  phrase: 'search: a "phrase"',
  filtered: 'search: forum: + is:unanswered',
  common: 'search: a word in > 10 % of posts',
  sitemap: 'sitemap of 1,000 topics',
};

/** The goals at the larger size. */
export const SEARCH_GOALS = { p50Ms: 20, p99Ms: 60, growth: 2 };

export type SearchRow = {
  kind: SearchKind;
  /** what was requested, ten of each kind */
  paths: string[];
  /** per round: median and 99th percentile of the requests, in ms */
  rounds: { p50: number; p99: number }[];
  p50: number;
  p99: number;
  /** the smallest and largest p50 of the rounds: how much the run moved */
  spread: [number, number];
  /** URLs per sitemap (its growth is per URL: a sitemap of a small forum lists fewer topics) */
  urls?: number;
};

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** Ten queries of each kind, read from the database's own words. */
async function pickQueries(url: string): Promise<Record<SearchKind, string[]>> {
  const client = createClient({ url });
  try {
    await client.execute(
      "CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_terms USING fts5vocab(main, posts_fts, 'row')",
    );
    const posts = Number((await client.execute('SELECT count(*) FROM posts_fts')).rows[0]?.[0]);
    const band = async (lo: number, hi: number, n: number) =>
      (
        await client.execute({
          sql: `SELECT term FROM temp.bench_terms WHERE doc BETWEEN ? AND ? AND term GLOB '[a-z][a-z][a-z]*' ORDER BY doc DESC LIMIT ?`,
          args: [Math.ceil(posts * lo), Math.floor(posts * hi), n],
        })
      ).rows.map((r) => String(r.term));
    const common = await band(0.1, 0.3, 10);
    const mid = await band(0.005, 0.03, 20);
    const forum = (
      await client.execute(
        'SELECT slug FROM forums WHERE product_id IS NOT NULL ORDER BY topic_count DESC LIMIT 1',
      )
    ).rows[0]?.slug;
    if (common.length < 3 || mid.length < 6 || !forum) {
      throw new Error('the database has too few words for the search rows');
    }
    const q = (text: string) => `/search?q=${encodeURIComponent(text)}`;
    const topics = Number((await client.execute('SELECT max(id) FROM topics')).rows[0]?.[0]);
    const sitemaps = Math.max(1, Math.ceil(topics / 1000));
    return {
      'two-words': Array.from({ length: 10 }, (_, i) =>
        q(`${mid[i % mid.length]} ${mid[(i + 10) % mid.length]}`),
      ),
      phrase: COLLOCATIONS.slice(0, 10).map((c) => q(`"${c}"`)),
      filtered: Array.from({ length: 10 }, (_, i) =>
        q(`${mid[i % mid.length]} forum:${forum} is:unanswered`),
      ),
      common: common.slice(0, 10).map((w) => q(w)),
      sitemap: Array.from(
        { length: 10 },
        (_, i) => `/sitemap/topics/${1 + Math.floor((i * sitemaps) / 10)}.xml`,
      ),
    };
  } finally {
    client.close();
  }
}

/**
 * Runs the rows on one database: `rounds` rounds of `perRound` requests per kind (round-robin
 * over the kinds, so that drift hits all alike), after a warm-up.
 */
export async function benchSearch(
  url: string,
  opts: { rounds: number; perRound: number; log: (line: string) => void },
): Promise<SearchRow[]> {
  const queries = await pickQueries(url);
  const client = await openLibsql({ databaseUrl: url, databaseAuthToken: undefined });
  try {
    const config = loadConfig({
      DATABASE_URL: url,
      NODE_ENV: 'production',
      SEED_DEMO: 'false',
      FORUM_SECRET: BENCH_SECRET,
    });
    // Each request is another client: the search's rate limit is per client.
    let n = 0;
    const app = createApp(makeDeps(createDb({ libsql: client }), config), {
      log: (line) => {
        if (line.startsWith('error')) console.error(line);
      },
      clientAddress: (c) => c.req.header('x-bench-client'),
    });
    const urls: number[] = [];
    const once = async (path: string) => {
      const started = performance.now();
      const res = await app.request(`${config.publicOrigin}${path}`, {
        headers: { 'x-bench-client': `bench-${++n}` },
      });
      const body = await res.text();
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      if (path.startsWith('/sitemap/')) urls.push(body.split('<url>').length - 1);
      return ms;
    };
    const kinds = Object.keys(queries) as SearchKind[];
    for (const kind of kinds) for (const path of queries[kind]) await once(path); // warm-up
    const times = new Map<SearchKind, { p50: number; p99: number }[]>();
    for (let r = 1; r <= opts.rounds; r++) {
      for (const kind of kinds) {
        const ms: number[] = [];
        for (let i = 0; i < opts.perRound; i++) {
          ms.push(await once(queries[kind][i % queries[kind].length] as string));
        }
        const round = { p50: percentile(ms, 50), p99: percentile(ms, 99) };
        times.set(kind, [...(times.get(kind) ?? []), round]);
        opts.log(
          `  round ${r}/${opts.rounds} ${SEARCH_LABELS[kind].padEnd(36)} p50 ${round.p50.toFixed(1)} ms  p99 ${round.p99.toFixed(1)} ms  (${fmtCount(opts.perRound)} requests)`,
        );
      }
    }
    return kinds.map((kind) => {
      const rounds = times.get(kind) ?? [];
      const p50s = rounds.map((x) => x.p50);
      return {
        kind,
        paths: queries[kind],
        rounds,
        p50: median(p50s),
        p99: median(rounds.map((x) => x.p99)),
        spread: [Math.min(...p50s), Math.max(...p50s)],
        ...(kind === 'sitemap' ? { urls: urls.reduce((a, b) => a + b, 0) / urls.length } : {}),
      };
    });
  } finally {
    client.close();
  }
}

export type SearchVerdict = { target: string; value: string; ok: boolean };

/** The table rows and the verdicts for two sizes. */
export function searchReport(
  small: { label: string; rows: SearchRow[] },
  large: { label: string; rows: SearchRow[] },
): { lines: string[]; verdicts: SearchVerdict[] } {
  const lines = [
    `| search and sitemap (in process, one request at a time) | posts | p50 ms | p99 ms | p50 of the rounds, min–max | growth ${small.label} → ${large.label} (p50; sitemap: per URL) | target at ${large.label} |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const verdicts: SearchVerdict[] = [];
  const g = SEARCH_GOALS;
  for (const row of large.rows) {
    const before = small.rows.find((r) => r.kind === row.kind);
    // A sitemap grows per URL it lists: a small forum's sitemaps hold fewer than 1,000 topics.
    const perUnit = (r: SearchRow) => r.p50 / (r.urls ?? 1);
    const growth = before ? perUnit(row) / perUnit(before) : Number.NaN;
    const ok = row.p50 <= g.p50Ms && row.p99 <= g.p99Ms && growth <= g.growth;
    for (const [label, r] of [
      [small.label, before],
      [large.label, row],
    ] as const) {
      if (!r) continue;
      const last = r === row;
      lines.push(
        `| ${SEARCH_LABELS[row.kind]}${r.urls ? ` (${fmtCount(Math.round(r.urls))} URLs)` : ''} | ${label} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.spread[0].toFixed(1)}–${r.spread[1].toFixed(1)} | ${last ? `${growth.toFixed(2)}×` : ''} | ${last ? `p50 ≤ ${g.p50Ms}, p99 ≤ ${g.p99Ms}, growth ≤ ${g.growth}×: ${ok ? 'PASS' : 'FAIL'}` : ''} |`,
      );
    }
    verdicts.push({
      target: `${SEARCH_LABELS[row.kind]} at ${large.label}: p50 ≤ ${g.p50Ms} ms, p99 ≤ ${g.p99Ms} ms, growth ${small.label} → ${large.label} ≤ ${g.growth}×`,
      value: `p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms, growth ${growth.toFixed(2)}×`,
      ok,
    });
  }
  return { lines, verdicts };
}
