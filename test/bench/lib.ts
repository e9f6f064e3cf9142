/**
 * What the benchmark (run.ts) and the profiler (profile.ts) share: command-line options, child
 * servers, raw HTTP requests, and the pages to load on a seeded database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { createClient } from '@libsql/client';
import { argValue as argIn, parseCount as countOf } from '../../scripts/args';
import type { SeedLargeResult } from '../../scripts/seed-large';
import { POSTS_PER_PAGE } from '../../src/services/topics';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FORUM_ENTRY = fileURLToPath(new URL('./forum-entry.ts', import.meta.url));
export const HELLO_ENTRY = fileURLToPath(new URL('./hello-entry.ts', import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
/** The bench runs the forum as in production, which needs a server secret; any will do. */
export const BENCH_SECRET = 'bench-secret-not-used-anywhere-else-0123456789';

// --- options -------------------------------------------------------------------------------------

/** `--name value` or `--name=value` from this script's command line. */
export const argValue = (name: string) => argIn(process.argv.slice(2), name);

/** "10000", "10_000", "10k", "1m"; anything else stops the script. */
export function parseCount(value: string): number {
  const n = countOf(value);
  if (!Number.isFinite(n)) throw new Error(`not a count: ${value}`);
  return n;
}

/** 10000 -> "10k", 1000000 -> "1M" */
export function sizeLabel(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}

export const fmtCount = (n: number) => n.toLocaleString('en-US');

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// --- child processes ---------------------------------------------------------------------------

const children = new Set<ChildProcess>();

export type Running = { url: string; child: ChildProcess };

/**
 * Starts a TypeScript entry under tsx (with extra Node flags, e.g. --cpu-prof) and waits for the
 * URL it prints on stdout. Its stderr lines are passed on, prefixed with `name`.
 */
