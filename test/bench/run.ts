/**
 * `npm run bench [-- --only pages|search|cooking|notifications --sizes 10k,1m --rounds 3 --duration 5
 *   --warmup 2 --connections 10 --quiet-budget 120 --search-requests 200 --length 50k
 *   --cooking-rounds 15 --fuzz 0 --seed 1]`
 *
 * Three parts, all by default; `--only` runs one. The pages (below), search and the sitemap
 * (test/bench/search.ts), and the cooking budget (test/bench/cooking.ts: the worst inputs known
 * against realistic prose of their length).
 *
 * Seeds two fresh temporary databases (10k and 1M posts by default) with scripts/seed-large.ts,
 * then for each starts, as child processes, the forum (test/bench/forum-entry.ts) as configured
 * by default, the forum with its page cache off (PAGE_CACHE_SECONDS=0, so every request reads the
 * database and renders), and a hello-world Hono server (test/bench/hello-entry.ts). Autocannon,
 * in this process, loads the hello-world `/`, the forum index, the busiest forum, the first page
 * of a typical topic from the middle of the id range (plain and with gzip), and the last page of
 * the long topic. Every target gets a warm-up, then several timed rounds (round-robin over the
 * targets, so drift hits all alike); the table shows medians over the rounds, with the server's
 * CPU time per request, which other load on a shared machine hardly moves. Before each round the
 * run waits (within --quiet-budget seconds overall) for other processes to go quiet, and records
 * how busy they were. Also measures the compressed size of topic pages, checks the project's
 * targets, and writes test/bench/results/latest.json. Temporary files and child processes are
 * removed at the end, also on failure or Ctrl-C. Then the search and sitemap rows
 * (test/bench/search.ts); `--only search` runs only those. Then the notification rows
 * (test/bench/notifications.ts: posting beside 10,000 watchers, the fan-out, the reading state,
 * the header counts; `--watchers N --notification-posts N`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { type SeedLargeResult, seedLarge } from '../../scripts/seed-large';
import { loadConfig } from '../../src/env';
import { MAX_BODY } from '../../src/validation/forms';
import { runCookingBench } from './cooking';
import { fuzzCooking } from './cooking-fuzz';
import {
  argValue,
  childEnv,
  fmtCount,
  get,
  HELLO_ENTRY,
  median,
  PAGE_LABELS,
  type Page,
  type PageKey,
  type PageSize,
  type PickedPages,
  pageSize,
  parseCount,
  pickPages,
  RESULTS_DIR,
  type Running,
  runScript,
  sizeLabel,
  startChild,
  startForum,
  stopChild,
} from './lib';
import { benchNotifications } from './notifications';
import { benchSearch, type SearchRow, searchReport } from './search';

/** The project's targets. */
const MIN_TOPIC_VS_HELLO = 0.4;
const MAX_GROWTH = 1.25;
const MAX_TOPIC_COMPRESSED = 25 * 1024;

const only = argValue('--only');
const PARTS = ['pages', 'search', 'cooking', 'notifications'];
if (only !== undefined && !PARTS.includes(only)) {
  throw new Error(`--only takes ${PARTS.join(', ')}, not ${only}`);
}

const options = {
  sizes: (argValue('--sizes') ?? '10k,1m').split(',').map(parseCount),
  rounds: Number(argValue('--rounds') ?? 3),
  duration: Number(argValue('--duration') ?? 5),
  warmup: Number(argValue('--warmup') ?? 2),
  connections: Number(argValue('--connections') ?? 10),
  /** seconds the whole run may spend waiting for other processes to go quiet before a round */
  quietBudget: Number(argValue('--quiet-budget') ?? 120),
  /** the cooking part: the length of the texts compared, and its rounds */
  length: argValue('--length') === undefined ? undefined : parseCount(argValue('--length') ?? ''),
  cookingRounds: Number(argValue('--cooking-rounds') ?? 15),
  /** with the cooking part: that many generated inputs looking for worse ones, and their seed */
  fuzz: Number(argValue('--fuzz') ?? 0),
  seed: Number(argValue('--seed') ?? 1),
  /** requests per kind of search in a round */
  searchRequests: Number(argValue('--search-requests') ?? 200),
};

/** Other processes using less than this many cores count as a quiet machine. */
const QUIET_CORES = 0.25;
/** times a round disturbed by other processes is tried (while the quiet budget lasts) */
const MAX_ATTEMPTS = 3;

const isQuiet = (r: { otherCores?: number | undefined }) => (r.otherCores ?? 0) < QUIET_CORES;

// --- other load on the machine ---------------------------------------------------------------------

