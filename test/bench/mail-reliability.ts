/**
 * `npm run mail:reliability [-- --messages 1000 --kills 5]`: how reliable the outbox is, measured
 * against the real server (src/server.ts as the benchmark runs it: production, its own process)
 * and a real SMTP server in this process (dev/mail-catcher.ts), on a fresh database file.
 *
 * 1. Crashes: N messages are queued (one mailing, one INSERT … SELECT); while the server delivers
 *    them it is killed with SIGKILL K times, each time right after the SMTP server took a message,
 *    and started again. Afterwards every message must have arrived (lost = queued keys never
 *    received as a Message-ID), and the copies are counted (the same Message-ID twice): the
 *    design allows one per kill, the message in flight.
 * 2. A temporary refusal: the SMTP server answers 451 while 100 messages are tried, then takes
 *    mail again; every message must arrive after it recovers (the first retry comes after 30 to
 *    60 seconds, a minute with jitter).
 * 3. A permanent refusal: the SMTP server answers 550 to 10 messages; each must be given up at
 *    once and its address marked as failing, which the person's /account page says.
 * 4. The reset request's answer: the same status and body, and the time it takes, for names of
 *    accounts and names of none (medians of 200 requests each, interleaved).
 *
 * Prints the figures and writes test/bench/results/mail-reliability.json; exits non-zero when a
 * message was lost or a step did not end as it must.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { count, eq, inArray, sql } from 'drizzle-orm';
import { createDb, type Db } from '../../db/client';
import { openLibsql } from '../../db/open';
import { mailOutbox, users } from '../../db/schema';
import { type MailCatcher, startMailCatcher } from '../../dev/mail-catcher';
import { createSession } from '../../src/auth/session';
import { CURRENT_PRIVACY } from '../../src/content/privacy';
import { makeDeps } from '../../src/context';
import { loadConfig } from '../../src/env';
import { queueMailing, queueMailTo } from '../../src/mail/outbox';
import {
  argValue,
  fmtCount,
  median,
  RESULTS_DIR,
  type Running,
  runScript,
  startForum,
} from './lib';

const MESSAGES = Number(argValue('--messages') ?? 1000);
const KILLS = Number(argValue('--kills') ?? 5);
const TEMPORARY = 100;
const PERMANENT = 10;
const TIMINGS = 200;
/** a lease (30 s) to run out after the last kill, and the retries of step 2, with room */
const DEADLINE_MS = 240_000;

const FROM = 'Plimus Community Forums <forums@forum.example>';

type Step = Record<string, number | string | boolean>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, done: () => Promise<boolean>, timeoutMs = DEADLINE_MS) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}

