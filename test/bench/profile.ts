/**
 * `npm run bench:profile -- [--posts 1m | --db file:path] [--target topic] [--duration 10]
 *   [--top 25] [--cache] [--keep]`
 *
 * Where a page's time goes, two ways:
 * 1. In process, no HTTP: the page through `createApp(...).request()`, with the time spent inside
 *    the libsql client (the SQLite work and the driver) measured apart from everything else.
 * 2. The forum under `node --cpu-prof` (test/bench/forum-entry.ts) loaded with autocannon; the
 *    profile is summarised by self time per function and per area (SQLite, drizzle, hono, views...).
 *    The Node page cache is off (PAGE_CACHE_SECONDS=0) so that every request renders; `--cache`
 *    profiles the default configuration instead (cache hits for a repeated page).
 * Seeds a temporary database with `--posts` (default 1M) unless `--db` names one; `--keep` keeps
 * the .cpuprofile in test/bench/results/ (open it in Chrome DevTools or speedscope).
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Client, createClient } from '@libsql/client';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { createDb } from '../../db/client';
import { openLibsql } from '../../db/open';
import { type SeedLargeResult, seedLarge } from '../../scripts/seed-large';
import { createApp } from '../../src/app';
import { makeDeps } from '../../src/context';
import { loadConfig } from '../../src/env';
import {
  argValue,
  BENCH_SECRET,
  fmtCount,
  type Page,
  type PageKey,
  parseCount,
  pickPages,
  RESULTS_DIR,
  runScript,
  startForum,
  stopChild,
} from './lib';

const pageKey = (argValue('--target') ?? 'topic') as PageKey;
/** profile the forum as configured by default, page cache included (default: cache off) */
const withCache = process.argv.includes('--cache');
const duration = Number(argValue('--duration') ?? 10);
const top = Number(argValue('--top') ?? 25);
const keep = process.argv.includes('--keep');

type SeedFacts = Pick<SeedLargeResult, 'firstTopicId' | 'lastTopicId' | 'longTopicId'>;

/** What pickPages needs to know of the seeding, read from an existing database. */
async function describeDatabase(url: string): Promise<SeedFacts> {
  const client = createClient({ url });
  try {
    const r = (
      await client.execute(
        'SELECT min(id) AS lo, max(id) AS hi, (SELECT id FROM topics ORDER BY post_count DESC LIMIT 1) AS long FROM topics',
      )
    ).rows[0];
    return {
      firstTopicId: Number(r?.lo),
      lastTopicId: Number(r?.hi),
      longTopicId: Number(r?.long),
    };
  } finally {
    client.close();
  }
}

// --- 1. in process ---------------------------------------------------------------------------------

async function timeIt(label: string, iterations: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(200, iterations); i++) await fn(); // warm-up
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  const ms = (performance.now() - started) / iterations;
  console.log(
    `  ${label.padEnd(52)} ${ms.toFixed(3).padStart(8)} ms   ${fmtCount(Math.round(1000 / ms)).padStart(7)} /s`,
  );
  return ms;
}

/**
 * The client with a stopwatch around every `execute` and `batch`: the embedded driver runs a
 * statement synchronously inside the call, so this is the time spent in libsql and SQLite
 * (preparing, stepping, converting rows), and the number of statements a page runs.
 */
function timedClient(client: Client) {
  const stats = { ms: 0, calls: 0 };
  const timed = new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop !== 'execute' && prop !== 'batch') return value.bind(target);
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await value.apply(target, args);
        } finally {
          stats.ms += performance.now() - started;
          stats.calls++;
        }
      };
    },
  });
  return { client: timed, stats };
}

async function inProcess(url: string, { path, headers }: Page) {
  // Opened as the server opens it (settings, migrations), so an older database file works too.
  const raw = await openLibsql({ databaseUrl: url, databaseAuthToken: undefined });
  const { client, stats } = timedClient(raw);
  const config = loadConfig({
    DATABASE_URL: url,
    NODE_ENV: 'production',
    SEED_DEMO: 'false',
    FORUM_SECRET: BENCH_SECRET,
  });
  const app = createApp(makeDeps(createDb({ libsql: client }), config), {
    log: (line) => {
      if (line.startsWith('error')) console.error(line);
    },
  });
  const hello = new Hono().get('/', (c) => c.text('Hello'));
  const origin = config.publicOrigin;
  const n = 2000;
  console.log(
    `\nIn process (createApp(...).request, no HTTP, no page cache), ${fmtCount(n)} requests each:`,
  );
  const helloMs = await timeIt('hello-world app', n, () =>
    Promise.resolve(hello.request(`${origin}/`)).then((r) => r.text()),
  );
  const pageMs = await timeIt(path.length > 50 ? `${path.slice(0, 49)}…` : path, n, async () => {
    const res = await app.request(`${origin}${path}`, { headers });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    return res.text();
  });
  stats.ms = 0;
  stats.calls = 0;
  for (let i = 0; i < n; i++) {
    await Promise.resolve(app.request(`${origin}${path}`, { headers })).then((r) => r.text());
  }
  const dbMs = stats.ms / n;
  console.log(
    `  => ${(stats.calls / n).toFixed(1)} statements per page; ${dbMs.toFixed(3)} ms (${((dbMs / pageMs) * 100).toFixed(0)} %) inside the libsql client (prepare, step, row conversion), ${(pageMs - dbMs).toFixed(3)} ms (${(((pageMs - dbMs) / pageMs) * 100).toFixed(0)} %) everything else (drizzle query building and mapping, routing, middleware, rendering); hello-world ${helloMs.toFixed(3)} ms`,
  );
  raw.close();
}

