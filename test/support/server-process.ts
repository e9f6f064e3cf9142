/**
 * The Node server as a process of its own, the way an operator runs it: `node --import tsx
 * src/server.ts` (what a process manager starts) or `npm start`. For tests of what only a
 * process shows: signals, exit codes, start-up failures, crashes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export type ServerProcess = {
  child: ChildProcess;
  /** everything written to stdout and stderr so far */
  output: () => string;
  stderr: () => string;
  /** the exit code (or the signal that ended it) */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Settings that keep a test server to itself: no development identity provider, any port. */
export const QUIET_ENV = {
  NODE_ENV: 'test',
  PORT: '0',
  PLIMUS_ISSUER: 'http://127.0.0.1:9/unused',
  PLIMUS_CLIENT_ID: 'x',
  PLIMUS_CLIENT_SECRET: 'y',
};

/** Starts the server with only `env` (and PATH, HOME) as its environment. */
export function spawnServer(
  env: Record<string, string>,
  via: 'node' | 'npm' = 'node',
): ServerProcess {
  const [command, args] =
    via === 'npm'
      ? ['npm', ['start', '--silent']]
      : [process.execPath, ['--import', 'tsx', 'src/server.ts']];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  return { child, output: () => out + err, stderr: () => err, exited };
}

/** The server's address once it says it listens; fails with its output when it exits first. */
export async function listening(server: ServerProcess, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void server.exited.then(() => {
    ended = true;
  });
  while (Date.now() < deadline) {
    const m = /listening on (http:\/\/\S+)/.exec(server.output());
    if (m?.[1]) return m[1];
    if (ended) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the server did not start:\n${server.output()}`);
}

export type CliRun = { code: number; stdout: string; stderr: string };

/** `npm run cli -- …args` with only `env` (and PATH, HOME), `input` on its standard input. */
export function runCli(args: string[], env: Record<string, string>, input = ''): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdin.end(input);
    child.once('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** Joins the forum at `url` as a browser would, and returns the session cookie. */
export async function signUpOver(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/register`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form({
      username,
      email: `${username}@mail.example`,
      password: 'correct horse battery staple',
      age_confirmed: '1',
    }),
  });
  if (res.status !== 303) throw new Error(`joining answered ${res.status}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='));
  return cookie?.split(';')[0] ?? '';
}

/** The path of the first topic of the demo forum Off-topic. */
export async function someTopic(url: string): Promise<{ path: string; id: number }> {
  const page = await (await fetch(`${url}/f/off-topic`)).text();
  const path = /href="(\/t\/(\d+)\/[^"?#]+)"/.exec(page);
  if (!path?.[1] || !path[2]) throw new Error('no topic in /f/off-topic');
  return { path: path[1], id: Number(path[2]) };
}

/** Replies to `topicId` as the person with `cookie`; the status of the answer. */
export async function replyOver(
  url: string,
  cookie: string,
  topicId: number,
  body: string,
): Promise<number> {
  const res = await fetch(`${url}/t/${topicId}/replies`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: url, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form({ body, public_ack: '1' }),
  });
  return res.status;
}

/** SIGTERM, and the exit. */
export async function stop(server: ServerProcess) {
  server.child.kill('SIGTERM');
  return server.exited;
}
