/**
 * Accounts: creating people. (Sign-up rules and sign-in arrive with the accounts routes.)
 */
import { users } from '../../db/schema';
import type { AppDeps } from '../context';

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
