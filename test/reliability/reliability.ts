/**
 * The reliability suite: the forum under load, killed during writes, fed hostile input, and on a
 * full disk. `npm run reliability` runs it at a scale given on the command line and prints a
 * table of figures (test/reliability/run.ts); `test/integration/reliability.test.ts` runs a small
 * version that asserts the same invariants. Nothing here asserts a timing.
 *
 * The load, crash and full-disk parts run the Node server as its own process
 * (test/support/server-process.ts) against a database file prepared here: the demo content, and
 * members whose accounts are older than a day (so they post as often as members may) with
 * sessions made for them. Each simulated person comes from an address of their own
 * (`TRUSTED_PROXY=1` and `X-Forwarded-For`), as real visitors do. The fuzz part drives the app in
 * this process, against a real libSQL file, so that it can compare the whole database after each
 * refused request.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient } from '@libsql/client';
import { createDb, prepareLibsql } from '../../db/client';
import { migrateLibsql } from '../../db/migrate';
import { users } from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import { checkConsistency } from '../../scripts/seed-large';
import { hashPassword } from '../../src/auth/password';
import { createSession } from '../../src/auth/session';
import { type AppDeps, makeDeps } from '../../src/context';
import { loadConfig } from '../../src/env';
import {
  listening,
  QUIET_ENV,
  type ServerProcess,
  spawnServer,
  stop,
} from '../support/server-process';

export type Figure = { name: string; value: string; ok: boolean };
export type PartResult = {
  part: string;
  figures: Figure[];
  /** why the part did not run, when it could not on this machine */
  skipped?: string;
  problems: string[];
};
export const partOk = (r: PartResult) => r.problems.length === 0 && r.figures.every((f) => f.ok);

const SECRET = 'reliability-suite-secret-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number) => n.toLocaleString('en-US');

// --- a forum to run against -----------------------------------------------------------------

export type Person = { id: number; username: string; cookie: string; address: string };
export type Prepared = { dir: string; url: string; people: Person[]; topics: number[] };

let addressSeq = 0;
/** An address of its own for each simulated person (10.x.y.z). */
export const nextAddress = () => {
  const n = ++addressSeq;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

/**
 * An account a month old (so it posts as often as members may), with its age confirmed and its
 * public acknowledgement given.
 */
export async function insertPerson(
  deps: AppDeps,
  o: { username: string; role: 'member' | 'moderator'; passwordHash: string },
): Promise<number> {
  const monthAgo = new Date(deps.now() - 30 * 24 * 3600_000);
  const [user] = await deps.db
    .insert(users)
    .values({
      username: o.username,
      usernameKey: o.username.toLowerCase(),
      email: `${o.username}@mail.example`,
      emailKey: `${o.username}@mail.example`.toLowerCase(),
      passwordHash: o.passwordHash,
      role: o.role,
      createdAt: monthAgo,
      ageConfirmedAt: monthAgo,
      publicAckAt: monthAgo,
    })
    .returning({ id: users.id });
  if (!user) throw new Error('no account');
  return user.id;
}

/**
 * A database file in `dir` with the real migrations, the demo content and `people` members
 * (a month old, public acknowledgement given) signed in.
 */
export async function prepareForum(dir: string, people: number): Promise<Prepared> {
  mkdirSync(dir, { recursive: true });
  const url = `file:${join(dir, 'forum.db')}`;
  const client = createClient({ url });
  try {
    await prepareLibsql(client, { embedded: true });
    await migrateLibsql(client);
    const deps = makeDeps(
      createDb({ libsql: client }),
      loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, FORUM_SECRET: SECRET }),
    );
    await seedDemo(deps);
    const passwordHash = await hashPassword('correct horse battery staple');
    const out: Person[] = [];
    for (let i = 0; i < people; i++) {
      const username = `rel_${i}_${Math.random().toString(36).slice(2, 7)}`;
      const id = await insertPerson(deps, { username, role: 'member', passwordHash });
      const { token } = await createSession(deps, id, { remember: true });
      out.push({ id, username, cookie: `session=${token}`, address: nextAddress() });
    }
    const topics = (
      await client.execute(
        "SELECT id FROM topics WHERE state = 'visible' AND removed_at IS NULL AND locked = 0 ORDER BY id",
      )
    ).rows.map((r) => Number(r.id));
    return { dir, url, people: out, topics };
  } finally {
    client.close();
  }
}

export function startServer(url: string, extra: Record<string, string> = {}): ServerProcess {
  return spawnServer({
    ...QUIET_ENV,
    DATABASE_URL: url,
    FORUM_SECRET: SECRET,
    TRUSTED_PROXY: '1',
    ...extra,
  });
}

type Answer = { status: number; text: string; location: string | null } | { error: string };

