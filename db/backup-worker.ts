/**
 * The copy itself, in a worker thread: `VACUUM INTO` is one statement that holds the thread
 * until the copy is written, and the main thread shows the copy's size growing meanwhile.
 * It reads one snapshot of the database (the server goes on writing beside it) and writes every
 * table, the search index's included, into a new file with the same encryption.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CopyDone, type CopyOrder, countRows } from './backup';
import { openLibsql } from './open';

const { settings, target } = workerData as CopyOrder;
const client = await openLibsql(settings, { migrate: false });
try {
  const version = async () => Number((await client.execute('PRAGMA data_version')).rows[0]?.[0]);
  const startedAt = await version();
  const before = await countRows(client);
  await client.execute({ sql: 'VACUUM INTO ?', args: [target] });
  const after = await countRows(client);
  const done: CopyDone = { before, after, changedMeanwhile: (await version()) !== startedAt };
  parentPort?.postMessage(done);
} finally {
  client.close();
}
