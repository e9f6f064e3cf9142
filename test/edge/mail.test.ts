/**
 * Email on Workers, inside workerd, through the Email Service binding the local runtime provides
 * (wrangler.toml's EMAIL; real delivery cannot be tried from here): the Worker entry sends urgent
 * mail right after the response that queued it (waitUntil), and the Cron Trigger sends the rest;
 * the binding sets its own Message-ID, so the message's key travels in the forum's own header; a
 * refusal by the binding gives the message up and marks the address as failing.
 */
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../db/client';
import { mailOutbox, users } from '../../db/schema';
import { CURRENT_PRIVACY } from '../../src/content/privacy';
import { makeDeps } from '../../src/context';
import { loadConfig } from '../../src/env';
import { deliverDue } from '../../src/mail/delivery';
import { queueMail, queueMailing } from '../../src/mail/outbox';
import { MESSAGE_KEY_HEADER } from '../../src/mail/transport';
import worker, { type WorkerEnv } from '../../src/worker';
import { ORIGIN } from '../shared/agent';
import { insertAccount } from '../shared/people';
import { localEmailBinding } from './forum';

const db = createDb({ d1: env.DB });
const outboxOf = (userId: number) =>
  db.select().from(mailOutbox).where(eq(mailOutbox.userId, userId));

/** The Worker's environment as deployed: the binding, and the public origin mail needs. */
function workerEnv(binding = localEmailBinding()) {
  const workerEnvironment: WorkerEnv = {
    ...(env as unknown as WorkerEnv),
    PUBLIC_ORIGIN: ORIGIN,
    NODE_ENV: 'test',
    EMAIL: binding.binding,
  };
  return { env: workerEnvironment, received: binding.received };
}

describe('the Worker entry', () => {
  it('sends the confirmation link of a new account right after the response, through the binding', async () => {
    const w = workerEnv();
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${ORIGIN}/register`, {
        method: 'POST',
        headers: {
          Origin: ORIGIN,
          'Content-Type': 'application/x-www-form-urlencoded',
          'CF-Connecting-IP': '192.0.2.10',
        },
        body: new URLSearchParams({
          username: 'edge_joiner',
          email: 'edge.joiner@example.org',
          password: 'correct horse battery staple',
          age_confirmed: '1',
        }).toString(),
        redirect: 'manual',
      }),
      w.env,
      ctx,
    );
    expect(res.status).toBe(303);
    await waitOnExecutionContext(ctx);
    expect(w.received).toHaveLength(1);
    const [mail] = w.received;
    expect(mail?.to).toBe('edge.joiner@example.org');
    expect(mail?.subject).toBe('Confirm your email address for the Plimus Community Forums');
    expect(mail?.text).toMatch(
      new RegExp(`${ORIGIN}/account/email/confirm\\?token=[a-z2-7]{32}`.replaceAll('.', '\\.')),
    );
    const user = await db.select().from(users).where(eq(users.username, 'edge_joiner')).get();
    const [row] = await outboxOf(user?.id ?? 0);
    expect(row).toMatchObject({ kind: 'email_confirmation', status: 'sent', payload: null });
    // The platform sets the Message-ID: the row's key travels in the forum's own header.
    expect(mail?.headers[MESSAGE_KEY_HEADER.toLowerCase()]).toBe(row?.key);
  });

  it('sends bulk mail and retries from the Cron Trigger', async () => {
    const w = workerEnv();
    const person = await insertAccount(db, {
      username: 'edge_cron',
      passwordHash: 'x',
      now: Date.now(),
    });
    const deps = makeDeps(db, loadConfig({ NODE_ENV: 'test', PUBLIC_ORIGIN: ORIGIN }));
    await db.batch(
      queueMailing(deps, {
        kind: 'policy_change',
        about: { policyVersion: CURRENT_PRIVACY.version },
        createdById: null,
        recipients: eq(users.id, person.id),
      }),
    );
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '* * * * *' }), w.env, ctx);
    await waitOnExecutionContext(ctx);
    expect(w.received.map((m) => [m.to, m.subject])).toEqual([
      [
        person.email,
        `The privacy notice of the Plimus Community Forums changed (version ${CURRENT_PRIVACY.version} of ${CURRENT_PRIVACY.date})`,
      ],
    ]);
    expect((await outboxOf(person.id))[0]?.status).toBe('sent');
  });
});

describe('the Workers transport', () => {
  it('gives a message up when the binding refuses it, and marks the address as failing', async () => {
    const refusing = localEmailBinding(env.EMAIL_ONE_ADDRESS);
    const person = await insertAccount(db, {
      username: 'edge_refused',
      passwordHash: 'x',
      now: Date.now(),
    });
    const deps = makeDeps(db, loadConfig({ NODE_ENV: 'test', PUBLIC_ORIGIN: ORIGIN }));
    await queueMail(deps, { kind: 'password_reset_plimus', userId: person.id, urgent: true });
    const report = await deliverDue(deps, refusing.transport);
    expect(report).toEqual({ sent: 0, retrying: 0, dead: 1, dropped: 0 });
    expect(refusing.received).toEqual([]);
    const [row] = await outboxOf(person.id);
    expect(row).toMatchObject({ status: 'dead', payload: null });
    // The kind of error, never the binding's message (which names the address).
    expect(row?.lastError).toBe('Error');
    const after = await db.select().from(users).where(eq(users.id, person.id)).get();
    expect(after?.emailFailedAt).not.toBeNull();

    // The same binding takes mail for its one address.
    const allowed = await insertAccount(db, {
      username: 'edge_allowed',
      passwordHash: 'x',
      now: Date.now(),
      values: { email: 'only@forum.test', emailKey: 'only@forum.test' },
    });
    await queueMail(deps, { kind: 'password_reset_plimus', userId: allowed.id, urgent: true });
    expect((await deliverDue(deps, refusing.transport)).sent).toBe(1);
    expect(refusing.received.map((m) => m.to)).toEqual(['only@forum.test']);
  });
});
