/**
 * The permission matrix, the same on Node (libSQL) and in workerd (D1): every state-changing route
 * of the app, tried by every kind of person, with the status each must get and whether the
 * database changed. A route the matrix does not know fails the first test, so a new route cannot
 * escape it.
 *
 * The people: a guest (no session), a member, a suspended member, staff of the vendor whose
 * product forum the targets are in ("own": Acme Software, whose forum is acme-backup-pro), staff
 * of another vendor ("other": Northwind Labs), a moderator and an administrator. They are written
 * directly (one password hash for all, made once) and signed in through POST /login with
 * remember=1; vendor staff status is an identity link with the vendor's id, as the Plimus sign-in
 * writes it. Routes that end or change the account itself (sign-out, password, deletion, unlink)
 * are tried on fresh accounts of the same kind, signed in with a session made directly (the
 * session a sign-in would make, without the deliberately slow password check).
 *
 * Every attempt acts on a target of its own (a topic, post, report, forum, member or word written
 * through the services just before), so that one person's attempt never meets what another's
 * changed. Then:
 * - allowed: a 2xx or 3xx answer, and exactly the tables the row names changed (a table it
 *   does not name that changed too is as wrong as one it names that did not);
 * - refused: exactly 403 (or the row's documented status, e.g. a redirect to sign-in), and every
 *   row of every table exactly as before (dumpDatabase before and after), but for the tables a
 *   refusal names (a visitor's reply is kept in `kept_drafts` while they sign in).
 *
 * Between the two dumps nothing else may write: the clock moves only before the "before" dump (a
 * few seconds per attempt, past the posting interval), the acting session is used once before it
 * (so that the POST does not record "last used"), and page views counted by then are flushed.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { eq, getTableName } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  emailConfirmations,
  forums,
  forumWatches,
  identityLinks,
  keptDrafts,
  mailings,
  mailOutbox,
  moderationLog,
  notificationJobs,
  notifications,
  passwordResets,
  pendingEdits,
  postLikes,
  postRevisions,
  posts,
  products,
  reports,
  sessions,
  suspendedAccounts,
  topics,
  topicWatches,
  users,
  vendors,
  watchedWords,
} from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import type { Role } from '../../domain/words';
import { hashPassword } from '../../src/auth/password';
import { createSession } from '../../src/auth/session';
import { notMeToken, unsubscribeToken } from '../../src/mail/links';
import { COMMAND_LINE } from '../../src/policy/admin';
import { addWatchedWord, setForumArchived, tieForum } from '../../src/services/admin';
import { acceptAnswer } from '../../src/services/answers';
import { setHoldPosts } from '../../src/services/approval';
import { createForum } from '../../src/services/catalog';
import {
  removePost,
  removeTopic,
  setTopicFlag,
  suspendMember,
} from '../../src/services/moderation';
import { createReply, createTopic, editPost, getPost } from '../../src/services/posting';
import { reportPost } from '../../src/services/reports';
import { routeKeys } from '../support/routes';
import type { ClockedForum } from './accounts-suite';
import { type Agent, agent, location } from './agent';
import { dumpDatabase } from './dump';
import { DAY, insertAccount, PASSWORD, signIn } from './people';

/** How far the clock moves before each attempt: past the 5-second posting interval. */
const STEP_MS = 6_000;
/** The product forum every target is in: Acme Software's. */
const PRODUCT_FORUM = 'acme-backup-pro';
/** A forum of no product: vendor staff are members like any other there. */
const GENERAL_FORUM = 'marketplace-help';
let seq = 0;
const n = () => ++seq;

export const PERSONAS = [
  'guest',
  'member',
  'suspended',
  'own',
  'other',
  'moderator',
  'admin',
] as const;
export type PersonaName = (typeof PERSONAS)[number];
type SignedInName = Exclude<PersonaName, 'guest'>;

const SIGNED_IN: PersonaName[] = ['member', 'suspended', 'own', 'other', 'moderator', 'admin'];
/** Signed in and not suspended: may post, report, choose the answer of their own question. */
const ACTIVE: PersonaName[] = ['member', 'own', 'other', 'moderator', 'admin'];
const MODERATORS: PersonaName[] = ['moderator', 'admin'];
const ADMINS: PersonaName[] = ['admin'];

const KINDS: Record<SignedInName, { role: Role; vendor?: string; suspended?: boolean }> = {
  member: { role: 'member' },
  suspended: { role: 'member', suspended: true },
  own: { role: 'member', vendor: 'vendor-acme' },
  other: { role: 'member', vendor: 'vendor-northwind' },
  moderator: { role: 'moderator' },
  admin: { role: 'admin' },
};

type User = typeof users.$inferSelect;
type Persona = { name: PersonaName; a: Agent; client: string; user: User | null };

/** A table of the schema, or the search index (a virtual table drizzle does not know). */
type Changed = SQLiteTable | typeof POSTS_FTS;
const POSTS_FTS = 'posts_fts';
const tableName = (t: Changed) => (typeof t === 'string' ? t : getTableName(t));

/** What the matrix row's builder made for one attempt: the request, and who sends it. */
type Attempt = {
  path: string;
  fields?: Record<string, string>;
  /** another agent than the persona's own (a fresh account, or a copy of the persona's cookies) */
  a?: Agent;
};

/** A refusal that is not a 403: its status, where it redirects, and why. */
type Refusal = {
  status: number;
  location?: string;
  why: string;
  /** the tables the refusal changes (each of them, and no other): by default none */
  changes?: Changed[];
};

/** A visitor's composer: the text is kept while they sign in (src/services/kept-drafts.ts). */
const KEPT_FOR_SIGN_IN: Refusal = {
  status: 401,
  why: 'signed out: the draft is kept and the sign-in page shown',
  changes: [keptDrafts],
};

