/**
 * Accounts: joining, signing in, changing the password. Sign-in failures say the same thing
 * whether or not the account exists, and take as long.
 */
import { eq, or, sql } from 'drizzle-orm';
import { users } from '../../db/schema';
import { hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from '../auth/password';
import { createSession, invalidateUserSessions, type NewSession } from '../auth/session';
import { CURRENT_PRIVACY } from '../content/privacy';
import type { AppDeps } from '../context';
import { FormError } from '../errors';
import { addressConfirmationStatements } from './account-settings';
import { refuseSuspended } from './suspended-accounts';

export type NewMember = {
  username: string;
  displayName?: string | null;
  bio?: string;
};

/** Creates an account without a password (demo people, and accounts linked to an identity). */
export async function createMember(deps: AppDeps, m: NewMember) {
  const at = new Date(deps.now());
  const [row] = await deps.db
    .insert(users)
    .values({
      username: m.username,
      usernameKey: m.username.toLowerCase(),
      displayName: m.displayName ?? null,
      bio: m.bio ?? '',
      createdAt: at,
      ageConfirmedAt: at,
    })
    .returning({ id: users.id, username: users.username });
  if (!row) throw new Error('user insert returned no row');
  return row;
}

export type Registration = { username: string; email: string; password: string };

const USERNAME_TAKEN = 'That username is taken. Please choose another.';

/**
 * The problems of a registration form's valid fields that only the database knows, for a form
 * refused for its other fields: a taken username (usernames are public on every profile and post).
 * Whether an email address has an account is answered only by `register`, which counts the
 * attempt against the limits first.
 */
export async function registrationProblems(
  deps: AppDeps,
  fields: { username?: string | undefined },
): Promise<Record<string, string>> {
  const usernameKey = fields.username?.trim().toLowerCase();
  if (!usernameKey) return {};
  const taken = await deps.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.usernameKey, usernameKey))
    .get();
  return taken ? { username: USERNAME_TAKEN } : {};
}

/**
 * Creates an account and signs it in. The person has confirmed being 13 or older (the form
 * requires it); no birth date is asked or kept. The account works at once; a link to confirm the
 * address is emailed, queued in the batch that creates the account.
 * @throws FormError when the username or email is taken or held by a suspension
 *   (src/services/suspended-accounts.ts), or the client registers too often
 */
export async function register(
  deps: AppDeps,
  client: string,
  input: Registration,
  /** the browser and system that signs in, as named by src/auth/device.ts */
  device: string | null,
): Promise<NewSession & { userId: number }> {
  const usernameKey = input.username.toLowerCase();
  const emailKey = input.email.toLowerCase();
  // Every attempt counts, so that nobody can probe which names and addresses are taken.
  for (const verdict of [
    deps.limits.registerPerClient.hit(client),
    deps.limits.registerPerAccount.hit(`register:${emailKey}`),
  ]) {
    if (!verdict.ok) {
      throw new FormError(
        {
          form: 'Too many attempts to create an account. Please wait a while before trying again.',
        },
        429,
        verdict.retryAfterSeconds,
      );
    }
  }
  const taken = await deps.db
    .select({ usernameKey: users.usernameKey, emailKey: users.emailKey })
    .from(users)
    .where(or(eq(users.usernameKey, usernameKey), eq(users.emailKey, emailKey)));
  const errors: Record<string, string> = {};
  if (taken.some((t) => t.usernameKey === usernameKey)) errors.username = USERNAME_TAKEN;
  if (taken.some((t) => t.emailKey === emailKey)) {
    errors.email =
      'An account with this email address exists. Sign in instead, or use another address.';
  }
  if (Object.keys(errors).length > 0) throw new FormError(errors, 409);
  await refuseSuspended(deps, input);

  const passwordHash = await hashPassword(input.password);
  const at = new Date(deps.now());
  let userId: number;
  const { db } = deps;
  const created = sql<number>`(select ${users.id} from ${users} where ${users.usernameKey} = ${usernameKey})`;
  try {
    const [[row]] = await db.batch([
      db
        .insert(users)
        .values({
          username: input.username,
          usernameKey,
          email: input.email,
          emailKey,
          passwordHash,
          createdAt: at,
          ageConfirmedAt: at,
          // A new account has read the notice as it is now: no banner about older changes.
          policyVersionSeen: CURRENT_PRIVACY.version,
        })
        .returning({ id: users.id }),
      ...(deps.mail.available ? addressConfirmationStatements(deps, created, input.email) : []),
    ]);
    if (!row) throw new Error('user insert returned no row');
    userId = row.id;
  } catch (err) {
    // Someone else took the name or address between the check and the insert.
    if (/UNIQUE/i.test(String((err as { cause?: unknown }).cause ?? err))) {
      throw new FormError(
        { username: 'That username or email address was just taken. Please try again.' },
        409,
      );
    }
    throw err;
  }
  deps.mail.nudge();
  const session = await createSession(deps, userId, { remember: false, device });
  return { ...session, userId };
}

