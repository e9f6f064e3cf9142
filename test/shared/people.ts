/**
 * People for the suites: an account written straight to the database (registration has tests of
 * its own), signed in through the real `/login`.
 */
import { expect } from 'vitest';
import type { Db } from '../../db/client';
import { users } from '../../db/schema';
import { type Agent, agent, type Fetch } from './agent';

export const PASSWORD = 'correct horse battery staple';
export const DAY = 24 * 3600_000;

export type User = typeof users.$inferSelect;

/**
 * An account named `username`, with the email `<username>@example.com`, made `ageDays` (30)
 * before `now`, that confirmed its age and acknowledged that posts are public; `values` sets any
 * other column or overrides these.
 */
export async function insertAccount(
  db: Db,
  o: {
    username: string;
    passwordHash: string;
    now: number;
    ageDays?: number;
    values?: Partial<typeof users.$inferInsert>;
  },
): Promise<User> {
  const email = `${o.username}@example.com`;
  const [user] = await db
    .insert(users)
    .values({
      username: o.username,
      usernameKey: o.username.toLowerCase(),
      email,
      emailKey: email.toLowerCase(),
      passwordHash: o.passwordHash,
      role: 'member',
      createdAt: new Date(o.now - (o.ageDays ?? 30) * DAY),
      ageConfirmedAt: new Date(o.now),
      publicAckAt: new Date(o.now),
      ...o.values,
    })
    .returning();
  if (!user) throw new Error(`no account ${o.username}`);
  return user;
}

/** Signs `username` in with PASSWORD, as a client of its own (rate limits count per client). */
export async function signIn(
  request: Fetch,
  username: string,
  opts: { remember?: boolean } = {},
): Promise<Agent> {
  const a = agent(request, { client: username });
  const res = await a.post('/login', {
    login: username,
    password: PASSWORD,
    ...(opts.remember ? { remember: '1' } : {}),
  });
  expect(res.status).toBe(303);
  return a;
}

/** A signed-in person of a suite: their own client, and their account's row. */
export type Person = { a: Agent; user: User };

/**
 * Makes a suite's `person(...)`: each call inserts an account named `prefix` + a new number
 * (see insertAccount for `ageDays` and `values`) and signs it in.
 */
export function peopleOf(
  forum: () => { deps: { db: Db; now: () => number }; request: Fetch },
  prefix: string,
  passwordHash: () => string,
) {
  let seq = 0;
  return async (
    o: { ageDays?: number; values?: Partial<typeof users.$inferInsert> } = {},
  ): Promise<Person> => {
    const username = `${prefix}${++seq}`;
    const { deps, request } = forum();
    const user = await insertAccount(deps.db, {
      username,
      passwordHash: passwordHash(),
      now: deps.now(),
      ...o,
    });
    return { a: await signIn(request, username), user };
  };
}