type Row = {
  /** the app's route, with `:param{a|b}` alternatives spelled out (see routeKeys) */
  route: string;
  /** what is acted on, when it is not obvious or a route has more than one row */
  target?: string;
  /** who is tried (default: everyone) */
  personas?: PersonaName[];
  /** who may; everyone else is refused */
  allowed: PersonaName[];
  /** the tables an allowed attempt changes: each of them, and no other */
  changes: Changed[];
  /** tables that change besides `changes` for some of the allowed (their accounts differ) */
  alsoChanges?: Partial<Record<PersonaName, Changed[]>>;
  /** refusals that are not a plain 403 */
  refused?: Partial<Record<PersonaName, Refusal>>;
  attempt: (h: Helpers, who: Persona) => Promise<Attempt>;
};

/** What builders use to make targets; set up once per forum in beforeAll. */
type Helpers = ReturnType<typeof helpersFor>;

function helpersFor(forum: ClockedForum, passwordHash: string, vendorIds: Map<string, number>) {
  const deps = forum.deps;
  const db = deps.db;

  /** An account of this kind, not signed in. `linked` gives it a Plimus identity link. */
  async function account(kind: SignedInName, opts: { linked?: boolean } = {}): Promise<User> {
    const spec = KINDS[kind];
    const username = `pm_${kind.slice(0, 3)}_${n()}`;
    const now = deps.now();
    const user = await insertAccount(db, {
      username,
      passwordHash,
      now,
      values: {
        role: spec.role,
        ...(spec.suspended
          ? { suspendedUntil: new Date(now + 30 * DAY), suspendedReason: 'Cooling off' }
          : {}),
      },
    });
    if (spec.vendor || opts.linked) {
      await db.insert(identityLinks).values({
        userId: user.id,
        issuer: 'https://login.plimus.example/',
        subject: `sub-${username}`,
        linkedAt: new Date(now),
        claimsRefreshedAt: new Date(now),
        vendorId: spec.vendor ? (vendorIds.get(spec.vendor) ?? null) : null,
      });
    }
    return user;
  }

  const guest = (): Persona => {
    const client = `pm_guest_${n()}`;
    return { name: 'guest', a: agent(forum.request, { client }), client, user: null };
  };

  /** Signed in the way a person does: POST /login with "remember me". */
  async function signedInByForm(name: SignedInName): Promise<Persona> {
    const user = await account(name);
    const a = await signIn(forum.request, user.username, { remember: true });
    return { name, a, client: user.username, user };
  }

  /** A fresh account of the same kind as `who`, for a route that ends or changes the account. */
  async function fresh(who: Persona, opts: { linked?: boolean } = {}): Promise<Persona> {
    if (who.name === 'guest') return guest();
    const user = await account(who.name, opts);
    const { token } = await createSession(deps, user.id, { remember: true });
    const a = agent(forum.request, { client: user.username });
    a.jar.set('session', token);
    return { name: who.name, a, client: user.username, user };
  }

  /** The persona's cookies in another agent, so that a new session cookie stays there. */
  const copy = (who: Persona): Agent => {
    const a = agent(forum.request, { client: who.client });
    for (const [k, v] of who.a.jar) a.jar.set(k, v);
    return a;
  };

  /** A third person: a member who is none of the personas. */
  const stranger = () => account('member');

  /** Acme Software's product forum, where targets are; and a forum of no product. */
  const forumIds = { product: 0, general: 0 };
  let moderatorUser: User | undefined;
  /** Who prepares targets through the moderation services (removed, locked, held...). */
  const moderator = async () => {
    moderatorUser ??= await account('moderator');
    return moderatorUser;
  };

  const topic = async (
    authorId: number,
    kind: 'discussion' | 'question' = 'discussion',
    forumId = forumIds.product,
  ) => {
    const i = n();
    return createTopic(deps, {
      forumId,
      authorId,
      title: `Matrix ${kind} number ${i}`,
      body: `The opening post of matrix ${kind} ${i}.`,
      kind,
    });
  };
  const reply = (topicId: number, authorId: number, held = false) =>
    createReply(deps, { topicId, authorId, body: `Matrix reply ${n()}.`, held });

  /** A reply (by a third person) in a topic (by another third person). */
  async function strangersReply(held = false) {
    const t = await topic((await stranger()).id);
    return (await reply(t.topicId, (await stranger()).id, held)).postId;
  }
  /** A third person's reply, and their edit of it waiting for approval; the edit's id. */
  async function strangersWaitingEdit() {
    const author = await stranger();
    const t = await topic((await stranger()).id);
    const { postId } = await reply(t.topicId, author.id);
    const held = { ...author, postsNeedApproval: true };
    const edited = await editPost(deps, held, await getPost(deps, postId), {
      body: `Matrix edit ${n()}.`,
      postAnyway: false,
    });
    if (edited !== 'waiting') throw new Error('the edit did not wait');
    const row = await db.select().from(pendingEdits).where(eq(pendingEdits.postId, postId)).get();
    if (!row) throw new Error('no edit waits');
    return row.id;
  }
  /** A reply by `authorId` in a third person's topic. */
  async function replyBy(authorId: number) {
    const t = await topic((await stranger()).id);
    return (await reply(t.topicId, authorId)).postId;
  }
  /** A question asked by `askerId` with a third person's reply; the reply's id. */
  async function question(askerId: number, opts: { accepted?: boolean; general?: boolean } = {}) {
    const t = await topic(askerId, 'question', opts.general ? forumIds.general : forumIds.product);
    const r = await reply(t.topicId, (await stranger()).id);
    if (opts.accepted) await acceptAnswer(deps, await moderator(), r.postId);
    return r.postId;
  }

  async function matrixForum(opts: { tied?: boolean; archived?: boolean } = {}) {
    const i = n();
    const f = await createForum(deps, {
      slug: `matrix-forum-${i}`,
      name: `Matrix forum ${i}`,
      category: 'community',
    });
    if (opts.tied) {
      await tieForum(deps, COMMAND_LINE, f.id, {
        plimusVendorId: `matrix-vendor-${i}`,
        vendorName: `Matrix vendor ${i}`,
        plimusProductId: `matrix-product-${i}`,
        productName: `Matrix product ${i}`,
      });
    }
    if (opts.archived) await setForumArchived(deps, COMMAND_LINE, f.id, true);
    return f.id;
  }

  return {
    deps,
    db,
    n,
    account,
    guest,
    signedInByForm,
    fresh,
    copy,
    stranger,
    moderator,
    topic,
    reply,
    strangersReply,
    strangersWaitingEdit,
    replyBy,
    question,
    matrixForum,
    setForums: (ids: typeof forumIds) => Object.assign(forumIds, ids),
  };
}

