/**
 * The forum as the benchmark runs it: `startServer` from src/server.ts with the configuration
 * in the environment (DATABASE_URL, PORT, SEED_DEMO=false, NODE_ENV=production), its URL on the
 * first line of stdout. Per-request log lines are dropped so the benchmark does not measure a
 * pipe to the parent; error lines go to stderr. Stops on SIGTERM/SIGINT and when the parent's
 * IPC channel closes (so it never outlives the benchmark).
 */
import { startServer } from '../../src/server';

const running = await startServer(process.env, (line) => {
  if (line.startsWith('error')) process.stderr.write(`${line}\n`);
});
process.stdout.write(`${running.url}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  running.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);
