/**
 * `npm run cli -- <command>`: administration from the command line, against DATABASE_URL. Safe
 * while the server runs (the embedded database is in WAL mode with a busy timeout). This is how
 * the first administrator is made. The work is done by src/services/admin.ts, as in /admin;
 * here are only the arguments and the messages.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { z } from 'zod';
import { createDb } from '../db/client';
import { openLibsql } from '../db/open';
import { ROLES } from '../domain/words';
import { makeDeps } from '../src/context';
import { ConfigError, loadConfig } from '../src/env';
import { FormError, NotFoundError } from '../src/errors';
import { COMMAND_LINE } from '../src/policy/admin';
import { adminCount, changeRole, createForumAsAdmin } from '../src/services/admin';
import { recookStalePosts } from '../src/services/recook';
import { rebuildSearchIndex } from '../src/services/search-index';
import { createForumForm } from '../src/validation/admin-forms';
import { parseForm } from '../src/validation/forms';

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

  reindex
      Finishes rebuilding the search index after an upgrade that asked for it (the Node
      server also does this by itself when it starts). Safe to run at any time.

  help
      Shows this text.

The database is DATABASE_URL (default file:data/forum.db); the server may be running.
Changes are written to the moderation log without a moderator.`;

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
    } else if (err instanceof NotFoundError || err instanceof ConfigError) io.err(err.message);
    else throw err;
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