/** The user a row acts for; builders of signed-in-only rows are never called for the guest. */
const userOf = (who: Persona): User => {
  if (!who.user) throw new Error(`${who.name} has no account`);
  return who.user;
};

const body = (text: string) => ({ body: text });
/** The person's row as it is now. */
const rowOf = (h: Helpers, id: number) => h.db.select().from(users).where(eq(users.id, id)).get();

/**
 * The matrix. Decisions that are not obvious:
 * - /register and /login are open to everyone: they make a new account or a new session and act
 *   on nobody's existing data. A signed-in person posting /register gets a second, separate
 *   account (the POST does not look at the session; GET /register sends signed-in people home).
 *   Each signs in as themselves; the guest as a third person whose password they know.
 * - Account routes act on the person's own account only, so every signed-in person may use them,
 *   suspended or not: a suspension stops posting, editing and reporting, not managing one's
 *   account or leaving. The public profile (display name, bio) is the exception: others read it,
 *   so it stays as it is during a suspension.
 * - /auth/plimus/complete needs the pending sign-up cookie that only the Plimus callback sets;
 *   without it everyone gets the 'expired' page (400) and nothing changes. Creating an account
 *   from an identity is tested in the identity suite.
 * - Editing and deleting a post is for its author only: moderators and admins are refused on
 *   someone else's post too (they remove it instead). The author's own post is its own row.
 * - The answer of a question is chosen by its asker (own row), staff of the product's vendor, or
 *   moderators.
 */
