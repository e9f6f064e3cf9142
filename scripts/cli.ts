/**
 * `npm run cli -- <command>`: administration from the command line, against DATABASE_URL. Safe
 * while the server runs (the embedded database is in WAL mode with a busy timeout), except
 * restore and rekey, which refuse a database in use. This is how the first administrator is made. The work is done by src/services/admin.ts, as in /admin;
 * here are only the arguments and the messages.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import * as z from 'zod';
import { BackupError, backupDatabase, rekeyDatabase, restoreDatabase } from '../db/backup';
import { createDb } from '../db/client';
import { DatabaseOpenError, openLibsql } from '../db/open';
import { ROLES } from '../domain/words';
import { makeDeps } from '../src/context';
import { ConfigError, databaseEncryptionKey, loadConfig } from '../src/env';
import { describeError, FormError, NotFoundError } from '../src/errors';
import { COMMAND_LINE } from '../src/policy/admin';
import { adminCount, changeRole, createForumAsAdmin } from '../src/services/admin';
import { recookStalePosts } from '../src/services/recook';
import { rebuildSearchIndex } from '../src/services/search-index';
import { createForumForm } from '../src/validation/admin-forms';
import { parseForm } from '../src/validation/forms';
import { mailSend, notifyPrivacyChange } from './mail-commands';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  set-role <username> <member|moderator|admin>
      Gives a member a role. The first administrator is made this way.

  create-forum --slug SLUG --name NAME [--description TEXT]
               [--category products|marketplace|community]
               [--vendor-id ID --vendor-name NAME --product-id ID --product-name NAME]
      Creates a forum at the end of its category. With the four vendor and product options
      (all four or none) it is that product's forum, in Products unless --category says
      otherwise; the ids are the Plimus identity's (its plimus_vendor_id and plimus_purchases
      claims). The vendor and product are created when new. SLUG is the address /f/SLUG:
      2 to 40 letters a-z, digits and single hyphens; it cannot be changed later.

  recook
      Makes the HTML of posts cooked by an older version of the markdown pipeline again from
      their markdown (after an upgrade that changed the pipeline). Safe to run at any time.

  backup FILE
      Copies the database into FILE (a new file) while the server runs: one consistent
      snapshot, the search index included, encrypted like the database. Shows the copy
      growing, then checks it (integrity, the search index, the rows of every table).

  restore FILE
      Puts the backup FILE in place of the database, after checking it. The server must be
      stopped: a database in use is never overwritten. The database it replaces is kept
      beside it (…before-restore-<time>).

  rekey [--decrypt]
      Encrypts the database with the key read from standard input (one line), or gives it a
      new one; with --decrypt, stores it unencrypted. DATABASE_ENCRYPTION_KEY is the current
      key (unset: not encrypted). The server must be stopped; set DATABASE_ENCRYPTION_KEY to
      the new key before starting it again.
  notify-privacy-change [--no-wait]
      Emails every member (any address on file: it is a service notice) that the privacy
      notice changed to its current version (src/content/privacy.ts), saying what changed.
      Nobody gets the notice of one version twice: running it again mails only those who have
      not had it. Then shows the sending's progress until it is done (--no-wait: leaves it to
      the server's delivery loop).

  mail:send
      Sends the email that is due now through SMTP_URL (as far as MAIL_RATE_PER_MINUTE
      allows), then stops: for cron, or a sender of its own beside the server.

  reindex
      Finishes rebuilding the search index after an upgrade that asked for it (the Node
      server also does this by itself when it starts). Safe to run at any time.

  help
      Shows this text.

The database is DATABASE_URL (default file:data/forum.db); the server may be running, except
for restore and rekey. Changes are written to the moderation log without a moderator.`;

/** A mistake in how a command was called: the message, and where the usage is. */
class UsageError extends Error {}

const setRoleArgs = z.tuple(
  [
    z.string({ error: 'Give the username.' }).min(1, 'Give the username.'),
    z.enum(ROLES, { error: `The role is one of ${ROLES.join(', ')}.` }),
  ],
  { error: 'Give a username and a role, like: set-role alice moderator' },
);