/** One request as a browser of `who` (or a visitor from `address`) would send it. */
export async function send(
  base: string,
  path: string,
  o: { cookie?: string; address: string; form?: Record<string, string> },
): Promise<Answer> {
  try {
    const headers: Record<string, string> = { 'X-Forwarded-For': o.address };
    if (o.cookie) headers.Cookie = o.cookie;
    let body: string | undefined;
    if (o.form) {
      headers.Origin = base;
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(o.form).toString();
    }
    const res = await fetch(`${base}${path}`, {
      method: o.form ? 'POST' : 'GET',
      headers,
      body,
      redirect: 'manual',
    });
    return { status: res.status, text: await res.text(), location: res.headers.get('location') };
  } catch (err) {
    const cause =
      err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    const method = o.form ? 'POST' : 'GET';
    return { error: `${method}: ${err instanceof Error ? err.message : String(err)}${cause}` };
  }
}

/** Acknowledged posts (answered 303) that the database does not hold exactly once. */
async function missingPosts(client: Client, markers: string[]): Promise<string[]> {
  const lost: string[] = [];
  for (const marker of markers) {
    const { rows } = await client.execute({
      sql: 'SELECT count(*) FROM posts WHERE body_markdown = ?',
      args: [marker],
    });
    if (Number(rows[0]?.[0]) !== 1) lost.push(marker);
  }
  return lost;
}

async function integrity(client: Client): Promise<string> {
  return String((await client.execute('PRAGMA integrity_check')).rows[0]?.[0]);
}

/** Counters, pointers and numbering against the rows they summarise (scripts/seed-large.ts). */
async function inconsistencies(url: string): Promise<string[]> {
  const client = createClient({ url });
  try {
    const checks = await checkConsistency(
      client,
      { origin: 'http://127.0.0.1', houseHosts: ['plimus.com'] },
      50,
    );
    return checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  } finally {
    client.close();
  }
}

let markerSeq = 0;
const marker = (part: string) =>
  `Reliability ${part} reply ${++markerSeq}-${Math.random().toString(36).slice(2, 10)}`;

// --- load -------------------------------------------------------------------------------------

