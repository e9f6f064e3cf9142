/**
 * The command line, run for real (`tsx scripts/cli.ts`) as a child process against a database
 * file that this test keeps open at the same time, as a running server would.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@libsql/client';
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../db/client';
import { openLibsql } from '../../db/open';
import {
  forums,
  mailOutbox,
  moderationLog,
  posts,
  products,
  searchReindex,
  users,
  vendors,
} from '../../db/schema';
import { type MailCatcher, startMailCatcher } from '../../dev/mail-catcher';
import { COOK_VERSION } from '../../src/content/cook';
import { CURRENT_PRIVACY } from '../../src/content/privacy';
import { makeDeps } from '../../src/context';
import { loadConfig } from '../../src/env';
import { createForum } from '../../src/services/catalog';
import { createTopic } from '../../src/services/posting';
import { indexedText } from '../../src/services/search-index';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

let dir: string;
let url: string;
let client: Client;
let db: Db;

/** Each run starts Node and tsx: seconds each, more while the other test files run. */
const SLOW = { timeout: 120_000 };

type Run = { code: number; stdout: string; stderr: string };

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      TSX,
      ['scripts/cli.ts', ...args],
      {
        cwd: ROOT,
        // Only what the command needs: no configuration leaks in from the test's environment.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          DATABASE_URL: url,
          ...env,
        },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

const logRows = () => db.select().from(moderationLog).orderBy(moderationLog.id);
const forumCount = async () => (await db.select({ n: count() }).from(forums).get())?.n ?? 0;
const forumBySlug = (slug: string) => db.select().from(forums).where(eq(forums.slug, slug)).get();
const roleOf = async (username: string) =>
  (await db.select().from(users).where(eq(users.usernameKey, username)).get())?.role;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'forum-cli-'));
  url = `file:${join(dir, 'forum.db')}`;
  client = await openLibsql({ databaseUrl: url, databaseAuthToken: undefined });
  db = createDb({ libsql: client });
  const at = new Date('2026-11-01T00:00:00Z');
  await db.insert(users).values(
    ['Alice', 'bob'].map((username) => ({
      username,
      usernameKey: username.toLowerCase(),
      createdAt: at,
      ageConfirmedAt: at,
    })),
  );
});

