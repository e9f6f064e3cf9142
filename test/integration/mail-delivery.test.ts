/**
 * The outbox and the delivery loop on Node, with every message received by a real SMTP server in
 * the test process (dev/mail-catcher.ts: smtp-server) and read with a MIME parser (mailparser):
 * the claim and its lease, the stable key as Message-ID, retries with backoff and jitter, giving
 * up after a permanent refusal or too many attempts (the address then shown as failing), the send
 * rate, the erasure of what was secret once sent, the 30-day records, and a mailing queued with
 * one INSERT … SELECT.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createClient } from '@libsql/client';
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../../db/client';
import { mailOutbox, users } from '../../db/schema';
import { makeDeps } from '../../src/context';
import { deliverDue, retryDelay } from '../../src/mail/delivery';
import { claimDue, queueMail, queueMailing } from '../../src/mail/outbox';
import { createForum } from '../../src/services/catalog';
import { createTopic } from '../../src/services/posting';
import { agent } from '../shared/agent';
import { insertAccount } from '../shared/people';
import { createTestForum, type TestForum } from '../support/forum';
import { parseHtml } from '../support/html';

const DAY = 24 * 3600_000;
let forum: TestForum;
let seq = 0;

beforeAll(async () => {
  forum = await createTestForum({ MAIL_RATE_PER_MINUTE: '1000' });
});
afterAll(() => forum.close());
beforeEach(async () => {
  // Each test starts with nothing waiting, and an SMTP server that accepts.
  forum.mail.catcher.refuse(null);
  await forum.db.delete(mailOutbox);
});

async function person(values: Partial<typeof users.$inferInsert> = {}) {
  const username = `mailee${++seq}`;
  return insertAccount(forum.db, { username, passwordHash: 'x', now: forum.clock.now(), values });
}

/** A reset link for `userId`, queued as the forum queues one. */
async function queueReset(userId: number, token = `token${++seq}`) {
  await queueMail(forum.deps, {
    kind: 'password_reset',
    userId,
    payload: { token, expiresAt: forum.clock.now() + 3600_000 },
    urgent: true,
  });
  return token;
}

const rowsOf = (userId: number) =>
  forum.db.select().from(mailOutbox).where(eq(mailOutbox.userId, userId));
const received = () => forum.mail.catcher.messages;

describe('delivering a message', () => {
  it('sends it with its row key as Message-ID, then erases what was secret and keeps the record', async () => {
    const p = await person();
    const token = await queueReset(p.id);
    const [queued] = await rowsOf(p.id);
    expect(queued).toMatchObject({ status: 'queued', attempts: 0, kind: 'password_reset' });
    expect(queued?.payload).toContain(token);
    expect(queued?.key).toMatch(/^[0-9a-f]{32}$/);

    const before = received().length;
    const report = await forum.mail.deliver();
    expect(report).toEqual({ sent: 1, retrying: 0, dead: 0, dropped: 0 });
    const mail = received()[before];
    expect(mail?.to).toEqual([p.email]);
    const parsed = mail?.parsed;
    expect(parsed?.messageId).toBe(`<${queued?.key}@forum.test>`);
    expect(parsed?.from?.value).toEqual([
      { name: 'Plimus Community Forums', address: 'forums@forum.test' },
    ]);
    expect(parsed?.subject).toBe('Reset your password on the Plimus Community Forums');
    // A text part, and no HTML part, no images, no link but to the forum.
    expect(parsed?.text).toContain(`http://forum.test/password/reset?token=${token}`);
    expect(parsed?.html).toBe(false);
    expect(parsed?.attachments).toEqual([]);
    const links = parsed?.text?.match(/https?:\/\/[^\s]+/g) ?? [];
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link.startsWith('http://forum.test/')).toBe(true);

    const [sent] = await rowsOf(p.id);
    expect(sent).toMatchObject({
      status: 'sent',
      attempts: 1,
      payload: null,
      toAddress: null,
      leaseUntil: null,
      key: queued?.key,
      kind: 'password_reset',
    });
    expect(sent?.finishedAt?.getTime()).toBe(forum.clock.now());
    // Nothing is left to send.
    expect(await forum.mail.deliver()).toEqual({ sent: 0, retrying: 0, dead: 0, dropped: 0 });
  });

  it('forgets the record 30 days after the message was sent', async () => {
    const p = await person();
    await queueReset(p.id);
    await forum.mail.deliver();
    forum.clock.advance(30 * DAY - 1000);
    await forum.mail.deliver();
    expect(await rowsOf(p.id)).toHaveLength(1);
    forum.clock.advance(2000);
    await forum.mail.deliver();
    expect(await rowsOf(p.id)).toEqual([]);
  });

  it('sends links people wait for before bulk mail', async () => {
    const p = await person();
    await forum.db.batch(
      queueMailing(forum.deps, {
        kind: 'policy_change',
        about: { policyVersion: `test-${++seq}` },
        createdById: null,
        recipients: eq(users.id, p.id),
      }),
    );
    forum.clock.advance(1000);
    await queueReset(p.id);
    const claimed = await claimDue(forum.deps, { limit: 1, leaseMs: 30_000, ratePerMinute: 100 });
    expect(claimed.map((r) => r.kind)).toEqual(['password_reset']);
  });
});

