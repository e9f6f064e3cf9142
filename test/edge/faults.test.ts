/**
 * Storage errors on D1, inside workerd. A local D1 database cannot be filled or made read-only
 * (it refuses the PRAGMAs that would do it), so the mapping is checked on a real D1 error for
 * the shape (message `D1_ERROR: …: SQLITE_CODE`, the same as the cause) and on D1's documented
 * storage messages in that shape.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../db/client';
import { users } from '../../db/schema';
import { describeError, sqliteCode, storageFailure } from '../../src/errors';
import { edgeForum } from './forum';

/** A D1 error as the binding throws it: the message prefixed, the bare message as the cause. */
const d1Error = (message: string) =>
  new Error(`D1_ERROR: ${message}`, { cause: new Error(message) });

describe('D1 errors', () => {
  it("reads SQLite's code from a real D1 error, bare and through drizzle", async () => {
    const bare = await env.DB.prepare('PRAGMA max_page_count = 1')
      .run()
      .catch((e: unknown) => e);
    expect(String(bare)).toMatch(/^Error: D1_ERROR: .*: SQLITE_AUTH$/);
    expect(sqliteCode(bare)).toBe('SQLITE_AUTH');
    expect(storageFailure(bare)).toBeUndefined(); // not about storage: a bug, a 500

    // the errors below are made in the same shape
    const real = bare as Error;
    const shaped = d1Error('not authorized: SQLITE_AUTH');
    expect(shaped.message).toBe(real.message);
    expect((shaped.cause as Error).message).toBe((real.cause as Error).message);
  });

  it('logs a failed write by its code and shape, never its values', async () => {
    const db = createDb({ d1: env.DB });
    const at = new Date('2026-11-20T12:00:00Z');
    const person = {
      username: 'd1_twice',
      usernameKey: 'd1_twice',
      email: 'd1.twice@mail.example',
      passwordHash: '$scrypt$ln=14,r=8,p=5$c2FsdA==$a2V5',
      createdAt: at,
      ageConfirmedAt: at,
    };
    await db.insert(users).values(person);
    const err = await db
      .insert(users)
      .values(person)
      .catch((e: unknown) => e);
    const line = describeError(err);
    expect(line).toContain('SQLITE_CONSTRAINT');
    expect(line).toContain('(insert users)');
    for (const value of [person.username, person.email, person.passwordHash]) {
      expect(line).not.toContain(value);
    }
  });

  it("maps D1's storage errors to the storage problem", () => {
    const problem = (message: string) => storageFailure(d1Error(message))?.problem;
    expect(problem('database or disk is full: SQLITE_FULL')).toBe('full');
    expect(problem('Exceeded maximum DB size')).toBe('full');
    expect(problem('attempt to write a readonly database: SQLITE_READONLY')).toBe('read-only');
    expect(problem('database is locked: SQLITE_BUSY')).toBe('busy');
    expect(problem('D1 DB is overloaded. Too many requests queued.')).toBe('busy');
    expect(problem('Network connection lost.')).toBe('unavailable');
    expect(
      problem('D1 DB storage operation exceeded timeout which caused object to be reset.'),
    ).toBe('unavailable');
    expect(
      problem('UNIQUE constraint failed: users.username_key: SQLITE_CONSTRAINT'),
    ).toBeUndefined();
  });

  it('says the Worker is ready: the database answers and no write was refused', async () => {
    const res = await edgeForum().request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });
});
