/**
 * The only statistics the forums keep, as the Plimus policy allows: the country of visitors
 * counted per day ("geographic statistics"), and page views counted per day per kind of page.
 * Neither is linked to a person, an address or a session. Counts gather in memory and are written
 * in one batch now and then, so that reading a page does not write to the database.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { countryStats, pageViewStats } from '../../db/schema';

const FLUSH_EVERY_MS = 30_000;
const FLUSH_AT_KEYS = 500;

/** A two-letter country code as Cloudflare and most proxies send it (XX and T1 included). */
const COUNTRY = /^[A-Z][A-Z0-9]$/;

export class VisitCounter {
  private countries = new Map<string, number>();
  private pages = new Map<string, number>();
  private lastFlush: number;
  private flushing: Promise<void> | undefined;

  constructor(private readonly now: () => number) {
    this.lastFlush = now();
  }

  /** Counts one page view of `kind`, and the visitor's country when known. */
  record(kind: string, country: string | undefined): void {
    const day = this.today();
    bump(this.pages, `${day}\t${kind}`);
    const code = country?.toUpperCase();
    if (code && COUNTRY.test(code)) bump(this.countries, `${day}\t${code}`);
  }

  // The day's name is made once a day, not once a page view.
  private day = { start: 0, end: 0, name: '' };
  private today(): string {
    const now = this.now();
    if (now < this.day.start || now >= this.day.end) {
      const start = Math.floor(now / 86_400_000) * 86_400_000;
      this.day = {
        start,
        end: start + 86_400_000,
        name: new Date(start).toISOString().slice(0, 10),
      };
    }
    return this.day.name;
  }

  /** Whether enough has gathered (or enough time passed) to write. */
  due(): boolean {
    const pending = this.countries.size + this.pages.size;
    return (
      pending > 0 && (pending >= FLUSH_AT_KEYS || this.now() - this.lastFlush >= FLUSH_EVERY_MS)
    );
  }

  /** Writes what has gathered, in one batch; counts of a failed write are kept for the next. */
  flush(db: Db): Promise<void> {
    this.flushing ??= this.write(db).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async write(db: Db) {
    const countries = this.countries;
    const pages = this.pages;
    this.countries = new Map();
    this.pages = new Map();
    this.lastFlush = this.now();
    const rows = (m: Map<string, number>) =>
      [...m].map(([key, count]) => {
        const [day, name] = key.split('\t') as [string, string];
        return { day, name, count };
      });
    const statements = [
      ...rows(countries).map((r) =>
        db
          .insert(countryStats)
          .values({ day: r.day, country: r.name, count: r.count })
          .onConflictDoUpdate({
            target: [countryStats.day, countryStats.country],
            set: { count: sql`${countryStats.count} + excluded.count` },
          }),
      ),
      ...rows(pages).map((r) =>
        db
          .insert(pageViewStats)
          .values({ day: r.day, kind: r.name, count: r.count })
          .onConflictDoUpdate({
            target: [pageViewStats.day, pageViewStats.kind],
            set: { count: sql`${pageViewStats.count} + excluded.count` },
          }),
      ),
    ];
    const [first, ...rest] = statements;
    if (!first) return;
    try {
      await db.batch([first, ...rest]);
    } catch (err) {
      for (const [k, n] of countries) bump(this.countries, k, n);
      for (const [k, n] of pages) bump(this.pages, k, n);
      throw err;
    }
  }
}

function bump(m: Map<string, number>, key: string, by = 1) {
  m.set(key, (m.get(key) ?? 0) + by);
}