export function startChild(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): Promise<Running> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim()) process.stderr.write(`[${name}] ${line}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let started = false;
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    const onEarlyExit = (code: number | null) =>
      fail(new Error(`${name} exited with code ${code} before printing its URL`));
    const timer = setTimeout(() => fail(new Error(`${name} did not start within 60 s`)), 60_000);
    child.once('exit', onEarlyExit);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (started) return; // keep draining the pipe; nothing more to read
      out += chunk.toString();
      const url = out.match(/^(https?:\/\/\S+)$/m)?.[1];
      if (!url) return;
      started = true;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      resolve({ url, child });
    });
  });
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Kills every child still running (for cleanup on failure). */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/**
 * Runs a script's `main` with a scratch folder of its own; however the script ends (done, failed,
 * interrupted) every child server is stopped and the folder removed.
 */
export async function runScript(
  prefix: string,
  main: (scratch: string) => Promise<void>,
): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  const cleanup = () => {
    killChildren();
    rmSync(scratch, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanup();
      process.exit(130);
    });
  }
  try {
    await main(scratch);
  } finally {
    cleanup();
  }
}

/** A port that was free a moment ago (so the forum's public origin can name it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The environment for a child server: ours, minus forum settings that would change the run. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const settings = [
    'PUBLIC_ORIGIN',
    'DATABASE_AUTH_TOKEN',
    'HOUSE_HOSTS',
    'HOST',
    'PORT',
    'PAGE_CACHE_SECONDS',
    'TRUSTED_COUNTRY_HEADER',
  ];
  for (const key of settings) {
    delete env[key];
  }
  return { ...env, ...extra };
}

/**
 * Starts the forum on a database as the benchmark runs it: production, no demo seeding, and
 * otherwise the default configuration unless `env` says more (e.g. PAGE_CACHE_SECONDS=0).
 */
export async function startForum(
  name: string,
  databaseUrl: string,
  opts: { env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<Running> {
  const port = await freePort();
  return startChild(
    name,
    FORUM_ENTRY,
    childEnv({
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: 'false',
      NODE_ENV: 'production',
      FORUM_SECRET: BENCH_SECRET,
      ...opts.env,
    }),
    opts.nodeArgs,
  );
}

// --- HTTP ----------------------------------------------------------------------------------------

export type RawResponse = { status: number; headers: Record<string, string>; body: Buffer };

/** One GET without any decoding, so compressed bytes can be counted. */
export function get(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: Object.fromEntries(
            Object.entries(res.headers).map(([k, v]) => [k, String(v ?? '')]),
          ),
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export type PageSize = { encoding: string; compressed: number; uncompressed: number };

/** The page's size as a browser gets it (`Accept-Encoding: gzip, br`) and decompressed. */
export async function pageSize(url: string): Promise<PageSize> {
  const res = await get(url, { 'Accept-Encoding': 'gzip, br' });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  const encoding = res.headers['content-encoding'] || 'identity';
  const decoders: Record<string, (b: Buffer) => Buffer> = {
    gzip: gunzipSync,
    br: brotliDecompressSync,
    deflate: inflateSync,
    identity: (b) => b,
  };
  const decode = decoders[encoding];
  if (!decode) throw new Error(`unexpected Content-Encoding ${encoding}`);
  return { encoding, compressed: res.body.length, uncompressed: decode(res.body).length };
}

// --- what to load ----------------------------------------------------------------------------------

export type PageKey = 'home' | 'forum' | 'topic' | 'topic-gzip' | 'long-last';

/** A forum page to load. */
export type Page = {
  key: PageKey;
  label: string;
  path: string;
  headers?: Record<string, string>;
};

export const PAGE_LABELS: Record<PageKey, string> = {
  home: 'forum index `/`',
  forum: 'busiest forum `/f/…`',
  topic: 'topic page 1 `/t/…`',
  'topic-gzip': 'topic page 1, gzip',
  'long-last': 'long topic, last page',
};

export type PickedPages = {
  pages: Page[];
  topic: { id: number; posts: number };
  longTopic: { id: number; posts: number; page: number };
};

/** The pages to load on a seeded database: a busy forum, a typical topic, the long topic. */
export async function pickPages(
  url: string,
  seed: Pick<SeedLargeResult, 'firstTopicId' | 'lastTopicId' | 'longTopicId'>,
): Promise<PickedPages> {
  const client = createClient({ url });
  try {
    const forum = (
      await client.execute('SELECT slug FROM forums ORDER BY topic_count DESC, id LIMIT 1')
    ).rows[0];
    // A topic from the middle of the seeded id range with a full first page, so the page shows
    // the same number of posts on both databases.
    const middle = Math.floor((seed.firstTopicId + seed.lastTopicId) / 2);
    const topic = (
      await client.execute({
        sql: 'SELECT id, slug, post_count FROM topics WHERE id >= ? AND post_count >= ? AND removed_at IS NULL ORDER BY id LIMIT 1',
        args: [middle, POSTS_PER_PAGE],
      })
    ).rows[0];
    const long = (
      await client.execute({
        sql: 'SELECT id, slug, highest_number FROM topics WHERE id = ?',
        args: [seed.longTopicId],
      })
    ).rows[0];
    if (!forum || !topic || !long) throw new Error('could not find the pages to load');
    const lastPage = Math.ceil(Number(long.highest_number) / POSTS_PER_PAGE);
    const topicPath = `/t/${topic.id}/${topic.slug}`;
    const page = (key: PageKey, path: string, headers?: Record<string, string>): Page => ({
      key,
      label: PAGE_LABELS[key],
      path,
      ...(headers ? { headers } : {}),
    });
    return {
      pages: [
        page('home', '/'),
        page('forum', `/f/${forum.slug}`),
        page('topic', topicPath),
        page('topic-gzip', topicPath, { 'Accept-Encoding': 'gzip, deflate, br' }),
        page('long-last', `/t/${long.id}/${long.slug}?page=${lastPage}`),
      ],
      topic: { id: Number(topic.id), posts: Number(topic.post_count) },
      longTopic: { id: Number(long.id), posts: Number(long.highest_number), page: lastPage },
    };
  } finally {
    client.close();
  }
}
