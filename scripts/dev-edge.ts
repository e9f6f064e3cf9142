/**
 * `npm run dev:edge [-- --port N] [--persist-to DIR] [--public-origin URL]`: the forum in workerd
 * (wrangler dev), offline, on a local D1 database that is migrated from db/migrations and filled
 * with the demo content on first run. The database lives in .wrangler/state, or in DIR (as for
 * `wrangler dev`). The forum's PUBLIC_ORIGIN is `http://<ip>:<port>` unless `--public-origin`
 * names another; `--port 0` (any free port, which wrangler prints) needs `--public-origin`, as
 * mail links need the origin before the forum listens.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { getPlatformProxy } from 'wrangler';
import { createDb } from '../db/client';
import { demoStaffSignIns, seedDemo, seedDemoStaff } from '../dev/demo';
import { makeDeps } from '../src/context';
import { loadConfig } from '../src/env';
import { developmentSecret } from '../src/server';
import type { WorkerEnv } from '../src/worker';

const args = process.argv.slice(2);
const portIndex = args.indexOf('--port');
const port = portIndex >= 0 ? Number(args[portIndex + 1]) : 8787;
const ipIndex = args.indexOf('--ip');
const host = ipIndex >= 0 ? (args[ipIndex + 1] ?? 'localhost') : 'localhost';
const persistIndex = args.indexOf('--persist-to');
const persistTo = persistIndex >= 0 ? args[persistIndex + 1] : undefined;
const originIndex = args.indexOf('--public-origin');
const publicOrigin = originIndex >= 0 ? args[originIndex + 1] : undefined;
// wrangler dev gets every argument but this script's own
if (originIndex >= 0) args.splice(originIndex, 2);
if (port === 0 && !publicOrigin) {
  console.error(
    'dev:edge: --port 0 needs --public-origin URL (mail links need the address first).',
  );
  process.exit(1);
}
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

function wrangler(...argv: string[]) {
  const run = spawnSync('npx', ['wrangler', ...argv], { stdio: 'inherit', env });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

wrangler(
  'd1',
  'migrations',
  'apply',
  'DB',
  '--local',
  ...(persistTo ? ['--persist-to', persistTo] : []),
);

// wrangler keeps local data under `<persist-to>/v3`; the platform proxy takes that folder itself.
const proxy = await getPlatformProxy<WorkerEnv>({
  persist: persistTo ? { path: join(persistTo, 'v3') } : true,
});
try {
  if (!proxy.env.DB) throw new Error('wrangler.toml has no D1 binding named DB');
  const loaded = loadConfig({ PUBLIC_ORIGIN: publicOrigin ?? `http://localhost:${port}` });
  // A development secret beside the local D1 database, as `npm start` keeps one beside its file:
  // the demo staff's passwords are derived from it, so they are the same at every start.
  const beside = `file:${join(persistTo ?? '.wrangler/state', 'forum.db')}`;
  const config = {
    ...loaded,
    forumSecret: developmentSecret({ ...loaded, databaseUrl: beside }),
  };
  const deps = makeDeps(createDb({ d1: proxy.env.DB }), config);
  if (await seedDemo(deps)) {
    await seedDemoStaff(deps);
    console.log('Added demo content to the local D1 database.');
  }
  const staff = await demoStaffSignIns(deps);
  if (staff.length > 0) {
    console.log(
      `Demo staff (development only), at ${publicOrigin ?? `http://${host}:${port}`}/login: ${staff
        .map((s) => `${s.username} with the password ${s.password} (${s.role})`)
        .join(', ')}`,
    );
  }
} finally {
  await proxy.dispose();
}

// Mail needs the forum's public origin (its links never come from a request's Host).
const listensOn = port === 0 ? '<the address wrangler prints>' : `http://${host}:${port}`;
const origin = publicOrigin ?? listensOn;
console.log(
  `Email: the local runtime's EMAIL binding sends nothing. It prints each message it is given (From, To, Subject) in this terminal, with the file it wrote the text to: .wrangler/tmp/email/<session>/email-text/<id>.txt (and email-html/ for an HTML part). Retries and bulk mail wait for the Cron Trigger: run it with curl ${listensOn}/cdn-cgi/local/scheduled`,
);
wrangler('dev', '--var', 'NODE_ENV:development', '--var', `PUBLIC_ORIGIN:${origin}`, ...args);
