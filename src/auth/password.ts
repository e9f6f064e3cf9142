/**
 * Password hashing with scrypt (node:crypto; runs on Node and in workerd with nodejs_compat).
 *
 * Parameters: N = 2^14, r = 8, p = 5, one of OWASP's equivalent scrypt settings, chosen because
 * it needs 16 MiB, well inside a Workers isolate's 128 MB. They are stored in every hash
 * (`$scrypt$ln=14,r=8,p=5$<salt>$<key>`), so they can be raised later: `needsRehash` tells
 * sign-in to re-hash a password made with older ones.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { commonPasswords } from './common-passwords';

export const SCRYPT_PARAMS = { ln: 14, r: 8, p: 5 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

type Params = { ln: number; r: number; p: number };

function scrypt(password: string, salt: Buffer, params: Params): Promise<Buffer> {
  const N = 2 ** params.ln;
  // node:crypto refuses by default above 32 MiB, and workerd needs maxmem set explicitly.
  const maxmem = 256 * N * params.r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scryptCallback(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { N, r: params.r, p: params.p, maxmem },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scrypt(password, salt, SCRYPT_PARAMS);
  const { ln, r, p } = SCRYPT_PARAMS;
  return `$scrypt$ln=${ln},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

const HASH_FORMAT =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export function parseHash(hash: string): (Params & { salt: Buffer; key: Buffer }) | null {
  const m = HASH_FORMAT.exec(hash);
  if (!m) return null;
  return {
    ln: Number(m[1]),
    r: Number(m[2]),
    p: Number(m[3]),
    salt: Buffer.from(m[4] as string, 'base64'),
    key: Buffer.from(m[5] as string, 'base64'),
  };
}

/** Compares in constant time; a malformed hash never matches. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (!parsed) return false;
  const key = await scrypt(password, parsed.salt, parsed);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** A hash made with weaker parameters than today's. */
export function needsRehash(hash: string): boolean {
  const p = parseHash(hash);
  return !p || p.ln < SCRYPT_PARAMS.ln || p.r < SCRYPT_PARAMS.r || p.p < SCRYPT_PARAMS.p;
}

/**
 * Spends the time of one verification when there is no account to check against, so that
 * a failed sign-in takes as long whether or not the account exists.
 */
let dummyHash: Promise<string> | undefined;
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('not a real password, only for timing');
  await verifyPassword(await dummyHash, password);
  return false;
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}