await runScript('forum-mail-reliability-', async (scratch) => {
  const databaseUrl = `file:${join(scratch, 'forum.db')}`;
  const client = await openLibsql({ databaseUrl, databaseAuthToken: undefined });
  const db: Db = createDb({ libsql: client });
  const deps = makeDeps(db, loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl }));
  const catcher: MailCatcher = await startMailCatcher({ nodeEnv: 'test', keep: 1_000_000 });
  const people = MESSAGES + TEMPORARY + PERMANENT + TIMINGS;
  const joined = new Date(Date.parse(`${CURRENT_PRIVACY.date}T00:00:00Z`) - 86_400_000);
  for (let i = 1; i <= people; i += 200) {
    await db.insert(users).values(
      Array.from({ length: Math.min(200, people - i + 1) }, (_, k) => {
        const n = i + k;
        return {
          username: `person${n}`,
          usernameKey: `person${n}`,
          email: `person${n}@mail.example`,
          emailKey: `person${n}@mail.example`,
          passwordHash: 'not-a-hash',
          createdAt: joined,
          ageConfirmedAt: joined,
        };
      }),
    );
  }
  const idsFrom = (first: number, n: number) =>
    sql`${users.usernameKey} in (${sql.join(
      Array.from({ length: n }, (_, k) => sql`${`person${first + k}`}`),
      sql`, `,
    )})`;
  const env = {
    SMTP_URL: catcher.smtpUrl,
    MAIL_FROM: FROM,
    MAIL_RATE_PER_MINUTE: '100000',
    TRUSTED_PROXY: 'X-Real-IP',
  };
  let server: Running = await startForum('forum', databaseUrl, { env });
  const results: Record<string, Step> = {};

  try {
    // 1. Crashes during delivery.
    const started = Date.now();
    await db.batch(
      queueMailing(deps, {
        kind: 'policy_change',
        about: { policyVersion: CURRENT_PRIVACY.version },
        createdById: null,
        recipients: idsFrom(1, MESSAGES),
      }),
    );
    const killedAt: number[] = [];
    for (let k = 1; k <= KILLS; k++) {
      const at = Math.round((k * MESSAGES) / (KILLS + 1));
      await catcher.waitFor(at, DEADLINE_MS);
      server.child.kill('SIGKILL');
      await new Promise((r) => server.child.once('exit', r));
      killedAt.push(catcher.messages.length);
      server = await startForum('forum', databaseUrl, { env });
    }
    const queuedOf = async (kind: string) =>
      (
        await db
          .select({ n: count() })
          .from(mailOutbox)
          .where(sql`${mailOutbox.kind} = ${kind} and ${mailOutbox.status} = 'queued'`)
          .get()
      )?.n ?? 0;
    await until(
      'every message of step 1 is sent',
      async () => (await queuedOf('policy_change')) === 0,
    );
    const rows = await db
      .select({ key: mailOutbox.key, status: mailOutbox.status, attempts: mailOutbox.attempts })
      .from(mailOutbox)
      .where(eq(mailOutbox.kind, 'policy_change'));
    const ids = catcher.messages.map((m) => m.parsed.messageId ?? '');
    const received = new Set(ids);
    const lost = rows.filter((r) => ![...received].some((id) => id.startsWith(`<${r.key}@`)));
    results.crashes = {
      queued: rows.length,
      kills: KILLS,
      'received (with copies)': ids.length,
      'distinct Message-IDs': received.size,
      lost: lost.length,
      'copies (same Message-ID)': ids.length - received.size,
      'rows sent': rows.filter((r) => r.status === 'sent').length,
      'rows sent at a second attempt': rows.filter((r) => r.attempts > 1).length,
      'messages received at each kill': killedAt.join(', '),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };

    // 2. A temporary refusal, then recovery.
    catcher.refuse({ code: 451, message: '4.3.0 Try again later' });
    const before2 = catcher.messages.length;
    await db.batch([
      queueMailTo(deps, {
        kind: 'password_reset_plimus',
        recipients: idsFrom(MESSAGES + 1, TEMPORARY),
      }),
    ]);
    const triedOnce = async () =>
      (
        await db
          .select({ n: count() })
          .from(mailOutbox)
          .where(
            sql`${mailOutbox.kind} = 'password_reset_plimus' and ${mailOutbox.attempts} >= 1 and ${mailOutbox.lastError} like '451%'`,
          )
          .get()
      )?.n === TEMPORARY;
    await until('every message of step 2 was refused once', triedOnce);
    const refusedUntil = Date.now();
    catcher.refuse(null);
    await until(
      'every message of step 2 is sent',
      async () => (await queuedOf('password_reset_plimus')) === 0,
    );
    const recovered = Date.now() - refusedUntil;
    const rows2 = await db
      .select({ status: mailOutbox.status, attempts: mailOutbox.attempts })
      .from(mailOutbox)
      .where(eq(mailOutbox.kind, 'password_reset_plimus'));
    results.temporary = {
      queued: TEMPORARY,
      'received after recovery': catcher.messages.length - before2,
      sent: rows2.filter((r) => r.status === 'sent').length,
      lost: TEMPORARY - (catcher.messages.length - before2),
      'attempts (most)': Math.max(...rows2.map((r) => r.attempts)),
      'seconds from recovery to the last delivery': Math.round(recovered / 100) / 10,
    };

    // 3. A permanent refusal.
    catcher.refuse({ code: 550, message: '5.1.1 No such mailbox' });
    const permanentIds = idsFrom(MESSAGES + TEMPORARY + 1, PERMANENT);
    const permanentUsers = (await db.select({ id: users.id }).from(users).where(permanentIds)).map(
      (u) => u.id,
    );
    await db.batch([queueMailTo(deps, { kind: 'password_changed', recipients: permanentIds })]);
    const deadCount = async () =>
      (
        await db
          .select({ n: count() })
          .from(mailOutbox)
          .where(sql`${mailOutbox.kind} = 'password_changed' and ${mailOutbox.status} = 'dead'`)
          .get()
      )?.n ?? 0;
    await until(
      'every message of step 3 is given up',
      async () => (await deadCount()) === PERMANENT,
    );
    catcher.refuse(null);
    const attempts3 = (
      await db
        .select({ attempts: mailOutbox.attempts })
        .from(mailOutbox)
        .where(eq(mailOutbox.kind, 'password_changed'))
    ).map((r) => r.attempts);
    const failing = await db
      .select({ id: users.id, code: users.emailFailure })
      .from(users)
      .where(inArray(users.id, permanentUsers));
    const someone = permanentUsers[0] ?? 0;
    const { token } = await createSession(deps, someone, { remember: false });
    const account = await (
      await fetch(`${server.url}/account`, { headers: { Cookie: `session=${token}` } })
    ).text();
    results.permanent = {
      queued: PERMANENT,
      'given up (dead)': await deadCount(),
      'attempts (most)': Math.max(...attempts3),
      'addresses marked failing': failing.filter((f) => f.code?.startsWith('550')).length,
      '/account says so': /could not be delivered since .*550 5\.1\.1/.test(account),
    };

    // 4. The reset request: the same answer, and how long it takes, with and without an account.
    const first = MESSAGES + TEMPORARY + PERMANENT + 1;
    const times: Record<'account' | 'none', number[]> = { account: [], none: [] };
    const answers = new Set<string>();
    for (let i = 0; i < TIMINGS; i++) {
      for (const kind of i % 2 ? (['account', 'none'] as const) : (['none', 'account'] as const)) {
        const login = kind === 'account' ? `person${first + i}` : `nobody${first + i}`;
        const t0 = performance.now();
        const res = await fetch(`${server.url}/password/forgot`, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            Origin: server.url,
            'Content-Type': 'application/x-www-form-urlencoded',
            'X-Real-IP': `198.51.100.${i % 250}-${kind}`,
          },
          body: new URLSearchParams({ login }).toString(),
        });
        const body = await res.text();
        times[kind].push(performance.now() - t0);
        answers.add(`${res.status} ${res.headers.get('location')} ${body}`);
      }
    }
    const ms = (xs: number[]) => Math.round(median(xs) * 100) / 100;
    const p90 = (xs: number[]) =>
      Math.round(([...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)] ?? 0) * 100) / 100;
    results.reset = {
      requests: TIMINGS * 2,
      'distinct answers': answers.size,
      'median ms, an account': ms(times.account),
      'median ms, no account': ms(times.none),
      'p90 ms, an account': p90(times.account),
      'p90 ms, no account': p90(times.none),
    };
  } finally {
    await catcher.close();
    client.close();
  }

  for (const [step, figures] of Object.entries(results)) {
    console.log(`\n${step}`);
    for (const [k, v] of Object.entries(figures)) {
      console.log(`  ${k.padEnd(44)} ${typeof v === 'number' ? fmtCount(v) : String(v)}`);
    }
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    join(RESULTS_DIR, 'mail-reliability.json'),
    `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`,
  );
  const ok =
    results.crashes?.lost === 0 &&
    Number(results.crashes?.['copies (same Message-ID)']) <= KILLS &&
    results.temporary?.lost === 0 &&
    results.permanent?.['given up (dead)'] === PERMANENT &&
    results.permanent?.['/account says so'] === true &&
    results.reset?.['distinct answers'] === 1;
  if (!ok) {
    console.error('\nA target was missed (see above).');
    process.exitCode = 1;
  }
});