export type Login = { login: string; password: string; remember: boolean };

const LOGIN_FAILED = 'That username or email and password do not match an account.';

const tooManySignIns = (retryAfterSeconds: number) =>
  new FormError(
    { form: 'Too many sign-in attempts. Please wait a few minutes before trying again.' },
    429,
    retryAfterSeconds,
  );

/**
 * Signs in by username or email.
 *
 * Every attempt is counted before the password is checked, in the same synchronous step as the
 * check of the limits, so that parallel guesses cannot all pass a limit that is counted after
 * scrypt. A right password gives the account's attempt back. An account that has reached its
 * limit still lets in clients that have not been failing for it (fewer than
 * `loginPerAccountClient` attempts): the limit slows guessing from anywhere, but nobody can use
 * it to lock the owner out.
 * @throws FormError with the same message whether or not the account exists; 429 when the
 *   client, or the account for a client that has been failing for it, has tried too often
 */
export async function login(
  deps: AppDeps,
  client: string,
  input: Login,
  /** the browser and system that signs in, as named by src/auth/device.ts */
  device: string | null,
): Promise<NewSession> {
  const { limits } = deps;
  const perClient = limits.loginPerClient.hit(client);
  if (!perClient.ok) throw tooManySignIns(perClient.retryAfterSeconds);
  const key = input.login.toLowerCase();
  const user = await deps.db
    .select({ id: users.id, passwordHash: users.passwordHash })
    .from(users)
    .where(key.includes('@') ? eq(users.emailKey, key) : eq(users.usernameKey, key))
    .get();
  // One count per account, whether it is named by username or by email address.
  const account = user ? `login:user:${user.id}` : `login:unknown:${key}`;
  const attempt = `${account}:${client}`;
  // No await from here to the reservations: check and count are one step.
  const perAccount = limits.loginPerAccount.check(account);
  const perAttempt = limits.loginPerAccountClient.check(attempt);
  if (!perAccount.ok && !perAttempt.ok) throw tooManySignIns(perAccount.retryAfterSeconds);
  const reserved = limits.loginPerAccount.hit(account).ok;
  limits.loginPerAccountClient.hit(attempt);

  const ok = user?.passwordHash
    ? await verifyPassword(user.passwordHash, input.password)
    : await verifyAgainstNothing(input.password);
  if (!user || !ok) throw new FormError({ form: LOGIN_FAILED }, 422);
  if (reserved) limits.loginPerAccount.release(account);
  limits.loginPerAccountClient.reset(attempt);
  if (user.passwordHash && needsRehash(user.passwordHash)) {
    await deps.db
      .update(users)
      .set({ passwordHash: await hashPassword(input.password) })
      .where(eq(users.id, user.id));
  }
  return createSession(deps, user.id, { remember: input.remember, device });
}

/**
 * Changes the password and ends every other session of the account.
 * @throws FormError when the current password is wrong
 */
export async function changePassword(
  deps: AppDeps,
  actor: { id: number; sessionId: string },
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const user = await deps.db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, actor.id))
    .get();
  if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new FormError({ current_password: 'That is not your current password.' });
  }
  const passwordHash = await hashPassword(input.newPassword);
  await deps.db.batch([
    deps.db.update(users).set({ passwordHash }).where(eq(users.id, actor.id)),
    invalidateUserSessions(deps, actor.id, actor.sessionId),
  ]);
}