const OPTION_OF: Record<string, string> = {
  slug: '--slug',
  name: '--name',
  description: '--description',
  category: '--category',
  vendor_id: '--vendor-id',
  vendor_name: '--vendor-name',
  product_id: '--product-id',
  product_name: '--product-name',
};

function parse(args: string[], options: ParseArgsOptionsConfig) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

type Output = { out: (line: string) => void; err: (line: string) => void };

async function withDeps<T>(run: (deps: ReturnType<typeof makeDeps>) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const client = await openLibsql(config);
  try {
    return await run(makeDeps(createDb({ libsql: client }), config));
  } finally {
    client.close();
  }
}

async function setRole(args: string[], io: Output): Promise<void> {
  const { positionals } = parse(args, {});
  const parsed = setRoleArgs.safeParse(positionals);
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues[0]?.code === 'too_big'
        ? 'set-role takes a username and a role, nothing more.'
        : (parsed.error.issues[0]?.message ?? 'Give a username and a role.'),
    );
  }
  const [username, role] = parsed.data;
  await withDeps(async (deps) => {
    const result = await changeRole(deps, COMMAND_LINE, username, role);
    const name = result.member.username;
    if (!result.changed) io.out(`${name} is already ${article(role)} ${role}; nothing changed.`);
    else io.out(`${name} is now ${article(role)} ${role} (was ${result.from}).`);
    if (result.from === 'admin' && role !== 'admin' && (await adminCount(deps)) === 0) {
      io.err('Note: the forum has no administrator now. Make one with set-role <username> admin.');
    }
  });
}

const article = (role: string) => (role === 'admin' ? 'an' : 'a');

