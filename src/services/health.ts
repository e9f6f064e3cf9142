import { sql } from 'drizzle-orm';
import type { AppDeps } from '../context';

/** One cheap query that proves the database answers. */
export async function databaseAnswers(deps: AppDeps): Promise<boolean> {
  try {
    const rows = await deps.db.all(sql`select 1 as ok`);
    return rows.length === 1;
  } catch {
    return false;
  }
}