export const MATRIX: Row[] = [
  // Writing
  {
    route: '/f/:forum',
    target: `a new topic in ${PRODUCT_FORUM}`,
    allowed: ACTIVE,
    changes: [topics, posts, forums, users, POSTS_FTS, notificationJobs, topicWatches],
    refused: { guest: KEPT_FOR_SIGN_IN },
    attempt: async (h) => {
      const i = h.n();
      return {
        path: `/f/${PRODUCT_FORUM}`,
        fields: {
          title: `Permission matrix topic ${i}`,
          body: 'Does this work?',
          kind: 'discussion',
        },
      };
    },
  },
  {
    route: '/t/:id/replies',
    target: "a third person's topic",
    allowed: ACTIVE,
    changes: [posts, topics, forums, users, POSTS_FTS, notificationJobs, topicWatches],
    refused: { guest: KEPT_FOR_SIGN_IN },
    attempt: async (h) => {
      const t = await h.topic((await h.stranger()).id);
      return { path: `/t/${t.topicId}/replies`, fields: body(`A matrix reply ${h.n()}.`) };
    },
  },
  {
    route: '/posts/:id',
    target: "a third person's post",
    allowed: [],
    changes: [posts, postRevisions, POSTS_FTS],
    attempt: async (h) => ({
      path: `/posts/${await h.strangersReply()}`,
      fields: body(`Edited by someone else ${h.n()}.`),
    }),
  },
  {
    route: '/posts/:id',
    target: 'their own post',
    personas: SIGNED_IN,
    allowed: ACTIVE,
    changes: [posts, postRevisions, POSTS_FTS],
    attempt: async (h, who) => ({
      path: `/posts/${await h.replyBy(userOf(who).id)}`,
      fields: body(`Edited by its author ${h.n()}.`),
    }),
  },
  {
    route: '/posts/:id/delete',
    target: "a third person's post",
    allowed: [],
    changes: [posts, users, POSTS_FTS],
    attempt: async (h) => ({ path: `/posts/${await h.strangersReply()}/delete` }),
  },
  {
    route: '/posts/:id/delete',
    target: 'their own post',
    personas: SIGNED_IN,
    allowed: ACTIVE,
    changes: [posts, users, POSTS_FTS],
    attempt: async (h, who) => ({ path: `/posts/${await h.replyBy(userOf(who).id)}/delete` }),
  },

  // Accepted answers
  {
    route: '/posts/:id/accept',
    target: "a reply to a third person's question in Acme's product forum",
    allowed: ['own', ...MODERATORS],
    changes: [topics, notifications],
    attempt: async (h) => ({
      path: `/posts/${await h.question((await h.stranger()).id)}/accept`,
    }),
  },
  {
    route: '/posts/:id/accept',
    target: 'a reply to their own question',
    personas: SIGNED_IN,
    allowed: ACTIVE,
    changes: [topics, notifications],
    attempt: async (h, who) => ({ path: `/posts/${await h.question(userOf(who).id)}/accept` }),
  },
  {
    route: '/posts/:id/accept',
    target: `a reply to a third person's question in ${GENERAL_FORUM}, a forum of no product`,
    allowed: MODERATORS,
    changes: [topics, notifications],
    attempt: async (h) => ({
      path: `/posts/${await h.question((await h.stranger()).id, { general: true })}/accept`,
    }),
  },
  {
    route: '/posts/:id/unaccept',
    target: "the accepted answer of a third person's question in Acme's product forum",
    allowed: ['own', ...MODERATORS],
    changes: [topics],
    attempt: async (h) => ({
      path: `/posts/${await h.question((await h.stranger()).id, { accepted: true })}/unaccept`,
    }),
  },
  {
    route: '/posts/:id/unaccept',
    target: 'the accepted answer of their own question',
    personas: SIGNED_IN,
    allowed: ACTIVE,
    changes: [topics],
    attempt: async (h, who) => ({
      path: `/posts/${await h.question(userOf(who).id, { accepted: true })}/unaccept`,
    }),
  },

  // The kind of a topic: its author and moderators (not vendor staff: it is not their topic).
  {
    route: '/t/:id/kind',
    target: "a third person's discussion, to a question",
    allowed: MODERATORS,
    changes: [topics, moderationLog],
    attempt: async (h) => {
      const t = await h.topic((await h.stranger()).id);
      return { path: `/t/${t.topicId}/kind`, fields: { kind: 'question' } };
    },
  },
  {
    route: '/t/:id/kind',
    target: "a third person's answered question, to a discussion",
    allowed: MODERATORS,
    changes: [topics, moderationLog],
    attempt: async (h) => {
      const postId = await h.question((await h.stranger()).id, { accepted: true });
      const post = await h.db.select().from(posts).where(eq(posts.id, postId)).get();
      return { path: `/t/${post?.topicId}/kind`, fields: { kind: 'discussion' } };
    },
  },
  {
    route: '/t/:id/kind',
    target: 'their own discussion, to a question (not logged: not a moderator’s action)',
    personas: SIGNED_IN,
    allowed: ACTIVE,
    changes: [topics],
    attempt: async (h, who) => {
      const t = await h.topic(userOf(who).id);
      return { path: `/t/${t.topicId}/kind`, fields: { kind: 'question' } };
    },
  },

  // Signing up, in and out
  {
    route: '/register',
    target: 'a new account',
    allowed: ['guest'],
    changes: [users, sessions, emailConfirmations, mailOutbox],
    // Someone signed in gets no second account from this browser: back home, nothing written.
    refused: Object.fromEntries(
      SIGNED_IN.map((p) => [p, { status: 303, why: 'already signed in: back home' }]),
    ),
    attempt: async (h, who) => {
      const username = `pm_new_${h.n()}`;
      return {
        path: '/register',
        a: h.copy(who),
        fields: {
          username,
          email: `${username}@example.com`,
          password: PASSWORD,
          age_confirmed: '1',
        },
      };
    },
  },
  {
    route: '/login',
    target: 'their own account (the guest: a third person’s)',
    allowed: [...PERSONAS],
    changes: [sessions],
    attempt: async (h, who) => ({
      path: '/login',
      a: h.copy(who),
      fields: {
        login: (who.user ?? (await h.stranger())).username,
        password: PASSWORD,
        remember: '1',
      },
    }),
  },
  {
    route: '/logout',
    target: 'their own session (a fresh account)',
    allowed: SIGNED_IN,
    changes: [sessions],
    refused: { guest: { status: 303, why: 'nothing to sign out of: back home' } },
    attempt: async (h, who) => ({ path: '/logout', a: (await h.fresh(who)).a }),
  },
  {
    route: '/email/unsubscribe/:token',
    target: 'a third person’s announcements, with the link of an announcement sent to them',
    allowed: [...PERSONAS],
    changes: [users],
    attempt: async (h, who) => {
      const owner = await h.stranger();
      await h.db.update(users).set({ announcementsOptIn: true }).where(eq(users.id, owner.id));
      return {
        path: `/email/unsubscribe/${unsubscribeToken(h.deps.keys, owner.id, 'announcements')}`,
        a: h.copy(who),
      };
    },
  },
  {
    route: '/password/forgot',
    target: 'a reset link for a third person (anyone may ask; the link goes to them)',
    allowed: [...PERSONAS],
    changes: [passwordResets, mailOutbox],
    attempt: async (h, who) => ({
      path: '/password/forgot',
      a: h.copy(who),
      fields: { login: (await h.stranger()).username },
    }),
  },
  {
    route: '/password/reset',
    target: 'a third person’s password, with the reset link sent to them',
    allowed: [...PERSONAS],
    changes: [users, passwordResets, mailOutbox],
    attempt: async (h, who) => {
      const owner = await h.stranger();
      const token = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
      await h.db.insert(passwordResets).values({
        id: encodeHexLowerCase(sha256(new TextEncoder().encode(token))),
        userId: owner.id,
        createdAt: new Date(h.deps.now()),
        expiresAt: new Date(h.deps.now() + 3600_000),
      });
      const a = h.copy(who);
      a.jar.set('password_reset', token);
      return { path: '/password/reset', a, fields: { new_password: 'a matrix passphrase here' } };
    },
  },
  {
    route: '/password/not-me/:token',
    target: 'a third person’s sessions, with the link of the notice sent to them',
    allowed: [...PERSONAS],
    changes: [sessions],
    attempt: async (h, who) => {
      const owner = await h.stranger();
      await createSession(h.deps, owner.id, { remember: false });
      return {
        path: `/password/not-me/${notMeToken(h.deps.keys, owner.id, h.deps.now())}`,
        a: h.copy(who),
      };
    },
  },
  {
    route: '/auth/plimus/complete',
    target: 'an identity waiting for a username, without the sign-up cookie',
    allowed: [],
    changes: [users],
    refused: Object.fromEntries(
      PERSONAS.map((p) => [
        p,
        { status: 400, why: 'no pending Plimus sign-up cookie: the "expired" page' },
      ]),
    ),
    attempt: async (h) => ({
      path: '/auth/plimus/complete',
      fields: { username: `pm_plimus_${h.n()}`, age_confirmed: '1', public_ack: '1' },
    }),
  },

  // Reports and moderation
  {
    route: '/posts/:id/report',
    target: "a third person's post",
    allowed: ACTIVE,
    changes: [reports],
    attempt: async (h) => ({
      path: `/posts/${await h.strangersReply()}/report`,
      fields: { reason: 'spam', note: 'Matrix report' },
    }),
  },
  {
    route: '/posts/:id/report',
    target: 'their own post',
    personas: SIGNED_IN,
    allowed: [],
    changes: [reports],
    attempt: async (h, who) => ({
      path: `/posts/${await h.replyBy(userOf(who).id)}/report`,
      fields: { reason: 'spam', note: 'Matrix report' },
    }),
  },
  // Notifications: a person's own only
  {
    route: '/notifications/read-all',
    target: 'their own notifications',
    allowed: SIGNED_IN,
    changes: [notifications],
    attempt: async (h, who) => {
      const postId = await h.strangersReply();
      const post = await h.db.select().from(posts).where(eq(posts.id, postId)).get();
      if (who.user && post) {
        await h.db.insert(notifications).values({
          userId: who.user.id,
          kind: 'reply',
          topicId: post.topicId,
          postId,
          createdAt: new Date(),
        });
      }
      return { path: '/notifications/read-all' };
    },
  },
  {
    route: '/account/notification-feed/reset',
    target: 'their own feed address',
    allowed: SIGNED_IN,
    changes: [users],
    attempt: async () => ({ path: '/account/notification-feed/reset' }),
  },
  // Watching: each signed-in person's own level, suspended or not
  {
    route: '/t/:id/watch',
    target: "a third person's topic, to watching",
    allowed: SIGNED_IN,
    changes: [topicWatches],
    attempt: async (h) => {
      const t = await h.topic((await h.stranger()).id);
      return { path: `/t/${t.topicId}/watch`, fields: { level: 'watching' } };
    },
  },
  {
    route: '/f/:forum/watch',
    target: `${PRODUCT_FORUM}, to watching first post`,
    allowed: SIGNED_IN,
    changes: [forumWatches],
    attempt: async (h, who) => {
      // A level other than the one asked for, so that every allowed attempt changes the row.
      if (who.user) {
        await h.db.delete(forumWatches).where(eq(forumWatches.userId, who.user.id));
      }
      return { path: `/f/${PRODUCT_FORUM}/watch`, fields: { level: 'watching_first_post' } };
    },
  },
  // Likes
  {
    route: '/posts/:id/like',
    target: "a third person's post",
    allowed: ACTIVE,
    changes: [postLikes, notifications],
    attempt: async (h) => ({ path: `/posts/${await h.strangersReply()}/like` }),
  },
  {
    route: '/posts/:id/like',
    target: 'their own post',
    personas: SIGNED_IN,
    allowed: [],
    changes: [postLikes],
    attempt: async (h, who) => ({ path: `/posts/${await h.replyBy(userOf(who).id)}/like` }),
  },
  {
    route: '/posts/:id/unlike',
    target: "their like of a third person's post (suspended people may take theirs back)",
    allowed: SIGNED_IN,
    changes: [postLikes],
    attempt: async (h, who) => {
      const postId = await h.strangersReply();
      if (who.user) await h.db.insert(postLikes).values({ postId, userId: who.user.id });
      return { path: `/posts/${postId}/unlike` };
    },
  },
  {
    route: '/posts/:id/remove',
    allowed: MODERATORS,
    changes: [posts, moderationLog, POSTS_FTS, notifications],
    attempt: async (h) => ({
      path: `/posts/${await h.strangersReply()}/remove`,
      fields: { reason: 'spam', note: 'Matrix removal' },
    }),
  },
  {
    route: '/posts/:id/restore',
    target: 'a removed post',
    allowed: MODERATORS,
    changes: [posts, moderationLog, POSTS_FTS, notifications],
    attempt: async (h) => {
      const id = await h.strangersReply();
      await removePost(h.deps, await h.moderator(), id, { reason: 'spam', note: '' });
      return { path: `/posts/${id}/restore`, fields: { note: 'Matrix restore' } };
    },
  },
  ...(['lock', 'pin'] as const).flatMap((change): Row[] => {
    const undo = change === 'lock' ? 'unlock' : 'unpin';
    return [
      {
        route: `/t/:id/${change}`,
        allowed: MODERATORS,
        changes: [topics, moderationLog],
        attempt: async (h) => {
          const t = await h.topic((await h.stranger()).id);
          return { path: `/t/${t.topicId}/${change}`, fields: { note: 'Matrix' } };
        },
      },
      {
        route: `/t/:id/${undo}`,
        target: `a ${change === 'lock' ? 'locked' : 'pinned'} topic`,
        allowed: MODERATORS,
        changes: [topics, moderationLog],
        attempt: async (h) => {
          const t = await h.topic((await h.stranger()).id);
          await setTopicFlag(h.deps, await h.moderator(), t.topicId, change, '');
          return { path: `/t/${t.topicId}/${undo}`, fields: { note: 'Matrix' } };
        },
      },
    ];
  }),
  {
    route: '/t/:id/move',
    target: 'a topic, to off-topic',
    allowed: MODERATORS,
    changes: [topics, forums, moderationLog],
    attempt: async (h) => {
      const t = await h.topic((await h.stranger()).id);
      return { path: `/t/${t.topicId}/move`, fields: { forum: 'off-topic' } };
    },
  },
  {
    route: '/t/:id/remove',
    allowed: MODERATORS,
    changes: [topics, forums, moderationLog, POSTS_FTS],
    attempt: async (h) => {
      const t = await h.topic((await h.stranger()).id);
      return { path: `/t/${t.topicId}/remove`, fields: { reason: 'spam', note: 'Matrix' } };
    },
  },
  {
    route: '/t/:id/restore',
    target: 'a removed topic',
    allowed: MODERATORS,
    changes: [topics, forums, moderationLog, POSTS_FTS],
    attempt: async (h) => {
      const t = await h.topic((await h.stranger()).id);
      await removeTopic(h.deps, await h.moderator(), t.topicId, { reason: 'spam', note: '' });
      return { path: `/t/${t.topicId}/restore`, fields: { note: 'Matrix' } };
    },
  },
  {
    route: '/u/:username/suspend',
    target: 'a member',
    allowed: MODERATORS,
    changes: [users, moderationLog],
    attempt: async (h) => ({
      path: `/u/${(await h.stranger()).username}/suspend`,
      fields: { until: '2027-01-15', reason: 'Matrix suspension' },
    }),
  },
  {
    route: '/u/:username/suspend',
    target: 'a moderator',
    allowed: ADMINS,
    changes: [users, moderationLog],
    attempt: async (h) => ({
      path: `/u/${(await h.account('moderator')).username}/suspend`,
      fields: { until: '2027-01-15', reason: 'Matrix suspension' },
    }),
  },
  {
    route: '/u/:username/suspend',
    target: 'an administrator',
    allowed: [],
    changes: [users, moderationLog],
    attempt: async (h) => ({
      path: `/u/${(await h.account('admin')).username}/suspend`,
      fields: { until: '2027-01-15', reason: 'Matrix suspension' },
    }),
  },
  {
    route: '/u/:username/suspend',
    target: 'themselves (a fresh account)',
    personas: SIGNED_IN,
    allowed: [],
    changes: [users, moderationLog],
    attempt: async (h, who) => {
      const self = await h.fresh(who);
      return {
        path: `/u/${userOf(self).username}/suspend`,
        a: self.a,
        fields: { until: '2027-01-15', reason: 'Matrix suspension' },
      };
    },
  },
  {
    route: '/u/:username/purge',
    target: 'a member with a topic, a reply and an open report (a spam account)',
    allowed: MODERATORS,
    changes: [posts, topics, forums, reports, users, moderationLog, POSTS_FTS],
    attempt: async (h) => {
      const spammer = await h.stranger();
      await h.topic(spammer.id);
      const { postId } = await h.reply(
        (await h.topic((await h.stranger()).id)).topicId,
        spammer.id,
      );
      await h.db.insert(reports).values({
        postId,
        reporterId: (await h.stranger()).id,
        reason: 'spam',
        createdAt: new Date(h.deps.now()),
      });
      return {
        path: `/u/${spammer.username}/purge`,
        fields: { until: '', reason: 'Spam.', confirm: '1' },
      };
    },
  },
  {
    route: '/u/:username/purge',
    target: 'a moderator',
    allowed: ADMINS,
    changes: [users, moderationLog],
    attempt: async (h) => ({
      path: `/u/${(await h.account('moderator')).username}/purge`,
      fields: { reason: 'Spam.', confirm: '1' },
    }),
  },
  {
    route: '/u/:username/purge',
    target: 'an administrator',
    allowed: [],
    changes: [users, moderationLog],
    attempt: async (h) => ({
      path: `/u/${(await h.account('admin')).username}/purge`,
      fields: { reason: 'Spam.', confirm: '1' },
    }),
  },
  {
    route: '/u/:username/unsuspend',
    target: 'a suspended member',
    allowed: MODERATORS,
    changes: [users, moderationLog],
    attempt: async (h) => {
      const { username } = await h.stranger();
      await suspendMember(h.deps, await h.moderator(), username, {
        until: '2027-01-15',
        reason: 'Matrix',
      });
      return { path: `/u/${username}/unsuspend`, fields: { note: 'Matrix' } };
    },
  },
  {
    route: '/u/:username/hold-posts',
    target: 'a member',
    allowed: MODERATORS,
    changes: [users, moderationLog],
    attempt: async (h) => ({
      path: `/u/${(await h.stranger()).username}/hold-posts`,
      fields: { note: 'Matrix' },
    }),
  },
  {
    route: '/u/:username/hold-posts',
    target: 'a moderator',
    allowed: ADMINS,
    changes: [users, moderationLog],
    attempt: async (h) => ({
      path: `/u/${(await h.account('moderator')).username}/hold-posts`,
      fields: { note: 'Matrix' },
    }),
  },
  {
    route: '/u/:username/release-posts',
    target: 'a member whose posts are held',
    allowed: MODERATORS,
    changes: [users, moderationLog],
    attempt: async (h) => {
      const { username } = await h.stranger();
      await setHoldPosts(h.deps, await h.moderator(), username, true, '');
      return { path: `/u/${username}/release-posts`, fields: { note: 'Matrix' } };
    },
  },
  {
    route: '/posts/:id/approve',
    target: 'a held post',
    allowed: MODERATORS,
    changes: [
      posts,
      topics,
      forums,
      users,
      moderationLog,
      POSTS_FTS,
      notificationJobs,
      notifications,
    ],
    attempt: async (h) => ({ path: `/posts/${await h.strangersReply(true)}/approve` }),
  },
  {
    route: '/posts/:id/reject',
    target: 'a held post',
    allowed: MODERATORS,
    changes: [posts, moderationLog, notifications],
    attempt: async (h) => ({
      path: `/posts/${await h.strangersReply(true)}/reject`,
      fields: { reason: 'spam', note: 'Matrix' },
    }),
  },
  {
    route: '/edits/:id/approve',
    target: "an edit of a third person's post, waiting",
    allowed: MODERATORS,
    changes: [posts, postRevisions, pendingEdits, moderationLog, POSTS_FTS],
    attempt: async (h) => ({ path: `/edits/${await h.strangersWaitingEdit()}/approve` }),
  },
  {
    route: '/edits/:id/reject',
    target: "an edit of a third person's post, waiting",
    allowed: MODERATORS,
    changes: [pendingEdits, moderationLog],
    attempt: async (h) => ({
      path: `/edits/${await h.strangersWaitingEdit()}/reject`,
      fields: { reason: 'spam', note: 'Matrix' },
    }),
  },
  {
    route: '/mod/reports/:id/resolve',
    target: "an open report on a third person's post",
    allowed: MODERATORS,
    changes: [reports, moderationLog, notifications],
    attempt: async (h) => {
      const postId = await h.strangersReply();
      const reporter = await h.stranger();
      await reportPost(h.deps, reporter, postId, { reason: 'spam', note: '' });
      const report = await h.db
        .select({ id: reports.id })
        .from(reports)
        .where(eq(reports.postId, postId))
        .get();
      return {
        path: `/mod/reports/${report?.id}/resolve`,
        fields: { action: 'dismiss', note: 'Matrix' },
      };
    },
  },

  // The account: each person's own
  {
    route: '/account/plimus/unlink',
    target: 'their own identity link (a fresh linked account)',
    allowed: SIGNED_IN,
    changes: [identityLinks],
    refused: {
      guest: { status: 303, location: '/login?next=%2Faccount', why: 'sent to sign in' },
    },
    attempt: async (h, who) => ({
      path: '/account/plimus/unlink',
      a: (await h.fresh(who, { linked: true })).a,
    }),
  },
  {
    route: '/account/profile',
    allowed: ACTIVE,
    changes: [users],
    attempt: async (h) => ({
      path: '/account/profile',
      fields: { display_name: `Matrix name ${h.n()}`, bio: 'Changed by the matrix.' },
    }),
  },
  {
    route: '/account/email',
    allowed: SIGNED_IN,
    changes: [emailConfirmations, mailOutbox],
    attempt: async (h) => ({
      path: '/account/email',
      fields: { email: `pm_changed_${h.n()}@example.com` },
    }),
  },
  {
    route: '/account/email/confirmation',
    target: 'a new link for their own address (a fresh account, not confirmed)',
    allowed: SIGNED_IN,
    changes: [emailConfirmations, mailOutbox],
    attempt: async (h, who) => ({ path: '/account/email/confirmation', a: (await h.fresh(who)).a }),
  },
  {
    route: '/account/password',
    target: 'their own password (a fresh account)',
    allowed: SIGNED_IN,
    changes: [users],
    attempt: async (h, who) => ({
      path: '/account/password',
      a: (await h.fresh(who)).a,
      fields: { current_password: PASSWORD, new_password: 'a different long passphrase' },
    }),
  },
  {
    route: '/account/email-choices',
    allowed: SIGNED_IN,
    changes: [users],
    attempt: async (h, who) => {
      const row = who.user && (await rowOf(h, who.user.id));
      return {
        path: '/account/email-choices',
        fields: { announcements: row?.announcementsOptIn ? '' : '1' },
      };
    },
  },
  {
    route: '/account/buyer-badge',
    allowed: SIGNED_IN,
    changes: [users],
    attempt: async (h, who) => {
      const row = who.user && (await rowOf(h, who.user.id));
      return {
        path: '/account/buyer-badge',
        fields: { show_buyer_badge: row?.showBuyerBadge ? '' : '1' },
      };
    },
  },
  {
    route: '/account/sessions/end-others',
    target: 'their own other session',
    allowed: SIGNED_IN,
    changes: [sessions],
    attempt: async (h, who) => {
      if (who.user) await createSession(h.deps, who.user.id, { remember: false });
      return { path: '/account/sessions/end-others' };
    },
  },
  {
    route: '/account/privacy-notice/dismiss',
    allowed: SIGNED_IN,
    changes: [users],
    attempt: async (h, who) => {
      if (who.user) {
        await h.db.update(users).set({ policyVersionSeen: null }).where(eq(users.id, who.user.id));
      }
      return { path: '/account/privacy-notice/dismiss', fields: { next: '/' } };
    },
  },
  {
    route: '/account/delete',
    target: 'their own account (a fresh account)',
    allowed: SIGNED_IN,
    // with a keyed hash of the username, which nobody else may take for a year
    changes: [users, sessions, suspendedAccounts],
    alsoChanges: {
      // vendor staff have their Plimus identity link
      own: [identityLinks],
      other: [identityLinks],
    },
    attempt: async (h, who) => ({
      path: '/account/delete',
      a: (await h.fresh(who)).a,
      fields: { keep_posts: 'true', password: PASSWORD },
    }),
  },

  // Administration
  {
    route: '/admin/forums',
    target: 'a new forum',
    allowed: ADMINS,
    changes: [forums, moderationLog],
    attempt: async (h) => {
      const i = h.n();
      return {
        path: '/admin/forums',
        fields: {
          slug: `matrix-new-${i}`,
          name: `Matrix new ${i}`,
          description: '',
          category: 'community',
        },
      };
    },
  },
  {
    route: '/admin/forums/:id',
    allowed: ADMINS,
    changes: [forums, moderationLog],
    attempt: async (h) => ({
      path: `/admin/forums/${await h.matrixForum()}`,
      fields: { name: `Renamed ${h.n()}`, description: 'Renamed.', category: 'community' },
    }),
  },
  {
    route: '/admin/forums/:id/move',
    target: 'the last forum of its category, up',
    allowed: ADMINS,
    changes: [forums, moderationLog],
    attempt: async (h) => ({
      path: `/admin/forums/${await h.matrixForum()}/move`,
      fields: { direction: 'up' },
    }),
  },
  {
    route: '/admin/forums/:id/product',
    target: "a forum, to a new vendor's product",
    allowed: ADMINS,
    changes: [forums, vendors, products, moderationLog],
    attempt: async (h) => {
      const i = h.n();
      return {
        path: `/admin/forums/${await h.matrixForum()}/product`,
        fields: {
          vendor_id: `matrix-tie-vendor-${i}`,
          vendor_name: `Tie vendor ${i}`,
          product_id: `matrix-tie-product-${i}`,
          product_name: `Tie product ${i}`,
        },
      };
    },
  },
  {
    route: '/admin/forums/:id/product/remove',
    target: "a product's forum",
    allowed: ADMINS,
    changes: [forums, moderationLog],
    attempt: async (h) => ({
      path: `/admin/forums/${await h.matrixForum({ tied: true })}/product/remove`,
    }),
  },
  {
    route: '/admin/forums/:id/archive',
    allowed: ADMINS,
    changes: [forums, moderationLog],
    attempt: async (h) => ({ path: `/admin/forums/${await h.matrixForum()}/archive` }),
  },
  {
    route: '/admin/forums/:id/unarchive',
    target: 'an archived forum',
    allowed: ADMINS,
    changes: [forums, moderationLog],
    attempt: async (h) => ({
      path: `/admin/forums/${await h.matrixForum({ archived: true })}/unarchive`,
    }),
  },
  {
    route: '/admin/roles/:username',
    target: 'a member, made moderator',
    allowed: ADMINS,
    changes: [users, moderationLog],
    attempt: async (h) => ({
      path: `/admin/roles/${(await h.stranger()).username}`,
      fields: { role: 'moderator' },
    }),
  },
  {
    route: '/admin/roles/:username',
    target: 'themselves, made member (a fresh account)',
    personas: SIGNED_IN,
    allowed: [],
    changes: [users, moderationLog],
    attempt: async (h, who) => {
      const self = await h.fresh(who);
      return {
        path: `/admin/roles/${userOf(self).username}`,
        a: self.a,
        fields: { role: 'member' },
      };
    },
  },
  {
    route: '/admin/watched-words',
    target: 'a new word',
    allowed: ADMINS,
    changes: [watchedWords, moderationLog],
    attempt: async (h) => ({
      path: '/admin/watched-words',
      fields: { word: `matrixword${h.n()}`, action: 'block' },
    }),
  },
  {
    route: '/admin/forums/:id/announcements',
    target: 'a forum made an announcement forum',
    allowed: ADMINS,
    changes: [forums, moderationLog],
    attempt: async (h) => ({
      path: `/admin/forums/${await h.matrixForum()}/announcements`,
      fields: { announcements: '1' },
    }),
  },
  {
    route: '/admin/mail/privacy-notice',
    target: 'the notice of the privacy notice’s change, for a member who has not had it',
    allowed: ADMINS,
    changes: [mailOutbox, mailings, users],
    attempt: async (h) => {
      await h.stranger();
      return { path: '/admin/mail/privacy-notice' };
    },
  },
  {
    route: '/admin/watched-words/:id/remove',
    allowed: ADMINS,
    changes: [watchedWords, moderationLog],
    attempt: async (h) => {
      const word = `matrixgone${h.n()}`;
      await addWatchedWord(h.deps, COMMAND_LINE, { word, action: 'hold' });
      const row = await h.db
        .select({ id: watchedWords.id })
        .from(watchedWords)
        .where(eq(watchedWords.word, word))
        .get();
      return { path: `/admin/watched-words/${row?.id}/remove` };
    },
  },
];