export async function runLoad(o: {
  seconds: number;
  readers: number;
  writers: number;
  dir: string;
}): Promise<PartResult> {
  const forum = await prepareForum(o.dir, o.writers + Math.ceil(o.readers / 2));
  const writers = forum.people.slice(0, o.writers);
  const members = forum.people.slice(o.writers);
  const server = startServer(forum.url);
  const problems: string[] = [];
  const base = await listening(server);
  const statuses = new Map<number, number>();
  let errors = 0;
  let reads = 0;
  const acked: string[] = [];
  let staleOwn = 0;
  let staleVisitor = 0;
  const errorKinds = new Map<string, number>();
  const count = (a: Answer) => {
    if ('error' in a) {
      errors++;
      errorKinds.set(a.error, (errorKinds.get(a.error) ?? 0) + 1);
    } else statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    return a;
  };
  const pages = [
    '/',
    '/latest',
    '/latest?filter=unanswered',
    '/f/off-topic',
    '/search?q=backup',
    ...forum.topics.map((id) => `/t/${id}`),
  ];
  const deadline = Date.now() + o.seconds * 1000;
  const reader = async (i: number) => {
    const me = i % 2 === 0 ? members[i / 2] : undefined;
    const address = me?.address ?? nextAddress();
    for (let n = i; Date.now() < deadline; n++) {
      let a = count(
        await send(base, pages[n % pages.length] as string, { cookie: me?.cookie, address }),
      );
      // Topic links redirect to their canonical address once.
      if (!('error' in a) && a.status === 301 && a.location)
        a = count(await send(base, a.location, { cookie: me?.cookie, address }));
      reads++;
    }
  };
  const writer = async (who: Person, i: number) => {
    for (let n = i; Date.now() < deadline; n++) {
      const body = marker('load');
      const topic = forum.topics[n % forum.topics.length] as number;
      const a = count(await send(base, `/t/${topic}/replies`, { ...who, form: { body } }));
      if ('error' in a) continue;
      if (a.status === 429) {
        await sleep(1000);
        continue;
      }
      if (a.status !== 303 || !a.location) {
        problems.push(`a reply answered ${a.status}`);
        continue;
      }
      acked.push(body);
      const path = a.location.replace(/#.*$/, '');
      // The writer's own next page, and a visitor's, show the reply at once.
      const own = count(await send(base, path, who));
      if ('error' in own || !own.text.includes(body)) staleOwn++;
      const seen = count(await send(base, path, { address: nextAddress() }));
      if ('error' in seen || !seen.text.includes(body)) staleVisitor++;
      await sleep(5_100); // the posting interval of members
    }
  };
  await Promise.all([
    ...Array.from({ length: o.readers }, (_, i) => reader(i)),
    ...writers.map((w, i) => writer(w, i)),
  ]);
  const exit = await stop(server);
  if (exit.code !== 0) problems.push(`the server exited with ${exit.code ?? exit.signal}`);
  const client = createClient({ url: forum.url });
  const lost = await missingPosts(client, acked);
  const check = await integrity(client);
  client.close();
  const bad = await inconsistencies(forum.url);
  const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
  const requests = [...statuses.values()].reduce((a, b) => a + b, 0);
  return {
    part: 'load',
    problems: [
      ...problems,
      ...bad,
      ...[...errorKinds].map(([kind, n]) => `${n} requests failed to connect: ${kind}`),
    ],
    figures: [
      {
        name: 'load: time',
        value: `${o.seconds} s, ${o.readers} readers, ${o.writers} writers`,
        ok: true,
      },
      {
        name: 'load: requests',
        value: `${fmt(requests)} (${fmt(Math.round(requests / o.seconds))}/s; ${fmt(reads)} page reads)`,
        ok: true,
      },
      { name: 'load: 5xx answers', value: fmt(fivexx), ok: fivexx === 0 },
      { name: 'load: failed connections', value: fmt(errors), ok: errors === 0 },
      { name: 'load: replies acknowledged', value: fmt(acked.length), ok: acked.length > 0 },
      { name: 'load: acknowledged replies lost', value: fmt(lost.length), ok: lost.length === 0 },
      {
        name: "load: stale pages after a person's own reply",
        value: `${staleOwn} to them, ${staleVisitor} to a visitor`,
        ok: staleOwn === 0 && staleVisitor === 0,
      },
      {
        name: 'load: counters and integrity',
        value: `${bad.length} inconsistent, integrity ${check}`,
        ok: bad.length === 0 && check === 'ok',
      },
    ],
  };
}

// --- crash ------------------------------------------------------------------------------------

export async function runCrash(o: {
  rounds: number;
  writers: number;
  dir: string;
}): Promise<PartResult> {
  const forum = await prepareForum(o.dir, o.writers * o.rounds);
  const problems: string[] = [];
  const acked: string[] = [];
  let killedInFlight = 0;
  for (let round = 0; round < o.rounds; round++) {
    const server = startServer(forum.url);
    const base = await listening(server);
    await send(base, '/', { address: nextAddress() }); // the first request warms the process up
    let killed = false;
    const writers = forum.people.slice(round * o.writers, (round + 1) * o.writers);
    const posting = writers.map(async (who, i) => {
      const body = marker(`crash ${round + 1}`);
      const topic = forum.topics[(round + i) % forum.topics.length] as number;
      await sleep(Math.random() * 800);
      if (killed) return;
      const a = await send(base, `/t/${topic}/replies`, { ...who, form: { body } });
      if ('error' in a) {
        if (!killed) problems.push(`round ${round + 1}: ${a.error} before the kill`);
        else killedInFlight++;
      } else if (a.status === 303) acked.push(body);
      else if (a.status >= 500) problems.push(`round ${round + 1}: a reply answered ${a.status}`);
    });
    // Some replies are answered by then, some are being written, some not sent yet.
    await sleep(300 + Math.random() * 700);
    killed = true;
    server.child.kill('SIGKILL');
    await server.exited;
    await Promise.all(posting);
    // What a restart finds: the file intact, every acknowledged reply there.
    const client = createClient({ url: forum.url });
    const check = await integrity(client);
    const lost = await missingPosts(client, acked);
    client.close();
    if (check !== 'ok') problems.push(`round ${round + 1}: integrity_check says ${check}`);
    if (lost.length) problems.push(`round ${round + 1}: ${lost.length} acknowledged replies lost`);
  }
  // One more start: the server recovers the file and serves it.
  const server = startServer(forum.url);
  const base = await listening(server);
  const home = await send(base, '/', { address: nextAddress() });
  if ('error' in home || home.status !== 200)
    problems.push('the forum did not serve after the last crash');
  await stop(server);
  const bad = await inconsistencies(forum.url);
  return {
    part: 'crash',
    problems: [...problems, ...bad],
    figures: [
      {
        name: 'crash: kill -9 during writes',
        value: `${o.rounds} rounds, ${o.writers} writers each`,
        ok: true,
      },
      { name: 'crash: replies acknowledged', value: fmt(acked.length), ok: acked.length > 0 },
      {
        name: 'crash: replies in flight at a kill (not acknowledged)',
        value: fmt(killedInFlight),
        ok: true,
      },
      {
        name: 'crash: acknowledged replies lost',
        value: '0',
        ok: !problems.some((p) => p.includes('lost')),
      },
      {
        name: 'crash: integrity and counters after every restart',
        value: problems.length || bad.length ? `${problems.length + bad.length} problems` : 'ok',
        ok: problems.length === 0 && bad.length === 0,
      },
    ],
  };
}

// --- full disk --------------------------------------------------------------------------------

/**
 * A small file system of its own (tmpfs, as root), filled up while the server runs: reads go on
 * for everyone, writes answer 503 with the text kept, and once space is freed writes work and
 * nothing acknowledged is lost. Skipped, with the reason, where no file system can be mounted.
 */
export async function runFullDisk(o: { dir: string }): Promise<PartResult> {
  const mount = join(o.dir, 'small-disk');
  mkdirSync(mount, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount], { stdio: 'pipe' });
  } catch (err) {
    const why = err instanceof Error ? (err.message.split('\n')[1] ?? err.message) : String(err);
    return {
      part: 'full disk',
      figures: [],
      problems: [],
      skipped: `no small file system could be mounted here (${why.trim()})`,
    };
  }
  const problems: string[] = [];
  const figures: Figure[] = [];
  let server: ServerProcess | undefined;
  try {
    const forum = await prepareForum(join(mount, 'forum'), 42);
    const [writer, reader, ...others] = forum.people as [Person, Person, ...Person[]];
    server = startServer(forum.url);
    const base = await listening(server);
    const topic = forum.topics[0] as number;
    const before = marker('full disk');
    const first = await send(base, `/t/${topic}/replies`, { ...writer, form: { body: before } });
    if ('error' in first || first.status !== 303)
      problems.push('a reply before the disk filled up failed');
    // Fill what is left of the file system.
    const chunk = Buffer.alloc(256 * 1024, 1);
    let n = 0;
    for (;;) {
      try {
        writeFileSync(join(mount, `filler-${n++}`), chunk);
      } catch {
        break;
      }
    }
    for (let i = 0; i < 64; i++) {
      try {
        writeFileSync(join(mount, `crumb-${i}`), Buffer.alloc(4096, 1));
      } catch {
        break;
      }
    }
    const readPaths = ['/', '/f/off-topic', `/t/${topic}`, '/latest'];
    let readsOk = 0;
    let reads = 0;
    for (const path of readPaths) {
      for (const who of [{ address: nextAddress() }, reader]) {
        let a = await send(base, path, who);
        if (!('error' in a) && a.status === 301 && a.location)
          a = await send(base, a.location, who);
        reads++;
        if (!('error' in a) && a.status === 200) readsOk++;
        else problems.push(`full disk: ${path} answered ${'error' in a ? a.error : a.status}`);
      }
    }
    figures.push({
      name: 'full disk: pages read, signed in and not',
      value: `${readsOk}/${reads} answered 200`,
      ok: readsOk === reads,
    });
    // Writes: many, so that one needs a new page of the file.
    let refused = 0;
    let kept = 0;
    let failed = 0;
    let accepted = 0;
    for (const who of others) {
      const body = `${marker('full disk refused')} ${'filler text '.repeat(300)}`;
      const a = await send(base, `/t/${topic}/replies`, { ...who, form: { body } });
      if ('error' in a) failed++;
      else if (a.status === 303) accepted++;
      else if (a.status === 503) {
        refused++;
        if (a.text.includes(body.slice(0, 40))) kept++;
      } else failed++;
    }
    figures.push({
      name: 'full disk: replies while full',
      value: `${refused}/${others.length} answered 503 (${kept} with the text kept), ${accepted} saved before the file could not grow, ${failed} other answers`,
      ok: refused > 0 && kept === refused && failed === 0,
    });
    const ready = await send(base, '/readyz', { address: nextAddress() });
    figures.push({
      name: 'full disk: /readyz',
      value: 'error' in ready ? ready.error : String(ready.status),
      ok: !('error' in ready) && ready.status === 503,
    });
    // Space again.
    execFileSync('sh', ['-c', `rm -f ${mount}/filler-* ${mount}/crumb-*`]);
    const after = marker('full disk');
    let recovered = false;
    for (let i = 0; i < 20 && !recovered; i++) {
      await sleep(6_000 * Math.min(i, 1));
      const a = await send(base, `/t/${topic}/replies`, { ...writer, form: { body: after } });
      recovered = !('error' in a) && a.status === 303;
    }
    await stop(server);
    server = undefined;
    const client = createClient({ url: forum.url });
    const lost = await missingPosts(client, recovered ? [before, after] : [before]);
    const check = await integrity(client);
    client.close();
    figures.push({
      name: 'full disk: after space is freed',
      value: `${recovered ? 'writes work' : 'writes still fail'}, ${lost.length} acknowledged lost, integrity ${check}`,
      ok: recovered && lost.length === 0 && check === 'ok',
    });
  } finally {
    if (server) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    try {
      execFileSync('umount', ['-l', mount], { stdio: 'pipe' });
    } catch {
      // already gone
    }
  }
  return { part: 'full disk', figures, problems };
}

/** A scratch folder for one run, removed by `done`. */
export function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'forum-reliability-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}