async function createForum(args: string[], io: Output): Promise<void> {
  const str = { type: 'string' } as const;
  const { values, positionals } = parse(args, {
    slug: str,
    name: str,
    description: str,
    category: str,
    'vendor-id': str,
    'vendor-name': str,
    'product-id': str,
    'product-name': str,
  });
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument ${positionals[0]}: every value follows its option.`);
  }
  const fields: Record<string, string> = {};
  for (const [option, value] of Object.entries(values)) {
    if (typeof value === 'string') fields[option.replaceAll('-', '_')] = value;
  }
  const parsed = parseForm(createForumForm, fields);
  if (!parsed.ok) throw new FormError(parsed.errors);
  await withDeps(async (deps) => {
    const forum = await createForumAsAdmin(deps, COMMAND_LINE, parsed.data);
    const tied = forum.product
      ? `, the forum of ${forum.product.vendor.name} / ${forum.product.name}`
      : '';
    io.out(
      `Created the forum ${forum.name} at /f/${forum.slug} (id ${forum.id}) in ${forum.category}${tied}.`,
    );
  });
}

const MB = 1_000_000;
const megabytes = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "200,000 posts, 10,000 topics, 20,000 people": what a person recognises a forum by. */
function contents(counts: Record<string, number>): string {
  const n = (table: string) => (counts[table] ?? 0).toLocaleString('en');
  return `${n('posts')} posts, ${n('topics')} topics, ${n('users')} people`;
}

/** The one file argument of backup and restore. */
function fileArgument(command: string, args: string[]): string {
  const { positionals } = parse(args, {});
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0)
    throw new UsageError(`${command} takes one file, like: ${command} backups/forum.db`);
  return file;
}

async function backup(args: string[], io: Output): Promise<void> {
  const file = fileArgument('backup', args);
  const config = loadConfig(process.env);
  const done = await backupDatabase(config, file, (p) => {
    const share =
      p.expectedBytes > 0
        ? ` (${Math.min(100, Math.round((100 * p.bytes) / p.expectedBytes))} %)`
        : '';
    io.err(
      `  ${megabytes(p.bytes)} of about ${megabytes(p.expectedBytes)}${share}, ${seconds(p.elapsedMs)}`,
    );
  });
  io.out(
    `Backed up ${config.databaseUrl} to ${file}: ${megabytes(done.bytes)} in ${seconds(done.elapsedMs)}.`,
  );
  io.out(
    `Checked the copy: integrity ok, search index ok, ${Object.keys(done.counts).length} tables with the rows of the forum (${contents(done.counts)}).`,
  );
  if (done.changedMeanwhile.length > 0) {
    io.out(
      `The forum was written to during the copy, which holds it as it was at one moment: ${done.changedMeanwhile.join(', ')}.`,
    );
  }
  if (config.databaseEncryptionKey) io.out('The copy is encrypted with DATABASE_ENCRYPTION_KEY.');
}

async function restore(args: string[], io: Output): Promise<void> {
  const file = fileArgument('restore', args);
  const config = loadConfig(process.env);
  const done = await restoreDatabase(config, file);
  io.out(`Checked ${file}: integrity ok, search index ok (${contents(done.counts)}).`);
  io.out(`Restored it as ${config.databaseUrl}.`);
  if (done.keptAs) io.out(`The database it replaced is kept as ${done.keptAs}.`);
  io.out('The server applies newer migrations, if any, when it starts.');
}

/** The first line of standard input. */
async function readLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

async function rekey(args: string[], io: Output): Promise<void> {
  const { values, positionals } = parse(args, { decrypt: { type: 'boolean' } });
  if (positionals.length > 0) throw new UsageError('rekey reads the new key from standard input.');
  const config = loadConfig(process.env);
  let newKey: string | undefined;
  if (!values.decrypt) {
    const parsed = databaseEncryptionKey.safeParse(await readLine());
    if (!parsed.success) {
      throw new UsageError(`The new key (on standard input) ${parsed.error.issues[0]?.message}.`);
    }
    newKey = parsed.data;
  }
  await rekeyDatabase(config, newKey);
  io.out(
    newKey
      ? 'The database is encrypted with the new key. Set DATABASE_ENCRYPTION_KEY to it before starting the server; backups made before keep their key.'
      : 'The database is no longer encrypted. Unset DATABASE_ENCRYPTION_KEY before starting the server.',
  );
}

async function main(argv: string[], io: Output): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'set-role':
        await setRole(args, io);
        return 0;
      case 'create-forum':
        await createForum(args, io);
        return 0;
      case 'recook':
        await withDeps(async (deps) => {
          const n = await recookStalePosts(deps, {
            onProgress: (done) => io.err(`${done} posts…`),
          });
          io.out(
            n === 0 ? 'Every post is cooked by the current pipeline.' : `Re-cooked ${n} posts.`,
          );
        });
        return 0;
      case 'backup':
        await backup(args, io);
        return 0;
      case 'restore':
        await restore(args, io);
        return 0;
      case 'rekey':
        await rekey(args, io);
        return 0;
      case 'mail:send':
        await mailSend(withDeps, io);
        return 0;
      case 'notify-privacy-change': {
        const { values } = parse(args, { 'no-wait': { type: 'boolean' } });
        await notifyPrivacyChange({ wait: !values['no-wait'], progress: true }, withDeps, io);
        return 0;
      }
      case 'reindex':
        await withDeps(async (deps) => {
          const n = await rebuildSearchIndex(deps, {
            onProgress: (done) => io.err(`${done} posts…`),
          });
          io.out(n === 0 ? 'The search index is up to date.' : `Re-indexed ${n} posts.`);
        });
        return 0;
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return 0;
      case undefined:
        io.err(USAGE);
        return 1;
      default:
        io.err(`Unknown command: ${command}\n\n${USAGE}`);
        return 1;
    }
  } catch (err) {
    if (err instanceof UsageError) io.err(`${err.message}\nSee: npm run cli -- help`);
    else if (err instanceof FormError) {
      for (const [field, message] of Object.entries(err.fields)) {
        io.err(field in OPTION_OF ? `${OPTION_OF[field]}: ${message}` : message);
      }
    } else if (
      err instanceof NotFoundError ||
      err instanceof ConfigError ||
      err instanceof BackupError
    ) {
      io.err(err.message);
    } else if (err instanceof DatabaseOpenError) io.err(`The database: ${err.message}`);
    // Anything else, in one line and without the values of a failed query.
    else io.err(`Failed: ${describeError(err)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
