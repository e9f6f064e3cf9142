import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../src/context';

/** Every row of every table of the forum, as text: for "this value is stored nowhere" checks. */
export async function dumpDatabase(deps: AppDeps): Promise<string> {
  const tables = await deps.db.all<{ name: string }>(
    sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name not like 'd1_%' and name not like 'posts_fts_%'`,
  );
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await deps.db.all(sql.raw(`select * from "${name.replace(/"/g, '')}"`));
    parts.push(`${name}: ${JSON.stringify(rows)}`);
  }
  if (parts.length < 10) throw new Error(`expected the forum's tables, found ${parts.length}`);
  return parts.join('\n');
}