// --- 2. CPU profile --------------------------------------------------------------------------------

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

function area(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
    return 'native (V8 builtins, C++ addons: SQLite in libsql)';
  }
  const areas: [RegExp, string][] = [
    [/node_modules\/(@libsql|libsql)\//, 'libsql client (JS side)'],
    [/node_modules\/drizzle-orm\//, 'drizzle-orm'],
    [/node_modules\/@hono\/node-server\//, '@hono/node-server'],
    [/node_modules\/hono\/dist\/jsx\//, 'hono/jsx rendering'],
    [/node_modules\/hono\//, 'hono (router, context, middleware)'],
    [/node_modules\/zod\//, 'zod'],
    [/node_modules\//, 'other packages'],
    [/\/views\//, 'views/ (page components)'],
    [/\/src\//, 'src/ (routes, services, middleware)'],
    [/\/db\//, 'db/'],
    [/^node:/, 'Node core (http, streams, zlib...)'],
  ];
  return areas.find(([re]) => re.test(url))?.[1] ?? 'other';
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, '')
    .replace(/^.*\/(src|views|db|test)\//, '$1/');
}

function summarise(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const keyOf = (f: CallFrame) =>
    `${f.functionName || '(anonymous)'}  ${f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : ''}`;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      return;
    }
    busy += dt;
    const key = keyOf(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const a = area(node.callFrame);
    areas.set(a, (areas.get(a) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      const k = keyOf(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  });
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  console.log(
    `\nCPU profile: ${(busy / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle (shares below are of busy time)`,
  );
  console.log('\nBy area (self time):');
  for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1])) {
    console.log(`  ${pct(us)} ${ms(us)}  ${a}`);
  }
  console.log(`\nTop ${top} functions by self time:`);
  for (const [k, us] of [...self].sort((x, y) => y[1] - x[1]).slice(0, top)) {
    console.log(`  ${pct(us)} ${ms(us)}  ${k}`);
  }
  console.log(`\nApp functions by total (inclusive) time:`);
  const app = [...total].filter(([k]) => /\s(src|views|db)\//.test(k));
  for (const [k, us] of app.sort((x, y) => y[1] - x[1]).slice(0, top)) {
    console.log(`  ${pct(us)} ${ms(us)}  ${k}`);
  }
}

async function cpuProfile(url: string, { path, headers }: Page, scratch: string) {
  const dir = join(scratch, 'cpuprofile');
  mkdirSync(dir, { recursive: true });
  const forum = await startForum('forum', url, {
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    env: withCache ? {} : { PAGE_CACHE_SECONDS: '0' },
  });
  try {
    console.log(
      `\nLoading ${path} under --cpu-prof for ${duration} s (10 connections, page cache ${withCache ? 'on' : 'off'})...`,
    );
    await autocannon({ url: forum.url + path, connections: 10, duration: 2, headers });
    const r = await autocannon({ url: forum.url + path, connections: 10, duration, headers });
    console.log(
      `  ${fmtCount(Math.round(r.requests.average))} req/s under the profiler, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.non2xx} non-2xx`,
    );
  } finally {
    await stopChild(forum.child);
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('the forum wrote no CPU profile');
  summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
  if (keep) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const kept = join(RESULTS_DIR, `forum-${pageKey}${withCache ? '-cached' : ''}.cpuprofile`);
    copyFileSync(join(dir, file), kept);
    console.log(`\nKept ${kept}`);
  }
}

async function main(scratch: string) {
  const db = argValue('--db');
  let url: string;
  let seed: SeedFacts;
  if (db) {
    url = db;
    seed = await describeDatabase(url);
  } else {
    url = `file:${join(scratch, 'forum.db')}`;
    const posts = parseCount(argValue('--posts') ?? '1m');
    seed = await seedLarge({ url, posts, config: loadConfig({ DATABASE_URL: url }) });
  }
  const picked = await pickPages(url, seed);
  const page = picked.pages.find((p) => p.key === pageKey);
  if (!page)
    throw new Error(`--target must be one of ${picked.pages.map((p) => p.key).join(', ')}`);
  await inProcess(url, page);
  await cpuProfile(url, page, scratch);
}

await runScript('forum-profile-', main);
