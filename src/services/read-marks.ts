/**
 * How far signed-in people have read topics, held in memory on its way to the database (see
 * src/services/reading.ts): a topic page records a mark and never waits for its write.
 */
import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { notifications, posts, topicReads, topics, users } from '../../db/schema';
import { describeError } from '../errors';

/** marks kept in memory at most; past that, new ones are dropped until a write succeeds */
const MAX_PENDING = 20_000;
/** marks written by one statement batch */
const WRITE_CHUNK = 200;

type Mark = { userId: number; topicId: number; number: number; at: number };

export class ReadMarks {
  private pending = new Map<string, Mark>();
  private writing: Promise<void> | undefined;

  constructor(private readonly now: () => number) {}

  /** Notes that `userId` has seen `topicId` up to post `number` (never lowers a mark). */
  record(userId: number, topicId: number, number: number): void {
    const key = `${userId}:${topicId}`;
    const earlier = this.pending.get(key);
    if (earlier) {
      if (number > earlier.number) earlier.number = number;
      earlier.at = this.now();
      return;
    }
    if (this.pending.size >= MAX_PENDING) return;
    this.pending.set(key, { userId, topicId, number, at: this.now() });
  }

  /** The marks of `userId` in `topicIds` not written yet. */
  pendingOf(userId: number, topicIds: number[]): Map<number, number> {
    const out = new Map<number, number>();
    if (this.pending.size === 0) return out;
    for (const id of topicIds) {
      const mark = this.pending.get(`${userId}:${id}`);
      if (mark) out.set(id, mark.number);
    }
    return out;
  }

  /** how many marks wait to be written */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Writes the marks gathered so far. While a write runs, a second call gets the same promise:
   * the running write goes on until nothing is left, marks recorded meanwhile included. Never
   * rejects: a failure is logged (without the marks, which are dropped).
   */
  write(db: Db, log: (line: string) => void): Promise<void> {
    if (this.writing) return this.writing;
    if (this.pending.size === 0) return Promise.resolve();
    const run = async () => {
      // Marks recorded while a batch is written go in the next one.
      while (this.pending.size > 0) {
        const marks = [...this.pending.values()];
        this.pending.clear();
        try {
          for (let i = 0; i < marks.length; i += WRITE_CHUNK) {
            await writeMarks(db, marks.slice(i, i + WRITE_CHUNK));
          }
        } catch (err) {
          log(`reading state not written (${marks.length} marks): ${describeError(err)}`);
        }
      }
    };
    // `finally` runs after this assignment, even when nothing had to wait.
    this.writing = run().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }
}

/**
 * One batch of upserts. A mark only ever rises; a topic or account deleted meanwhile writes
 * nothing (the insert selects from both, so no foreign key can fail the batch).
 */
function writeMarks(db: Db, marks: Mark[]) {
  const [first, ...rest] = marks.map((m) =>
    db
      .insert(topicReads)
      .select(
        db
          .select({
            userId: users.id,
            topicId: topics.id,
            lastReadNumber: sql<number>`${m.number}`.as('last_read_number'),
            updatedAt: sql<Date>`${m.at}`.as('updated_at'),
          })
          .from(users)
          .innerJoin(topics, eq(topics.id, m.topicId))
          .where(eq(users.id, m.userId)),
      )
      .onConflictDoUpdate({
        target: [topicReads.userId, topicReads.topicId],
        set: {
          lastReadNumber: sql`max(${topicReads.lastReadNumber}, excluded.last_read_number)`,
          updatedAt: sql`excluded.updated_at`,
        },
      }),
  );
  if (!first) return Promise.resolve();
  // What the person was told about the posts they have now seen is read.
  const seen = marks.map((m) =>
    db
      .update(notifications)
      .set({ readAt: new Date(m.at) })
      .where(
        and(
          eq(notifications.userId, m.userId),
          eq(notifications.topicId, m.topicId),
          isNull(notifications.readAt),
          inArray(
            notifications.postId,
            db
              .select({ id: posts.id })
              .from(posts)
              .where(and(eq(posts.topicId, m.topicId), lte(posts.number, m.number))),
          ),
        ),
      ),
  );
  return db.batch([first, ...rest, ...seen]);
}