/** Each table's rows, by table name, from a dump. */
function tablesOf(dump: string): Map<string, string> {
  const tables = new Map<string, string>();
  for (const line of dump.split('\n')) {
    const at = line.indexOf(': ');
    tables.set(line.slice(0, at), line.slice(at + 2));
  }
  return tables;
}

function changedTables(before: string, after: string): string[] {
  const a = tablesOf(before);
  const b = tablesOf(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((t) => a.get(t) !== b.get(t)).sort();
}

/** The heading and first sentences of a page, to say what a wrong answer was. */
function gist(html: string): string {
  const main = /<main[^>]*>([\s\S]*?)<\/main>/.exec(html)?.[1] ?? html;
  const text = main
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

const label = (row: Row) => `POST ${row.route}${row.target ? ` (${row.target})` : ''}`;

export function permissionsSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  let h: Helpers;
  const personas = {} as Record<PersonaName, Persona>;

  beforeAll(async () => {
    forum = await setup();
    const passwordHash = await hashPassword(PASSWORD);
    await seedDemo(forum.deps);
    const vendorIds = new Map(
      (await forum.deps.db.select().from(vendors)).map((v) => [v.plimusVendorId, v.id]),
    );
    h = helpersFor(forum, passwordHash, vendorIds);
    const forumId = async (slug: string) => {
      const row = await forum.deps.db.select().from(forums).where(eq(forums.slug, slug)).get();
      if (!row) throw new Error(`no forum ${slug}`);
      return row.id;
    };
    h.setForums({ product: await forumId(PRODUCT_FORUM), general: await forumId(GENERAL_FORUM) });
    for (const name of PERSONAS) {
      personas[name] = name === 'guest' ? h.guest() : await h.signedInByForm(name);
    }
  }, 60_000);

  /** Tries one request as one person; a description of what went wrong, or null. */
  async function tryAs(row: Row, name: PersonaName): Promise<string | null> {
    const who = personas[name];
    forum.clock.advance(STEP_MS);
    let attempt: Attempt;
    try {
      attempt = await row.attempt(h, who);
    } catch (err) {
      return `${label(row)} as ${name}: making the target failed: ${String(err)}`;
    }
    const a = attempt.a ?? who.a;
    // Use the session once now, so that the POST does not write "last used"; then write the
    // page views counted so far, so that nothing but the POST writes between the two dumps.
    if (a.jar.has('session')) {
      const res = await a.get('/privacy');
      if (res.status !== 200) return `${label(row)} as ${name}: GET /privacy gave ${res.status}`;
    }
    await forum.deps.visits.flush(forum.deps.db);
    const before = await dumpDatabase(forum.deps);
    const res = await a.post(attempt.path, attempt.fields ?? {});
    const after = await dumpDatabase(forum.deps);
    const changed = changedTables(before, after);

    const allowed = row.allowed.includes(name);
    const refusal: Refusal = row.refused?.[name] ?? { status: 403, why: 'not allowed' };
    const want = [...row.changes, ...(row.alsoChanges?.[name] ?? [])].map(tableName).sort();
    const refusalChanges = (refusal.changes ?? []).map(tableName).sort();
    const ok = allowed
      ? res.status >= 200 && res.status < 400 && want.join() === changed.join()
      : res.status === refusal.status &&
        changed.join() === refusalChanges.join() &&
        (!refusal.location || location(res) === refusal.location);
    if (ok) return null;
    const expected = allowed
      ? `2xx/3xx, changing ${want.join(', ')} and nothing else`
      : `${refusal.status}${refusal.location ? ` to ${refusal.location}` : ''}, changing ${refusalChanges.join(', ') || 'nothing'}`;
    const redirect = res.headers.get('location') ? ` to ${location(res)}` : '';
    const text = res.status >= 300 && res.status < 400 ? '' : ` "${gist(await res.text())}"`;
    return `${label(row)} as ${name} (POST ${attempt.path}): expected ${expected}; got ${res.status}${redirect}, changing ${changed.join(', ') || 'nothing'}${text}`;
  }

  describe('permission matrix', () => {
    it('has a row for every state-changing route of the app, and none for routes it lacks', () => {
      const other = forum.routes.filter((r) => ['PUT', 'PATCH', 'DELETE'].includes(r.method));
      expect(other, 'routes with other state-changing methods need rows too').toEqual([]);
      const appRoutes = [
        ...new Set(
          forum.routes.filter((r) => r.method === 'POST').flatMap((r) => routeKeys(r.path)),
        ),
      ].sort();
      const inMatrix = [...new Set(MATRIX.map((r) => r.route))].sort();
      expect(
        appRoutes.filter((r) => !inMatrix.includes(r)),
        'POST routes missing from the permission matrix (test/shared/permissions-suite.ts)',
      ).toEqual([]);
      expect(
        inMatrix.filter((r) => !appRoutes.includes(r)),
        'matrix rows for routes the app does not have',
      ).toEqual([]);
    });

    for (const row of MATRIX) {
      it(label(row), async () => {
        const failures: string[] = [];
        for (const name of row.personas ?? PERSONAS) {
          const failure = await tryAs(row, name);
          if (failure) failures.push(failure);
        }
        expect(failures, `${label(row)}: wrong answers`).toEqual([]);
      });
    }
  });
}