afterAll(() => {
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('help', SLOW, () => {
  it('prints the usage for help, and exits 1 with it for no command or an unknown one', async () => {
    const [help, none, unknown] = await Promise.all([cli(['help']), cli([]), cli(['frobnicate'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('set-role <username> <member|moderator|admin>');
    expect(help.stdout).toContain('create-forum --slug SLUG --name NAME');
    expect(help.stderr).toBe('');
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('Usage: npm run cli -- <command>');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Unknown command: frobnicate\n\nUsage:/);
  });
});

describe('set-role', SLOW, () => {
  it('gives a member a role (the username without regard to case), and logs it without a moderator', async () => {
    const before = (await logRows()).length;
    const res = await cli(['set-role', 'alice', 'admin']);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.stdout).toBe('Alice is now an admin (was member).\n');
    expect(await roleOf('alice')).toBe('admin');
    const alice = await db.select().from(users).where(eq(users.usernameKey, 'alice')).get();
    const rows = await logRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({
      moderatorId: null,
      action: 'role_change',
      targetType: 'user',
      targetId: alice?.id,
      note: 'member -> admin',
    });
  });

  it('changes nothing and logs nothing when the member has the role already', async () => {
    await cli(['set-role', 'bob', 'moderator']);
    const before = (await logRows()).length;
    const res = await cli(['set-role', 'BOB', 'moderator']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('bob is already a moderator; nothing changed.\n');
    expect(await logRows()).toHaveLength(before);
  });

  it('warns when the last admin is made a member', async () => {
    const res = await cli(['set-role', 'alice', 'member']);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('the forum has no administrator now');
    expect(await roleOf('alice')).toBe('member');
    expect((await cli(['set-role', 'alice', 'admin'])).code).toBe(0);
  });

  it('refuses an unknown user, an unknown role and missing or extra arguments: exit 1, nothing written', async () => {
    const before = (await logRows()).length;
    const roles = { alice: await roleOf('alice'), bob: await roleOf('bob') };
    const [nobody, king, short, long] = await Promise.all([
      cli(['set-role', 'nobody', 'admin']),
      cli(['set-role', 'bob', 'king']),
      cli(['set-role', 'bob']),
      cli(['set-role', 'bob', 'member', 'extra']),
    ]);
    expect(nobody).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'There is no member with the username nobody.\n',
    });
    expect(king.code).toBe(1);
    expect(king.stderr).toMatch(/^The role is one of member, moderator, admin\./);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/Give a username and a role/);
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(/takes a username and a role, nothing more/);
    expect(await logRows()).toHaveLength(before);
    expect({ alice: await roleOf('alice'), bob: await roleOf('bob') }).toEqual(roles);
  });
});

describe('create-forum', SLOW, () => {
  it('creates a forum at the end of Community, and logs it', async () => {
    const res = await cli([
      'create-forum',
      '--slug',
      'General-Chat',
      '--name',
      '  General   chat ',
      '--description',
      'Talk about anything.',
    ]);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const forum = await forumBySlug('general-chat');
    expect(res.stdout).toBe(
      `Created the forum General chat at /f/general-chat (id ${forum?.id}) in community.\n`,
    );
    expect(forum).toMatchObject({
      name: 'General chat',
      description: 'Talk about anything.',
      category: 'community',
      productId: null,
      archived: false,
      position: 1,
    });
    expect((await logRows()).at(-1)).toMatchObject({
      moderatorId: null,
      action: 'forum_create',
      targetType: 'forum',
      targetId: forum?.id,
    });
    expect((await cli(['create-forum', '--slug', 'second', '--name', 'Second'])).code).toBe(0);
    expect((await forumBySlug('second'))?.position).toBe(2);
  });

  it('creates a product forum in Products, with the vendor and product under their Plimus ids', async () => {
    const res = await cli([
      'create-forum',
      '--slug=acme-backup',
      '--name=Acme Backup Pro',
      '--vendor-id=vendor-acme',
      '--vendor-name=Acme Software',
      '--product-id=product-acme-backup',
      '--product-name=Acme Backup Pro',
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('in products, the forum of Acme Software / Acme Backup Pro.');
    const forum = await forumBySlug('acme-backup');
    const product = await db
      .select()
      .from(products)
      .where(eq(products.plimusProductId, 'product-acme-backup'))
      .get();
    const vendor = await db
      .select()
      .from(vendors)
      .where(eq(vendors.plimusVendorId, 'vendor-acme'))
      .get();
    expect(forum).toMatchObject({ category: 'products', productId: product?.id });
    expect(product).toMatchObject({ name: 'Acme Backup Pro', vendorId: vendor?.id });
    expect(vendor?.name).toBe('Acme Software');
    expect((await logRows()).at(-1)).toMatchObject({
      action: 'forum_create',
      targetId: forum?.id,
      note: 'tied to Acme Software (vendor-acme) / Acme Backup Pro (product-acme-backup)',
    });

    // A second product of the same vendor, in another category: the vendor is reused.
    const other = await cli([
      'create-forum',
      '--slug=acme-sync',
      '--name=Acme Sync',
      '--category=marketplace',
      '--vendor-id=vendor-acme',
      '--vendor-name=Acme Software',
      '--product-id=product-acme-sync',
      '--product-name=Acme Sync',
    ]);
    expect(other.code).toBe(0);
    expect((await forumBySlug('acme-sync'))?.category).toBe('marketplace');
    expect((await db.select({ n: count() }).from(vendors).get())?.n).toBe(1);
  });

  it('refuses bad and incomplete options, a taken slug and a product of another vendor: exit 1, nothing written', async () => {
    const before = { forums: await forumCount(), log: (await logRows()).length };
    const runs = await Promise.all([
      cli(['create-forum', '--slug', 'general-chat', '--name', 'Again']),
      cli(['create-forum', '--slug', 'Not a slug!', '--name', 'Bad slug']),
      cli(['create-forum', '--slug', 'no-name']),
      cli(['create-forum', '--slug', 'bad-category', '--name', 'Bad', '--category', 'games']),
      cli(['create-forum', '--slug', 'half', '--name', 'Half', '--vendor-id', 'vendor-acme']),
      cli([
        'create-forum',
        '--slug=stolen',
        '--name=Stolen',
        '--vendor-id=vendor-other',
        '--vendor-name=Other',
        '--product-id=product-acme-backup',
        '--product-name=Acme Backup Pro',
      ]),
      cli(['create-forum', '--slug', 'x-y', '--name', 'Unknown option', '--colour', 'red']),
      cli(['create-forum', 'loose', '--slug', 'loose', '--name', 'Loose']),
    ]);
    const [taken, badSlug, noName, badCategory, half, stolen, unknown, loose] = runs;
    for (const r of runs) {
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
    }
    expect(taken?.stderr).toBe('--slug: A forum already has this address. Choose another.\n');
    expect(badSlug?.stderr).toMatch(/^--slug: Use only letters a-z, digits and single hyphens/);
    expect(noName?.stderr).toMatch(/^--name: /);
    expect(badCategory?.stderr).toMatch(/^--category: Choose Products, Marketplace or Community/);
    expect(half?.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^--vendor-name: Enter the vendor name too/),
      expect.stringMatching(/^--product-id: Enter the product id too/),
      expect.stringMatching(/^--product-name: Enter the product name too/),
    ]);
    expect(stolen?.stderr).toMatch(
      /^--product-id: Product product-acme-backup belongs to the vendor Acme Software/,
    );
    expect(unknown?.stderr).toMatch(/Unknown option '--colour'/);
    expect(loose?.stderr).toMatch(/Unexpected argument loose/);
    expect(await forumCount()).toBe(before.forums);
    expect(await logRows()).toHaveLength(before.log);
    expect((await db.select({ n: count() }).from(vendors).get())?.n).toBe(1);
  });
});

describe('recook', SLOW, () => {
  it('cooks posts of an older pipeline again from their markdown, and says when there is nothing to do', async () => {
    const deps = makeDeps(db, loadConfig({ DATABASE_URL: url }));
    const forum = await createForum(deps, {
      slug: 'recook-test',
      name: 'Recook test',
      category: 'community',
    });
    const [alice] = await db.select().from(users).where(eq(users.usernameKey, 'alice'));
    const made = await createTopic(deps, {
      forumId: forum.id,
      authorId: alice?.id as number,
      title: 'Old cooking',
      body: '## A heading\n\n![img](https://img.example/x.png)',
      kind: 'discussion',
    });
    const fresh = await db.select().from(posts).where(eq(posts.id, made.postId)).get();
    await db
      .update(posts)
      .set({ bodyHtml: '<p>stale</p>', cookVersion: 1 })
      .where(eq(posts.id, made.postId));
    const res = await cli(['recook']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('Re-cooked 1 posts.\n');
    const after = await db.select().from(posts).where(eq(posts.id, made.postId)).get();
    expect(after).toMatchObject({ bodyHtml: fresh?.bodyHtml, cookVersion: COOK_VERSION });
    // The search index follows the new HTML.
    expect(await indexedBody(made.postId)).toBe(indexedText(fresh?.bodyHtml ?? ''));
    expect((await cli(['recook'])).stdout).toBe('Every post is cooked by the current pipeline.\n');
  });
});

const indexedBody = async (postId: number) =>
  (await db.all<{ body: string }>(sql`select body from posts_fts where rowid = ${postId}`))[0]
    ?.body;

describe('reindex', SLOW, () => {
  it('finishes a rebuild of the search index left by a migration, and says when there is none', async () => {
    const deps = makeDeps(db, loadConfig({ DATABASE_URL: url }));
    const forum = await createForum(deps, {
      slug: 'reindex-test',
      name: 'Reindex',
      category: 'community',
    });
    const [alice] = await db.select().from(users).where(eq(users.usernameKey, 'alice'));
    const made = await createTopic(deps, {
      forumId: forum.id,
      authorId: alice?.id as number,
      title: 'Indexed as markdown once',
      body: 'Some **bold** words and [a link](https://example.com/hidden-path).',
      kind: 'discussion',
    });
    // As an older version indexed it, and the migration that asked for a rebuild.
    await db.run(sql`delete from posts_fts where rowid = ${made.postId}`);
    await db.run(
      sql`insert into posts_fts (rowid, title, body) values (${made.postId}, 'Indexed as markdown once', 'Some **bold** words and [a link](https://example.com/hidden-path).')`,
    );
    await db.insert(searchReindex).values({ nextPostId: made.postId, lastPostId: made.postId });
    const res = await cli(['reindex']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('Re-indexed 1 posts.\n');
    expect(await indexedBody(made.postId)).toBe('Some bold words and a link.');
    expect((await cli(['reindex'])).stdout).toBe('The search index is up to date.\n');
  });
});

it('names a bad DATABASE_URL', SLOW, async () => {
  const res = await cli(['set-role', 'alice', 'admin'], { DATABASE_URL: 'postgres://x' });
  expect(res.code).toBe(1);
  expect(res.stderr).toMatch(/DATABASE_URL: must start with file:/);
});

describe('email', SLOW, () => {
  let catcher: MailCatcher;
  beforeAll(async () => {
    catcher = await startMailCatcher({ nodeEnv: 'test' });
    const joined = new Date('2026-11-01T00:00:00Z');
    await db.insert(users).values(
      ['carol', 'dave', 'erin'].map((username) => ({
        username,
        usernameKey: username,
        email: `${username}@example.org`,
        emailKey: `${username}@example.org`,
        createdAt: joined,
        ageConfirmedAt: joined,
      })),
    );
  });
  afterAll(() => catcher.close());

  it('notify-privacy-change mails every member with an address once, with a progress bar, and never twice', async () => {
    const smtp = { SMTP_URL: catcher.smtpUrl, MAIL_FROM: 'forums@forum.example' };
    const first = await cli(['notify-privacy-change'], smtp);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      `Queued 3 emails about version ${CURRENT_PRIVACY.version} of the privacy notice.\nSent 3; 0 given up; 0 dropped.\n`,
    );
    // Not a terminal: the progress comes as plain lines, the last one at 100 %.
    expect(first.stderr).toMatch(/\[#{30}\] 100\.0% {2}3\/3 emails/);
    expect(catcher.messages.map((m) => m.to[0]).sort()).toEqual([
      'carol@example.org',
      'dave@example.org',
      'erin@example.org',
    ]);
    expect(catcher.messages[0]?.parsed.subject).toBe(
      `The privacy notice of the Plimus Community Forums changed (version ${CURRENT_PRIVACY.version} of ${CURRENT_PRIVACY.date})`,
    );
    const again = await cli(['notify-privacy-change'], smtp);
    expect(again.stdout).toMatch(/^Every member with an address has had the notice of version/);
    expect(catcher.messages).toHaveLength(3);
  });

  it('mail:send drains the outbox once through SMTP_URL, and says it needs one', async () => {
    const carol = await db.select().from(users).where(eq(users.username, 'carol')).get();
    await db.insert(mailOutbox).values({
      kind: 'password_reset_plimus',
      userId: carol?.id ?? 0,
      dueAt: new Date(),
    });
    const none = await cli(['mail:send']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^SMTP_URL is not set/);
    const before = catcher.messages.length;
    const sent = await cli(['mail:send'], { SMTP_URL: catcher.smtpUrl });
    expect(sent.code).toBe(0);
    expect(sent.stdout).toBe(
      'Sent 1; 0 to be tried again later; 0 given up; 0 dropped. 0 still queued.\n',
    );
    expect(catcher.messages.slice(before).map((m) => m.to)).toEqual([['carol@example.org']]);
  });
});