/** Linux clock ticks (USER_HZ) per second, as /proc reports CPU time. */
const TICKS = 100;

/** Busy CPU ticks of the whole machine, or undefined where /proc is missing. */
function machineBusyTicks(): number | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1);
    // user nice system idle iowait irq softirq steal. Interrupt time is left out: the kernel's
    // loopback networking for our own requests lands there, not on our processes.
    const [user = 0, nice = 0, system = 0, , , , , steal = 0] = (cpu ?? []).map(Number);
    return user + nice + system + steal;
  } catch {
    return undefined;
  }
}

/** CPU ticks a process has used (user + system). */
function processTicks(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * Measures how much CPU everything else on the machine used meanwhile (in cores), since the
 * servers and the load generator share it with whatever else runs there.
 */
function otherLoadMeter(pids: (number | undefined)[]) {
  const ours = () => pids.reduce<number>((sum, pid) => sum + processTicks(pid), 0);
  const busy0 = machineBusyTicks();
  const ours0 = ours();
  const started = performance.now();
  return (): number | undefined => {
    const busy1 = machineBusyTicks();
    if (busy0 === undefined || busy1 === undefined) return undefined;
    const seconds = (performance.now() - started) / 1000;
    return Math.max(0, busy1 - busy0 - (ours() - ours0)) / TICKS / seconds;
  };
}

let quietBudgetMs = options.quietBudget * 1000;

/**
 * Waits (within the run's budget) until other processes use less than QUIET_CORES, measured
 * over one second, so that a round does not start in the middle of someone's test suite.
 */
async function waitForQuiet(ours: (number | undefined)[]): Promise<void> {
  while (quietBudgetMs > 0) {
    const meter = otherLoadMeter(ours);
    await new Promise((r) => setTimeout(r, 1000));
    quietBudgetMs -= 1000;
    const other = meter();
    if (other === undefined || other < QUIET_CORES) return;
  }
}

// --- load ----------------------------------------------------------------------------------------

type Round = {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** CPU cores used by other processes on the machine during the round */
  otherCores?: number | undefined;
  /**
   * CPU time the server process spent per request (µs): unlike req/s, barely affected by other
   * load on the machine, so ratios and growth can be checked on it too.
   */
  cpuUs?: number | undefined;
};

async function load(url: string, seconds: number, headers?: Record<string, string>) {
  const r = await autocannon({
    url,
    connections: options.connections,
    duration: seconds,
    ...(headers ? { headers } : {}),
  });
  const round: Round = {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
  return round;
}

// --- the run ---------------------------------------------------------------------------------------

/**
 * What is loaded: the hello-world server, and every forum page twice, on the forum as configured
 * by default (the Node page cache answers repeated requests for a page) and on the forum with
 * PAGE_CACHE_SECONDS=0, where every request reads the database and renders: the cost of a page
 * that is not in the cache, and the only one that can grow with the size of the database.
 */
type ServerKind = 'hello' | 'cached' | 'uncached';
type TargetKey = 'hello' | PageKey | `${PageKey}:uncached`;

type Target = {
  key: TargetKey;
  label: string;
  server: ServerKind;
  path: string;
  headers?: Record<string, string> | undefined;
};

const HELLO_LABEL = 'hello-world `/`';
const UNCACHED = ', no page cache';

function targetsOf(pages: Page[]): Target[] {
  return [
    { key: 'hello', label: HELLO_LABEL, server: 'hello', path: '/' },
    ...pages.map((p) => ({ ...p, server: 'cached' as const })),
    ...pages.map((p) => ({
      ...p,
      key: `${p.key}:uncached` as const,
      label: `${p.label}${UNCACHED}`,
      server: 'uncached' as const,
    })),
  ];
}

type Measured = {
  path: string;
  rps: number;
  p50: number;
  p99: number;
  cpuUs: number;
  /** how many rounds other processes left alone (the medians are over these, see above) */
  quietRounds: number;
  /** every round run, disturbed ones included */
  rounds: Round[];
};

type DatasetResult = Omit<PickedPages, 'pages'> & {
  posts: number;
  seed: SeedLargeResult;
  targets: Target[];
  measured: Partial<Record<TargetKey, Measured>>;
  sizes: { topic: PageSize; longLast: PageSize };
};

async function benchDataset(
  posts: number,
  url: string,
  seed: SeedLargeResult,
): Promise<DatasetResult> {
  const { pages, ...picked } = await pickPages(url, seed);
  const targets = targetsOf(pages);
  const label = sizeLabel(posts);
  const servers: Partial<Record<ServerKind, Running>> = {};
  try {
    servers.cached = await startForum(`forum ${label}`, url);
    servers.uncached = await startForum(`forum ${label}, no page cache`, url, {
      env: { PAGE_CACHE_SECONDS: '0' },
    });
    servers.hello = await startChild('hello', HELLO_ENTRY, childEnv({ PORT: '0' }));
    const running = servers as Record<ServerKind, Running>;
    const base = (t: Pick<Target, 'server' | 'path'>) => running[t.server].url + t.path;
    for (const t of targets) {
      const res = await get(base(t), { ...t.headers });
      if (res.status !== 200) throw new Error(`${t.path} answered ${res.status}`);
    }
    const pagePath = (key: PageKey) => pages.find((p) => p.key === key)?.path ?? '/';
    const sizes = {
      topic: await pageSize(base({ server: 'cached', path: pagePath('topic') })),
      longLast: await pageSize(base({ server: 'cached', path: pagePath('long-last') })),
    };

    log(`\n## ${fmtCount(posts)} posts: warm-up (${options.warmup} s per target)`);
    for (const t of targets) await load(base(t), options.warmup, t.headers);

    const rounds = new Map<TargetKey, Round[]>();
    const ours = [process.pid, ...Object.values(running).map((r) => r.child.pid)];
    for (let r = 1; r <= options.rounds; r++) {
      for (const t of targets) {
        for (let attempt = 1; ; attempt++) {
          await waitForQuiet(ours);
          const meter = otherLoadMeter(ours);
          const server = running[t.server].child.pid;
          const cpu0 = processTicks(server);
          const round = await load(base(t), options.duration, t.headers);
          round.otherCores = meter();
          round.cpuUs = ((processTicks(server) - cpu0) * 1e6) / TICKS / Math.max(1, round.requests);
          if (round.errors || round.non2xx) {
            log(`  warning: ${t.path}: ${round.errors} errors, ${round.non2xx} non-2xx responses`);
          }
          rounds.set(t.key, [...(rounds.get(t.key) ?? []), round]);
          const noisy = !isQuiet(round);
          log(
            `  round ${r}/${options.rounds} ${t.label.padEnd(40)} ${fmtCount(Math.round(round.rps)).padStart(7)} req/s  p50 ${round.p50} ms  p99 ${round.p99} ms  server CPU ${fmtCount(Math.round(round.cpuUs))} µs/req${round.otherCores === undefined ? '' : `  (other processes: ${round.otherCores.toFixed(2)} cores${noisy ? ', noisy' : ''})`}`,
          );
          // A round disturbed by other processes is run again while the quiet budget lasts.
          if (!noisy || attempt >= MAX_ATTEMPTS || quietBudgetMs <= 0) break;
          quietBudgetMs -= options.duration * 1000;
        }
      }
    }
    // Other load only ever slows a round, so the medians leave disturbed rounds out, but only
    // when every target has a quiet round: ratios between targets need the same treatment.
    const quietOnly = targets.every((t) => (rounds.get(t.key) ?? []).some(isQuiet));
    const measured: DatasetResult['measured'] = {};
    for (const t of targets) {
      const rs = rounds.get(t.key) ?? [];
      const quiet = rs.filter(isQuiet);
      const used = quietOnly ? quiet : rs;
      measured[t.key] = {
        path: t.path,
        rps: median(used.map((x) => x.rps)),
        p50: median(used.map((x) => x.p50)),
        p99: median(used.map((x) => x.p99)),
        cpuUs: median(used.map((x) => x.cpuUs ?? 0)),
        quietRounds: quiet.length,
        rounds: rs,
      };
    }
    return { posts, seed, ...picked, targets, measured, sizes };
  } finally {
    for (const r of Object.values(servers)) await stopChild(r.child);
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

type Verdict = { target: string; value: string; ok: boolean };

function report(datasets: DatasetResult[], machine: Record<string, string | number>) {
  const small = datasets[0] as DatasetResult;
  const large = datasets[datasets.length - 1] as DatasetResult;
  const from = sizeLabel(small.posts);
  const to = sizeLabel(large.posts);
  const lines: string[] = [];
  lines.push(
    `| target | posts | req/s | p50 ms | p99 ms | × hello-world | growth ${from} → ${to} | server CPU µs/req | quiet rounds |`,
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const rps = (d: DatasetResult, key: TargetKey) => d.measured[key]?.rps ?? 0;
  const cpu = (d: DatasetResult, key: TargetKey) => d.measured[key]?.cpuUs || Number.NaN;
  const growth = (key: TargetKey) => rps(small, key) / rps(large, key);
  const vsHello = (d: DatasetResult, key: TargetKey) => rps(d, key) / rps(d, 'hello');
  // The same ratios from server CPU time per request, which other load on the machine hardly moves.
  const cpuGrowth = (key: TargetKey) => cpu(large, key) / cpu(small, key);
  const cpuVsHello = (d: DatasetResult, key: TargetKey) => cpu(d, 'hello') / cpu(d, key);
  for (const t of large.targets) {
    for (const d of datasets) {
      const m = d.measured[t.key];
      if (!m) continue;
      const last = d === large && datasets.length > 1;
      lines.push(
        `| ${t.label} | ${sizeLabel(d.posts)} | ${fmtCount(Math.round(m.rps))} | ${m.p50} | ${m.p99} | ${vsHello(d, t.key).toFixed(2)} | ${last ? `${growth(t.key).toFixed(2)}×` : ''} | ${fmtCount(Math.round(m.cpuUs))} | ${m.quietRounds}/${m.rounds.length} |`,
      );
    }
  }
  lines.push('');
  lines.push('| page | posts | encoding | compressed | uncompressed |');
  lines.push('| --- | ---: | --- | ---: | ---: |');
  for (const d of datasets) {
    const rows: [string, PageSize][] = [
      [`topic page 1 (/t/${d.topic.id}, ${d.topic.posts} posts)`, d.sizes.topic],
      [`long topic page ${d.longTopic.page} (/t/${d.longTopic.id})`, d.sizes.longLast],
    ];
    for (const [label, s] of rows) {
      lines.push(
        `| ${label} | ${sizeLabel(d.posts)} | ${s.encoding} | ${fmtCount(s.compressed)} B (${(s.compressed / 1024).toFixed(1)} KB) | ${fmtCount(s.uncompressed)} B (${(s.uncompressed / 1024).toFixed(1)} KB) |`,
      );
    }
  }

  const verdicts: Verdict[] = [];
  const byCpu = (x: number) => `(by server CPU time per request: ${x.toFixed(2)}×)`;
  // The target is for the forum as it ships (page cache on); every request rendering is reported
  // beside it, for what a signed-in reader or a cold page costs.
  const ratio = vsHello(large, 'topic');
  verdicts.push({
    target: `${PAGE_LABELS.topic} at ${to} ≥ ${MIN_TOPIC_VS_HELLO}× hello-world req/s`,
    value: `${ratio.toFixed(2)}× ${byCpu(cpuVsHello(large, 'topic'))}`,
    ok: ratio >= MIN_TOPIC_VS_HELLO,
  });
  const rendered = vsHello(large, 'topic:uncached');
  const renderedNote = `For reference, ${PAGE_LABELS.topic}${UNCACHED} at ${to}: ${rendered.toFixed(2)}× hello-world req/s ${byCpu(cpuVsHello(large, 'topic:uncached'))}, ${fmtCount(Math.round(large.measured['topic:uncached']?.cpuUs ?? 0))} µs of server CPU per page.`;
  for (const t of large.targets) {
    if (t.server === 'hello' || t.key.startsWith('topic-gzip')) continue;
    const g = growth(t.key);
    verdicts.push({
      target: `${t.label}: growth ${from} → ${to} ≤ ${MAX_GROWTH}×`,
      value: `${g.toFixed(2)}× ${byCpu(cpuGrowth(t.key))}`,
      ok: g <= MAX_GROWTH,
    });
  }
  for (const [label, s] of [
    ['topic page 1', large.sizes.topic],
    ['long topic, last page', large.sizes.longLast],
  ] as const) {
    verdicts.push({
      target: `${label} at ${to} ≤ ${MAX_TOPIC_COMPRESSED / 1024} KB compressed`,
      value: `${(s.compressed / 1024).toFixed(1)} KB ${s.encoding}`,
      ok: s.compressed <= MAX_TOPIC_COMPRESSED && s.encoding !== 'identity',
    });
  }

  log('\n# Results\n');
  log(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB RAM, ${machine.os}, Node ${machine.node}`,
  );
  log(
    `Load: autocannon, ${options.connections} connections, ${options.warmup} s warm-up, median of ${options.rounds} × ${options.duration} s rounds per target; servers and load generator share the machine. "${UNCACHED.slice(2)}": the forum with PAGE_CACHE_SECONDS=0 (every request reads the database and renders); otherwise the default configuration, where the Node page cache answers repeated requests.`,
  );
  log(
    `Seeding: ${datasets.map((d) => `${sizeLabel(d.posts)} posts in ${(d.seed.elapsedMs / 1000).toFixed(1)} s`).join(', ')}\n`,
  );
  for (const line of lines) log(line);
  log('\n## Targets\n');
  for (const v of verdicts) log(`- ${v.ok ? 'PASS' : 'FAIL'} ${v.target}: ${v.value}`);
  log(`\n${renderedNote}`);
  log(
    `\n(The hello-world "growth", ${growth('hello').toFixed(2)}×, is the run's noise: the same server measured twice.)`,
  );
  const all = datasets.flatMap((d) => Object.values(d.measured));
  const noisy = all.filter((m) => m.quietRounds === 0).length;
  const disturbed = all.flatMap((m) => m.rounds).filter((r) => !isQuiet(r)).length;
  log(
    `Rounds disturbed by other processes on the machine (≥ ${QUIET_CORES} cores): ${disturbed} of ${all.flatMap((m) => m.rounds).length}${noisy > 0 ? `; ${noisy} measurement(s) had no quiet round, so their database's medians include disturbed rounds and are noisier than they look: run again on a quiet machine` : ', left out of the medians'}.`,
  );
  return verdicts;
}

async function main(scratch: string) {
  let ok = true;
  if (only === undefined || only === 'pages' || only === 'search') {
    ok = (await benchPages(scratch)) && ok;
  }
  if (only === undefined || only === 'notifications') {
    const rows = await benchNotifications({
      watchers: Number(argValue('--watchers') ?? 10_000),
      posts: Number(argValue('--notification-posts') ?? 50),
      rounds: options.cookingRounds,
      log,
    });
    log('');
    for (const r of rows) {
      log(`${r.pass ? 'PASS' : 'FAIL'}  ${r.label}: ${r.value} (target ${r.target})`);
    }
    ok = rows.every((r) => r.pass) && ok;
  }
  if (only === undefined || only === 'cooking') {
    ok = runCookingBench({ length: options.length, rounds: options.cookingRounds, log }) && ok;
    if (options.fuzz > 0) {
      fuzzCooking({
        count: options.fuzz,
        seed: options.seed,
        length: options.length ?? MAX_BODY,
        log,
      });
    }
  }
  if (!ok) process.exitCode = 1;
}

/** The pages part; false when a target is missed. */
async function benchPages(scratch: string): Promise<boolean> {
  if (options.sizes.length < 2) throw new Error('--sizes needs two sizes, like 10k,1m');
  const cpuList = cpus();
  const machine = {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
  };
  log(`Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);

  const seeded: { posts: number; url: string; seed: SeedLargeResult }[] = [];
  for (const posts of options.sizes) {
    const url = `file:${join(scratch, `forum-${sizeLabel(posts)}.db`)}`;
    log(`Seeding ${fmtCount(posts)} posts into ${url}`);
    const seed = await seedLarge({
      url,
      posts,
      config: loadConfig({ DATABASE_URL: url }),
      log,
    });
    seeded.push({ posts, url, seed });
  }

  const datasets: DatasetResult[] = [];
  if (only !== 'search') {
    for (const s of seeded) datasets.push(await benchDataset(s.posts, s.url, s.seed));
  }
  const search: { posts: number; rows: SearchRow[] }[] = [];
  for (const s of only === 'pages' ? [] : seeded) {
    log(`\n## ${fmtCount(s.posts)} posts: search and sitemap`);
    await waitForQuiet([process.pid]);
    search.push({
      posts: s.posts,
      rows: await benchSearch(s.url, {
        rounds: options.rounds,
        perRound: options.searchRequests,
        log,
      }),
    });
  }

  const verdicts = only === 'search' ? [] : report(datasets, machine);
  const small = search[0];
  const large = search[search.length - 1];
  if (small && large) {
    const searched = searchReport(
      { label: sizeLabel(small.posts), rows: small.rows },
      { label: sizeLabel(large.posts), rows: large.rows },
    );
    log('\n## Search and sitemap\n');
    if (only === 'search')
      log(`Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
    log(
      `Each request is a whole page (route, database, view) through the app in this process, one at a time; median of ${options.rounds} rounds of ${options.searchRequests} requests per kind, ten different queries per kind taken in turn.\n`,
    );
    for (const line of searched.lines) log(line);
    log('');
    for (const v of searched.verdicts) log(`- ${v.ok ? 'PASS' : 'FAIL'} ${v.target}: ${v.value}`);
    verdicts.push(...searched.verdicts);
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, only === 'search' ? 'search-latest.json' : 'latest.json');
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), machine, options, datasets, search, verdicts }, null, 2)}\n`,
  );
  log(`\nWrote ${file}`);
  return verdicts.every((v) => v.ok);
}

await runScript('forum-bench-', main);