describe('claims', () => {
  it('never hands one row to two loops: two processes deliver every message exactly once', async () => {
    const people = await Promise.all(Array.from({ length: 6 }, () => person()));
    for (const p of people) for (let i = 0; i < 5; i++) await queueReset(p.id);
    // A second process: its own connection to the same database file.
    const other = createClient({ url: forum.databaseUrl });
    const otherDeps = makeDeps(createDb({ libsql: other }), forum.deps.config, {
      now: forum.clock.now,
    });
    const before = received().length;
    try {
      const { smtpTransport } = await import('../../src/mail/smtp');
      const transport = smtpTransport({
        ...forum.deps.config.mail,
        smtpUrl: forum.mail.catcher.smtpUrl,
      });
      const [a, b] = await Promise.all([
        forum.mail.deliver({ batchSize: 3 }),
        deliverDue(otherDeps, transport, { batchSize: 3 }),
      ]);
      await transport.close?.();
      expect(a.sent + b.sent).toBe(30);
      expect(a.sent).toBeGreaterThan(0);
      expect(b.sent).toBeGreaterThan(0);
    } finally {
      other.close();
    }
    const ids = received()
      .slice(before)
      .map((m) => m.parsed.messageId);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });

  it('gives a row whose loop died to the next loop once the lease is over, with the same Message-ID', async () => {
    const p = await person();
    await queueReset(p.id);
    // A loop claims the row and dies before sending.
    const [claimed] = await claimDue(forum.deps, {
      limit: 10,
      leaseMs: 30_000,
      ratePerMinute: 100,
    });
    expect(claimed?.userId).toBe(p.id);
    const before = received().length;
    expect((await forum.mail.deliver()).sent).toBe(0);
    forum.clock.advance(30_000);
    expect((await forum.mail.deliver()).sent).toBe(1);
    expect(received()[before]?.parsed.messageId).toBe(`<${claimed?.key}@forum.test>`);
    const [row] = await rowsOf(p.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('keeps to MAIL_RATE_PER_MINUTE, counted in the database across passes', async () => {
    const slow = await createTestForum({ MAIL_RATE_PER_MINUTE: '3' });
    try {
      const p = await insertAccount(slow.db, {
        username: 'rated',
        passwordHash: 'x',
        now: slow.clock.now(),
      });
      for (let i = 0; i < 5; i++) {
        await queueMail(slow.deps, { kind: 'password_reset_plimus', userId: p.id });
      }
      expect((await slow.mail.deliver()).sent).toBe(3);
      slow.clock.advance(30_000);
      expect((await slow.mail.deliver()).sent).toBe(0);
      slow.clock.advance(30_001);
      expect((await slow.mail.deliver()).sent).toBe(2);
      expect(slow.mail.catcher.messages).toHaveLength(5);
    } finally {
      await slow.close();
    }
  });
});

describe('failures', () => {
  it('tries again after a temporary refusal, with a growing, jittered delay, and delivers once the server takes mail again', async () => {
    const p = await person();
    await queueReset(p.id);
    forum.mail.catcher.refuse({ code: 451, message: '4.3.0 Try again later' });
    const first = await forum.mail.deliver({ random: () => 0 });
    expect(first).toEqual({ sent: 0, retrying: 1, dead: 0, dropped: 0 });
    let [row] = await rowsOf(p.id);
    expect(row).toMatchObject({ status: 'queued', attempts: 1, lastError: '451 4.3.0' });
    // The first retry waits a minute times a factor between one half and one.
    expect(row?.dueAt.getTime()).toBe(forum.clock.now() + 30_000);
    expect(row?.payload).not.toBeNull();

    forum.clock.advance(30_000);
    await forum.mail.deliver({ random: () => 1 });
    [row] = await rowsOf(p.id);
    expect(row).toMatchObject({ status: 'queued', attempts: 2 });
    expect(row?.dueAt.getTime()).toBe(forum.clock.now() + 120_000);

    forum.mail.catcher.refuse(null);
    expect((await forum.mail.deliver()).sent).toBe(0); // not due yet
    forum.clock.advance(120_000);
    const before = received().length;
    expect((await forum.mail.deliver()).sent).toBe(1);
    expect(received()[before]?.to).toEqual([p.email]);
    [row] = await rowsOf(p.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 3, lastError: null, payload: null });
  });

  it('gives up at once on a permanent refusal and shows the address as failing on /account', async () => {
    const { token } = await (async () => {
      const p = await person();
      return { token: await queueReset(p.id), p };
    })();
    const [queued] = await forum.db.select().from(mailOutbox).orderBy(sql`id desc`).limit(1);
    const userId = queued?.userId as number;
    forum.mail.catcher.refuse({ code: 550, message: '5.1.1 <someone@example.com>: no such user' });
    const logs: string[] = [];
    expect(await forum.mail.deliver({ log: (l) => logs.push(l) })).toEqual({
      sent: 0,
      retrying: 0,
      dead: 1,
      dropped: 0,
    });
    const [row] = await rowsOf(userId);
    expect(row).toMatchObject({ status: 'dead', lastError: '550 5.1.1', payload: null });
    const user = await forum.db.select().from(users).where(eq(users.id, userId)).get();
    expect(user?.emailFailedAt?.getTime()).toBe(forum.clock.now());
    expect(user?.emailFailure).toBe('550 5.1.1');
    // The log names the row and the code, never an address or the token.
    expect(logs).toEqual([`mail dead id=${row?.id} kind=password_reset attempts=1 code=550 5.1.1`]);
    expect(logs.join('\n')).not.toContain('@');
    expect(logs.join('\n')).not.toContain(token);

    // The person sees it on their account page.
    const a = agent(forum.request);
    const { createSession } = await import('../../src/auth/session');
    a.jar.set('session', (await createSession(forum.deps, userId, { remember: false })).token);
    const doc = parseHtml(await (await a.get('/account')).text());
    expect(doc.querySelector('.email-failing')?.text).toMatch(
      /could not be delivered since .* \(the receiving server answered 550 5\.1\.1\)/,
    );

    // A message that gets through again clears it.
    forum.mail.catcher.refuse(null);
    await queueReset(userId);
    await forum.mail.deliver();
    const after = await forum.db.select().from(users).where(eq(users.id, userId)).get();
    expect(after?.emailFailedAt).toBeNull();
  });

  it('gives up after the last attempt of temporary failures', async () => {
    const p = await person();
    await queueReset(p.id);
    forum.mail.catcher.refuse({ code: 421, message: '4.7.0 Slow down' });
    for (let i = 1; i < 4; i++) {
      expect((await forum.mail.deliver({ maxAttempts: 4, backoffMs: 1000 })).retrying).toBe(1);
      forum.clock.advance(3600_000);
    }
    expect((await forum.mail.deliver({ maxAttempts: 4, backoffMs: 1000 })).dead).toBe(1);
    const [row] = await rowsOf(p.id);
    expect(row).toMatchObject({ status: 'dead', attempts: 4, lastError: '421 4.7.0' });
  });

  it('retries when the SMTP server cannot be reached at all', async () => {
    const away = await createTestForum({ SMTP_URL: 'smtp://127.0.0.1:9' });
    try {
      const p = await insertAccount(away.db, {
        username: 'unreachable',
        passwordHash: 'x',
        now: away.clock.now(),
      });
      await queueMail(away.deps, { kind: 'password_reset_plimus', userId: p.id });
      const { smtpTransport } = await import('../../src/mail/smtp');
      const transport = smtpTransport({ ...away.deps.config.mail, smtpUrl: 'smtp://127.0.0.1:9' });
      const report = await deliverDue(away.deps, transport, {});
      await transport.close?.();
      expect(report.retrying).toBe(1);
      const [row] = await away.db.select().from(mailOutbox);
      expect(row?.status).toBe('queued');
      expect(row?.lastError).toMatch(/^E[A-Z]+$/);
    } finally {
      await away.close();
    }
  });

  it('doubles the delay with every attempt, up to the cap, each time times a factor in [½, 1]', () => {
    const o = { backoffMs: 60_000, maxBackoffMs: 6 * 3600_000 };
    expect([1, 2, 3, 4].map((n) => retryDelay(n, o, () => 1))).toEqual([
      60_000, 120_000, 240_000, 480_000,
    ]);
    expect(retryDelay(1, o, () => 0)).toBe(30_000);
    expect(retryDelay(30, o, () => 1)).toBe(6 * 3600_000);
  });
});

describe('mailings', () => {
  it('queues one email per recipient with a single INSERT … SELECT, and none twice', async () => {
    for (let i = 0; i < 25; i++) await person({ username: `bulk${i}`, usernameKey: `bulk${i}` });
    const statements = () =>
      queueMailing(forum.deps, {
        kind: 'policy_change',
        about: { policyVersion: '9.9' },
        createdById: null,
        recipients: sql`${users.username} like 'bulk%'`,
      });
    // One statement writes the outbox rows, whatever the number of recipients.
    const outboxWrites = statements()
      .map((q) => q.toSQL().sql)
      .filter((q) => /^insert into "mail_outbox"/.test(q));
    expect(outboxWrites).toHaveLength(1);
    expect(outboxWrites[0]).toMatch(
      /^insert into "mail_outbox" \([^)]*\) select .* from "users" where/,
    );
    await forum.db.batch(statements());
    const [n] = await forum.db.select({ n: count() }).from(mailOutbox);
    expect(n?.n).toBe(25);
    await forum.db.batch(statements());
    const [again] = await forum.db.select({ n: count() }).from(mailOutbox);
    expect(again?.n).toBe(25);
  });
});

describe('DKIM', () => {
  it('signs SMTP mail when a key is configured, the one-click unsubscribe headers included', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signed = await createTestForum({
      MAIL_FROM: 'Plimus Forums <forums@plimus.example>',
      DKIM_DOMAIN: 'plimus.example',
      DKIM_SELECTOR: 'forums2026',
      DKIM_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    try {
      const reader = await insertAccount(signed.db, {
        username: 'signed_reader',
        passwordHash: 'x',
        now: signed.clock.now(),
        values: { announcementsOptIn: true, emailConfirmedAt: new Date(signed.clock.now()) },
      });
      const board = await createForum(signed.deps, {
        slug: 'news',
        name: 'News',
        category: 'community',
        announcements: true,
      });
      const topic = await createTopic(signed.deps, {
        forumId: board.id,
        authorId: reader.id,
        title: 'A signed announcement',
        body: 'Hello.',
        kind: 'discussion',
      });
      await signed.db.batch(
        queueMailing(signed.deps, {
          kind: 'announcement',
          about: { topicId: topic.topicId },
          createdById: null,
          recipients: eq(users.id, reader.id),
        }),
      );
      expect((await signed.mail.deliver()).sent).toBe(1);
      const [mail] = signed.mail.catcher.messages;
      const line = mail?.parsed.headerLines.find((h) => h.key === 'dkim-signature')?.line ?? '';
      const tags = Object.fromEntries(
        line
          .slice(line.indexOf(':') + 1)
          .replace(/\s+/g, '')
          .split(';')
          .filter(Boolean)
          .map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]),
      );
      expect(tags).toMatchObject({ v: '1', a: 'rsa-sha256', d: 'plimus.example', s: 'forums2026' });
      const signedHeaders = String(tags.h).toLowerCase().split(':');
      for (const h of [
        'from',
        'to',
        'subject',
        'message-id',
        'list-unsubscribe',
        'list-unsubscribe-post',
      ]) {
        expect(signedHeaders).toContain(h);
      }
      expect(String(tags.b).length).toBeGreaterThan(300);
      expect(mail?.parsed.messageId).toMatch(/@plimus\.example>$/);
    } finally {
      await signed.close();
    }
  });
});
